using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// One decoding step on a vocabulary row of Zipf-distributed logits (logit 6 - 1.1 ln(rank), ranks shuffled): top-p
/// (0.9) sampling with <see cref="SoftmaxSampling"/> against the C# way of writing PyTorch's recipe (softmax, a full
/// sort, a cumulative sum, a draw), and the other common settings. Every method draws with the same uniform value and
/// preallocated buffers.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class SamplingBenchmarks
{
    private const double Uniform = 0.37;

    private float[] _logits = [];
    private float[] _scratch = [];
    private float[] _probabilities = [];
    private float[] _sortKeys = [];
    private int[] _sortIndices = [];

    private static readonly SamplingOptions TopPOptions = new() { TopP = 0.9f };
    private static readonly SamplingOptions TopPFastOptions = new() { TopP = 0.9f, Precision = SoftmaxPrecision.Fast };
    private static readonly SamplingOptions TopKTopPOptions = new() { TopK = 50, TopP = 0.9f, Temperature = 0.8f };
    private static readonly SamplingOptions MinPOptions = new() { MinP = 0.05f, Temperature = 1.2f };
    private static readonly SamplingOptions PlainOptions = new() { Temperature = 0.8f };
    private static readonly SamplingOptions GreedyOptions = new() { Temperature = 0 };

    /// <summary>The vocabulary size (Llama 2's 32,000; Qwen2's 151,936).</summary>
    [Params(32000, 151936)]
    public int Classes { get; set; }

    /// <summary>One row.</summary>
    [Params(Shape.Row)]
    public Shape Shape { get; set; }

    /// <summary>The row, the buffers, and a check that both top-p methods keep the same classes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _logits = ZipfLogits(Classes);
        _scratch = new float[SoftmaxSampling.ScratchLength(Classes)];
        _probabilities = new float[Classes];
        _sortKeys = new float[Classes];
        _sortIndices = new int[Classes];

        int baselineKept = SortNucleus(0.9f, out _);
        int kept = SoftmaxSampling.Probabilities(_logits, TopPOptions, _probabilities, scratch: _scratch);
        if (kept != baselineKept)
            throw new InvalidOperationException($"top-p keeps {kept} classes, the sorting baseline {baselineKept}");
    }

    /// <summary>The baseline: softmax, sort the whole row by probability, cumulative sum to 0.9, draw in the nucleus.</summary>
    [Benchmark(Baseline = true)]
    public int TopPSortBaseline()
    {
        int kept = SortNucleus(0.9f, out double mass);
        double target = Uniform * mass, sum = 0;
        for (int i = 0; i < kept; i++)
        {
            sum -= _sortKeys[i];
            if (sum > target)
                return _sortIndices[i];
        }

        return _sortIndices[kept - 1];
    }

    /// <summary><see cref="SoftmaxSampling.Sample(ReadOnlySpan{float}, in SamplingOptions, double, ReadOnlySpan{int}, Span{float})"/>, top-p 0.9.</summary>
    [Benchmark]
    public int TopP() => SoftmaxSampling.Sample(_logits, TopPOptions, Uniform, scratch: _scratch);

    /// <summary>Top-p 0.9 with the Fast exponential.</summary>
    [Benchmark]
    public int TopPFast() => SoftmaxSampling.Sample(_logits, TopPFastOptions, Uniform, scratch: _scratch);

    /// <summary>Top-p 0.9 with the pooled scratch.</summary>
    [Benchmark]
    public int TopPPooled() => SoftmaxSampling.Sample(_logits, TopPOptions, Uniform);

    /// <summary>Temperature 0.8, top-k 50, top-p 0.9 (a common chat setting).</summary>
    [Benchmark]
    public int TopKTopP() => SoftmaxSampling.Sample(_logits, TopKTopPOptions, Uniform, scratch: _scratch);

    /// <summary>Temperature 1.2, min-p 0.05.</summary>
    [Benchmark]
    public int MinP() => SoftmaxSampling.Sample(_logits, MinPOptions, Uniform, scratch: _scratch);

    /// <summary>Temperature 0.8, no filter.</summary>
    [Benchmark]
    public int Plain() => SoftmaxSampling.Sample(_logits, PlainOptions, Uniform, scratch: _scratch);

    /// <summary>Greedy decoding (temperature 0).</summary>
    [Benchmark]
    public int Greedy() => SoftmaxSampling.Sample(_logits, GreedyOptions, Uniform, scratch: _scratch);

    /// <summary>The dense filtered probabilities of top-p 0.9.</summary>
    [Benchmark]
    public int TopPProbabilities() => SoftmaxSampling.Probabilities(_logits, TopPOptions, _probabilities, scratch: _scratch);

    // Softmax into the sort keys (negated, so that an ascending sort puts the most probable first), the indices
    // alongside, then the smallest prefix whose mass reaches p. Returns its length and mass.
    private int SortNucleus(float p, out double mass)
    {
        SoftmaxPrimitives.Softmax(_logits, _sortKeys, Classes);
        for (int i = 0; i < _sortKeys.Length; i++)
        {
            _sortKeys[i] = -_sortKeys[i];
            _sortIndices[i] = i;
        }

        Array.Sort(_sortKeys, _sortIndices);
        double sum = 0;
        int kept = 0;
        while (kept < _sortKeys.Length && sum < p)
            sum -= _sortKeys[kept++];
        mass = sum;
        return kept;
    }

    /// <summary>Zipf-like logits: 6 - 1.1 ln(rank), the ranks shuffled with a fixed seed.</summary>
    internal static float[] ZipfLogits(int classes)
    {
        var random = new Random(BenchmarkData.Seed);
        int[] ranks = Enumerable.Range(1, classes).ToArray();
        random.Shuffle(ranks);
        return ranks.Select(r => (float)(6 - (1.1 * Math.Log(r)))).ToArray();
    }

    /// <summary>
    /// A quick Stopwatch look, not a benchmark (<c>--sampling-timing</c>): the median of 15 batches of calls per method and
    /// vocabulary size, in microseconds per call.
    /// </summary>
    internal static void PrintTimings(TextWriter output)
    {
        foreach (int classes in new[] { 32000, 151936 })
        {
            var benchmarks = new SamplingBenchmarks { Classes = classes };
            benchmarks.Setup();
            (string Name, Func<int> Call)[] methods =
            [
                (nameof(TopPSortBaseline), benchmarks.TopPSortBaseline),
                (nameof(TopP), benchmarks.TopP),
                (nameof(TopPFast), benchmarks.TopPFast),
                (nameof(TopKTopP), benchmarks.TopKTopP),
                (nameof(MinP), benchmarks.MinP),
                (nameof(Plain), benchmarks.Plain),
                (nameof(Greedy), benchmarks.Greedy),
            ];
            foreach ((string name, Func<int> call) in methods)
            {
                int calls = name == nameof(TopPSortBaseline) ? 3 : 50;
                var medians = new double[15];
                for (int batch = 0; batch < medians.Length; batch++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < calls; i++)
                        call();
                    medians[batch] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
                }

                Array.Sort(medians);
                output.WriteLine($"C = {classes,6}  {name,-18} {medians[medians.Length / 2],10:F1} us");
            }
        }
    }
}
