using System;

namespace SoftmaxGen.DecodingSample;

/// <summary>
/// A stand-in for a language model's last layer: one row of next-token logits over a vocabulary, Zipf-distributed
/// (logit 6 - 1.1 ln(rank), ranks shuffled by a seed, as a trained model's unigram statistics roughly are), and nudged
/// by the previous token so that consecutive steps differ. Deterministic for a seed.
/// </summary>
public sealed class ToyLanguageModel
{
    /// <summary>Qwen2's vocabulary size.</summary>
    public const int DefaultVocabulary = 151_936;

    private const int Nudged = 64;
    private readonly float[] _unigram;
    private readonly int[] _neighbours;

    /// <summary>Makes the model.</summary>
    /// <param name="vocabulary">The number of tokens, at least <c>64</c>.</param>
    /// <param name="seed">The seed of the ranks and of each token's neighbours.</param>
    public ToyLanguageModel(int vocabulary = DefaultVocabulary, int seed = 2026)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, Nudged);
        var random = new Random(seed);
        int[] ranks = new int[vocabulary];
        for (int i = 0; i < vocabulary; i++)
            ranks[i] = i + 1;
        random.Shuffle(ranks);
        _unigram = new float[vocabulary];
        for (int i = 0; i < vocabulary; i++)
            _unigram[i] = (float)(6 - 1.1 * Math.Log(ranks[i]));
        _neighbours = new int[vocabulary];
        for (int i = 0; i < vocabulary; i++)
            _neighbours[i] = random.Next(vocabulary);
    }

    /// <summary>The vocabulary size.</summary>
    public int Vocabulary => _unigram.Length;

    /// <summary>
    /// Writes the logits of the token after <paramref name="previous"/>: the unigram logits, with 3 added to the 64
    /// tokens that follow <paramref name="previous"/>'s neighbour (cyclically), the way a context raises a few tokens.
    /// </summary>
    /// <param name="previous">The previous token, in [0, <see cref="Vocabulary"/>).</param>
    /// <param name="logits">Receives <see cref="Vocabulary"/> logits.</param>
    public void NextLogits(int previous, Span<float> logits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(previous);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(previous, Vocabulary);
        if (logits.Length != Vocabulary)
            throw new ArgumentException($"logits has {logits.Length} values; the vocabulary has {Vocabulary}.", nameof(logits));
        _unigram.CopyTo(logits);
        int start = _neighbours[previous];
        for (int k = 0; k < Nudged; k++)
            logits[(start + k) % Vocabulary] += 3f;
    }
}
