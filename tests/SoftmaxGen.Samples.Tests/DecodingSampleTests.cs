using System;
using System.Collections.Generic;
using System.Linq;
using SoftmaxGen.DecodingSample;
using Xunit;

namespace SoftmaxGen.Samples.Tests;

/// <summary>
/// The decoding sample against references computed here from the model's logits: the argmax by a plain loop, top-k and
/// top-p by a full sort in double.
/// </summary>
public sealed class DecodingSampleTests
{
    private const int Vocabulary = 32_000;
    private static readonly ToyLanguageModel s_model = new(Vocabulary, seed: 7);

    [Fact]
    public void TheSameSeedGivesTheSameTokens()
    {
        var options = new SamplingOptions { Temperature = 0.8f, TopP = 0.95f };
        int[] first = Decoder.Generate(s_model, options, start: 3, count: 40, seed: 11);
        int[] again = Decoder.Generate(s_model, options, start: 3, count: 40, seed: 11);
        int[] other = Decoder.Generate(s_model, options, start: 3, count: 40, seed: 12);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 5, $"40 tokens at temperature 0.8 took only {first.Distinct().Count()} distinct values.");
    }

    [Fact]
    public void GreedyTakesTheLargestLogit()
    {
        int[] tokens = Decoder.Generate(s_model, new SamplingOptions { Temperature = 0 }, start: 5, count: 10, seed: 1);
        float[] logits = new float[Vocabulary];
        int previous = 5;
        foreach (int token in tokens)
        {
            s_model.NextLogits(previous, logits);
            int best = 0;
            for (int i = 1; i < logits.Length; i++)
            {
                if (logits[i] > logits[best])
                    best = i;
            }

            Assert.Equal(best, token);
            previous = token;
        }
    }

    [Fact]
    public void TopKTokensAreAmongTheKLargestLogits()
    {
        const int k = 20;
        int[] tokens = Decoder.Generate(s_model, new SamplingOptions { TopK = k }, start: 9, count: 60, seed: 3);
        AssertEachStep(tokens, 9, (logits, token) => Assert.Contains(token, SortedByProbability(logits).Take(k)));
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void TopPTokensLieInTheNucleus(float topP)
    {
        int[] tokens = Decoder.Generate(s_model, new SamplingOptions { TopP = topP }, start: 2, count: 60, seed: 5);
        AssertEachStep(tokens, 2, (logits, token) => Assert.Contains(token, Nucleus(logits, topP)));
    }

    [Fact]
    public void TheSortedTopPStepDrawsFromTheNucleusByTheUniformValue()
    {
        float[] logits = new float[Vocabulary], probabilities = new float[Vocabulary];
        int[] order = new int[Vocabulary];
        s_model.NextLogits(4, logits);
        HashSet<int> nucleus = Nucleus(logits, 0.9f);
        int[] ranked = SortedByProbability(logits);
        Assert.Equal(ranked[0], Decoder.SortedTopP(logits, 0.9f, 0.0, probabilities, order));
        for (double u = 0.05; u < 1; u += 0.1)
            Assert.Contains(Decoder.SortedTopP(logits, 0.9f, u, probabilities, order), nucleus);
    }

    [Fact]
    public void TheModelRefusesAnOutOfRangeToken()
    {
        float[] logits = new float[Vocabulary];
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => s_model.NextLogits(Vocabulary, logits));
        Assert.Equal("previous", exception.ParamName);
    }

    private static void AssertEachStep(int[] tokens, int start, Action<float[], int> check)
    {
        float[] logits = new float[Vocabulary];
        int previous = start;
        foreach (int token in tokens)
        {
            s_model.NextLogits(previous, logits);
            check(logits, token);
            previous = token;
        }
    }

    // Classes by descending logit, ties by index (the sampler's order).
    private static int[] SortedByProbability(float[] logits) =>
        Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();

    // The classes whose preceding mass (in that order, softmax in double) is below p, with 1e-6 of slack at the cut
    // for float rounding.
    private static HashSet<int> Nucleus(float[] logits, float topP)
    {
        double max = logits.Max();
        double[] e = logits.Select(x => Math.Exp(x - max)).ToArray();
        double sum = e.Sum();
        var kept = new HashSet<int>();
        double before = 0;
        foreach (int i in SortedByProbability(logits))
        {
            if (before >= topP + 1e-6)
                break;
            kept.Add(i);
            before += e[i] / sum;
        }

        return kept;
    }
}
