using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SoftmaxGen.Kernels;

// The finishing steps of the generated kernels that process small rows a block at a time: every lane of a vector
// is one row, so the normaliser of each row is a lane of a vector. Computed in double so that they add no error
// of their own to the float results.
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

    /// <summary>Lane-wise 1 / (sum + compensation), computed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Reciprocal(Vector512<float> sum, Vector512<float> compensation) =>
        Vector512.Narrow(
            Vector512<double>.One / (Vector512.WidenLower(sum) + Vector512.WidenLower(compensation)),
            Vector512<double>.One / (Vector512.WidenUpper(sum) + Vector512.WidenUpper(compensation)));

    /// <inheritdoc cref="Reciprocal(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Reciprocal(Vector256<float> sum, Vector256<float> compensation) =>
        Vector256.Narrow(
            Vector256<double>.One / (Vector256.WidenLower(sum) + Vector256.WidenLower(compensation)),
            Vector256<double>.One / (Vector256.WidenUpper(sum) + Vector256.WidenUpper(compensation)));

    /// <inheritdoc cref="Reciprocal(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Reciprocal(Vector128<float> sum, Vector128<float> compensation) =>
        Vector128.Narrow(
            Vector128<double>.One / (Vector128.WidenLower(sum) + Vector128.WidenLower(compensation)),
            Vector128<double>.One / (Vector128.WidenUpper(sum) + Vector128.WidenUpper(compensation)));

    /// <summary>
    /// Lane-wise <c>max + ln(sum + compensation)</c> as a high and a low part whose sum is exact, so that
    /// <c>(x - high) - low</c> is log-softmax to within one rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogNormalizer(Vector512<float> max, Vector512<float> sum, Vector512<float> compensation, out Vector512<float> high, out Vector512<float> low)
    {
        Vector512<double> maxLower = Vector512.WidenLower(max), maxUpper = Vector512.WidenUpper(max);
        Vector512<double> logLower = Vector512.Log(Vector512.WidenLower(sum) + Vector512.WidenLower(compensation));
        Vector512<double> logUpper = Vector512.Log(Vector512.WidenUpper(sum) + Vector512.WidenUpper(compensation));
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
        Vector256<double> logLower = Vector256.Log(Vector256.WidenLower(sum) + Vector256.WidenLower(compensation));
        Vector256<double> logUpper = Vector256.Log(Vector256.WidenUpper(sum) + Vector256.WidenUpper(compensation));
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
        Vector128<double> logLower = Vector128.Log(Vector128.WidenLower(sum) + Vector128.WidenLower(compensation));
        Vector128<double> logUpper = Vector128.Log(Vector128.WidenUpper(sum) + Vector128.WidenUpper(compensation));
        Vector128<double> lower = maxLower + logLower, upper = maxUpper + logUpper;
        high = Vector128.Narrow(lower, upper);
        low = Vector128.Narrow(
            (lower - Vector128.WidenLower(high)) + TwoSumError<Simd128D, Vector128<double>, double>(maxLower, logLower, lower),
            (upper - Vector128.WidenUpper(high)) + TwoSumError<Simd128D, Vector128<double>, double>(maxUpper, logUpper, upper));
    }

    /// <summary>
    /// The cross-entropy of the rows of a block whose row maxima and compensated sums of e^(x - max) are lanes:
    /// row r's loss is <c>(max[r] - x[r, targets[r]]) + ln(sum[r] + compensation[r])</c>.
    /// </summary>
    /// <param name="x">The first logit of the block.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="targets">The targets of the block's valid rows (at most one per lane).</param>
    /// <param name="losses">Empty, or receives one loss per valid row.</param>
    /// <param name="max">Row maxima, one per lane.</param>
    /// <param name="sum">Row sums, one per lane.</param>
    /// <param name="compensation">The sums' compensation terms.</param>
    /// <returns>The sum of the block's losses.</returns>
    public static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector512<float> max, Vector512<float> sum, Vector512<float> compensation)
    {
        Span<float> lanes = stackalloc float[3 * Vector512<float>.Count];
        max.CopyTo(lanes);
        sum.CopyTo(lanes.Slice(Vector512<float>.Count));
        compensation.CopyTo(lanes.Slice(2 * Vector512<float>.Count));
        return BlockLosses(ref x, classes, targets, losses, lanes, Vector512<float>.Count);
    }

    /// <inheritdoc cref="BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
    public static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector256<float> max, Vector256<float> sum, Vector256<float> compensation)
    {
        Span<float> lanes = stackalloc float[3 * Vector256<float>.Count];
        max.CopyTo(lanes);
        sum.CopyTo(lanes.Slice(Vector256<float>.Count));
        compensation.CopyTo(lanes.Slice(2 * Vector256<float>.Count));
        return BlockLosses(ref x, classes, targets, losses, lanes, Vector256<float>.Count);
    }

    /// <inheritdoc cref="BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
    public static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector128<float> max, Vector128<float> sum, Vector128<float> compensation)
    {
        Span<float> lanes = stackalloc float[3 * Vector128<float>.Count];
        max.CopyTo(lanes);
        sum.CopyTo(lanes.Slice(Vector128<float>.Count));
        compensation.CopyTo(lanes.Slice(2 * Vector128<float>.Count));
        return BlockLosses(ref x, classes, targets, losses, lanes, Vector128<float>.Count);
    }

    private static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, ReadOnlySpan<float> lanes, int width)
    {
        double total = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            // Rounded to float before it is summed, so that a mean equals the mean of the per-row losses (as in PyTorch).
            float loss = (float)RowLoss(lanes[r], Unsafe.Add(ref x, r * classes + targets[r]), (double)lanes[width + r] + lanes[2 * width + r]);
            if (!losses.IsEmpty)
            {
                losses[r] = loss;
            }

            total += loss;
        }

        return total;
    }
}
