using System.Buffers;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The k most probable classes of each row and their softmax probabilities. Per row: one scalar pass selects the k
/// largest logits into a bounded heap kept in the row's own outputs (the logits in <c>probabilities</c>, the class
/// indices in <c>indices</c>) and sorts it; then the row's softmax, by the same kernel that Softmax dispatches to, goes
/// into a scratch row, and the k selected probabilities are read from it, so they are Softmax's values bit for bit.
/// </summary>
internal static class TopKKernels
{
    // Rows up to this long are softmaxed into a stack buffer; longer ones into a pooled array.
    private const int StackClasses = 1024;

    internal static void TopK<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> logits, int k, Span<int> indices, Span<T> probabilities, int rows, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[]? rented = classes > StackClasses ? ArrayPool<T>.Shared.Rent(classes) : null;
        Span<T> softmax = rented is null ? stackalloc T[StackClasses] : rented;
        softmax = softmax.Slice(0, classes);
        try
        {
            for (int row = 0; row < rows; row++)
            {
                ReadOnlySpan<T> x = logits.Slice(row * classes, classes);
                Span<int> top = indices.Slice(row * k, k);
                Select(x, top, probabilities.Slice(row * k, k));

                // The probabilities are those the same kernel's Softmax gives the row, bit for bit.
                RowSoftmax(kernel, x, softmax, classes, precision);
                for (int j = 0; j < k; j++)
                {
                    probabilities[row * k + j] = softmax[top[j]];
                }
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<T>.Shared.Return(rented);
        }
    }

    // One row's softmax by the kernel, or by the fallback where there is none.
    private static void RowSoftmax<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> x, Span<T> softmax, int classes, SoftmaxPrecision precision)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            RowSoftmax(kernel, MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(softmax), classes, precision);
        else
            RowSoftmax(kernel, MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(softmax), classes, precision);
    }

    private static void RowSoftmax(SoftmaxKernel? kernel, ReadOnlySpan<float> x, Span<float> softmax, int classes, SoftmaxPrecision precision)
    {
        if (kernel is null)
            SoftmaxFallback.SoftmaxCore(x, softmax, 1, classes, precision);
        else
            kernel.Softmax(x, softmax);
    }

    private static void RowSoftmax(SoftmaxKernel? kernel, ReadOnlySpan<double> x, Span<double> softmax, int classes, SoftmaxPrecision precision)
    {
        if (kernel is null)
            SoftmaxFallback.SoftmaxCore(x, softmax, 1, classes, precision);
        else
            kernel.Softmax(x, softmax);
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
