using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Attention rows (12, 128, 1024 and 4096 keys, about 64K scores): the fused scaled and masked softmax against the plain
/// softmax of the same rows (the baseline of each group; target: within 1.2x). Scale only, scale and a bias row, a
/// boolean key-padding mask, and a causal mask whose rows keep half the keys and then one more per row. This project
/// declares kernels for 128 classes, so at 128 keys both the plain softmax and the attention rows run them.
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AttentionSoftmaxBenchmarks
{
    private float[] _scores = [];
    private float[] _output = [];
    private float[] _bias = [];
    private bool[] _mask = [];
    private float _scale;

    /// <summary>The row length (the number of keys).</summary>
    [Params(12, 128, 1024, 4096)]
    public int Classes { get; set; }

    /// <summary>About 64K scores.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Scores ~ N(0, 5^2), scale 1/8 (head dimension 64), a bias row ~ N(0, 5^2), a mask keeping the first 7/8 of the keys.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        _scores = BenchmarkData.Logits(count);
        _output = new float[count];
        _bias = BenchmarkData.Logits(Classes);
        _mask = new bool[Classes];
        for (int i = 0; i < Classes; i++)
            _mask[i] = i < Classes * 7 / 8;
        _scale = 0.125f;
    }

    /// <summary>The plain softmax of the same rows.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Exact")]
    public void Softmax() => SoftmaxPrimitives.Softmax(_scores, _output, Classes);

    /// <summary>softmax(scale x).</summary>
    [Benchmark, BenchmarkCategory("Exact")]
    public void Scaled() => SoftmaxPrimitives.ScaledSoftmax(_scores, _output, Classes, _scale);

    /// <summary>softmax(scale x + bias) with one bias row.</summary>
    [Benchmark, BenchmarkCategory("Exact")]
    public void ScaledBias() => SoftmaxPrimitives.ScaledSoftmax(_scores, _output, Classes, _scale, _bias);

    /// <summary>A boolean key-padding mask.</summary>
    [Benchmark, BenchmarkCategory("Exact")]
    public void Masked() => SoftmaxPrimitives.MaskedSoftmax(_scores, _output, Classes, _scale, _mask);

    /// <summary>Causal, half the keys cached.</summary>
    [Benchmark, BenchmarkCategory("Exact")]
    public void Causal() => SoftmaxPrimitives.CausalSoftmax(_scores, _output, Classes, _scale, Classes / 2);

    /// <summary>The plain softmax, Fast.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Fast")]
    public void SoftmaxFast() => SoftmaxPrimitives.Softmax(_scores, _output, Classes, SoftmaxPrecision.Fast);

    /// <summary>Scale and bias row, Fast.</summary>
    [Benchmark, BenchmarkCategory("Fast")]
    public void ScaledBiasFast() => SoftmaxPrimitives.ScaledSoftmax(_scores, _output, Classes, _scale, _bias, precision: SoftmaxPrecision.Fast);

    /// <summary>Causal, Fast.</summary>
    [Benchmark, BenchmarkCategory("Fast")]
    public void CausalFast() => SoftmaxPrimitives.CausalSoftmax(_scores, _output, Classes, _scale, Classes / 2, precision: SoftmaxPrecision.Fast);

    /// <summary>The plain log-softmax of the same rows.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Log")]
    public void LogSoftmax() => SoftmaxPrimitives.LogSoftmax(_scores, _output, Classes);

    /// <summary>Log-softmax of scale x + bias.</summary>
    [Benchmark, BenchmarkCategory("Log")]
    public void ScaledBiasLog() => SoftmaxPrimitives.ScaledLogSoftmax(_scores, _output, Classes, _scale, _bias);
}
