using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// <see cref="SoftmaxPrimitives.KlDivergence(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, bool)"/> and
/// <see cref="SoftmaxPrimitives.EntropyWithGradient(ReadOnlySpan{float}, Span{float}, Span{float}, int, SoftmaxPrecision)"/>
/// against PyTorch 1.13 (<c>Golden/pytorch_kl_entropy.json</c>, made by <c>tests/golden/make_kl_entropy_golden.py</c>):
/// F.kl_div with every reduction and its autograd gradient, Categorical(logits).entropy() and its gradient. NaN must
/// match NaN; values are within a relative bound that covers PyTorch's own float32 rounding (SoftmaxGen computes each
/// KL element in double and accumulates the entropy's sums in double).
/// </summary>
public sealed class KlEntropyGoldenTests
{
    private static readonly Lazy<JsonDocument> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_kl_entropy.json"))));

    public static TheoryData<string> KlCases() => Names("kl");

    public static TheoryData<string, SoftmaxPrecision> EntropyCases()
    {
        var data = new TheoryData<string, SoftmaxPrecision>();
        foreach (string name in Names("entropy"))
        {
            data.Add(name, SoftmaxPrecision.Exact);
            data.Add(name, SoftmaxPrecision.Fast);
        }

        return data;
    }

    [Fact]
    public void GoldenFile_CoversTheRequiredCases()
    {
        Assert.Equal(16, KlCases().Count);
        Assert.Equal(28, EntropyCases().Count);
        JsonElement nanCase = Case("kl", "prob_c3_float32");
        Assert.Contains("NaN", nanCase.GetProperty("none").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [MemberData(nameof(KlCases))]
    public void KlDivergence_MatchesPyTorch(string name)
    {
        JsonElement c = Case("kl", name);
        bool single = c.GetProperty("dtype").GetString() == "float32";
        int classes = c.GetProperty("classes").GetInt32();
        bool logTarget = c.GetProperty("logTarget").GetBoolean();
        double[] input = Values(c, "input"), target = Values(c, "target");
        double tolerance = single ? 1e-5 : 1e-13;

        double[] none = Run(single, input, target, (x, t, o) => SoftmaxPrimitives.KlDivergence(x, t, o, logTarget), (x, t, o) => SoftmaxPrimitives.KlDivergence(x, t, o, logTarget));
        AssertClose(name + " none", Values(c, "none"), none, tolerance);

        foreach ((string key, LossReduction reduction) in new[] { ("sum", LossReduction.Sum), ("mean", LossReduction.Mean), ("batchmean", LossReduction.BatchMean) })
        {
            double expected = Parse(c.GetProperty(key).GetString()!);
            double plain, withGradient;
            double[] gradient;
            if (single)
            {
                float[] x = input.Select(v => (float)v).ToArray(), t = target.Select(v => (float)v).ToArray(), g = new float[x.Length];
                plain = SoftmaxPrimitives.KlDivergence(x, t, classes, reduction, logTarget);
                withGradient = SoftmaxPrimitives.KlDivergenceWithGradient(x, t, g, classes, reduction, logTarget);
                gradient = g.Select(v => (double)v).ToArray();
            }
            else
            {
                gradient = new double[input.Length];
                plain = SoftmaxPrimitives.KlDivergence(input, target, classes, reduction, logTarget);
                withGradient = SoftmaxPrimitives.KlDivergenceWithGradient(input, target, gradient, classes, reduction, logTarget);
            }

            AssertClose($"{name} {key}", [expected], [plain], tolerance);
            Assert.Equal(plain, withGradient);
            AssertClose($"{name} {key} gradient", Values(c, key + "Gradient"), gradient, tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(EntropyCases))]
    public void Entropy_MatchesPyTorch(string name, SoftmaxPrecision precision)
    {
        JsonElement c = Case("entropy", name);
        bool single = c.GetProperty("dtype").GetString() == "float32";
        int classes = c.GetProperty("classes").GetInt32(), rows = c.GetProperty("rows").GetInt32();
        double[] logits = Values(c, "logits");
        double[] entropy, gradient;
        if (single)
        {
            float[] x = logits.Select(v => (float)v).ToArray(), h = new float[rows], g = new float[x.Length];
            SoftmaxPrimitives.EntropyWithGradient(x, h, g, classes, precision);
            (entropy, gradient) = (h.Select(v => (double)v).ToArray(), g.Select(v => (double)v).ToArray());
        }
        else
        {
            (entropy, gradient) = (new double[rows], new double[logits.Length]);
            SoftmaxPrimitives.EntropyWithGradient(logits, entropy, gradient, classes, precision);
        }

        double tolerance = single ? 2e-5 : 1e-12;
        AssertClose(name + " entropy", Values(c, "entropy"), entropy, tolerance);
        AssertClose(name + " gradient", Values(c, "gradient"), gradient, tolerance);
    }

    private delegate void Elementwise<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> t, Span<T> o);

    private static double[] Run(bool single, double[] input, double[] target, Elementwise<float> runSingle, Elementwise<double> runDouble)
    {
        if (!single)
        {
            double[] o = new double[input.Length];
            runDouble(input, target, o);
            return o;
        }

        float[] of = new float[input.Length];
        runSingle(input.Select(v => (float)v).ToArray(), target.Select(v => (float)v).ToArray(), of);
        return of.Select(v => (double)v).ToArray();
    }

    private static void AssertClose(string what, double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i]))
            {
                Assert.True(expected[i].Equals(actual[i]), $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]}");
                continue;
            }

            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]}");
        }
    }

    private static TheoryData<string> Names(string family)
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Golden.Value.RootElement.GetProperty(family).EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static JsonElement Case(string family, string name) =>
        Golden.Value.RootElement.GetProperty(family).EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    private static double[] Values(JsonElement c, string key) =>
        c.GetProperty(key).EnumerateArray().Select(e => Parse(e.GetString()!)).ToArray();

    private static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
