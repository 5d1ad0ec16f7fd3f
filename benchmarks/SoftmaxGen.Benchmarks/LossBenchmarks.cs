using System;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// The cost of the generated log-softmax and cross-entropy (per-row losses and the mean) relative to the generated
/// softmax (the baseline), on a ~64K-element batch.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class LossBenchmarks
{
    private float[] _logits = [];
    private float[] _output = [];
    private float[] _losses = [];
    private int[] _targets = [];

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>Always about 64K elements.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), uniform targets, preallocated outputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int rows = BenchmarkData.Rows(Shape, Classes);
        _logits = BenchmarkData.Logits(rows * Classes);
        _output = new float[rows * Classes];
        _losses = new float[rows];
        _targets = BenchmarkData.Targets(rows, Classes);
    }

    /// <summary>Generated softmax (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void Softmax()
    {
        switch (Classes)
        {
            case 3: Kernel3.Softmax(_logits, _output); break;
            case 10: Kernel10.Softmax(_logits, _output); break;
            case 100: Kernel100.Softmax(_logits, _output); break;
            case 1000: Kernel1000.Softmax(_logits, _output); break;
            default: BenchmarkData.ThrowNoKernel(Classes); break;
        }
    }

    /// <summary>Generated log-softmax.</summary>
    [Benchmark]
    public void LogSoftmax()
    {
        switch (Classes)
        {
            case 3: Kernel3.LogSoftmax(_logits, _output); break;
            case 10: Kernel10.LogSoftmax(_logits, _output); break;
            case 100: Kernel100.LogSoftmax(_logits, _output); break;
            case 1000: Kernel1000.LogSoftmax(_logits, _output); break;
            default: BenchmarkData.ThrowNoKernel(Classes); break;
        }
    }

    /// <summary>Generated cross-entropy, one loss per row (<c>reduction='none'</c>).</summary>
    [Benchmark]
    public void CrossEntropyPerRow()
    {
        switch (Classes)
        {
            case 3: Kernel3.CrossEntropy(_logits, _targets, _losses); break;
            case 10: Kernel10.CrossEntropy(_logits, _targets, _losses); break;
            case 100: Kernel100.CrossEntropy(_logits, _targets, _losses); break;
            case 1000: Kernel1000.CrossEntropy(_logits, _targets, _losses); break;
            default: BenchmarkData.ThrowNoKernel(Classes); break;
        }
    }

    /// <summary>Generated cross-entropy reduced to the mean loss.</summary>
    [Benchmark]
    public float CrossEntropyMean()
    {
        switch (Classes)
        {
            case 3: return Kernel3.CrossEntropy(_logits, _targets);
            case 10: return Kernel10.CrossEntropy(_logits, _targets);
            case 100: return Kernel100.CrossEntropy(_logits, _targets);
            case 1000: return Kernel1000.CrossEntropy(_logits, _targets);
            default: BenchmarkData.ThrowNoKernel(Classes); return float.NaN;
        }
    }
}
