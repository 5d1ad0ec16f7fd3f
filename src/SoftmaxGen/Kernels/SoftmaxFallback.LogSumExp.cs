namespace SoftmaxGen.Kernels;

public static partial class SoftmaxFallback
{
    /// <summary>
    /// log(sum(e^x)) of each row, as <c>torch.logsumexp(logits, dim=1)</c>: the shared runtime code behind
    /// <see cref="SoftmaxPrimitives.LogSumExp(ReadOnlySpan{float}, Span{float}, int)"/> and the generated members.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="results">Receives one value per row; must not overlap <paramref name="logits"/>.</param>
    /// <param name="classes">The class count (the row length), at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="results"/> is shorter than the row count or overlaps <paramref name="logits"/>.</exception>
    public static void LogSumExp(ReadOnlySpan<float> logits, Span<float> results, int classes) => LogSumExpChecked(logits, results, classes);

    /// <inheritdoc cref="LogSumExp(ReadOnlySpan{float}, Span{float}, int)"/>
    public static void LogSumExp(ReadOnlySpan<double> logits, Span<double> results, int classes) => LogSumExpChecked(logits, results, classes);

    private static void LogSumExpChecked<T>(ReadOnlySpan<T> logits, Span<T> results, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.PerRowOutput(logits, results, rows, nameof(logits), nameof(results));
        var operation = new LogSumExpOperation<T>(ref MemoryMarshal.GetReference(logits), ref MemoryMarshal.GetReference(results), (nuint)rows, (nuint)classes);
        VectorDispatch.ByLayout<LogSumExpOperation<T>, T, bool>(ref operation, classes, LayoutRule.Rows);
    }

    /// <summary>The row kernel with the widest vector no longer than a row, else the scalar lane.</summary>
    private readonly ref struct LogSumExpOperation<TElement> : ILayoutOperation<bool>
    {
        private readonly ref TElement logits;
        private readonly ref TElement results;
        private readonly nuint rows;
        private readonly nuint classes;

        public LogSumExpOperation(ref TElement logits, ref TElement results, nuint rows, nuint classes)
        {
            this.logits = ref logits;
            this.results = ref results;
            this.rows = rows;
            this.classes = classes;
        }

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            RowKernels.LogSumExp<TOps, TVec, T>(ref VectorDispatch.As<TElement, T>(ref logits), ref VectorDispatch.As<TElement, T>(ref results), rows, classes);
            return true;
        }
    }
}
