using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Half logits (fp16 models) on a ~64K-value batch: the Half softmax (Half and float output) against the float
/// softmax of the same values (the baseline: what the conversion costs), converting to float by hand first, and
/// <c>TensorPrimitives.SoftMax&lt;Half&gt;</c> row by row (which gives NaN for these logits: its exponential runs in
/// Half). Log-softmax the same way.
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HalfBenchmarks
{
    private Half[] _logits = [];
    private Half[] _output = [];
    private float[] _logitsSingle = [];
    private float[] _outputSingle = [];
    private float[] _converted = [];

    /// <summary>The class count (the row length).</summary>
    [Params(10, 100, 1000, 32000)]
    public int Classes { get; set; }

    /// <summary>About 64K values.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Logits ~ N(0, 5^2) rounded to Half, the same values in float, and a check of the Half softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        float[] source = BenchmarkData.Logits(count);
        _logits = new Half[count];
        _logitsSingle = new float[count];
        for (int i = 0; i < count; i++)
        {
            _logits[i] = (Half)source[i];
            _logitsSingle[i] = (float)_logits[i];
        }

        _output = new Half[count];
        _outputSingle = new float[count];
        _converted = new float[count];
        FloatSoftmax();
        float[] expected = (float[])_outputSingle.Clone();
        Softmax();
        for (int i = 0; i < count; i++)
        {
            if (Math.Abs((float)_output[i] - expected[i]) > 1e-3f * Math.Max(expected[i], 1e-4f))
                throw new InvalidOperationException($"Half softmax [{i}] is {_output[i]}, the float softmax {expected[i]}.");
        }
    }

    /// <summary>The float softmax of the same values (the baseline).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Softmax")]
    public void FloatSoftmax() => SoftmaxPrimitives.Softmax(_logitsSingle, _outputSingle, Classes);

    /// <summary>Half in, Half out.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void Softmax() => SoftmaxPrimitives.Softmax(_logits, _output, Classes);

    /// <summary>Half in, float out.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void SoftmaxToSingle() => SoftmaxPrimitives.Softmax(_logits, _outputSingle, Classes);

    /// <summary>Half in, Half out, Fast.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void SoftmaxFast() => SoftmaxPrimitives.Softmax(_logits, _output, Classes, SoftmaxPrecision.Fast);

    /// <summary>What a user writes without Half support: convert the whole batch to float, then the float softmax.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void ConvertThenFloatSoftmax()
    {
        System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(_logits, _converted);
        SoftmaxPrimitives.Softmax(_converted, _outputSingle, Classes);
    }

    /// <summary><c>TensorPrimitives.SoftMax&lt;Half&gt;</c> row by row.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void TensorPrimitives()
    {
        for (int start = 0; start < _logits.Length; start += Classes)
            System.Numerics.Tensors.TensorPrimitives.SoftMax<Half>(_logits.AsSpan(start, Classes), _output.AsSpan(start, Classes));
    }

    /// <summary>The float log-softmax of the same values (the baseline of its group).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("LogSoftmax")]
    public void FloatLogSoftmax() => SoftmaxPrimitives.LogSoftmax(_logitsSingle, _outputSingle, Classes);

    /// <summary>Half in, Half out.</summary>
    [Benchmark, BenchmarkCategory("LogSoftmax")]
    public void LogSoftmax() => SoftmaxPrimitives.LogSoftmax(_logits, _output, Classes);
}
