using System;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Out of cache (targets: generated softmax within 1.3x of the time of copying the same data, 1.5x in Fast, cross-entropy
/// with the mean reduction within 1.0x): a ~16M-element batch (64 MB of floats, far beyond the caches), where softmax
/// reads and writes every element once and cross-entropy only reads them, against <see cref="Span{T}.CopyTo(Span{T})"/>
/// of the logits into the output (the physical floor, the baseline).
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
public class MemoryFloorBenchmarks
{
    private float[] _logits = [];
    private float[] _output = [];
    private int[] _targets = [];

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>About 16M elements.</summary>
    [Params(Shape.Batch16M)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), uniform targets, a preallocated output.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int rows = BenchmarkData.Rows(Shape, Classes);
        _logits = BenchmarkData.Logits(rows * Classes);
        _output = new float[rows * Classes];
        _targets = BenchmarkData.Targets(rows, Classes);
    }

    /// <summary>The floor: copy the logits into the output (reads and writes every element once).</summary>
    [Benchmark(Baseline = true)]
    public void CopyTo() => _logits.AsSpan().CopyTo(_output);

    /// <summary>Generated softmax.</summary>
    [Benchmark]
    public void Softmax() => Generated.Softmax(Classes, _logits, _output);

    /// <summary>Generated softmax in <see cref="SoftmaxPrecision.Fast"/> (target: within 1.5x of the copy).</summary>
    [Benchmark]
    public void SoftmaxFast() => GeneratedFast.Softmax(Classes, _logits, _output);

    /// <summary>Generated cross-entropy with the mean reduction (reads the logits and targets, writes nothing).</summary>
    [Benchmark]
    public float CrossEntropyMean() => Generated.CrossEntropyMean(Classes, _logits, _targets);
}
