using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// <see cref="SoftmaxSampling"/> against the Hugging Face pipeline written with PyTorch 1.13
/// (<c>Golden/pytorch_sampling.json</c>, made by <c>tests/golden/make_sampling_golden.py</c>): penalties, bias, banned
/// classes, temperature, top-k, top-p, min-p and greedy decoding on rows with ties, -inf logits, one class, 100 classes
/// and a Zipf-like row of 32,000. The kept set must be the reference's exactly (the script gives every cut a margin);
/// the probabilities within 3e-5 relative of its float64 values; a draw for a uniform value must be the class at which
/// the reference's cumulative probability, in class-index order, passes it.
/// </summary>
public sealed class SamplingGoldenTests
{
    private const double Tolerance = 3e-5;

    private static readonly Lazy<JsonDocument> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_sampling.json"))));

    public static TheoryData<string, SoftmaxPrecision> CaseNames()
    {
        var data = new TheoryData<string, SoftmaxPrecision>();
        foreach (SoftmaxPrecision precision in Implementations.Precisions)
        {
            foreach (JsonElement c in Golden.Value.RootElement.GetProperty("cases").EnumerateArray())
                data.Add(c.GetProperty("name").GetString()!, precision);
        }

        return data;
    }

    [Fact]
    public void GoldenFile_CoversTheRequiredCases()
    {
        string[] names = Golden.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(88, names.Length);
        foreach (string name in new[] { "p_tie_cut_ties_c12", "k3_tie_cut_ties_c12", "p0.9_zipf_c32000", "k50_zipf_c32000", "minp0.05_zipf_c32000",
                     "all_zipf_c32000", "rep0.8_pres0.5_freq0.25_n3_c100", "bias_banned_neginf_c40", "greedy_penalised_n3_c100", "k1_vec_c5" })
        {
            Assert.Contains(name, names);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Probabilities_MatchPyTorch(string name, SoftmaxPrecision precision)
    {
        GoldenCase c = Load(name, precision);
        foreach (bool pooled in new[] { false, true })
        {
            var probabilities = new float[c.Logits.Length];
            float[] logits = (float[])c.Logits.Clone();
            int kept = SoftmaxSampling.Probabilities(logits, c.Options, probabilities, c.History, pooled ? default : new float[SoftmaxSampling.ScratchLength(logits.Length)]);
            Assert.Equal(c.Logits, logits);
            Assert.Equal(c.Kept, kept);
            for (int i = 0; i < probabilities.Length; i++)
            {
                double expected = c.Probabilities[i];
                if (expected == 0)
                    Assert.True(probabilities[i] == 0, $"{name}: class {i} has {probabilities[i]}, PyTorch 0");
                else
                    Assert.True(Math.Abs(probabilities[i] - expected) <= Tolerance * expected, $"{name}: class {i} has {probabilities[i]}, PyTorch {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Sample_IsTheInverseCdfOfPyTorchsDistribution(string name, SoftmaxPrecision precision)
    {
        GoldenCase c = Load(name, precision);
        var scratch = new float[SoftmaxSampling.ScratchLength(c.Logits.Length)];
        if (c.Options.Temperature == 0)
        {
            Assert.Equal(c.Greedy, SoftmaxSampling.Sample(c.Logits, c.Options, 0.5, c.History, scratch));
            Assert.Equal(c.Greedy, SoftmaxSampling.Sample(c.Logits, c.Options, new Random(1), c.History));
        }

        double[] cumulative = new double[c.Probabilities.Length];
        double sum = 0;
        for (int i = 0; i < cumulative.Length; i++)
            cumulative[i] = sum += c.Probabilities[i];

        int checkedDraws = 0;
        foreach (double u in new[] { 0.0, 1e-9, 0.05, 0.1, 0.25, 0.37, 0.5, 0.61, 0.77, 0.9, 0.99, 0.999999 })
        {
            // A uniform value within the tolerance of a boundary may fall either side of it.
            if (cumulative.Any(b => Math.Abs(b - u) <= 5e-6))
                continue;
            int expected = Array.FindIndex(cumulative, b => b > u);
            Assert.Equal(expected, SoftmaxSampling.Sample(c.Logits, c.Options, u, c.History, scratch));
            checkedDraws++;
        }

        Assert.True(checkedDraws >= 6, $"{name}: only {checkedDraws} uniform values away from the boundaries");
    }

    internal sealed record GoldenCase(float[] Logits, SamplingOptions Options, int[] History, int Kept, int Greedy, double[] Probabilities);

    internal static GoldenCase Load(string name, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        JsonElement root = Golden.Value.RootElement;
        JsonElement c = root.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        float[] logits = root.GetProperty("rows").GetProperty(c.GetProperty("row").GetString()!).EnumerateArray()
            .Select(e => (float)Parse(e.GetString()!)).ToArray();
        JsonElement o = c.GetProperty("options");
        float Get(string key, float neutral) => o.TryGetProperty(key, out JsonElement v) ? (float)v.GetDouble() : neutral;
        var options = new SamplingOptions
        {
            Temperature = Get("temperature", 1),
            TopK = o.TryGetProperty("top_k", out JsonElement k) ? k.GetInt32() : 0,
            TopP = Get("top_p", 1),
            MinP = Get("min_p", 0),
            RepetitionPenalty = Get("repetition", 1),
            PresencePenalty = Get("presence", 0),
            FrequencyPenalty = Get("frequency", 0),
            LogitBias = c.GetProperty("bias").EnumerateArray().Select(b => new LogitBias(b[0].GetInt32(), (float)Parse(b[1].GetString()!))).ToArray(),
            BannedTokens = c.GetProperty("banned").EnumerateArray().Select(b => b.GetInt32()).ToArray(),
            Precision = precision,
        };
        var probabilities = new double[logits.Length];
        int[] indices = c.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        double[] values = c.GetProperty("probabilities").EnumerateArray().Select(e => Parse(e.GetString()!)).ToArray();
        for (int i = 0; i < indices.Length; i++)
            probabilities[indices[i]] = values[i];
        return new GoldenCase(
            logits,
            options,
            c.GetProperty("history").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("kept").GetInt32(),
            c.GetProperty("greedy").GetInt32(),
            probabilities);
    }

    internal static IEnumerable<string> Names() =>
        Golden.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    private static double Parse(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
