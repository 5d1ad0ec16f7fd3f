using System;
using System.ComponentModel;

namespace SoftmaxGen.Kernels;

/// <summary>
/// A kernel specialised to one class count. The source generator derives one from this class for every
/// <see cref="SoftmaxKernelAttribute"/> and registers it with <see cref="SoftmaxKernelRegistry"/>, so that
/// <see cref="SoftmaxPrimitives"/> calls with the same class count run the specialised code.
/// </summary>
/// <remarks>
/// Public for generated code only. The public methods validate their arguments as <see cref="SoftmaxPrimitives"/>
/// does; a generated kernel implements the protected members, which receive validated rows only.
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

    /// <summary>Softmax of every row of <paramref name="logits"/> into <paramref name="probabilities"/>, validated as <see cref="SoftmaxPrimitives"/> validates.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="probabilities">The output, at least as long as the input; may be the input itself.</param>
    public void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) =>
        SoftmaxRows(logits, probabilities, SameShapeRows(logits, probabilities, nameof(probabilities)));

    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float})"/>
    public void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities) =>
        SoftmaxRows(logits, probabilities, SameShapeRows(logits, probabilities, nameof(probabilities)));

    /// <summary>Log-softmax of every row of <paramref name="logits"/> into <paramref name="logProbabilities"/>, validated.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="logProbabilities">The output, at least as long as the input; may be the input itself.</param>
    public void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities) =>
        LogSoftmaxRows(logits, logProbabilities, SameShapeRows(logits, logProbabilities, nameof(logProbabilities)));

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float})"/>
    public void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities) =>
        LogSoftmaxRows(logits, logProbabilities, SameShapeRows(logits, logProbabilities, nameof(logProbabilities)));

    /// <summary>The cross-entropy of every row against its class-index target, validated.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="targets">One class index in [0, <see cref="Classes"/>) per row.</param>
    /// <param name="losses">Empty, or receives the per-row losses (separate memory).</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    public double CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) =>
        CrossEntropyRows(logits, targets, losses, LossRows(logits, targets, losses));

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/>
    public double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses) =>
        CrossEntropyRows(logits, targets, losses, LossRows(logits, targets, losses));

    /// <summary>The index of the first maximum of every row (a NaN counts as the maximum, as in PyTorch), validated.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="predictions">Receives one index per row (separate memory).</param>
    public void Argmax(ReadOnlySpan<float> logits, Span<int> predictions) =>
        ArgmaxRows(logits, predictions, PredictionRows(logits, predictions));

    /// <inheritdoc cref="Argmax(ReadOnlySpan{float}, Span{int})"/>
    public void Argmax(ReadOnlySpan<double> logits, Span<int> predictions) =>
        ArgmaxRows(logits, predictions, PredictionRows(logits, predictions));

    // ---- For the runtime's entry points, which have validated the arguments already ----------------------

    internal void SoftmaxValidated(ReadOnlySpan<float> logits, Span<float> probabilities, int rows) => SoftmaxRows(logits, probabilities, rows);

    internal void SoftmaxValidated(ReadOnlySpan<double> logits, Span<double> probabilities, int rows) => SoftmaxRows(logits, probabilities, rows);

    internal void LogSoftmaxValidated(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows) => LogSoftmaxRows(logits, logProbabilities, rows);

    internal void LogSoftmaxValidated(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows) => LogSoftmaxRows(logits, logProbabilities, rows);

    internal double CrossEntropyValidated(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows) => CrossEntropyRows(logits, targets, losses, rows);

    internal double CrossEntropyValidated(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows) => CrossEntropyRows(logits, targets, losses, rows);

    internal void ArgmaxValidated(ReadOnlySpan<float> logits, Span<int> predictions, int rows) => ArgmaxRows(logits, predictions, rows);

    internal void ArgmaxValidated(ReadOnlySpan<double> logits, Span<int> predictions, int rows) => ArgmaxRows(logits, predictions, rows);

    // ---- What a generated kernel implements: validated rows only ---------------------------------------

    /// <summary>Softmax of <paramref name="rows"/> validated rows.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="probabilities">At least as long as <paramref name="logits"/>; the same memory or separate.</param>
    /// <param name="rows">The row count.</param>
    protected abstract void SoftmaxRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows);

    /// <inheritdoc cref="SoftmaxRows(ReadOnlySpan{float}, Span{float}, int)"/>
    protected abstract void SoftmaxRows(ReadOnlySpan<double> logits, Span<double> probabilities, int rows);

    /// <summary>Log-softmax of <paramref name="rows"/> validated rows.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="logProbabilities">At least as long as <paramref name="logits"/>; the same memory or separate.</param>
    /// <param name="rows">The row count.</param>
    protected abstract void LogSoftmaxRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows);

    /// <inheritdoc cref="LogSoftmaxRows(ReadOnlySpan{float}, Span{float}, int)"/>
    protected abstract void LogSoftmaxRows(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows);

    /// <summary>The cross-entropy of <paramref name="rows"/> validated rows against validated targets.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="targets">One class index in range per row.</param>
    /// <param name="losses">Empty, or at least one value per row, separate memory.</param>
    /// <param name="rows">The row count.</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    protected abstract double CrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows);

    /// <inheritdoc cref="CrossEntropyRows(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int)"/>
    protected abstract double CrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows);

    /// <summary>The argmax of <paramref name="rows"/> validated rows.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="predictions">At least one value per row, separate memory.</param>
    /// <param name="rows">The row count.</param>
    protected abstract void ArgmaxRows(ReadOnlySpan<float> logits, Span<int> predictions, int rows);

    /// <inheritdoc cref="ArgmaxRows(ReadOnlySpan{float}, Span{int}, int)"/>
    protected abstract void ArgmaxRows(ReadOnlySpan<double> logits, Span<int> predictions, int rows);

    private int SameShapeRows<T>(ReadOnlySpan<T> logits, Span<T> output, string outputName)
        where T : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, Classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, output, nameof(logits), outputName);
        return rows;
    }

    private int LossRows<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses)
        where T : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, Classes, nameof(logits));
        SoftmaxGuard.Targets(targets, rows, Classes);
        if (!losses.IsEmpty)
        {
            SoftmaxGuard.PerRowLosses(logits, targets, [], losses, rows);
        }

        return rows;
    }

    private int PredictionRows<T>(ReadOnlySpan<T> logits, Span<int> predictions)
        where T : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, Classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        return rows;
    }
}
