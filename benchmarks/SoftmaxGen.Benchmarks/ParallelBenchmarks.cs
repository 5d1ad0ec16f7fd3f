using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Several cores: <see cref="SoftmaxParallel"/> with 1 and 2 threads against the serial
/// <see cref="SoftmaxPrimitives"/> (the baseline of each category) on a ~16M-element batch, for softmax and the mean
/// cross-entropy. Both run the generated kernel (registered by this assembly) on each chunk.
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ParallelBenchmarks
{
    private float[] _logits = [];
    private float[] _output = [];
    private int[] _targets = [];

    /// <summary>The class count (the row length).</summary>
    [Params(10, 1000)]
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

    /// <summary>Serial softmax (the baseline of the softmax group).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Softmax")]
    public void Serial() => SoftmaxPrimitives.Softmax(_logits, _output, Classes);

    /// <summary>Chunked softmax on the calling thread only.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void Degree1() => SoftmaxParallel.Softmax(_logits, _output, Classes, 1);

    /// <summary>Chunked softmax on up to 2 threads.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void Degree2() => SoftmaxParallel.Softmax(_logits, _output, Classes, 2);

    /// <summary>Serial mean cross-entropy (the baseline of the cross-entropy group).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("CrossEntropy")]
    public float CrossEntropySerial() => SoftmaxPrimitives.CrossEntropy(_logits, _targets, Classes);

    /// <summary>Mean cross-entropy on up to 2 threads.</summary>
    [Benchmark, BenchmarkCategory("CrossEntropy")]
    public float CrossEntropyDegree2() => SoftmaxParallel.CrossEntropy(_logits, _targets, Classes, LossReduction.Mean, 2);
}
