using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The math every SoftmaxGen kernel shares: the runtime fallback and the generated kernels both call these,
/// so there is one implementation of the exponential, the compensated sums and the horizontal reductions.
/// </summary>
/// <remarks>Public for generated code only; the supported API is <see cref="SoftmaxPrimitives"/> and the generated members.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class SoftmaxMath
{
    // ---- The exponential ----------------------------------------------------------------------
    //
    // e^(x - max) for x <= max, the only exponential softmax needs. The difference s = x - max is rounded,
    // and the rounding error grows with |s| (for s near -70 it would be dozens of ULP of the result), so the
    // error of that subtraction is recovered exactly (Knuth's TwoSum) and folded into the reduced argument.
    // Range reduction: s = k ln2 + r with |r| <= ln2/2, ln2 split in a high part that makes k*ln2hi and
    // s - k*ln2hi exact (Cody & Waite), then a polynomial p for e^r, and p 2^k rounded once, so that results down
    // to the smallest subnormal number are rounded correctly (ISimd.ScaleByPowerOfTwo): with AVX-512 by the
    // scaling instruction, which is one operation off the end of the dependency chain, and elsewhere in the
    // exponent bits. For those the constant that rounds s*log2(e) to the integer k also carries the exponent bias,
    // so that the low bits of the rounded value shifted into the exponent field are 2^(k + bias) with no further
    // addition, and the product with 2^-bias rounds once. Below the subnormal range (s < -104 in float, -745.2 in
    // double) the result is +0, which also covers -inf logits. NaN propagates.

    internal const float SingleLog2E = 1.44269504088896341f;
    internal const float SingleRounding = 12583103f;          // 1.5 * 2^23 + 127 + SingleScaleBias: adding it rounds to k + 191 held in the low bits.
    internal const float SingleLn2Hi = 0.693359375f;          // 355/512: 9 significant bits.
    internal const float SingleLn2Lo = -2.12194440e-4f;       // ln2 - SingleLn2Hi.
    internal const float SingleUnderflow = -104f;             // below this, e^s rounds to 0.
    internal const int SingleScaleBias = 64;                  // 2^(k + 64) is normal for every k >= -190.
    internal const float SingleUnscale = 5.42101086e-20f;     // 2^-64.

    internal const double DoubleLog2E = 1.4426950408889634;
    internal const double DoubleRounding = 6755399441057279.0; // 1.5 * 2^52 + 1023 + DoubleScaleBias: rounds to k + 1535 held in the low bits.
    internal const double DoubleLn2Hi = 6.93147180369123816490e-01; // 32 significant bits (fdlibm).
    internal const double DoubleLn2Lo = 1.90821492927058770002e-10;
    internal const double DoubleUnderflow = -745.2;
    internal const int DoubleScaleBias = 512;
    internal const double DoubleUnscale = 7.458340731200207e-155; // 2^-512.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec ExpShiftedSingle<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        // s + err = x - max exactly.
        TVec s = TOps.Add(x, negatedMax);
        TVec err = TwoSumError<TOps, TVec, float>(x, negatedMax, s);
        TVec underflow = TOps.LessThan(s, TOps.Splat(SingleUnderflow));

        TVec z = TOps.MultiplyAdd(s, TOps.Splat(SingleLog2E), TOps.Splat(SingleRounding));
        TVec k = TOps.Subtract(z, TOps.Splat(SingleRounding));
        TVec r = TOps.MultiplyAdd(k, TOps.Splat(-SingleLn2Hi), s);
        r = TOps.Add(r, TOps.MultiplyAdd(k, TOps.Splat(-SingleLn2Lo), err));

        TVec p = SingleExpPolynomial<TOps, TVec>(r);
        return TOps.AndNot(TOps.ScaleByPowerOfTwo(p, k, z), underflow);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec ExpShiftedDouble<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, double>
        where TVec : struct
    {
        TVec s = TOps.Add(x, negatedMax);
        TVec err = TwoSumError<TOps, TVec, double>(x, negatedMax, s);
        TVec underflow = TOps.LessThan(s, TOps.Splat(DoubleUnderflow));

        TVec z = TOps.MultiplyAdd(s, TOps.Splat(DoubleLog2E), TOps.Splat(DoubleRounding));
        TVec k = TOps.Subtract(z, TOps.Splat(DoubleRounding));
        TVec r = TOps.MultiplyAdd(k, TOps.Splat(-DoubleLn2Hi), s);
        r = TOps.Add(r, TOps.MultiplyAdd(k, TOps.Splat(-DoubleLn2Lo), err));

        TVec p = DoubleExpPolynomial<TOps, TVec>(r);
        return TOps.AndNot(TOps.ScaleByPowerOfTwo(p, k, z), underflow);
    }

    // The exponential of SoftmaxPrecision.Fast: without recovering the rounding of x - max (whose error, |x - max| 2^-24
    // relative, is then part of the result's), and with a clamp of x - max to the underflow limit in place of a
    // comparison and a mask: the clamped value's exponential rounds to +0 as -inf's must, and NaN passes through the
    // clamp (MaxNative returns its second operand when either is NaN). Double keeps Exact's reduction and polynomial.
    // Float on AVX-512 reduces by ln2/16 and looks 2^(j/16) up in a 16-entry table held in one register (VPERMPS), which
    // leaves |r| <= ln2/32 to a degree-3 polynomial, and scales with VSCALEF; every width takes that path there, so a
    // row gets the same bits whatever the width. Without AVX-512 float takes Exact's reduction and polynomial.

    internal const float SingleFastClamp = -104f;   // e^-104 < 2^-150: rounds to +0.
    internal const double DoubleFastClamp = -746.0; // e^-746 < 2^-1075: rounds to +0.

    internal const float SingleSixteenthsRounding = 786432f;  // 1.5 * 2^19: adding it rounds to a multiple of 1/16, n/16, whose n is in the low bits.

    /// <summary>Whether float's Fast exponential takes the table path (<see cref="ExpShiftedSingleFast{TOps, TVec}"/>).</summary>
    internal static bool SingleFastUsesTable => Avx512F.IsSupported && Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec ExpShiftedSingleFast<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        TVec s = TOps.MaxNative(TOps.Splat(SingleFastClamp), TOps.Add(x, negatedMax));
        if (SingleFastUsesTable)
        {
            // s = (k + j/16) ln2 + r: e^s = 2^k 2^(j/16) e^r, with e^r = 1 + r (1 + r (c2 + c3 r)) (minimax on
            // |r| <= ln2/32: 1.7e-9, a thirtieth of a float ULP) and the product with t = 2^(j/16) as t + (t r) q. The
            // rounding constant leaves m = k + j/16 exactly, j in z's low bits, and VSCALEF takes floor(m) = k.
            TVec z = TOps.MultiplyAdd(s, TOps.Splat(SingleLog2E), TOps.Splat(SingleSixteenthsRounding));
            TVec m = TOps.Subtract(z, TOps.Splat(SingleSixteenthsRounding));
            TVec r = TOps.MultiplyAdd(m, TOps.Splat(-SingleLn2Hi), s);
            r = TOps.MultiplyAdd(m, TOps.Splat(-SingleLn2Lo), r);

            TVec t = PowerOfTwoSixteenths(z);
            TVec q = TOps.MultiplyAdd(TOps.MultiplyAdd(TOps.Splat(0.166667208f), r, TOps.Splat(0.500016451f)), r, TOps.Splat(1f));
            TVec e = TOps.MultiplyAdd(TOps.Multiply(t, r), q, t);
            return TOps.ScaleByPowerOfTwo(e, m, z);
        }

        TVec zp = TOps.MultiplyAdd(s, TOps.Splat(SingleLog2E), TOps.Splat(SingleRounding));
        TVec kp = TOps.Subtract(zp, TOps.Splat(SingleRounding));
        TVec rp = TOps.MultiplyAdd(kp, TOps.Splat(-SingleLn2Hi), s);
        rp = TOps.MultiplyAdd(kp, TOps.Splat(-SingleLn2Lo), rp);
        return TOps.ScaleByPowerOfTwo(SingleExpPolynomial<TOps, TVec>(rp), kp, zp);
    }

    /// <summary>
    /// 2^(j/16) rounded to float, for j the low four bits of each lane of <paramref name="z"/>: one VPERMPS from a table in
    /// a register, at every width (the narrower ones in the low lanes of a 512-bit register). AVX-512 only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec PowerOfTwoSixteenths<TVec>(TVec z)
        where TVec : struct
    {
        Vector512<float> table = Vector512.Create(
            1f, 1.04427378f, 1.09050775f, 1.13878858f, 1.18920708f, 1.24185777f, 1.29683959f, 1.35425556f,
            1.41421354f, 1.47682619f, 1.54221082f, 1.61049032f, 1.68179286f, 1.75625217f, 1.83400810f, 1.91520655f);
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            Vector512<float> result = Avx512F.PermuteVar16x32(table, Unsafe.As<TVec, Vector512<int>>(ref z));
            return Unsafe.As<Vector512<float>, TVec>(ref result);
        }

        if (typeof(TVec) == typeof(Vector256<float>))
        {
            Vector256<float> result = Avx512F.PermuteVar16x32(table, Unsafe.As<TVec, Vector256<int>>(ref z).ToVector512Unsafe()).GetLower();
            return Unsafe.As<Vector256<float>, TVec>(ref result);
        }

        if (typeof(TVec) == typeof(Vector128<float>))
        {
            Vector128<float> result = Avx512F.PermuteVar16x32(table, Unsafe.As<TVec, Vector128<int>>(ref z).ToVector256Unsafe().ToVector512Unsafe()).GetLower().GetLower();
            return Unsafe.As<Vector128<float>, TVec>(ref result);
        }

        if (typeof(TVec) == typeof(float))
        {
            float result = Avx512F.PermuteVar16x32(table, Vector512.CreateScalarUnsafe(BitConverter.SingleToInt32Bits(Unsafe.As<TVec, float>(ref z)))).ToScalar();
            return Unsafe.As<float, TVec>(ref result);
        }

        throw new NotSupportedException($"No float table lookup for {typeof(TVec)}.");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec ExpShiftedDoubleFast<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, double>
        where TVec : struct
    {
        TVec s = TOps.MaxNative(TOps.Splat(DoubleFastClamp), TOps.Add(x, negatedMax));
        TVec z = TOps.MultiplyAdd(s, TOps.Splat(DoubleLog2E), TOps.Splat(DoubleRounding));
        TVec k = TOps.Subtract(z, TOps.Splat(DoubleRounding));
        TVec r = TOps.MultiplyAdd(k, TOps.Splat(-DoubleLn2Hi), s);
        r = TOps.MultiplyAdd(k, TOps.Splat(-DoubleLn2Lo), r);

        TVec p = DoubleExpPolynomial<TOps, TVec>(r);
        return TOps.ScaleByPowerOfTwo(p, k, z);
    }

    /// <summary>
    /// e^r for |r| &lt;= ln2/2 (plus the margin of the compensated reduction): 1 + r (1 + r q(r)) with q of degree 4
    /// fitted for the least maximum relative error (3.1e-9, a twentieth of a float ULP; tests/golden/exp_polynomial.py
    /// recomputes the coefficients). q by Estrin's scheme, (c2 + c3 r) + r^2 ((c4 + c5 r) + c6 r^2), which shortens the
    /// chain of dependent operations (what a single row waits for); the last two steps by Horner, which rounds the
    /// result once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SingleExpPolynomial<TOps, TVec>(TVec r)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        TVec r2 = TOps.Multiply(r, r);
        TVec q = TOps.MultiplyAdd(
            TOps.MultiplyAdd(TOps.Splat(1.38145790e-3f), r2, TOps.MultiplyAdd(TOps.Splat(8.36871564e-3f), r, TOps.Splat(4.16683890e-2f))),
            r2,
            TOps.MultiplyAdd(TOps.Splat(1.66665211e-1f), r, TOps.Splat(4.99999940e-1f)));
        return TOps.MultiplyAdd(TOps.MultiplyAdd(q, r, TOps.Splat(1f)), r, TOps.Splat(1f));
    }

    /// <summary>e^r for |r| &lt;= 0.35: Taylor to degree 13 (truncation below 1e-17 relative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec DoubleExpPolynomial<TOps, TVec>(TVec r)
        where TOps : ISimd<TVec, double>
        where TVec : struct
    {
        TVec p = TOps.Splat(1.0 / 6227020800.0);
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 479001600.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 39916800.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 3628800.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 362880.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 40320.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 5040.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 720.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 120.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 24.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0 / 6.0));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(0.5));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.0));
        return TOps.MultiplyAdd(p, r, TOps.Splat(1.0));
    }

    /// <summary>The exact rounding error of <c>sum = a + b</c> (Knuth's TwoSum, no ordering needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec TwoSumError<TOps, TVec, T>(TVec a, TVec b, TVec sum)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVec aRounded = TOps.Subtract(sum, b);
        TVec bRounded = TOps.Subtract(sum, aRounded);
        return TOps.Add(TOps.Subtract(a, aRounded), TOps.Subtract(b, bRounded));
    }

    /// <summary>Adds <paramref name="value"/> to a compensated running sum (the error of every addition is kept in <paramref name="compensation"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate<TOps, TVec, T>(TVec value, ref TVec sum, ref TVec compensation)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVec t = TOps.Add(sum, value);
        compensation = TOps.Add(compensation, TwoSumError<TOps, TVec, T>(sum, value, t));
        sum = t;
    }

    /// <summary>
    /// Adds an exponential e^(x - max), which lies in [0, 1], to a compensated running sum that started at
    /// <see cref="ExpSumStart"/> (1 in every lane). Because the sum is then never below the value added, the
    /// error of each addition is found with two operations (Dekker's Fast2Sum) instead of TwoSum's five;
    /// <c>TotalExp</c> takes the start off again, exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AccumulateExp<TOps, TVec, T>(TVec value, ref TVec sum, ref TVec compensation)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVec t = TOps.Add(sum, value);
        compensation = TOps.Add(compensation, TOps.Subtract(value, TOps.Subtract(t, sum)));
        sum = t;
    }

    /// <summary>The value every lane of an <c>AccumulateExp</c> sum starts at.</summary>
    internal const int ExpSumStart = 1;

    // ---- Horizontal reductions --------------------------------------------------------------------

    /// <summary>The largest lane, by the hardware maximum (a NaN lane need not win: the kernels turn NaN rows into NaN through the exponential).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> v)
    {
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }

    /// <inheritdoc cref="MaxAcross(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> v) => MaxAcross(Vector128.MaxNative(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="MaxAcross(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> v) => MaxAcross(Vector256.MaxNative(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="MaxAcross(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector128<double> v) => Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(1L, 0L))).ToScalar();

    /// <inheritdoc cref="MaxAcross(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector256<double> v) => MaxAcross(Vector128.MaxNative(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="MaxAcross(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector512<double> v) => MaxAcross(Vector256.MaxNative(v.GetLower(), v.GetUpper()));

    /// <summary>The sum of the four lanes, in double (exact for lanes of like magnitude): the total of a row of up to four classes held in one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SumAcross(Vector128<float> v) => Vector128.Sum(HalvesInDouble(v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SumAcross(Vector256<float> v) => Vector256.Sum(HalvesInDouble(v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SumAcross(Vector512<float> v) => Vector512.Sum(HalvesInDouble(v));

    /// <summary>The lower and upper halves of the float lanes widened to double and added lane-wise (exact for lanes of like magnitude).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> HalvesInDouble(Vector128<float> v) => Vector128.WidenLower(v) + Vector128.WidenUpper(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> HalvesInDouble(Vector256<float> v) => Vector256.WidenLower(v) + Vector256.WidenUpper(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> HalvesInDouble(Vector512<float> v) => Vector512.WidenLower(v) + Vector512.WidenUpper(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SumAcross(Vector128<double> v) => Vector128.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SumAcross(Vector256<double> v) => Vector256.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SumAcross(Vector512<double> v) => Vector512.Sum(v);

    // A table of LaneMaskWidth all-ones lanes then LaneMaskWidth clear lanes: loading at (LaneMaskWidth - n)
    // gives a vector whose first n lanes are set. Used to leave repeated lanes of an overlapping vector out of a sum.
    internal const int LaneMaskWidth = 16;
    private static readonly float[] s_laneMaskSingle = CreateLaneMask<float>(BitConverter.Int32BitsToSingle(-1));
    private static readonly double[] s_laneMaskDouble = CreateLaneMask<double>(BitConverter.Int64BitsToDouble(-1));

    private static T[] CreateLaneMask<T>(T set)
    {
        var table = new T[2 * LaneMaskWidth];
        table.AsSpan(0, LaneMaskWidth).Fill(set);
        return table;
    }

    internal static ref float LaneMaskTableSingle => ref MemoryMarshal.GetArrayDataReference(s_laneMaskSingle);
    internal static ref double LaneMaskTableDouble => ref MemoryMarshal.GetArrayDataReference(s_laneMaskDouble);

    // ---- Per-row finishing steps -------------------------------------------------------------------

    // The public normalisers are what generated row kernels call once per row. Each is compiled on its own: inlined
    // into a kernel that has spent the JIT's inlining budget on its exponentials, the logarithm's thirty operations
    // would each become a call. The runtime's kernels inline the cores.

    /// <summary>
    /// Splits <c>max + ln(total)</c> into a high and a low part whose sum is exact, so that
    /// <c>(x - high) - low</c> is log-softmax to within one rounding even when max is huge.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void LogNormalizer(float max, double total, out float high, out float low) => LogNormalizerCore(max, total, out high, out low);

    /// <inheritdoc cref="LogNormalizer(float, double, out float, out float)"/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void LogNormalizer(double max, double total, out double high, out double low) => LogNormalizerCore(max, total, out high, out low);

    /// <summary>
    /// Fast's split of <c>max + ln(total)</c>: high is max itself and low is ln(total) rounded to float, so that
    /// <c>(x - high) - low</c> is <c>(x - max) - ln(total)</c>, within Fast's bound for log-softmax without the exact
    /// split's arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void LogNormalizerFast(float max, double total, out float high, out float low) => LogNormalizerFastCore(max, total, out high, out low);

    // A group of rows' normalisers at once, for the generated Vector512 row layouts' log-softmax (their only callers):
    // the logarithms of eight rows run as one vector, where row by row each was a chain of its own that its row waited
    // for. Without Vector512 the rows go one at a time. Every lane gives the one-row call's bits (the same operations,
    // the logarithm fused alike at every width).

    /// <summary>
    /// <see cref="LogNormalizer(float, double, out float, out float)"/> of a group of rows: for each i,
    /// <c>high[i] + low[i] = maxima[i] + ln(totals[i])</c>, bit for bit as the one-row call.
    /// </summary>
    /// <exception cref="ArgumentException">The four spans are not of one length.</exception>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void LogNormalizers(ReadOnlySpan<float> maxima, ReadOnlySpan<double> totals, Span<float> high, Span<float> low)
    {
        CheckGroup(maxima.Length, totals.Length, high.Length, low.Length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= maxima.Length; i += 8)
            {
                Vector512<double> max = Vector512.WidenLower(Vector256.Create(maxima.Slice(i)).ToVector512());
                Vector512<double> log = LogAtLeastOne<Simd512D, Vector512<double>>(Vector512.Create(totals.Slice(i)));
                Vector512<double> c = max + log;
                Vector512<double> error = TwoSumError<Simd512D, Vector512<double>, double>(max, log, c);
                Vector256<float> h = Vector512.Narrow(c, c).GetLower();
                h.CopyTo(high.Slice(i));
                Vector512.Narrow((c - Vector512.WidenLower(h.ToVector512())) + error, c).GetLower().CopyTo(low.Slice(i));
            }
        }

        for (; i < maxima.Length; i++)
        {
            LogNormalizerCore(maxima[i], totals[i], out high[i], out low[i]);
        }
    }

    /// <summary>
    /// <see cref="LogNormalizer(double, double, out double, out double)"/> of a group of rows, bit for bit as the one-row call.
    /// </summary>
    /// <exception cref="ArgumentException">The four spans are not of one length.</exception>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void LogNormalizers(ReadOnlySpan<double> maxima, ReadOnlySpan<double> totals, Span<double> high, Span<double> low)
    {
        CheckGroup(maxima.Length, totals.Length, high.Length, low.Length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= maxima.Length; i += 8)
            {
                Vector512<double> max = Vector512.Create(maxima.Slice(i));
                Vector512<double> log = LogAtLeastOne<Simd512D, Vector512<double>>(Vector512.Create(totals.Slice(i)));
                Vector512<double> h = max + log;
                h.CopyTo(high.Slice(i));
                TwoSumError<Simd512D, Vector512<double>, double>(max, log, h).CopyTo(low.Slice(i));
            }
        }

        for (; i < maxima.Length; i++)
        {
            LogNormalizerCore(maxima[i], totals[i], out high[i], out low[i]);
        }
    }

    /// <summary>
    /// <see cref="LogNormalizerFast(float, double, out float, out float)"/> of a group of rows, bit for bit as the one-row call.
    /// </summary>
    /// <exception cref="ArgumentException">The four spans are not of one length.</exception>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void LogNormalizersFast(ReadOnlySpan<float> maxima, ReadOnlySpan<double> totals, Span<float> high, Span<float> low)
    {
        CheckGroup(maxima.Length, totals.Length, high.Length, low.Length);
        maxima.CopyTo(high);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= maxima.Length; i += 8)
            {
                Vector512<double> log = LogAtLeastOneFast<Simd512D, Vector512<double>>(Vector512.Create(totals.Slice(i)));
                Vector512.Narrow(log, log).GetLower().CopyTo(low.Slice(i));
            }
        }

        for (; i < maxima.Length; i++)
        {
            LogNormalizerFastCore(maxima[i], totals[i], out high[i], out low[i]);
        }
    }

    private static void CheckGroup(int maxima, int totals, int high, int low)
    {
        if (totals != maxima || high != maxima || low != maxima)
        {
            ThrowGroupLengths(maxima, totals, high, low);
        }
    }

    [DoesNotReturn]
    private static void ThrowGroupLengths(int maxima, int totals, int high, int low) =>
        throw new ArgumentException(
            $"maxima, totals, high and low must be of one length; they are {maxima}, {totals}, {high} and {low} long.",
            totals != maxima ? "totals" : high != maxima ? "high" : "low");

    /// <inheritdoc cref="LogNormalizer(float, double, out float, out float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogNormalizerCore(float max, double total, out float high, out float low)
    {
        // max + ln(total) as a double plus its exact rounding error: for |max| above 2^53 * ln(total) the double
        // addition drops the logarithm entirely, and the error term is what keeps it.
        double log = LogAtLeastOne(total);
        double c = max + log;
        double error = TwoSumError<ScalarD, double, double>(max, log, c);
        high = (float)c;
        low = (float)((c - high) + error);
    }

    /// <inheritdoc cref="LogNormalizer(float, double, out float, out float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogNormalizerCore(double max, double total, out double high, out double low)
    {
        double log = LogAtLeastOne(total);
        high = max + log;
        low = TwoSumError<ScalarD, double, double>(max, log, high);
    }

    /// <inheritdoc cref="LogNormalizerFast(float, double, out float, out float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogNormalizerFastCore(float max, double total, out float high, out float low)
    {
        high = max;
        low = (float)LogAtLeastOneFast<ScalarD, double>(total);
    }

    /// <summary>The cross-entropy of one row, <c>(max - x[target]) + ln(total)</c>, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double RowLoss(double max, double targetLogit, double total) => (max - targetLogit) + LogAtLeastOne(total);

    // ---- Entry points for generated code, one per vector type -------------------------------------------
    // e^(x - max) lane-wise given -max (lanes of x must be <= max); +0 where the result underflows; NaN propagates.

    /// <summary>e^(x - max) lane-wise, given <paramref name="negatedMax"/> = -max.</summary>
    /// <param name="x">Logits, each at most max (or NaN).</param>
    /// <param name="negatedMax">The negated row maximum, broadcast.</param>
    /// <returns>The exponentials, accurate to about 1 ULP (subnormal results rounded once); +0 where the result rounds to 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpShifted(Vector512<float> x, Vector512<float> negatedMax) => ExpShiftedSingle<Simd512F, Vector512<float>>(x, negatedMax);

    /// <inheritdoc cref="ExpShifted(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpShifted(Vector256<float> x, Vector256<float> negatedMax) => ExpShiftedSingle<Simd256F, Vector256<float>>(x, negatedMax);

    /// <inheritdoc cref="ExpShifted(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExpShifted(Vector128<float> x, Vector128<float> negatedMax) => ExpShiftedSingle<Simd128F, Vector128<float>>(x, negatedMax);

    /// <inheritdoc cref="ExpShifted(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpShifted(Vector512<double> x, Vector512<double> negatedMax) => ExpShiftedDouble<Simd512D, Vector512<double>>(x, negatedMax);

    /// <inheritdoc cref="ExpShifted(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ExpShifted(Vector256<double> x, Vector256<double> negatedMax) => ExpShiftedDouble<Simd256D, Vector256<double>>(x, negatedMax);

    /// <inheritdoc cref="ExpShifted(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ExpShifted(Vector128<double> x, Vector128<double> negatedMax) => ExpShiftedDouble<Simd128D, Vector128<double>>(x, negatedMax);

    /// <summary>e^(x - max) for one value, given <paramref name="negatedMax"/> = -max; the same function as the vector overloads.</summary>
    /// <param name="x">A logit, at most max (or NaN).</param>
    /// <param name="negatedMax">The negated row maximum.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExpShifted(float x, float negatedMax) => ExpShiftedSingle<ScalarF, float>(x, negatedMax);

    /// <inheritdoc cref="ExpShifted(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ExpShifted(double x, double negatedMax) => ExpShiftedDouble<ScalarD, double>(x, negatedMax);

    /// <summary>
    /// e^(x - max) lane-wise, given <paramref name="negatedMax"/> = -max, with the exponential of
    /// <see cref="SoftmaxPrecision.Fast"/>: within 3 ULP of e^(rounded x - max).
    /// </summary>
    /// <param name="x">Logits, each at most max (or NaN).</param>
    /// <param name="negatedMax">The negated row maximum, broadcast.</param>
    /// <returns>The exponentials; +0 where the result rounds to 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpShiftedFast(Vector512<float> x, Vector512<float> negatedMax) => ExpShiftedSingleFast<Simd512F, Vector512<float>>(x, negatedMax);

    /// <inheritdoc cref="ExpShiftedFast(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpShiftedFast(Vector256<float> x, Vector256<float> negatedMax) => ExpShiftedSingleFast<Simd256F, Vector256<float>>(x, negatedMax);

    /// <inheritdoc cref="ExpShiftedFast(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExpShiftedFast(Vector128<float> x, Vector128<float> negatedMax) => ExpShiftedSingleFast<Simd128F, Vector128<float>>(x, negatedMax);

    /// <inheritdoc cref="ExpShiftedFast(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpShiftedFast(Vector512<double> x, Vector512<double> negatedMax) => ExpShiftedDoubleFast<Simd512D, Vector512<double>>(x, negatedMax);

    /// <inheritdoc cref="ExpShiftedFast(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ExpShiftedFast(Vector256<double> x, Vector256<double> negatedMax) => ExpShiftedDoubleFast<Simd256D, Vector256<double>>(x, negatedMax);

    /// <inheritdoc cref="ExpShiftedFast(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ExpShiftedFast(Vector128<double> x, Vector128<double> negatedMax) => ExpShiftedDoubleFast<Simd128D, Vector128<double>>(x, negatedMax);

    /// <summary>e^(x - max) for one value with the exponential of <see cref="SoftmaxPrecision.Fast"/>; the same function as the vector overloads.</summary>
    /// <param name="x">A logit, at most max (or NaN).</param>
    /// <param name="negatedMax">The negated row maximum.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExpShiftedFast(float x, float negatedMax) => ExpShiftedSingleFast<ScalarF, float>(x, negatedMax);

    /// <inheritdoc cref="ExpShiftedFast(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ExpShiftedFast(double x, double negatedMax) => ExpShiftedDoubleFast<ScalarD, double>(x, negatedMax);

    /// <summary>The hardware maximum of two values (no promise for NaN: the kernels turn NaN rows into NaN through the exponential).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MaxNative(float a, float b) => ScalarF.MaxNative(a, b);

    /// <inheritdoc cref="MaxNative(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double MaxNative(double a, double b) => ScalarD.MaxNative(a, b);

    /// <summary>Adds <paramref name="value"/> to a compensated lane-wise sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate(Vector512<float> value, ref Vector512<float> sum, ref Vector512<float> compensation) => Accumulate<Simd512F, Vector512<float>, float>(value, ref sum, ref compensation);

    /// <inheritdoc cref="Accumulate(Vector512{float}, ref Vector512{float}, ref Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate(Vector256<float> value, ref Vector256<float> sum, ref Vector256<float> compensation) => Accumulate<Simd256F, Vector256<float>, float>(value, ref sum, ref compensation);

    /// <inheritdoc cref="Accumulate(Vector512{float}, ref Vector512{float}, ref Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate(Vector128<float> value, ref Vector128<float> sum, ref Vector128<float> compensation) => Accumulate<Simd128F, Vector128<float>, float>(value, ref sum, ref compensation);

    /// <inheritdoc cref="Accumulate(Vector512{float}, ref Vector512{float}, ref Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate(Vector512<double> value, ref Vector512<double> sum, ref Vector512<double> compensation) => Accumulate<Simd512D, Vector512<double>, double>(value, ref sum, ref compensation);

    /// <inheritdoc cref="Accumulate(Vector512{float}, ref Vector512{float}, ref Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate(Vector256<double> value, ref Vector256<double> sum, ref Vector256<double> compensation) => Accumulate<Simd256D, Vector256<double>, double>(value, ref sum, ref compensation);

    /// <inheritdoc cref="Accumulate(Vector512{float}, ref Vector512{float}, ref Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate(Vector128<double> value, ref Vector128<double> sum, ref Vector128<double> compensation) => Accumulate<Simd128D, Vector128<double>, double>(value, ref sum, ref compensation);

    /// <summary>
    /// The total of a compensated lane-wise sum (or of any two lane-wise sums), in double: float lanes are widened and
    /// added lane-wise in double, then reduced once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector512<float> sum, Vector512<float> compensation) =>
        Vector512.Sum(HalvesInDouble(sum) + HalvesInDouble(compensation));

    /// <inheritdoc cref="Total(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector256<float> sum, Vector256<float> compensation) =>
        Vector256.Sum(HalvesInDouble(sum) + HalvesInDouble(compensation));

    /// <inheritdoc cref="Total(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector128<float> sum, Vector128<float> compensation) =>
        Vector128.Sum(HalvesInDouble(sum) + HalvesInDouble(compensation));

    /// <inheritdoc cref="Total(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector512<double> sum, Vector512<double> compensation) => SumAcross(sum) + SumAcross(compensation);

    /// <inheritdoc cref="Total(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector256<double> sum, Vector256<double> compensation) => SumAcross(sum) + SumAcross(compensation);

    /// <inheritdoc cref="Total(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Vector128<double> sum, Vector128<double> compensation) => SumAcross(sum) + SumAcross(compensation);

    /// <summary>Adds e^(x - max) (each lane in [0, 1]) to a compensated lane-wise sum that started at 1 in every lane (<see cref="ExpSumStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExp(Vector512<float> value, ref Vector512<float> sum, ref Vector512<float> compensation) => AccumulateExp<Simd512F, Vector512<float>, float>(value, ref sum, ref compensation);

    /// <summary>The total of an <c>AccumulateExp</c> sum, in double, without the start value of its lanes (taken off each lane exactly: every lane is at least 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TotalExp(Vector512<float> sum, Vector512<float> compensation) => SumAcross(sum - Vector512<float>.One) + SumAcross(compensation);

    /// <summary>Adds e^(x - max) (each lane in [0, 1]) to a compensated lane-wise sum that started at 1 in every lane (<see cref="ExpSumStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExp(Vector256<float> value, ref Vector256<float> sum, ref Vector256<float> compensation) => AccumulateExp<Simd256F, Vector256<float>, float>(value, ref sum, ref compensation);

    /// <summary>The total of an <c>AccumulateExp</c> sum, in double, without the start value of its lanes (taken off each lane exactly: every lane is at least 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TotalExp(Vector256<float> sum, Vector256<float> compensation) => SumAcross(sum - Vector256<float>.One) + SumAcross(compensation);

    /// <summary>Adds e^(x - max) (each lane in [0, 1]) to a compensated lane-wise sum that started at 1 in every lane (<see cref="ExpSumStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExp(Vector128<float> value, ref Vector128<float> sum, ref Vector128<float> compensation) => AccumulateExp<Simd128F, Vector128<float>, float>(value, ref sum, ref compensation);

    /// <summary>The total of an <c>AccumulateExp</c> sum, in double, without the start value of its lanes (taken off each lane exactly: every lane is at least 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TotalExp(Vector128<float> sum, Vector128<float> compensation) => SumAcross(sum - Vector128<float>.One) + SumAcross(compensation);

    /// <summary>Adds e^(x - max) (each lane in [0, 1]) to a compensated lane-wise sum that started at 1 in every lane (<see cref="ExpSumStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExp(Vector512<double> value, ref Vector512<double> sum, ref Vector512<double> compensation) => AccumulateExp<Simd512D, Vector512<double>, double>(value, ref sum, ref compensation);

    /// <summary>The total of an <c>AccumulateExp</c> sum, in double, without the start value of its lanes (taken off each lane exactly: every lane is at least 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TotalExp(Vector512<double> sum, Vector512<double> compensation) => SumAcross(sum - Vector512<double>.One) + SumAcross(compensation);

    /// <summary>Adds e^(x - max) (each lane in [0, 1]) to a compensated lane-wise sum that started at 1 in every lane (<see cref="ExpSumStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExp(Vector256<double> value, ref Vector256<double> sum, ref Vector256<double> compensation) => AccumulateExp<Simd256D, Vector256<double>, double>(value, ref sum, ref compensation);

    /// <summary>The total of an <c>AccumulateExp</c> sum, in double, without the start value of its lanes (taken off each lane exactly: every lane is at least 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TotalExp(Vector256<double> sum, Vector256<double> compensation) => SumAcross(sum - Vector256<double>.One) + SumAcross(compensation);

    /// <summary>Adds e^(x - max) (each lane in [0, 1]) to a compensated lane-wise sum that started at 1 in every lane (<see cref="ExpSumStart"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExp(Vector128<double> value, ref Vector128<double> sum, ref Vector128<double> compensation) => AccumulateExp<Simd128D, Vector128<double>, double>(value, ref sum, ref compensation);

    /// <summary>The total of an <c>AccumulateExp</c> sum, in double, without the start value of its lanes (taken off each lane exactly: every lane is at least 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TotalExp(Vector128<double> sum, Vector128<double> compensation) => SumAcross(sum - Vector128<double>.One) + SumAcross(compensation);
}
