using System.Runtime.InteropServices;

namespace SoftmaxGen.Kernels;

/// <summary>What a sampling call asks of the kernel: a draw, the dense filtered probabilities, or greedy decoding.</summary>
internal enum SamplingMode
{
    Sample,
    Probabilities,
}

/// <summary>
/// The state of one sampling call over a row of processed logits <c>z</c> (penalties, bias and banned classes already
/// applied) in scratch memory: the caller's spans, the options, and what the kernel found.
/// </summary>
internal ref struct SamplingState
{
    public Span<float> Z;           // the processed logits; scaled in place by the temperature
    public Span<float> W;           // e^(z - max): the unnormalised probabilities
    public Span<int> Candidates;    // class indices of the candidates, in index order
    public Span<ulong> Keys;        // the selection's work space
    public Span<float> Probabilities;
    public SamplingMode Mode;
    public float Temperature;
    public int TopK;
    public float TopP;
    public float MinP;
    public double Uniform;

    // Results.
    public int Index;               // the sampled class (Sample), or the kept count (Probabilities)
    public int BadIndex;            // a NaN or +inf processed logit, or -1
}

/// <summary>
/// Temperature, top-k, top-p and min-p over one row without sorting it. The vectorised passes: the maximum (and a
/// check for NaN and +inf), the scaling by the temperature, e^(z - max) stored with its compensated sum (the row
/// kernels' own exponential), and for the filters one pass that counts the classes and their mass above a few fixed
/// probability levels. The smallest level that must contain every kept class gives the candidates, compacted in
/// index order; a radix select on their keys (the logit's bits, then the class index, so ties go to the lower index)
/// finds the top-k cut by count and the top-p cut by mass; only the candidates are ever looked at one by one.
/// </summary>
internal static class SamplingKernels
{
    /// <summary>Probability levels, relative to the largest (e^(z - max) at least the level), from the highest.</summary>
    private static ReadOnlySpan<float> LevelThresholds => [0.5f, 0.1f, 1e-2f, 1e-3f, 3e-4f, 1e-4f, 3e-5f, 1e-5f];

    internal const int Levels = 8;

    /// <summary>The scratch floats a row of <paramref name="classes"/> classes needs: z, e^(z - max), candidates and 64-bit keys.</summary>
    internal static long ScratchLength(int classes) => 5L * classes;

    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void Run<TOps, TVec, T>(ref SamplingState state)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint classes = (nuint)state.Z.Length;
        ref T z = ref VectorDispatch.As<float, T>(ref MemoryMarshal.GetReference(state.Z));
        T max = MaxChecked<TOps, TVec, T>(ref z, classes, out bool bad);
        if (bad || T.IsNaN(max))
        {
            state.BadIndex = FirstBad(state.Z);
            return;
        }

        state.BadIndex = -1;
        if (T.IsNegativeInfinity(max))
        {
            state.Index = -1; // nothing to sample: the caller throws
            return;
        }

        if (state.Temperature == 0)
        {
            Greedy(ref state, float.CreateTruncating(max));
            return;
        }

        // Temperature: (z - max) / T, so that no logit overflows however small T is; the maximum becomes 0.
        TVec negatedMax = TOps.Splat(-max);
        if (state.Temperature != 1)
        {
            Scale<TOps, TVec, T>(ref z, classes, max, T.CreateTruncating(state.Temperature));
            negatedMax = TOps.Splat(T.Zero);
        }

        ref T w = ref VectorDispatch.As<float, T>(ref MemoryMarshal.GetReference(state.W));
        double total = RowKernels<TOps, TVec, T>.ExpRow(ref z, ref w, classes, negatedMax);
        int classCount = state.Z.Length;
        bool topK = state.TopK > 0 && state.TopK < classCount, topP = state.TopP < 1, minP = state.MinP > 0;
        if (!topK && !topP && !minP)
        {
            if (state.Mode == SamplingMode.Sample)
                state.Index = WalkRow<TOps, TVec, T>(ref w, classes, state.Uniform);
            else
            {
                Scale<TOps, TVec, T>(ref w, ref VectorDispatch.As<float, T>(ref MemoryMarshal.GetReference(state.Probabilities)), classes, T.CreateTruncating(1.0 / total));
                state.Index = classCount;
            }

            return;
        }

        Span<double> counts = stackalloc double[Levels], masses = stackalloc double[Levels];
        LevelStatistics<TOps, TVec, T>(ref w, classes, counts, masses);

        // The level that holds every class kept: by count for top-k, by mass for top-p (when top-k does not bound it:
        // top-p then needs the top-k mass), by the level itself for min-p. Levels == every class.
        int levelK = Levels, levelP = Levels, levelM = Levels;
        for (int j = Levels - 1; j >= 0; j--)
        {
            if (topK && counts[j] >= state.TopK)
                levelK = j;
            if (topP && masses[j] >= state.TopP * total * (1 + 1e-4))
                levelP = j;
            if (minP && LevelThresholds[j] <= state.MinP)
                levelM = j;
        }

        int level = topK && topP ? levelK : Math.Min(levelK, Math.Min(levelP, levelM));
        int count;
        while (true)
        {
            float threshold = level < Levels ? LevelThresholds[level] : 0f;
            count = Compact<TOps, TVec, T>(ref w, classes, T.CreateTruncating(threshold), state.Candidates);

            // The level masses are float sums: make sure a level chosen by top-p alone does hold the nucleus.
            if (!topP || topK || level == Levels || level >= levelM || CandidateMass(state, count) >= state.TopP * total)
                break;
            level++;
        }

        ulong cut = ulong.MaxValue;
        double keptTotal = total;
        ReadOnlySpan<float> zs = state.Z, ws = state.W;
        Span<int> candidates = state.Candidates.Slice(0, count);
        if (topK)
        {
            Span<ulong> keys = state.Keys.Slice(0, count);
            for (int i = 0; i < keys.Length; i++)
                keys[i] = Key(zs, candidates[i]);
            cut = Select(keys, ws, byMass: false, state.TopK, 0, out keptTotal);
        }

        if (topP)
        {
            int n = 0;
            for (int i = 0; i < candidates.Length; i++)
            {
                ulong key = Key(zs, candidates[i]);
                if (key <= cut)
                    state.Keys[n++] = key;
            }

            cut = Math.Min(cut, Select(state.Keys.Slice(0, n), ws, byMass: true, 0, state.TopP * keptTotal, out _));
        }

        if (minP)
        {
            // Probability at least MinP times the largest, whose e^(z - max) is 1: the same test on the stored values.
            ulong minPCut = 0;
            for (int i = 0; i < candidates.Length; i++)
            {
                if (ws[candidates[i]] >= state.MinP)
                    minPCut = Math.Max(minPCut, Key(zs, candidates[i]));
            }

            cut = Math.Min(cut, minPCut);
        }

        Finish(ref state, candidates, cut);
    }

    /// <summary>The draw, or the dense probabilities, over the candidates whose key is at most <paramref name="cut"/>.</summary>
    private static void Finish(ref SamplingState state, ReadOnlySpan<int> candidates, ulong cut)
    {
        ReadOnlySpan<float> zs = state.Z, ws = state.W;
        double kept = 0;
        int keptCount = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            int c = candidates[i];
            if (Key(zs, c) <= cut)
            {
                kept += ws[c];
                keptCount++;
            }
        }

        if (state.Mode == SamplingMode.Probabilities)
        {
            Span<float> p = state.Probabilities.Slice(0, zs.Length);
            p.Clear();
            for (int i = 0; i < candidates.Length; i++)
            {
                int c = candidates[i];
                if (Key(zs, c) <= cut)
                    p[c] = (float)(ws[c] / kept);
            }

            state.Index = keptCount;
            return;
        }

        // Inverse CDF in class-index order. target < kept, and the walk adds the same terms in the same order, so it
        // ends inside the loop; the last kept class is only a guard.
        double target = state.Uniform * kept, sum = 0;
        int last = -1;
        for (int i = 0; i < candidates.Length; i++)
        {
            int c = candidates[i];
            if (Key(zs, c) > cut)
                continue;
            sum += ws[c];
            if (ws[c] > 0)
                last = c;
            if (sum > target)
            {
                state.Index = c;
                return;
            }
        }

        state.Index = last;
    }

    private static double CandidateMass(SamplingState state, int count)
    {
        double sum = 0;
        foreach (int c in state.Candidates.Slice(0, count))
            sum += state.W[c];
        return sum;
    }

    /// <summary>Greedy decoding: the first class whose processed logit is the maximum (<c>torch.argmax</c>).</summary>
    private static void Greedy(ref SamplingState state, float max)
    {
        ReadOnlySpan<float> z = state.Z;
        int index = 0;
        while (z[index] != max)
            index++;

        if (state.Mode == SamplingMode.Probabilities)
        {
            Span<float> p = state.Probabilities.Slice(0, z.Length);
            p.Clear();
            p[index] = 1;
            state.Index = 1;
        }
        else
        {
            state.Index = index;
        }
    }

    private static int FirstBad(ReadOnlySpan<float> z)
    {
        for (int i = 0; i < z.Length; i++)
        {
            if (!(z[i] < float.PositiveInfinity))
                return i;
        }

        return 0; // unreachable: the check found one
    }

    /// <summary>
    /// The selection key of class <paramref name="index"/>: ascending keys rank by logit descending, then by class index
    /// ascending. The high half maps the float's bits to an unsigned order (-0 taken as +0), inverted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Key(ReadOnlySpan<float> z, int index)
    {
        uint bits = BitConverter.SingleToUInt32Bits(z[index]);
        if (bits == 0x8000_0000u)
            bits = 0;
        uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)~ascending << 32) | (uint)index;
    }

    /// <summary>
    /// Radix select on distinct keys, 8 bits at a time from the highest bit in which they differ: the key at which the count of keys up to it
    /// reaches <paramref name="k"/> (by count), or at which their mass reaches <paramref name="target"/> (by mass; the
    /// largest key if rounding leaves the target unreached). Each round keeps only the bucket that holds the cut, so
    /// the work is a few passes over the keys, not a sort. <paramref name="massUpToCut"/> is the mass of the keys up to
    /// the cut. Destroys the order of <paramref name="keys"/>.
    /// </summary>
    internal static ulong Select(Span<ulong> keys, ReadOnlySpan<float> w, bool byMass, int k, double target, out double massUpToCut)
    {
        // Four histograms filled in turn and then added: one digit often holds most keys, and a single histogram would
        // chain every update through the same memory location.
        Span<int> counts = stackalloc int[4 * 256];
        Span<double> masses = stackalloc double[4 * 256];
        int n = keys.Length;
        long prefixCount = 0;
        double prefixMass = 0;
        ulong low = ulong.MaxValue, high = 0;
        foreach (ulong key in keys)
        {
            low = Math.Min(low, key);
            high = Math.Max(high, key);
        }

        while (n > 1)
        {
            // The 8 bits below the bits all the keys share: a digit that splits them (keys are distinct).
            int shift = Math.Max(63 - BitOperations.LeadingZeroCount(low ^ high) - 7, 0);
            counts.Clear();
            masses.Clear();
            int i4 = 0;
            for (; i4 + 3 < n; i4 += 4)
            {
                ulong k0 = keys[i4], k1 = keys[i4 + 1], k2 = keys[i4 + 2], k3 = keys[i4 + 3];
                int b0 = (int)(k0 >> shift) & 0xFF, b1 = 256 + ((int)(k1 >> shift) & 0xFF), b2 = 512 + ((int)(k2 >> shift) & 0xFF), b3 = 768 + ((int)(k3 >> shift) & 0xFF);
                counts[b0]++;
                counts[b1]++;
                counts[b2]++;
                counts[b3]++;
                masses[b0] += w[(int)(uint)k0];
                masses[b1] += w[(int)(uint)k1];
                masses[b2] += w[(int)(uint)k2];
                masses[b3] += w[(int)(uint)k3];
            }

            for (; i4 < n; i4++)
            {
                ulong key = keys[i4];
                int b = (int)(key >> shift) & 0xFF;
                counts[b]++;
                masses[b] += w[(int)(uint)key];
            }

            for (int b = 0; b < 256; b++)
            {
                counts[b] += counts[256 + b] + counts[512 + b] + counts[768 + b];
                masses[b] = (masses[b] + masses[256 + b]) + (masses[512 + b] + masses[768 + b]);
            }

            int chosen = -1, lastNonEmpty = -1;
            for (int b = 0; b < 256; b++)
            {
                if (counts[b] == 0)
                    continue;
                lastNonEmpty = b;
                if (byMass ? prefixMass + masses[b] >= target : prefixCount + counts[b] >= k)
                {
                    chosen = b;
                    break;
                }

                prefixCount += counts[b];
                prefixMass += masses[b];
            }

            if (chosen < 0)
            {
                chosen = lastNonEmpty;
                prefixCount -= counts[chosen];
                prefixMass -= masses[chosen];
            }

            int m = 0;
            low = ulong.MaxValue;
            high = 0;
            for (int i = 0; i < n; i++)
            {
                ulong key = keys[i];
                if (((int)(key >> shift) & 0xFF) == chosen)
                {
                    keys[m++] = key;
                    low = Math.Min(low, key);
                    high = Math.Max(high, key);
                }
            }

            n = m;
        }

        massUpToCut = prefixMass + w[(int)(uint)keys[0]];
        return keys[0];
    }

    /// <summary>The maximum of a row, and whether a lane held NaN or +inf (which the hardware maximum need not return).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MaxChecked<TOps, TVec, T>(ref T x, nuint classes, out bool bad)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count, last = classes - width, i = 0;
        TVec infinity = TOps.Splat(T.PositiveInfinity), one = TOps.Splat(T.One);
        TVec tail = TOps.Load(ref x, last);
        TVec max = tail, max1 = tail;
        TVec flagged = TOps.AndNot(one, TOps.LessThan(tail, infinity));
        for (; i + width < last; i += 2 * width)
        {
            TVec a = TOps.Load(ref x, i), b = TOps.Load(ref x, i + width);
            max = TOps.MaxNative(max, a);
            max1 = TOps.MaxNative(max1, b);
            flagged = TOps.Add(flagged, TOps.Add(TOps.AndNot(one, TOps.LessThan(a, infinity)), TOps.AndNot(one, TOps.LessThan(b, infinity))));
        }

        for (; i < last; i += width)
        {
            TVec a = TOps.Load(ref x, i);
            max = TOps.MaxNative(max, a);
            flagged = TOps.Add(flagged, TOps.AndNot(one, TOps.LessThan(a, infinity)));
        }

        bad = TOps.SumAcross(flagged) != 0;
        return TOps.MaxAcross(TOps.MaxNative(max, max1));
    }

    /// <summary>x = (x - max) / temperature in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale<TOps, TVec, T>(ref T x, nuint classes, T max, T temperature)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        => RowKernels<TOps, TVec, T>.MapRow(ref x, ref x, classes - (nuint)TOps.Count, new RowKernels<TOps, TVec, T>.ShiftAndDivide(max, temperature));

    /// <summary>y = x * factor (the dense probabilities of an unfiltered row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale<TOps, TVec, T>(ref T x, ref T y, nuint classes, T factor)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        => RowKernels<TOps, TVec, T>.MapRow(ref x, ref y, classes - (nuint)TOps.Count, new RowKernels<TOps, TVec, T>.MultiplyBy(factor));

    /// <summary>
    /// For each level j, the number of classes whose e^(z - max) is at least the level and their sum (float lanes:
    /// a guide for choosing the candidates, checked where it matters).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LevelStatistics<TOps, TVec, T>(ref T w, nuint classes, Span<double> counts, Span<double> masses)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count, last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        TVec one = TOps.Splat(T.One);
        TVec t0 = TOps.Splat(T.CreateTruncating(LevelThresholds[0])), t1 = TOps.Splat(T.CreateTruncating(LevelThresholds[1]));
        TVec t2 = TOps.Splat(T.CreateTruncating(LevelThresholds[2])), t3 = TOps.Splat(T.CreateTruncating(LevelThresholds[3]));
        TVec t4 = TOps.Splat(T.CreateTruncating(LevelThresholds[4])), t5 = TOps.Splat(T.CreateTruncating(LevelThresholds[5]));
        TVec t6 = TOps.Splat(T.CreateTruncating(LevelThresholds[6])), t7 = TOps.Splat(T.CreateTruncating(LevelThresholds[7]));
        TVec c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        TVec m0 = default, m1 = default, m2 = default, m3 = default, m4 = default, m5 = default, m6 = default, m7 = default;

        // The repeated lanes of the last vector are cleared to 0, below every level.
        TVec v = TOps.AndNot(TOps.Load(ref w, last), repeated);
        for (nuint i = 0; ; i += width)
        {
            TVec below;
            below = TOps.LessThan(v, t0); c0 = TOps.Add(c0, TOps.AndNot(one, below)); m0 = TOps.Add(m0, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t1); c1 = TOps.Add(c1, TOps.AndNot(one, below)); m1 = TOps.Add(m1, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t2); c2 = TOps.Add(c2, TOps.AndNot(one, below)); m2 = TOps.Add(m2, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t3); c3 = TOps.Add(c3, TOps.AndNot(one, below)); m3 = TOps.Add(m3, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t4); c4 = TOps.Add(c4, TOps.AndNot(one, below)); m4 = TOps.Add(m4, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t5); c5 = TOps.Add(c5, TOps.AndNot(one, below)); m5 = TOps.Add(m5, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t6); c6 = TOps.Add(c6, TOps.AndNot(one, below)); m6 = TOps.Add(m6, TOps.AndNot(v, below));
            below = TOps.LessThan(v, t7); c7 = TOps.Add(c7, TOps.AndNot(one, below)); m7 = TOps.Add(m7, TOps.AndNot(v, below));
            if (i >= last)
                break;
            v = TOps.Load(ref w, i);
        }

        counts[0] = TOps.SumAcross(c0); counts[1] = TOps.SumAcross(c1); counts[2] = TOps.SumAcross(c2); counts[3] = TOps.SumAcross(c3);
        counts[4] = TOps.SumAcross(c4); counts[5] = TOps.SumAcross(c5); counts[6] = TOps.SumAcross(c6); counts[7] = TOps.SumAcross(c7);
        masses[0] = TOps.SumAcross(m0); masses[1] = TOps.SumAcross(m1); masses[2] = TOps.SumAcross(m2); masses[3] = TOps.SumAcross(m3);
        masses[4] = TOps.SumAcross(m4); masses[5] = TOps.SumAcross(m5); masses[6] = TOps.SumAcross(m6); masses[7] = TOps.SumAcross(m7);
    }

    /// <summary>The indices of the classes whose e^(z - max) is at least <paramref name="threshold"/>, in index order; returns their count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Compact<TOps, TVec, T>(ref T w, nuint classes, T threshold, Span<int> candidates)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count, last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        ulong lanes = width == 64 ? ulong.MaxValue : (1UL << (int)width) - 1;
        TVec t = TOps.Splat(threshold);
        ref int output = ref MemoryMarshal.GetReference(candidates);
        int count = 0;
        for (nuint i = 0; i < last; i += width)
        {
            ulong keep = ~TOps.MaskBits(TOps.LessThan(TOps.Load(ref w, i), t)) & lanes;
            while (keep != 0)
            {
                Unsafe.Add(ref output, count++) = (int)i + BitOperations.TrailingZeroCount(keep);
                keep &= keep - 1;
            }
        }

        ulong tailKeep = ~(TOps.MaskBits(TOps.LessThan(TOps.Load(ref w, last), t)) | TOps.MaskBits(repeated)) & lanes;
        while (tailKeep != 0)
        {
            Unsafe.Add(ref output, count++) = (int)last + BitOperations.TrailingZeroCount(tailKeep);
            tailKeep &= tailKeep - 1;
        }

        return count;
    }

    /// <summary>
    /// Inverse CDF over the whole row in class-index order: the per-vector totals (in double) find the vector where the
    /// running sum passes uniform x total, then its lanes one by one. The total is formed from the same per-vector
    /// values, so the walk ends inside the row; rounding between a vector's total and its lanes is settled by taking
    /// the vector's last class with a nonzero value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WalkRow<TOps, TVec, T>(ref T w, nuint classes, double uniform)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count, last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        TVec tail = TOps.AndNot(TOps.Load(ref w, last), repeated);
        double total = TOps.SumAcross(tail);
        for (nuint i = 0; i < last; i += width)
            total += TOps.SumAcross(TOps.Load(ref w, i));

        double target = uniform * total, sum = 0;
        nuint start = last;
        for (nuint i = 0; i < last; i += width)
        {
            double vectorSum = TOps.SumAcross(TOps.Load(ref w, i));
            if (sum + vectorSum > target)
            {
                start = i;
                break;
            }

            sum += vectorSum;
        }

        // The lanes of the vector found (for the last vector, the lanes not already covered).
        nuint first = start == last ? RowKernels.RoundUp(last, width) : start;
        int lastNonzero = -1;
        for (nuint j = first; j < start + width; j++)
        {
            double v = double.CreateTruncating(Unsafe.Add(ref w, j));
            sum += v;
            if (v > 0)
                lastNonzero = (int)j;
            if (sum > target)
                return (int)j;
        }

        // Rounding: the lanes summed one by one fell short of the vector's total.
        return lastNonzero >= 0 ? lastNonzero : LastNonzero(ref w, classes);
    }

    private static int LastNonzero<T>(ref T w, nuint classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (nuint j = classes; j-- > 0;)
        {
            if (Unsafe.Add(ref w, j) > T.Zero)
                return (int)j;
        }

        return 0;
    }
}
