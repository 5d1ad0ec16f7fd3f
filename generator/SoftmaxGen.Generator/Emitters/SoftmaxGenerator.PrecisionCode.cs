namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// What the precision changes in generated code: the name of the exponential, and a trailing argument on the runtime
    /// calls that exponentiate. Exact writes what it wrote before precisions existed (those runtime parameters default to
    /// Exact), so an Exact kernel's file does not change.
    /// </summary>
    internal static class PrecisionCode
    {
        /// <summary><c>SoftmaxMath.ExpShifted</c>, or <c>SoftmaxMath.ExpShiftedFast</c> for <see cref="KernelPrecision.Fast"/>.</summary>
        public static string ExpShifted(KernelPrecision precision) =>
            precision == KernelPrecision.Fast ? SoftmaxMath.ExpShiftedFast : SoftmaxMath.ExpShifted;

        /// <summary>The trailing argument of a runtime call that exponentiates: <c>, SoftmaxPrecision.Fast</c>, or nothing for Exact.</summary>
        public static string Argument(KernelPrecision precision) =>
            precision == KernelPrecision.Fast ? ", " + SoftmaxPrecision.Fast : string.Empty;

        /// <summary>The enum member's name as users write it, for comments.</summary>
        public static string Describe(KernelPrecision precision) => $"SoftmaxPrecision.{precision}";
    }
}
