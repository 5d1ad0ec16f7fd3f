using System;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Log-softmax and cross-entropy (target: LogSoftmax and the per-row CrossEntropy within 1.2x of Softmax on
/// the same data): the generated log-softmax, per-row cross-entropy and mean cross-entropy against the generated softmax
/// (the baseline), on a ~64K- and a ~16M-element batch; ONNX Runtime's log-softmax as the peer of the generated one.
/// </summary>
[Config(typeof(BatchConfig))]
[MemoryDiagnoser]
public class LossBenchmarks
{
    private float[] _logits = [];
    private float[] _output = [];
    private float[] _losses = [];
    private int[] _targets = [];
    private OnnxRuntimePeer<float>? _onnxRuntimeLogSoftmax;
    private OnnxRuntimePeer<float>? _onnxRuntimeCrossEntropy;
    private readonly float[] _onnxLoss = new float[1];

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>About 64K or 16M elements.</summary>
    [Params(Shape.Batch64K, Shape.Batch16M)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), uniform targets, preallocated outputs, and a check of both log-softmax methods.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int rows = BenchmarkData.Rows(Shape, Classes);
        _logits = BenchmarkData.Logits(rows * Classes);
        _output = new float[rows * Classes];
        _losses = new float[rows];
        _targets = BenchmarkData.Targets(rows, Classes);
        _onnxRuntimeLogSoftmax = new OnnxRuntimePeer<float>(OnnxOperator.LogSoftmax, _logits, _output, Classes);
        _onnxRuntimeCrossEntropy = new OnnxRuntimePeer<float>(_logits, _targets, _onnxLoss, Classes);
        var expected = new float[_output.Length];
        ScalarSoftmax.LogSoftmaxInDouble(_logits, expected, Classes);
        // 1e-6 of max(|x|, 1) is 8-17 float ULP at the tests' scale: ours is within 4, ONNX Runtime was within 6 on
        // these inputs (4.2e-6 in absolute terms).
        foreach (Action method in new Action[] { LogSoftmax, LogSoftmaxFast, OnnxRuntimeLogSoftmax })
        {
            Array.Clear(_output);
            method();
            BenchmarkData.CheckScaled(expected, _output, 1e-6, method.Method.Name);
        }

        // The mean losses against a double reference: ours within 1e-6 relative to max(loss, 1); ONNX Runtime's
        // float reduction was 3.9e-4 off at C = 3 (21,845 rows) and 2.2e-5 at C = 10, so it is held to 1e-3 only.
        double reference = 0;
        for (int r = 0; r < rows; r++)
            reference -= expected[r * Classes + _targets[r]];
        reference /= rows;
        foreach ((Func<float> method, double tolerance) in new (Func<float>, double)[] { (CrossEntropyMean, 1e-6), (CrossEntropyMeanFast, 1e-6), (OnnxRuntimeCrossEntropyMean, 1e-3) })
        {
            float loss = method();
            if (Math.Abs(loss - reference) > tolerance * Math.Max(Math.Abs(reference), 1))
                throw new InvalidOperationException($"{method.Method.Name}: mean loss {loss}, expected {reference}.");
        }
    }

    /// <summary>Releases the ONNX Runtime session and unpins the arrays.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _onnxRuntimeLogSoftmax?.Dispose();
        _onnxRuntimeCrossEntropy?.Dispose();
    }

    /// <summary>Generated softmax (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void Softmax() => Generated.Softmax(Classes, _logits, _output);

    /// <summary>Generated log-softmax.</summary>
    [Benchmark]
    public void LogSoftmax() => Generated.LogSoftmax(Classes, _logits, _output);

    /// <summary>Generated log-softmax in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void LogSoftmaxFast() => GeneratedFast.LogSoftmax(Classes, _logits, _output);

    /// <summary>ONNX Runtime's CPU <c>LogSoftmax</c> (one thread) on the whole batch, into the preallocated output (<see cref="OnnxRuntimePeer{T}"/>).</summary>
    [Benchmark]
    public void OnnxRuntimeLogSoftmax() => _onnxRuntimeLogSoftmax!.Run();

    /// <summary>Generated cross-entropy, one loss per row (<c>reduction='none'</c>).</summary>
    [Benchmark]
    public void CrossEntropyPerRow() => Generated.CrossEntropy(Classes, _logits, _targets, _losses);

    /// <summary>Generated cross-entropy reduced to the mean loss.</summary>
    [Benchmark]
    public float CrossEntropyMean() => Generated.CrossEntropyMean(Classes, _logits, _targets);

    /// <summary>The mean cross-entropy in <see cref="SoftmaxPrecision.Fast"/> through <see cref="SoftmaxPrimitives"/>, which runs the generated Fast kernel.</summary>
    [Benchmark]
    public float CrossEntropyMeanFast() => SoftmaxPrimitives.CrossEntropy(_logits, _targets, Classes, precision: SoftmaxPrecision.Fast);

    /// <summary>ONNX Runtime's <c>SoftmaxCrossEntropyLoss</c> (mean, one thread) on the whole batch (<see cref="OnnxRuntimePeer{T}"/>).</summary>
    [Benchmark]
    public float OnnxRuntimeCrossEntropyMean()
    {
        _onnxRuntimeCrossEntropy!.Run();
        return _onnxLoss[0];
    }
}
