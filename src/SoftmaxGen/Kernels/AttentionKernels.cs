namespace SoftmaxGen.Kernels;

/// <summary>Whether an attention row adds a bias (a compile-time flag, so that the unbiased loops carry no load for it).</summary>
internal interface IBiasFlag
{
    static abstract bool HasBias { get; }
}

internal readonly struct WithBias : IBiasFlag
{
    public static bool HasBias => true;
}

internal readonly struct WithoutBias : IBiasFlag
{
    public static bool HasBias => false;
}

/// <summary>
/// Softmax and log-softmax of attention rows, <c>v = scale * x + bias</c> with a causal limit, over
/// <see cref="ISimd{TVec, T}"/>. One pass computes v from the logits and the bias into the output and takes its maximum;
/// the row kernels' own exponential and normalisation passes (<see cref="RowKernels{TOps, TVec, T}.ExpRow"/>,
/// <see cref="RowKernels{TOps, TVec, T}.RowSum"/>) then run on the output in place, so the fused row costs the plain
/// row plus one store, and the exponentials and sums are the plain softmax's of v. In the softmax, that pass for each
/// whole row after the first rides on the scale pass of the row before (<see cref="SoftmaxStaged"/>), as the plain
/// softmax's maximum pass does; where the plain softmax pipelines its rows (Exact at Vector512), it rides on the
/// exponential pass of the row before, which also scales the row before that (<see cref="PipelinedStagedRow"/>). The softmax of a row with a causal
/// limit stores nothing in its first pass: its exponential pass computes v again as it reads it
/// (<see cref="AttentionValues{TOps, TVec, T, TBias}"/>), which saves more stores than the recomputation costs. Masked positions are -inf, as an
/// additive mask makes them (PyTorch's scaled_dot_product_attention turns boolean and causal masks into one), except
/// that the positions past a causal limit are -inf whatever they hold; vectors wholly past it are written without being
/// computed. Rows are covered as in <see cref="RowKernels"/>:
/// whole vectors from 0 and one last vector ending at the row's end, read before anything is stored (in place is safe).
/// </summary>
internal static class AttentionKernels
{
    /// <summary>
    /// The rows of <paramref name="classes"/> values. Row r keeps the columns below
    /// <c>r + <paramref name="causalOffset"/> + 1</c> (every column when <paramref name="causalOffset"/> is
    /// <see cref="long.MaxValue"/>); the bias row of row r starts at <c>r * <paramref name="biasStride"/></c> (0: one row for all).
    /// A row with no position left (every v = -inf) gets <paramref name="fullyMasked"/> in every output.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void Rows<TOps, TVec, T, TBias>(ref T x, ref T y, ref T bias, nuint biasStride, nuint rows, nuint classes, T scale, long causalOffset, bool log, T fullyMasked)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        // In the softmax, the row after a whole row is staged, and its maximum taken, during that row's scale pass, in
        // the batches whose plain softmax takes each next row's maximum there.
        bool fused = !log && RowKernels.FusesNextRowMax(rows, classes * (nuint)Unsafe.SizeOf<T>());
        bool hasMax = false;
        T max = T.Zero;

        // Where the plain softmax pipelines its rows (RowKernels.PipelinedSoftmax), so do runs of whole rows here: a
        // row's exponential pass also scales the row before it (pending until then) and stages the row after it.
        bool pipelined = fused && RowKernels<TOps, TVec, T>.PipelinesRows;
        bool pending = false; // the row before this one awaits its scale (pendingScale)
        RowKernels<TOps, TVec, T>.DivideByTotal pendingScale = default;
        for (nuint row = 0; row < rows; row++)
        {
            ref T xr = ref Unsafe.Add(ref x, row * classes), yr = ref Unsafe.Add(ref y, row * classes);
            ref T br = ref Unsafe.Add(ref bias, row * biasStride);
            long limit = causalOffset == long.MaxValue ? (long)classes : Math.Clamp((long)row + causalOffset + 1, 0, (long)classes);

            // v is staged in the output, except in the softmax of a row with a causal limit: its exponentials compute v
            // again as they read it, which skips the stores of the staging and those of its masked vectors.
            bool staged = log || limit == (long)classes;
            if (!hasMax)
            {
                max = limit == 0
                    ? T.NegativeInfinity
                    : Stage<TOps, TVec, T, TBias>(ref xr, ref yr, ref br, classes, scale, (nuint)limit, store: staged);
            }

            hasMax = false;
            // The last row never pipelines, so no row is left pending after the loop.
            bool pipelinedRow = pipelined && staged && T.IsFinite(max) && row + 1 < rows;
            if (pending && !pipelinedRow)
            {
                ScalePending<TOps, TVec, T>(ref Unsafe.Add(ref y, (row - 1) * classes), classes, pendingScale);
                pending = false;
            }

            if (!T.IsFinite(max))
            {
                // Only -inf: fully masked. +inf or NaN: NaN, as PyTorch's softmax gives.
                MemoryMarshal.CreateSpan(ref yr, (int)classes).Fill(T.IsNegativeInfinity(max) ? fullyMasked : T.NaN);
                continue;
            }

            // The exponentials need only the prefix that holds every kept position (at least one vector, as the row
            // kernels cover a row); the rest of the row is -inf already.
            nuint active = Math.Min(classes, Math.Max((nuint)limit, (nuint)TOps.Count));
            if (log)
            {
                LogSoftmaxStaged<TOps, TVec, T>(ref yr, active, max);
            }
            else if (pipelinedRow)
            {
                // Limits grow with the row: the row after a whole row is whole.
                ref T nx = ref Unsafe.Add(ref xr, classes), nb = ref Unsafe.Add(ref br, biasStride), ny = ref Unsafe.Add(ref yr, classes);
                if (pending)
                {
                    pendingScale = PipelinedStagedRow<TOps, TVec, T, TBias>(
                        ref yr, classes, max, ref Unsafe.Add(ref y, (row - 1) * classes), pendingScale, ref nx, ref nb, ref ny, scale, out max);
                }
                else
                {
                    pendingScale = new(RowKernels<TOps, TVec, T>.FirstRowExp(ref yr, ref yr, classes, max));
                    max = Stage<TOps, TVec, T, TBias>(ref nx, ref ny, ref nb, classes, scale, classes, store: true);
                }

                pending = true;
                hasMax = true;
            }
            else if (staged)
            {
                hasMax = fused && row + 1 < rows; // limits grow with the row: the row after a whole row is whole
                nuint step = hasMax ? 1u : 0u; // no reference past the batch
                max = SoftmaxStaged<TOps, TVec, T, TBias>(
                    ref yr, classes, max, ref Unsafe.Add(ref xr, step * classes), ref Unsafe.Add(ref br, step * biasStride), ref Unsafe.Add(ref yr, step * classes), scale, hasMax);
            }
            else
            {
                SoftmaxOfValues<TOps, TVec, T, AttentionValues<TOps, TVec, T, TBias>>(new(ref xr, ref br, scale, (nuint)limit), ref yr, classes, active, max);
            }
        }
    }

    /// <summary>The scale pass of a pipelined row that no next row took over.</summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void ScalePending<TOps, TVec, T>(ref T yr, nuint classes, RowKernels<TOps, TVec, T>.DivideByTotal scale)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        => RowKernels<TOps, TVec, T>.MapRow(ref yr, ref yr, RowKernels<TOps, TVec, T>.LastVector(classes, out _), scale);

    /// <summary>
    /// A whole row staged in <paramref name="yr"/>, pipelined (<see cref="RowKernels{TOps, TVec, T}.PipelinedRow"/>): its
    /// exponentials in place, while the row before is scaled and the row after staged to <paramref name="ny"/> (its
    /// maximum to <paramref name="nextMax"/>); returns this row's scale.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static RowKernels<TOps, TVec, T>.DivideByTotal PipelinedStagedRow<TOps, TVec, T, TBias>(
        ref T yr, nuint classes, T max, ref T previous, RowKernels<TOps, TVec, T>.DivideByTotal previousScale, ref T nx, ref T nb, ref T ny, T scale, out T nextMax)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        // The next row's last vector is stored last: in place, the whole vector before it overlaps it and reads its logits.
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        TVec s = TOps.Splat(scale);
        TVec nextTail = Scaled<TOps, TVec, T, TBias>(ref nx, ref nb, last, s);
        var rowScale = RowKernels<TOps, TVec, T>.PipelinedRow(
            ref yr, ref yr, last, repeated, max, ref previous, previousScale, new StagingValues<TOps, TVec, T, TBias>(ref nx, ref nb, ref ny, s), nextTail, out nextMax);
        TOps.Store(nextTail, ref ny, last);
        return rowScale;
    }

    /// <summary>
    /// v = scale * x + bias over a run of whole rows, element by element (two roundings, as <see cref="Stage"/> rounds
    /// them): <paramref name="bias"/> is empty or as long as <paramref name="logits"/>. In place is safe. Returns whether
    /// any v is -inf (only then can a row be fully masked).
    /// </summary>
    internal static bool StageFlat<T>(ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<T> bias, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong negativeInfinities = 0;
        var operation = new StageFlatOperation<T>(logits, output, bias, scale, ref negativeInfinities);
        VectorDispatch.Sweep<StageFlatOperation<T>, T>(ref operation);
        return negativeInfinities != 0;
    }

    private readonly ref struct StageFlatOperation<TElement>(ReadOnlySpan<TElement> x, Span<TElement> y, ReadOnlySpan<TElement> b, TElement scale, ref ulong negativeInfinities)
        : ISweepOperation
    {
        private readonly ReadOnlySpan<TElement> x = x;
        private readonly Span<TElement> y = y;
        private readonly ReadOnlySpan<TElement> b = b;
        private readonly TElement scale = scale;
        private readonly ref ulong negativeInfinities = ref negativeInfinities;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        nuint ISweepOperation.Run<TOps, TVec, T>(nuint start)
        {
            TElement s = scale;
            ref T xs = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x));
            ref T ys = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(y));
            ref T bs = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(b));
            return b.IsEmpty
                ? StageFlat<TOps, TVec, T, WithoutBias>(ref xs, ref ys, ref bs, (nuint)x.Length, Unsafe.As<TElement, T>(ref s), start, ref negativeInfinities)
                : StageFlat<TOps, TVec, T, WithBias>(ref xs, ref ys, ref bs, (nuint)x.Length, Unsafe.As<TElement, T>(ref s), start, ref negativeInfinities);
        }
    }

    /// <summary>Whole vectors of v from <paramref name="start"/>, each lane that is -inf setting a bit of <paramref name="negativeInfinities"/>; returns the first index left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint StageFlat<TOps, TVec, T, TBias>(ref T x, ref T y, ref T bias, nuint length, T scale, nuint start, ref ulong negativeInfinities)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        nuint width = (nuint)TOps.Count, i = start;
        TVec s = TOps.Splat(scale), negativeInfinity = TOps.Splat(T.NegativeInfinity);
        ulong seen = 0;
        for (; i + width <= length; i += width)
        {
            TVec v = TOps.Multiply(TOps.Load(ref x, i), s);
            if (TBias.HasBias)
                v = TOps.Add(v, TOps.Load(ref bias, i));
            TOps.Store(v, ref y, i);
            seen |= TOps.MaskBits(TOps.Equal(v, negativeInfinity));
        }

        negativeInfinities |= seen;
        return i;
    }

    /// <summary>0 where <paramref name="mask"/> is true (any nonzero byte), -inf where it is false, 16 values at a time.</summary>
    internal static void AdditiveMask<T>(ReadOnlySpan<bool> mask, Span<T> additive)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref byte m = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(mask));
        ref T a = ref MemoryMarshal.GetReference(additive);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 16 <= mask.Length; i += 16)
            {
                // Masked lanes: all ones (0 == byte), sign-extended to the element's width, then AND -inf.
                Vector128<sbyte> masked = Vector128.Equals(Vector128.LoadUnsafe(ref m, (nuint)i), Vector128<byte>.Zero).AsSByte();
                (Vector128<short> low, Vector128<short> high) = Vector128.Widen(masked);
                (Vector128<int> q0, Vector128<int> q1) = Vector128.Widen(low);
                (Vector128<int> q2, Vector128<int> q3) = Vector128.Widen(high);
                ref T at = ref Unsafe.Add(ref a, i);
                if (typeof(T) == typeof(float))
                {
                    Vector128<float> infinity = Vector128.Create(float.NegativeInfinity);
                    (q0.AsSingle() & infinity).StoreUnsafe(ref Unsafe.As<T, float>(ref at));
                    (q1.AsSingle() & infinity).StoreUnsafe(ref Unsafe.As<T, float>(ref at), 4);
                    (q2.AsSingle() & infinity).StoreUnsafe(ref Unsafe.As<T, float>(ref at), 8);
                    (q3.AsSingle() & infinity).StoreUnsafe(ref Unsafe.As<T, float>(ref at), 12);
                }
                else
                {
                    Vector128<double> infinity = Vector128.Create(double.NegativeInfinity);
                    ref double d = ref Unsafe.As<T, double>(ref at);
                    nuint offset = 0;
                    foreach (Vector128<int> quarter in (ReadOnlySpan<Vector128<int>>)[q0, q1, q2, q3])
                    {
                        (Vector128<long> l0, Vector128<long> l1) = Vector128.Widen(quarter);
                        (l0.AsDouble() & infinity).StoreUnsafe(ref d, offset);
                        (l1.AsDouble() & infinity).StoreUnsafe(ref d, offset + 2);
                        offset += 4;
                    }
                }
            }
        }

        for (; i < mask.Length; i++)
        {
            Unsafe.Add(ref a, i) = Unsafe.Add(ref m, i) != 0 ? T.Zero : T.NegativeInfinity;
        }
    }

    /// <summary>
    /// Writes v = scale * x + bias (two roundings, as PyTorch's <c>x * scale + mask</c>) to <paramref name="yr"/> if <paramref name="store"/>, -inf
    /// from the causal limit <paramref name="valid"/> on whatever the logit there (the future of a causal row is not
    /// used; a boolean mask arrives as an additive bias, so a NaN or +inf logit it masks still gives NaN, as in
    /// PyTorch), and returns the maximum of v.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Stage<TOps, TVec, T, TBias>(ref T xr, ref T yr, ref T br, nuint classes, T scale, nuint valid, bool store)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        nuint width = (nuint)TOps.Count;
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out _);
        nuint end = Math.Min(last, RowKernels.RoundUp(valid, width)); // vectors from here on are wholly masked
        TVec s = TOps.Splat(scale), negativeInfinity = TOps.Splat(T.NegativeInfinity);
        TVec tail = Values<TOps, TVec, T, TBias>(ref xr, ref br, last, s, valid, negativeInfinity);
        TVec m0 = tail, m1 = tail;
        nuint i = 0;
        for (; i + width < end; i += 2 * width)
        {
            TVec v0 = Values<TOps, TVec, T, TBias>(ref xr, ref br, i, s, valid, negativeInfinity);
            TVec v1 = Values<TOps, TVec, T, TBias>(ref xr, ref br, i + width, s, valid, negativeInfinity);
            if (store)
            {
                TOps.Store(v0, ref yr, i);
                TOps.Store(v1, ref yr, i + width);
            }

            m0 = TOps.MaxNative(m0, v0);
            m1 = TOps.MaxNative(m1, v1);
        }

        for (; i < end; i += width)
        {
            TVec v = Values<TOps, TVec, T, TBias>(ref xr, ref br, i, s, valid, negativeInfinity);
            if (store)
            {
                TOps.Store(v, ref yr, i);
            }

            m0 = TOps.MaxNative(m0, v);
        }

        if (store)
        {
            for (; i < last; i += width)
            {
                TOps.Store(negativeInfinity, ref yr, i);
            }

            TOps.Store(tail, ref yr, last);
        }

        return TOps.MaxAcross(TOps.MaxNative(m0, m1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Values<TOps, TVec, T, TBias>(ref T xr, ref T br, nuint offset, TVec s, nuint valid, TVec negativeInfinity)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        TVec v = Scaled<TOps, TVec, T, TBias>(ref xr, ref br, offset, s);
        if (valid < offset + (nuint)TOps.Count)
        {
            // Lanes at or past the causal limit become -inf whatever the logit there (never used as a value).
            nuint kept = valid > offset ? valid - offset : 0;
            TVec keep = TOps.FirstLanes((int)kept), dropped = TOps.AndNot(TOps.FirstLanes(TOps.Count), keep);
            v = TOps.Add(TOps.AndNot(v, dropped), TOps.AndNot(negativeInfinity, keep));
        }

        return v;
    }

    /// <summary>v = scale * x + bias at <paramref name="offset"/>, with no causal limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec Scaled<TOps, TVec, T, TBias>(ref T xr, ref T br, nuint offset, TVec s)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        TVec v = TOps.Multiply(TOps.Load(ref xr, offset), s);
        return TBias.HasBias ? TOps.Add(v, TOps.Load(ref br, offset)) : v;
    }

    /// <summary>
    /// The softmax of an attention row from its values as they are read: the plain row's exponential pass over the active
    /// prefix (e^(v - max), stored), zeros after it, then its scale.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void SoftmaxOfValues<TOps, TVec, T, TValues>(TValues values, ref T yr, nuint classes, nuint active, T max)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TValues : IRowValues<TVec>, allows ref struct
    {
        double total = RowKernels<TOps, TVec, T>.ExpRow(values, ref yr, active, TOps.Splat(-max));
        MemoryMarshal.CreateSpan(ref Unsafe.Add(ref yr, active), (int)(classes - active)).Clear();
        RowKernels<TOps, TVec, T>.MapRow(ref yr, ref yr, RowKernels<TOps, TVec, T>.LastVector(active, out _), new RowKernels<TOps, TVec, T>.DivideByTotal(total));
    }

    /// <summary>
    /// The softmax of a whole row staged in <paramref name="yr"/>: the plain row's exponential pass in place, then its
    /// scale, during which, when <paramref name="hasNext"/>, the next row (logits <paramref name="nx"/>, bias
    /// <paramref name="nb"/>) is staged to <paramref name="ny"/> and its maximum returned (else 0). The scale pass is
    /// bound by its stores and the staging by its loads, so that the staging costs less there than as a pass of its own.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static T SoftmaxStaged<TOps, TVec, T, TBias>(ref T yr, nuint classes, T max, ref T nx, ref T nb, ref T ny, T scale, bool hasNext)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TBias : struct, IBiasFlag
    {
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out _);
        var map = new RowKernels<TOps, TVec, T>.DivideByTotal(RowKernels<TOps, TVec, T>.ExpRow(ref yr, ref yr, classes, TOps.Splat(-max)));
        if (!hasNext)
        {
            RowKernels<TOps, TVec, T>.MapRow(ref yr, ref yr, last, map);
            return T.Zero;
        }

        // The next row's last vector is stored last: in place, the whole vector before it overlaps it and reads its logits.
        TVec s = TOps.Splat(scale);
        TVec nextTail = Scaled<TOps, TVec, T, TBias>(ref nx, ref nb, last, s);
        T nextMax = RowKernels<TOps, TVec, T>.MapRow(ref yr, ref yr, last, map, new StagingValues<TOps, TVec, T, TBias>(ref nx, ref nb, ref ny, s), nextTail);
        TOps.Store(nextTail, ref ny, last);
        return nextMax;
    }

    /// <summary>The log-softmax of staged values: the plain row's sum over the active prefix, then (v - hi) - lo there (the rest stays -inf).</summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void LogSoftmaxStaged<TOps, TVec, T>(ref T yr, nuint active, T max)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint last = RowKernels<TOps, TVec, T>.LastVector(active, out TVec repeated);
        double total = RowKernels<TOps, TVec, T>.RowSum(ref yr, last, TOps.Load(ref yr, last), TOps.Splat(-max), repeated);
        RowKernels<TOps, TVec, T>.RowNormalizer(max, total, out T high, out T low);
        RowKernels<TOps, TVec, T>.MapRow(ref yr, ref yr, last, new RowKernels<TOps, TVec, T>.SubtractNormalizer(high, low));
    }
}

/// <summary>
/// An attention row's v = scale * x + bias as it is read, -inf from the causal limit on (the same bits as
/// <see cref="AttentionKernels"/>' staging writes).
/// </summary>
internal readonly ref struct AttentionValues<TOps, TVec, T, TBias> : IRowValues<TVec>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
    where TBias : struct, IBiasFlag
{
    private readonly ref T x;
    private readonly ref T bias;
    private readonly TVec scale;
    private readonly TVec negativeInfinity;
    private readonly nuint valid;

    public AttentionValues(ref T x, ref T bias, T scale, nuint valid)
    {
        this.x = ref x;
        this.bias = ref bias;
        this.scale = TOps.Splat(scale);
        negativeInfinity = TOps.Splat(T.NegativeInfinity);
        this.valid = valid;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Load(nuint offset) => AttentionKernels.Values<TOps, TVec, T, TBias>(ref x, ref bias, offset, scale, valid, negativeInfinity);
}

/// <summary>The next attention row's v = scale * x + bias as it is read, each vector also stored to the row's output (its staging).</summary>
internal readonly ref struct StagingValues<TOps, TVec, T, TBias> : IRowValues<TVec>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
    where TBias : struct, IBiasFlag
{
    private readonly ref T x;
    private readonly ref T bias;
    private readonly ref T y;
    private readonly TVec scale;

    public StagingValues(ref T x, ref T bias, ref T y, TVec scale)
    {
        this.x = ref x;
        this.bias = ref bias;
        this.y = ref y;
        this.scale = scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Load(nuint offset)
    {
        TVec v = AttentionKernels.Scaled<TOps, TVec, T, TBias>(ref x, ref bias, offset, scale);
        TOps.Store(v, ref y, offset);
        return v;
    }
}
