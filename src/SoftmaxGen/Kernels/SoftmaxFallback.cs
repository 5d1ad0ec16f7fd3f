using System.ComponentModel;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The runtime fallback for any class count: the same operations as <see cref="SoftmaxPrimitives"/>, vectorised with
/// the widest vector that fits in a row, but never dispatching to a generated kernel. <see cref="SoftmaxPrimitives"/>
/// runs it when no kernel for the class count is registered; tests and benchmarks call it to compare.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class SoftmaxFallback
{
    // Validating entry points for tests, benchmarks and the accuracy tool: SoftmaxPrimitives' checks and
    // semantics, without dispatch to a generated kernel.

    /// <inheritdoc cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    internal static void Softmax<T>(ReadOnlySpan<T> logits, Span<T> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
        => RowsChecked(logits, probabilities, classes, nameof(probabilities), log: false, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    internal static void LogSoftmax<T>(ReadOnlySpan<T> logits, Span<T> logProbabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
        => RowsChecked(logits, logProbabilities, classes, nameof(logProbabilities), log: true, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.Argmax(ReadOnlySpan{float}, Span{int}, int)"/>
    internal static void Argmax<T>(ReadOnlySpan<T> logits, Span<int> predictions, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        RowKernels.Argmax(logits, predictions, classes);
    }

    // ---- Entry points for generated code: the shape they rely on is checked (cheaply), so that a direct call
    // cannot reach past a span; the runtime's own callers, which validated everything, call the *Rows cores.

    /// <summary>Softmax of <paramref name="rows"/> rows (the scalar path of generated kernels).</summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="probabilities">At least as long as those rows; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision (a generated kernel passes its own).</param>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="rows"/> rows.</exception>
    public static void SoftmaxCore(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CoreChecked(logits, probabilities, rows, classes, log: false, precision);

    /// <inheritdoc cref="SoftmaxCore(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void SoftmaxCore(ReadOnlySpan<double> logits, Span<double> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CoreChecked(logits, probabilities, rows, classes, log: false, precision);

    /// <summary>Log-softmax of <paramref name="rows"/> rows (the scalar path of generated kernels).</summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="logProbabilities">At least as long as those rows; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision (a generated kernel passes its own).</param>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="rows"/> rows.</exception>
    public static void LogSoftmaxCore(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CoreChecked(logits, logProbabilities, rows, classes, log: true, precision);

    /// <inheritdoc cref="LogSoftmaxCore(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void LogSoftmaxCore(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CoreChecked(logits, logProbabilities, rows, classes, log: true, precision);

    /// <summary>Cross-entropy of <paramref name="rows"/> rows against class targets (the scalar path of generated kernels); writes per-row losses unless <paramref name="losses"/> is empty; returns their sum.</summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="targets">At least one class index in range per row.</param>
    /// <param name="losses">Empty, or at least one value per row.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision (a generated kernel passes its own).</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="rows"/> rows, or a target is out of range.</exception>
    public static double CrossEntropyCore(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        SoftmaxGuard.CoreTargets(logits.Length, targets, losses.Length, rows, classes);
        SoftmaxGuard.Precision(precision);
        return CrossEntropyRows(logits, targets, losses, rows, classes, precision);
    }

    /// <inheritdoc cref="CrossEntropyCore(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static double CrossEntropyCore(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        SoftmaxGuard.CoreTargets(logits.Length, targets, losses.Length, rows, classes);
        SoftmaxGuard.Precision(precision);
        return CrossEntropyRows(logits, targets, losses, rows, classes, precision);
    }

    /// <summary>The argmax of every whole row of <paramref name="logits"/> into <paramref name="predictions"/> (generated kernels' path).</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="predictions">At least one value per row.</param>
    /// <param name="classes">The class count.</param>
    /// <exception cref="ArgumentException"><paramref name="predictions"/> is shorter than the number of rows.</exception>
    public static void ArgmaxCore(ReadOnlySpan<float> logits, Span<int> predictions, int classes)
        => ArgmaxChecked(logits, predictions, classes);

    /// <inheritdoc cref="ArgmaxCore(ReadOnlySpan{float}, Span{int}, int)"/>
    public static void ArgmaxCore(ReadOnlySpan<double> logits, Span<int> predictions, int classes)
        => ArgmaxChecked(logits, predictions, classes);

    private static void ArgmaxChecked<T>(ReadOnlySpan<T> logits, Span<int> predictions, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.CoreRows(logits.Length, logits.Length, logits.Length / Math.Max(classes, 1), classes);
        SoftmaxGuard.PerRowLength(predictions.Length, logits.Length / classes, nameof(predictions));
        RowKernels.Argmax(logits, predictions, classes);
    }

    private static void RowsChecked<T>(ReadOnlySpan<T> logits, Span<T> output, int classes, string outputName, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, output, nameof(logits), outputName);
        CoreChecked(logits, output, rows, classes, log, precision);
    }

    private static void CoreChecked<T>(ReadOnlySpan<T> logits, Span<T> output, int rows, int classes, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.CoreRows(logits.Length, output.Length, rows, classes);
        SoftmaxGuard.Precision(precision);
        if (log)
            LogSoftmaxRows(logits, output, rows, classes, precision);
        else
            SoftmaxRows(logits, output, rows, classes, precision);
    }

    // ---- Validated cores: the layout and the widest vector that fits (LayoutTable, VectorDispatch) ----------

    /// <summary>Softmax of validated rows.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="probabilities">At least as long as <paramref name="logits"/>; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision.</param>
    internal static void SoftmaxRows<T>(ReadOnlySpan<T> logits, Span<T> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new RowsOperation<T>(logits, probabilities, rows, classes, log: false);
        VectorDispatch.ByLayout<RowsOperation<T>, T, bool>(ref operation, classes, precision);
    }

    /// <summary>Log-softmax of validated rows.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="logProbabilities">At least as long as <paramref name="logits"/>; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision.</param>
    internal static void LogSoftmaxRows<T>(ReadOnlySpan<T> logits, Span<T> logProbabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new RowsOperation<T>(logits, logProbabilities, rows, classes, log: true);
        VectorDispatch.ByLayout<RowsOperation<T>, T, bool>(ref operation, classes, precision);
    }

    /// <summary>Cross-entropy of validated rows and targets; writes per-row losses unless <paramref name="losses"/> is empty; returns their sum.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="targets">One valid class index per row.</param>
    /// <param name="losses">Empty, or at least one value per row.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision.</param>
    internal static double CrossEntropyRows<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new CrossEntropyOperation<T>(logits, targets, losses, rows, classes);
        return VectorDispatch.ByLayout<CrossEntropyOperation<T>, T, double>(ref operation, classes, precision);
    }

    /// <summary>Softmax or log-softmax in the column layout (blocks and columns) or a row layout.</summary>
    private readonly ref struct RowsOperation<TElement>(ReadOnlySpan<TElement> x, Span<TElement> y, int rows, int classes, bool log)
        : ILayoutOperation<bool>
    {
        private readonly ReadOnlySpan<TElement> x = x;
        private readonly Span<TElement> y = y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            ref T xs = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x));
            ref T ys = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(y));
            bool columns = layout is RowLayout.Block or RowLayout.Columns;
            if (columns && log)
                ColumnKernels<TOps, TVec, T>.LogSoftmax(ref xs, ref ys, (nuint)rows, (nuint)classes);
            else if (columns)
                ColumnKernels<TOps, TVec, T>.Softmax(ref xs, ref ys, (nuint)rows, (nuint)classes);
            else if (log)
                RowKernels<TOps, TVec, T>.LogSoftmax(ref xs, ref ys, (nuint)rows, (nuint)classes);
            else
                RowKernels<TOps, TVec, T>.Softmax(ref xs, ref ys, (nuint)rows, (nuint)classes);
            return true;
        }
    }

    /// <summary>Cross-entropy against class targets in the column layout or a row layout.</summary>
    private readonly ref struct CrossEntropyOperation<TElement>(ReadOnlySpan<TElement> x, ReadOnlySpan<int> targets, Span<TElement> losses, int rows, int classes)
        : ILayoutOperation<double>
    {
        private readonly ReadOnlySpan<TElement> x = x;
        private readonly ReadOnlySpan<int> targets = targets;
        private readonly Span<TElement> losses = losses;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        double ILayoutOperation<double>.Run<TOps, TVec, T>(RowLayout layout)
        {
            ref T xs = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x));
            return layout is RowLayout.Block or RowLayout.Columns
                ? ColumnKernels<TOps, TVec, T>.CrossEntropy(ref xs, targets, VectorDispatch.As<TElement, T>(losses), (nuint)rows, (nuint)classes)
                : RowKernels<TOps, TVec, T>.CrossEntropy(ref xs, targets, VectorDispatch.As<TElement, T>(losses), (nuint)rows, (nuint)classes);
        }
    }
}
