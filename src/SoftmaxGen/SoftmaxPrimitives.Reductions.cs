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
}
