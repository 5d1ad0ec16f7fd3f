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
                LogNormalizer<TOps, TVec, T>(max, sum, compensation, out TVec high, out TVec low);
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

    /// <summary>
    /// Lane-wise <c>max + ln(sum + compensation)</c>, the sum started at 1 per lane (taken off here), split into a high and a low part: the vector forms of
    /// <see cref="SoftmaxMath"/> for float and double vectors (the same bits as the scalar form of each lane), the scalar form for a scalar lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogNormalizer<TOps, TVec, T>(TVec max, TVec sum, TVec compensation, out TVec high, out TVec low)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            SoftmaxMath.LogNormalizer(As<TVec, Vector512<float>>(max), As<TVec, Vector512<float>>(sum), As<TVec, Vector512<float>>(compensation), out Vector512<float> h, out Vector512<float> l);
            high = As<Vector512<float>, TVec>(h);
            low = As<Vector512<float>, TVec>(l);
        }
        else if (typeof(TVec) == typeof(Vector256<float>))
        {
            SoftmaxMath.LogNormalizer(As<TVec, Vector256<float>>(max), As<TVec, Vector256<float>>(sum), As<TVec, Vector256<float>>(compensation), out Vector256<float> h, out Vector256<float> l);
            high = As<Vector256<float>, TVec>(h);
            low = As<Vector256<float>, TVec>(l);
        }
        else if (typeof(TVec) == typeof(Vector128<float>))
        {
            SoftmaxMath.LogNormalizer(As<TVec, Vector128<float>>(max), As<TVec, Vector128<float>>(sum), As<TVec, Vector128<float>>(compensation), out Vector128<float> h, out Vector128<float> l);
            high = As<Vector128<float>, TVec>(h);
            low = As<Vector128<float>, TVec>(l);
        }
        else if (typeof(TVec) == typeof(Vector512<double>))
        {
            SoftmaxMath.LogNormalizerDouble<Simd512D, Vector512<double>>(As<TVec, Vector512<double>>(max), As<TVec, Vector512<double>>(sum), As<TVec, Vector512<double>>(compensation), out Vector512<double> h, out Vector512<double> l);
            high = As<Vector512<double>, TVec>(h);
            low = As<Vector512<double>, TVec>(l);
        }
        else if (typeof(TVec) == typeof(Vector256<double>))
        {
            SoftmaxMath.LogNormalizerDouble<Simd256D, Vector256<double>>(As<TVec, Vector256<double>>(max), As<TVec, Vector256<double>>(sum), As<TVec, Vector256<double>>(compensation), out Vector256<double> h, out Vector256<double> l);
            high = As<Vector256<double>, TVec>(h);
            low = As<Vector256<double>, TVec>(l);
        }
        else if (typeof(TVec) == typeof(Vector128<double>))
        {
            SoftmaxMath.LogNormalizerDouble<Simd128D, Vector128<double>>(As<TVec, Vector128<double>>(max), As<TVec, Vector128<double>>(sum), As<TVec, Vector128<double>>(compensation), out Vector128<double> h, out Vector128<double> l);
            high = As<Vector128<double>, TVec>(h);
            low = As<Vector128<double>, TVec>(l);
        }
        else
        {
            // The scalar lanes.
            Span<T> lanes = stackalloc T[4 * TOps.Count];
            ref T m = ref MemoryMarshal.GetReference(lanes);
            TOps.Store(max, ref m, 0);
            TOps.Store(sum, ref m, (nuint)TOps.Count);
            TOps.Store(compensation, ref m, 2 * (nuint)TOps.Count);
            for (int j = 0; j < TOps.Count; j++)
            {
                double total = (double.CreateTruncating(lanes[TOps.Count + j]) - 1) + double.CreateTruncating(lanes[(2 * TOps.Count) + j]);
                ScalarLogNormalizer(lanes[j], total, out lanes[j], out lanes[(3 * TOps.Count) + j]);
            }

            high = TOps.Load(ref m, 0);
            low = TOps.Load(ref m, 3 * (nuint)TOps.Count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScalarLogNormalizer<T>(T max, double total, out T high, out T low)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            SoftmaxMath.LogNormalizerCore(As<T, float>(max), total, out float h, out float l);
            high = As<float, T>(h);
            low = As<float, T>(l);
        }
        else
        {
            SoftmaxMath.LogNormalizerCore(As<T, double>(max), total, out double h, out double l);
            high = As<double, T>(h);
            low = As<double, T>(l);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTo As<TFrom, TTo>(TFrom value) => Unsafe.As<TFrom, TTo>(ref value);
}
