namespace SoftmaxGen.Generator.Model;

/// <summary>
/// The generator's copy of the runtime's <c>SoftmaxGen.SoftmaxPrecision</c> (the generator does not reference the
/// runtime): the same names and values, read from the attribute's named argument <c>Precision</c>.
/// </summary>
internal enum KernelPrecision
{
    /// <summary><c>SoftmaxPrecision.Exact</c>, the default: the generated code calls <c>SoftmaxMath.ExpShifted</c>.</summary>
    Exact = 0,

    /// <summary><c>SoftmaxPrecision.Fast</c>: the generated code calls <c>SoftmaxMath.ExpShiftedFast</c> and passes the precision to the runtime.</summary>
    Fast = 1,
}
