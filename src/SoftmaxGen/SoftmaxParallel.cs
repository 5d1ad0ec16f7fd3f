using System.Threading.Tasks;
using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <summary>
/// <see cref="SoftmaxPrimitives"/> on several cores: the same softmax, log-softmax and cross-entropy over a row-major
/// batch of <c>rows x classes</c> values, with the rows split into fixed chunks that run in parallel (like PyTorch's
/// intra-op parallelism with <c>torch.set_num_threads</c>). Each chunk runs the same code as
/// <see cref="SoftmaxPrimitives"/> (the generated kernel for the class count, or the fallback), so every per-row result
/// is bit for bit the one <see cref="SoftmaxPrimitives"/> computes.
/// </summary>
/// <remarks>
/// <para>The rows are cut into chunks of at least <see cref="MinChunkElements"/> values (a whole number of rows, one row
/// when a row holds more; a multiple of 64 rows for up to 512 classes), independently of the degree of parallelism. A batch of at most one chunk
/// runs inline on the calling thread, with no allocation and no overhead beyond the argument checks, and so does every
/// batch when <c>maxDegreeOfParallelism</c> is 1; larger batches use
/// <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>, which allocates about 2 KB per call (plus 8 bytes
/// per chunk for a reduced cross-entropy).
/// The reduced cross-entropy adds the per-chunk sums (each in double) in chunk order, so it is the same for every
/// degree of parallelism and every thread schedule.</para>
/// <para>One row of at least <see cref="SingleRowMinClasses"/> classes (a vocabulary row) is split into chunks too,
/// when more than one thread is allowed: chunk maxima, then each chunk's exponentials and their sum (added in chunk
/// order, compensated), then the normalisation. Its result is the same for every degree of parallelism and within 1 ULP of the
/// serial one in float, 4 ULP in double (log-softmax: 4 ULP of max(|v|, 1)). The three passes run on the calling
/// thread and on up to <see cref="Environment.ProcessorCount"/> - 1 dedicated background threads, which spin for 50 µs
/// after a split before they block (a thread-pool work item takes microseconds to start, as long as the whole split
/// of a vocabulary row takes); a split allocates a few dozen bytes plus one double per 8,192 values. A split that
/// finds those threads busy with another runs on its calling thread, with the same result.</para>
/// <para>When it pays: for large batches (millions of values) on a machine with idle cores. Softmax over a batch
/// that has left the caches is bound by memory bandwidth rather than arithmetic, so a second thread helps only as far as
/// one core does not saturate the memory bus, and not at all while other processes keep the cores busy (measure on your
/// machine with <c>ParallelBenchmarks</c>; docs/performance.md has ours). Below a few hundred thousand values
/// the cost of starting the work items (microseconds) outweighs any gain, and a batch of one chunk never leaves the
/// calling thread.</para>
/// </remarks>
public static class SoftmaxParallel
{
    /// <summary>The smallest number of values a chunk holds (the last chunk may hold fewer): 32,768.</summary>
    public const int MinChunkElements = 32768;

    // Chunks hold a multiple of this many rows, so that a block kernel's row blocks (at most 64 rows) fall on the same
    // rows in every chunk as in one serial call, and the per-row results are identical.
    private const int RowAlignment = 64;

    private enum Operation
    {
        Softmax,
        LogSoftmax,
        CrossEntropy,
    }

    /// <summary>
    /// The softmax of each row, as <see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    /// (<c>F.softmax(logits, dim=1)</c>), computed on up to <paramref name="maxDegreeOfParallelism"/> threads.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="probabilities">Receives <c>rows x classes</c> probabilities. May be the same memory as <paramref name="logits"/> (in place), but may not partly overlap it.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use: -1 (the default) for <see cref="Environment.ProcessorCount"/>, or a positive count (1 runs every chunk on the calling thread).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="probabilities"/> is shorter than <paramref name="logits"/> or partly overlaps it.</exception>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(Operation.Softmax, logits, probabilities, classes, maxDegreeOfParallelism, nameof(probabilities), precision);

    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(Operation.Softmax, logits, probabilities, classes, maxDegreeOfParallelism, nameof(probabilities), precision);

    /// <summary>
    /// The log-softmax of each row, as <see cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    /// (<c>F.log_softmax(logits, dim=1)</c>), computed on up to <paramref name="maxDegreeOfParallelism"/> threads.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="logProbabilities">Receives <c>rows x classes</c> log-probabilities. May be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use: -1 (the default) for <see cref="Environment.ProcessorCount"/>, or a positive count.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="logProbabilities"/> is shorter than <paramref name="logits"/> or partly overlaps it.</exception>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(Operation.LogSoftmax, logits, logProbabilities, classes, maxDegreeOfParallelism, nameof(logProbabilities), precision);

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(Operation.LogSoftmax, logits, logProbabilities, classes, maxDegreeOfParallelism, nameof(logProbabilities), precision);

    /// <summary>
    /// The cross-entropy loss of logits against class-index targets, reduced over the rows, as
    /// <see cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/> without its options (every target must be a class index)
    /// (<c>F.cross_entropy(logits, targets, reduction=...)</c>), computed on up to <paramref name="maxDegreeOfParallelism"/>
    /// threads. The per-chunk sums are added in chunk order, so the result does not depend on the degree of parallelism;
    /// it may differ from the serial result in the last bits of the double sum (the rows are added in another order),
    /// which rounds to at most one float ULP.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN for zero rows, as PyTorch) or sum of the per-row losses.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use: -1 (the default) for <see cref="Environment.ProcessorCount"/>, or a positive count.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is outside <c>[0, classes)</c>, <paramref name="reduction"/> is not defined, or <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="targets"/> does not hold one value per row.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ReducedChecked(logits, targets, classes, reduction, maxDegreeOfParallelism, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, int, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ReducedChecked(logits, targets, classes, reduction, maxDegreeOfParallelism, precision);

    /// <summary>
    /// The cross-entropy loss of each row against its class-index target, as
    /// <see cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/> without its options (every target must be a class index)
    /// (<c>F.cross_entropy(logits, targets, reduction='none')</c>), computed on up to <paramref name="maxDegreeOfParallelism"/> threads.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c>.</param>
    /// <param name="losses">Receives one loss per row; must not overlap <paramref name="logits"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use: -1 (the default) for <see cref="Environment.ProcessorCount"/>, or a positive count.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is outside <c>[0, classes)</c>, or <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, <paramref name="targets"/> does not hold one value per row, or <paramref name="losses"/> is too short or overlaps <paramref name="logits"/>.</exception>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int classes, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => PerRowChecked(logits, targets, losses, classes, maxDegreeOfParallelism, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int classes, int maxDegreeOfParallelism = -1, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => PerRowChecked(logits, targets, losses, classes, maxDegreeOfParallelism, precision);

    private static void RowsChecked<T>(Operation operation, ReadOnlySpan<T> logits, Span<T> output, int classes, int maxDegreeOfParallelism, string outputName, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, output, nameof(logits), outputName);
        int degree = Degree(maxDegreeOfParallelism);
        SoftmaxGuard.Precision(precision);
        if (rows == 1 && degree > 1 && classes >= SingleRowMinClasses)
            SplitRow(operation == Operation.LogSoftmax, logits, output, classes, degree, precision);
        else
            Run(operation, logits, output, [], rows, classes, degree, precision);
    }

    /// <summary>
    /// One row of at least this many classes (65,536) is split across threads when more than one is allowed: on two
    /// cores it took 0.79x the serial time at 65,536 classes, 0.51x at 151,936 and 0.52x at 16,777,216
    /// (docs/performance.md). Shorter rows run serially.
    /// </summary>
    public const int SingleRowMinClasses = 1 << 16;

    // The chunks of a split row: small enough that the threads' shares differ by at most one chunk (a few percent of a
    // vocabulary row), large enough that a chunk's dispatch and partial result cost nothing beside its exponentials.
    private const int SplitChunkElements = 8192;

    // The split of one row, whatever its length (at least two chunks), for the tests of the split itself.
    internal static void SplitRowCore<T>(bool log, ReadOnlySpan<T> logits, Span<T> output, int degree, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.Length < 2 * MinChunkElements || output.Length != logits.Length)
            throw new ArgumentException($"logits has {logits.Length} values and output {output.Length}; the split needs one row of at least {2 * MinChunkElements}.", nameof(logits));
        SplitRow(log, logits, output, logits.Length, degree, precision);
    }

    // One long row in chunks of about SplitChunkElements values: the chunk maxima, merged; each
    // chunk's e^(x - max) (stored, for softmax) and its sum, added in chunk order; then the scale or the subtraction.
    // The exponentials are the serial ones bit for bit; the total differs from the serial one only in the order of
    // its double additions (compensated across chunks), which moves a float result by at most one ULP. The chunks are the same for every number of
    // threads, so the result is too.
    private static unsafe void SplitRow<T>(bool log, ReadOnlySpan<T> logits, Span<T> output, int classes, int degree, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int chunks = classes / SplitChunkElements;
        int parts = Math.Min(Math.Min(degree, RowSplitTeam.MaxParts), chunks);
        RowSplitTeam? team = parts > 1 ? RowSplitTeam.TryAcquire() : null;
        try
        {
            fixed (T* x = logits)
            fixed (T* y = output)
            {
                SplitRowWork<T> work = SplitRowWork<T>.Rent(x, y, classes, chunks, precision, team is null ? 1 : parts, team);
                work.Phase(SplitRowStep.Max, T.Zero, 0);
                double max = work.Partial[0];
                foreach (double chunkMax in work.Partial)
                    max = chunkMax > max || double.IsNaN(chunkMax) ? chunkMax : max;

                T rowMax = T.CreateTruncating(max);
                work.Phase(log ? SplitRowStep.Sum : SplitRowStep.Exp, rowMax, 0);
                // Compensated (Neumaier), so that in double the chunk order adds no rounding beyond the serial sum's.
                double total = 0, compensation = 0;
                foreach (double chunkSum in work.Partial)
                {
                    double next = total + chunkSum;
                    compensation += Math.Abs(total) >= Math.Abs(chunkSum) ? (total - next) + chunkSum : (chunkSum - next) + total;
                    total = next;
                }

                total += compensation;

                work.Phase(log ? SplitRowStep.Log : SplitRowStep.Scale, rowMax, total);
                work.Return();
            }
        }
        finally
        {
            team?.Release();
        }
    }

    // The chunks of one row over pinned memory, each part of a phase taking a contiguous run of them. One instance per
    // thread is kept for the next split, so that a split allocates nothing once its thread has split a row as long.
    private sealed unsafe class SplitRowWork<T> : IRowSplitPhase
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic]
        private static SplitRowWork<T>? cached;

        private T* logits;
        private T* output;
        private int classes;
        private int chunks;
        private SoftmaxPrecision precision;
        private int parts;
        private RowSplitTeam? team;
        private double[] partial = [];
        private SplitRowStep step;
        private T max;
        private double total;

        /// <summary>Each chunk's result of the last phase: its maximum or its sum of exponentials.</summary>
        public ReadOnlySpan<double> Partial => partial.AsSpan(0, chunks);

        /// <summary>The calling thread's instance, set up for one row; <see cref="Return"/> gives it back (a split that throws leaves it to the collector).</summary>
        public static SplitRowWork<T> Rent(T* logits, T* output, int classes, int chunks, SoftmaxPrecision precision, int parts, RowSplitTeam? team)
        {
            SplitRowWork<T> work = cached ?? new SplitRowWork<T>();
            cached = null;
            if (work.partial.Length < chunks)
                work.partial = new double[chunks];
            work.logits = logits;
            work.output = output;
            (work.classes, work.chunks, work.precision, work.parts, work.team) = (classes, chunks, precision, parts, team);
            return work;
        }

        /// <summary>Drops the row's pointers and the team and keeps the instance for the thread's next split.</summary>
        public void Return()
        {
            logits = null;
            output = null;
            team = null;
            cached = this;
        }

        // Chunks of equal length to within a multiple of 64 values (the widest vector's lanes, four times over).
        private int ChunkStart(int chunk) => chunk == chunks ? classes : (int)((long)chunk * classes / chunks) & ~63;

        public void Phase(SplitRowStep phaseStep, T rowMax, double rowTotal)
        {
            step = phaseStep;
            max = rowMax;
            total = rowTotal;
            if (team is null)
                RunPart(0, 1);
            else
                team.Run(this, parts);
        }

        public void RunPart(int part, int count)
        {
            for (int chunk = part * chunks / count, end = (part + 1) * chunks / count; chunk < end; chunk++)
            {
                int start = ChunkStart(chunk), length = ChunkStart(chunk + 1) - start;
                var operation = new SplitRowOperation<T>(step, new ReadOnlySpan<T>(logits + start, length), new Span<T>(output + start, length), max, total);
                partial[chunk] = VectorDispatch.ByLayout<SplitRowOperation<T>, T, double>(ref operation, length, precision, LayoutRule.Rows);
            }
        }
    }

    private readonly ref struct SplitRowOperation<TElement>(SplitRowStep step, ReadOnlySpan<TElement> x, Span<TElement> y, TElement max, double total)
        : ILayoutOperation<double>
    {
        private readonly ReadOnlySpan<TElement> x = x;
        private readonly Span<TElement> y = y;
        private readonly TElement max = max;

        double ILayoutOperation<double>.Run<TOps, TVec, T>(RowLayout layout)
        {
            TElement rowMax = max;
            return RowKernels<TOps, TVec, T>.SplitRow(
                step,
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x)),
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(y)),
                (nuint)x.Length,
                Unsafe.As<TElement, T>(ref rowMax),
                total);
        }
    }

    private static double ReducedChecked<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction, int maxDegreeOfParallelism, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Targets(targets, rows, classes);
        SoftmaxGuard.Reduction(reduction);
        int degree = Degree(maxDegreeOfParallelism);
        SoftmaxGuard.Precision(precision);
        double sum = Run(Operation.CrossEntropy, logits, [], targets, rows, classes, degree, precision);
        return SoftmaxGuard.Reduce(sum, rows, reduction);
    }

    private static void PerRowChecked<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, int classes, int maxDegreeOfParallelism, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Targets(targets, rows, classes);
        SoftmaxGuard.PerRowLosses(logits, targets, [], losses, rows);
        int degree = Degree(maxDegreeOfParallelism);
        SoftmaxGuard.Precision(precision);
        Run(Operation.CrossEntropy, logits, losses, targets, rows, classes, degree, precision);
    }

    /// <summary>The number of rows in each chunk (the last may hold fewer): at least <see cref="MinChunkElements"/> values and at least one row, and a multiple of 64 rows when that is 64 rows or more (up to 512 classes).</summary>
    /// <param name="classes">The class count, at least 1.</param>
    internal static int ChunkRows(int classes)
    {
        // In long: MinChunkElements + classes - 1 passes int.MaxValue for classes above int.MaxValue - 32767. The
        // quotient is 1 to MinChunkElements rows, and a chunk of more than one row holds fewer than
        // 2 * MinChunkElements values, so chunkRows * classes fits an int for every class count.
        int rows = (int)((MinChunkElements + (long)classes - 1) / classes);
        return rows < RowAlignment ? rows : (rows + RowAlignment - 1) / RowAlignment * RowAlignment;
    }

    private static int Degree(int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism == -1)
        {
            return Environment.ProcessorCount;
        }

        if (maxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxDegreeOfParallelism),
                maxDegreeOfParallelism,
                $"maxDegreeOfParallelism is {maxDegreeOfParallelism}; it must be -1 (all processors) or at least 1.");
        }

        return maxDegreeOfParallelism;
    }

    // Runs the operation on validated arguments; for cross-entropy returns the sum of the per-row losses, added per
    // chunk in chunk order. `output` is the probabilities (softmax, log-softmax) or the per-row losses (cross-entropy,
    // empty for a reduction).
    private static double Run<T>(Operation operation, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<int> targets, int rows, int classes, int degree, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxKernel? kernel = SoftmaxKernelRegistry.Find(classes, precision);
        int chunkRows = ChunkRows(classes);
        int chunks = (int)(((long)rows + chunkRows - 1) / chunkRows);
        if (chunks <= 1)
        {
            return RunChunk(operation, kernel, precision, logits, output, targets, rows, classes);
        }

        if (degree == 1)
        {
            double sum = 0;
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                sum += RunChunk(operation, kernel, precision, logits, output, targets, rows, classes, chunkRows, chunk);
            }

            return sum;
        }

        return RunParallel(operation, kernel, precision, logits, output, targets, rows, classes, chunkRows, chunks, degree);
    }

    private static unsafe double RunParallel<T>(Operation operation, SoftmaxKernel? kernel, SoftmaxPrecision precision, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<int> targets, int rows, int classes, int chunkRows, int chunks, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* logitsPointer = logits)
        fixed (T* outputPointer = output)
        fixed (int* targetsPointer = targets)
        {
            var work = new ChunkWork<T>(operation, kernel, precision, logitsPointer, logits.Length, outputPointer, output.Length, targetsPointer, targets.Length, rows, classes, chunkRows);
            double[]? sums = operation == Operation.CrossEntropy ? new double[chunks] : null;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = degree }, chunk =>
            {
                double chunkSum = work.Run(chunk);
                if (sums is not null)
                {
                    sums[chunk] = chunkSum;
                }
            });

            double total = 0;
            if (sums is not null)
            {
                foreach (double chunkSum in sums)
                {
                    total += chunkSum;
                }
            }

            return total;
        }
    }

    // Chunk `chunk` (rows [chunk * chunkRows, ...)) of a batch.
    private static double RunChunk<T>(Operation operation, SoftmaxKernel? kernel, SoftmaxPrecision precision, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<int> targets, int rows, int classes, int chunkRows, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The products are taken in long and narrowed checked: for chunk < chunks they are at most rows and
        // logits.Length, which are ints, so a wrong chunk count fails loudly rather than slicing a wrapped offset.
        int firstRow = checked((int)((long)chunk * chunkRows));
        int count = Math.Min(chunkRows, rows - firstRow);
        int start = checked((int)((long)firstRow * classes));
        int length = checked((int)((long)count * classes));

        // Softmax and log-softmax write rows x classes values; cross-entropy one loss per row, or none (a reduction).
        Span<T> y = operation != Operation.CrossEntropy ? output.Slice(start, length) : output.IsEmpty ? [] : output.Slice(firstRow, count);
        ReadOnlySpan<int> t = targets.IsEmpty ? [] : targets.Slice(firstRow, count);
        return RunChunk(operation, kernel, precision, logits.Slice(start, length), y, t, count, classes);
    }

    // One chunk's call into the normal dispatch: the generated kernel for the class count, or the fallback.
    private static double RunChunk<T>(Operation operation, SoftmaxKernel? kernel, SoftmaxPrecision precision, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<int> targets, int rows, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (operation)
        {
            case Operation.Softmax or Operation.LogSoftmax:
                SoftmaxFallback.NormalizeRows(kernel, logits, output, rows, classes, operation == Operation.LogSoftmax, precision);
                return 0;
            default:
                return kernel is not null
                    ? SoftmaxFallback.KernelCrossEntropy(kernel, logits, targets, output, rows)
                    : SoftmaxFallback.CrossEntropyRows(logits, targets, output, rows, classes, precision);
        }
    }

    // The arguments of one parallel call over pinned memory (spans cannot be captured by the work items).
    private sealed unsafe class ChunkWork<T>(
        Operation operation,
        SoftmaxKernel? kernel,
        SoftmaxPrecision precision,
        T* logits,
        int logitsLength,
        T* output,
        int outputLength,
        int* targets,
        int targetsLength,
        int rows,
        int classes,
        int chunkRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public double Run(int chunk) => RunChunk(
            operation,
            kernel,
            precision,
            new ReadOnlySpan<T>(logits, logitsLength),
            new Span<T>(output, outputLength),
            new ReadOnlySpan<int>(targets, targetsLength),
            rows,
            classes,
            chunkRows,
            chunk);
    }
}
