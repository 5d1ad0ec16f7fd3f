namespace SoftmaxGen;

/// <summary>
/// How <see cref="SoftmaxSampling"/> turns a row of logits into the distribution it samples from, in the order
/// Hugging Face's <c>generate</c> applies its logits processors: repetition, frequency and presence penalties (from the
/// token history), logit bias and banned tokens, temperature, then top-k, top-p and min-p.
/// </summary>
/// <remarks>
/// <para><c>default(SamplingOptions)</c> (or <c>new SamplingOptions()</c>) changes nothing: temperature 1, no filter,
/// no penalty, so sampling draws from the plain softmax. Each property checks its value when it is set
/// (<see cref="ArgumentOutOfRangeException"/> naming the property and the value); what depends on the vocabulary
/// (<see cref="TopK"/> at most the class count, token indices inside it) is checked by each call.</para>
/// <para>The options are a small immutable value: build them once per request and pass them to every call.</para>
/// </remarks>
public readonly struct SamplingOptions
{
    // Properties whose neutral value is not 0 are stored with a flag, so that default(SamplingOptions) is neutral.
    private const byte TemperatureSet = 1, TopPSet = 2, RepetitionPenaltySet = 4;

    private readonly byte _set;
    private readonly float _temperature;
    private readonly float _topP;
    private readonly float _repetitionPenalty;

    /// <summary>
    /// The softmax temperature: the processed logits are divided by it (Hugging Face's <c>TemperatureLogitsWarper</c>).
    /// 1 (the default) leaves them; below 1 sharpens, above 1 flattens; 0 is greedy decoding: sampling returns the
    /// index of the largest processed logit (the first on ties, as <c>torch.argmax</c>) and the filters are not applied.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public float Temperature
    {
        get => (_set & TemperatureSet) != 0 ? _temperature : 1f;
        init
        {
            if (!(value >= 0) || float.IsPositiveInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(Temperature), value, $"Temperature is {value}; it must be finite and at least 0 (0 is greedy decoding).");
            _temperature = value;
            _set |= TemperatureSet;
        }
    }

    /// <summary>
    /// Top-k: keep the <c>TopK</c> classes with the largest logits and renormalise over them. Equal logits at the
    /// boundary: the lower class index is kept, so exactly <c>TopK</c> classes remain (as <c>torch.topk</c> then
    /// <c>scatter</c>; Hugging Face's <c>TopKLogitsWarper</c> keeps every class equal to the k-th). 0 (the default)
    /// keeps all; each call requires it to be at most the class count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TopK
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(TopK), value, $"TopK is {value}; it must be at least 0 (0 keeps every class).");
    }

    /// <summary>
    /// Top-p (nucleus): keep the smallest set of most probable classes whose probability (after top-k) reaches
    /// <c>TopP</c>, i.e. every class whose more probable predecessors hold less than <c>TopP</c> (Hugging Face's
    /// <c>TopPLogitsWarper</c>); classes are ranked by logit, equal logits by lower index first. At least one class
    /// remains. 1 (the default) keeps all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1].</exception>
    public float TopP
    {
        get => (_set & TopPSet) != 0 ? _topP : 1f;
        init
        {
            if (!(value > 0 && value <= 1))
                throw new ArgumentOutOfRangeException(nameof(TopP), value, $"TopP is {value}; it must be in (0, 1] (1 keeps every class).");
            _topP = value;
            _set |= TopPSet;
        }
    }

    /// <summary>
    /// Min-p: keep the classes whose probability is at least <c>MinP</c> times the largest probability (Hugging Face's
    /// <c>MinPLogitsWarper</c>), applied after top-p; the most probable class always remains. 0 (the default) keeps all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1].</exception>
    public float MinP
    {
        get;
        init => field = value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinP), value, $"MinP is {value}; it must be in [0, 1] (0 keeps every class).");
    }

    /// <summary>
    /// The repetition penalty of Hugging Face's <c>RepetitionPenaltyLogitsProcessor</c> (Keskar et al. 2019): the logit of
    /// every class that occurs in the history (once, however often it occurs) is divided by it if positive and
    /// multiplied by it if negative. 1 (the default) changes nothing; above 1 discourages repetition.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite and above 0.</exception>
    public float RepetitionPenalty
    {
        get => (_set & RepetitionPenaltySet) != 0 ? _repetitionPenalty : 1f;
        init
        {
            if (!(value > 0) || float.IsPositiveInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), value, $"RepetitionPenalty is {value}; it must be finite and above 0 (1 changes nothing).");
            _repetitionPenalty = value;
            _set |= RepetitionPenaltySet;
        }
    }

    /// <summary>
    /// OpenAI's presence penalty: subtracted once from the logit of every class that occurs in the history (after the
    /// repetition penalty). 0 (the default) changes nothing; positive values discourage repetition, negative ones
    /// encourage it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is infinite or NaN.</exception>
    public float PresencePenalty
    {
        get;
        init => field = float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(PresencePenalty), value, $"PresencePenalty is {value}; it must be finite.");
    }

    /// <summary>
    /// OpenAI's frequency penalty: subtracted from the logit of each class as many times as the class occurs in the
    /// history (after the repetition penalty). 0 (the default) changes nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is infinite or NaN.</exception>
    public float FrequencyPenalty
    {
        get;
        init => field = float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), value, $"FrequencyPenalty is {value}; it must be finite.");
    }

    /// <summary>
    /// Values added to the logits of some classes after the penalties (OpenAI's <c>logit_bias</c>); a class listed
    /// twice gets both. Each call checks that every class index is inside the vocabulary and every bias is a number
    /// below +infinity (-infinity bans the class). Empty by default.
    /// </summary>
    public ReadOnlyMemory<LogitBias> LogitBias { get; init; }

    /// <summary>
    /// Classes that are never sampled: their logits become -infinity after the bias (Hugging Face's
    /// <c>SuppressTokensLogitsProcessor</c>). Each call checks that every index is inside the vocabulary. Empty by default.
    /// </summary>
    public ReadOnlyMemory<int> BannedTokens { get; init; }

    /// <summary>The exponential used for the probabilities: <see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not defined.</exception>
    public SoftmaxPrecision Precision
    {
        get;
        init => field = (uint)value <= (uint)SoftmaxPrecision.Fast ? value : throw new ArgumentOutOfRangeException(nameof(Precision), value, $"Precision must be SoftmaxPrecision.Exact or SoftmaxPrecision.Fast; it was {(int)value}.");
    }

    /// <summary>Whether top-k, top-p or min-p removes anything for a row of <paramref name="classes"/> classes.</summary>
    internal bool Filters(int classes) => (TopK > 0 && TopK < classes) || TopP < 1 || MinP > 0;

    /// <summary>Whether any penalty reads the history.</summary>
    internal bool Penalises => RepetitionPenalty != 1 || PresencePenalty != 0 || FrequencyPenalty != 0;
}

/// <summary>A value added to the logit of one class before sampling (see <see cref="SamplingOptions.LogitBias"/>).</summary>
/// <param name="token">The class index.</param>
/// <param name="bias">The value added to its logit; -infinity bans the class.</param>
public readonly struct LogitBias(int token, float bias)
{
    /// <summary>The class index.</summary>
    public int Token { get; } = token;

    /// <summary>The value added to its logit; -infinity bans the class.</summary>
    public float Bias { get; } = bias;
}
