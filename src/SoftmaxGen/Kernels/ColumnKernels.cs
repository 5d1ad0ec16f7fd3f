using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The layout for short float rows (shorter than a vector, or up to 63 classes with Vector512 or Vector256): SIMD across rows instead of across classes. A block of W rows
/// (W = the vector's lane count) is copied column by column into a small buffer on the stack, so that vector j holds
/// class j of the W rows; max, exponential, sum and scale are then lane-wise, with no horizontal reductions and no
/// masks, and the results are copied back row by row. This is what the generated block layout does with constant
/// shuffles; here the class count is only known at run time, so the transpose is done in 8 x 8 register tiles (Vector256,
/// rows of at least 8 classes, the last tile overlapping the one before), four classes at a time
/// (<see cref="SoftmaxMath.LoadClassQuad(ref float, nuint, nuint, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/>,
/// Vector512 and shorter Vector256 rows of at least 4 classes, the last quad overlapping the one before) or else by scalar copies. The last
/// rows (fewer than W) go through <see cref="RowKernels"/> with the widest vector no longer than a row. All of a block is read before any of it is
/// written, so in-place calls are safe.
/// </summary>
[SkipLocalsInit] // the scratch buffer is written before it is read: no need to clear 4 KB of stack per call
internal static class ColumnKernels
{
    /// <summary>Class counts below this take the layout on the Vector512 and Vector256 tiers (measured faster than the row layout up to about 60 classes); the scratch buffer holds this many vectors.</summary>
    internal const int MaxClasses = 64;

    /// <summary>The smallest class count that the Vector256 tier transposes through 8 x 8 register tiles.</summary>
    internal const int MinTileClasses = 8;

    internal static void Softmax<TOps, TVec>(ref float x, ref float y, nuint rows, nuint classes)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        nuint width = (nuint)TOps.Count;
        Span<float> scratch = stackalloc float[MaxClasses * Vector512<float>.Count];
        ref float cols = ref scratch[0];
        nuint full = rows - rows % width;
        for (nuint row = 0; row < full; row += width)
        {
            ref float xb = ref Unsafe.Add(ref x, row * classes);
            ref float yb = ref Unsafe.Add(ref y, row * classes);
            TVec max = Gather<TOps, TVec>(ref xb, ref cols, width, classes);
            TVec negatedMax = TOps.Subtract(default, max);

            TVec sum = TOps.Splat(1f), compensation = default;
            for (nuint j = 0; j < classes; j++)
            {
                TVec e = TOps.ExpShifted(TOps.Load(ref cols, j * width), negatedMax);
                TOps.Store(e, ref cols, j * width);
                SoftmaxMath.AccumulateExp<TOps, TVec, float>(e, ref sum, ref compensation);
            }

            // One multiplication by 1 / sum per value, as the generated block kernels do.
            TVec scale = TOps.Divide(TOps.Splat(1f), TOps.Add(TOps.Subtract(sum, TOps.Splat(1f)), compensation));
            for (nuint j = 0; j < classes; j++)
            {
                TOps.Store(TOps.Multiply(TOps.Load(ref cols, j * width), scale), ref cols, j * width);
            }

            Scatter(ref cols, ref yb, width, classes);
        }

        if (classes >= 8 && Vector256.IsHardwareAccelerated)
            RowKernels.Softmax<Simd256F, Vector256<float>, float>(ref Unsafe.Add(ref x, full * classes), ref Unsafe.Add(ref y, full * classes), rows - full, classes);
        else if (classes >= 4 && Vector128.IsHardwareAccelerated)
            RowKernels.Softmax<Simd128F, Vector128<float>, float>(ref Unsafe.Add(ref x, full * classes), ref Unsafe.Add(ref y, full * classes), rows - full, classes);
        else
            RowKernels.Softmax<ScalarF, float, float>(ref Unsafe.Add(ref x, full * classes), ref Unsafe.Add(ref y, full * classes), rows - full, classes);
    }

    internal static void LogSoftmax<TOps, TVec>(ref float x, ref float y, nuint rows, nuint classes)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        nuint width = (nuint)TOps.Count;
        Span<float> scratch = stackalloc float[MaxClasses * Vector512<float>.Count];
        ref float cols = ref scratch[0];
        nuint full = rows - rows % width;
        for (nuint row = 0; row < full; row += width)
        {
            ref float xb = ref Unsafe.Add(ref x, row * classes);
            ref float yb = ref Unsafe.Add(ref y, row * classes);
            TVec max = Gather<TOps, TVec>(ref xb, ref cols, width, classes);
            (TVec sum, TVec compensation) = SumExp<TOps, TVec>(ref cols, width, classes, max);

            // log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly (computed in double).
            LogNormalizer<TOps, TVec>(max, sum, compensation, out TVec high, out TVec low);
            for (nuint j = 0; j < classes; j++)
            {
                TOps.Store(TOps.Subtract(TOps.Subtract(TOps.Load(ref cols, j * width), high), low), ref cols, j * width);
            }

            Scatter(ref cols, ref yb, width, classes);
        }

        if (classes >= 8 && Vector256.IsHardwareAccelerated)
            RowKernels.LogSoftmax<Simd256F, Vector256<float>, float>(ref Unsafe.Add(ref x, full * classes), ref Unsafe.Add(ref y, full * classes), rows - full, classes);
        else if (classes >= 4 && Vector128.IsHardwareAccelerated)
            RowKernels.LogSoftmax<Simd128F, Vector128<float>, float>(ref Unsafe.Add(ref x, full * classes), ref Unsafe.Add(ref y, full * classes), rows - full, classes);
        else
            RowKernels.LogSoftmax<ScalarF, float, float>(ref Unsafe.Add(ref x, full * classes), ref Unsafe.Add(ref y, full * classes), rows - full, classes);
    }

    internal static double CrossEntropy<TOps, TVec>(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, nuint classes)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        nuint width = (nuint)TOps.Count;
        Span<float> scratch = stackalloc float[MaxClasses * Vector512<float>.Count];
        ref float cols = ref scratch[0];
        nuint full = rows - rows % width;
        double lossSum = 0;
        for (nuint row = 0; row < full; row += width)
        {
            ref float xb = ref Unsafe.Add(ref x, row * classes);
            TVec max = Gather<TOps, TVec>(ref xb, ref cols, width, classes);
            (TVec sum, TVec compensation) = SumExp<TOps, TVec>(ref cols, width, classes, max);
            lossSum += BlockLosses<TOps, TVec>(
                ref xb, (int)classes, targets.Slice((int)row, (int)width), losses.IsEmpty ? default : losses.Slice((int)row, (int)width), max, sum, compensation);
        }

        ref float xt = ref Unsafe.Add(ref x, full * classes);
        ReadOnlySpan<int> tailTargets = targets.Slice((int)full);
        Span<float> tailLosses = losses.IsEmpty ? default : losses.Slice((int)full);
        if (classes >= 8 && Vector256.IsHardwareAccelerated)
            return lossSum + RowKernels.CrossEntropy<Simd256F, Vector256<float>, float>(ref xt, tailTargets, tailLosses, rows - full, classes);
        if (classes >= 4 && Vector128.IsHardwareAccelerated)
            return lossSum + RowKernels.CrossEntropy<Simd128F, Vector128<float>, float>(ref xt, tailTargets, tailLosses, rows - full, classes);
        return lossSum + RowKernels.CrossEntropy<ScalarF, float, float>(ref xt, tailTargets, tailLosses, rows - full, classes);
    }

    /// <summary>Copies W rows into <paramref name="cols"/> so that vector j holds class j of every row; returns the lane-wise row maxima.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Gather<TOps, TVec>(ref float xb, ref float cols, nuint width, nuint classes)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector256<float>) && Avx.IsSupported && classes >= 8)
        {
            // Rows of at least 8: 8 x 8 tiles transposed in registers, the last tile ending at the row's end
            // (it may overlap the one before; the repeated columns are written twice with the same values).
            for (nuint o = 0; ; o += 8)
            {
                o = Math.Min(o, classes - 8);
                Transpose(
                    Vector256.LoadUnsafe(ref xb, o), Vector256.LoadUnsafe(ref xb, classes + o),
                    Vector256.LoadUnsafe(ref xb, 2 * classes + o), Vector256.LoadUnsafe(ref xb, 3 * classes + o),
                    Vector256.LoadUnsafe(ref xb, 4 * classes + o), Vector256.LoadUnsafe(ref xb, 5 * classes + o),
                    Vector256.LoadUnsafe(ref xb, 6 * classes + o), Vector256.LoadUnsafe(ref xb, 7 * classes + o),
                    ref Unsafe.Add(ref cols, o * 8), 8);
                if (o + 8 == classes)
                {
                    break;
                }
            }
        }
        else if (typeof(TVec) == typeof(Vector512<float>) && classes >= 4)
        {
            // Four classes at a time (SoftmaxMath.LoadClassQuad), the last quad ending at the row's end.
            for (nuint o = 0; ; o += 4)
            {
                o = Math.Min(o, classes - 4);
                SoftmaxMath.LoadClassQuad(ref xb, classes, o, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
                a0.StoreUnsafe(ref cols, o * 16);
                a1.StoreUnsafe(ref cols, (o + 1) * 16);
                a2.StoreUnsafe(ref cols, (o + 2) * 16);
                a3.StoreUnsafe(ref cols, (o + 3) * 16);
                if (o + 4 == classes)
                {
                    break;
                }
            }
        }
        else if (typeof(TVec) == typeof(Vector256<float>) && classes >= 4)
        {
            for (nuint o = 0; ; o += 4)
            {
                o = Math.Min(o, classes - 4);
                SoftmaxMath.LoadClassQuad(ref xb, classes, o, out Vector256<float> a0, out Vector256<float> a1, out Vector256<float> a2, out Vector256<float> a3);
                a0.StoreUnsafe(ref cols, o * 8);
                a1.StoreUnsafe(ref cols, (o + 1) * 8);
                a2.StoreUnsafe(ref cols, (o + 2) * 8);
                a3.StoreUnsafe(ref cols, (o + 3) * 8);
                if (o + 4 == classes)
                {
                    break;
                }
            }
        }
        else
        {
            GatherScalar(ref xb, ref cols, width, classes);
        }

        TVec max = TOps.Load(ref cols, 0);
        for (nuint j = 1; j < classes; j++)
        {
            max = TOps.MaxNative(max, TOps.Load(ref cols, j * width));
        }

        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherScalar(ref float xb, ref float cols, nuint width, nuint classes)
    {
        for (nuint r = 0; r < width; r++)
        {
            ref float xr = ref Unsafe.Add(ref xb, r * classes);
            for (nuint j = 0; j < classes; j++)
            {
                Unsafe.Add(ref cols, j * width + r) = Unsafe.Add(ref xr, j);
            }
        }
    }

    /// <summary>Copies the columns back to W row-major rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scatter(ref float cols, ref float yb, nuint width, nuint classes)
    {
        if (width == 8 && Avx.IsSupported && classes >= 8)
        {
            for (nuint o = 0; ; o += 8)
            {
                o = Math.Min(o, classes - 8);
                ref float c = ref Unsafe.Add(ref cols, o * 8);
                Transpose(
                    Vector256.LoadUnsafe(ref c, 0), Vector256.LoadUnsafe(ref c, 8), Vector256.LoadUnsafe(ref c, 16), Vector256.LoadUnsafe(ref c, 24),
                    Vector256.LoadUnsafe(ref c, 32), Vector256.LoadUnsafe(ref c, 40), Vector256.LoadUnsafe(ref c, 48), Vector256.LoadUnsafe(ref c, 56),
                    ref Unsafe.Add(ref yb, o), classes);
                if (o + 8 == classes)
                {
                    return;
                }
            }
        }

        if (width == 16 && classes >= 4)
        {
            for (nuint o = 0; ; o += 4)
            {
                o = Math.Min(o, classes - 4);
                SoftmaxMath.StoreClassQuad(
                    ref yb, classes, o,
                    Vector512.LoadUnsafe(ref cols, o * 16), Vector512.LoadUnsafe(ref cols, (o + 1) * 16),
                    Vector512.LoadUnsafe(ref cols, (o + 2) * 16), Vector512.LoadUnsafe(ref cols, (o + 3) * 16));
                if (o + 4 == classes)
                {
                    return;
                }
            }
        }

        if (width == 8 && classes >= 4)
        {
            for (nuint o = 0; ; o += 4)
            {
                o = Math.Min(o, classes - 4);
                SoftmaxMath.StoreClassQuad(
                    ref yb, classes, o,
                    Vector256.LoadUnsafe(ref cols, o * 8), Vector256.LoadUnsafe(ref cols, (o + 1) * 8),
                    Vector256.LoadUnsafe(ref cols, (o + 2) * 8), Vector256.LoadUnsafe(ref cols, (o + 3) * 8));
                if (o + 4 == classes)
                {
                    return;
                }
            }
        }

        for (nuint r = 0; r < width; r++)
        {
            ref float yr = ref Unsafe.Add(ref yb, r * classes);
            for (nuint j = 0; j < classes; j++)
            {
                Unsafe.Add(ref yr, j) = Unsafe.Add(ref cols, j * width + r);
            }
        }
    }

    /// <summary>The lane-wise compensated sum of e^(x - max), started at 1 per lane (see <see cref="SoftmaxMath.AccumulateExp{TOps, TVec, T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TVec Sum, TVec Compensation) SumExp<TOps, TVec>(ref float cols, nuint width, nuint classes, TVec max)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        TVec negatedMax = TOps.Subtract(default, max);
        TVec sum = TOps.Splat(1f), compensation = default;
        for (nuint j = 0; j < classes; j++)
        {
            SoftmaxMath.AccumulateExp<TOps, TVec, float>(TOps.ExpShifted(TOps.Load(ref cols, j * width), negatedMax), ref sum, ref compensation);
        }

        return (sum, compensation);
    }

    // The block normalisers of the generated kernels (BlockMath.cs), picked by vector type; the JIT folds the tests.

    /// <summary>Lane-wise max + ln(sum) as high + low: the vector normaliser the axis kernels use too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LogNormalizer<TOps, TVec>(TVec max, TVec sum, TVec compensation, out TVec high, out TVec low)
        where TOps : ISimd<TVec, float>
        where TVec : struct
        => AxisKernels.LogNormalizer<TOps, TVec, float>(max, sum, compensation, out high, out low);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double BlockLosses<TOps, TVec>(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, TVec max, TVec sum, TVec compensation)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        if (typeof(TVec) == typeof(Vector512<float>))
            return SoftmaxMath.BlockLosses(ref x, classes, targets, losses, As<TVec, Vector512<float>>(max), As<TVec, Vector512<float>>(sum), As<TVec, Vector512<float>>(compensation));
        if (typeof(TVec) == typeof(Vector256<float>))
            return SoftmaxMath.BlockLosses(ref x, classes, targets, losses, As<TVec, Vector256<float>>(max), As<TVec, Vector256<float>>(sum), As<TVec, Vector256<float>>(compensation));
        if (typeof(TVec) == typeof(Vector128<float>))
            return SoftmaxMath.BlockLosses(ref x, classes, targets, losses, As<TVec, Vector128<float>>(max), As<TVec, Vector128<float>>(sum), As<TVec, Vector128<float>>(compensation));
        throw new NotSupportedException();
    }

    /// <summary>
    /// Transposes the 8 x 8 tile held by 8 vectors and stores its rows <paramref name="stride"/> values apart:
    /// unpack pairs, shuffle quads, swap 128-bit halves (24 shuffles for 64 values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
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
    private static TTo As<TFrom, TTo>(TFrom value) => Unsafe.As<TFrom, TTo>(ref value);
}

/// <summary>
/// The column layout for generated kernels: float rows of up to 63 classes, a block of 16 rows (Vector512, transposed
/// four classes at a time) or 8 rows (Vector256, through 8 x 8 register tiles) so that each lane is one row. The
/// generated kernels call it with their class count; the fallback runs the same code, so there is one implementation.
/// </summary>
/// <remarks>Public for generated code only; callers validate the arguments.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ColumnLayout
{
    /// <summary>The largest class count plus one that the layout takes.</summary>
    public const int MaxClasses = ColumnKernels.MaxClasses;

    /// <summary>Softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (4 to 63), 16 rows at a time.</summary>
    /// <param name="x">The first logit.</param>
    /// <param name="y">The first output; may be <paramref name="x"/>.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    public static void Softmax512(ref float x, ref float y, nuint rows, int classes) =>
        ColumnKernels.Softmax<Simd512F, Vector512<float>>(ref x, ref y, rows, (nuint)classes);

    /// <summary>Log-softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (4 to 63), 16 rows at a time.</summary>
    /// <param name="x">The first logit.</param>
    /// <param name="y">The first output; may be <paramref name="x"/>.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    public static void LogSoftmax512(ref float x, ref float y, nuint rows, int classes) =>
        ColumnKernels.LogSoftmax<Simd512F, Vector512<float>>(ref x, ref y, rows, (nuint)classes);

    /// <summary>Cross-entropy of <paramref name="rows"/> validated rows against class targets, 16 rows at a time; returns the sum of the row losses.</summary>
    /// <param name="x">The first logit.</param>
    /// <param name="targets">One valid class index per row.</param>
    /// <param name="losses">Empty, or receives one loss per row.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    public static double CrossEntropy512(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, int classes) =>
        ColumnKernels.CrossEntropy<Simd512F, Vector512<float>>(ref x, targets, losses, rows, (nuint)classes);

    /// <summary>Softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (8 to 63), 8 rows at a time.</summary>
    /// <param name="x">The first logit.</param>
    /// <param name="y">The first output; may be <paramref name="x"/>.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    public static void Softmax256(ref float x, ref float y, nuint rows, int classes) =>
        ColumnKernels.Softmax<Simd256F, Vector256<float>>(ref x, ref y, rows, (nuint)classes);

    /// <summary>Log-softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (8 to 63), 8 rows at a time.</summary>
    /// <param name="x">The first logit.</param>
    /// <param name="y">The first output; may be <paramref name="x"/>.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    public static void LogSoftmax256(ref float x, ref float y, nuint rows, int classes) =>
        ColumnKernels.LogSoftmax<Simd256F, Vector256<float>>(ref x, ref y, rows, (nuint)classes);

    /// <summary>Cross-entropy of <paramref name="rows"/> validated rows against class targets, 8 rows at a time; returns the sum of the row losses.</summary>
    /// <param name="x">The first logit.</param>
    /// <param name="targets">One valid class index per row.</param>
    /// <param name="losses">Empty, or receives one loss per row.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    public static double CrossEntropy256(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, int classes) =>
        ColumnKernels.CrossEntropy<Simd256F, Vector256<float>>(ref x, targets, losses, rows, (nuint)classes);
}
