using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The K-dimensional losses against the row form on the same data transposed to <c>[N x d, C]</c> rows (which the row
/// form's own golden and reference tests check): per-position losses and gradients must be the same bits, the reduced
/// losses equal up to the order of the sum, for shapes whose planes take several blocks (the block boundaries, the last
/// short block), one class, <c>innerSize</c> = 1, and long targets; then argument checks, in-place gradients and
/// allocation.
/// </summary>
public sealed class KDimLossTests
{
    /// <summary>(outer, classes, innerSize): one block per plane, two (C = 3 and 17), three with a short last one (C = 600), 30 positions (a 16-wide and an 8-wide transpose), rows, one class, no position.</summary>
    public static readonly TheoryData<int, int, int> Shapes = new()
    {
        { 2, 3, 4 }, { 2, 3, 3000 }, { 3, 17, 500 }, { 2, 600, 35 }, { 3, 100, 20 }, { 1, 5, 30 }, { 4, 10, 1 }, { 2, 1, 7 }, { 0, 3, 4 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ClassTargets_AreTheRowFormOnTransposedData(int outer, int classes, int inner)
    {
        foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
        {
            foreach (bool options in new[] { false, true })
            {
                CheckClassTargets<float>(outer, classes, inner, options, precision, 1e-6);
                CheckClassTargets<double>(outer, classes, inner, options, precision, 1e-13);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ProbabilityTargets_AreTheRowFormOnTransposedData(int outer, int classes, int inner)
    {
        foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
        {
            CheckProbabilities<float>(outer, classes, inner, precision, 1e-6);
            CheckProbabilities<double>(outer, classes, inner, precision, 1e-13);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Nll_IsTheRowFormOnTransposedData(int outer, int classes, int inner)
    {
        var random = new Random(outer * 1000 + classes * 10 + inner);
        int positions = outer * inner;
        double[] lp = Enumerable.Range(0, outer * classes * inner).Select(_ => -random.NextDouble() * 5).ToArray();
        int[] targets = Targets(random, positions, classes, ignored: true);
        double[] w = Enumerable.Range(0, classes).Select(_ => 0.25 + random.NextDouble()).ToArray();
        double[] rows = ToRows(lp, outer, classes, inner);
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            double expected = SoftmaxPrimitives.NllLoss(rows, targets, classes, reduction, w);
            AssertSame(expected, SoftmaxPrimitives.NllLoss(lp, targets, classes, inner, reduction, w), "nll " + reduction);
            AssertSame(expected, SoftmaxPrimitives.NllLoss(lp, targets.Select(t => (long)t).ToArray(), classes, inner, reduction, w), "nll long " + reduction);
        }

        // reduction='none' from its definition: -w[t] * lp[n, t, i], 0 where ignored.
        var losses = new double[positions];
        SoftmaxPrimitives.NllLoss(lp, targets, losses, classes, inner, w);
        for (int p = 0; p < positions; p++)
        {
            double expected = targets[p] == -100 ? 0 : -w[targets[p]] * rows[(p * classes) + targets[p]];
            AssertSame(expected, losses[p], $"nll none [{p}]");
        }
    }

    [Fact]
    public void Gradient_InPlace_EqualsSeparateOutput()
    {
        var random = new Random(5);
        const int Outer = 2, Classes = 17, Inner = 500;
        float[] x = Enumerable.Range(0, Outer * Classes * Inner).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        int[] targets = Targets(random, Outer * Inner, Classes, ignored: true);
        var separate = new float[x.Length];
        float expected = SoftmaxPrimitives.CrossEntropyWithGradient(x, targets, separate, Classes, Inner, LossReduction.Mean, labelSmoothing: 0.1f);
        float inPlace = SoftmaxPrimitives.CrossEntropyWithGradient(x, targets, x, Classes, Inner, LossReduction.Mean, labelSmoothing: 0.1f);
        Assert.Equal(expected, inPlace);
        Assert.Equal(separate, x);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter_AndWriteNothing()
    {
        float[] x = new float[2 * 3 * 4];
        int[] targets = new int[8];
        var losses = new float[8];
        var gradient = new float[x.Length];
        Array.Fill(losses, 7f);
        Array.Fill(gradient, 7f);

        Assert.Equal("innerSize", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 3, 0)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 0, 4)).ParamName);
        ArgumentException shape = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 3, 5));
        Assert.Equal("logits", shape.ParamName);
        Assert.Contains("3 x 5", shape.Message, StringComparison.Ordinal);
        ArgumentException count = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(x, new int[7], 3, 4));
        Assert.Equal("targets", count.ParamName);
        Assert.Contains("2 x 4 = 8", count.Message, StringComparison.Ordinal);

        int[] bad = new int[8];
        bad[5] = 3;
        ArgumentOutOfRangeException range = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropyWithGradient(x, bad, gradient, 3, 4));
        Assert.Equal("targets", range.ParamName);
        Assert.Contains("targets[5] is 3", range.Message, StringComparison.Ordinal);
        long[] wide = new long[8];
        wide[6] = 1L << 32; // would be 0 if narrowed without a check
        range = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, wide, losses, 3, 4));
        Assert.Contains("targets[6] is 4294967296", range.Message, StringComparison.Ordinal);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.NllLoss(x, wide, 3, 4));
        Assert.Equal("targets", range.ParamName);

        Assert.Equal("classWeights", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 3, 4, classWeights: new float[2])).ParamName);
        Assert.Equal("labelSmoothing", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 3, 4, labelSmoothing: 1.5f)).ParamName);
        Assert.Equal("reduction", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 3, 4, (LossReduction)7)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, 3, 4, precision: (SoftmaxPrecision)9)).ParamName);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, new float[7], 3, 4)).ParamName);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(x, targets, x.AsSpan(0, 8), 3, 4)).ParamName);
        Assert.Equal("logitsGradient", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropyWithGradient(x, targets, new float[x.Length - 1], 3, 4)).ParamName);
        Assert.Equal("logitsGradient", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropyWithGradient(x.AsSpan(0, 12), targets.AsSpan(0, 4), x.AsSpan(1, 12), 3, 4)).ParamName);
        Assert.Equal("targetProbabilities", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(x, new float[x.Length - 1], 3, 4)).ParamName);
        Assert.Equal("logitsGradient", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropyWithGradient(x, gradient, gradient, 3, 4)).ParamName);
        Assert.Equal("logProbabilities", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.NllLoss(new float[23], targets, 3, 4)).ParamName);

        Assert.All(losses, v => Assert.Equal(7f, v));
        Assert.All(gradient, v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Calls_AllocateNothingOnceThePoolHoldsTheirBuffers()
    {
        const int Outer = 2, Classes = 17, Inner = 500;
        var random = new Random(9);
        float[] x = Enumerable.Range(0, Outer * Classes * Inner).Select(_ => (float)random.NextDouble()).ToArray();
        float[] p = new float[x.Length];
        SoftmaxPrimitives.Softmax(x, p, Classes, Inner);
        int[] targets = Targets(random, Outer * Inner, Classes, ignored: true);
        long[] wide = targets.Select(t => (long)t).ToArray();
        float[] w = Enumerable.Range(1, Classes).Select(i => (float)i).ToArray();
        var losses = new float[Outer * Inner];
        var gradient = new float[x.Length];
        var calls = new List<(string, Action)>
        {
            ("reduced", () => SoftmaxPrimitives.CrossEntropy(x, targets, Classes, Inner)),
            ("options", () => SoftmaxPrimitives.CrossEntropy(x, targets, Classes, Inner, classWeights: w, labelSmoothing: 0.1f)),
            ("long", () => SoftmaxPrimitives.CrossEntropy(x, wide, losses, Classes, Inner)),
            ("gradient", () => SoftmaxPrimitives.CrossEntropyWithGradient(x, wide, gradient, Classes, Inner, LossReduction.Sum, w)),
            ("probabilities", () => SoftmaxPrimitives.CrossEntropyWithGradient(x, p, gradient, Classes, Inner)),
            ("nll", () => SoftmaxPrimitives.NllLoss(x, wide, losses, Classes, Inner, w)),
        };
        // The least over three warm rounds: a call that allocates does so every time, while a collection caused by a
        // test running beside this one may trim ArrayPool.Shared and make one call rent afresh.
        foreach ((string _, Action call) in calls)
            call();
        var allocations = new List<string>();
        foreach ((string name, Action call) in calls)
        {
            long least = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                call();
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            if (least != 0)
                allocations.Add($"{name}: {least} bytes");
        }

        Assert.True(allocations.Count == 0, string.Join("; ", allocations));
    }

    private static void CheckClassTargets<T>(int outer, int classes, int inner, bool options, SoftmaxPrecision precision, double reducedTolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(outer * 7919 + classes * 31 + inner + (options ? 1 : 0));
        int positions = outer * inner;
        T[] x = Enumerable.Range(0, outer * classes * inner).Select(_ => T.CreateTruncating(random.NextDouble() * 8 - 4)).ToArray();
        int[] targets = Targets(random, positions, classes, ignored: options);
        long[] wide = targets.Select(t => (long)t).ToArray();
        T[] w = options ? Enumerable.Range(0, classes).Select(_ => T.CreateTruncating(0.25 + random.NextDouble())).ToArray() : [];
        T eps = options ? T.CreateTruncating(0.1) : T.Zero;
        const int Ignore = -100;
        T[] rows = ToRows(x, outer, classes, inner);
        var rowApi = new KDimApi<T>(classes, 1, precision, rowForm: true);
        var api = new KDimApi<T>(classes, inner, precision);
        string what = $"{typeof(T).Name} [{outer}, {classes}, {inner}] options={options} {precision}";

        var expectedLosses = new T[positions];
        rowApi.CrossEntropy(rows, targets, expectedLosses, w, Ignore, eps);
        var losses = new T[positions];
        api.CrossEntropy(x, targets, losses, w, Ignore, eps);
        Assert.True(expectedLosses.SequenceEqual(losses), what + ": per-position losses");
        Array.Clear(losses);
        api.CrossEntropy(x, wide, losses, w, Ignore, eps);
        Assert.True(expectedLosses.SequenceEqual(losses), what + ": per-position losses, long targets");

        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            T expected = rowApi.CrossEntropy(rows, targets, reduction, w, Ignore, eps);
            AssertClose(expected, api.CrossEntropy(x, targets, reduction, w, Ignore, eps), reducedTolerance, $"{what} {reduction}");
            AssertClose(expected, api.CrossEntropy(x, wide, reduction, w, Ignore, eps), reducedTolerance, $"{what} {reduction} long");

            var rowGradient = new T[x.Length];
            T fusedRows = rowApi.CrossEntropyWithGradient(rows, targets, rowGradient, reduction, w, Ignore, eps);
            T[] expectedGradient = FromRows(rowGradient, outer, classes, inner);
            var gradient = new T[x.Length];
            AssertClose(fusedRows, api.CrossEntropyWithGradient(x, targets, gradient, reduction, w, Ignore, eps), reducedTolerance, $"{what} fused {reduction}");
            Assert.True(expectedGradient.SequenceEqual(gradient), $"{what}: gradient {reduction}");
            Array.Clear(gradient);
            AssertClose(fusedRows, api.CrossEntropyWithGradient(x, wide, gradient, reduction, w, Ignore, eps), reducedTolerance, $"{what} fused {reduction} long");
            Assert.True(expectedGradient.SequenceEqual(gradient), $"{what}: gradient {reduction}, long targets");
        }
    }

    private static void CheckProbabilities<T>(int outer, int classes, int inner, SoftmaxPrecision precision, double reducedTolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(outer * 13 + classes * 17 + inner);
        int positions = outer * inner;
        T[] x = Enumerable.Range(0, outer * classes * inner).Select(_ => T.CreateTruncating(random.NextDouble() * 8 - 4)).ToArray();
        T[] p = Enumerable.Range(0, x.Length).Select(_ => T.CreateTruncating(random.NextDouble())).ToArray();
        T eps = T.CreateTruncating(0.1);
        T[] rows = ToRows(x, outer, classes, inner), targetRows = ToRows(p, outer, classes, inner);
        var rowApi = new KDimApi<T>(classes, 1, precision, rowForm: true);
        var api = new KDimApi<T>(classes, inner, precision);
        string what = $"{typeof(T).Name} [{outer}, {classes}, {inner}] probabilities {precision}";

        var expectedLosses = new T[positions];
        rowApi.ProbabilityCrossEntropy(rows, targetRows, expectedLosses, eps);
        var losses = new T[positions];
        api.ProbabilityCrossEntropy(x, p, losses, eps);
        Assert.True(expectedLosses.SequenceEqual(losses), what + ": per-position losses");
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            AssertClose(rowApi.ProbabilityCrossEntropy(rows, targetRows, reduction, eps), api.ProbabilityCrossEntropy(x, p, reduction, eps), reducedTolerance, $"{what} {reduction}");
            var rowGradient = new T[x.Length];
            T fusedRows = rowApi.ProbabilityCrossEntropyWithGradient(rows, targetRows, rowGradient, reduction, eps);
            var gradient = new T[x.Length];
            AssertClose(fusedRows, api.ProbabilityCrossEntropyWithGradient(x, p, gradient, reduction, eps), reducedTolerance, $"{what} fused {reduction}");
            Assert.True(FromRows(rowGradient, outer, classes, inner).SequenceEqual(gradient), $"{what}: gradient {reduction}");
        }
    }

    /// <summary>Random class indices, about one in eight -100 when <paramref name="ignored"/>.</summary>
    private static int[] Targets(Random random, int positions, int classes, bool ignored) =>
        Enumerable.Range(0, positions).Select(_ => ignored && random.Next(8) == 0 ? -100 : random.Next(classes)).ToArray();

    /// <summary><c>[outer, classes, inner]</c> to <c>[outer x inner, classes]</c>.</summary>
    private static T[] ToRows<T>(T[] x, int outer, int classes, int inner)
    {
        var rows = new T[x.Length];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < classes; c++)
                for (int i = 0; i < inner; i++)
                    rows[(((o * inner) + i) * classes) + c] = x[(((o * classes) + c) * inner) + i];
        return rows;
    }

    /// <summary><c>[outer x inner, classes]</c> to <c>[outer, classes, inner]</c>.</summary>
    private static T[] FromRows<T>(T[] rows, int outer, int classes, int inner)
    {
        var x = new T[rows.Length];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < classes; c++)
                for (int i = 0; i < inner; i++)
                    x[(((o * classes) + c) * inner) + i] = rows[(((o * inner) + i) * classes) + c];
        return x;
    }

    private static void AssertSame(double expected, double actual, string what) =>
        Assert.True(expected.Equals(actual), $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>Equal, NaN included, or within <paramref name="tolerance"/> of max(|expected|, 1): the reduced sums add the same terms in another grouping.</summary>
    private static void AssertClose<T>(T expected, T actual, double tolerance, string what)
        where T : IFloatingPointIeee754<T>
    {
        double e = double.CreateTruncating(expected), a = double.CreateTruncating(actual);
        Assert.True(e.Equals(a) || Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e)), $"{what}: expected {e:R}, got {a:R}");
    }
}
