using System;

namespace SoftmaxGen.DecodingSample;

/// <summary>A decoding loop: the model's logits, then one <see cref="SoftmaxSampling.Sample(ReadOnlySpan{float}, in SamplingOptions, Random, ReadOnlySpan{int}, Span{float})"/> per token.</summary>
public static class Decoder
{
    /// <summary>
    /// Generates <paramref name="count"/> tokens after <paramref name="start"/>. The history the penalties see is every
    /// token so far (the start included). Nothing is allocated per token: the logits, the history and the sampler's
    /// scratch are allocated once.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The sampler.</param>
    /// <param name="start">The first token (the "prompt").</param>
    /// <param name="count">How many tokens to generate.</param>
    /// <param name="seed">The seed of the draws: the same seed gives the same tokens.</param>
    /// <returns>The generated tokens, without the start.</returns>
    public static int[] Generate(ToyLanguageModel model, in SamplingOptions options, int start, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        float[] logits = new float[model.Vocabulary];
        float[] scratch = new float[SoftmaxSampling.ScratchLength(model.Vocabulary)];
        int[] history = new int[count + 1];
        history[0] = start;
        for (int t = 0; t < count; t++)
        {
            model.NextLogits(history[t], logits);
            history[t + 1] = SoftmaxSampling.Sample(logits, options, random, history.AsSpan(0, t + 1), scratch);
        }

        return history[1..];
    }

    /// <summary>
    /// The usual hand-written top-p step, for comparison: the whole softmax, a full sort of the vocabulary by
    /// probability, the cumulative sum up to <paramref name="topP"/>, a draw among the kept tokens.
    /// </summary>
    /// <param name="logits">One row of logits.</param>
    /// <param name="topP">The nucleus mass, in (0, 1].</param>
    /// <param name="uniform">A uniform value in [0, 1).</param>
    /// <param name="probabilities">Scratch of the row's length.</param>
    /// <param name="order">Scratch of the row's length.</param>
    /// <returns>The token drawn.</returns>
    public static int SortedTopP(ReadOnlySpan<float> logits, float topP, double uniform, Span<float> probabilities, Span<int> order)
    {
        SoftmaxPrimitives.Softmax(logits, probabilities, logits.Length);
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        // Descending by probability, ties by index: negate for Array.Sort's ascending order.
        for (int i = 0; i < probabilities.Length; i++)
            probabilities[i] = -probabilities[i];
        probabilities.Sort(order);
        double mass = 0;
        int kept = 0;
        while (kept < order.Length && mass < topP)
            mass += -probabilities[kept++];
        double target = uniform * mass, cumulative = 0;
        for (int i = 0; i < kept; i++)
        {
            cumulative += -probabilities[i];
            if (cumulative > target)
                return order[i];
        }

        return order[kept - 1];
    }
}
