using System.Buffers;
using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

/// <summary>What a block of rows computes in <see cref="SpatialLosses.Run"/>.</summary>
internal enum SpatialLossKind
{
    /// <summary>Cross-entropy against class targets with no weight, smoothing or ignored position: the plain kernels.</summary>
    Plain,

    /// <summary>Cross-entropy against class targets with PyTorch's options.</summary>
    Options,

    /// <summary>Cross-entropy against target probabilities.</summary>
    Probabilities,
}

/// <summary>
/// The cross-entropy of K-dimensional input, <c>[outer, classes, inner]</c> logits with one target per position
/// (PyTorch's <c>F.cross_entropy</c> on <c>[N, C, d1..dk]</c>). A block of adjacent positions of one outer index is
/// transposed into a pooled buffer as rows of <c>classes</c> values, the row-major loss runs on those rows (the same
/// code, so a position's loss and gradient are the bits of the row form on the transposed data), and the gradient is
/// transposed back. Targets are already in position order, so they and the per-position losses are slices; long
/// targets are narrowed a block at a time into a pooled buffer.
/// </summary>
/// <remarks>
/// The buffers come from <see cref="ArrayPool{T}.Shared"/> and go back before the call returns, so once the pool holds
/// them a call allocates nothing. The mean's scale is the whole batch's, so each block's gradient is final.
/// </remarks>
internal static class SpatialLosses
{
    /// <summary>The values a block aims at: its rows stay in the first two cache levels while the loss reads them.</summary>
    private const int BlockValues = 8192;

    /// <summary>At least this many positions per block, so that a gather reads whole cache lines of each class plane.</summary>
    private const int MinimumBlockPositions = 16;

    /// <summary>The positions per block for <paramref name="classes"/> classes and planes of <paramref name="inner"/> positions.</summary>
    internal static int BlockPositions(int classes, int inner) =>
        Math.Min(inner, Math.Max(MinimumBlockPositions, BlockValues / classes));

    /// <summary>
    /// Runs the loss over every position and returns the summed terms: the loss sum (and, for
    /// <see cref="SpatialLossKind.Options"/>, the smoothing sum as the second value), unscaled.
    /// </summary>
    /// <param name="kind">The loss.</param>
    /// <param name="kernel">The registered kernel for the plain loss, or null.</param>
    /// <param name="logits">Validated <c>[outer, classes, inner]</c> logits.</param>
    /// <param name="targets">One validated class index per position, or empty.</param>
    /// <param name="longTargets">The same as longs, or empty.</param>
    /// <param name="probabilities">Target probabilities in the logits' layout, or empty.</param>
    /// <param name="losses">One value per position, or empty.</param>
    /// <param name="gradient">As long as the logits (may be the same memory), or empty.</param>
    /// <param name="outer">The outer size.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="inner">The positions per outer index.</param>
    /// <param name="classWeights">Empty or one weight per class.</param>
    /// <param name="ignoreIndex">The ignored target value.</param>
    /// <param name="labelSmoothing">The smoothing, in [0, 1].</param>
    /// <param name="scale">The gradient's scale (the reduction's, for the whole batch).</param>
    /// <param name="precision">The precision.</param>
    internal static (double Sum, double Smooth) Run<T>(
        SpatialLossKind kind, SoftmaxKernel? kernel, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets,
        ReadOnlySpan<T> probabilities, Span<T> losses, Span<T> gradient, int outer, int classes, int inner,
        ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, double scale, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = new RowLoss<T>(kind, kernel, classWeights, ignoreIndex, labelSmoothing, scale, classes, precision);
        if (inner == 1 && longTargets.IsEmpty)
        {
            // Already rows.
            return rows.Run(logits, targets, probabilities, losses, gradient, outer);
        }

        int positions = outer * inner;
        int block = inner == 1 ? Math.Min(positions, BlockValues) : BlockPositions(classes, inner);
        bool transpose = inner > 1;
        T[]? x = transpose ? ArrayPool<T>.Shared.Rent(block * classes) : null;
        T[]? p = transpose && !probabilities.IsEmpty ? ArrayPool<T>.Shared.Rent(block * classes) : null;
        int[]? narrowed = longTargets.IsEmpty ? null : ArrayPool<int>.Shared.Rent(block);
        try
        {
            double sum = 0, smooth = 0;
            nint plane = (nint)classes * inner;
            for (int o = 0; o < (transpose ? outer : 1); o++)
            {
                int end = transpose ? inner : positions;
                for (int start = 0; start < end; start += block)
                {
                    int count = Math.Min(block, end - start);
                    int position = (o * inner) + start;
                    ReadOnlySpan<int> t = targets.IsEmpty ? default : targets.Slice(position, count);
                    if (narrowed is not null)
                    {
                        // Validated: each value is a class index or the ignored value, so it fits an int.
                        for (int j = 0; j < count; j++)
                        {
                            narrowed[j] = (int)longTargets[position + j];
                        }

                        t = narrowed.AsSpan(0, count);
                    }

                    Span<T> l = losses.IsEmpty ? default : losses.Slice(position, count);
                    (double s, double m) = transpose
                        ? TransposedBlock(ref rows, logits, probabilities, gradient, t, l, x!, p, (o * plane) + start, inner, count, classes)
                        : rows.Run(
                            logits.Slice(position * classes, count * classes), t,
                            probabilities.IsEmpty ? default : probabilities.Slice(position * classes, count * classes), l,
                            gradient.IsEmpty ? default : gradient.Slice(position * classes, count * classes), count);
                    sum += s;
                    smooth += m;
                }
            }

            return (sum, smooth);
        }
        finally
        {
            if (x is not null)
                ArrayPool<T>.Shared.Return(x);
            if (p is not null)
                ArrayPool<T>.Shared.Return(p);
            if (narrowed is not null)
                ArrayPool<int>.Shared.Return(narrowed);
        }
    }

    /// <summary>
    /// The block of <paramref name="count"/> positions from <paramref name="first"/> (the offset of class 0 of its first
    /// position): gathered into rows, the row loss, the gradient scattered back.
    /// </summary>
    private static (double, double) TransposedBlock<T>(
        ref RowLoss<T> rows, ReadOnlySpan<T> logits, ReadOnlySpan<T> probabilities, Span<T> gradient, ReadOnlySpan<int> targets, Span<T> losses,
        T[] x, T[]? p, nint first, int inner, int count, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> block = x.AsSpan(0, count * classes);
        Gather(logits, block, first, inner, count, classes);
        Span<T> targetBlock = default;
        if (p is not null)
        {
            targetBlock = p.AsSpan(0, count * classes);
            Gather(probabilities, targetBlock, first, inner, count, classes);
        }

        // The gradient overwrites the block's logits (the row loss allows it in place).
        (double, double) result = rows.Run(block, targets, targetBlock, losses, gradient.IsEmpty ? default : block, count);
        if (!gradient.IsEmpty)
        {
            Scatter(block, gradient, first, inner, count, classes);
        }

        return result;
    }

    /// <summary>
    /// Copies <paramref name="count"/> positions of one plane, each a column of <paramref name="classes"/> values
    /// <paramref name="inner"/> apart, into rows: <c>rows[j, c] = source[first + c * inner + j]</c>.
    /// </summary>
    /// <remarks>
    /// 4-byte values (float, and int bits) of at least 4 classes and 8-byte values of at least 2 move a vector of
    /// positions at a time through the block layouts' in-register transposes (<see cref="ColumnKernels.TransposeBlock{TVec, T}"/>);
    /// the positions after the last whole vector, and other shapes, one value at a time. Only bits are moved, so every
    /// path gives the same result.
    /// </remarks>
    internal static void Gather<T>(ReadOnlySpan<T> source, Span<T> rows, nint first, int inner, int count, int classes)
        where T : unmanaged
        => Move(ref Unsafe.Add(ref MemoryMarshal.GetReference(source), first), ref MemoryMarshal.GetReference(rows), inner, count, classes, gather: true);

    /// <summary>The inverse of <see cref="Gather"/>: <c>destination[first + c * inner + j] = rows[j, c]</c>.</summary>
    internal static void Scatter<T>(ReadOnlySpan<T> rows, Span<T> destination, nint first, int inner, int count, int classes)
        where T : unmanaged
        => Move(ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), first), ref MemoryMarshal.GetReference(rows), inner, count, classes, gather: false);

    /// <summary>
    /// <see cref="Gather"/> (<paramref name="gather"/>: from <paramref name="plane"/> to <paramref name="rows"/>) or
    /// <see cref="Scatter"/> (back): whole vectors of positions first, then the rest one value at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Move<T>(ref T plane, ref T rows, int inner, int count, int classes, bool gather)
        where T : unmanaged
    {
        nint done = 0;
        if (Unsafe.SizeOf<T>() == sizeof(float))
            done = Vectors(ref Unsafe.As<T, float>(ref plane), ref Unsafe.As<T, float>(ref rows), inner, count, classes, gather);
        else if (Unsafe.SizeOf<T>() == sizeof(double))
            done = Vectors(ref Unsafe.As<T, double>(ref plane), ref Unsafe.As<T, double>(ref rows), inner, count, classes, gather);

        for (nint c = 0; c < classes; c++)
        {
            ref T column = ref Unsafe.Add(ref plane, c * inner);
            for (nint j = done; j < count; j++)
            {
                ref T value = ref Unsafe.Add(ref rows, (j * classes) + c);
                if (gather)
                    value = Unsafe.Add(ref column, j);
                else
                    Unsafe.Add(ref column, j) = value;
            }
        }
    }

    /// <summary>
    /// Moves whole vectors of positions between a plane (<paramref name="plane"/>, classes <paramref name="inner"/> apart)
    /// and rows (<paramref name="rows"/>) through <see cref="ColumnKernels.TransposeBlock{TVec, T}"/>, the widest vectors
    /// first; returns the positions done.
    /// </summary>
    private static nint Vectors<T>(ref T plane, ref T rows, int inner, int count, int classes, bool gather)
        where T : unmanaged
    {
        nint j = 0;
        if (Avx512F.IsSupported)
        {
            j = Vectors<Vector512<T>, T>(ref plane, ref rows, inner, count, classes, gather, j);
        }

        return Avx.IsSupported ? Vectors<Vector256<T>, T>(ref plane, ref rows, inner, count, classes, gather, j) : j;
    }

    // Compiled on its own, once per width: inlined into the loss block with both directions, the transposes could find
    // the JIT's inlining budget spent, which leaves their shuffles calls of their own.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint Vectors<TVec, T>(ref T plane, ref T rows, int inner, int count, int classes, bool gather, nint j)
        where TVec : struct
        where T : unmanaged
    {
        int lanes = Unsafe.SizeOf<TVec>() / Unsafe.SizeOf<T>();
        for (; j + lanes <= count; j += lanes)
        {
            ref T block = ref Unsafe.Add(ref rows, j * classes);
            ref T columns = ref Unsafe.Add(ref plane, j);
            if (!ColumnKernels.TransposeBlock<TVec, T>(ref block, (nuint)classes, ref columns, (nuint)inner, toColumns: !gather))
            {
                break;
            }
        }

        return j;
    }

    /// <summary>The summed weight of the positions whose target is not <paramref name="ignoreIndex"/>, for long targets.</summary>
    internal static double CountedWeight<T>(ReadOnlySpan<long> targets, ReadOnlySpan<T> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double denominator = 0;
        foreach (long target in targets)
        {
            if (target != ignoreIndex)
            {
                denominator += classWeights.IsEmpty ? 1 : double.CreateTruncating(classWeights[(int)target]);
            }
        }

        return denominator;
    }

    /// <summary>The row-major loss a block runs: the same members as the row forms, with the whole batch's scale.</summary>
    private readonly ref struct RowLoss<T>(
        SpatialLossKind kind, SoftmaxKernel? kernel, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, double scale, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> classWeights = classWeights;

        public (double, double) Run(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> probabilities, Span<T> losses, Span<T> gradient, int rows)
        {
            switch (kind)
            {
                case SpatialLossKind.Probabilities:
                    return (SoftmaxFallback.ProbabilityCrossEntropySum(logits, probabilities, losses, gradient, rows, classes, labelSmoothing, scale, precision), 0);
                case SpatialLossKind.Options:
                    return SoftmaxFallback.CrossEntropyWithOptionsTerms(logits, targets, losses, gradient, rows, classes, classWeights, ignoreIndex, labelSmoothing, scale, precision);
                default:
                    if (gradient.IsEmpty)
                    {
                        return (kernel is null
                            ? SoftmaxFallback.CrossEntropyRows(logits, targets, losses, rows, classes, precision)
                            : SoftmaxFallback.KernelCrossEntropy(kernel, logits, targets, losses, rows), 0);
                    }

                    // The row form's choice: the plain passes for short rows, the fused row pass for longer ones.
                    return classes < SoftmaxFallback.PlainGradientClassLimit
                        ? (SoftmaxFallback.PlainCrossEntropyWithGradientSum(kernel, logits, targets, gradient, rows, classes, scale, precision), 0)
                        : SoftmaxFallback.CrossEntropyWithOptionsTerms(logits, targets, losses, gradient, rows, classes, classWeights, ignoreIndex, labelSmoothing, scale, precision);
            }
        }
    }
}
