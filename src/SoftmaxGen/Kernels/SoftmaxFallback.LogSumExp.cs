namespace SoftmaxGen.Kernels;

public static partial class SoftmaxFallback
{
    /// <summary>
    /// log(sum(e^x)) of each row, as <c>torch.logsumexp(logits, dim=1)</c>: the shared runtime code behind
    /// <see cref="SoftmaxPrimitives.LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/> and the generated members.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="results">Receives one value per row; must not overlap <paramref name="logits"/>.</param>
    /// <param name="classes">The class count (the row length), at least 1.</param>
    /// <param name="precision">The precision.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="results"/> is shorter than the row count or overlaps <paramref name="logits"/>.</exception>
    public static void LogSumExp(ReadOnlySpan<float> logits, Span<float> results, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) => LogSumExpChecked(logits, results, classes, precision);

    /// <inheritdoc cref="LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void LogSumExp(ReadOnlySpan<double> logits, Span<double> results, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) => LogSumExpChecked(logits, results, classes, precision);

    private static void LogSumExpChecked<T>(ReadOnlySpan<T> logits, Span<T> results, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.PerRowOutput(logits, results, rows, nameof(logits), nameof(results));
        SoftmaxGuard.Precision(precision);
        var operation = new LogSumExpOperation<T>(logits, results, rows, classes);
        VectorDispatch.ByLayout<LogSumExpOperation<T>, T, bool>(ref operation, classes, precision, LayoutRule.Rows);
    }

    /// <summary>The row kernel with the widest vector no longer than a row, else the scalar lane.</summary>
    private readonly ref struct LogSumExpOperation<TElement>(ReadOnlySpan<TElement> logits, Span<TElement> results, int rows, int classes)
        : ILayoutOperation<bool>
    {
        private readonly ReadOnlySpan<TElement> logits = logits;
        private readonly Span<TElement> results = results;

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            ref T x = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(logits));
            RowKernels<TOps, TVec, T>.LogSumExp(ref x, ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(results)), (nuint)rows, (nuint)classes);
            return true;
        }
    }
}
