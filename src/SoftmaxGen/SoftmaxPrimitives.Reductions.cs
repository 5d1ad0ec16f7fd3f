using SoftmaxGen.Kernels;

namespace SoftmaxGen;

// Reductions of the softmax distribution of each row: entropy and Kullback-Leibler divergence.
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The entropy of each row's softmax, as <c>torch.distributions.Categorical(logits=x).entropy()</c>:
    /// <c>H = -sum_i p_i log p_i = logsumexp(x) - sum_i p_i x_i</c>, in nats.
    /// </summary>
    /// <remarks>
    /// Computed as <c>ln(s) + (1/s) sum e^(x - max) (max - x)</c> with <c>s = sum e^(x - max)</c>: two sums of non-negative
    /// terms, accumulated in double per block, so long rows keep their accuracy. A logit of -inf contributes 0 (PyTorch
    /// clamps it to the lowest finite value); a row with a NaN, with +inf, or of only -inf gives NaN.
    /// </remarks>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="entropies">Receives one entropy per row; must not overlap <paramref name="logits"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="entropies"/> is shorter than the number of rows or overlaps <paramref name="logits"/>.</exception>
    public static void Entropy(ReadOnlySpan<float> logits, Span<float> entropies, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => EntropyChecked(logits, entropies, [], classes, precision, gradient: false);

    /// <inheritdoc cref="Entropy(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void Entropy(ReadOnlySpan<double> logits, Span<double> entropies, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => EntropyChecked(logits, entropies, [], classes, precision, gradient: false);

    /// <summary>
    /// The entropy of each row's softmax (see <see cref="Entropy(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>)
    /// and its gradient with respect to the row's logits, <c>dH/dx_j = -p_j (log p_j + H)</c>: what an entropy bonus or
    /// penalty in a training loop needs (scale it by the bonus's weight).
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="entropies">Receives one entropy per row; must not overlap <paramref name="logits"/> or <paramref name="logitsGradient"/>.</param>
    /// <param name="logitsGradient">Receives one value per logit. May be the same memory as <paramref name="logits"/> (in place), but may not partly overlap it.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="entropies"/> is shorter than the number of rows or overlaps another span; <paramref name="logitsGradient"/> is shorter than <paramref name="logits"/> or partly overlaps it.</exception>
    public static void EntropyWithGradient(ReadOnlySpan<float> logits, Span<float> entropies, Span<float> logitsGradient, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => EntropyChecked(logits, entropies, logitsGradient, classes, precision, gradient: true);

    /// <inheritdoc cref="EntropyWithGradient(ReadOnlySpan{float}, Span{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void EntropyWithGradient(ReadOnlySpan<double> logits, Span<double> entropies, Span<double> logitsGradient, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => EntropyChecked(logits, entropies, logitsGradient, classes, precision, gradient: true);

    private static void EntropyChecked<T>(ReadOnlySpan<T> logits, Span<T> entropies, Span<T> logitsGradient, int classes, SoftmaxPrecision precision, bool gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.PerRowOutput(logits, entropies, rows, nameof(logits), nameof(entropies));
        if (gradient)
        {
            SoftmaxGuard.SameShapeOutput(logits, logitsGradient, nameof(logits), nameof(logitsGradient));
            SoftmaxGuard.Disjoint<T, T>(entropies, logitsGradient, nameof(entropies), nameof(logitsGradient));
            logitsGradient = logitsGradient[..logits.Length];
        }

        SoftmaxGuard.Precision(precision);
        ReductionKernels.Entropy(logits, entropies, logitsGradient, classes, precision);
    }

    /// <summary>
    /// The Kullback-Leibler divergence loss of PyTorch's <c>F.kl_div(input, target, reduction, log_target)</c>
    /// (<c>nn.KLDivLoss</c>): <paramref name="input"/> holds log-probabilities (a log-softmax's output), and each
    /// element's loss is <c>t (log t - input)</c>, 0 where t = 0, or with <paramref name="logTarget"/>
    /// <c>e^t (t - input)</c> for log-probability targets; reduced over all elements.
    /// </summary>
    /// <remarks>
    /// PyTorch's formula <c>xlogy(t, t) - t input</c>, each element in double: a target of 0 against an input of -inf is
    /// NaN there too, a negative target gives NaN. <see cref="LossReduction.Mean"/> divides by the number of elements
    /// (PyTorch's <c>'mean'</c>); <see cref="LossReduction.BatchMean"/> by the rows, which is the divergence's
    /// mathematical mean per distribution. For <c>reduction='none'</c>, use the overload with a losses span.
    /// </remarks>
    /// <param name="input">Row-major <c>rows x classes</c> log-probabilities.</param>
    /// <param name="target">The targets, one per input value: probabilities, or log-probabilities with <paramref name="logTarget"/>.</param>
    /// <param name="classes">The row length, at least 1 (<see cref="LossReduction.BatchMean"/> divides by the rows).</param>
    /// <param name="reduction"><see cref="LossReduction.Mean"/> (the default), <see cref="LossReduction.Sum"/> or <see cref="LossReduction.BatchMean"/>.</param>
    /// <param name="logTarget">Whether <paramref name="target"/> holds log-probabilities (PyTorch's <c>log_target</c>).</param>
    /// <returns>The reduced loss (NaN for a mean of no elements, as PyTorch).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="input"/> is not a multiple of <paramref name="classes"/>, or <paramref name="target"/> does not hold one value per input value.</exception>
    public static float KlDivergence(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int classes, LossReduction reduction = LossReduction.Mean, bool logTarget = false)
        => (float)KlChecked(input, target, [], [], classes, reduction, logTarget);

    /// <inheritdoc cref="KlDivergence(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, bool)"/>
    public static double KlDivergence(ReadOnlySpan<double> input, ReadOnlySpan<double> target, int classes, LossReduction reduction = LossReduction.Mean, bool logTarget = false)
        => KlChecked(input, target, [], [], classes, reduction, logTarget);

    /// <summary>
    /// The Kullback-Leibler divergence loss of each element, as <c>F.kl_div(input, target, reduction='none',
    /// log_target=logTarget)</c>; see <see cref="KlDivergence(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, bool)"/>.
    /// </summary>
    /// <param name="input">Log-probabilities, any length.</param>
    /// <param name="target">The targets, one per input value.</param>
    /// <param name="losses">Receives one loss per input value. May be the same memory as <paramref name="input"/> or <paramref name="target"/>, but may not partly overlap either.</param>
    /// <param name="logTarget">Whether <paramref name="target"/> holds log-probabilities.</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not hold one value per input value, or <paramref name="losses"/> is shorter than <paramref name="input"/> or partly overlaps an input.</exception>
    public static void KlDivergence(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> losses, bool logTarget = false)
        => KlPerElementChecked(input, target, losses, logTarget);

    /// <inheritdoc cref="KlDivergence(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>
    public static void KlDivergence(ReadOnlySpan<double> input, ReadOnlySpan<double> target, Span<double> losses, bool logTarget = false)
        => KlPerElementChecked(input, target, losses, logTarget);

    /// <summary>
    /// The reduced Kullback-Leibler divergence loss (see <see cref="KlDivergence(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, bool)"/>)
    /// and its gradient with respect to <paramref name="input"/>, as autograd gives it: <c>-t</c> (or <c>-e^t</c> with
    /// <paramref name="logTarget"/>) times 1 for <see cref="LossReduction.Sum"/>, 1/elements for
    /// <see cref="LossReduction.Mean"/>, 1/rows for <see cref="LossReduction.BatchMean"/>.
    /// </summary>
    /// <param name="input">Row-major <c>rows x classes</c> log-probabilities.</param>
    /// <param name="target">The targets, one per input value.</param>
    /// <param name="inputGradient">Receives one value per input value. May be the same memory as <paramref name="input"/> or <paramref name="target"/>, but may not partly overlap either.</param>
    /// <param name="classes">The row length, at least 1.</param>
    /// <param name="reduction"><see cref="LossReduction.Mean"/> (the default), <see cref="LossReduction.Sum"/> or <see cref="LossReduction.BatchMean"/>.</param>
    /// <param name="logTarget">Whether <paramref name="target"/> holds log-probabilities.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="input"/> is not a multiple of <paramref name="classes"/>; <paramref name="target"/> does not hold one value per input value; <paramref name="inputGradient"/> is shorter than <paramref name="input"/> or partly overlaps an input.</exception>
    public static float KlDivergenceWithGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGradient, int classes, LossReduction reduction = LossReduction.Mean, bool logTarget = false)
        => (float)KlChecked(input, target, inputGradient, [], classes, reduction, logTarget, gradient: true);

    /// <inheritdoc cref="KlDivergenceWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, LossReduction, bool)"/>
    public static double KlDivergenceWithGradient(ReadOnlySpan<double> input, ReadOnlySpan<double> target, Span<double> inputGradient, int classes, LossReduction reduction = LossReduction.Mean, bool logTarget = false)
        => KlChecked(input, target, inputGradient, [], classes, reduction, logTarget, gradient: true);

    private static double KlChecked<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> target, Span<T> inputGradient, Span<T> losses, int classes, LossReduction reduction, bool logTarget, bool gradient = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(input.Length, classes, nameof(input));
        SoftmaxGuard.SameShapeInput(input, target, nameof(input), nameof(target));
        SoftmaxGuard.ReductionOrBatchMean(reduction);
        if (gradient)
        {
            SoftmaxGuard.SameShapeOutput(input, inputGradient, nameof(input), nameof(inputGradient));
            SoftmaxGuard.SameShapeOutput(target, inputGradient, nameof(target), nameof(inputGradient));
            inputGradient = inputGradient[..input.Length];
        }

        double divisor = reduction switch
        {
            LossReduction.Sum => 1,
            LossReduction.BatchMean => rows,
            _ => input.Length,
        };
        return ReductionKernels.KlDivergence(input, target, losses, inputGradient, logTarget, 1 / divisor) / divisor;
    }

    private static void KlPerElementChecked<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> target, Span<T> losses, bool logTarget)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.SameShapeInput(input, target, nameof(input), nameof(target));
        SoftmaxGuard.SameShapeOutput(input, losses, nameof(input), nameof(losses));
        SoftmaxGuard.SameShapeOutput(target, losses, nameof(target), nameof(losses));
        ReductionKernels.KlDivergence(input, target, losses[..input.Length], [], logTarget, 1);
    }
}
