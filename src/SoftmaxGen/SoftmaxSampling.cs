using System.Buffers;
using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <summary>
/// Decoding samplers for a language model's next-token logits: temperature (0 = greedy), top-k, top-p (nucleus),
/// min-p, logit bias, banned tokens, and repetition, presence and frequency penalties from the token history, applied
/// in the order of Hugging Face's <c>generate</c> (see <see cref="SamplingOptions"/>); then a draw from the filtered,
/// renormalised distribution, or that distribution itself.
/// </summary>
/// <remarks>
/// <para>No full sort of the vocabulary: the maximum, the exponentials and their sum are vectorised passes (the
/// exponential of <see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>);
/// the filters count the classes and their probability above a few levels in one more pass and look one by one only
/// at the classes above the level that bounds the kept set, where a radix select on the logits' bits finds the cuts.
/// Classes are ranked by processed logit, equal logits by lower class index, so every result is deterministic.</para>
/// <para>The caller's logits are never written. The work space is caller memory (the <c>scratch</c> argument) of
/// <see cref="ScratchLength"/> floats, or, when the scratch argument is empty, an array rented from
/// <see cref="ArrayPool{T}.Shared"/> and returned before the call ends. Neither allocates once the pool is warm.</para>
/// <para>Bad input (a NaN or +infinity logit after processing, every class -infinity or banned, an index outside the
/// vocabulary, a top-k above the class count, a scratch span too short, a uniform value outside [0, 1)) is an
/// <see cref="ArgumentException"/> naming the parameter and the value, thrown before any output is written.</para>
/// </remarks>
public static class SoftmaxSampling
{
    /// <summary>The number of floats of scratch memory a call needs for a row of <paramref name="classes"/> classes: 5 x classes.</summary>
    /// <param name="classes">The vocabulary size, at least 1.</param>
    /// <returns>The scratch length.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or so large that the scratch would not fit in an array.</exception>
    public static int ScratchLength(int classes)
    {
        long length = SamplingKernels.ScratchLength(classes);
        if (classes < 1 || length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"classes is {classes}; it must be in [1, {Array.MaxLength / 5}].");
        return (int)length;
    }

    /// <summary>
    /// Draws one class from the distribution <paramref name="options"/> make of <paramref name="logits"/>, given a
    /// uniform value: the kept class at which the cumulative probability, in class-index order, first exceeds
    /// <paramref name="uniform"/> (inverse transform sampling). With <see cref="SamplingOptions.Temperature"/> 0, the
    /// index of the largest processed logit (greedy decoding).
    /// </summary>
    /// <param name="logits">One row of logits, one per class (the vocabulary). Not written.</param>
    /// <param name="options">Temperature, filters, penalties, bias and banned classes.</param>
    /// <param name="uniform">A value in [0, 1), e.g. <see cref="Random.NextDouble"/>.</param>
    /// <param name="history">The tokens generated (and, as the caller chooses, prompted) so far, for the penalties; each in [0, classes).</param>
    /// <param name="scratch">Empty (a pooled array is used) or at least <see cref="ScratchLength"/> floats, sharing no memory with the other arguments.</param>
    /// <returns>The class index drawn.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="uniform"/> is not in [0, 1); a history index, a bias or banned class, or <see cref="SamplingOptions.TopK"/> is outside the vocabulary; a bias is NaN or +infinity.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty, holds NaN or +infinity after processing, or is -infinity or banned everywhere; <paramref name="scratch"/> is too short or overlaps another argument.</exception>
    public static int Sample(ReadOnlySpan<float> logits, in SamplingOptions options, double uniform, ReadOnlySpan<int> history = default, Span<float> scratch = default)
    {
        Validate(logits, options, history, scratch, default);
        CheckUniform(uniform);
        return Run(logits, options, history, scratch, default, SamplingMode.Sample, uniform);
    }

    /// <summary>
    /// Draws one class as <see cref="Sample(ReadOnlySpan{float}, in SamplingOptions, double, ReadOnlySpan{int}, Span{float})"/>
    /// with <paramref name="random"/>'s next <see cref="Random.NextDouble"/>: a <see cref="Random"/> made with a seed gives
    /// the same sequence of draws for the same logits. The generator is not advanced when the arguments are refused.
    /// </summary>
    /// <param name="logits">One row of logits, one per class. Not written.</param>
    /// <param name="options">Temperature, filters, penalties, bias and banned classes.</param>
    /// <param name="random">The source of the uniform value (one <see cref="Random.NextDouble"/> per call, also when greedy).</param>
    /// <param name="history">The tokens so far, for the penalties; each in [0, classes).</param>
    /// <param name="scratch">Empty (pooled) or at least <see cref="ScratchLength"/> floats.</param>
    /// <returns>The class index drawn.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index or <see cref="SamplingOptions.TopK"/> is outside the vocabulary, or a bias is NaN or +infinity.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty, holds NaN or +infinity after processing, or is -infinity or banned everywhere; <paramref name="scratch"/> is too short or overlaps another argument.</exception>
    public static int Sample(ReadOnlySpan<float> logits, in SamplingOptions options, Random random, ReadOnlySpan<int> history = default, Span<float> scratch = default)
    {
        ArgumentNullException.ThrowIfNull(random);
        Validate(logits, options, history, scratch, default);
        return Run(logits, options, history, scratch, default, SamplingMode.Sample, random.NextDouble());
    }

    /// <summary>
    /// The distribution <see cref="Sample(ReadOnlySpan{float}, in SamplingOptions, double, ReadOnlySpan{int}, Span{float})"/>
    /// draws from: after the penalties, bias, banned classes and temperature, the softmax of the classes top-k, top-p
    /// and min-p keep, renormalised over them, and 0 for the others (as <c>F.softmax</c> of Hugging Face's filtered
    /// scores). With temperature 0, 1 for the greedy class and 0 elsewhere.
    /// </summary>
    /// <param name="logits">One row of logits, one per class. Not written unless it is <paramref name="probabilities"/> itself.</param>
    /// <param name="options">Temperature, filters, penalties, bias and banned classes.</param>
    /// <param name="probabilities">Receives one probability per class. May be the same memory as <paramref name="logits"/> (in place), but may not partly overlap it.</param>
    /// <param name="history">The tokens so far, for the penalties; each in [0, classes).</param>
    /// <param name="scratch">Empty (pooled) or at least <see cref="ScratchLength"/> floats.</param>
    /// <returns>The number of classes kept (nonzero probability unless a kept logit is -infinity).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index or <see cref="SamplingOptions.TopK"/> is outside the vocabulary, or a bias is NaN or +infinity.</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty, holds NaN or +infinity after processing, or is -infinity or banned everywhere; <paramref name="probabilities"/> is shorter than <paramref name="logits"/> or partly overlaps it; <paramref name="scratch"/> is too short or overlaps another argument.</exception>
    public static int Probabilities(ReadOnlySpan<float> logits, in SamplingOptions options, Span<float> probabilities, ReadOnlySpan<int> history = default, Span<float> scratch = default)
    {
        SoftmaxGuard.SameShapeOutput(logits, probabilities, nameof(logits), nameof(probabilities));
        SoftmaxGuard.Disjoint<float, int>(probabilities, history, nameof(probabilities), nameof(history));
        SoftmaxGuard.Disjoint<float, LogitBias>(probabilities, options.LogitBias.Span, nameof(probabilities), "options.LogitBias");
        SoftmaxGuard.Disjoint<float, int>(probabilities, options.BannedTokens.Span, nameof(probabilities), "options.BannedTokens");
        Validate(logits, options, history, scratch, probabilities);
        return Run(logits, options, history, scratch, probabilities, SamplingMode.Probabilities, 0);
    }

    private static void CheckUniform(double uniform)
    {
        if (!(uniform >= 0 && uniform < 1))
            throw new ArgumentOutOfRangeException(nameof(uniform), uniform, $"uniform is {uniform}; it must be in [0, 1).");
    }

    private static void Validate(ReadOnlySpan<float> logits, in SamplingOptions options, ReadOnlySpan<int> history, Span<float> scratch, Span<float> probabilities)
    {
        int classes = logits.Length;
        if (classes == 0)
            throw new ArgumentException("logits is empty: a row needs at least one class.", nameof(logits));
        if (options.TopK > classes)
            throw new ArgumentOutOfRangeException(nameof(options), options.TopK, $"options.TopK is {options.TopK}; it must be at most the class count, {classes} (0 keeps every class).");

        for (int i = 0; i < history.Length; i++)
        {
            if ((uint)history[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(history), history[i], $"history[{i}] is {history[i]}, outside the vocabulary [0, {classes}).");
        }

        ReadOnlySpan<LogitBias> bias = options.LogitBias.Span;
        for (int i = 0; i < bias.Length; i++)
        {
            if ((uint)bias[i].Token >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(options), bias[i].Token, $"options.LogitBias[{i}].Token is {bias[i].Token}, outside the vocabulary [0, {classes}).");
            if (!(bias[i].Bias < float.PositiveInfinity))
                throw new ArgumentOutOfRangeException(nameof(options), bias[i].Bias, $"options.LogitBias[{i}].Bias is {bias[i].Bias}; it must be a number below +infinity (-infinity bans the class).");
        }

        ReadOnlySpan<int> banned = options.BannedTokens.Span;
        for (int i = 0; i < banned.Length; i++)
        {
            if ((uint)banned[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(options), banned[i], $"options.BannedTokens[{i}] is {banned[i]}, outside the vocabulary [0, {classes}).");
        }

        if (!scratch.IsEmpty)
        {
            long needed = SamplingKernels.ScratchLength(classes);
            if (scratch.Length < needed)
                throw new ArgumentException($"scratch.Length is {scratch.Length}; a row of {classes} classes needs at least {needed} (SoftmaxSampling.ScratchLength), or pass an empty span to use a pooled array.", nameof(scratch));
            SoftmaxGuard.Disjoint<float, float>(scratch, logits, nameof(scratch), nameof(logits));
            SoftmaxGuard.Disjoint<float, int>(scratch, history, nameof(scratch), nameof(history));
            SoftmaxGuard.Disjoint<float, float>(scratch, probabilities, nameof(scratch), nameof(probabilities));
            SoftmaxGuard.Disjoint<float, LogitBias>(scratch, bias, nameof(scratch), "options.LogitBias");
            SoftmaxGuard.Disjoint<float, int>(scratch, banned, nameof(scratch), "options.BannedTokens");
        }
        else if (SamplingKernels.ScratchLength(classes) > Array.MaxLength)
        {
            throw new ArgumentException($"logits has {classes} classes; the pooled scratch would exceed the largest array.", nameof(logits));
        }
    }

    private static int Run(ReadOnlySpan<float> logits, in SamplingOptions options, ReadOnlySpan<int> history, Span<float> scratch, Span<float> probabilities, SamplingMode mode, double uniform)
    {
        int classes = logits.Length;
        float[]? rented = null;
        if (scratch.IsEmpty)
        {
            rented = ArrayPool<float>.Shared.Rent((int)SamplingKernels.ScratchLength(classes));
            scratch = rented;
        }

        try
        {
            // Layout: 64-bit keys (2 x classes), z, e^(z - max), candidate indices (first the history counts).
            var state = new SamplingState
            {
                Keys = MemoryMarshal.Cast<float, ulong>(scratch.Slice(0, 2 * classes)),
                Z = scratch.Slice(2 * classes, classes),
                W = scratch.Slice(3 * classes, classes),
                Candidates = MemoryMarshal.Cast<float, int>(scratch.Slice(4 * classes, classes)),
                Probabilities = probabilities,
                Mode = mode,
                Temperature = options.Temperature,
                TopK = options.TopK,
                TopP = options.TopP,
                MinP = options.MinP,
                Uniform = uniform,
            };

            Process(logits, options, history, state.Z, state.Candidates);
            var operation = new SamplingOperation { State = state };
            VectorDispatch.ByLayout<SamplingOperation, float, bool>(ref operation, classes, options.Precision, LayoutRule.Rows);
            if (operation.State.BadIndex >= 0)
            {
                int i = operation.State.BadIndex;
                throw new ArgumentException($"The logit of class {i} is {logits[i]} ({operation.State.Z[i]} after the penalties and bias): a row to sample from must not hold NaN or +infinity.", nameof(logits));
            }

            if (operation.State.Index < 0)
                throw new ArgumentException($"Every one of the {classes} classes is -infinity or banned: there is nothing to sample.", nameof(logits));
            return operation.State.Index;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// z = the logits with Hugging Face's repetition penalty, then OpenAI's frequency and presence penalties (each
    /// class of the history once, with its count), then the logit bias and the banned classes.
    /// </summary>
    private static void Process(ReadOnlySpan<float> logits, in SamplingOptions options, ReadOnlySpan<int> history, Span<float> z, Span<int> counts)
    {
        logits.CopyTo(z);
        if (options.Penalises && !history.IsEmpty)
        {
            // Counts in the candidates' space: only the entries the history touches are reset and read.
            foreach (int token in history)
                counts[token] = 0;
            foreach (int token in history)
                counts[token]++;

            float repetition = options.RepetitionPenalty, frequency = options.FrequencyPenalty, presence = options.PresencePenalty;
            foreach (int token in history)
            {
                int count = counts[token];
                if (count == 0)
                    continue; // already penalised
                counts[token] = 0;
                float x = z[token];
                if (repetition != 1)
                    x = x < 0 ? x * repetition : x / repetition;
                z[token] = x - (count * frequency) - presence;
            }
        }

        foreach (LogitBias bias in options.LogitBias.Span)
            z[bias.Token] += bias.Bias;
        foreach (int token in options.BannedTokens.Span)
            z[token] = float.NegativeInfinity;
    }

    /// <summary>The sampling kernel at the widest vector no longer than the row.</summary>
    private ref struct SamplingOperation : ILayoutOperation<bool>
    {
        public SamplingState State;

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            SamplingKernels.Run<TOps, TVec, T>(ref State);
            return true;
        }
    }
}
