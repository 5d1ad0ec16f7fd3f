using System;
using BenchmarkDotNet.Attributes;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// Segmentation-shaped cross-entropy: [N, C, H, W] logits with [N, H, W] targets, as PyTorch's
/// <c>F.cross_entropy</c> takes them (classes strided by H x W), against moving each position's classes into a row
/// first and running the row cross-entropy (the baseline: what a user does without the K-dimensional overload).
/// N = 4 images of 64 x 64 positions.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
[HideColumns("ns/elem")] // its element count is not Rows x Classes
public class SpatialLossBenchmarks
{
    private const int Images = 4;
    private const int Positions = 64 * 64;

    private float[] _logits = [];
    private float[] _rows = [];
    private float[] _gradient = [];
    private int[] _targets = [];

    /// <summary>The class count: a few classes (binary-ish masks), Cityscapes (19) and ADE20K (150).</summary>
    [Params(4, 19, 150)]
    public int Classes { get; set; }

    /// <summary>Logits ~ N(0, 5^2), uniform targets, and a check that both ways give the same loss.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _logits = BenchmarkData.Logits(Images * Classes * Positions);
        _rows = new float[_logits.Length];
        _gradient = new float[_logits.Length];
        _targets = BenchmarkData.Targets(Images * Positions, Classes);
        float spatial = Spatial(), rows = TransposeThenRows();
        if (!(Math.Abs(spatial - rows) <= 1e-5f * Math.Abs(rows)))
            throw new InvalidOperationException($"the K-dimensional loss is {spatial}, the row loss {rows}.");
    }

    /// <summary>Transposes [N, C, P] to [N, P, C], then the row cross-entropy.</summary>
    [Benchmark(Baseline = true)]
    public float TransposeThenRows()
    {
        int classes = Classes;
        for (int n = 0; n < Images; n++)
        {
            ReadOnlySpan<float> image = _logits.AsSpan(n * classes * Positions, classes * Positions);
            Span<float> rows = _rows.AsSpan(n * classes * Positions, classes * Positions);
            for (int c = 0; c < classes; c++)
            {
                for (int p = 0; p < Positions; p++)
                    rows[(p * classes) + c] = image[(c * Positions) + p];
            }
        }

        return SoftmaxPrimitives.CrossEntropy(_rows, _targets, classes);
    }

    /// <summary>The K-dimensional overload: mean cross-entropy over every position.</summary>
    [Benchmark]
    public float Spatial() => SoftmaxPrimitives.CrossEntropy(_logits, _targets, Classes, Positions);

    /// <summary>The K-dimensional overload with the gradient of the mean.</summary>
    [Benchmark]
    public float SpatialWithGradient() => SoftmaxPrimitives.CrossEntropyWithGradient(_logits, _targets, _gradient, Classes, Positions);
}
