using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The fallback for float rows shorter than a vector: SIMD across rows instead of across classes. A block of W rows
/// (W = the vector's lane count) is copied column by column into a small buffer on the stack, so that vector j holds
/// class j of the W rows; max, exponential, sum and scale are then lane-wise, with no horizontal reductions and no
/// masks, and the results are copied back row by row. This is what the generated block layout does with constant
/// shuffles; here the class count is only known at run time, so the transpose is a pair of scalar copies. The last
/// rows (fewer than W) go through <see cref="RowKernels"/>' scalar path. All of a block is read before any of it is
/// written, so in-place calls are safe.
/// </summary>
internal static class ColumnKernels
{
    /// <summary>The largest class count this layout takes: the scratch buffer holds at most this many vectors.</summary>
    internal const int MaxClasses = 16;

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

        return lossSum + RowKernels.CrossEntropy<ScalarF, float, float>(
            ref Unsafe.Add(ref x, full * classes), targets.Slice((int)full), losses.IsEmpty ? default : losses.Slice((int)full), rows - full, classes);
    }

    /// <summary>Copies W rows into <paramref name="cols"/> so that vector j holds class j of every row; returns the lane-wise row maxima.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Gather<TOps, TVec>(ref float xb, ref float cols, nuint width, nuint classes)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        for (nuint r = 0; r < width; r++)
        {
            ref float xr = ref Unsafe.Add(ref xb, r * classes);
            for (nuint j = 0; j < classes; j++)
            {
                Unsafe.Add(ref cols, j * width + r) = Unsafe.Add(ref xr, j);
            }
        }

        TVec max = TOps.Load(ref cols, 0);
        for (nuint j = 1; j < classes; j++)
        {
            max = TOps.MaxNative(max, TOps.Load(ref cols, j * width));
        }

        return max;
    }

    /// <summary>Copies the columns back to W row-major rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scatter(ref float cols, ref float yb, nuint width, nuint classes)
    {
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LogNormalizer<TOps, TVec>(TVec max, TVec sum, TVec compensation, out TVec high, out TVec low)
        where TOps : ISimd<TVec, float>
        where TVec : struct
    {
        Unsafe.SkipInit(out high);
        Unsafe.SkipInit(out low);
        if (typeof(TVec) == typeof(Vector512<float>))
        {
            SoftmaxMath.LogNormalizer(As<TVec, Vector512<float>>(max), As<TVec, Vector512<float>>(sum), As<TVec, Vector512<float>>(compensation),
                out Unsafe.As<TVec, Vector512<float>>(ref high), out Unsafe.As<TVec, Vector512<float>>(ref low));
        }
        else if (typeof(TVec) == typeof(Vector256<float>))
        {
            SoftmaxMath.LogNormalizer(As<TVec, Vector256<float>>(max), As<TVec, Vector256<float>>(sum), As<TVec, Vector256<float>>(compensation),
                out Unsafe.As<TVec, Vector256<float>>(ref high), out Unsafe.As<TVec, Vector256<float>>(ref low));
        }
        else if (typeof(TVec) == typeof(Vector128<float>))
        {
            SoftmaxMath.LogNormalizer(As<TVec, Vector128<float>>(max), As<TVec, Vector128<float>>(sum), As<TVec, Vector128<float>>(compensation),
                out Unsafe.As<TVec, Vector128<float>>(ref high), out Unsafe.As<TVec, Vector128<float>>(ref low));
        }
        else
        {
            throw new NotSupportedException();
        }
    }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTo As<TFrom, TTo>(TFrom value) => Unsafe.As<TFrom, TTo>(ref value);
}
