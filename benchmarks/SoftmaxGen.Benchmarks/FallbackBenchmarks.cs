using System;
using BenchmarkDotNet.Attributes;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Fallback (target: the runtime fallback within 1.5x of the generated kernel for C &gt;= 100): float softmax
/// with <c>SoftmaxFallback</c> against the generated kernel (the baseline) on the same batch. (The other fallback
/// target, at least as fast as TensorPrimitives row by row, is the Fallback row of <see cref="BatchSoftmaxBenchmarks"/>.)
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
public class FallbackBenchmarks
{
    private float[] _logits = [];
    private float[] _probabilities = [];

    /// <summary>The class count (the row length).</summary>
    [Params(100, 1000)]
    public int Classes { get; set; }

    /// <summary>About 64K or 16M elements.</summary>
    [Params(Shape.Batch64K, Shape.Batch16M)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2) and a preallocated output.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        _logits = BenchmarkData.Logits(count);
        _probabilities = new float[count];
    }

    /// <summary>The kernel generated for <see cref="Classes"/> classes (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void Generated() => SoftmaxGen.Benchmarks.Generated.Softmax(Classes, _logits, _probabilities);

    /// <summary>The runtime fallback.</summary>
    [Benchmark]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes);
}
