using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// <see cref="SoftmaxSampling"/>: the distribution of its draws (chi-square against the PyTorch golden distribution),
/// determinism for a seed, greedy decoding as argmax, vocabulary rows of 151,936 classes against a float64 reference
/// with a full sort, the penalties' arithmetic, in-place use, validation and allocation.
/// </summary>
public sealed class SamplingTests
{
    [Theory]
    [InlineData("p0.9_ties_c12", 100_000)]
    [InlineData("all_n3_c100", 100_000)]
    [InlineData("minp0.05_zipf_c32000", 20_000)]
    [InlineData("k40_p0.8_t0.9_zipf_c32000", 20_000)]
    public void Draws_FollowTheGoldenDistribution(string name, int draws)
    {
        SamplingGoldenTests.GoldenCase c = SamplingGoldenTests.Load(name);
        var scratch = new float[SoftmaxSampling.ScratchLength(c.Logits.Length)];
        var random = new Random(20261205);
        var counts = new int[c.Logits.Length];
        for (int i = 0; i < draws; i++)
            counts[SoftmaxSampling.Sample(c.Logits, c.Options, random, c.History, scratch)]++;

        // No draw outside the kept classes; bins with fewer than 5 expected draws are pooled.
        double chiSquare = 0, pooledExpected = 0, pooledObserved = 0;
        int bins = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            double expected = c.Probabilities[i] * draws;
            if (expected == 0)
            {
                Assert.True(counts[i] == 0, $"{name}: class {i}, which is filtered out, was drawn {counts[i]} times");
                continue;
            }

            if (expected < 5)
            {
                pooledExpected += expected;
                pooledObserved += counts[i];
                continue;
            }

            chiSquare += (counts[i] - expected) * (counts[i] - expected) / expected;
            bins++;
        }

        if (pooledExpected > 0)
        {
            chiSquare += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
            bins++;
        }

        // df + 6 standard deviations of the chi-square distribution: a correct sampler exceeds it with probability
        // below 1e-6; a sampler off by a class, or with a wrong normalisation, exceeds it by far.
        int df = bins - 1;
        Assert.True(df >= 1, $"{name}: {bins} bins");
        Assert.True(chiSquare <= df + (6 * Math.Sqrt(2.0 * df)), $"{name}: chi-square {chiSquare:F1} with {df} degrees of freedom");
    }

    [Fact]
    public void Draws_AreDeterministicForASeed()
    {
        SamplingGoldenTests.GoldenCase c = SamplingGoldenTests.Load("p0.9_zipf_c32000");
        int[] Run(int seed, bool pooled)
        {
            var random = new Random(seed);
            var scratch = pooled ? null : new float[SoftmaxSampling.ScratchLength(c.Logits.Length)];
            return Enumerable.Range(0, 200).Select(_ => SoftmaxSampling.Sample(c.Logits, c.Options, random, c.History, scratch)).ToArray();
        }

        int[] first = Run(42, pooled: false);
        Assert.Equal(first, Run(42, pooled: false));
        Assert.Equal(first, Run(42, pooled: true));
        Assert.NotEqual(first, Run(43, pooled: false));
        Assert.True(first.Distinct().Count() > 50, "200 draws from a nucleus of 5,226 classes should not repeat this much");

        // The Random overload is the uniform overload with NextDouble.
        var r = new Random(7);
        var u = new Random(7);
        for (int i = 0; i < 50; i++)
            Assert.Equal(SoftmaxSampling.Sample(c.Logits, c.Options, u.NextDouble()), SoftmaxSampling.Sample(c.Logits, c.Options, r));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(32_000)]
    [InlineData(151_936)]
    public void Greedy_IsArgmax(int classes)
    {
        var rng = new Random(classes);
        // Values on a coarse grid, so that the maximum is often tied: argmax takes the first.
        float[] logits = Enumerable.Range(0, classes).Select(_ => (float)rng.Next(-40, 40) / 4).ToArray();
        int expected = 0;
        for (int i = 1; i < classes; i++)
        {
            if (logits[i] > logits[expected])
                expected = i;
        }

        var greedy = new SamplingOptions { Temperature = 0, TopK = Math.Min(5, classes), TopP = 0.5f };
        Assert.Equal(expected, SoftmaxSampling.Sample(logits, greedy, 0.999));
        Assert.Equal(expected, SoftmaxSampling.Sample(logits, greedy, new Random(3)));
        var predictions = new int[1];
        SoftmaxPrimitives.Argmax(logits, predictions, classes);
        Assert.Equal(predictions[0], expected);

        var probabilities = new float[classes];
        Assert.Equal(1, SoftmaxSampling.Probabilities(logits, greedy, probabilities));
        Assert.Equal(1f, probabilities[expected]);
        Assert.Equal(1f, probabilities.Sum());

        // top-k of 1 keeps the same class, whatever the uniform value.
        Assert.Equal(expected, SoftmaxSampling.Sample(logits, new SamplingOptions { TopK = 1 }, 0.999));
    }

    public static TheoryData<string, float, int, float, float> VocabularyCases() => new()
    {
        { "zipf", 1f, 0, 0.9f, 0f },
        { "zipf", 0.7f, 0, 0.95f, 0f },
        { "zipf", 1f, 1000, 0.99f, 0f },
        { "zipf", 1f, 0, 1f, 0.001f },
        { "zipf", 1.3f, 40, 0.8f, 0.01f },
        { "normal", 1.5f, 0, 0.9f, 0f },   // a flat distribution: the nucleus holds most of the row
        { "normal", 1f, 50_000, 1f, 0f },
        { "normal", 2f, 0, 0.5f, 0.5f },
        { "normal", 1f, 0, 1f, 0f },
    };

    /// <summary>Rows of 151,936 classes against a float64 reference that sorts the whole row.</summary>
    [Theory]
    [MemberData(nameof(VocabularyCases))]
    public void VocabularyRows_MatchAFullSortReference(string distribution, float temperature, int topK, float topP, float minP)
    {
        const int classes = 151_936;
        float[] logits = VocabularyRow(distribution, classes);
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP, MinP = minP };
        double[] expected = Reference(logits, temperature, topK, topP, minP);
        var probabilities = new float[classes];
        int kept = SoftmaxSampling.Probabilities(logits, options, probabilities, scratch: new float[SoftmaxSampling.ScratchLength(classes)]);
        Assert.Equal(expected.Count(p => p > 0), kept);
        for (int i = 0; i < classes; i++)
        {
            if (expected[i] == 0)
                Assert.True(probabilities[i] == 0, $"class {i}: {probabilities[i]}, expected 0");
            else
                Assert.True(Math.Abs(probabilities[i] - expected[i]) <= 3e-5 * expected[i], $"class {i}: {probabilities[i]}, expected {expected[i]}");
        }

        // Every draw is a kept class.
        var random = new Random(5);
        for (int i = 0; i < 20; i++)
            Assert.True(expected[SoftmaxSampling.Sample(logits, options, random)] > 0);
    }

    [Fact]
    public void Penalties_FollowHuggingFaceAndOpenAI()
    {
        float[] logits = [2f, -2f, 1f, 0.5f];
        int[] history = [0, 1, 1, 3, 1];
        var options = new SamplingOptions { RepetitionPenalty = 2, PresencePenalty = 0.5f, FrequencyPenalty = 0.25f };
        // Repetition: 2 / 2 = 1 and -2 * 2 = -4, each once; then - count * 0.25 - 0.5.
        double[] z = [1 - 0.25 - 0.5, -4 - (3 * 0.25) - 0.5, 1, (0.5 / 2) - 0.25 - 0.5];
        double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
        var probabilities = new float[4];
        Assert.Equal(4, SoftmaxSampling.Probabilities(logits, options, probabilities, history));
        for (int i = 0; i < 4; i++)
            Assert.Equal(Math.Exp(z[i] - max) / sum, probabilities[i], 6);

        // Bias after the penalties, then the banned classes; temperature divides the result.
        var biased = options with { LogitBias = new[] { new LogitBias(2, -1.5f), new LogitBias(2, 0.25f) }, BannedTokens = new[] { 3 }, Temperature = 0.5f };
        double[] zb = [z[0] / 0.5, z[1] / 0.5, (1 - 1.5 + 0.25) / 0.5];
        max = zb.Max();
        sum = zb.Sum(v => Math.Exp(v - max));
        SoftmaxSampling.Probabilities(logits, biased, probabilities, history);
        for (int i = 0; i < 3; i++)
            Assert.Equal(Math.Exp(zb[i] - max) / sum, probabilities[i], 6);
        Assert.Equal(0f, probabilities[3]);
        Assert.Equal([2f, -2f, 1f, 0.5f], logits);
    }

    [Fact]
    public void Probabilities_InPlace_EqualsOutOfPlace()
    {
        float[] logits = VocabularyRow("zipf", 5000);
        var options = new SamplingOptions { TopK = 100, TopP = 0.8f, Temperature = 0.8f };
        var expected = new float[logits.Length];
        SoftmaxSampling.Probabilities(logits, options, expected);
        SoftmaxSampling.Probabilities(logits, options, logits);
        Assert.Equal(expected, logits);
    }

    [Fact]
    public void DefaultOptions_AreNeutral()
    {
        SamplingOptions neutral = default;
        Assert.Equal(1f, neutral.Temperature);
        Assert.Equal(1f, neutral.TopP);
        Assert.Equal(1f, neutral.RepetitionPenalty);
        Assert.Equal(0, neutral.TopK);
        Assert.Equal(0f, neutral.MinP);
        float[] logits = [0.5f, 3f, -1f, 2f, 2f];
        var probabilities = new float[5];
        var softmax = new float[5];
        Assert.Equal(5, SoftmaxSampling.Probabilities(logits, neutral, probabilities, history: [1, 1]));
        SoftmaxPrimitives.Softmax(logits, softmax, 5);
        for (int i = 0; i < 5; i++)
            Assert.Equal(softmax[i], probabilities[i], 6);
    }

    [Fact]
    public void BadOptions_ThrowWhenSet()
    {
        void Check(string name, Func<SamplingOptions> make) =>
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => make()).ParamName);

        Check("Temperature", () => new SamplingOptions { Temperature = -0.5f });
        Check("Temperature", () => new SamplingOptions { Temperature = float.NaN });
        Check("Temperature", () => new SamplingOptions { Temperature = float.PositiveInfinity });
        Check("TopK", () => new SamplingOptions { TopK = -1 });
        Check("TopP", () => new SamplingOptions { TopP = 0 });
        Check("TopP", () => new SamplingOptions { TopP = 1.5f });
        Check("TopP", () => new SamplingOptions { TopP = float.NaN });
        Check("MinP", () => new SamplingOptions { MinP = -0.1f });
        Check("MinP", () => new SamplingOptions { MinP = 1.01f });
        Check("MinP", () => new SamplingOptions { MinP = float.NaN });
        Check("RepetitionPenalty", () => new SamplingOptions { RepetitionPenalty = 0 });
        Check("RepetitionPenalty", () => new SamplingOptions { RepetitionPenalty = -1.2f });
        Check("RepetitionPenalty", () => new SamplingOptions { RepetitionPenalty = float.NaN });
        Check("PresencePenalty", () => new SamplingOptions { PresencePenalty = float.NaN });
        Check("FrequencyPenalty", () => new SamplingOptions { FrequencyPenalty = float.NegativeInfinity });
        Check("Precision", () => new SamplingOptions { Precision = (SoftmaxPrecision)7 });
        Assert.Contains("1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 1.5f }).Message);
    }

    [Fact]
    public void BadArguments_ThrowAndWriteNothing()
    {
        float[] logits = [1f, 2f, 3f, 4f, 5f, 6f];
        float[] original = (float[])logits.Clone();
        var probabilities = new float[6];
        var scratch = new float[SoftmaxSampling.ScratchLength(6)];

        void Check<TException>(string parameter, Func<int> call)
            where TException : ArgumentException
        {
            Array.Fill(probabilities, 7f);
            Assert.Equal(parameter, Assert.Throws<TException>(() => call()).ParamName);
            Assert.All(probabilities, p => Assert.Equal(7f, p));
            Assert.Equal(original, logits);
        }

        SamplingOptions plain = default;
        Check<ArgumentOutOfRangeException>("options", () => SoftmaxSampling.Sample(logits, new SamplingOptions { TopK = 7 }, 0.5));
        Check<ArgumentOutOfRangeException>("options", () => SoftmaxSampling.Probabilities(logits, new SamplingOptions { TopK = 7 }, probabilities));
        Check<ArgumentOutOfRangeException>("history", () => SoftmaxSampling.Probabilities(logits, plain, probabilities, history: [0, 6]));
        Check<ArgumentOutOfRangeException>("history", () => SoftmaxSampling.Sample(logits, plain, 0.5, history: [-1]));
        Check<ArgumentOutOfRangeException>("options", () => SoftmaxSampling.Probabilities(logits, plain with { LogitBias = new[] { new LogitBias(6, 1f) } }, probabilities));
        Check<ArgumentOutOfRangeException>("options", () => SoftmaxSampling.Probabilities(logits, plain with { LogitBias = new[] { new LogitBias(1, float.NaN) } }, probabilities));
        Check<ArgumentOutOfRangeException>("options", () => SoftmaxSampling.Probabilities(logits, plain with { LogitBias = new[] { new LogitBias(1, float.PositiveInfinity) } }, probabilities));
        Check<ArgumentOutOfRangeException>("options", () => SoftmaxSampling.Probabilities(logits, plain with { BannedTokens = new[] { 2, -3 } }, probabilities));
        Check<ArgumentOutOfRangeException>("uniform", () => SoftmaxSampling.Sample(logits, plain, 1.0));
        Check<ArgumentOutOfRangeException>("uniform", () => SoftmaxSampling.Sample(logits, plain, -0.01));
        Check<ArgumentOutOfRangeException>("uniform", () => SoftmaxSampling.Sample(logits, plain, double.NaN));
        Check<ArgumentNullException>("random", () => SoftmaxSampling.Sample(logits, plain, (Random)null!));
        Check<ArgumentException>("scratch", () => SoftmaxSampling.Probabilities(logits, plain, probabilities, scratch: new float[29]));
        Check<ArgumentException>("probabilities", () => SoftmaxSampling.Probabilities(logits, plain, probabilities.AsSpan(0, 5)));
        Check<ArgumentException>("logits", () => SoftmaxSampling.Sample(ReadOnlySpan<float>.Empty, plain, 0.5));
        Check<ArgumentException>("logits", () => SoftmaxSampling.Probabilities(logits, plain with { BannedTokens = new[] { 0, 1, 2, 3, 4, 5 } }, probabilities, scratch: scratch));
        Check<ArgumentException>("logits", () => SoftmaxSampling.Probabilities([float.NegativeInfinity, float.NegativeInfinity], plain, probabilities));

        // The scratch may not share memory with the logits, and the output may not partly overlap them.
        var shared = new float[40];
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() => SoftmaxSampling.Sample(shared.AsSpan(0, 6), plain, 0.5, scratch: shared.AsSpan(5, 30))).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => SoftmaxSampling.Probabilities(shared.AsSpan(0, 6), plain, shared.AsSpan(1, 6))).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() => SoftmaxSampling.Probabilities(logits, plain, shared.AsSpan(0, 6), scratch: shared.AsSpan(5, 30))).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() => SoftmaxSampling.Sample(
            logits, new SamplingOptions { RepetitionPenalty = 2 }, 0.5, history: System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(shared.AsSpan(0, 1)), scratch: shared.AsSpan(0, 30))).ParamName);

        // NaN and +inf logits, also when a bias or penalty made them.
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            float[] row = [0f, 1f, bad, 2f];
            var error = Assert.Throws<ArgumentException>(() => SoftmaxSampling.Sample(row, plain, 0.5));
            Assert.Equal("logits", error.ParamName);
            Assert.Contains("class 2", error.Message);
            Assert.Equal("logits", Assert.Throws<ArgumentException>(() => SoftmaxSampling.Sample(row, new SamplingOptions { Temperature = 0 }, 0.5)).ParamName);
        }

        Assert.Equal("logits", Assert.Throws<ArgumentException>(() =>
            SoftmaxSampling.Sample([3e38f, 0f], new SamplingOptions { FrequencyPenalty = -3e38f }, 0.5, history: [0, 0])).ParamName);

        // A refused call does not advance the generator.
        var random = new Random(11);
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxSampling.Sample(logits, new SamplingOptions { TopK = 9 }, random));
        Assert.Equal(new Random(11).NextDouble(), random.NextDouble());
    }

    [Fact]
    public void Calls_DoNotAllocate()
    {
        float[] logits = VocabularyRow("zipf", 32_000);
        var scratch = new float[SoftmaxSampling.ScratchLength(logits.Length)];
        var probabilities = new float[logits.Length];
        int[] history = [5, 17, 5, 900];
        LogitBias[] bias = [new(3, 1f)];
        var random = new Random(1);
        SamplingOptions[] all =
        [
            default,
            new() { Temperature = 0 },
            new() { TopK = 50, TopP = 0.9f, MinP = 0.01f, Temperature = 0.8f, RepetitionPenalty = 1.2f, PresencePenalty = 0.3f, LogitBias = bias, BannedTokens = new[] { 7 } },
            new() { TopP = 0.95f, Precision = SoftmaxPrecision.Fast },
        ];
        foreach (SamplingOptions options in all)
        {
            foreach (bool pooled in new[] { false, true })
            {
                Func<long>[] calls =
                [
                    () => Measure(() => SoftmaxSampling.Sample(logits, options, 0.3, history, pooled ? default : scratch)),
                    () => Measure(() => SoftmaxSampling.Sample(logits, options, random, history, pooled ? default : scratch)),
                    () => Measure(() => SoftmaxSampling.Probabilities(logits, options, probabilities, history, pooled ? default : scratch)),
                ];
                foreach (Func<long> call in calls)
                {
                    call(); // warm-up: JIT, the pool
                    long[] bytes = [call(), call(), call()];
                    Assert.True(bytes.Min() == 0, $"allocated {string.Join(", ", bytes)} bytes (pooled: {pooled})");
                }
            }
        }
    }

    private static long Measure(Func<int> call)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Zipf-like (logit 6 - 1.1 ln(rank), ranks shuffled) or N(0, 3^2) logits, fixed seed.</summary>
    internal static float[] VocabularyRow(string distribution, int classes)
    {
        var rng = new Random(classes + distribution.Length);
        if (distribution == "zipf")
        {
            int[] ranks = Enumerable.Range(1, classes).ToArray();
            rng.Shuffle(ranks);
            return ranks.Select(r => (float)(6 - (1.1 * Math.Log(r)))).ToArray();
        }

        return Enumerable.Range(0, classes).Select(_ => (float)(3 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
    }

    /// <summary>The filters in float64 with a full sort (logit descending, index ascending).</summary>
    private static double[] Reference(float[] logits, float temperature, int topK, float topP, float minP)
    {
        int n = logits.Length;
        double max = logits.Max();
        double[] e = logits.Select(x => Math.Exp(((double)x - max) / temperature)).ToArray();
        int[] order = Enumerable.Range(0, n).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();
        var keep = new bool[n];
        int count = topK > 0 ? topK : n;
        double kMass = 0;
        for (int r = 0; r < count; r++)
            kMass += e[order[r]];
        double before = 0;
        for (int r = 0; r < count; r++)
        {
            int i = order[r];
            if (topP < 1 && before >= topP * kMass)
                break;
            if (e[i] >= minP)
                keep[i] = true;
            before += e[i];
        }

        double kept = Enumerable.Range(0, n).Where(i => keep[i]).Sum(i => e[i]);
        return Enumerable.Range(0, n).Select(i => keep[i] ? e[i] / kept : 0).ToArray();
    }
}
