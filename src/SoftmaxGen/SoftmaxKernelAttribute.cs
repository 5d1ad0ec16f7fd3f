namespace SoftmaxGen;

/// <summary>
/// Asks the SoftmaxGen source generator for softmax, log-softmax, cross-entropy and argmax routines
/// specialised to exactly <see cref="Classes"/> classes, emitted as static members of the marked type.
/// </summary>
/// <remarks>
/// <para>Mark a <c>partial</c> class or struct (static or not, in any namespace, nested in partial types):</para>
/// <code>
/// [SoftmaxKernel(10)]
/// static partial class Digits;
///
/// [SoftmaxKernel(32000, Precision = SoftmaxPrecision.Fast)]
/// static partial class Vocabulary;
///
/// Digits.Softmax(logits, probabilities);   // logits: rows x 10 values, row-major
/// </code>
/// <para>The generated members are <c>Classes</c>, <c>Softmax</c>, <c>LogSoftmax</c>, two <c>CrossEntropy</c>
/// overloads and <c>Argmax</c>, for <see cref="float"/> and <see cref="double"/>. They compute the same values as
/// the matching <see cref="SoftmaxPrimitives"/> methods, which also dispatch to the generated kernel when one
/// for the same class count is in the process.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class SoftmaxKernelAttribute : Attribute
{
    /// <summary>The largest class count the generator accepts.</summary>
    public const int MaxClasses = 1_000_000;

    /// <summary>Creates the attribute for <paramref name="classes"/> classes (1 to <see cref="MaxClasses"/>).</summary>
    /// <param name="classes">The number of classes (the length of one row of logits).</param>
    public SoftmaxKernelAttribute(int classes) => Classes = classes;

    /// <summary>The number of classes the generated routines are specialised to.</summary>
    public int Classes { get; }

    /// <summary>
    /// The precision of the generated routines (<see cref="SoftmaxPrecision.Exact"/> by default). A type's kernel
    /// serves <see cref="SoftmaxPrimitives"/> calls with the same class count and precision.
    /// </summary>
    public SoftmaxPrecision Precision { get; set; }
}
