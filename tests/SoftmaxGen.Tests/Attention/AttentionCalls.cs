using System;

namespace SoftmaxGen.Tests;

/// <summary>One call of the attention-row API for float or double arrays, chosen by its arguments.</summary>
internal static class AttentionCalls
{
    private delegate void ScaledCall<TE>(ReadOnlySpan<TE> logits, Span<TE> output, int classes, TE scale, ReadOnlySpan<TE> bias, MaskedRowResult fullyMasked, SoftmaxPrecision precision);

    private delegate void CausalCall<TE>(ReadOnlySpan<TE> logits, Span<TE> output, int classes, TE scale, int causalOffset, ReadOnlySpan<TE> bias, MaskedRowResult fullyMasked, SoftmaxPrecision precision);

    /// <summary>
    /// <c>ScaledSoftmax</c> (<paramref name="offset"/> <see cref="long.MaxValue"/>) or <c>CausalSoftmax</c> with that
    /// offset, or their log-softmax forms; an empty <paramref name="bias"/> is no bias.
    /// </summary>
    public static void Run<T>(T[] x, T[] y, int classes, T scale, T[] bias, long offset, MaskedRowResult fullyMasked, SoftmaxPrecision precision, bool log)
    {
        if (x is float[] xf)
        {
            Run(xf, (float[])(object)y, classes, (float)(object)scale!, (float[])(object)bias, offset, fullyMasked, precision, log,
                SoftmaxPrimitives.ScaledSoftmax, SoftmaxPrimitives.ScaledLogSoftmax, SoftmaxPrimitives.CausalSoftmax, SoftmaxPrimitives.CausalLogSoftmax);
        }
        else
        {
            Run((double[])(object)x, (double[])(object)y, classes, (double)(object)scale!, (double[])(object)bias, offset, fullyMasked, precision, log,
                SoftmaxPrimitives.ScaledSoftmax, SoftmaxPrimitives.ScaledLogSoftmax, SoftmaxPrimitives.CausalSoftmax, SoftmaxPrimitives.CausalLogSoftmax);
        }
    }

    private static void Run<TE>(
        TE[] x, TE[] y, int classes, TE scale, TE[] bias, long offset, MaskedRowResult fullyMasked, SoftmaxPrecision precision, bool log,
        ScaledCall<TE> scaled, ScaledCall<TE> scaledLog, CausalCall<TE> causal, CausalCall<TE> causalLog)
    {
        if (offset == long.MaxValue)
            (log ? scaledLog : scaled)(x, y, classes, scale, bias, fullyMasked, precision);
        else
            (log ? causalLog : causal)(x, y, classes, scale, (int)offset, bias, fullyMasked, precision);
    }
}
