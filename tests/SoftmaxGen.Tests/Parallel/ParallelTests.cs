using System;
using System.Numerics;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// <see cref="SoftmaxParallel"/>: every per-row result is bitwise the one <see cref="SoftmaxPrimitives"/> computes (each
/// chunk runs the same dispatch), for generated and fallback class counts, several chunks with a partial last one and
/// every degree of parallelism; the reduced cross-entropy is the same for every degree, within one float ULP of the
/// serial result and within the loss tolerance of the float64 reference; bad arguments throw and write nothing. Zero
/// rows of any class count up to <see cref="int.MaxValue"/>, and rows longer than a chunk, behave as in
/// <see cref="SoftmaxPrimitives"/>.
/// </summary>
public sealed class ParallelTests
{
    private const float Sentinel = 4242.5f;

    /// <summary>Class counts with a generated kernel in this assembly (3, 4, 17, 100, 1000) and without (6, 11, 5000: the fallback).</summary>
    public static TheoryData<int, int> Shapes
    {
        get
        {
            // (classes, rows): several chunks, a partial last chunk, rows not a multiple of any block width.
            var data = new TheoryData<int, int>();
            data.Add(3, 70_001);
            data.Add(4, 40_003);
            data.Add(6, 30_001);
            data.Add(11, 20_011);
            data.Add(17, 9_001);
            data.Add(100, 1_999);
            data.Add(1000, 203);
            data.Add(5000, 27);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float_PerRowResults_EqualSerial_ForEveryDegree(int classes, int rows) => CheckPerRow<float>(classes, rows);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_PerRowResults_EqualSerial_ForEveryDegree(int classes, int rows) => CheckPerRow<double>(classes, rows);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float_ReducedCrossEntropy_IsDeterministic_AndMatchesSerialAndReference(int classes, int rows)
    {
        var random = new Random(LogitGenerator.Seed(classes, rows, 1));
        float[] logits = LogitGenerator.Create<float>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        ReferenceResult reference = Reference.Compute(logits, targets, classes);

        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            float serial = SoftmaxPrimitives.CrossEntropy(logits, targets, classes, reduction);
            float first = SoftmaxParallel.CrossEntropy(logits, targets, classes, reduction, 1);
            foreach (int degree in new[] { 2, 3, -1 })
            {
                float parallel = SoftmaxParallel.CrossEntropy(logits, targets, classes, reduction, degree);
                Assert.True(BitConverter.SingleToInt32Bits(first) == BitConverter.SingleToInt32Bits(parallel), $"C={classes} {reduction}: degree {degree} gives {parallel:R}, degree 1 gives {first:R}");
            }

            // The chunks add the same per-row losses in another grouping: at most one float ULP from the serial sum.
            Assert.True(Ulp.Distance(serial, first) <= 1, $"C={classes} {reduction}: parallel {first:R}, serial {serial:R}");
            DoubleDouble exact = reduction == LossReduction.Mean ? reference.LossMean : reference.LossSum;
            double relative = Math.Abs(first - exact.Hi) / Math.Max(Math.Abs(exact.Hi), 1);
            Assert.True(relative <= Verifier.LossRelativeTolerance<float>(), $"C={classes} {reduction}: parallel {first:R}, reference {exact}, relative error {relative:E3}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_ReducedCrossEntropy_IsDeterministic_AndMatchesSerialAndReference(int classes, int rows)
    {
        var random = new Random(LogitGenerator.Seed(classes, rows, 2));
        double[] logits = LogitGenerator.Create<double>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        ReferenceResult reference = Reference.Compute(logits, targets, classes);

        double serial = SoftmaxPrimitives.CrossEntropy(logits, targets, classes);
        double first = SoftmaxParallel.CrossEntropy(logits, targets, classes, LossReduction.Mean, 1);
        foreach (int degree in new[] { 2, 3, -1 })
        {
            double parallel = SoftmaxParallel.CrossEntropy(logits, targets, classes, LossReduction.Mean, degree);
            Assert.True(BitConverter.DoubleToInt64Bits(first) == BitConverter.DoubleToInt64Bits(parallel), $"C={classes}: degree {degree} gives {parallel:R}, degree 1 gives {first:R}");
        }

        // Another grouping of the same double sum: relative rounding differences of about rows x 2^-53.
        Assert.True(Math.Abs(first - serial) <= 1e-12 * Math.Abs(serial), $"C={classes}: parallel {first:R}, serial {serial:R}");
        double relative = Math.Abs(first - reference.LossMean.Hi) / Math.Max(Math.Abs(reference.LossMean.Hi), 1);
        Assert.True(relative <= Verifier.LossRelativeTolerance<double>(), $"C={classes}: parallel {first:R}, reference {reference.LossMean}, relative error {relative:E3}");
    }

    [Theory]
    [InlineData(3, 100)]
    [InlineData(10, 3000)]
    [InlineData(1000, 32)]
    public void OneChunk_IsExactlySerial_IncludingTheReduction(int classes, int rows)
    {
        Assert.True(rows <= SoftmaxParallel.ChunkRows(classes), "the batch must fit one chunk");
        var random = new Random(LogitGenerator.Seed(classes, rows, 3));
        float[] logits = LogitGenerator.Create<float>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        float serial = SoftmaxPrimitives.CrossEntropy(logits, targets, classes);
        float parallel = SoftmaxParallel.CrossEntropy(logits, targets, classes);
        Assert.Equal(BitConverter.SingleToInt32Bits(serial), BitConverter.SingleToInt32Bits(parallel));
        double exact = Reference.Compute(logits, targets, classes).LossMean.Hi;
        Assert.True(Math.Abs(parallel - exact) <= 1e-6 * Math.Max(Math.Abs(exact), 1), $"{parallel:R} vs reference {exact:R}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(513)]
    [InlineData(40_000)]
    [InlineData(int.MaxValue / 2)]
    [InlineData(int.MaxValue - 32767)] // the largest count for which MinChunkElements + classes - 1 fits an int
    [InlineData(int.MaxValue - 32766)]
    [InlineData(int.MaxValue - 20000)]
    [InlineData(int.MaxValue)]
    public void ChunkRows_HoldAtLeastTheMinimum_AndWholeBlocks(int classes)
    {
        int chunkRows = SoftmaxParallel.ChunkRows(classes);
        Assert.True((long)chunkRows * classes >= SoftmaxParallel.MinChunkElements);
        Assert.True(chunkRows >= 1);

        // A chunk of chunkRows rows is sliced as one span: its length must be an int.
        Assert.True((long)chunkRows * classes <= int.MaxValue);
        if (classes <= 512)
        {
            Assert.Equal(0, chunkRows % 64);
        }

        // No more rows than needed to reach the minimum, plus the alignment.
        int slack = classes <= 512 ? 64 : 1;
        Assert.True((long)(chunkRows - slack) * classes < SoftmaxParallel.MinChunkElements);
    }

    [Theory]
    [InlineData(1, 32768)]
    [InlineData(2, 16384)]
    [InlineData(3, 10944)] // 10,923 rows rounded up to 64
    [InlineData(63, 576)]
    [InlineData(64, 512)]
    [InlineData(65, 512)]
    [InlineData(100, 384)]
    [InlineData(511, 128)]
    [InlineData(512, 64)]
    [InlineData(513, 64)]
    [InlineData(1000, 33)]
    [InlineData(20_000, 2)]
    [InlineData(32767, 2)]
    [InlineData(32768, 1)]
    [InlineData(32769, 1)]
    [InlineData(int.MaxValue / 2, 1)]
    [InlineData(int.MaxValue - 20000, 1)]
    [InlineData(int.MaxValue, 1)]
    public void ChunkRows_AreExact(int classes, int expected) => Assert.Equal(expected, SoftmaxParallel.ChunkRows(classes));

    /// <summary>
    /// Zero rows: class counts around the 64-row alignment and the chunk minimum, up to <see cref="int.MaxValue"/>
    /// (where the chunk arithmetic must not overflow int), for every degree and operation.
    /// </summary>
    public static TheoryData<int, int, string> ZeroRowCases
    {
        get
        {
            int[] classCounts = [1, 2, 3, 63, 64, 65, 511, 512, 513, 32768, 32769, int.MaxValue / 2, int.MaxValue - 20000, int.MaxValue];
            string[] operations = ["Softmax", "LogSoftmax", "CrossEntropyMean", "CrossEntropySum", "CrossEntropyPerRow"];
            var data = new TheoryData<int, int, string>();
            foreach (int classes in classCounts)
            {
                foreach (int degree in new[] { 1, 2, -1 })
                {
                    foreach (string operation in operations)
                    {
                        data.Add(classes, degree, operation);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ZeroRowCases))]
    public void Float_ZeroRows_AreANoOp_LikeSoftmaxPrimitives(int classes, int degree, string operation)
    {
        // The outputs are longer than the zero rows need: neither call may write any of them.
        float[] serialOutput = Filled(4), parallelOutput = Filled(4);
        float serial = 0, parallel = 0;
        ReadOnlySpan<int> noTargets = [];
        switch (operation)
        {
            case "Softmax":
                SoftmaxPrimitives.Softmax(ReadOnlySpan<float>.Empty, serialOutput, classes);
                SoftmaxParallel.Softmax(ReadOnlySpan<float>.Empty, parallelOutput, classes, degree);
                break;
            case "LogSoftmax":
                SoftmaxPrimitives.LogSoftmax(ReadOnlySpan<float>.Empty, serialOutput, classes);
                SoftmaxParallel.LogSoftmax(ReadOnlySpan<float>.Empty, parallelOutput, classes, degree);
                break;
            case "CrossEntropyMean":
                serial = SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<float>.Empty, noTargets, classes, LossReduction.Mean);
                parallel = SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, noTargets, classes, LossReduction.Mean, degree);
                break;
            case "CrossEntropySum":
                serial = SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<float>.Empty, noTargets, classes, LossReduction.Sum);
                parallel = SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, noTargets, classes, LossReduction.Sum, degree);
                break;
            case "CrossEntropyPerRow":
                SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<float>.Empty, noTargets, serialOutput, classes);
                SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, noTargets, parallelOutput, classes, degree);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }

        Assert.Equal(BitConverter.SingleToInt32Bits(serial), BitConverter.SingleToInt32Bits(parallel));
        Assert.All(serialOutput, v => Assert.Equal(Sentinel, v));
        Assert.All(parallelOutput, v => Assert.Equal(Sentinel, v));
    }

    [Theory]
    [MemberData(nameof(ZeroRowCases))]
    public void Double_ZeroRows_AreANoOp_LikeSoftmaxPrimitives(int classes, int degree, string operation)
    {
        // The outputs are longer than the zero rows need: neither call may write any of them.
        double[] serialOutput = FilledDouble(4), parallelOutput = FilledDouble(4);
        double serial = 0, parallel = 0;
        ReadOnlySpan<int> noTargets = [];
        switch (operation)
        {
            case "Softmax":
                SoftmaxPrimitives.Softmax(ReadOnlySpan<double>.Empty, serialOutput, classes);
                SoftmaxParallel.Softmax(ReadOnlySpan<double>.Empty, parallelOutput, classes, degree);
                break;
            case "LogSoftmax":
                SoftmaxPrimitives.LogSoftmax(ReadOnlySpan<double>.Empty, serialOutput, classes);
                SoftmaxParallel.LogSoftmax(ReadOnlySpan<double>.Empty, parallelOutput, classes, degree);
                break;
            case "CrossEntropyMean":
                serial = SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<double>.Empty, noTargets, classes, LossReduction.Mean);
                parallel = SoftmaxParallel.CrossEntropy(ReadOnlySpan<double>.Empty, noTargets, classes, LossReduction.Mean, degree);
                break;
            case "CrossEntropySum":
                serial = SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<double>.Empty, noTargets, classes, LossReduction.Sum);
                parallel = SoftmaxParallel.CrossEntropy(ReadOnlySpan<double>.Empty, noTargets, classes, LossReduction.Sum, degree);
                break;
            case "CrossEntropyPerRow":
                SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<double>.Empty, noTargets, serialOutput, classes);
                SoftmaxParallel.CrossEntropy(ReadOnlySpan<double>.Empty, noTargets, parallelOutput, classes, degree);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, null);
        }

        Assert.Equal(BitConverter.DoubleToInt64Bits(serial), BitConverter.DoubleToInt64Bits(parallel));
        Assert.All(serialOutput, v => Assert.Equal(Sentinel, v));
        Assert.All(parallelOutput, v => Assert.Equal(Sentinel, v));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, -2)]
    [InlineData(int.MaxValue - 20000, 0)]
    [InlineData(int.MaxValue - 20000, -2)]
    [InlineData(int.MaxValue, 0)]
    [InlineData(int.MaxValue, -2)]
    public void ZeroRows_BadDegree_Throws(int classes, int degree)
    {
        float[] output = Filled(4);
        double[] outputD = FilledDouble(4);
        AssertDegree(degree, () => SoftmaxParallel.Softmax(ReadOnlySpan<float>.Empty, output, classes, degree));
        AssertDegree(degree, () => SoftmaxParallel.LogSoftmax(ReadOnlySpan<float>.Empty, output, classes, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, [], classes, LossReduction.Mean, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, [], output, classes, degree));
        AssertDegree(degree, () => SoftmaxParallel.Softmax(ReadOnlySpan<double>.Empty, outputD, classes, degree));
        AssertDegree(degree, () => SoftmaxParallel.LogSoftmax(ReadOnlySpan<double>.Empty, outputD, classes, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(ReadOnlySpan<double>.Empty, [], classes, LossReduction.Sum, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(ReadOnlySpan<double>.Empty, [], outputD, classes, degree));
        Assert.All(output, v => Assert.Equal(Sentinel, v));
        Assert.All(outputD, v => Assert.Equal(Sentinel, v));
    }

    /// <summary>
    /// Long rows: one row longer than <see cref="SoftmaxParallel.MinChunkElements"/> (one chunk), several such rows (one
    /// row per chunk), and chunks of two rows with a partial last chunk (20,000 and 32,767 classes).
    /// </summary>
    public static TheoryData<int, int> LongRowShapes
    {
        get
        {
            var data = new TheoryData<int, int>();
            data.Add(40_000, 1);
            data.Add(200_000, 1);
            data.Add(40_000, 3);
            data.Add(200_000, 2);
            data.Add(20_000, 5);
            data.Add(32767, 5);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LongRowShapes))]
    public void Float_LongRows_EqualSerial_ForEveryDegree(int classes, int rows) => CheckLongRows<float>(classes, rows);

    [Theory]
    [MemberData(nameof(LongRowShapes))]
    public void Double_LongRows_EqualSerial_ForEveryDegree(int classes, int rows) => CheckLongRows<double>(classes, rows);

    [Fact]
    public void OneChunk_AndDegreeOne_DoNotAllocate()
    {
        float[] small = LogitGenerator.Create<float>("normal5", 3000, new Random(13));
        float[] large = LogitGenerator.Create<float>("normal5", 100_000, new Random(14));
        float[] output = new float[large.Length];
        int[] targets = LogitGenerator.Targets(10_000, 10, new Random(15));
        // Round 0 warms up every call (first calls may allocate in the runtime: type loading, tiered JIT); a later
        // round must allocate nothing. Several rounds, because a background tier-up can land in any one of them.
        long best = long.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            SoftmaxParallel.Softmax(small, output, 10);
            SoftmaxParallel.LogSoftmax(small, output, 10, 2);
            SoftmaxParallel.Softmax(large, output, 10, 1);
            SoftmaxParallel.CrossEntropy(large, targets, 10, LossReduction.Mean, 1);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round > 0)
            {
                best = Math.Min(best, allocated);
            }
        }

        Assert.Equal(0, best);
    }

    [Fact]
    public void Softmax_InPlace_EqualsSerial()
    {
        const int Classes = 10, Rows = 20_000;
        float[] logits = LogitGenerator.Create<float>("normal5", Rows * Classes, new Random(11));
        float[] expected = new float[logits.Length];
        SoftmaxPrimitives.Softmax(logits, expected, Classes);
        SoftmaxParallel.Softmax(logits, logits, Classes, 2);
        Assert.Equal(expected, logits);
    }

    [Fact]
    public void Softmax_MatchesTheReference_OnSeveralChunks()
    {
        // Independent of SoftmaxPrimitives: the parallel result against the float64 reference, 4 ULP.
        const int Classes = 7, Rows = 12_345;
        var random = new Random(12);
        float[] logits = LogitGenerator.Create<float>("normal5", Rows * Classes, random);
        ReferenceResult reference = Reference.Compute(logits, [], Classes);
        float[] probabilities = new float[logits.Length];
        SoftmaxParallel.Softmax(logits, probabilities, Classes, 2);
        for (int i = 0; i < logits.Length; i++)
        {
            if (reference.Softmax[i].Hi >= Verifier.SoftmaxUlpThreshold)
            {
                float rounded = Reference.Round<float>(reference.Softmax[i]);
                Assert.True(Ulp.Distance(probabilities[i], rounded) <= Verifier.SoftmaxMaxUlp, $"element {i}: {probabilities[i]:R}, reference {rounded:R}");
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void BadDegree_Throws_AndWritesNothing(int degree)
    {
        float[] logits = [1, 2, 3, 4, 5, 6];
        int[] targets = [0, 2];
        float[] output = Filled(6);
        float[] losses = Filled(2);
        double[] logitsD = [1, 2, 3, 4, 5, 6];
        double[] outputD = new double[6];

        AssertDegree(degree, () => SoftmaxParallel.Softmax(logits, output, 3, degree));
        AssertDegree(degree, () => SoftmaxParallel.LogSoftmax(logits, output, 3, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(logits, targets, 3, LossReduction.Mean, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(logits, targets, losses, 3, degree));
        AssertDegree(degree, () => SoftmaxParallel.Softmax(logitsD, outputD, 3, degree));
        AssertDegree(degree, () => SoftmaxParallel.LogSoftmax(logitsD, outputD, 3, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(logitsD, targets, 3, LossReduction.Sum, degree));
        AssertDegree(degree, () => SoftmaxParallel.CrossEntropy(logitsD, targets, outputD, 3, degree));
        Assert.All(output, v => Assert.Equal(Sentinel, v));
        Assert.All(losses, v => Assert.Equal(Sentinel, v));
        Assert.All(outputD, v => Assert.Equal(0, v));
    }

    [Fact]
    public void BadShapes_Throw_LikeSoftmaxPrimitives()
    {
        float[] logits = [1, 2, 3, 4, 5, 6, 7];
        float[] output = Filled(7);
        var classes = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxParallel.Softmax(logits, output, 0));
        Assert.Equal("classes", classes.ParamName);
        var length = Assert.Throws<ArgumentException>(() => SoftmaxParallel.Softmax(logits, output, 3));
        Assert.Equal("logits", length.ParamName);
        Assert.Contains("(7)", length.Message, StringComparison.Ordinal);
        var shortOutput = Assert.Throws<ArgumentException>(() => SoftmaxParallel.LogSoftmax(logits.AsSpan(0, 6), output.AsSpan(0, 5), 3));
        Assert.Equal("logProbabilities", shortOutput.ParamName);
        var overlap = Assert.Throws<ArgumentException>(() => SoftmaxParallel.Softmax(logits.AsSpan(0, 6), logits.AsSpan(1, 6), 3));
        Assert.Equal("probabilities", overlap.ParamName);
        var target = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxParallel.CrossEntropy(logits.AsSpan(0, 6), [0, 3], 3));
        Assert.Equal("targets", target.ParamName);
        Assert.Contains("targets[1] is 3", target.Message, StringComparison.Ordinal);
        var reduction = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxParallel.CrossEntropy(logits.AsSpan(0, 6), [0, 1], 3, (LossReduction)7));
        Assert.Equal("reduction", reduction.ParamName);
        var losses = Assert.Throws<ArgumentException>(() => SoftmaxParallel.CrossEntropy(logits.AsSpan(0, 6), [0, 1], output.AsSpan(0, 1), 3));
        Assert.Equal("losses", losses.ParamName);
        Assert.All(output, v => Assert.Equal(Sentinel, v));
    }

    [Fact]
    public void ZeroRows_MeanIsNaN_AndNothingIsWritten()
    {
        Assert.True(float.IsNaN(SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, [], 5)));
        Assert.Equal(0f, SoftmaxParallel.CrossEntropy(ReadOnlySpan<float>.Empty, [], 5, LossReduction.Sum));
        float[] output = Filled(3);
        SoftmaxParallel.Softmax(ReadOnlySpan<float>.Empty, output, 5, 2);
        Assert.All(output, v => Assert.Equal(Sentinel, v));
    }

    private static void CheckPerRow<T>(int classes, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(rows > SoftmaxParallel.ChunkRows(classes), "the batch must span several chunks");
        var random = new Random(LogitGenerator.Seed(classes, rows, typeof(T) == typeof(float) ? 4 : 5));
        T[] logits = LogitGenerator.Create<T>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        AssertPerRowEqualsSerial(logits, targets, classes, rows);
    }

    private static void CheckLongRows<T>(int classes, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(SoftmaxParallel.ChunkRows(classes) <= 2, "a chunk must hold one or two rows");
        var random = new Random(LogitGenerator.Seed(classes, rows, typeof(T) == typeof(float) ? 6 : 7));
        T[] logits = LogitGenerator.Create<T>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        AssertPerRowEqualsSerial(logits, targets, classes, rows);

        // The reduced loss: the same for every degree; one chunk is exactly the serial call.
        bool oneChunk = rows <= SoftmaxParallel.ChunkRows(classes);
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            long serial = ReducedBits(logits, targets, classes, reduction, null);
            long first = ReducedBits(logits, targets, classes, reduction, 1);
            foreach (int degree in new[] { 2, -1 })
            {
                Assert.Equal(first, ReducedBits(logits, targets, classes, reduction, degree));
            }

            if (oneChunk)
            {
                Assert.Equal(serial, first);
            }
        }
    }

    // The bits of the reduced cross-entropy from SoftmaxPrimitives (degree null) or SoftmaxParallel.
    private static long ReducedBits<T>(T[] logits, int[] targets, int classes, LossReduction reduction, int? degree)
    {
        if (logits is float[] x)
        {
            return BitConverter.SingleToInt32Bits(degree is int d
                ? SoftmaxParallel.CrossEntropy(x, targets, classes, reduction, d)
                : SoftmaxPrimitives.CrossEntropy(x, targets, classes, reduction));
        }

        var xd = (double[])(object)logits;
        return BitConverter.DoubleToInt64Bits(degree is int dd
            ? SoftmaxParallel.CrossEntropy(xd, targets, classes, reduction, dd)
            : SoftmaxPrimitives.CrossEntropy(xd, targets, classes, reduction));
    }

    private static void AssertPerRowEqualsSerial<T>(T[] logits, int[] targets, int classes, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] softmax = new T[logits.Length], logSoftmax = new T[logits.Length], losses = new T[rows];
        Serial(logits, targets, softmax, logSoftmax, losses, classes);

        foreach (int degree in new[] { 1, 2, 3, -1 })
        {
            // One element past the shape: the parallel code must not write it.
            T[] softmaxP = Padded<T>(logits.Length), logSoftmaxP = Padded<T>(logits.Length), lossesP = Padded<T>(rows);
            Parallel(logits, targets, softmaxP, logSoftmaxP, lossesP, classes, degree);
            if (rows == 1 && degree != 1 && classes >= SoftmaxParallel.SingleRowMinClasses)
            {
                // One long row is split across threads: within the split's documented bound of the serial result.
                AssertWithinSplitBound(softmax, softmaxP, log: false, $"softmax C={classes} degree={degree}");
                AssertWithinSplitBound(logSoftmax, logSoftmaxP, log: true, $"log-softmax C={classes} degree={degree}");
            }
            else
            {
                AssertSame(softmax, softmaxP, $"softmax C={classes} degree={degree}");
                AssertSame(logSoftmax, logSoftmaxP, $"log-softmax C={classes} degree={degree}");
            }

            AssertSame(losses, lossesP, $"cross-entropy C={classes} degree={degree}");
        }
    }

    private static void Serial<T>(T[] logits, int[] targets, T[] softmax, T[] logSoftmax, T[] losses, int classes)
    {
        if (logits is float[] x)
        {
            SoftmaxPrimitives.Softmax(x, (float[])(object)softmax, classes);
            SoftmaxPrimitives.LogSoftmax(x, (float[])(object)logSoftmax, classes);
            SoftmaxPrimitives.CrossEntropy(x, targets, (float[])(object)losses, classes);
        }
        else
        {
            var xd = (double[])(object)logits;
            SoftmaxPrimitives.Softmax(xd, (double[])(object)softmax, classes);
            SoftmaxPrimitives.LogSoftmax(xd, (double[])(object)logSoftmax, classes);
            SoftmaxPrimitives.CrossEntropy(xd, targets, (double[])(object)losses, classes);
        }
    }

    private static void Parallel<T>(T[] logits, int[] targets, T[] softmax, T[] logSoftmax, T[] losses, int classes, int degree)
    {
        if (logits is float[] x)
        {
            SoftmaxParallel.Softmax(x, (float[])(object)softmax, classes, degree);
            SoftmaxParallel.LogSoftmax(x, (float[])(object)logSoftmax, classes, degree);
            SoftmaxParallel.CrossEntropy(x, targets, (float[])(object)losses, classes, degree);
        }
        else
        {
            var xd = (double[])(object)logits;
            SoftmaxParallel.Softmax(xd, (double[])(object)softmax, classes, degree);
            SoftmaxParallel.LogSoftmax(xd, (double[])(object)logSoftmax, classes, degree);
            SoftmaxParallel.CrossEntropy(xd, targets, (double[])(object)losses, classes, degree);
        }
    }

    private static T[] Padded<T>(int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length + 1];
        values[length] = T.CreateTruncating(Sentinel);
        return values;
    }

    private static void AssertWithinSplitBound<T>(T[] expected, T[] actual, bool log, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!SingleRowParallelTests.WithinSerialBound(expected[i], actual[i], log))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, serial gives {expected[i]}");
            }
        }

        Assert.True(actual[^1] == T.CreateTruncating(Sentinel), $"{what}: wrote past the shape");
    }

    private static void AssertSame<T>(T[] expected, T[] actual, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!Verifier.SameValue(expected[i], actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, serial gives {expected[i]}");
            }
        }

        Assert.True(actual[^1] == T.CreateTruncating(Sentinel), $"{what}: wrote past the shape");
    }

    private static void AssertDegree(int degree, Action call)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(call);
        Assert.Equal("maxDegreeOfParallelism", exception.ParamName);
        Assert.Equal(degree, exception.ActualValue);
        Assert.Contains($"is {degree};", exception.Message, StringComparison.Ordinal);
    }

    private static float[] Filled(int length)
    {
        var values = new float[length];
        Array.Fill(values, Sentinel);
        return values;
    }

    private static double[] FilledDouble(int length)
    {
        var values = new double[length];
        Array.Fill(values, Sentinel);
        return values;
    }
}
