namespace SoftmaxGen.Kernels;

/// <summary>
/// Softmax and log-softmax over the middle axis of an <c>[outer, classes, inner]</c> tensor, as
/// <c>F.softmax(x, dim=1)</c> on NCHW data: the classes of one position are <c>inner</c> values apart. A vector
/// holds <c>W</c> adjacent positions of one class, so the maximum, the exponentials, the sum and the scale are all
/// lane-wise across positions, with no transpose and no horizontal reduction. Positions that do not fill the widest
/// vector go to the next narrower tier, the last ones to a scalar lane; every lane runs the same
/// <see cref="SoftmaxMath"/> code as the row kernels.
/// </summary>
internal static class AxisKernels
{
    /// <summary>Softmax over the classes of every position of <paramref name="outer"/> planes of <c>classes x inner</c> values.</summary>
    internal static void Softmax<T>(ReadOnlySpan<T> input, Span<T> output, int outer, int classes, int inner, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T> => Planes(input, output, outer, classes, inner, log: false, precision);

    /// <summary>Log-softmax over the classes of every position of <paramref name="outer"/> planes of <c>classes x inner</c> values.</summary>
    internal static void LogSoftmax<T>(ReadOnlySpan<T> input, Span<T> output, int outer, int classes, int inner, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T> => Planes(input, output, outer, classes, inner, log: true, precision);

    private static void Planes<T>(ReadOnlySpan<T> input, Span<T> output, int outer, int classes, int inner, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint c = (nuint)classes, n = (nuint)inner, plane = c * n;
        for (nuint o = 0; o < (nuint)outer; o++)
        {
            var operation = new PlaneOperation<T>(
                ref Unsafe.Add(ref MemoryMarshal.GetReference(input), o * plane),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(output), o * plane), c, n, log);
            VectorDispatch.Sweep<PlaneOperation<T>, T>(ref operation, precision);
        }
    }

    /// <summary>One plane's positions, a vector of them at a time.</summary>
    private readonly ref struct PlaneOperation<TElement> : ISweepOperation
    {
        private readonly ref TElement x;
        private readonly ref TElement y;
        private readonly nuint classes, inner;
        private readonly bool log;

        public PlaneOperation(ref TElement x, ref TElement y, nuint classes, nuint inner, bool log)
        {
            this.x = ref x;
            this.y = ref y;
            this.classes = classes;
            this.inner = inner;
            this.log = log;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        nuint ISweepOperation.Run<TOps, TVec, T>(nuint start)
        {
            ref T xs = ref VectorDispatch.As<TElement, T>(ref x);
            ref T ys = ref VectorDispatch.As<TElement, T>(ref y);
            return Columns<TOps, TVec, T>(ref xs, ref ys, classes, inner, start, log);
        }
    }

    /// <summary>
    /// Softmax or log-softmax of the positions <c>[start, start + k W)</c> of one plane, W at a time, for as many whole
    /// vectors as fit before <paramref name="inner"/>; returns the first position left.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static nuint Columns<TOps, TVec, T>(ref T x, ref T y, nuint classes, nuint inner, nuint start, bool log)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count;
        nuint i = start;
        for (; i + width <= inner; i += width)
        {
            TVec max = TOps.Load(ref x, i);
            for (nuint c = 1; c < classes; c++)
            {
                max = TOps.MaxNative(max, TOps.Load(ref x, (c * inner) + i));
            }

            // The compensated sum of e^(x - max); softmax also stores each exponential. Each input is read before its
            // output is written, so in-place calls are correct.
            TVec negatedMax = TOps.Subtract(TOps.Splat(T.Zero), max);
            TVec sum = TOps.Splat(T.One), compensation = default; // started at 1 per lane (see SoftmaxMath.AccumulateExp)
            for (nuint c = 0; c < classes; c++)
            {
                TVec e = TOps.ExpShifted(TOps.Load(ref x, (c * inner) + i), negatedMax);
                if (!log)
                {
                    TOps.Store(e, ref y, (c * inner) + i);
                }

                SoftmaxMath.AccumulateExp<TOps, TVec, T>(e, ref sum, ref compensation);
            }

            if (log)
            {
                // (x - high) - low, where high + low = max + ln(sum) exactly (per lane).
                TOps.LogNormalizer(max, sum, compensation, out TVec high, out TVec low);
                for (nuint c = 0; c < classes; c++)
                {
                    nuint at = (c * inner) + i;
                    TOps.Store(TOps.Subtract(TOps.Subtract(TOps.Load(ref x, at), high), low), ref y, at);
                }

                continue;
            }

            // float: one reciprocal of the rounded sum, then a multiplication (as the block kernels);
            // double: a division by the sum, which rounds once (as the row kernels).
            TVec total = TOps.Add(TOps.Subtract(sum, TOps.Splat(T.One)), compensation);
            TVec scale = typeof(T) == typeof(float) ? TOps.Divide(TOps.Splat(T.One), total) : total;
            for (nuint c = 0; c < classes; c++)
            {
                nuint at = (c * inner) + i;
                TVec e = TOps.Load(ref y, at);
                TOps.Store(typeof(T) == typeof(float) ? TOps.Multiply(e, scale) : TOps.Divide(e, scale), ref y, at);
            }
        }

        return i;
    }
}
