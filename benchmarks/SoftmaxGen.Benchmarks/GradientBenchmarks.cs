using System;
using BenchmarkDotNet.Attributes;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// A training step's loss computation on a ~64K-element batch: the fused <c>CrossEntropyWithGradient</c> (one pass per
/// row for max, normaliser, loss and gradient) against the unfused way, softmax then the loss then
/// <c>(softmax - one_hot) / rows</c> (the baseline), and against the runtime fallback's fused call.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class GradientBenchmarks
{
    private float[] _logits = [];
    private float[] _gradient = [];
    private int[] _targets = [];

    /// <summary>The class count (the row length).</summary>
    [Params(3, 10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>Always about 64K elements.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), uniform targets, a preallocated gradient.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int rows = BenchmarkData.Rows(Shape, Classes);
        _logits = BenchmarkData.Logits(rows * Classes);
        _gradient = new float[rows * Classes];
        _targets = BenchmarkData.Targets(rows, Classes);
    }

    /// <summary>Unfused, with the generated kernel: softmax, the mean loss, then subtract the one-hot targets and scale.</summary>
    [Benchmark(Baseline = true)]
    public float Unfused()
    {
        float loss = SoftmaxPrimitives.CrossEntropy(_logits, _targets, Classes);
        SoftmaxPrimitives.Softmax(_logits, _gradient, Classes);
        float scale = 1f / _targets.Length;
        for (int r = 0; r < _targets.Length; r++)
        {
            Span<float> row = _gradient.AsSpan(r * Classes, Classes);
            row[_targets[r]] -= 1;
            for (int j = 0; j < row.Length; j++)
            {
                row[j] *= scale;
            }
        }

        return loss;
    }

    /// <summary>The generated kernel's fused loss and gradient.</summary>
    [Benchmark]
    public float FusedGenerated()
    {
        switch (Classes)
        {
            case 3: return Kernel3.CrossEntropyWithGradient(_logits, _targets, _gradient);
            case 10: return Kernel10.CrossEntropyWithGradient(_logits, _targets, _gradient);
            case 100: return Kernel100.CrossEntropyWithGradient(_logits, _targets, _gradient);
            case 1000: return Kernel1000.CrossEntropyWithGradient(_logits, _targets, _gradient);
            default: BenchmarkData.ThrowNoKernel(Classes); return float.NaN;
        }
    }

    /// <summary>The runtime fallback's fused loss and gradient.</summary>
    [Benchmark]
    public float FusedFallback() => SoftmaxFallback.CrossEntropyWithGradient(_logits, _targets, _gradient, Classes);
}
