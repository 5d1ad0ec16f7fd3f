using System;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Log-softmax and cross-entropy (target: LogSoftmax and the per-row CrossEntropy within 1.2x of Softmax on
/// the same data): the generated log-softmax, per-row cross-entropy and mean cross-entropy against the generated softmax
/// (the baseline), on a ~64K- and a ~16M-element batch.
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
public class LossBenchmarks
{
    private float[] _logits = [];
    private float[] _output = [];
    private float[] _losses = [];
    private int[] _targets = [];

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>About 64K or 16M elements.</summary>
    [Params(Shape.Batch64K, Shape.Batch16M)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), uniform targets, preallocated outputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int rows = BenchmarkData.Rows(Shape, Classes);
        _logits = BenchmarkData.Logits(rows * Classes);
        _output = new float[rows * Classes];
        _losses = new float[rows];
        _targets = BenchmarkData.Targets(rows, Classes);
    }

    /// <summary>Generated softmax (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void Softmax() => Generated.Softmax(Classes, _logits, _output);

    /// <summary>Generated log-softmax.</summary>
    [Benchmark]
    public void LogSoftmax() => Generated.LogSoftmax(Classes, _logits, _output);

    /// <summary>Generated cross-entropy, one loss per row (<c>reduction='none'</c>).</summary>
    [Benchmark]
    public void CrossEntropyPerRow() => Generated.CrossEntropy(Classes, _logits, _targets, _losses);

    /// <summary>Generated cross-entropy reduced to the mean loss.</summary>
    [Benchmark]
    public float CrossEntropyMean() => Generated.CrossEntropyMean(Classes, _logits, _targets);
}
