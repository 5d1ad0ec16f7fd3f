using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

// The finishing steps of the generated kernels that process small rows a block at a time: every lane of a vector
// is one row, so the normaliser of each row is a lane of a vector. Computed in double so that they add no error
// of their own to the float results where it matters (the logarithm).
public static partial class SoftmaxMath
{
    /// <summary>The total of a lane-wise sum (single lanes), in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector512<float> sum) => SumAcross(sum);

    /// <inheritdoc cref="Total(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector256<float> sum) => SumAcross(sum);

    /// <inheritdoc cref="Total(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector128<float> sum) => SumAcross(sum);

    /// <inheritdoc cref="Total(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector512<double> sum) => SumAcross(sum);

    /// <inheritdoc cref="Total(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector256<double> sum) => SumAcross(sum);

    /// <inheritdoc cref="Total(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector128<double> sum) => SumAcross(sum);

    /// <summary>Lane-wise 1 / (sum + compensation) for a sum built by <c>AccumulateExp</c> from its start of 1 (taken off exactly): the sum rounded to float once, then one division (a double division costs twice as much).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Reciprocal(Vector512<float> sum, Vector512<float> compensation) =>
        Vector512<float>.One / ((sum - Vector512<float>.One) + compensation);

    /// <inheritdoc cref="Reciprocal(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Reciprocal(Vector256<float> sum, Vector256<float> compensation) =>
        Vector256<float>.One / ((sum - Vector256<float>.One) + compensation);

    /// <inheritdoc cref="Reciprocal(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Reciprocal(Vector128<float> sum, Vector128<float> compensation) =>
        Vector128<float>.One / ((sum - Vector128<float>.One) + compensation);

    /// <summary>
    /// Lane-wise <c>max + ln(sum + compensation)</c>, for a sum built by <c>AccumulateExp</c> from its start of 1
    /// (taken off exactly), as a high and a low part whose sum is exact, so that
    /// <c>(x - high) - low</c> is log-softmax to within one rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogNormalizer(Vector512<float> max, Vector512<float> sum, Vector512<float> compensation, out Vector512<float> high, out Vector512<float> low)
    {
        Vector512<double> maxLower = Vector512.WidenLower(max), maxUpper = Vector512.WidenUpper(max);
        Vector512<double> logLower = LogAtLeastOne(Vector512.WidenLower(sum - Vector512<float>.One) + Vector512.WidenLower(compensation));
        Vector512<double> logUpper = LogAtLeastOne(Vector512.WidenUpper(sum - Vector512<float>.One) + Vector512.WidenUpper(compensation));
        Vector512<double> lower = maxLower + logLower, upper = maxUpper + logUpper;
        high = Vector512.Narrow(lower, upper);
        low = Vector512.Narrow(
            (lower - Vector512.WidenLower(high)) + TwoSumError<Simd512D, Vector512<double>, double>(maxLower, logLower, lower),
            (upper - Vector512.WidenUpper(high)) + TwoSumError<Simd512D, Vector512<double>, double>(maxUpper, logUpper, upper));
    }

    /// <inheritdoc cref="LogNormalizer(Vector512{float}, Vector512{float}, Vector512{float}, out Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogNormalizer(Vector256<float> max, Vector256<float> sum, Vector256<float> compensation, out Vector256<float> high, out Vector256<float> low)
    {
        Vector256<double> maxLower = Vector256.WidenLower(max), maxUpper = Vector256.WidenUpper(max);
        Vector256<double> logLower = LogAtLeastOne(Vector256.WidenLower(sum - Vector256<float>.One) + Vector256.WidenLower(compensation));
        Vector256<double> logUpper = LogAtLeastOne(Vector256.WidenUpper(sum - Vector256<float>.One) + Vector256.WidenUpper(compensation));
        Vector256<double> lower = maxLower + logLower, upper = maxUpper + logUpper;
        high = Vector256.Narrow(lower, upper);
        low = Vector256.Narrow(
            (lower - Vector256.WidenLower(high)) + TwoSumError<Simd256D, Vector256<double>, double>(maxLower, logLower, lower),
            (upper - Vector256.WidenUpper(high)) + TwoSumError<Simd256D, Vector256<double>, double>(maxUpper, logUpper, upper));
    }

    /// <inheritdoc cref="LogNormalizer(Vector512{float}, Vector512{float}, Vector512{float}, out Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogNormalizer(Vector128<float> max, Vector128<float> sum, Vector128<float> compensation, out Vector128<float> high, out Vector128<float> low)
    {
        Vector128<double> maxLower = Vector128.WidenLower(max), maxUpper = Vector128.WidenUpper(max);
        Vector128<double> logLower = LogAtLeastOne(Vector128.WidenLower(sum - Vector128<float>.One) + Vector128.WidenLower(compensation));
        Vector128<double> logUpper = LogAtLeastOne(Vector128.WidenUpper(sum - Vector128<float>.One) + Vector128.WidenUpper(compensation));
        Vector128<double> lower = maxLower + logLower, upper = maxUpper + logUpper;
        high = Vector128.Narrow(lower, upper);
        low = Vector128.Narrow(
            (lower - Vector128.WidenLower(high)) + TwoSumError<Simd128D, Vector128<double>, double>(maxLower, logLower, lower),
            (upper - Vector128.WidenUpper(high)) + TwoSumError<Simd128D, Vector128<double>, double>(maxUpper, logUpper, upper));
    }

    // ---- ln(x) for x >= 1, in double ------------------------------------------------------------------------
    // Every normaliser needs ln(total) for a total >= 1 (the maximum contributes e^0 = 1): the float kernels in
    // double, which leaves no error of its own in a float result, and the double kernels to within one ULP. One
    // implementation for every lane width and the scalar lane (the BCL's Vector512.Log(double) is far slower than
    // the rest of a block, and Math.Log is one call per lane). fdlibm's algorithm (e_log.c): x = m 2^k with m in
    // [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f / (2 + f), ln(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) with
    // fdlibm's minimax R (its error below 2^-58.45), plus k ln 2 in two parts; error below 1 ULP. R by multiply-adds
    // (fused wherever the exponential's are, at every width and in the scalar lane alike, so all give the same bits);
    // the steps that carry the result's accuracy are fdlibm's plain multiplications and additions. NaN propagates.

    internal const long SqrtHalfBits = 0x3FE6_A09E_667F_3BCD;
    internal const long TwoPow52Bits = 0x4330_0000_0000_0000;
    internal const double TwoPow52 = 4503599627370496.0;

    /// <summary>ln(x) for x >= 1, lane-wise, within 1 ULP (NaN propagates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LogAtLeastOne<TOps, TVec>(TVec x)
        where TOps : ISimd<TVec, double>, IDoubleBits<TVec>
        where TVec : struct
    {
        TVec m = TOps.SplitExponent(x, out TVec k);
        TVec f = TOps.Subtract(m, TOps.Splat(1.0));
        TVec s = TOps.Divide(f, TOps.Add(TOps.Splat(2.0), f));
        TVec z = TOps.Multiply(s, s);
        TVec w = TOps.Multiply(z, z);
        TVec even = TOps.Multiply(w, TOps.MultiplyAdd(TOps.MultiplyAdd(TOps.Splat(1.531383769920937332e-01), w, TOps.Splat(2.222219843214978396e-01)), w, TOps.Splat(3.999999999940941908e-01)));
        TVec odd = TOps.Multiply(z, TOps.MultiplyAdd(TOps.MultiplyAdd(TOps.MultiplyAdd(TOps.Splat(1.479819860511658591e-01), w, TOps.Splat(1.818357216161805012e-01)), w, TOps.Splat(2.857142874366239149e-01)), w, TOps.Splat(6.666666666666735130e-01)));
        TVec r = TOps.Add(odd, even);
        TVec halfSquare = TOps.Multiply(TOps.Multiply(TOps.Splat(0.5), f), f);

        // k ln2hi - ((f^2/2 - (s (f^2/2 + R) + k ln2lo)) - f); k ln2hi is exact (ln2hi has 32 significant bits).
        TVec tail = TOps.Add(TOps.Multiply(s, TOps.Add(halfSquare, r)), TOps.Multiply(k, TOps.Splat(DoubleLn2Lo)));
        TVec log = TOps.Subtract(TOps.Multiply(k, TOps.Splat(DoubleLn2Hi)), TOps.Subtract(TOps.Subtract(halfSquare, tail), f));
        return TOps.Add(log, TOps.Subtract(x, x));
    }

    /// <summary>ln(x) for x >= 1 (see <see cref="LogAtLeastOne{TOps, TVec}(TVec)"/>): the logarithm of every normaliser and loss.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double LogAtLeastOne(double x) => LogAtLeastOne<ScalarD, double>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> LogAtLeastOne(Vector512<double> x) => LogAtLeastOne<Simd512D, Vector512<double>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LogAtLeastOne(Vector256<double> x) => LogAtLeastOne<Simd256D, Vector256<double>>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> LogAtLeastOne(Vector128<double> x) => LogAtLeastOne<Simd128D, Vector128<double>>(x);

    /// <summary>
    /// Lane-wise <c>max + ln(total)</c> for double lanes, split into a high and a low part whose sum is exact, where
    /// total = (sum - 1) + compensation: the lanes of <see cref="LogNormalizer(double, double, out double, out double)"/>, bit for bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogNormalizerDouble<TOps, TVec>(TVec max, TVec sum, TVec compensation, out TVec high, out TVec low)
        where TOps : ISimd<TVec, double>, IDoubleBits<TVec>
        where TVec : struct
    {
        TVec log = LogAtLeastOne<TOps, TVec>(TOps.Add(TOps.Subtract(sum, TOps.Splat(1.0)), compensation));
        high = TOps.Add(max, log);
        low = TwoSumError<TOps, TVec, double>(max, log, high);
    }

    /// <summary>
    /// The cross-entropy of the rows of a block whose row maxima and compensated sums of e^(x - max) are lanes:
    /// row r's loss is <c>(max[r] - x[r, targets[r]]) + ln(sum[r] + compensation[r])</c>, the sums built by
    /// <c>AccumulateExp</c> from their start of 1 (taken off exactly). Lane-wise in double, rounded to float once
    /// (so each loss is the one the row layouts compute); the target logits are gathered from the block.
    /// </summary>
    /// <param name="x">The first logit of the block.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="targets">The targets of the block's rows, one per lane, each in [0, classes).</param>
    /// <param name="losses">Empty, or receives one loss per row.</param>
    /// <param name="max">Row maxima, one per lane.</param>
    /// <param name="sum">Row sums, one per lane.</param>
    /// <param name="compensation">The sums' compensation terms.</param>
    /// <returns>The sum of the block's losses (added in a fixed tree order, in double).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector512<float> max, Vector512<float> sum, Vector512<float> compensation)
    {
        Vector512<float> picked = TargetLogits(ref x, classes, Vector512.Create(targets));
        Vector512<double> lower = (Vector512.WidenLower(max) - Vector512.WidenLower(picked))
            + LogAtLeastOne(Vector512.WidenLower(sum - Vector512<float>.One) + Vector512.WidenLower(compensation));
        Vector512<double> upper = (Vector512.WidenUpper(max) - Vector512.WidenUpper(picked))
            + LogAtLeastOne(Vector512.WidenUpper(sum - Vector512<float>.One) + Vector512.WidenUpper(compensation));
        Vector512<float> loss = Vector512.Narrow(lower, upper);
        if (!losses.IsEmpty)
        {
            loss.CopyTo(losses);
        }

        return Vector512.Sum(Vector512.WidenLower(loss) + Vector512.WidenUpper(loss));
    }

    /// <inheritdoc cref="BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector256<float> max, Vector256<float> sum, Vector256<float> compensation)
    {
        Vector256<float> picked = TargetLogits(ref x, classes, Vector256.Create(targets));
        Vector256<double> lower = (Vector256.WidenLower(max) - Vector256.WidenLower(picked))
            + LogAtLeastOne(Vector256.WidenLower(sum - Vector256<float>.One) + Vector256.WidenLower(compensation));
        Vector256<double> upper = (Vector256.WidenUpper(max) - Vector256.WidenUpper(picked))
            + LogAtLeastOne(Vector256.WidenUpper(sum - Vector256<float>.One) + Vector256.WidenUpper(compensation));
        Vector256<float> loss = Vector256.Narrow(lower, upper);
        if (!losses.IsEmpty)
        {
            loss.CopyTo(losses);
        }

        return Vector256.Sum(Vector256.WidenLower(loss) + Vector256.WidenUpper(loss));
    }

    /// <inheritdoc cref="BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector128<float> max, Vector128<float> sum, Vector128<float> compensation)
    {
        Vector128<float> picked = TargetLogits(ref x, classes, Vector128.Create(targets));
        Vector128<double> lower = (Vector128.WidenLower(max) - Vector128.WidenLower(picked))
            + LogAtLeastOne(Vector128.WidenLower(sum - Vector128<float>.One) + Vector128.WidenLower(compensation));
        Vector128<double> upper = (Vector128.WidenUpper(max) - Vector128.WidenUpper(picked))
            + LogAtLeastOne(Vector128.WidenUpper(sum - Vector128<float>.One) + Vector128.WidenUpper(compensation));
        Vector128<float> loss = Vector128.Narrow(lower, upper);
        if (!losses.IsEmpty)
        {
            loss.CopyTo(losses);
        }

        return Vector128.Sum(Vector128.WidenLower(loss) + Vector128.WidenUpper(loss));
    }

    // ---- the target logit of each row of a block -------------------------------------------------------------
    // Lane r gets x[r * classes + targets[r]], by a hardware gather where there is one. The targets were validated;
    // they are clamped to [0, classes) all the same, so that no call can read outside the block.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TargetLogits(ref float x, int classes, Vector512<int> targets)
    {
        // .NET has no 512-bit gather: two 256-bit ones.
        Vector512<int> index = Vector512<int>.Indices * classes + Vector512.Min(Vector512.Max(targets, Vector512<int>.Zero), Vector512.Create(classes - 1));
        return Vector512.Create(TargetLogits(ref x, index.GetLower()), TargetLogits(ref x, index.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TargetLogits(ref float x, int classes, Vector256<int> targets) =>
        TargetLogits(ref x, Vector256<int>.Indices * classes + Vector256.Min(Vector256.Max(targets, Vector256<int>.Zero), Vector256.Create(classes - 1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> TargetLogits(ref float x, int classes, Vector128<int> targets) =>
        TargetLogits(ref x, Vector128<int>.Indices * classes + Vector128.Min(Vector128.Max(targets, Vector128<int>.Zero), Vector128.Create(classes - 1)));

    /// <summary>The values at in-bounds offsets <paramref name="index"/> from <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TargetLogits(ref float x, Vector256<int> index)
    {
        if (Avx2.IsSupported)
        {
            fixed (float* block = &x)
            {
                return Avx2.GatherVector256(block, index, 4);
            }
        }

        return Vector256.Create(TargetLogits(ref x, index.GetLower()), TargetLogits(ref x, index.GetUpper()));
    }

    /// <inheritdoc cref="TargetLogits(ref float, Vector256{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<float> TargetLogits(ref float x, Vector128<int> index)
    {
        if (Avx2.IsSupported)
        {
            fixed (float* block = &x)
            {
                return Avx2.GatherVector128(block, index, 4);
            }
        }

        return Vector128.Create(
            Unsafe.Add(ref x, index.GetElement(0)),
            Unsafe.Add(ref x, index.GetElement(1)),
            Unsafe.Add(ref x, index.GetElement(2)),
            Unsafe.Add(ref x, index.GetElement(3)));
    }
}
