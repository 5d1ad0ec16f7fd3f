using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

/// <summary>The row layouts' helpers that do not depend on the vector width, and the argmax's dispatch.</summary>
internal static class RowKernels
{
    /// <summary>Whether the row holds a NaN.</summary>
    internal static bool ContainsNaN<T>(ref T row, nuint classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (nuint i = 0; i < classes; i++)
        {
            if (T.IsNaN(Unsafe.Add(ref row, i)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index of the first maximum of each row; the first NaN wins, as in torch.argmax.</summary>
    /// <remarks>With the widest vector no longer than a row: <see cref="RowKernels{TOps, TVec, T}.ArgmaxRows"/>.</remarks>
    internal static void Argmax<T>(ReadOnlySpan<T> logits, Span<int> predictions, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new ArgmaxOperation<T>(logits, predictions, classes);
        VectorDispatch.ByLayout<ArgmaxOperation<T>, T, bool>(ref operation, classes, LayoutRule.Rows);
    }

    /// <summary>The argmax kernel with the widest vector no longer than a row, else the scalar lane.</summary>
    private readonly ref struct ArgmaxOperation<TElement>(ReadOnlySpan<TElement> logits, Span<int> predictions, int classes)
        : ILayoutOperation<bool>
    {
        private readonly ReadOnlySpan<TElement> logits = logits;
        private readonly Span<int> predictions = predictions;

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            if (logits.IsEmpty)
                return false;

            ref T x = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(logits));
            RowKernels<TOps, TVec, T>.ArgmaxRows(ref x, ref MemoryMarshal.GetReference(predictions), (nuint)(logits.Length / classes), (nuint)classes);
            return true;
        }
    }

    /// <summary><c>max + ln(total)</c> as a high and a low part whose sum is exact, in the element type's precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LogNormalizer<T>(T max, double total, out T high, out T low)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            SoftmaxMath.LogNormalizerCore(Unsafe.As<T, float>(ref max), total, out float h, out float l);
            high = Unsafe.As<float, T>(ref h);
            low = Unsafe.As<float, T>(ref l);
        }
        else
        {
            SoftmaxMath.LogNormalizerCore(Unsafe.As<T, double>(ref max), total, out double h, out double l);
            high = Unsafe.As<double, T>(ref h);
            low = Unsafe.As<double, T>(ref l);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nuint RoundUp(nuint value, nuint width) => (value + width - 1) / width * width;

    /// <summary>
    /// The smallest output, in bytes, that is streamed: more than a core's share of most last-level caches, so that the
    /// output would leave the cache before it is read again anyway.
    /// </summary>
    internal const long MinStreamedOutputBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Whether the log-softmax row kernels write a batch's output with non-temporal stores: on x86, from
    /// <see cref="MinStreamedOutputBytes"/> of output (and with Vector512 only: <c>RowKernels{TOps, TVec, T}.Streams</c>). A store to a line that is not in the cache first reads the line
    /// from memory; a non-temporal store of a whole line does not, so out of cache the output costs one pass over memory
    /// instead of two. (The softmax's output pass reads the exponentials it stored: with them in a stack buffer and the
    /// output streamed it was measured as often slower as faster.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool StreamsBatch(nuint rows, nuint rowBytes)
        => Sse2.IsSupported && (long)(rows * rowBytes) >= MinStreamedOutputBytes;

    /// <summary>The largest input, in bytes, whose softmax and log-softmax take each next row's maximum during a row's output pass.</summary>
    internal const long MaxFusedMaxBatchBytes = 4L * 1024 * 1024;

    /// <summary>
    /// Whether the softmax and log-softmax row passes take the next row's maximum while they write a row's output
    /// (<c>RowKernels{TOps, TVec, T}.MapVectors</c>), up to <see cref="MaxFusedMaxBatchBytes"/> of input: there the
    /// output pass, bound by its stores, leaves the load ports idle. From memory the next row's loads then wait on lines
    /// still in flight and hold up the stores, so larger batches keep a maximum pass of their own.
    /// </summary>
    internal static bool FusesNextRowMax(nuint rows, nuint rowBytes) => (long)(rows * rowBytes) <= MaxFusedMaxBatchBytes;
}

/// <summary>
/// The row algorithms for any class count, written once over <see cref="ISimd{TVec, T}"/> and run with the widest
/// vector that fits in a row. A row is covered by vectors at 0, W, 2W, ... and one last vector ending exactly at the
/// end of the row, which may overlap the one before it: its repeated lanes are left out of the sum, and it is loaded
/// before anything is stored so that in-place calls stay correct.
/// </summary>
internal static class RowKernels<TOps, TVec, T>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Softmax of <paramref name="rows"/> rows: max, then e^(x - max) stored and summed, then a scale by 1/sum.</summary>
    /// <remarks>Softmax and log-softmax keep separate loops: one method holding both bodies outgrew the JIT's inlining budget.</remarks>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void Softmax(ref T x, ref T y, nuint rows, nuint classes)
        => WithFetcher<SoftmaxPass>(ref x, ref y, default, default, rows, classes);

    private readonly struct SoftmaxPass : IRowPass
    {
        [MethodImpl(VectorDispatch.KernelEntry)]
        public static double Run<TAhead>(ref T x, ref T y, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
            where TAhead : IFetchAhead<TAhead>, allows ref struct
        {
            nuint last = LastVector(classes, out TVec repeated);
            // The first row's maximum by a pass of its own; each next row's during the output pass of the row before (fused) or after it.
            T max = rows == 0 ? T.Zero : RowMax(ref x, last, TOps.Load(ref x, last));
            bool fused = RowKernels.FusesNextRowMax(rows, classes * (nuint)Unsafe.SizeOf<T>());
            if (fused && rows > 1 && PipelinesRows)
            {
                PipelinedSoftmax(ref x, ref y, rows, classes, max);
                return 0;
            }

            for (nuint row = 0; row < rows; row++)
            {
                ref T xr = ref Unsafe.Add(ref x, row * classes);
                ref T yr = ref Unsafe.Add(ref y, row * classes);
                TVec tail = TOps.Load(ref xr, last);
                TVec negatedMax = TOps.Splat(-max);

                TVec sum = TOps.Splat(SumStart()), compensation = default;
                nuint next = NextRowOffset(row, rows, classes);
                var ahead = TAhead.For(ref Unsafe.Add(ref x, next), ref Unsafe.Add(ref y, next));
                ExpVectors(new InMemory(ref xr), ref yr, last, negatedMax, ref sum, ref compensation, store: true, ref ahead);

                TVec tailExp = TOps.ExpShifted(tail, negatedMax);
                SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.AndNot(tailExp, repeated), ref sum, ref compensation);

                // A row of exactly one vector: its lanes added in double, as the generated row layout does (same result).
                double total = last == 0 ? TOps.SumAcross(tailExp) : TotalExp(sum, compensation);
                var scale = new DivideByTotal(total);
                ref T nextRow = ref Unsafe.Add(ref x, next);
                bool hasNext = row + 1 < rows;
                T nextMax = MapVectors(ref yr, ref yr, last, scale, scale.Apply(tailExp), new InMemory(ref nextRow), TOps.Load(ref nextRow, last), fused && hasNext);
                max = fused || !hasNext ? nextMax : RowMax(ref nextRow, last, TOps.Load(ref nextRow, last));
            }

            return 0;
        }
    }

    /// <summary>
    /// Whether the softmax's fused batches run <see cref="PipelinedSoftmax"/>: Exact at Vector512, whose exponential
    /// keeps both the FMA and the add pipes busy, so the previous row's scale and the next row's maximum ride on it. Fast's
    /// exponential and the narrower widths' are bound by the FMA pipes, which the scale's multiply would join: there
    /// the scale keeps its own store-bound pass.
    /// </summary>
    internal static bool PipelinesRows => TOps.Precision == SoftmaxPrecision.Exact && TOps.Count * Unsafe.SizeOf<T>() == 64;

    /// <summary>
    /// The softmax of a batch of at least two rows, each row's exponential pass also scaling the row before it in place
    /// and taking the maximum of the row after it (<see cref="MapBehind{TMap, TNext}"/>): one pass per row instead of two. The
    /// first row's exponentials run alone, the last row's scale after the loop. Same bits as the row-by-row passes.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void PipelinedSoftmax(ref T x, ref T y, nuint rows, nuint classes, T max)
    {
        nuint last = LastVector(classes, out TVec repeated);
        var scale = new DivideByTotal(FirstRowExp(ref x, ref y, classes, max));
        max = RowMax(ref Unsafe.Add(ref x, classes), last, TOps.Load(ref Unsafe.Add(ref x, classes), last));
        for (nuint row = 1; row < rows; row++)
        {
            ref T next = ref Unsafe.Add(ref x, NextRowOffset(row, rows, classes)); // the last row takes its own maximum again
            scale = PipelinedRow(
                ref Unsafe.Add(ref x, row * classes), ref Unsafe.Add(ref y, row * classes), last, repeated, max, ref Unsafe.Add(ref y, (row - 1) * classes), scale, new InMemory(ref next), TOps.Load(ref next, last), out max);
        }

        ref T lastRow = ref Unsafe.Add(ref y, (rows - 1) * classes);
        MapRow(ref lastRow, ref lastRow, last, scale);
    }

    /// <summary>
    /// One row of a pipelined softmax: e^(x - max) of the row stored to <paramref name="yr"/> (which may be
    /// <paramref name="xr"/>) while <paramref name="previous"/> is scaled by <paramref name="previousScale"/> in place and
    /// the maximum of <paramref name="next"/>'s values over a row (from <paramref name="nextStart"/>, the value of its last
    /// vector) goes to <paramref name="nextMax"/>; returns this row's scale, which the next row's call applies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static DivideByTotal PipelinedRow<TNext>(
        ref T xr, ref T yr, nuint last, TVec repeated, T max, ref T previous, DivideByTotal previousScale, TNext next, TVec nextStart, out T nextMax)
        where TNext : IRowValues<TVec>, allows ref struct
        => new(PipelinedExpPass(ref xr, ref yr, store: true, last, repeated, max, ref previous, ref previous, previousScale, next, nextStart, out nextMax));

    /// <summary>
    /// The pass of exponentials of one pipelined row (<see cref="PipelinedRow"/>, <see cref="PipelinedLogRow"/>): e^(x - max)
    /// over <paramref name="xr"/>, stored to <paramref name="yr"/> when <paramref name="store"/> is set, and their total,
    /// returned; beside them the row before is mapped from <paramref name="previousX"/> to <paramref name="previousY"/>
    /// (<see cref="MapBehind{TMap, TNext}"/>) and the next row's maximum goes to <paramref name="nextMax"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PipelinedExpPass<TMap, TNext>(
        ref T xr, ref T yr, bool store, nuint last, TVec repeated, T max, ref T previousX, ref T previousY, TMap previousMap, TNext next, TVec nextStart, out T nextMax)
        where TMap : struct, IVectorMap<TVec>
        where TNext : IRowValues<TVec>, allows ref struct
    {
        TVec tail = TOps.Load(ref xr, last);
        TVec negatedMax = TOps.Splat(-max);

        // Each row's last vector, which may overlap the one before it, is read before anything of that row is stored.
        TVec previousTail = previousMap.Apply(TOps.Load(ref previousX, last));
        var behind = new MapBehind<TMap, TNext>(ref previousX, ref previousY, previousMap, next, nextStart);
        TVec sum = TOps.Splat(SumStart()), compensation = default;
        ExpVectors(new InMemory(ref xr), ref yr, last, negatedMax, ref sum, ref compensation, store, ref behind);
        TOps.Store(previousTail, ref previousY, last);

        TVec tailExp = TOps.ExpShifted(tail, negatedMax);
        if (store)
        {
            TOps.Store(tailExp, ref yr, last);
        }

        SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.AndNot(tailExp, repeated), ref sum, ref compensation);
        nextMax = TOps.MaxAcross(behind.Max);
        return last == 0 ? TOps.SumAcross(tailExp) : TotalExp(sum, compensation);
    }

    /// <summary>The first row's exponential pass for <see cref="PipelinedSoftmax"/>, a method of its own so that the pipelined loop stays within the JIT's inlining budget.</summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static double FirstRowExp(ref T x, ref T y, nuint classes, T max) => ExpRow(ref x, ref y, classes, TOps.Splat(-max));

    /// <summary>Log-softmax of <paramref name="rows"/> rows: max, the sum of e^(x - max), then (x - hi) - lo with hi + lo = max + ln(sum).</summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void LogSoftmax(ref T x, ref T y, nuint rows, nuint classes)
    {
        if (Streams(ref y, rows, classes))
            WithFetcher<StreamingLogSoftmaxPass>(ref x, ref y, default, default, rows, classes);
        else
            WithFetcher<LogSoftmaxPass>(ref x, ref y, default, default, rows, classes);
    }

    private readonly struct LogSoftmaxPass : IRowPass
    {
        [MethodImpl(VectorDispatch.KernelEntry)]
        public static double Run<TAhead>(ref T x, ref T y, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
            where TAhead : IFetchAhead<TAhead>, allows ref struct
        {
            nuint last = LastVector(classes, out TVec repeated);
            // The first row's maximum by a pass of its own; each next row's during the output pass of the row before (fused) or after it.
            T max = rows == 0 ? T.Zero : RowMax(ref x, last, TOps.Load(ref x, last));
            bool fused = RowKernels.FusesNextRowMax(rows, classes * (nuint)Unsafe.SizeOf<T>());
            if (fused && rows > 1 && PipelinesRows)
            {
                PipelinedLogSoftmax(ref x, ref y, rows, classes, max);
                return 0;
            }

            for (nuint row = 0; row < rows; row++)
            {
                ref T xr = ref Unsafe.Add(ref x, row * classes);
                nuint next = NextRowOffset(row, rows, classes);
                TVec tail = TOps.Load(ref xr, last);
                double total = RowSum(ref xr, last, tail, TOps.Splat(-max), repeated, TAhead.For(ref Unsafe.Add(ref x, next), ref Unsafe.Add(ref y, next)));
                RowNormalizer(max, total, out T high, out T low);
                var normalizer = new SubtractNormalizer(high, low);
                ref T nextRow = ref Unsafe.Add(ref x, next);
                bool hasNext = row + 1 < rows;
                T nextMax = MapVectors(ref xr, ref Unsafe.Add(ref y, row * classes), last, normalizer, normalizer.Apply(tail), new InMemory(ref nextRow), TOps.Load(ref nextRow, last), fused && hasNext);
                max = fused || !hasNext ? nextMax : RowMax(ref nextRow, last, TOps.Load(ref nextRow, last));
            }

            return 0;
        }
    }

    /// <summary>
    /// The log-softmax of a batch of at least two rows, pipelined as <see cref="PipelinedSoftmax"/> is: each row's pass of
    /// exponentials (summed, not stored) also writes the row before it, <c>(x - high) - low</c>, and takes the maximum of
    /// the row after it. The first row's sum runs alone, the last row's output after the loop. Same bits as the
    /// row-by-row passes.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void PipelinedLogSoftmax(ref T x, ref T y, nuint rows, nuint classes, T max)
    {
        nuint last = LastVector(classes, out TVec repeated);
        RowNormalizer(max, FirstRowSum(ref x, classes, max), out T high, out T low);
        var normalizer = new SubtractNormalizer(high, low);
        max = RowMax(ref Unsafe.Add(ref x, classes), last, TOps.Load(ref Unsafe.Add(ref x, classes), last));
        for (nuint row = 1; row < rows; row++)
        {
            ref T next = ref Unsafe.Add(ref x, NextRowOffset(row, rows, classes)); // the last row takes its own maximum again
            normalizer = PipelinedLogRow(
                ref Unsafe.Add(ref x, row * classes), last, repeated, max, ref Unsafe.Add(ref x, (row - 1) * classes), ref Unsafe.Add(ref y, (row - 1) * classes), normalizer, new InMemory(ref next), TOps.Load(ref next, last), out max);
        }

        LastRowLog(ref Unsafe.Add(ref x, (rows - 1) * classes), ref Unsafe.Add(ref y, (rows - 1) * classes), classes, normalizer);
    }

    /// <summary>
    /// One row of a pipelined log-softmax: the sum of e^(x - max) over <paramref name="xr"/> while the row before is
    /// written from <paramref name="previousX"/> to <paramref name="previousY"/> by <paramref name="previousNormalizer"/>
    /// and the maximum of <paramref name="next"/>'s values over a row (from <paramref name="nextStart"/>, the value of its
    /// last vector) goes to <paramref name="nextMax"/>; returns this row's normaliser, which the next row's call applies.
    /// Only the row before is written, so the output may be the input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SubtractNormalizer PipelinedLogRow<TNext>(
        ref T xr, nuint last, TVec repeated, T max, ref T previousX, ref T previousY, SubtractNormalizer previousNormalizer, TNext next, TVec nextStart, out T nextMax)
        where TNext : IRowValues<TVec>, allows ref struct
    {
        double total = PipelinedExpPass(ref xr, ref xr, store: false, last, repeated, max, ref previousX, ref previousY, previousNormalizer, next, nextStart, out nextMax);
        RowNormalizer(max, total, out T high, out T low);
        return new SubtractNormalizer(high, low);
    }

    /// <summary>
    /// The last row's output pass for <see cref="PipelinedLogSoftmax"/>, a method of its own: inlined, it found the float
    /// loop's inlining budget spent and ran as calls (its loop in code that tiering had not yet optimised).
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void LastRowLog(ref T x, ref T y, nuint classes, SubtractNormalizer normalizer)
        => MapRow(ref x, ref y, LastVector(classes, out _), normalizer);

    /// <summary>The first row's sum of exponentials for <see cref="PipelinedLogSoftmax"/>, a method of its own so that the pipelined loop stays within the JIT's inlining budget.</summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    private static double FirstRowSum(ref T x, nuint classes, T max)
    {
        nuint last = LastVector(classes, out TVec repeated);
        return RowSum(ref x, last, TOps.Load(ref x, last), TOps.Splat(-max), repeated);
    }

    /// <summary><see cref="LogSoftmaxPass"/> for batches that <see cref="Streams"/>: the output pass streams (<see cref="StreamRow"/>).</summary>
    private readonly struct StreamingLogSoftmaxPass : IRowPass
    {
        [MethodImpl(VectorDispatch.KernelEntry)]
        public static unsafe double Run<TAhead>(ref T x, ref T y, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
            where TAhead : IFetchAhead<TAhead>, allows ref struct
        {
            nuint last = LastVector(classes, out TVec repeated);
            T* edges = stackalloc T[2 * TOps.Count];
            fixed (T* output = &y)
            {
                for (nuint row = 0; row < rows; row++)
                {
                    ref T xr = ref Unsafe.Add(ref x, row * classes);
                    ref T nextRow = ref Unsafe.Add(ref x, NextRowOffset(row, rows, classes));
                    TVec tail = TOps.Load(ref xr, last);
                    T max = RowMax(ref xr, last, tail);

                    // The fetcher takes the next row's input only (twice): its output is streamed, not read.
                    double total = RowSum(ref xr, last, tail, TOps.Splat(-max), repeated, TAhead.For(ref nextRow, ref nextRow));
                    RowNormalizer(max, total, out T high, out T low);
                    StreamRow(ref xr, output + (row * classes), classes, new SubtractNormalizer(high, low), edges);
                }
            }

            if (Sse.IsSupported)
                Sse.StoreFence(); // non-temporal stores are weakly ordered: make them visible before the call returns
            return 0;
        }
    }

    /// <summary>
    /// Whether a batch writes its output with non-temporal stores (<see cref="RowKernels.StreamsBatch"/>): with Vector512
    /// only, one store per 64-byte line. With Vector256 (two stores per line) the streamed log-softmax measured 1.5x slower
    /// than plain stores on a Zen 4 core with AVX-512 off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool Streams(ref T y, nuint rows, nuint classes)
        => typeof(TVec) == typeof(Vector512<T>) && RowKernels.StreamsBatch(rows, classes * (nuint)sizeof(T))
            && (nuint)Unsafe.AsPointer(ref y) % (nuint)sizeof(T) == 0; // a managed array of T always is; native memory may not be

    /// <summary>
    /// map(source[i]) to destination[i] for one row of at least one vector: whole vectors at aligned addresses with
    /// non-temporal stores, the part of a line before the first of them and after the last with plain element stores
    /// (those lines are shared with the rows before and after). The first and last vectors are mapped before anything is
    /// stored, so <paramref name="destination"/> may be <paramref name="source"/>; <paramref name="edges"/> holds them
    /// (two vectors).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StreamRow<TMap>(ref T source, T* destination, nuint classes, TMap map, T* edges)
        where TMap : struct, IVectorMap<TVec>
    {
        nuint width = (nuint)TOps.Count, vectorBytes = width * (nuint)sizeof(T);
        nuint head = (vectorBytes - ((nuint)destination % vectorBytes)) % vectorBytes / (nuint)sizeof(T);
        nuint aligned = head + ((classes - head) / width * width);
        TVec first = map.Apply(TOps.Load(ref source, 0)), lastVector = map.Apply(TOps.Load(ref source, classes - width));
        for (nuint i = head; i < aligned; i += width)
        {
            StoreNonTemporal(map.Apply(TOps.Load(ref source, i)), destination + i);
        }

        TOps.Store(first, ref Unsafe.AsRef<T>(edges), 0);
        TOps.Store(lastVector, ref Unsafe.AsRef<T>(edges), width);
        for (nuint i = 0; i < head; i++)
        {
            destination[i] = edges[i];
        }

        for (nuint i = aligned; i < classes; i++)
        {
            destination[i] = edges[width + i - (classes - width)];
        }
    }

    /// <summary>A store that bypasses the cache (MOVNTPS/MOVNTPD) to an address aligned to the vector's size (Vector512, see <see cref="Streams"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreNonTemporal(TVec value, T* destination)
    {
        if (typeof(TVec) == typeof(Vector512<T>))
            Unsafe.As<TVec, Vector512<T>>(ref value).StoreAlignedNonTemporal(destination);
        else
            TOps.Store(value, ref Unsafe.AsRef<T>(destination), 0);
    }

    /// <summary>hi + lo = max + ln(total) as log-softmax subtracts it, in the lanes' precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RowNormalizer(T max, double total, out T high, out T low)
    {
        if (TOps.Precision == SoftmaxPrecision.Fast && typeof(T) == typeof(float))
        {
            SoftmaxMath.LogNormalizerFastCore(float.CreateTruncating(max), total, out float fastHigh, out float fastLow);
            high = T.CreateTruncating(fastHigh);
            low = T.CreateTruncating(fastLow);
        }
        else
        {
            RowKernels.LogNormalizer(max, total, out high, out low);
        }
    }

    /// <summary>
    /// One step of a row split into chunks (<see cref="SoftmaxParallel"/>), over the chunk <paramref name="x"/> of
    /// <paramref name="length"/> values: the same operations as <see cref="Softmax"/> and <see cref="LogSoftmax"/> on the
    /// whole row, so that the exponentials are the serial ones bit for bit; only the sum is added in another order.
    /// </summary>
    /// <returns>The chunk's maximum (<see cref="SplitRowStep.Max"/>) or its sum of e^(x - max) in double (<see cref="SplitRowStep.Exp"/>, <see cref="SplitRowStep.Sum"/>); 0 otherwise.</returns>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static double SplitRow(SplitRowStep step, ref T x, ref T y, nuint length, T max, double total)
    {
        // One kernel per step: a single method holding every step's loops outgrew the JIT's inlining budget, and its
        // exponential ran as calls.
        switch (step)
        {
            case SplitRowStep.Max:
                return SplitMax(ref x, length);
            case SplitRowStep.Exp:
                return SplitExp(ref x, ref y, length, max);
            case SplitRowStep.Sum:
                return SplitSum(ref x, length, max);
            case SplitRowStep.Scale:
                SplitScale(ref y, length, total);
                return 0;
            default:
                SplitLog(ref x, ref y, length, max, total);
                return 0;
        }
    }

    [MethodImpl(VectorDispatch.KernelEntry)]
    private static double SplitMax(ref T x, nuint length)
    {
        nuint last = LastVector(length, out _);
        return double.CreateTruncating(RowMax(ref x, last, TOps.Load(ref x, last)));
    }

    [MethodImpl(VectorDispatch.KernelEntry)]
    private static double SplitExp(ref T x, ref T y, nuint length, T max)
        => ExpRow(ref x, ref y, length, TOps.Splat(-max));

    [MethodImpl(VectorDispatch.KernelEntry)]
    private static double SplitSum(ref T x, nuint length, T max)
    {
        nuint last = LastVector(length, out TVec repeated);
        return RowSum(ref x, last, TOps.Load(ref x, last), TOps.Splat(-max), repeated);
    }

    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void SplitScale(ref T y, nuint length, double total)
        => MapRow(ref y, ref y, LastVector(length, out _), new DivideByTotal(total));

    [MethodImpl(VectorDispatch.KernelEntry)]
    private static void SplitLog(ref T x, ref T y, nuint length, T max, double total)
    {
        RowNormalizer(max, total, out T high, out T low);
        MapRow(ref x, ref y, LastVector(length, out _), new SubtractNormalizer(high, low));
    }

    /// <summary>Cross-entropy of <paramref name="rows"/> rows against class targets; writes per-row losses when <paramref name="losses"/> is not empty and returns their sum.</summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static double CrossEntropy(ref T x, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
        => WithFetcher<CrossEntropyPass>(ref x, ref x, targets, losses, rows, classes);

    private readonly struct CrossEntropyPass : IRowPass
    {
        [MethodImpl(VectorDispatch.KernelEntry)]
        public static double Run<TAhead>(ref T x, ref T y, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
            where TAhead : IFetchAhead<TAhead>, allows ref struct
        {
            nuint last = LastVector(classes, out TVec repeated);
            double sum = 0;
            for (nuint row = 0; row < rows; row++)
            {
                ref T xr = ref Unsafe.Add(ref x, row * classes);

                TVec tail = TOps.Load(ref xr, last);
                T max = RowMax(ref xr, last, tail);
                ref T next = ref Unsafe.Add(ref x, NextRowOffset(row, rows, classes)); // no output: the input stands for both
                double total = RowSum(ref xr, last, tail, TOps.Splat(-max), repeated, TAhead.For(ref next, ref next));
                // Rounded to T before it is summed, so that a mean equals the mean of the per-row losses (as in PyTorch).
                T loss = T.CreateTruncating(SoftmaxMath.RowLoss(double.CreateTruncating(max), double.CreateTruncating(Unsafe.Add(ref xr, targets[(int)row])), total));
                if (!losses.IsEmpty)
                {
                    losses[(int)row] = loss;
                }

                sum += double.CreateTruncating(loss);
            }

            return sum;
        }
    }

    /// <summary>
    /// log(sum(e^x)) of each row, as max + ln(sum of e^(x - max)) with the sum compensated and max + ln(sum) formed in
    /// double-width (<see cref="RowKernels.LogNormalizer{T}"/>'s high + low), rounded once. A row whose maximum is infinite or NaN
    /// is the maximum, or NaN if the row holds a NaN (PyTorch's torch.logsumexp).
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void LogSumExp(ref T x, ref T y, nuint rows, nuint classes)
    {
        nuint last = LastVector(classes, out TVec repeated);
        for (nuint row = 0; row < rows; row++)
        {
            ref T xr = ref Unsafe.Add(ref x, row * classes);
            TVec tail = TOps.Load(ref xr, last);
            T max = RowMax(ref xr, last, tail);
            if (!T.IsFinite(max))
            {
                Unsafe.Add(ref y, row) = RowKernels.ContainsNaN(ref xr, classes) ? T.NaN : max;
                continue;
            }

            double total = RowSum(ref xr, last, tail, TOps.Splat(-max), repeated);
            RowKernels.LogNormalizer(max, total, out T high, out T low);
            Unsafe.Add(ref y, row) = high + low;
        }
    }

    /// <summary>
    /// Two passes per row: the maximum (stopping at the first vector holding a NaN, whose first NaN lane is the
    /// answer), then the first lane equal to it. Equality treats -0 and +0 alike, as the scalar order does.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void ArgmaxRows(ref T x, ref int predictions, nuint rows, nuint classes)
    {
        nuint width = (nuint)TOps.Count, last = classes - width;
        ulong all = ulong.MaxValue >> (64 - TOps.Count);
        for (nuint row = 0; row < rows; row++)
        {
            ref T xr = ref Unsafe.Add(ref x, row * classes);
            Unsafe.Add(ref predictions, row) = (int)ArgmaxRow(ref xr, last, width, all);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint ArgmaxRow(ref T xr, nuint last, nuint width, ulong all)
    {
        // The last vector ends at the row's end and may overlap the one before; its repeated lanes hold no NaN
        // (already checked) and cannot be an earlier first maximum, so the first lane found in it is right.
        TVec max = TOps.Load(ref xr, last);
        for (nuint i = 0; ; i += width)
        {
            nuint at = i < last ? i : last;
            TVec v = TOps.Load(ref xr, at);
            ulong ordered = TOps.MaskBits(TOps.Equal(v, v));
            if (ordered != all)
                return at + (nuint)BitOperations.TrailingZeroCount(~ordered);

            max = TOps.MaxNative(max, v);
            if (at == last)
                break;
        }

        TVec target = TOps.Splat(TOps.MaxAcross(max));
        for (nuint i = 0; ; i += width)
        {
            nuint at = i < last ? i : last;
            ulong equal = TOps.MaskBits(TOps.Equal(TOps.Load(ref xr, at), target));
            if (equal != 0 || at == last)
                return at + (nuint)BitOperations.TrailingZeroCount(equal);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T RowMax(ref T xr, nuint last, TVec tail)
    {
        // Four running maxima, so that the loads are not serialised behind one chain of dependent maxima.
        nuint width = (nuint)TOps.Count, i = 0;
        TVec max = tail, max1 = tail, max2 = tail, max3 = tail;
        for (; i + (3 * width) < last; i += 4 * width)
        {
            max = TOps.MaxNative(max, TOps.Load(ref xr, i));
            max1 = TOps.MaxNative(max1, TOps.Load(ref xr, i + width));
            max2 = TOps.MaxNative(max2, TOps.Load(ref xr, i + (2 * width)));
            max3 = TOps.MaxNative(max3, TOps.Load(ref xr, i + (3 * width)));
        }

        for (; i < last; i += width)
        {
            max = TOps.MaxNative(max, TOps.Load(ref xr, i));
        }

        return TOps.MaxAcross(TOps.MaxNative(TOps.MaxNative(max, max1), TOps.MaxNative(max2, max3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double RowSum(ref T xr, nuint last, TVec tail, TVec negatedMax, TVec repeated)
        => RowSum(ref xr, last, tail, negatedMax, repeated, default(NoFetch));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double RowSum<TAhead>(ref T xr, nuint last, TVec tail, TVec negatedMax, TVec repeated, TAhead ahead)
        where TAhead : IFetchAhead<TAhead>, allows ref struct
    {
        TVec sum = TOps.Splat(SumStart()), compensation = default;
        ExpVectors(new InMemory(ref xr), ref xr, last, negatedMax, ref sum, ref compensation, store: false, ref ahead);

        TVec tailExp = TOps.ExpShifted(tail, negatedMax);
        if (last == 0)
        {
            // A row of exactly one vector: its lanes added in double, as the generated row layout does (same result).
            return TOps.SumAcross(tailExp);
        }

        SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.AndNot(tailExp, repeated), ref sum, ref compensation);
        return TotalExp(sum, compensation);
    }

    /// <summary>The values of a row in memory.</summary>
    internal readonly ref struct InMemory : IRowValues<TVec>
    {
        private readonly ref T row;

        public InMemory(ref T row) => this.row = ref row;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Load(nuint offset) => TOps.Load(ref row, offset);
    }

    /// <summary>
    /// e^(x - max) of one row stored to <paramref name="y"/> (which may be <paramref name="x"/>), and their sum, as
    /// <see cref="Softmax"/> computes them before it scales: the sampler's unnormalised probabilities.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double ExpRow(ref T x, ref T y, nuint classes, TVec negatedMax)
        => ExpRow(new InMemory(ref x), ref y, classes, negatedMax);

    /// <summary>
    /// <see cref="ExpRow(ref T, ref T, nuint, TVec)"/> of values computed as they are read (an attention row's
    /// <c>scale * x + bias</c>), so that they need not be stored first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double ExpRow<TValues>(TValues x, ref T y, nuint classes, TVec negatedMax)
        where TValues : IRowValues<TVec>, allows ref struct
    {
        nuint last = LastVector(classes, out TVec repeated);
        TVec tail = x.Load(last);
        TVec sum = TOps.Splat(SumStart()), compensation = default;
        var none = default(NoFetch);
        ExpVectors(x, ref y, last, negatedMax, ref sum, ref compensation, store: true, ref none);
        TVec tailExp = TOps.ExpShifted(tail, negatedMax);
        TOps.Store(tailExp, ref y, last);
        if (last == 0)
        {
            return TOps.SumAcross(tailExp);
        }

        SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.AndNot(tailExp, repeated), ref sum, ref compensation);
        return TotalExp(sum, compensation);
    }

    /// <summary>
    /// e^(x - max) of the whole vectors before <paramref name="last"/>, stored to <paramref name="y"/> when
    /// <paramref name="store"/> is set, and added to a compensated sum started at <see cref="SumStart"/>. In Fast, four
    /// exponentials are first added pairwise (two roundings, at most 2^-23 of their sum) and join the compensated sum
    /// as one value, which takes its 4 operations once per 4 vectors; the sum then starts at 4, so that it is never
    /// below a value added (AccumulateExp's condition). Every <see cref="RenormalisedVectors"/> vectors the compensation is
    /// folded into the sum; rows no longer than that are not affected. <paramref name="ahead"/> runs alongside, a
    /// group of vectors at a time: it fetches the lines of the next row, or maps the previous one to its output (<see cref="MapBehind{TMap, TNext}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpVectors<TValues, TAhead>(scoped TValues x, ref T y, nuint last, TVec negatedMax, ref TVec sum, ref TVec compensation, bool store, ref TAhead ahead)
        where TValues : IRowValues<TVec>, allows ref struct
        where TAhead : IExpPassSideWork, allows ref struct
    {
        nuint width = (nuint)TOps.Count, i = 0;
        while (true)
        {
            nuint end = last - i > RenormalisedVectors * width ? i + (RenormalisedVectors * width) : last;
            if (TOps.Precision == SoftmaxPrecision.Fast)
            {
                for (; i + (3 * width) < end; i += 4 * width)
                {
                    // The side work runs between this group's loads and its stores: its rows' lines lie at the same
                    // offsets modulo 4 KiB as this row's when rows are a multiple of 4 KiB, and a load after a store
                    // to such an address waits for it.
                    TVec v0 = x.Load(i), v1 = x.Load(i + width), v2 = x.Load(i + (2 * width)), v3 = x.Load(i + (3 * width));
                    ahead.Run(i, 4);
                    TVec e0 = TOps.ExpShifted(v0, negatedMax);
                    TVec e1 = TOps.ExpShifted(v1, negatedMax);
                    TVec e2 = TOps.ExpShifted(v2, negatedMax);
                    TVec e3 = TOps.ExpShifted(v3, negatedMax);
                    if (store)
                    {
                        TOps.Store(e0, ref y, i);
                        TOps.Store(e1, ref y, i + width);
                        TOps.Store(e2, ref y, i + (2 * width));
                        TOps.Store(e3, ref y, i + (3 * width));
                    }

                    SoftmaxMath.AccumulateExp<TOps, TVec, T>(TOps.Add(TOps.Add(e0, e1), TOps.Add(e2, e3)), ref sum, ref compensation);
                }
            }

            for (; i < end; i += width)
            {
                TVec v = x.Load(i);
                ahead.Run(i, 1);
                TVec e = TOps.ExpShifted(v, negatedMax);
                if (store)
                {
                    TOps.Store(e, ref y, i);
                }

                SoftmaxMath.AccumulateExp<TOps, TVec, T>(e, ref sum, ref compensation);
            }

            if (i >= last) // the vectors step past last when it is not a multiple of the width
            {
                return;
            }

            // Fold the compensation into the sum (Fast2Sum: the sum is the larger), so that it stays below half an ULP
            // of the sum: left to grow over a long row of like terms, its own roundings added up in one direction.
            TVec folded = TOps.Add(sum, compensation);
            compensation = TOps.Subtract(compensation, TOps.Subtract(folded, sum));
            sum = folded;
        }
    }

    /// <summary>The offset of the row after <paramref name="row"/>, or of <paramref name="row"/> itself when it is the last (nothing is fetched past the batch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint NextRowOffset(nuint row, nuint rows, nuint classes) => (row + 1 < rows ? row + 1 : row) * classes;

    /// <summary>A pass over a batch of rows (softmax, log-softmax, cross-entropy), run with a fetcher chosen for the batch by <see cref="WithFetcher"/>.</summary>
    private interface IRowPass
    {
        /// <summary>Runs the pass with <typeparamref name="TAhead"/>; the cross-entropy returns the sum of the losses, the others 0.</summary>
        static abstract double Run<TAhead>(ref T x, ref T y, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
            where TAhead : IFetchAhead<TAhead>, allows ref struct;
    }

    /// <summary>
    /// Runs <typeparamref name="TPass"/> with the fetcher its batch takes. In rows of at least 2,000 bytes, each row's
    /// exponential pass fetches the next row: rows of up to 8 KiB into L1 from 128 KiB of input (a batch that lives in
    /// L2, whose next row the maximum pass would otherwise wait for), longer rows into L2 from 1 MiB (they would leave
    /// L1 before their maximum pass read them). Smaller batches stay in L1, or in L2 from call to call with rows too
    /// long for L1, where the fetches only cost issue slots (8-10% at 32,000 classes); shorter rows are fetched in time
    /// by the hardware prefetcher, which the extra fetches then only disturb.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double WithFetcher<TPass>(ref T x, ref T y, ReadOnlySpan<int> targets, Span<T> losses, nuint rows, nuint classes)
        where TPass : IRowPass
    {
        nuint rowBytes = classes * (nuint)Unsafe.SizeOf<T>();
        nuint minBatchBytes = rowBytes <= 8192 ? 128u * 1024 : 1024u * 1024;
        if (!Sse.IsSupported || rows < 2 || rowBytes < 2000 || rows * rowBytes < minBatchBytes)
        {
            return TPass.Run<NoFetch>(ref x, ref y, targets, losses, rows, classes);
        }

        return rowBytes <= 8192
            ? TPass.Run<NextRow<IntoL1>>(ref x, ref y, targets, losses, rows, classes)
            : TPass.Run<NextRow<IntoL2>>(ref x, ref y, targets, losses, rows, classes);
    }

    /// <summary>What a row's exponential pass fetches ahead for the row after it: nothing (<see cref="NoFetch"/>) or its lines (<see cref="NextRow{TLevel}"/>).</summary>
    internal interface IFetchAhead<TSelf> : IExpPassSideWork
        where TSelf : IFetchAhead<TSelf>, allows ref struct
    {
        /// <summary>The fetcher for a next row whose input starts at <paramref name="x"/> and output at <paramref name="y"/>.</summary>
        static abstract TSelf For(ref T x, ref T y);

    }

    /// <summary>Work done during an exponential pass, a group of vectors at a time: fetches of the next row (<see cref="IFetchAhead{TSelf}"/>), or <see cref="MapBehind{TMap, TNext}"/>.</summary>
    internal interface IExpPassSideWork
    {
        /// <summary>Runs at the offsets of a group of <paramref name="vectors"/> vectors (1 or 4) from <paramref name="offset"/>.</summary>
        void Run(nuint offset, int vectors);
    }

    /// <summary>
    /// The work of a pipelined row's exponential pass (<see cref="PipelinedRow"/>, <see cref="PipelinedLogRow"/>) alongside
    /// its exponentials: the row before mapped to its output (scaled in place, or log-softmax's <c>(x - high) - low</c>)
    /// and the maximum of the row after taken from its values (read from memory, or staged as they are read), over the
    /// same offsets.
    /// </summary>
    internal ref struct MapBehind<TMap, TNext> : IExpPassSideWork
        where TMap : struct, IVectorMap<TVec>
        where TNext : IRowValues<TVec>, allows ref struct
    {
        private readonly ref T source;
        private readonly ref T destination;
        private readonly TNext next;
        private readonly TMap map;

        /// <summary>The running maximum of the next row (one accumulator: a second kept the JIT from hoisting the exponential's constants).</summary>
        public TVec Max;

        public MapBehind(ref T source, ref T destination, TMap map, TNext next, TVec start)
        {
            this.source = ref source;
            this.destination = ref destination;
            this.next = next;
            this.map = map;
            Max = start;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run(nuint offset, int vectors)
        {
            TOps.Store(map.Apply(TOps.Load(ref source, offset)), ref destination, offset);
            Max = TOps.MaxNative(Max, next.Load(offset));
            if (vectors == 4)
            {
                nuint width = (nuint)TOps.Count;
                TOps.Store(map.Apply(TOps.Load(ref source, offset + width)), ref destination, offset + width);
                TOps.Store(map.Apply(TOps.Load(ref source, offset + (2 * width))), ref destination, offset + (2 * width));
                TOps.Store(map.Apply(TOps.Load(ref source, offset + (3 * width))), ref destination, offset + (3 * width));
                Max = TOps.MaxNative(Max, TOps.MaxNative(
                    TOps.MaxNative(next.Load(offset + width), next.Load(offset + (2 * width))),
                    next.Load(offset + (3 * width))));
            }
        }
    }

    /// <summary>Fetches nothing: batches in the cache, and every single-row pass.</summary>
    internal readonly ref struct NoFetch : IFetchAhead<NoFetch>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static NoFetch For(ref T x, ref T y) => default;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run(nuint offset, int vectors)
        {
        }
    }

    /// <summary>
    /// The next row's input and output, fetched into the cache level <typeparamref name="TLevel"/> while this row's
    /// exponential pass computes: out of cache that pass is bound by arithmetic and the next row's maximum pass by
    /// memory, and the hardware prefetcher does not run ahead of a pass that hits the cache. Types of their own, so that
    /// the passes without them have no test in their loops (a branch there kept the JIT from hoisting the exponential's
    /// constants).
    /// </summary>
    internal readonly ref struct NextRow<TLevel> : IFetchAhead<NextRow<TLevel>>
        where TLevel : ICacheLevel
    {
        private readonly ref T x;
        private readonly ref T y;

        private NextRow(ref T x, ref T y)
        {
            this.x = ref x;
            this.y = ref y;
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static NextRow<TLevel> For(ref T x, ref T y) => new(ref x, ref y);

        /// <summary>One fetch per 64-byte line of the group, without a loop (which would also keep the constants in the loop).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run(nuint offset, int vectors)
        {
            nuint width = (nuint)TOps.Count;
            int vectorBytes = TOps.Count * Unsafe.SizeOf<T>();
            FetchLine(offset);
            if (vectors == 4 && vectorBytes >= 32)
            {
                FetchLine(offset + (2 * width));
                if (vectorBytes >= 64)
                {
                    FetchLine(offset + width);
                    FetchLine(offset + (3 * width));
                }
            }
        }

        // A prefetch is a hint that never faults: the address of an unpinned array is good enough for it.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private unsafe void FetchLine(nuint offset)
        {
            TLevel.Prefetch(Unsafe.AsPointer(ref Unsafe.Add(ref x, offset)));
            TLevel.Prefetch(Unsafe.AsPointer(ref Unsafe.Add(ref y, offset)));
        }
    }

    /// <summary>The vectors between two foldings of a long row's compensation into its sum (a multiple of 4, Fast's group).</summary>
    internal const nuint RenormalisedVectors = 256;

    /// <summary>The value every lane of a row's sum of exponentials starts at: 1 (<see cref="SoftmaxMath.ExpSumStart"/>), 4 in Fast (see <see cref="ExpVectors"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T SumStart()
        => TOps.Precision == SoftmaxPrecision.Fast ? T.CreateTruncating(4) : T.One;

    /// <summary>The total of a sum started at <see cref="SumStart"/> in every lane, without the starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double TotalExp(TVec sum, TVec compensation)
        => TOps.SumAcross(TOps.Subtract(sum, TOps.Splat(SumStart()))) + TOps.SumAcross(compensation);

    /// <summary>
    /// y = map(x) over a row whose last vector starts at <paramref name="last"/>: the last vector, which may overlap the
    /// one before it, is read and mapped before anything is stored, so <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void MapRow<TMap>(ref T x, ref T y, nuint last, TMap map)
        where TMap : struct, IVectorMap<TVec>
        => MapVectors(ref x, ref y, last, map, map.Apply(TOps.Load(ref x, last)), new InMemory(ref x), default, hasNext: false);

    /// <summary>
    /// <see cref="MapRow{TMap}(ref T, ref T, nuint, TMap)"/> that also returns the maximum of <paramref name="next"/>'s
    /// values over a row of the same length, starting from <paramref name="nextStart"/> (the value of its last vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T MapRow<TMap, TNext>(ref T x, ref T y, nuint last, TMap map, TNext next, TVec nextStart)
        where TMap : struct, IVectorMap<TVec>
        where TNext : IRowValues<TVec>, allows ref struct
        => MapVectors(ref x, ref y, last, map, map.Apply(TOps.Load(ref x, last)), next, nextStart, hasNext: true);

    /// <summary>
    /// y = map(x) over the whole vectors of a row before <paramref name="last"/>, then <paramref name="mappedTail"/> (the
    /// last vector, mapped by the caller before anything was stored) at <paramref name="last"/>; when
    /// <paramref name="hasNext"/>, also the maximum of <paramref name="next"/>'s values over a row of the same length
    /// from <paramref name="nextStart"/>, which is returned (else 0): the next row's maximum pass (or an attention row's
    /// staging, <c>StagingValues</c>) rides on this row's output pass, bound by its stores. Each step reads x before the
    /// next row's values and stores last, as <see cref="ExpVectors"/> orders its side work. The next row is not the
    /// output row, so y may be x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MapVectors<TMap, TNext>(ref T x, ref T y, nuint last, TMap map, TVec mappedTail, TNext next, TVec nextStart, bool hasNext)
        where TMap : struct, IVectorMap<TVec>
        where TNext : IRowValues<TVec>, allows ref struct
    {
        nuint width = (nuint)TOps.Count, i = 0;
        T max = T.Zero;
        if (hasNext)
        {
            TVec max0 = nextStart, max1 = nextStart;
            for (; i + width < last; i += 2 * width)
            {
                TVec a0 = TOps.Load(ref x, i), a1 = TOps.Load(ref x, i + width);
                TVec n0 = next.Load(i), n1 = next.Load(i + width);
                TOps.Store(map.Apply(a0), ref y, i);
                TOps.Store(map.Apply(a1), ref y, i + width);
                max0 = TOps.MaxNative(max0, n0);
                max1 = TOps.MaxNative(max1, n1);
            }

            for (; i < last; i += width)
            {
                TVec a = TOps.Load(ref x, i);
                TVec n = next.Load(i);
                TOps.Store(map.Apply(a), ref y, i);
                max0 = TOps.MaxNative(max0, n);
            }

            max = TOps.MaxAcross(TOps.MaxNative(max0, max1));
        }
        else
        {
            for (; i < last; i += width)
            {
                TOps.Store(map.Apply(TOps.Load(ref x, i)), ref y, i);
            }
        }

        TOps.Store(mappedTail, ref y, last);
        return max;
    }

    /// <summary>
    /// The start of a row's last vector (classes - W, the row at least one vector long), and in <paramref name="repeated"/>
    /// the lanes of it that the whole vectors before it already cover.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nuint LastVector(nuint classes, out TVec repeated)
    {
        nuint width = (nuint)TOps.Count;
        nuint last = classes - width;
        repeated = TOps.FirstLanes((int)(RowKernels.RoundUp(last, width) - last));
        return last;
    }


    /// <summary>The plain softmax's normalisation: float multiplies by 1/total rounded once from double; double divides by the total (one rounding, where a reciprocal would round twice).</summary>
    [method: MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly struct DivideByTotal(double total) : IVectorMap<TVec>
    {
        private readonly TVec factor = TOps.Splat(T.CreateTruncating(typeof(T) == typeof(float) ? 1.0 / total : total));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Apply(TVec value) => typeof(T) == typeof(float) ? TOps.Multiply(value, factor) : TOps.Divide(value, factor);
    }

    /// <summary>Log-softmax's last step: (v - high) - low, with high + low = max + ln(total) (<see cref="RowKernels{TOps, TVec, T}.RowNormalizer"/>).</summary>
    /// <remarks>Its constructor is inlined: the pipelined rows' loop had left it a call per row.</remarks>
    [method: MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly struct SubtractNormalizer(T high, T low) : IVectorMap<TVec>
    {
        private readonly TVec high = TOps.Splat(high), low = TOps.Splat(low);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Apply(TVec value) => TOps.Subtract(TOps.Subtract(value, high), low);
    }

    /// <summary>(v - max) / temperature: the sampler's scaled logits.</summary>
    internal readonly struct ShiftAndDivide(T max, T temperature) : IVectorMap<TVec>
    {
        private readonly TVec max = TOps.Splat(max), temperature = TOps.Splat(temperature);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Apply(TVec value) => TOps.Divide(TOps.Subtract(value, max), temperature);
    }

    /// <summary>v * factor.</summary>
    internal readonly struct MultiplyBy(T factor) : IVectorMap<TVec>
    {
        private readonly TVec factor = TOps.Splat(factor);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Apply(TVec value) => TOps.Multiply(value, factor);
    }
}

/// <summary>The steps of <see cref="RowKernels{TOps, TVec, T}.SplitRow"/>.</summary>
internal enum SplitRowStep
{
    /// <summary>The chunk's maximum.</summary>
    Max,

    /// <summary>e^(x - max) stored to the output, and its sum.</summary>
    Exp,

    /// <summary>The sum of e^(x - max), nothing stored.</summary>
    Sum,

    /// <summary>The stored exponentials scaled by 1/total (softmax).</summary>
    Scale,

    /// <summary>x - (max + ln(total)) stored (log-softmax).</summary>
    Log,
}

/// <summary>A lane-wise map of a row's vectors, for <see cref="RowKernels{TOps, TVec, T}.MapRow{TMap}"/>.</summary>
internal interface IVectorMap<TVec>
    where TVec : struct
{
    TVec Apply(TVec value);
}

/// <summary>The vectors a row pass reads, by their offset in the row: loaded from memory, or computed from it as they are read.</summary>
internal interface IRowValues<TVec>
    where TVec : struct
{
    /// <summary>The vector of the row's values at <paramref name="offset"/> on.</summary>
    TVec Load(nuint offset);
}

/// <summary>The cache level a prefetch fills (<see cref="RowKernels{TOps, TVec, T}.NextRow{TLevel}"/>); x86 only, where the batches that fetch ahead run.</summary>
internal interface ICacheLevel
{
    static abstract unsafe void Prefetch(void* address);
}

/// <summary>PREFETCHT0: into L1 (and the levels below).</summary>
internal readonly struct IntoL1 : ICacheLevel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(void* address) => Sse.Prefetch0(address);
}

/// <summary>PREFETCHT1: into L2, for rows that would leave L1 before they are read.</summary>
internal readonly struct IntoL2 : ICacheLevel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(void* address) => Sse.Prefetch1(address);
}
