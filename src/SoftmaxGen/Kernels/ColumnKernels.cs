using System.ComponentModel;
using System.Runtime.Intrinsics.X86;
using static SoftmaxGen.Kernels.ColumnKernels; // the kernels call the width-independent helpers by their short names

namespace SoftmaxGen.Kernels;

/// <summary>
/// The column layout's helpers that do not depend on the lane: the scratch size, the block transposes, the lane-wise
/// logarithms and gradient factors in double, and the one-row exponential's dispatch. The kernels are
/// <see cref="ColumnKernels{TOps, TVec, T}"/>.
/// </summary>
[SkipLocalsInit] // as the kernels these helpers are inlined into: their locals are written before they are read
internal static class ColumnKernels
{
    /// <summary>One more than the largest class count of the layout (<see cref="LayoutTable.MaxSingleColumnClasses"/>, which says where it runs): the scratch buffer holds this many vectors.</summary>
    internal const int MaxClasses = LayoutTable.MaxSingleColumnClasses + 1;

    /// <summary>The smallest class count that the Vector256 tier transposes through 8 x 8 register tiles.</summary>
    internal const int MinTileClasses = 8;

    /// <summary>
    /// The last rows of a batch (fewer than W) copied into <paramref name="buffer"/> as one block, the rows after them
    /// zero (the cross-entropy with options, whose lane-wise code has no one-lane form, computes them so); a padding row
    /// of zeros is finite and computes harmlessly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref T LastRows<T>(ref T x, nuint rows, nuint classes, nuint width, Span<T> buffer)
        where T : unmanaged
    {
        int used = (int)(rows * classes), size = (int)(width * classes);
        MemoryMarshal.CreateReadOnlySpan(ref x, used).CopyTo(buffer);
        buffer.Slice(used, size - used).Clear();
        return ref MemoryMarshal.GetReference(buffer);
    }

    /// <summary>
    /// Each lane's total (sum - 1) + compensation in double into <paramref name="totals"/> and its logarithm
    /// (<see cref="SoftmaxMath.LogAtLeastOne{TOps, TVec}(TVec)"/>, the one <see cref="SoftmaxMath.RowLoss"/> takes of a
    /// row's total: the same bits) into <paramref name="logs"/>, straight from the sum vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogsOfTotals<TVec>(TVec sumMinusOne, TVec compensation, Span<double> totals, Span<double> logs)
        where TVec : struct
    {
        ref double t = ref MemoryMarshal.GetReference(totals), d = ref MemoryMarshal.GetReference(logs);
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<float> s = As<TVec, Vector512<float>>(sumMinusOne), c = As<TVec, Vector512<float>>(compensation);
            StoreTotalAndLog<Simd512D, Vector512<double>>(Vector512.WidenLower(s) + Vector512.WidenLower(c), ref t, ref d, 0);
            StoreTotalAndLog<Simd512D, Vector512<double>>(Vector512.WidenUpper(s) + Vector512.WidenUpper(c), ref t, ref d, 8);
        }
        else if (typeof(TVec) == typeof(Vector256<float>))
        {
            Vector256<float> s = As<TVec, Vector256<float>>(sumMinusOne), c = As<TVec, Vector256<float>>(compensation);
            StoreTotalAndLog<Simd256D, Vector256<double>>(Vector256.WidenLower(s) + Vector256.WidenLower(c), ref t, ref d, 0);
            StoreTotalAndLog<Simd256D, Vector256<double>>(Vector256.WidenUpper(s) + Vector256.WidenUpper(c), ref t, ref d, 4);
        }
        else if (typeof(TVec) == typeof(Vector512<double>))
        {
            StoreTotalAndLog<Simd512D, Vector512<double>>(As<TVec, Vector512<double>>(sumMinusOne) + As<TVec, Vector512<double>>(compensation), ref t, ref d, 0);
        }
        else if (typeof(TVec) == typeof(Vector256<double>))
        {
            StoreTotalAndLog<Simd256D, Vector256<double>>(As<TVec, Vector256<double>>(sumMinusOne) + As<TVec, Vector256<double>>(compensation), ref t, ref d, 0);
        }
        else if (typeof(TVec) == typeof(float))
        {
            // One lane (a row computed alone): the same sum in double and the same logarithm as a lane of a vector.
            t = (double)As<TVec, float>(sumMinusOne) + As<TVec, float>(compensation);
            d = SoftmaxMath.LogAtLeastOne(t);
        }
        else if (typeof(TVec) == typeof(double))
        {
            t = As<TVec, double>(sumMinusOne) + As<TVec, double>(compensation);
            d = SoftmaxMath.LogAtLeastOne(t);
        }
        else
        {
            throw new System.Diagnostics.UnreachableException();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTotalAndLog<TD, TVD>(TVD total, ref double totals, ref double logs, nuint offset)
        where TD : ISimd<TVD, double>, IDoubleBits<TVD>
        where TVD : struct
    {
        TD.Store(total, ref totals, offset);
        TD.Store(SoftmaxMath.LogAtLeastOne<TD, TVD>(total), ref logs, offset);
    }

    /// <summary>Lane-wise <c>(scale[r] + bw) / total[r]</c> in double, rounded to the element type once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec GradientFactors<TVec>(Span<double> scale, double bw, Span<double> total)
        where TVec : struct
    {
        ref double s = ref MemoryMarshal.GetReference(scale), t = ref MemoryMarshal.GetReference(total);
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<double> add = Vector512.Create(bw);
            return As<Vector512<float>, TVec>(Vector512.Narrow(
                (Vector512.LoadUnsafe(ref s) + add) / Vector512.LoadUnsafe(ref t),
                (Vector512.LoadUnsafe(ref s, 8) + add) / Vector512.LoadUnsafe(ref t, 8)));
        }

        if (typeof(TVec) == typeof(Vector256<float>))
        {
            Vector256<double> add = Vector256.Create(bw);
            return As<Vector256<float>, TVec>(Vector256.Narrow(
                (Vector256.LoadUnsafe(ref s) + add) / Vector256.LoadUnsafe(ref t),
                (Vector256.LoadUnsafe(ref s, 4) + add) / Vector256.LoadUnsafe(ref t, 4)));
        }

        if (typeof(TVec) == typeof(Vector512<double>))
            return As<Vector512<double>, TVec>((Vector512.LoadUnsafe(ref s) + Vector512.Create(bw)) / Vector512.LoadUnsafe(ref t));
        if (typeof(TVec) == typeof(Vector256<double>))
            return As<Vector256<double>, TVec>((Vector256.LoadUnsafe(ref s) + Vector256.Create(bw)) / Vector256.LoadUnsafe(ref t));
        throw new System.Diagnostics.UnreachableException();
    }

    /// <summary>
    /// e^(x[j] + negatedMax) for the <paramref name="count"/> values of one row into <paramref name="destination"/> (which
    /// may be <paramref name="source"/>), with the widest accelerated vector no longer than the row and the last vector
    /// overlapping the one before: the exponential gives the same bits at every width, so this is the scalar lane's result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ExpRow<T>(ref T source, ref T destination, nuint count, T negatedMax, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector128.IsHardwareAccelerated && count < (nuint)Vector128<float>.Count)
        {
            // 1 to 3 values: one Vector128, the lanes past the row zero (their results are not stored).
            ref float x = ref AsFloat(ref source), y = ref AsFloat(ref destination);
            float m = As<T, float>(negatedMax);
            Vector128<float> v = Vector128.Create(x, count > 1 ? Unsafe.Add(ref x, 1) : 0, count > 2 ? Unsafe.Add(ref x, 2) : 0, 0);
            Vector128<float> e = precision == SoftmaxPrecision.Fast ? SoftmaxMath.ExpShiftedFast(v, Vector128.Create(m)) : SoftmaxMath.ExpShifted(v, Vector128.Create(m));
            for (nuint j = 0; j < count; j++)
            {
                Unsafe.Add(ref y, j) = e.GetElement((int)j);
            }

            return;
        }

        // Otherwise the widest vector no longer than the row (LayoutRule.Rows), else the scalar lane.
        var operation = new ExpRowOperation<T>(ref source, ref destination, count, negatedMax);
        VectorDispatch.ByLayout<ExpRowOperation<T>, T, bool>(ref operation, (int)count, precision, LayoutRule.Rows);
    }

    private readonly ref struct ExpRowOperation<TElement> : ILayoutOperation<bool>
    {
        private readonly ref TElement source;
        private readonly ref TElement destination;
        private readonly nuint count;
        private readonly TElement negatedMax;

        public ExpRowOperation(ref TElement source, ref TElement destination, nuint count, TElement negatedMax)
        {
            this.source = ref source;
            this.destination = ref destination;
            this.count = count;
            this.negatedMax = negatedMax;
        }

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout) =>
            ColumnKernels<TOps, TVec, T>.ExpRow(
                ref VectorDispatch.As<TElement, T>(ref source), ref VectorDispatch.As<TElement, T>(ref destination), count,
                Unsafe.As<TElement, T>(ref Unsafe.AsRef(in negatedMax)), true);
    }

    /// <summary>Copies the columns back to W row-major rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Scatter<TVec, T>(ref T cols, ref T yb, nuint width, nuint classes)
        where TVec : struct
        where T : unmanaged
    {
        if (typeof(TVec) == typeof(Vector256<float>) && Avx.IsSupported && classes >= 8)
        {
            ref float y = ref AsFloat(ref yb);
            for (nuint o = 0; ; o += 8)
            {
                o = Math.Min(o, classes - 8);
                ref float c = ref Unsafe.Add(ref AsFloat(ref cols), o * 8);
                Transpose(
                    Vector256.LoadUnsafe(ref c, 0), Vector256.LoadUnsafe(ref c, 8), Vector256.LoadUnsafe(ref c, 16), Vector256.LoadUnsafe(ref c, 24),
                    Vector256.LoadUnsafe(ref c, 32), Vector256.LoadUnsafe(ref c, 40), Vector256.LoadUnsafe(ref c, 48), Vector256.LoadUnsafe(ref c, 56),
                    ref Unsafe.Add(ref y, o), classes);
                if (o + 8 == classes)
                {
                    return;
                }
            }
        }

        if (TransposeBlock<TVec, T>(ref yb, classes, ref cols, width, toColumns: false))
        {
            return;
        }

        if (typeof(TVec) == typeof(Vector512<float>) && Avx512F.IsSupported)
        {
            SoftmaxMath.StoreShortRows512(ref AsFloat(ref cols), classes, ref AsFloat(ref yb));
            return;
        }

        for (nuint r = 0; r < width; r++)
        {
            ref T yr = ref Unsafe.Add(ref yb, r * classes);
            for (nuint j = 0; j < classes; j++)
            {
                Unsafe.Add(ref yr, j) = Unsafe.Add(ref cols, j * width + r);
            }
        }
    }

    /// <summary>
    /// Moves one vector's width of rows of <paramref name="classes"/> values, <paramref name="rows"/> on, to one vector
    /// per class, <paramref name="stride"/> values apart from <paramref name="columns"/> on (<paramref name="toColumns"/>),
    /// or back, by the in-register transposes of <typeparamref name="TVec"/> (<see cref="SoftmaxMath.TransposeRows{TLanes, TVec, T}"/>):
    /// float four classes at a time (at least 4 classes), double two (at least 2), with Vector512 or Vector256. Returns
    /// false, having moved nothing, for any other vector or class count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TransposeBlock<TVec, T>(ref T rows, nuint classes, ref T columns, nuint stride, bool toColumns)
        where TVec : struct
    {
        if (classes < (nuint)(16 / Unsafe.SizeOf<T>()))
            return false;

        if (typeof(TVec) == typeof(Vector512<T>))
            SoftmaxMath.TransposeRows<ClassLanes512<T>, Vector512<T>, T>(ref rows, classes, ref columns, stride, toColumns);
        else if (typeof(TVec) == typeof(Vector256<T>))
            SoftmaxMath.TransposeRows<ClassLanes256<T>, Vector256<T>, T>(ref rows, classes, ref columns, stride, toColumns);
        else
            return false;

        return true;
    }

    /// <summary>
    /// Transposes the 8 x 8 tile held by 8 vectors and stores its rows <paramref name="stride"/> values apart:
    /// unpack pairs, shuffle quads, swap 128-bit halves (24 shuffles for 64 values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        ref float destination, nuint stride)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref destination, 0);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref destination, stride);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref destination, 2 * stride);
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref destination, 3 * stride);
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref destination, 4 * stride);
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref destination, 5 * stride);
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref destination, 6 * stride);
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref destination, 7 * stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TTo As<TFrom, TTo>(TFrom value) => Unsafe.As<TFrom, TTo>(ref value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float AsFloat<T>(ref T value) => ref Unsafe.As<T, float>(ref value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref double AsDouble<T>(ref T value) => ref Unsafe.As<T, double>(ref value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Span<float> AsFloats<T>(Span<T> values) where T : unmanaged => MemoryMarshal.Cast<T, float>(values);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Span<double> AsDoubles<T>(Span<T> values) where T : unmanaged => MemoryMarshal.Cast<T, double>(values);
}

/// <summary>
/// The layout for short rows (up to 63 classes with Vector512 or Vector256, or shorter than a vector): SIMD across rows
/// instead of across classes. A block of W rows (W = the vector's lane count) is copied column by column into a small
/// buffer on the stack, so that vector j holds class j of the W rows; max, exponential, sum and normalisation are then
/// lane-wise, with no horizontal reductions and no masks, and the results are copied back row by row. This is what the
/// generated block layout does in registers; here the class count is only known at run time, so the transpose goes
/// through the buffer: float four classes at a time
/// (<see cref="SoftmaxMath.LoadClassQuad{TLanes, TVec, T}"/>,
/// rows of at least 4 classes) or in 8 x 8 register tiles (Vector256, rows of at least 8), double two classes at a time
/// (<see cref="SoftmaxMath.LoadClassPair{TLanes, TVec, T}"/>), the
/// last group overlapping the one before; anything else by scalar copies. Each lane is computed as the row layout
/// computes a row from its total (float softmax scales by a float reciprocal, as the generated block layout does; double
/// divides, rounding once). The last rows (fewer than W) are computed one at a time as one-lane blocks (the scalar
/// lane of the same generic code), so every row of a batch gets a lane's arithmetic wherever it sits. All of a block is read before any of it is written,
/// so in-place calls are safe.
/// </summary>
[SkipLocalsInit] // the scratch buffer is written before it is read: no need to clear 4 KB of stack per call
internal static class ColumnKernels<TOps, TVec, T>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal static void Softmax(ref T x, ref T y, nuint rows, nuint classes)
        => Normalize(ref x, ref y, rows, classes, log: false);

    internal static void LogSoftmax(ref T x, ref T y, nuint rows, nuint classes)
        => Normalize(ref x, ref y, rows, classes, log: true);

    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void Normalize(ref T x, ref T y, nuint rows, nuint classes, bool log)
    {
        nuint width = (nuint)TOps.Count;
        Span<T> scratch = stackalloc T[MaxClasses * Vector512<T>.Count];
        ref T cols = ref MemoryMarshal.GetReference(scratch);
        nuint full = rows - rows % width;
        for (nuint row = 0; row < full; row += width)
        {
            NormalizeBlock(ref Unsafe.Add(ref x, row * classes), ref Unsafe.Add(ref y, row * classes), ref cols, classes, log);
        }

        if (full < rows)
        {
            // The last rows one at a time as one-lane blocks of the same precision: a lane's arithmetic, so a row's bits do not depend on its place.
            ref T xt = ref Unsafe.Add(ref x, full * classes);
            ref T yt = ref Unsafe.Add(ref y, full * classes);
            if (typeof(T) == typeof(float) && TOps.Precision == SoftmaxPrecision.Fast)
                ColumnKernels<FastScalarF, float, float>.Normalize(ref AsFloat(ref xt), ref AsFloat(ref yt), rows - full, classes, log);
            else if (typeof(T) == typeof(float))
                ColumnKernels<ScalarF, float, float>.Normalize(ref AsFloat(ref xt), ref AsFloat(ref yt), rows - full, classes, log);
            else if (TOps.Precision == SoftmaxPrecision.Fast)
                ColumnKernels<FastScalarD, double, double>.Normalize(ref AsDouble(ref xt), ref AsDouble(ref yt), rows - full, classes, log);
            else
                ColumnKernels<ScalarD, double, double>.Normalize(ref AsDouble(ref xt), ref AsDouble(ref yt), rows - full, classes, log);
        }
    }

    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static double CrossEntropy(ref T x, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
    {
        nuint width = (nuint)TOps.Count;
        Span<T> scratch = stackalloc T[MaxClasses * Vector512<T>.Count];
        ref T cols = ref MemoryMarshal.GetReference(scratch);
        nuint full = rows - rows % width;
        double lossSum = 0;
        for (nuint row = 0; row < full; row += width)
        {
            ref T xb = ref Unsafe.Add(ref x, row * classes);
            TVec max = Gather(ref xb, ref cols, width, classes);
            (TVec sum, TVec compensation) = SumExp(ref cols, width, classes, max);
            lossSum += BlockLosses(
                ref xb, (int)classes, targets.Slice((int)row, (int)width), losses.IsEmpty ? default : losses.Slice((int)row, (int)width), max, sum, compensation);
        }

        if (full < rows)
        {
            // The last rows one at a time as one-lane blocks (see Normalize).
            ref T xt = ref Unsafe.Add(ref x, full * classes);
            ReadOnlySpan<int> lastTargets = targets.Slice((int)full);
            Span<T> lastLosses = losses.IsEmpty ? default : losses.Slice((int)full);
            bool fast = TOps.Precision == SoftmaxPrecision.Fast;
            lossSum += typeof(T) == typeof(float)
                ? (fast
                    ? ColumnKernels<FastScalarF, float, float>.CrossEntropy(ref AsFloat(ref xt), lastTargets, AsFloats(lastLosses), rows - full, classes)
                    : ColumnKernels<ScalarF, float, float>.CrossEntropy(ref AsFloat(ref xt), lastTargets, AsFloats(lastLosses), rows - full, classes))
                : (fast
                    ? ColumnKernels<FastScalarD, double, double>.CrossEntropy(ref AsDouble(ref xt), lastTargets, AsDoubles(lastLosses), rows - full, classes)
                    : ColumnKernels<ScalarD, double, double>.CrossEntropy(ref AsDouble(ref xt), lastTargets, AsDoubles(lastLosses), rows - full, classes));
        }

        return lossSum;
    }

    /// <summary>
    /// Softmax or log-softmax of one block of W rows (<paramref name="yb"/> may be <paramref name="xb"/>: the block is
    /// read before it is written). One gather and one scatter for both, so that the transposes are inlined once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NormalizeBlock(ref T xb, ref T yb, ref T cols, nuint classes, bool log)
    {
        nuint width = (nuint)TOps.Count;
        TVec max = Gather(ref xb, ref cols, width, classes);
        if (log)
        {
            (TVec sum, TVec compensation) = SumExp(ref cols, width, classes, max);

            // log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly (computed in double).
            TOps.LogNormalizer(max, sum, compensation, out TVec high, out TVec low);
            for (nuint j = 0; j < classes; j++)
            {
                TOps.Store(TOps.Subtract(TOps.Subtract(TOps.Load(ref cols, j * width), high), low), ref cols, j * width);
            }
        }
        else
        {
            ExpAndScale(ref cols, width, classes, max);
        }

        Scatter<TVec, T>(ref cols, ref yb, width, classes);
    }

    /// <summary>Replaces the block's columns by their softmax, given the lane-wise row maxima.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpAndScale(ref T cols, nuint width, nuint classes, TVec max)
    {
        TVec negatedMax = TOps.Subtract(default, max);
        TVec sum = TOps.Splat(T.One), compensation = default;
        if (TOps.Count == 1)
        {
            // One lane: the row's exponentials a vector at a time (the same bits), then the lane's sequential sum.
            ColumnKernels.ExpRow(ref cols, ref cols, classes, As<TVec, T>(negatedMax), TOps.Precision);
            for (nuint j = 0; j < classes; j++)
            {
                SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.Load(ref cols, j), ref sum, ref compensation);
            }
        }
        else
        {
            for (nuint j = 0; j < classes; j++)
            {
                TVec e = TOps.ExpShifted(TOps.Load(ref cols, j * width), negatedMax);
                TOps.Store(e, ref cols, j * width);
                SoftmaxMath.AccumulateExp<TOps, TVec, T>(e, ref sum, ref compensation);
            }
        }

        TVec total = TOps.Add(TOps.Subtract(sum, TOps.Splat(T.One)), compensation);
        if (typeof(T) == typeof(float))
        {
            // One multiplication by 1 / sum per value, as the generated block kernels do.
            TVec scale = TOps.Divide(TOps.Splat(T.One), total);
            for (nuint j = 0; j < classes; j++)
            {
                TOps.Store(TOps.Multiply(TOps.Load(ref cols, j * width), scale), ref cols, j * width);
            }
        }
        else
        {
            // double: a division, which rounds once, as the row layout does.
            for (nuint j = 0; j < classes; j++)
            {
                TOps.Store(TOps.Divide(TOps.Load(ref cols, j * width), total), ref cols, j * width);
            }
        }
    }

    /// <summary>
    /// <see cref="LossKernels{TOps, TVec, T}.CrossEntropy"/> (class targets with PyTorch's options, fused with the
    /// gradient) for the whole blocks of W rows, lane-wise: the same per-row quantities (the maximum, the compensated sum
    /// of e^(x - max) and, when smoothing, of w[j] (x[j] - max); <c>nll = w[t] (max + ln S - x[t])</c>; the gradient
    /// <c>e[j] a - b w[j]</c> with <c>g[t] -= c</c>), with a row's scalars formed per lane. Ignored rows get loss 0 and
    /// gradient 0. The last <c>rows % W</c> rows are left to the caller, and so are all rows when the terms are formed one
    /// by one (<see cref="LossKernels.TermWise{T}"/>). Without smoothing, W and the terms in b are not formed.
    /// </summary>
    /// <returns>The sums of nll and smooth over the counted rows of the blocks, and how many rows the blocks held.</returns>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static (double Nll, double Smooth, nuint Rows) CrossEntropyWithOptions(
        ref T x, ReadOnlySpan<int> targets, ReadOnlySpan<T> weights, int ignoreIndex, double smoothing,
        Span<T> losses, Span<T> gradient, double gradientScale, nuint rows, nuint classes)
    {
        bool withGradient = !gradient.IsEmpty;
        if (LossKernels.TermWise(weights, smoothing, gradientScale, withGradient))
        {
            return (0, 0, 0);
        }

        int width = TOps.Count;
        Span<T> scratch = stackalloc T[MaxClasses * Vector512<T>.Count];
        ref T cols = ref MemoryMarshal.GetReference(scratch);
        Span<T> laneScalars = stackalloc T[5 * Vector512<T>.Count];
        ref T lanes = ref MemoryMarshal.GetReference(laneScalars);
        Span<double> rowShift = stackalloc double[Vector512<T>.Count];
        Span<double> rowLog = stackalloc double[Vector512<T>.Count];
        Span<double> rowTotal = stackalloc double[Vector512<T>.Count], rowScale = stackalloc double[Vector512<T>.Count];
        bool weighted = !weights.IsEmpty;
        bool smooth = smoothing > 0;
        double weightSum = !smooth ? 0 : weighted ? LossKernels.SumOf(weights) : classes;
        double smoothPerClass = smoothing / classes;
        double b = gradientScale * smoothPerClass;
        nuint full = rows - rows % (nuint)width;
        double nllSum = 0, smoothSum = 0;
        for (nuint row = 0; row < full; row += (nuint)width)
        {
            ref T xb = ref Unsafe.Add(ref x, row * classes);
            TVec max = Gather(ref xb, ref cols, (nuint)width, classes);
            TVec negatedMax = TOps.Subtract(default, max);
            TVec sum = TOps.Splat(T.One), compensation = default, shifted = default, shiftedCompensation = default;
            for (nuint j = 0; j < classes; j++)
            {
                TVec v = TOps.Load(ref cols, j * (nuint)width);
                TVec e = TOps.ExpShifted(v, negatedMax);
                SoftmaxMath.AccumulateExp<TOps, TVec, T>(e, ref sum, ref compensation);
                if (smooth)
                {
                    TVec d = TOps.Add(v, negatedMax);
                    SoftmaxMath.Accumulate<TOps, TVec, T>(weighted ? TOps.Multiply(TOps.Splat(weights[(int)j]), d) : d, ref shifted, ref shiftedCompensation);
                }

                TOps.Store(e, ref cols, j * (nuint)width);
            }

            TOps.Store(max, ref lanes, 0);
            TOps.Store(TOps.Subtract(sum, TOps.Splat(T.One)), ref lanes, (nuint)width);
            TOps.Store(compensation, ref lanes, 2 * (nuint)width);
            if (smooth)
            {
                TOps.Store(shifted, ref lanes, 3 * (nuint)width);
                TOps.Store(shiftedCompensation, ref lanes, 4 * (nuint)width);
            }

            // Per row: the loss, and the gradient's factors a and b (lane r of aV and bV) and the target's shift. The
            // logarithms of the rows' totals are taken lane-wise in double vectors straight from the sums (read back
            // through memory after scalar stores, the wide loads stalled on store forwarding).
            LogsOfTotals(TOps.Subtract(sum, TOps.Splat(T.One)), compensation, rowTotal, rowLog);
            for (int r = 0; r < width; r++)
            {
                int target = targets[(int)row + r];
                if (target == ignoreIndex)
                {
                    // The gradient of an ignored row is cleared below, whatever its factors.
                    rowScale[r] = 0;
                    rowShift[r] = double.NaN;
                    if (!losses.IsEmpty)
                    {
                        losses[(int)row + r] = T.Zero;
                    }

                    continue;
                }

                // As SoftmaxMath.RowLoss forms it: (max - x[t]) + ln(total), total = (sum - 1) + compensation.
                double maxD = double.CreateTruncating(Unsafe.Add(ref lanes, r));
                double targetWeight = weighted ? double.CreateTruncating(weights[target]) : 1.0;
                double nll = targetWeight * ((maxD - double.CreateTruncating(Unsafe.Add(ref xb, (nuint)r * classes + (nuint)target))) + rowLog[r]);
                double loss = nll;
                if (smooth)
                {
                    double shiftedTotal = double.CreateTruncating(Unsafe.Add(ref lanes, 3 * width + r));
                    shiftedTotal = double.IsFinite(shiftedTotal) ? shiftedTotal + double.CreateTruncating(Unsafe.Add(ref lanes, 4 * width + r)) : shiftedTotal;
                    double smoothLoss = weightSum * rowLog[r] - shiftedTotal;
                    smoothSum += smoothLoss;
                    loss = (1 - smoothing) * nll + smoothPerClass * smoothLoss;
                }

                nllSum += nll;
                if (!losses.IsEmpty)
                {
                    losses[(int)row + r] = T.CreateTruncating(loss);
                }

                double nllScale = gradientScale * (1 - smoothing) * targetWeight;
                rowScale[r] = nllScale;
                rowShift[r] = nllScale;
            }

            if (!withGradient)
            {
                continue;
            }

            // a = (s (1 - eps) w[t] + b W) / total lane-wise in double, rounded to T once (as LossKernels forms it);
            // without smoothing a = s w[t] / total (-0 adds nothing, not even to a -0) and g[j] = e[j] a.
            TVec aV = GradientFactors<TVec>(rowScale, smooth ? b * weightSum : -0.0, rowTotal);
            if (smooth)
            {
                TVec bV = TOps.Splat(T.CreateTruncating(b));
                for (nuint j = 0; j < classes; j++)
                {
                    TVec e = TOps.Load(ref cols, j * (nuint)width);
                    TOps.Store(TOps.Subtract(TOps.Multiply(e, aV), weighted ? TOps.Multiply(bV, TOps.Splat(weights[(int)j])) : bV), ref cols, j * (nuint)width);
                }
            }
            else
            {
                for (nuint j = 0; j < classes; j++)
                {
                    TOps.Store(TOps.Multiply(TOps.Load(ref cols, j * (nuint)width), aV), ref cols, j * (nuint)width);
                }
            }

            ref T gb = ref Unsafe.Add(ref MemoryMarshal.GetReference(gradient), row * classes);
            Scatter<TVec, T>(ref cols, ref gb, (nuint)width, classes);
            for (int r = 0; r < width; r++)
            {
                int target = targets[(int)row + r];
                if (target == ignoreIndex)
                {
                    gradient.Slice((int)(row * classes) + (r * (int)classes), (int)classes).Clear();
                }
                else
                {
                    ref T gt = ref Unsafe.Add(ref gb, (nuint)r * classes + (nuint)target);
                    gt = T.CreateTruncating(double.CreateTruncating(gt) - rowShift[r]);
                }
            }
        }

        return (nllSum, smoothSum, full);
    }

    /// <summary>
    /// <see cref="CrossEntropyWithOptions"/> for every row: the whole blocks in place, then the last rows
    /// (fewer than W) as one block copied into buffers and padded with ignored rows (loss 0, gradient 0, not counted), so
    /// that each row's loss and gradient do not depend on where it sits in the batch. Returns how many rows it did: all,
    /// or none when the terms must be formed one by one (the caller's row path then takes every row).
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static (double Nll, double Smooth, nuint Rows) CrossEntropyWithOptionsAllRows(
        ref T x, ReadOnlySpan<int> targets, ReadOnlySpan<T> weights, int ignoreIndex, double smoothing,
        Span<T> losses, Span<T> gradient, double gradientScale, nuint rows, nuint classes)
    {
        if (LossKernels.TermWise(weights, smoothing, gradientScale, !gradient.IsEmpty))
        {
            // The terms are formed one by one: the caller's row path takes every row.
            return (0, 0, 0);
        }

        (double nll, double smooth, nuint done) = CrossEntropyWithOptions(
            ref x, targets, weights, ignoreIndex, smoothing, losses, gradient, gradientScale, rows, classes);
        if (done == rows)
        {
            return (nll, smooth, done);
        }

        int width = TOps.Count, tail = (int)(rows - done), used = tail * (int)classes;
        Span<T> block = stackalloc T[MaxClasses * Vector512<T>.Count];
        block = block.Slice(0, width * (int)classes);
        ref T lastRows = ref LastRows(ref Unsafe.Add(ref x, done * classes), rows - done, classes, (nuint)width, block);
        Span<int> lastTargets = stackalloc int[Vector512<T>.Count];
        lastTargets = lastTargets.Slice(0, width);
        lastTargets.Fill(ignoreIndex);
        targets.Slice((int)done, tail).CopyTo(lastTargets);
        Span<T> lastLosses = stackalloc T[Vector512<T>.Count];
        Span<T> lastGradient = gradient.IsEmpty ? default : block; // in place over the copy, which is read first
        (double nllLast, double smoothLast, _) = CrossEntropyWithOptions(
            ref lastRows, lastTargets, weights, ignoreIndex, smoothing, losses.IsEmpty ? default : lastLosses.Slice(0, width), lastGradient, gradientScale, (nuint)width, classes);
        if (!losses.IsEmpty)
        {
            lastLosses.Slice(0, tail).CopyTo(losses.Slice((int)done));
        }

        if (!gradient.IsEmpty)
        {
            lastGradient.Slice(0, used).CopyTo(gradient.Slice((int)done * (int)classes));
        }

        return (nll + nllLast, smooth + smoothLast, rows);
    }

    // A kernel entry of its own: reached through the dispatch's interface call, it would otherwise run as tier-0 code,
    // each exponential step a call, for the first calls of a process.
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static bool ExpRow(ref T source, ref T destination, nuint count, T negatedMax, bool accelerated)
    {
        nuint lanes = (nuint)TOps.Count;
        if (!accelerated || count < lanes)
        {
            return false;
        }

        // The last vector is read before anything is written, so that in place is safe where it overlaps.
        TVec m = TOps.Splat(negatedMax);
        TVec last = TOps.ExpShifted(TOps.Load(ref source, count - lanes), m);
        for (nuint j = 0; j + lanes < count; j += lanes)
        {
            TOps.Store(TOps.ExpShifted(TOps.Load(ref source, j), m), ref destination, j);
        }

        TOps.Store(last, ref destination, count - lanes);
        return true;
    }

    /// <summary>Copies W rows into <paramref name="cols"/> so that vector j holds class j of every row; returns the lane-wise row maxima.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Gather(ref T xb, ref T cols, nuint width, nuint classes)
    {
        if (typeof(TVec) == typeof(Vector256<float>) && Avx.IsSupported && classes >= 8)
        {
            // Rows of at least 8: 8 x 8 tiles transposed in registers, the last tile ending at the row's end
            // (it may overlap the one before; the repeated columns are written twice with the same values).
            ref float x = ref AsFloat(ref xb);
            for (nuint o = 0; ; o += 8)
            {
                o = Math.Min(o, classes - 8);
                Transpose(
                    Vector256.LoadUnsafe(ref x, o), Vector256.LoadUnsafe(ref x, classes + o),
                    Vector256.LoadUnsafe(ref x, 2 * classes + o), Vector256.LoadUnsafe(ref x, 3 * classes + o),
                    Vector256.LoadUnsafe(ref x, 4 * classes + o), Vector256.LoadUnsafe(ref x, 5 * classes + o),
                    Vector256.LoadUnsafe(ref x, 6 * classes + o), Vector256.LoadUnsafe(ref x, 7 * classes + o),
                    ref Unsafe.Add(ref AsFloat(ref cols), o * 8), 8);
                if (o + 8 == classes)
                {
                    break;
                }
            }
        }
        else if (TransposeBlock<TVec, T>(ref xb, classes, ref cols, width, toColumns: true))
        {
            // Float four classes at a time, double two, the last group ending at the row's end.
        }
        else if (typeof(TVec) == typeof(Vector512<float>) && Avx512F.IsSupported)
        {
            // 1 to 3 classes: the block's one to three vectors permuted into the class vectors.
            SoftmaxMath.LoadShortRows512(ref AsFloat(ref xb), classes, ref AsFloat(ref cols));
        }
        else
        {
            for (nuint r = 0; r < width; r++)
            {
                ref T xr = ref Unsafe.Add(ref xb, r * classes);
                for (nuint j = 0; j < classes; j++)
                {
                    Unsafe.Add(ref cols, j * width + r) = Unsafe.Add(ref xr, j);
                }
            }
        }

        TVec max = TOps.Load(ref cols, 0);
        for (nuint j = 1; j < classes; j++)
        {
            max = TOps.MaxNative(max, TOps.Load(ref cols, j * width));
        }

        return max;
    }

    /// <summary>The lane-wise compensated sum of e^(x - max), started at 1 per lane (see <see cref="SoftmaxMath.AccumulateExp{TOps, TVec, T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TVec Sum, TVec Compensation) SumExp(ref T cols, nuint width, nuint classes, TVec max)
    {
        TVec negatedMax = TOps.Subtract(default, max);
        TVec sum = TOps.Splat(T.One), compensation = default;
        if (TOps.Count == 1)
        {
            // One lane: the row's exponentials a vector at a time (the same bits), then the lane's sequential sum.
            Span<T> exponentials = stackalloc T[MaxClasses];
            ref T e = ref MemoryMarshal.GetReference(exponentials);
            ColumnKernels.ExpRow(ref cols, ref e, classes, As<TVec, T>(negatedMax), TOps.Precision);
            for (nuint j = 0; j < classes; j++)
            {
                SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.Load(ref e, j), ref sum, ref compensation);
            }

            return (sum, compensation);
        }

        for (nuint j = 0; j < classes; j++)
        {
            SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.ExpShifted(TOps.Load(ref cols, j * width), negatedMax), ref sum, ref compensation);
        }

        return (sum, compensation);
    }

    /// <summary>
    /// The losses of one block: float by the block normalisers of the generated kernels (BlockMath.cs), picked by vector
    /// type (the JIT folds the tests); double lane by lane from each row's total, as the row layout computes a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double BlockLosses(ref T x, int classes, ReadOnlySpan<int> targets, Span<T> losses, TVec max, TVec sum, TVec compensation)
    {
        if (typeof(TVec) == typeof(Vector512<float>))
            return SoftmaxMath.BlockLosses(ref AsFloat(ref x), classes, targets, AsFloats(losses), As<TVec, Vector512<float>>(max), As<TVec, Vector512<float>>(sum), As<TVec, Vector512<float>>(compensation));
        if (typeof(TVec) == typeof(Vector256<float>))
            return SoftmaxMath.BlockLosses(ref AsFloat(ref x), classes, targets, AsFloats(losses), As<TVec, Vector256<float>>(max), As<TVec, Vector256<float>>(sum), As<TVec, Vector256<float>>(compensation));
        if (typeof(TVec) == typeof(Vector128<float>))
            return SoftmaxMath.BlockLosses(ref AsFloat(ref x), classes, targets, AsFloats(losses), As<TVec, Vector128<float>>(max), As<TVec, Vector128<float>>(sum), As<TVec, Vector128<float>>(compensation));

        // Double: the logarithms of the rows' totals, (sum - 1) + compensation as the row layout forms them, lane-wise,
        // then each row's loss from its lane, as SoftmaxMath.RowLoss computes it (the same bits).
        int width = TOps.Count;
        Span<T> maxima = stackalloc T[TOps.Count];
        Span<double> totals = stackalloc double[TOps.Count], logs = stackalloc double[TOps.Count];
        TOps.Store(max, ref MemoryMarshal.GetReference(maxima), 0);
        LogsOfTotals(TOps.Subtract(sum, TOps.Splat(T.One)), compensation, totals, logs);
        double lossSum = 0;
        for (int r = 0; r < width; r++)
        {
            T loss = T.CreateTruncating((double.CreateTruncating(maxima[r]) - double.CreateTruncating(Unsafe.Add(ref x, r * classes + targets[r]))) + logs[r]);
            if (!losses.IsEmpty)
            {
                losses[r] = loss;
            }

            lossSum += double.CreateTruncating(loss);
        }

        return lossSum;
    }
}
