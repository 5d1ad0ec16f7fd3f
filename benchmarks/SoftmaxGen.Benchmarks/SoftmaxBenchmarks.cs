using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Float softmax of one row or a ~64K-element batch: the generated kernel, the runtime fallback and a scalar loop,
/// against <see cref="TensorPrimitives.SoftMax(ReadOnlySpan{float}, Span{float})"/> applied row by row (the baseline).
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class SoftmaxBenchmarks
{
    private float[] _logits = [];
    private float[] _probabilities = [];

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>One row, or about 64K elements.</summary>
    [Params(Shape.Row, Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), a preallocated output, and a check that every method computes softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        _logits = BenchmarkData.Logits(count);
        _probabilities = new float[count];
        var expected = new float[count];
        ScalarSoftmax.Softmax(_logits, expected, Classes);
        foreach (Action method in new Action[] { TensorPrimitives, Generated, Fallback })
        {
            Array.Clear(_probabilities);
            method();
            BenchmarkData.Check(expected, _probabilities, 1e-5, method.Method.Name);
        }
    }

    /// <summary>The peer: <c>TensorPrimitives.SoftMax</c> per row (it has no batched form and does not subtract the max).</summary>
    [Benchmark(Baseline = true)]
    public void TensorPrimitives()
    {
        int classes = Classes;
        ReadOnlySpan<float> x = _logits;
        Span<float> y = _probabilities;
        for (int start = 0; start < x.Length; start += classes)
            System.Numerics.Tensors.TensorPrimitives.SoftMax(x.Slice(start, classes), y.Slice(start, classes));
    }

    /// <summary>The kernel generated for <see cref="Classes"/> classes, on the whole batch in one call.</summary>
    [Benchmark]
    public void Generated() => GeneratedSoftmax(Classes, _logits, _probabilities);

    /// <summary>The runtime fallback (no generated kernel), on the whole batch in one call.</summary>
    [Benchmark]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes);

    /// <summary>A plain safe scalar softmax with <see cref="MathF.Exp"/>.</summary>
    [Benchmark]
    public void ScalarLoop() => ScalarSoftmax.Softmax(_logits, _probabilities, Classes);

    // A predictable switch with direct calls: no allocation, no delegate, one compare-and-branch per call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GeneratedSoftmax(int classes, ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.Softmax(logits, probabilities); break;
            case 10: Kernel10.Softmax(logits, probabilities); break;
            case 100: Kernel100.Softmax(logits, probabilities); break;
            case 1000: Kernel1000.Softmax(logits, probabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }
}
