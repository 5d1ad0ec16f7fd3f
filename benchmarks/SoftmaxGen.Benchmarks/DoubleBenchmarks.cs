using System;
using BenchmarkDotNet.Attributes;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Double-precision softmax of a ~64K-element batch: the generated kernel, the runtime fallback and
/// <c>TensorPrimitives.SoftMax&lt;double&gt;</c> per row, against a plain safe scalar loop with <see cref="Math.Exp"/> (the baseline).
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class DoubleBenchmarks
{
    private double[] _logits = [];
    private double[] _probabilities = [];

    /// <summary>The class count (the row length).</summary>
    [Params(10, 100)]
    public int Classes { get; set; }

    /// <summary>Always about 64K elements.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), a preallocated output, and a check that every method computes softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        _logits = BenchmarkData.LogitsDouble(count);
        _probabilities = new double[count];
        var expected = new double[count];
        ScalarSoftmax.Softmax(_logits, expected, Classes);
        foreach (Action method in new Action[] { Generated, Fallback, TensorPrimitives })
        {
            Array.Clear(_probabilities);
            method();
            BenchmarkData.Check(expected, _probabilities, 1e-12, method.Method.Name);
        }
    }

    /// <summary>A plain safe scalar softmax with <see cref="Math.Exp"/> (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void ScalarLoop() => ScalarSoftmax.Softmax(_logits, _probabilities, Classes);

    /// <summary>The kernel generated for <see cref="Classes"/> classes.</summary>
    [Benchmark]
    public void Generated()
    {
        switch (Classes)
        {
            case 10: Kernel10.Softmax(_logits, _probabilities); break;
            case 100: Kernel100.Softmax(_logits, _probabilities); break;
            default: BenchmarkData.ThrowNoKernel(Classes); break;
        }
    }

    /// <summary>The runtime fallback.</summary>
    [Benchmark]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes);

    /// <summary><c>TensorPrimitives.SoftMax&lt;double&gt;</c> per row, for reference.</summary>
    [Benchmark]
    public void TensorPrimitives()
    {
        int classes = Classes;
        ReadOnlySpan<double> x = _logits;
        Span<double> y = _probabilities;
        for (int start = 0; start < x.Length; start += classes)
            System.Numerics.Tensors.TensorPrimitives.SoftMax(x.Slice(start, classes), y.Slice(start, classes));
    }
}
