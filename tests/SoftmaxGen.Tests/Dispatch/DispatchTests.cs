using System;
using System.Linq;
using System.Numerics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The generated code registers a kernel for every <c>[SoftmaxKernel(N)]</c> of this assembly with
/// <see cref="SoftmaxKernelRegistry"/> (from a module initializer), and <see cref="SoftmaxPrimitives"/> runs it:
/// the results are bitwise those of the generated members. For a class count without a kernel it runs the fallback.
/// The registry is keyed by precision too: no kernel of this assembly is Fast, so a Fast call runs the fallback's Fast
/// code, never the Exact kernel registered for its class count.
/// </summary>
public sealed class DispatchTests
{
    /// <summary>Class counts no <c>KernelN</c> in this assembly declares.</summary>
    private static readonly int[] UnregisteredCounts = [13, 14, 18, 1023, 5000];

    public static TheoryData<int> GeneratedCounts
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (int classes in Implementations.GeneratedClassCounts)
            {
                data.Add(classes);
            }

            return data;
        }
    }

    public static TheoryData<int> UnregisteredCountData
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (int classes in UnregisteredCounts)
            {
                data.Add(classes);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(GeneratedCounts))]
    public void Registry_HasTheGeneratedKernel(int classes)
    {
        SoftmaxKernel? kernel = SoftmaxKernelRegistry.Find(classes);
        Assert.NotNull(kernel);
        Assert.Equal(classes, kernel.Classes);
        SoftmaxImplementation? generated = Implementations.Generated(classes);
        Assert.NotNull(generated);
        Assert.Equal(classes, generated.Classes); // KernelN.Classes
    }

    [Fact]
    public void Registry_HasNothingForOtherCounts()
    {
        foreach (int classes in UnregisteredCounts)
        {
            Assert.Null(SoftmaxKernelRegistry.Find(classes));
        }

        Assert.Null(SoftmaxKernelRegistry.Find(0));
        Assert.Null(SoftmaxKernelRegistry.Find(-1));
        Assert.Null(SoftmaxKernelRegistry.Find(int.MinValue));
        Assert.Null(SoftmaxKernelRegistry.Find(int.MaxValue));
    }

    [Theory]
    [MemberData(nameof(GeneratedCounts))]
    public void Dispatch_IsBitwiseTheGeneratedKernel(int classes)
    {
        SoftmaxImplementation generated = Implementations.Get("generated", classes);
        SoftmaxImplementation dispatch = Implementations.Get("dispatch", classes);
        Compare<float>(generated, dispatch, classes);
        Compare<double>(generated, dispatch, classes);
    }

    [Theory]
    [MemberData(nameof(UnregisteredCountData))]
    public void Dispatch_WithoutAKernel_IsBitwiseTheFallback(int classes)
    {
        SoftmaxImplementation fallback = Implementations.Get("fallback", classes);
        SoftmaxImplementation dispatch = Implementations.Get("dispatch", classes);
        Assert.Null(Implementations.Generated(classes));
        Compare<float>(fallback, dispatch, classes);
        Compare<double>(fallback, dispatch, classes);
    }

    [Theory]
    [MemberData(nameof(GeneratedCounts))]
    public void FastDispatch_IsTheFallbacksFast_NotTheExactKernel(int classes)
    {
        SoftmaxImplementation fallback = Implementations.Get("fallback-fast", classes);
        SoftmaxImplementation dispatch = Implementations.Get("dispatch-fast", classes);
        if (SoftmaxKernelRegistry.Find(classes, SoftmaxPrecision.Fast) is null)
        {
            // No generated Fast kernel for the count: Fast dispatch is the fallback's Fast code, bit for bit (where
            // there is one, FastKernelTests compares the two within the bound).
            Compare<float>(fallback, dispatch, classes);
            Compare<double>(fallback, dispatch, classes);
        }

        // And Fast is not Exact: on rows whose x - max rounds (a small maximum, logits of other magnitudes) some float
        // output differs from the Exact kernel's (64 rows: whole blocks of every width, so no row is a last row).
        var random = new Random(classes);
        float[] logits = [.. Enumerable.Range(0, 64 * classes).Select(i => i % classes == 0 ? 0.3f + (float)random.NextDouble() : -(float)(random.NextDouble() * 20))];
        float[] fast = new float[logits.Length], exact = new float[logits.Length];
        dispatch.Softmax(logits, fast);
        Implementations.Get("generated", classes).Softmax(logits, exact);
        Assert.True(classes == 1 || !fast.AsSpan().SequenceEqual(exact), $"C={classes}: the Fast softmax is the Exact kernel's bit for bit");
    }

    /// <summary>Every operation of <paramref name="b"/> gives bitwise the results of <paramref name="a"/> on random batches (Fast: softmax and log-softmax).</summary>
    private static void Compare<T>(SoftmaxImplementation a, SoftmaxImplementation b, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = classes >= 1000 ? 3 : 17;
        for (int d = 0; d < LogitGenerator.Distributions.Length; d++)
        {
            var random = new Random(LogitGenerator.Seed(classes, d, typeof(T) == typeof(float) ? 5 : 6));
            T[] logits = LogitGenerator.Create<T>(LogitGenerator.Distributions[d], rows * classes, random);
            int[] targets = LogitGenerator.Targets(rows, classes, random);
            Results<T> x = Results<T>.Compute(a, logits, targets);
            Results<T> y = Results<T>.Compute(b, logits, targets);
            string where = $"{b.Name} vs {a.Name} {Verifier.TypeName<T>()} C={classes} {LogitGenerator.Distributions[d]}";
            Same(x.Softmax, y.Softmax, $"{where} softmax");
            Same(x.LogSoftmax, y.LogSoftmax, $"{where} log-softmax");
            if (a.Precision != SoftmaxPrecision.Exact)
            {
                continue;
            }

            Same(x.Losses, y.Losses, $"{where} losses");
            Same([x.Mean, x.Sum, x.DefaultReduction], [y.Mean, y.Sum, y.DefaultReduction], $"{where} mean, sum, default reduction");
            Assert.Equal(x.Argmax, y.Argmax);
        }
    }

    private static void Same<T>(T[] expected, T[] actual, string where)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Verifier.SameValue(expected[i], actual[i]), $"{where} [{i}]: {Verifier.Format(actual[i])}, expected {Verifier.Format(expected[i])}");
        }
    }
}
