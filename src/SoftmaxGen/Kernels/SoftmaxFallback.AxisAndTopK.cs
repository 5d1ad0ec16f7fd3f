namespace SoftmaxGen.Kernels;

// The middle-axis softmax and top-k, without dispatch to generated kernels; and the validated cores that
// SoftmaxPrimitives and the generated kernels call with their class count.
public static partial class SoftmaxFallback
{
    /// <inheritdoc cref="SoftmaxPrimitives.TopK(ReadOnlySpan{float}, int, Span{int}, Span{float}, int, SoftmaxPrecision)"/>
    internal static void TopK<T>(ReadOnlySpan<T> logits, int k, Span<int> indices, Span<T> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
        => TopKRows(null, logits, k, indices, probabilities, classes, precision);

    /// <summary><see cref="SoftmaxPrimitives"/>' top-k: the probabilities of the kernel registered for the class count, if any.</summary>
    internal static void TopKDispatched<T>(ReadOnlySpan<T> logits, int k, Span<int> indices, Span<T> probabilities, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.Precision(precision);
        TopKRows(SoftmaxKernelRegistry.Find(classes, precision), logits, k, indices, probabilities, classes, precision);
    }

    private static void TopKRows<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> logits, int k, Span<int> indices, Span<T> probabilities, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.TopK(k, classes);
        SoftmaxGuard.TopKOutputs(logits, indices, probabilities, rows, k);
        SoftmaxGuard.Precision(precision);
        TopKKernels.TopK(kernel, logits, k, indices, probabilities, rows, classes, precision);
    }

    // ---- Validated cores -------------------------------------------------------------------------------

    /// <summary>Softmax over the middle axis of validated <c>[outer, classes, innerSize]</c> data; innerSize 1 is the row form.</summary>
    /// <param name="input">Whole planes.</param>
    /// <param name="output">At least as long as <paramref name="input"/>; may be the same memory.</param>
    /// <param name="outer">The number of planes.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="innerSize">The positions per class.</param>
    /// <param name="precision">The precision (a generated kernel passes its own).</param>
    public static void SoftmaxAxisCore(ReadOnlySpan<float> input, Span<float> output, int outer, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisCore(input, output, outer, classes, innerSize, log: false, precision);

    /// <inheritdoc cref="SoftmaxAxisCore(ReadOnlySpan{float}, Span{float}, int, int, int, SoftmaxPrecision)"/>
    public static void SoftmaxAxisCore(ReadOnlySpan<double> input, Span<double> output, int outer, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisCore(input, output, outer, classes, innerSize, log: false, precision);

    /// <summary>Log-softmax over the middle axis of validated <c>[outer, classes, innerSize]</c> data; innerSize 1 is the row form.</summary>
    /// <inheritdoc cref="SoftmaxAxisCore(ReadOnlySpan{float}, Span{float}, int, int, int, SoftmaxPrecision)"/>
    public static void LogSoftmaxAxisCore(ReadOnlySpan<float> input, Span<float> output, int outer, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisCore(input, output, outer, classes, innerSize, log: true, precision);

    /// <inheritdoc cref="LogSoftmaxAxisCore(ReadOnlySpan{float}, Span{float}, int, int, int, SoftmaxPrecision)"/>
    public static void LogSoftmaxAxisCore(ReadOnlySpan<double> input, Span<double> output, int outer, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisCore(input, output, outer, classes, innerSize, log: true, precision);

    /// <summary>
    /// <see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/> (or its
    /// log-softmax) with the same checks, without dispatch to a registered kernel.
    /// </summary>
    internal static void Axis<T>(ReadOnlySpan<T> input, Span<T> output, int classes, int innerSize, bool log, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = SoftmaxGuard.AxisOuter(input.Length, classes, innerSize, nameof(input));
        SoftmaxGuard.SameShapeOutput(input, output, nameof(input), nameof(output));
        AxisCore(input, output, outer, classes, innerSize, log, precision);
    }

    internal static void AxisCore<T>(ReadOnlySpan<T> input, Span<T> output, int outer, int classes, int innerSize, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.CoreAxis(input.Length, output.Length, outer, classes, innerSize);
        SoftmaxGuard.Precision(precision);
        if (innerSize == 1)
        {
            // The row form, with the checks of SoftmaxCore and LogSoftmaxCore.
            SoftmaxGuard.CoreRows(input.Length, output.Length, outer, classes);
            if (log)
                LogSoftmaxRows(input, output, outer, classes, precision);
            else
                SoftmaxRows(input, output, outer, classes, precision);
        }
        else if (log)
            AxisKernels.LogSoftmax(input, output, outer, classes, innerSize, precision);
        else
            AxisKernels.Softmax(input, output, outer, classes, innerSize, precision);
    }

    /// <summary>Top-k of validated rows into validated outputs of <c>rows x k</c> values, with the probabilities of the Softmax that SoftmaxPrimitives dispatches to for the class count.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="k">The number of classes per row, in [1, classes].</param>
    /// <param name="indices">At least <c>rows x k</c> values.</param>
    /// <param name="probabilities">At least <c>rows x k</c> values, not overlapping <paramref name="logits"/>.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision (a generated kernel passes its own).</param>
    public static void TopKCore(ReadOnlySpan<float> logits, int k, Span<int> indices, Span<float> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => TopKChecked(logits, k, indices, probabilities, rows, classes, precision);

    /// <inheritdoc cref="TopKCore(ReadOnlySpan{float}, int, Span{int}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void TopKCore(ReadOnlySpan<double> logits, int k, Span<int> indices, Span<double> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => TopKChecked(logits, k, indices, probabilities, rows, classes, precision);

    private static void TopKChecked<T>(ReadOnlySpan<T> logits, int k, Span<int> indices, Span<T> probabilities, int rows, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.CoreRows(logits.Length, logits.Length, rows, classes);
        SoftmaxGuard.TopK(k, classes);
        SoftmaxGuard.TopKOutputs(logits.Slice(0, rows * classes), indices, probabilities, rows, k);
        SoftmaxGuard.Precision(precision);
        TopKKernels.TopK(SoftmaxKernelRegistry.Find(classes, precision), logits, k, indices, probabilities, rows, classes, precision);
    }
}
