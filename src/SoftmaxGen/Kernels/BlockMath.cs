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
    public static void LogNormalizer(Vector512<float> max, Vector512<float> sum, Vector512<float> compensation, out Vector512<float> high, out Vector512<float> low) =>
        LogNormalizer<FloatBlock512, Simd512F, Vector512<float>, Simd512D, Vector512<double>>(max, sum, compensation, out high, out low);

    /// <inheritdoc cref="LogNormalizer(Vector512{float}, Vector512{float}, Vector512{float}, out Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogNormalizer(Vector256<float> max, Vector256<float> sum, Vector256<float> compensation, out Vector256<float> high, out Vector256<float> low) =>
        LogNormalizer<FloatBlock256, Simd256F, Vector256<float>, Simd256D, Vector256<double>>(max, sum, compensation, out high, out low);

    /// <inheritdoc cref="LogNormalizer(Vector512{float}, Vector512{float}, Vector512{float}, out Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogNormalizer(Vector128<float> max, Vector128<float> sum, Vector128<float> compensation, out Vector128<float> high, out Vector128<float> low) =>
        LogNormalizer<FloatBlock128, Simd128F, Vector128<float>, Simd128D, Vector128<double>>(max, sum, compensation, out high, out low);

    /// <summary>The float normalisers above, for every width: each half of the lanes in double, then narrowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LogNormalizer<TWidth, TOpsF, TVecF, TOpsD, TVecD>(TVecF max, TVecF sum, TVecF compensation, out TVecF high, out TVecF low)
        where TWidth : IFloatBlockWidth<TVecF, TVecD>
        where TOpsF : ISimd<TVecF, float>
        where TVecF : struct
        where TOpsD : ISimd<TVecD, double>, IDoubleBits<TVecD>
        where TVecD : struct
    {
        TVecF sumLessOne = TOpsF.Subtract(sum, TOpsF.Splat(1f));
        TVecD maxLower = TWidth.WidenLower(max), maxUpper = TWidth.WidenUpper(max);
        TVecD logLower = LogAtLeastOne<TOpsD, TVecD>(TOpsD.Add(TWidth.WidenLower(sumLessOne), TWidth.WidenLower(compensation)));
        TVecD logUpper = LogAtLeastOne<TOpsD, TVecD>(TOpsD.Add(TWidth.WidenUpper(sumLessOne), TWidth.WidenUpper(compensation)));
        TVecD lower = TOpsD.Add(maxLower, logLower), upper = TOpsD.Add(maxUpper, logUpper);
        high = TWidth.Narrow(lower, upper);
        low = TWidth.Narrow(
            TOpsD.Add(TOpsD.Subtract(lower, TWidth.WidenLower(high)), TwoSumError<TOpsD, TVecD, double>(maxLower, logLower, lower)),
            TOpsD.Add(TOpsD.Subtract(upper, TWidth.WidenUpper(high)), TwoSumError<TOpsD, TVecD, double>(maxUpper, logUpper, upper)));
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

    /// <summary>
    /// ln(x) for x >= 1 to within 2^-30 absolute, for <see cref="SoftmaxPrecision.Fast"/>'s float log-softmax, whose
    /// normaliser is rounded to float anyway: the reduction of <see cref="LogAtLeastOne{TOps, TVec}(TVec)"/> without its
    /// division, ln(1 + f) = f + f^2 P(f) with P of degree 8 fitted on [sqrt(1/2) - 1, sqrt(2) - 1]
    /// (tests/golden/log_polynomial.py), by Estrin's scheme: half the dependent chain a short row waits for.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LogAtLeastOneFast<TOps, TVec>(TVec x)
        where TOps : ISimd<TVec, double>, IDoubleBits<TVec>
        where TVec : struct
    {
        TVec m = TOps.SplitExponent(x, out TVec k);
        TVec f = TOps.Subtract(m, TOps.Splat(1.0));
        TVec f2 = TOps.Multiply(f, f);
        TVec f4 = TOps.Multiply(f2, f2);
        TVec p01 = TOps.MultiplyAdd(TOps.Splat(0.33333319095276004), f, TOps.Splat(-0.49999975027567972));
        TVec p23 = TOps.MultiplyAdd(TOps.Splat(0.20002792130618319), f, TOps.Splat(-0.25002429498534162));
        TVec p45 = TOps.MultiplyAdd(TOps.Splat(0.14160168263380218), f, TOps.Splat(-0.16593461630084791));
        TVec p67 = TOps.MultiplyAdd(TOps.Splat(0.13058629871694033), f, TOps.Splat(-0.13332748789286916));
        TVec p47 = TOps.MultiplyAdd(TOps.MultiplyAdd(TOps.Splat(-0.076080821234912679), f2, p67), f2, p45);
        TVec p = TOps.MultiplyAdd(p47, f4, TOps.MultiplyAdd(p23, f2, p01));
        TVec log = TOps.MultiplyAdd(k, TOps.Splat(0.69314718055994531), TOps.MultiplyAdd(f2, p, f));
        return TOps.Add(log, TOps.Subtract(x, x)); // NaN and +inf propagate as in LogAtLeastOne
    }

    /// <summary>ln(x) for x >= 1 (see <see cref="LogAtLeastOne{TOps, TVec}(TVec)"/>): the logarithm of every normaliser and loss.</summary>
    /// <remarks>
    /// Compiled once on its own: inlined into a large row kernel it could find the JIT's inlining budget spent, which
    /// leaves each of its thirty operations a call of its own.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double LogAtLeastOne(double x) => LogAtLeastOne<ScalarD, double>(x);

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
    internal static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector512<float> max, Vector512<float> sum, Vector512<float> compensation) =>
        BlockLosses<FloatBlock512, Simd512F, Vector512<float>, Simd512D, Vector512<double>>(ref x, classes, targets, losses, max, sum, compensation);

    /// <inheritdoc cref="BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector256<float> max, Vector256<float> sum, Vector256<float> compensation) =>
        BlockLosses<FloatBlock256, Simd256F, Vector256<float>, Simd256D, Vector256<double>>(ref x, classes, targets, losses, max, sum, compensation);

    /// <inheritdoc cref="BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector128<float> max, Vector128<float> sum, Vector128<float> compensation) =>
        BlockLosses<FloatBlock128, Simd128F, Vector128<float>, Simd128D, Vector128<double>>(ref x, classes, targets, losses, max, sum, compensation);

    /// <summary>The block losses above, for every width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double BlockLosses<TWidth, TOpsF, TVecF, TOpsD, TVecD>(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, TVecF max, TVecF sum, TVecF compensation)
        where TWidth : IFloatBlockWidth<TVecF, TVecD>
        where TOpsF : ISimd<TVecF, float>
        where TVecF : struct
        where TOpsD : ISimd<TVecD, double>, IDoubleBits<TVecD>
        where TVecD : struct
    {
        TVecF picked = TWidth.TargetLogits(ref x, classes, targets);
        TVecF sumLessOne = TOpsF.Subtract(sum, TOpsF.Splat(1f));
        TVecD lower = TOpsD.Add(
            TOpsD.Subtract(TWidth.WidenLower(max), TWidth.WidenLower(picked)),
            LogAtLeastOne<TOpsD, TVecD>(TOpsD.Add(TWidth.WidenLower(sumLessOne), TWidth.WidenLower(compensation))));
        TVecD upper = TOpsD.Add(
            TOpsD.Subtract(TWidth.WidenUpper(max), TWidth.WidenUpper(picked)),
            LogAtLeastOne<TOpsD, TVecD>(TOpsD.Add(TWidth.WidenUpper(sumLessOne), TWidth.WidenUpper(compensation))));
        TVecF loss = TWidth.Narrow(lower, upper);
        if (!losses.IsEmpty)
        {
            TWidth.CopyTo(loss, losses);
        }

        // The lanes widened and added pairwise in double (SumAcross), a fixed order.
        return TOpsF.SumAcross(loss);
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

    /// <summary>
    /// What the float block normalisers and losses above need of a vector width beyond <see cref="ISimd{TVec, T}"/>:
    /// the double vectors of its two halves, and the gather of each row's target logit. One struct per width, so that
    /// the normaliser and the losses are written once for every width.
    /// </summary>
    /// <typeparam name="TVecF">The float vector.</typeparam>
    /// <typeparam name="TVecD">The double vector of the same width, which holds half of its lanes.</typeparam>
    private interface IFloatBlockWidth<TVecF, TVecD>
        where TVecF : struct
        where TVecD : struct
    {
        static abstract TVecD WidenLower(TVecF v);

        static abstract TVecD WidenUpper(TVecF v);

        static abstract TVecF Narrow(TVecD lower, TVecD upper);

        /// <summary>Lane r is <c>x[r * classes + targets[r]]</c> (targets clamped to [0, classes)).</summary>
        static abstract TVecF TargetLogits(ref float x, int classes, ReadOnlySpan<int> targets);

        /// <summary>Copies the lanes to <paramref name="destination"/>, which must hold them all.</summary>
        static abstract void CopyTo(TVecF v, Span<float> destination);
    }

    /// <summary>16 float rows, in two Vector512 of double.</summary>
    private readonly struct FloatBlock512 : IFloatBlockWidth<Vector512<float>, Vector512<double>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> WidenLower(Vector512<float> v) => Vector512.WidenLower(v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> WidenUpper(Vector512<float> v) => Vector512.WidenUpper(v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Narrow(Vector512<double> lower, Vector512<double> upper) => Vector512.Narrow(lower, upper);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> TargetLogits(ref float x, int classes, ReadOnlySpan<int> targets) => SoftmaxMath.TargetLogits(ref x, classes, Vector512.Create(targets));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void CopyTo(Vector512<float> v, Span<float> destination) => v.CopyTo(destination);
    }

    /// <summary>8 float rows, in two Vector256 of double.</summary>
    private readonly struct FloatBlock256 : IFloatBlockWidth<Vector256<float>, Vector256<double>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> WidenLower(Vector256<float> v) => Vector256.WidenLower(v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> WidenUpper(Vector256<float> v) => Vector256.WidenUpper(v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Narrow(Vector256<double> lower, Vector256<double> upper) => Vector256.Narrow(lower, upper);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> TargetLogits(ref float x, int classes, ReadOnlySpan<int> targets) => SoftmaxMath.TargetLogits(ref x, classes, Vector256.Create(targets));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void CopyTo(Vector256<float> v, Span<float> destination) => v.CopyTo(destination);
    }

    /// <summary>4 float rows, in two Vector128 of double.</summary>
    private readonly struct FloatBlock128 : IFloatBlockWidth<Vector128<float>, Vector128<double>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> WidenLower(Vector128<float> v) => Vector128.WidenLower(v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> WidenUpper(Vector128<float> v) => Vector128.WidenUpper(v);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Narrow(Vector128<double> lower, Vector128<double> upper) => Vector128.Narrow(lower, upper);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> TargetLogits(ref float x, int classes, ReadOnlySpan<int> targets) => SoftmaxMath.TargetLogits(ref x, classes, Vector128.Create(targets));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void CopyTo(Vector128<float> v, Span<float> destination) => v.CopyTo(destination);
    }
}
