using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace SoftmaxGen.Benchmarks;

/// <summary>The shape of the input: one row, a batch of about 64K elements (fits in L2) or of about 16M (far beyond the caches).</summary>
public enum Shape
{
    /// <summary>A single row of <c>Classes</c> logits.</summary>
    Row,

    /// <summary><c>round(65536 / Classes)</c> rows of <c>Classes</c> logits (about 256 KB of floats).</summary>
    Batch64K,

    /// <summary><c>round(16777216 / Classes)</c> rows of <c>Classes</c> logits (about 64 MB of floats).</summary>
    Batch16M,
}

/// <summary>Input data and shapes shared by the benchmarks.</summary>
internal static class BenchmarkData
{
    /// <summary>The seed of every random input, so that runs are comparable.</summary>
    public const int Seed = 20261122;

    /// <summary>The total element count a <see cref="Shape.Batch64K"/> batch aims for.</summary>
    public const int BatchElements = 65536;

    /// <summary>The total element count a <see cref="Shape.Batch16M"/> batch aims for.</summary>
    public const int LargeBatchElements = 16 * 1024 * 1024;

    /// <summary>The number of rows for a shape and class count.</summary>
    public static int Rows(Shape shape, int classes) => shape switch
    {
        Shape.Row => 1,
        Shape.Batch64K => Math.Max(1, (int)Math.Round(BatchElements / (double)classes, MidpointRounding.AwayFromZero)),
        _ => Math.Max(1, (int)Math.Round(LargeBatchElements / (double)classes, MidpointRounding.AwayFromZero)),
    };

    /// <summary>Logits drawn from N(0, 5^2) with a fixed seed (Box-Muller), rounded to float.</summary>
    public static float[] Logits(int count)
    {
        var result = new float[count];
        Fill(count, (i, value) => result[i] = (float)value);
        return result;
    }

    /// <inheritdoc cref="Logits(int)"/>
    public static double[] LogitsDouble(int count)
    {
        var result = new double[count];
        Fill(count, (i, value) => result[i] = value);
        return result;
    }

    private static void Fill(int count, Action<int, double> store)
    {
        var random = new Random(Seed);
        for (int i = 0; i < count; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(); // (0, 1]: log is finite
            double u2 = random.NextDouble();
            double radius = 5.0 * Math.Sqrt(-2.0 * Math.Log(u1));
            store(i, radius * Math.Cos(2.0 * Math.PI * u2));
            if (i + 1 < count)
                store(i + 1, radius * Math.Sin(2.0 * Math.PI * u2));
        }
    }

    /// <summary>Uniform class-index targets in <c>[0, classes)</c> with a fixed seed.</summary>
    public static int[] Targets(int rows, int classes)
    {
        var random = new Random(Seed + 1);
        var result = new int[rows];
        for (int i = 0; i < rows; i++)
            result[i] = random.Next(classes);
        return result;
    }

    /// <summary>
    /// The absolute bound a peer's probabilities are checked to (ours: 1e-5). The peers round x - max or sum in float:
    /// ONNX Runtime is up to 111 float ULP off at C = 32000 (4.2e-6 in a probability), and TensorPrimitives' Vector256
    /// path, summing a row of 128256 in float, 1.3e-5; 1e-4 still catches a method that is not softmax.
    /// </summary>
    public const double PeerTolerance = 1e-4;

    /// <summary>Throws unless <paramref name="actual"/> matches <paramref name="expected"/> to <paramref name="tolerance"/> (absolute).</summary>
    public static void Check(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what}: element {i} is {actual[i]}, expected {expected[i]}."));
        }
    }

    /// <inheritdoc cref="Check(ReadOnlySpan{float}, ReadOnlySpan{float}, double, string)"/>
    public static void Check(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what}: element {i} is {actual[i]}, expected {expected[i]}."));
        }
    }

    /// <summary>
    /// Throws unless every element of <paramref name="actual"/> is within <paramref name="tolerance"/> times
    /// <c>max(|expected|, 1)</c> of <paramref name="expected"/>: the scale of the tests' log-softmax ULP, for outputs
    /// that reach -60 and more (an absolute bound would be either loose near 0 or too tight there).
    /// </summary>
    public static void CheckScaled(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(Math.Abs(expected[i]), 1)))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what}: element {i} is {actual[i]}, expected {expected[i]}."));
        }
    }

    /// <summary>Throws for a class count without a generated kernel in this project.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNoKernel(int classes) => throw NoKernel(classes);

    /// <summary>The exception for a class count without a generated kernel in this project.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static NotSupportedException NoKernel(int classes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"No [SoftmaxKernel({classes})] type in the benchmarks project."));
}

/// <summary>
/// The configuration of the single-row benchmarks: the default columns (Ratio against the peer) plus ns/element, and
/// the <see cref="SuiteJob"/> when the command line names no job (<c>--job short</c>, <c>--job dry</c> replace it).
/// </summary>
public class BenchmarkConfig : ManualConfig
{
    /// <summary>Adds the ns/element column and the suite's default job.</summary>
    public BenchmarkConfig()
    {
        AddColumn(new NanosecondsPerElementColumn());
        AddJob(SuiteJob.AsDefault());
    }

    /// <summary>
    /// The job of the published run (no <c>--job</c> on the command line): one launch, 4 warm-up and 12 measured
    /// iterations of at least 250 ms each, so that the whole suite takes about 20 minutes on the 2-core machine.
    /// </summary>
    public static Job SuiteJob { get; } = Job.Default
        .WithId("Suite")
        .WithLaunchCount(1)
        .WithWarmupCount(4)
        .WithIterationCount(12)
        .WithIterationTime(TimeInterval.FromMilliseconds(250));
}

/// <summary>
/// The configuration of the batch benchmarks: <see cref="BenchmarkConfig"/> with an unroll factor of 1 in every job,
/// so that a 16M-element case (tens of milliseconds per call) runs once or twice per iteration instead of a multiple
/// of 16 times.
/// </summary>
public sealed class BatchConfig : BenchmarkConfig
{
    /// <summary>Adds the unroll-factor mutator.</summary>
    public BatchConfig()
    {
        AddJob(Job.Default.WithUnrollFactor(1).AsMutator());
    }
}

/// <summary>Mean time divided by <c>Rows x Classes</c>, read from the <c>Classes</c> and <c>Shape</c> parameters.</summary>
public sealed class NanosecondsPerElementColumn : IColumn
{
    /// <inheritdoc/>
    public string Id => nameof(NanosecondsPerElementColumn);

    /// <inheritdoc/>
    public string ColumnName => "ns/elem";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => "Mean divided by the number of elements (Rows x Classes), in nanoseconds";

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } statistics)
            return "NA";
        if (benchmarkCase.Parameters["Classes"] is not int classes)
            return "?";
        var shape = benchmarkCase.Parameters["Shape"] is Shape s ? s : Shape.Batch64K;
        double elements = (double)BenchmarkData.Rows(shape, classes) * classes;
        return (statistics.Mean / elements).ToString("0.000", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}

/// <summary>Plain scalar reference implementations, safe (max-subtracting) and written the obvious way.</summary>
internal static class ScalarSoftmax
{
    /// <summary>Softmax of each row with <see cref="MathF.Exp"/>: max, exp and sum, multiply by 1/sum.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes)
    {
        for (int start = 0; start + classes <= logits.Length; start += classes)
        {
            ReadOnlySpan<float> x = logits.Slice(start, classes);
            Span<float> y = probabilities.Slice(start, classes);
            float max = x[0];
            for (int j = 1; j < x.Length; j++)
                max = Math.Max(max, x[j]);
            float sum = 0;
            for (int j = 0; j < x.Length; j++)
            {
                float e = MathF.Exp(x[j] - max);
                y[j] = e;
                sum += e;
            }
            float scale = 1 / sum;
            for (int j = 0; j < y.Length; j++)
                y[j] *= scale;
        }
    }

    /// <summary>
    /// The expected float softmax: each row computed in double (<see cref="Softmax(ReadOnlySpan{double}, Span{double}, int)"/>)
    /// and rounded to float. The float loop above is no reference for long rows: its float sum of 32,000 terms is off by
    /// up to 5e-5 in a probability (measured on these inputs).
    /// </summary>
    public static void SoftmaxInDouble(ReadOnlySpan<float> logits, Span<float> probabilities, int classes) =>
        InDouble(logits, probabilities, classes, log: false);

    /// <summary>The expected float log-softmax: each row computed in double (<see cref="LogSoftmax(ReadOnlySpan{double}, Span{double}, int)"/>) and rounded to float.</summary>
    public static void LogSoftmaxInDouble(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes) =>
        InDouble(logits, logProbabilities, classes, log: true);

    private static void InDouble(ReadOnlySpan<float> logits, Span<float> output, int classes, bool log)
    {
        var x = new double[classes];
        var y = new double[classes];
        for (int start = 0; start + classes <= logits.Length; start += classes)
        {
            for (int j = 0; j < classes; j++)
                x[j] = logits[start + j];
            if (log)
                LogSoftmax(x, y, classes);
            else
                Softmax(x, y, classes);
            for (int j = 0; j < classes; j++)
                output[start + j] = (float)y[j];
        }
    }

    /// <summary>Log-softmax of each row with <see cref="Math.Exp"/> and <see cref="Math.Log(double)"/>: max, sum of exp, <c>x - max - log(sum)</c>.</summary>
    public static void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes)
    {
        for (int start = 0; start + classes <= logits.Length; start += classes)
        {
            ReadOnlySpan<double> x = logits.Slice(start, classes);
            Span<double> y = logProbabilities.Slice(start, classes);
            double max = x[0];
            for (int j = 1; j < x.Length; j++)
                max = Math.Max(max, x[j]);
            double sum = 0;
            for (int j = 0; j < x.Length; j++)
                sum += Math.Exp(x[j] - max);
            double shift = max + Math.Log(sum);
            for (int j = 0; j < y.Length; j++)
                y[j] = x[j] - shift;
        }
    }

    /// <summary>Mean cross-entropy with <see cref="Math.Exp"/> and <see cref="Math.Log(double)"/>: per row <c>max + log(sum) - x[target]</c>.</summary>
    public static double CrossEntropyMean(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes)
    {
        double total = 0;
        for (int row = 0; row < targets.Length; row++)
        {
            ReadOnlySpan<double> x = logits.Slice(row * classes, classes);
            double max = x[0];
            for (int j = 1; j < x.Length; j++)
                max = Math.Max(max, x[j]);
            double sum = 0;
            for (int j = 0; j < x.Length; j++)
                sum += Math.Exp(x[j] - max);
            total += max + Math.Log(sum) - x[targets[row]];
        }
        return total / targets.Length;
    }

    /// <summary>Softmax of each row with <see cref="Math.Exp"/>.</summary>
    public static void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes)
    {
        for (int start = 0; start + classes <= logits.Length; start += classes)
        {
            ReadOnlySpan<double> x = logits.Slice(start, classes);
            Span<double> y = probabilities.Slice(start, classes);
            double max = x[0];
            for (int j = 1; j < x.Length; j++)
                max = Math.Max(max, x[j]);
            double sum = 0;
            for (int j = 0; j < x.Length; j++)
            {
                double e = Math.Exp(x[j] - max);
                y[j] = e;
                sum += e;
            }
            double scale = 1 / sum;
            for (int j = 0; j < y.Length; j++)
                y[j] *= scale;
        }
    }
}
