using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Double precision (target: the double routines at least 4x faster than a scalar double loop): softmax,
/// log-softmax and mean cross-entropy on a ~64K-element double batch, each group against a plain safe scalar loop with
/// <see cref="Math.Exp"/> (the baseline of its category). The softmax group also has the fallback,
/// <c>TensorPrimitives.SoftMax&lt;double&gt;</c> row by row and ONNX Runtime's double softmax; the log-softmax group ONNX
/// Runtime's double log-softmax.
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DoubleBenchmarks
{
    private double[] _logits = [];
    private double[] _output = [];
    private int[] _targets = [];
    private OnnxRuntimePeer<double>? _onnxRuntimeSoftmax;
    private OnnxRuntimePeer<double>? _onnxRuntimeLogSoftmax;

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>About 64K elements.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), uniform targets, a preallocated output, and a check of every softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int rows = BenchmarkData.Rows(Shape, Classes);
        _logits = BenchmarkData.LogitsDouble(rows * Classes);
        _output = new double[rows * Classes];
        _targets = BenchmarkData.Targets(rows, Classes);
        _onnxRuntimeSoftmax = new OnnxRuntimePeer<double>(OnnxOperator.Softmax, _logits, _output, Classes);
        _onnxRuntimeLogSoftmax = new OnnxRuntimePeer<double>(OnnxOperator.LogSoftmax, _logits, _output, Classes);
        var expected = new double[_logits.Length];
        ScalarSoftmax.Softmax(_logits, expected, Classes);
        // ONNX Runtime's double kernels hold the same bounds as ours: on these inputs they were within 3e-15 (softmax)
        // and 8e-15 (log-softmax) of the scalar loops.
        foreach (Action method in new Action[] { Generated, Fallback, TensorPrimitives, OnnxRuntime })
        {
            Array.Clear(_output);
            method();
            BenchmarkData.Check(expected, _output, 1e-12, method.Method.Name);
        }

        ScalarSoftmax.LogSoftmax(_logits, expected, Classes);
        foreach (Action method in new Action[] { LogSoftmaxGenerated, LogSoftmaxOnnxRuntime })
        {
            Array.Clear(_output);
            method();
            BenchmarkData.Check(expected, _output, 1e-9, method.Method.Name);
        }
        double scalar = CrossEntropyScalarLoop(), generated = CrossEntropyGenerated();
        if (!(Math.Abs(scalar - generated) <= 1e-9 * Math.Abs(scalar)))
            throw new InvalidOperationException($"CrossEntropyGenerated is {generated}, the scalar loop {scalar}.");
    }

    /// <summary>Releases the ONNX Runtime sessions and unpins the arrays.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _onnxRuntimeSoftmax?.Dispose();
        _onnxRuntimeLogSoftmax?.Dispose();
    }

    /// <summary>A plain safe scalar softmax with <see cref="Math.Exp"/> (the baseline of the softmax group).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Softmax")]
    public void ScalarLoop() => ScalarSoftmax.Softmax(_logits, _output, Classes);

    /// <summary>The kernel generated for <see cref="Classes"/> classes.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void Generated() => SoftmaxGen.Benchmarks.Generated.Softmax(Classes, _logits, _output);

    /// <summary>The runtime fallback.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _output, Classes);

    /// <summary><c>TensorPrimitives.SoftMax&lt;double&gt;</c> per row, for reference.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void TensorPrimitives() => RowByRow.TensorPrimitivesSoftmax(_logits, _output, Classes);

    /// <summary>ONNX Runtime's CPU <c>Softmax</c> for double (one thread) on the whole batch, into the preallocated output.</summary>
    [Benchmark, BenchmarkCategory("Softmax")]
    public void OnnxRuntime() => _onnxRuntimeSoftmax!.Run();

    /// <summary>A plain scalar log-softmax with <see cref="Math.Exp"/> and <see cref="Math.Log(double)"/> (the baseline of the log-softmax group).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("LogSoftmax")]
    public void LogSoftmaxScalarLoop() => ScalarSoftmax.LogSoftmax(_logits, _output, Classes);

    /// <summary>The generated log-softmax.</summary>
    [Benchmark, BenchmarkCategory("LogSoftmax")]
    public void LogSoftmaxGenerated() => SoftmaxGen.Benchmarks.Generated.LogSoftmax(Classes, _logits, _output);

    /// <summary>ONNX Runtime's CPU <c>LogSoftmax</c> for double (one thread) on the whole batch, into the preallocated output.</summary>
    [Benchmark, BenchmarkCategory("LogSoftmax")]
    public void LogSoftmaxOnnxRuntime() => _onnxRuntimeLogSoftmax!.Run();

    /// <summary>A plain scalar mean cross-entropy (the baseline of the cross-entropy group).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("CrossEntropy")]
    public double CrossEntropyScalarLoop() => ScalarSoftmax.CrossEntropyMean(_logits, _targets, Classes);

    /// <summary>The generated cross-entropy with the mean reduction.</summary>
    [Benchmark, BenchmarkCategory("CrossEntropy")]
    public double CrossEntropyGenerated() => SoftmaxGen.Benchmarks.Generated.CrossEntropyMean(Classes, _logits, _targets);
}
