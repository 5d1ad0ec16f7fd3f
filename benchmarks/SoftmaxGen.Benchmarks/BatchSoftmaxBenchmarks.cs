using System;
using BenchmarkDotNet.Attributes;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Batched softmax (targets: generated at least 10x faster than TensorPrimitives row by row for C = 3 and 10,
/// 3x for C = 100, 1.5x for C = 1000; the fallback at least as fast as TensorPrimitives for every C): float softmax of a
/// ~64K-element batch (fits in L2) and a ~16M-element batch (far beyond the caches) with the generated kernel, the
/// runtime fallback, ONNX Runtime's softmax and a scalar loop, against <c>TensorPrimitives.SoftMax</c> applied row by row
/// (the baseline). C = 128 is an attention row (the longest a generated kernel holds in Vector512 registers); C = 32000
/// and 128256 are language models' vocabularies (a 64K batch of 128256 is one row).
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
public class BatchSoftmaxBenchmarks
{
    private float[] _logits = [];
    private float[] _probabilities = [];
    private OnnxRuntimePeer<float>? _onnxRuntime;

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 128, 1000, 32000, 128256)]
    public int Classes { get; set; }

    /// <summary>About 64K or 16M elements.</summary>
    [Params(Shape.Batch64K, Shape.Batch16M)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), a preallocated output, and a check that every method computes softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        _logits = BenchmarkData.Logits(count);
        _probabilities = new float[count];
        _onnxRuntime = new OnnxRuntimePeer<float>(OnnxOperator.Softmax, _logits, _probabilities, Classes);
        var expected = new float[count];
        ScalarSoftmax.SoftmaxInDouble(_logits, expected, Classes);
        foreach (Action method in new Action[] { Generated, GeneratedFast, Fallback, FallbackFast })
        {
            Array.Clear(_probabilities);
            method();
            BenchmarkData.Check(expected, _probabilities, 1e-5, method.Method.Name);
        }

        foreach (Action peer in new Action[] { TensorPrimitives, OnnxRuntime })
        {
            Array.Clear(_probabilities);
            peer();
            BenchmarkData.Check(expected, _probabilities, BenchmarkData.PeerTolerance, peer.Method.Name);
        }
    }

    /// <summary>Releases the ONNX Runtime session and unpins the arrays.</summary>
    [GlobalCleanup]
    public void Cleanup() => _onnxRuntime?.Dispose();

    /// <summary>The peer: <c>TensorPrimitives.SoftMax</c> per row (it has no batched form and does not subtract the max).</summary>
    [Benchmark(Baseline = true)]
    public void TensorPrimitives() => RowByRow.TensorPrimitivesSoftmax(_logits, _probabilities, Classes);

    /// <summary>The kernel generated for <see cref="Classes"/> classes, on the whole batch in one call.</summary>
    [Benchmark]
    public void Generated() => SoftmaxGen.Benchmarks.Generated.Softmax(Classes, _logits, _probabilities);

    /// <summary>The kernel generated for <see cref="Classes"/> classes in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void GeneratedFast() => SoftmaxGen.Benchmarks.GeneratedFast.Softmax(Classes, _logits, _probabilities);

    /// <summary>The runtime fallback (no generated kernel), on the whole batch in one call.</summary>
    [Benchmark]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes);

    /// <summary>The runtime fallback in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void FallbackFast() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes, SoftmaxPrecision.Fast);

    /// <summary>ONNX Runtime's CPU <c>Softmax</c> (one thread) on the whole batch in one call, into the preallocated output (<see cref="OnnxRuntimePeer{T}"/>).</summary>
    [Benchmark]
    public void OnnxRuntime() => _onnxRuntime!.Run();

    /// <summary>A plain safe scalar softmax with <see cref="MathF.Exp"/>.</summary>
    [Benchmark]
    public void ScalarLoop() => ScalarSoftmax.Softmax(_logits, _probabilities, Classes);
}

/// <summary><c>TensorPrimitives.SoftMax</c> over a batch, one call per row.</summary>
internal static class RowByRow
{
    public static void TensorPrimitivesSoftmax(ReadOnlySpan<float> x, Span<float> y, int classes)
    {
        for (int start = 0; start < x.Length; start += classes)
            System.Numerics.Tensors.TensorPrimitives.SoftMax(x.Slice(start, classes), y.Slice(start, classes));
    }

    public static void TensorPrimitivesSoftmax(ReadOnlySpan<double> x, Span<double> y, int classes)
    {
        for (int start = 0; start < x.Length; start += classes)
            System.Numerics.Tensors.TensorPrimitives.SoftMax(x.Slice(start, classes), y.Slice(start, classes));
    }
}
