using System;
using BenchmarkDotNet.Attributes;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Single row (targets: generated at least 3x faster than TensorPrimitives for C = 3, 2x for C = 10; Fast at least 1.25x
/// faster than ONNX Runtime for a vocabulary row of 32,000 and 128,256): float softmax of one row of C logits with the
/// generated kernel in both precisions, the fallback, <see cref="SoftmaxPrimitives"/> (which looks the generated kernel
/// up in the registry), ONNX Runtime's softmax and a scalar loop, against <c>TensorPrimitives.SoftMax</c> on the same row.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class RowSoftmaxBenchmarks
{
    private float[] _logits = [];
    private float[] _probabilities = [];
    private OnnxRuntimePeer<float>? _onnxRuntime;

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000, 32000, 128256)]
    public int Classes { get; set; }

    /// <summary>One row.</summary>
    [Params(Shape.Row)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), a preallocated output, and a check that every method computes softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _logits = BenchmarkData.Logits(Classes);
        _probabilities = new float[Classes];
        _onnxRuntime = new OnnxRuntimePeer<float>(OnnxOperator.Softmax, _logits, _probabilities, Classes);
        var expected = new float[Classes];
        ScalarSoftmax.SoftmaxInDouble(_logits, expected, Classes);
        foreach (Action method in new Action[] { Generated, GeneratedFast, Fallback, FallbackFast, Dispatch })
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

    /// <summary>The peer: <c>TensorPrimitives.SoftMax</c> on the row.</summary>
    [Benchmark(Baseline = true)]
    public void TensorPrimitives() => System.Numerics.Tensors.TensorPrimitives.SoftMax(_logits, _probabilities);

    /// <summary>The kernel generated for <see cref="Classes"/> classes.</summary>
    [Benchmark]
    public void Generated() => SoftmaxGen.Benchmarks.Generated.Softmax(Classes, _logits, _probabilities);

    /// <summary>The kernel generated for <see cref="Classes"/> classes in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void GeneratedFast() => SoftmaxGen.Benchmarks.GeneratedFast.Softmax(Classes, _logits, _probabilities);

    /// <summary>The runtime fallback in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void FallbackFast() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes, SoftmaxPrecision.Fast);

    /// <summary><see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int)"/>: validation, registry lookup, the generated kernel.</summary>
    [Benchmark]
    public void Dispatch() => SoftmaxPrimitives.Softmax(_logits, _probabilities, Classes);

    /// <summary>The runtime fallback (no generated kernel).</summary>
    [Benchmark]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes);

    /// <summary>ONNX Runtime's CPU <c>Softmax</c> (one thread) on a <c>[1, C]</c> tensor, into the preallocated output (<see cref="OnnxRuntimePeer{T}"/>).</summary>
    [Benchmark]
    public void OnnxRuntime() => _onnxRuntime!.Run();

    /// <summary>A plain safe scalar softmax with <see cref="MathF.Exp"/>.</summary>
    [Benchmark]
    public void ScalarLoop() => ScalarSoftmax.Softmax(_logits, _probabilities, Classes);
}
