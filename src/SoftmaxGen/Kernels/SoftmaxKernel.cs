using System;
using System.ComponentModel;

namespace SoftmaxGen.Kernels;

/// <summary>
/// A kernel specialised to one class count. The source generator derives one from this class for every
/// <see cref="SoftmaxKernelAttribute"/> and registers it with <see cref="SoftmaxKernelRegistry"/>, so that
/// <see cref="SoftmaxPrimitives"/> calls with the same class count run the specialised code.
/// </summary>
/// <remarks>
/// Public for generated code only. Every method receives arguments that <see cref="SoftmaxGuard"/> has already
/// validated: the input holds whole rows of <see cref="Classes"/> values and the outputs are long enough.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class SoftmaxKernel
{
    /// <summary>Initialises a kernel for <paramref name="classes"/> classes.</summary>
    /// <param name="classes">The class count, at least 1.</param>
    protected SoftmaxKernel(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Classes = classes;
    }

    /// <summary>The class count this kernel is specialised to.</summary>
    public int Classes { get; }

    /// <summary>Softmax of every row of <paramref name="logits"/> into <paramref name="probabilities"/>.</summary>
    /// <param name="logits">Validated rows.</param>
    /// <param name="probabilities">The output, at least as long as the input.</param>
    public abstract void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities);

    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float})"/>
    public abstract void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities);

    /// <summary>Log-softmax of every row of <paramref name="logits"/> into <paramref name="logProbabilities"/>.</summary>
    /// <param name="logits">Validated rows.</param>
    /// <param name="logProbabilities">The output, at least as long as the input.</param>
    public abstract void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities);

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float})"/>
    public abstract void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities);

    /// <summary>The cross-entropy of every row against its class-index target.</summary>
    /// <param name="logits">Validated rows.</param>
    /// <param name="targets">One validated class index per row.</param>
    /// <param name="losses">Receives the per-row losses when not empty.</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    public abstract double CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/>
    public abstract double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses);

    /// <summary>The index of the first maximum of every row (a NaN counts as the maximum, as in PyTorch).</summary>
    /// <param name="logits">Validated rows.</param>
    /// <param name="predictions">One index per row.</param>
    public abstract void Argmax(ReadOnlySpan<float> logits, Span<int> predictions);

    /// <inheritdoc cref="Argmax(ReadOnlySpan{float}, Span{int})"/>
    public abstract void Argmax(ReadOnlySpan<double> logits, Span<int> predictions);
}
