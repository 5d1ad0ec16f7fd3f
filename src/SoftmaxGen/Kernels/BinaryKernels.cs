namespace SoftmaxGen.Kernels;

/// <summary>
/// Two classes as the logistic sigmoid: the sigmoid itself (vectorised) and PyTorch's binary cross-entropy losses.
/// Every exponential is the softmax one, <see cref="SoftmaxMath"/>'s e^(x - max), taken at <c>-|x| &lt;= 0</c> so it
/// never overflows.
/// </summary>
internal static class BinaryKernels
{
    internal static void Sigmoid<T>(ReadOnlySpan<T> logits, Span<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new SigmoidOperation<T>(logits, probabilities);
        VectorDispatch.Sweep<SigmoidOperation<T>, T>(ref operation);
    }

    private readonly ref struct SigmoidOperation<TElement>(ReadOnlySpan<TElement> x, Span<TElement> y) : ISweepOperation
    {
        private readonly ReadOnlySpan<TElement> x = x;
        private readonly Span<TElement> y = y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        nuint ISweepOperation.Run<TOps, TVec, T>(nuint start) =>
            Sigmoid<TOps, TVec, T>(
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x)),
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(y)), (nuint)x.Length, start);
    }

    /// <summary>
    /// sigmoid(x) = 1 / (1 + e) for x &gt;= 0 and e / (1 + e) for x &lt; 0, where e = e^-|x| &lt;= 1: no overflow for
    /// any x, and no cancellation (about 2 ULP). Whole vectors from <paramref name="start"/>; returns the first index left.
    /// </summary>
    private static nuint Sigmoid<TOps, TVec, T>(ref T x, ref T y, nuint length, nuint start)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count;
        TVec zero = TOps.Splat(T.Zero), one = TOps.Splat(T.One);
        nuint i = start;
        for (; i + width <= length; i += width)
        {
            TVec v = TOps.Load(ref x, i);

            // -|x| = -max(x, -x), exact for every x (NaN stays NaN, +-inf give -inf and e = 0).
            TVec negativeMagnitude = TOps.Subtract(zero, TOps.MaxNative(v, TOps.Subtract(zero, v)));
            TVec e = TOps.ExpShifted(negativeMagnitude, zero);

            // The numerator: e where x < 0, 1 elsewhere (selected with the two masks the lane operations have).
            TVec negative = TOps.LessThan(v, zero);
            TVec numerator = TOps.Add(TOps.AndNot(one, negative), TOps.Subtract(e, TOps.AndNot(e, negative)));
            TOps.Store(TOps.Divide(numerator, TOps.Add(one, e)), ref y, i);
        }

        return i;
    }

    /// <summary>
    /// PyTorch's <c>BCELoss</c>: the sum over the elements of <c>-(t ln p + (1 - t) ln(1 - p))</c> with each logarithm
    /// clamped at -100, each element computed in double and rounded to <typeparamref name="T"/> before it is summed
    /// (so a mean is the mean of the element losses, as PyTorch).
    /// </summary>
    internal static double BinaryCrossEntropy<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = double.CreateTruncating(probabilities[i]);
            double t = double.CreateTruncating(targets[i]);
            double logP = Math.Max(Math.Log(p), -100.0);
            double logNotP = Math.Max(LogOnePlus(-p), -100.0);
            sum += double.CreateTruncating(T.CreateTruncating(-((t * logP) + ((1 - t) * logNotP))));
        }

        return sum;
    }

    /// <summary>
    /// PyTorch's <c>BCEWithLogitsLoss</c> with a scalar <c>pos_weight</c>: per element
    /// <c>(1 - t) x + (1 + (w - 1) t) softplus(-x)</c>, with <c>softplus(-x) = max(-x, 0) + ln(1 + e^-|x|)</c>,
    /// in double and summed as <see cref="BinaryCrossEntropy{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>.
    /// </summary>
    internal static double BinaryCrossEntropyWithLogits<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, T positiveWeight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double w = double.CreateTruncating(positiveWeight);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double x = double.CreateTruncating(logits[i]);
            double t = double.CreateTruncating(targets[i]);
            double logWeight = 1 + ((w - 1) * t);
            double e = SoftmaxMath.ExpShifted(-Math.Abs(x), 0.0);

            // (1 - t) x + lw max(-x, 0) first: for t = 0 and x < 0 the two cancel exactly, leaving the small ln(1 + e).
            double linear = ((1 - t) * x) + (logWeight * Math.Max(-x, 0));
            sum += double.CreateTruncating(T.CreateTruncating(linear + (logWeight * LogOnePlus(e))));
        }

        return sum;
    }

    /// <summary>
    /// ln(1 + u) for u &gt;= -1, accurate for small |u| as well (Goldberg's correction: ln(w) u / (w - 1) with w = 1 + u
    /// rounded, which cancels the rounding of w).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double LogOnePlus(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : double.IsPositiveInfinity(w) ? w : Math.Log(w) * u / (w - 1);
    }
}
