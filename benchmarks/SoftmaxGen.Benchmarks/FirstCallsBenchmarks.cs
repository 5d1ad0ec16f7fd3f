using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// The first calls of a fresh process (target: the first 100 calls within 1.2x of the steady state): softmax of a 64K
/// batch by the generated kernels and the fallback in both precisions. The <c>First100</c> job starts a new process for
/// each measurement and times calls 2 to 101 in one go (the first call, made by the setup to check the result, includes
/// compiling the kernel: a kernel marked AggressiveOptimization is compiled fully optimised there, where a tiered one
/// would run unoptimised code for its first calls); the <c>Steady</c> job times the same calls after warming up.
/// </summary>
[Config(typeof(FirstCallsConfig))]
public class FirstCallsBenchmarks
{
    private float[] _logits = [];
    private float[] _probabilities = [];

    /// <summary>The class count: a block layout, a row layout and the runtime's row kernels (on Vector512).</summary>
    [Params(10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>About 64K elements.</summary>
    [Params(Shape.Batch64K)]
    public Shape Shape { get; set; }

    /// <summary>Random logits ~ N(0, 5^2), a preallocated output, and one checked call of every method.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int count = BenchmarkData.Rows(Shape, Classes) * Classes;
        _logits = BenchmarkData.Logits(count);
        _probabilities = new float[count];
        var expected = new float[count];
        ScalarSoftmax.SoftmaxInDouble(_logits, expected, Classes);
        foreach (Action method in new Action[] { Generated, GeneratedFast, Fallback, FallbackFast })
        {
            Array.Clear(_probabilities);
            method();
            BenchmarkData.Check(expected, _probabilities, 1e-5, method.Method.Name);
        }
    }

    /// <summary>The kernel generated for <see cref="Classes"/> classes.</summary>
    [Benchmark(Baseline = true)]
    public void Generated() => SoftmaxGen.Benchmarks.Generated.Softmax(Classes, _logits, _probabilities);

    /// <summary>The kernel generated for <see cref="Classes"/> classes in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void GeneratedFast() => SoftmaxGen.Benchmarks.GeneratedFast.Softmax(Classes, _logits, _probabilities);

    /// <summary>The runtime fallback.</summary>
    [Benchmark]
    public void Fallback() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes);

    /// <summary>The runtime fallback in <see cref="SoftmaxPrecision.Fast"/>.</summary>
    [Benchmark]
    public void FallbackFast() => SoftmaxFallback.Softmax(_logits, _probabilities, Classes, SoftmaxPrecision.Fast);
}

/// <summary>
/// Two jobs: <c>First100</c> (five fresh processes, no warm-up, one iteration of 100 calls each) and <c>Steady</c> (one
/// process, 4 warm-up and 10 measured iterations of 250 ms); the ns/elem column divides by the batch size in both.
/// </summary>
public sealed class FirstCallsConfig : ManualConfig
{
    /// <summary>Adds the ns/element column and the two jobs.</summary>
    public FirstCallsConfig()
    {
        AddColumn(new NanosecondsPerElementColumn());
        AddJob(Job.Default
            .WithId("First100")
            .WithStrategy(RunStrategy.ColdStart)
            .WithLaunchCount(5)
            .WithWarmupCount(0)
            .WithIterationCount(1)
            .WithInvocationCount(100)
            .WithUnrollFactor(1));
        AddJob(Job.Default
            .WithId("Steady")
            .WithLaunchCount(1)
            .WithWarmupCount(4)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithUnrollFactor(1));
    }
}
