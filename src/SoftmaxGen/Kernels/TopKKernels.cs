using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The k most probable classes of each row and their softmax probabilities, without writing the full softmax.
/// Per row: one scalar pass selects the k largest logits into a bounded heap kept in the row's own outputs (the
/// logits in <c>probabilities</c>, the class indices in <c>indices</c>) and sorts it; the largest is the row maximum,
/// so one vectorised pass (the row kernels' compensated sum) gives <c>sum_j e^(x_j - max)</c>, and only the k
/// selected probabilities are computed, exactly as softmax computes them.
/// </summary>
internal static class TopKKernels
{
    internal static void TopK(ReadOnlySpan<float> logits, int k, Span<int> indices, Span<float> probabilities, int rows, int classes)
    {
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> x = logits.Slice(row * classes, classes);
            Span<float> p = probabilities.Slice(row * k, k);
            Select(x, indices.Slice(row * k, k), p);
            float max = p[0];
            double total = RowTotal(x, max);

            // As softmax: e^(x - max) times 1/sum rounded once from double.
            float scale = (float)(1.0 / total);
            for (int j = 0; j < p.Length; j++)
            {
                p[j] = SoftmaxMath.ExpShifted(p[j], -max) * scale;
            }
        }
    }

    internal static void TopK(ReadOnlySpan<double> logits, int k, Span<int> indices, Span<double> probabilities, int rows, int classes)
    {
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<double> x = logits.Slice(row * classes, classes);
            Span<double> p = probabilities.Slice(row * k, k);
            Select(x, indices.Slice(row * k, k), p);
            double max = p[0];
            double total = RowTotal(x, max);

            // As softmax: e^(x - max) divided by the sum (one rounding).
            for (int j = 0; j < p.Length; j++)
            {
                p[j] = SoftmaxMath.ExpShifted(p[j], -max) / total;
            }
        }
    }

    /// <summary>The compensated sum of e^(x - max) over one row, with the widest vector no longer than the row (as softmax).</summary>
    private static double RowTotal(ReadOnlySpan<float> x, float max)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint classes = (nuint)x.Length;
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
            return RowTotal<Simd512F, Vector512<float>, float>(ref xr, classes, max);
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
            return RowTotal<Simd256F, Vector256<float>, float>(ref xr, classes, max);
        if (Vector128.IsHardwareAccelerated && x.Length >= Vector128<float>.Count)
            return RowTotal<Simd128F, Vector128<float>, float>(ref xr, classes, max);
        return RowTotal<ScalarF, float, float>(ref xr, classes, max);
    }

    private static double RowTotal(ReadOnlySpan<double> x, double max)
    {
        ref double xr = ref MemoryMarshal.GetReference(x);
        nuint classes = (nuint)x.Length;
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<double>.Count)
            return RowTotal<Simd512D, Vector512<double>, double>(ref xr, classes, max);
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<double>.Count)
            return RowTotal<Simd256D, Vector256<double>, double>(ref xr, classes, max);
        if (Vector128.IsHardwareAccelerated && x.Length >= Vector128<double>.Count)
            return RowTotal<Simd128D, Vector128<double>, double>(ref xr, classes, max);
        return RowTotal<ScalarD, double, double>(ref xr, classes, max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double RowTotal<TOps, TVec, T>(ref T xr, nuint classes, T max)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count;
        nuint last = classes - width;
        TVec repeated = TOps.FirstLanes((int)(((last + width - 1) / width * width) - last));
        return RowKernels.RowSum<TOps, TVec, T>(ref xr, last, TOps.Load(ref xr, last), TOps.Splat(-max), repeated);
    }

    /// <summary>
    /// Writes the k largest values of <paramref name="x"/>, largest first, into <paramref name="values"/> and their
    /// indices into <paramref name="indices"/>. Equal values: the lower index first. NaN counts as larger than every
    /// number (as in torch.topk and torch.argmax). O(classes log k): a heap of the k best so far with the worst at the
    /// root, then a heap sort.
    /// </summary>
    private static void Select<T>(ReadOnlySpan<T> x, Span<int> indices, Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = values.Length;
        for (int j = 0; j < k; j++)
        {
            // Sift up: the new entry rises while it is worse than its parent.
            values[j] = x[j];
            indices[j] = j;
            int i = j;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Better(values[parent], indices[parent], values[i], indices[i]))
                {
                    break;
                }

                Swap(indices, values, i, parent);
                i = parent;
            }
        }

        // The common case is one comparison with the worst kept value: a value at most equal to it cannot enter (an
        // equal one has the higher index). Only NaN, on either side, needs the full ranking.
        T threshold = values[0];
        for (int j = k; j < x.Length; j++)
        {
            T v = x[j];
            if (v <= threshold)
            {
                continue;
            }

            if (v > threshold || Better(v, j, threshold, indices[0]))
            {
                values[0] = v;
                indices[0] = j;
                SiftDown(indices, values, 0, k);
                threshold = values[0];
            }
        }

        // Heap sort: move the worst to the end, repeatedly, leaving the best at the front.
        for (int end = k - 1; end > 0; end--)
        {
            Swap(indices, values, 0, end);
            SiftDown(indices, values, 0, end);
        }
    }

    private static void SiftDown<T>(Span<int> indices, Span<T> values, int i, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        while (true)
        {
            int worst = (2 * i) + 1;
            if (worst >= count)
            {
                return;
            }

            int right = worst + 1;
            if (right < count && Better(values[worst], indices[worst], values[right], indices[right]))
            {
                worst = right;
            }

            if (!Better(values[i], indices[i], values[worst], indices[worst]))
            {
                return;
            }

            Swap(indices, values, i, worst);
            i = worst;
        }
    }

    /// <summary>Whether (a, ia) ranks before (b, ib): larger value first, NaN first of all, lower index on ties.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Better<T>(T a, int ia, T b, int ib)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a > b)
        {
            return true;
        }

        if (a < b)
        {
            return false;
        }

        // Equal, or at least one NaN.
        bool aNaN = T.IsNaN(a), bNaN = T.IsNaN(b);
        return aNaN == bNaN ? ia < ib : aNaN;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Swap<T>(Span<int> indices, Span<T> values, int i, int j)
    {
        (indices[i], indices[j]) = (indices[j], indices[i]);
        (values[i], values[j]) = (values[j], values[i]);
    }
}
