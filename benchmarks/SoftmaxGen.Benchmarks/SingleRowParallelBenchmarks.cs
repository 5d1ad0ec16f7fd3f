using System;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// One vocabulary row across cores: <see cref="SoftmaxParallel.Softmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
/// with 2 threads against the serial <see cref="SoftmaxPrimitives"/> softmax of the same row (the baseline), in Exact
/// and Fast. Rows of 65,536 classes or more are split into chunks merged by the log-sum-exp rule.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class SingleRowParallelBenchmarks
{
    private float[] _logits = [];
    private float[] _output = [];

    /// <summary>The row length: the shortest split, Qwen2's vocabulary, a million and 16 million classes.</summary>
    [Params(65536, 151936, 1048576, 16777216)]
    public int Classes { get; set; }

    /// <summary>One row.</summary>
    [Params(Shape.Row)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2) and a preallocated output.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _logits = BenchmarkData.Logits(Classes);
        _output = new float[Classes];
    }

    /// <summary>One thread.</summary>
    [Benchmark(Baseline = true)]
    public void Serial() => SoftmaxPrimitives.Softmax(_logits, _output, Classes);

    /// <summary>Two threads.</summary>
    [Benchmark]
    public void TwoThreads() => SoftmaxParallel.Softmax(_logits, _output, Classes, 2);

    /// <summary>One thread, Fast.</summary>
    [Benchmark]
    public void SerialFast() => SoftmaxPrimitives.Softmax(_logits, _output, Classes, SoftmaxPrecision.Fast);

    /// <summary>Two threads, Fast.</summary>
    [Benchmark]
    public void TwoThreadsFast() => SoftmaxParallel.Softmax(_logits, _output, Classes, 2, SoftmaxPrecision.Fast);
}
