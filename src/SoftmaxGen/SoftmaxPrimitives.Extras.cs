using SoftmaxGen.Kernels;

namespace SoftmaxGen;

// Softmax over a middle axis (NCHW), top-k, and two classes as the sigmoid with PyTorch's binary cross-entropies.
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The softmax over the middle axis of <c>[outer, classes, innerSize]</c> data, as <c>F.softmax(x, dim=1)</c> on an
    /// NCHW tensor (<c>outer</c> = N, <c>innerSize</c> = H x W) or <c>nn.Softmax2d</c>: for every outer index o and
    /// position i, <c>output[o, j, i] = exp(input[o, j, i]) / sum_c exp(input[o, c, i])</c>.
    /// </summary>
    /// <remarks>
    /// Vectorised across the positions: a vector holds adjacent positions of one class, so nothing is transposed.
    /// The same stability and accuracy as the row form (within 4 ULP for outputs of at least 1e-30); with
    /// <paramref name="innerSize"/> = 1 it is the row form, <see cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </remarks>
    /// <param name="input">Row-major <c>outer x classes x innerSize</c> values.</param>
    /// <param name="output">Receives the probabilities in the same layout. May be the same memory as <paramref name="input"/> (in place), but may not partly overlap it.</param>
    /// <param name="classes">The size of the class axis (C), at least 1.</param>
    /// <param name="innerSize">The number of positions after the class axis (H x W), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="input"/> is not a multiple of <c>classes x innerSize</c>; <paramref name="output"/> is shorter than <paramref name="input"/> or partly overlaps it.</exception>
    public static void Softmax(ReadOnlySpan<float> input, Span<float> output, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisChecked(input, output, classes, innerSize, log: false, precision);

    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void Softmax(ReadOnlySpan<double> input, Span<double> output, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisChecked(input, output, classes, innerSize, log: false, precision);

    private static void AxisChecked<T>(ReadOnlySpan<T> input, Span<T> output, int classes, int innerSize, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = SoftmaxGuard.AxisOuter(input.Length, classes, innerSize, nameof(input));
        SoftmaxGuard.SameShapeOutput(input, output, nameof(input), nameof(output));
        SoftmaxGuard.Precision(precision);
        if (innerSize == 1)
            RowsChecked(input, output, classes, log ? "logProbabilities" : "probabilities", log, precision);
        else
            SoftmaxFallback.AxisCore(input, output, outer, classes, innerSize, log, precision);
    }

    /// <summary>
    /// The log-softmax over the middle axis of <c>[outer, classes, innerSize]</c> data, as <c>F.log_softmax(x, dim=1)</c>
    /// on an NCHW tensor: <c>output[o, j, i] = input[o, j, i] - log(sum_c exp(input[o, c, i]))</c>.
    /// </summary>
    /// <remarks>
    /// Vectorised across the positions; within 4 ULP of max(|result|, 1); with <paramref name="innerSize"/> = 1 it is
    /// the row form, <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </remarks>
    /// <param name="input">Row-major <c>outer x classes x innerSize</c> values.</param>
    /// <param name="output">Receives the log-probabilities in the same layout. May be the same memory as <paramref name="input"/>, but may not partly overlap it.</param>
    /// <param name="classes">The size of the class axis (C), at least 1.</param>
    /// <param name="innerSize">The number of positions after the class axis (H x W), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="input"/> is not a multiple of <c>classes x innerSize</c>; <paramref name="output"/> is shorter than <paramref name="input"/> or partly overlaps it.</exception>
    public static void LogSoftmax(ReadOnlySpan<float> input, Span<float> output, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisChecked(input, output, classes, innerSize, log: true, precision);

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>
    public static void LogSoftmax(ReadOnlySpan<double> input, Span<double> output, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AxisChecked(input, output, classes, innerSize, log: true, precision);

    /// <summary>
    /// The k most probable classes of each row, most probable first, with their softmax probabilities, as
    /// <c>torch.topk(F.softmax(logits, dim=1), k, dim=1)</c> or <c>tf.math.top_k</c>, without writing the full softmax.
    /// </summary>
    /// <remarks>
    /// Classes are ranked by logit, which is the order of their probabilities (two different logits can round to the
    /// same probability; the larger logit still comes first). Equal logits: the lower class index first (torch.topk
    /// promises no order for ties). A NaN logit ranks above every number, as in torch.topk; its row's probabilities are
    /// NaN, as softmax's. The probabilities are the values <see cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    /// computes, with the same accuracy. Cost per row: one pass over the logits selecting into a heap of k entries
    /// (O(classes log k)) and one vectorised pass summing the exponentials.
    /// </remarks>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="k">The number of classes per row, from 1 to <paramref name="classes"/>.</param>
    /// <param name="indices">Receives row-major <c>rows x k</c> class indices.</param>
    /// <param name="probabilities">Receives row-major <c>rows x k</c> probabilities; must not overlap <paramref name="logits"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision">The precision of the probabilities: <see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="k"/> is below 1 or above <paramref name="classes"/>, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="indices"/> or <paramref name="probabilities"/> is shorter than <c>rows x k</c> or overlaps an input.</exception>
    public static void TopK(ReadOnlySpan<float> logits, int k, Span<int> indices, Span<float> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.TopKDispatched(logits, k, indices, probabilities, classes, precision);

    /// <inheritdoc cref="TopK(ReadOnlySpan{float}, int, Span{int}, Span{float}, int, SoftmaxPrecision)"/>
    public static void TopK(ReadOnlySpan<double> logits, int k, Span<int> indices, Span<double> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.TopKDispatched(logits, k, indices, probabilities, classes, precision);

    /// <summary>
    /// The logistic sigmoid of each value, <c>1 / (1 + exp(-x))</c>, as <c>torch.sigmoid</c> or Keras' <c>sigmoid</c>:
    /// the softmax of two classes with logits <c>[x, 0]</c>.
    /// </summary>
    /// <remarks>Computed from <c>exp(-|x|)</c>, so no input overflows: within 3 ULP for every finite input; ±inf give 1 and 0; NaN gives NaN.</remarks>
    /// <param name="logits">The logits, any length.</param>
    /// <param name="probabilities">Receives one probability per logit. May be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <exception cref="ArgumentException"><paramref name="probabilities"/> is shorter than <paramref name="logits"/> or partly overlaps it.</exception>
    public static void Sigmoid(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        SoftmaxGuard.SameShapeOutput(logits, probabilities, nameof(logits), nameof(probabilities));
        BinaryKernels.Sigmoid(logits, probabilities);
    }

    /// <inheritdoc cref="Sigmoid(ReadOnlySpan{float}, Span{float})"/>
    public static void Sigmoid(ReadOnlySpan<double> logits, Span<double> probabilities)
    {
        SoftmaxGuard.SameShapeOutput(logits, probabilities, nameof(logits), nameof(probabilities));
        BinaryKernels.Sigmoid(logits, probabilities);
    }

    /// <summary>
    /// The binary cross-entropy of probabilities against targets, as PyTorch's <c>F.binary_cross_entropy</c>
    /// (<c>nn.BCELoss</c>) or Keras' <c>binary_crossentropy</c> on probabilities: each element's loss is
    /// <c>-(t log(p) + (1 - t) log(1 - p))</c> with each logarithm clamped at -100 as PyTorch does (so p = 0 or 1 give a
    /// finite loss of at most 100), reduced over all elements.
    /// </summary>
    /// <remarks>Prefer <see cref="BinaryCrossEntropyWithLogits(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction, float)"/> when the probabilities come from a sigmoid: it is exact where this one saturates. Each element is computed in double.</remarks>
    /// <param name="probabilities">Probabilities in [0, 1], any length.</param>
    /// <param name="targets">One target per probability, usually 0 or 1 (soft targets in between are allowed, as in PyTorch).</param>
    /// <param name="reduction">Mean over the elements (the default; NaN for none, as PyTorch) or sum.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A probability is outside [0, 1] or NaN (PyTorch: "all elements of input should be between 0 and 1"; the message names the index and value), or <paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException"><paramref name="targets"/> does not hold one value per probability.</exception>
    public static float BinaryCrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, LossReduction reduction = LossReduction.Mean)
    {
        SoftmaxGuard.ElementTargets(probabilities.Length, targets.Length, nameof(probabilities));
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.UnitInterval(probabilities);
        return (float)SoftmaxGuard.Reduce(BinaryKernels.BinaryCrossEntropy(probabilities, targets), probabilities.Length, reduction);
    }

    /// <inheritdoc cref="BinaryCrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction)"/>
    public static double BinaryCrossEntropy(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> targets, LossReduction reduction = LossReduction.Mean)
    {
        SoftmaxGuard.ElementTargets(probabilities.Length, targets.Length, nameof(probabilities));
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.UnitInterval(probabilities);
        return SoftmaxGuard.Reduce(BinaryKernels.BinaryCrossEntropy(probabilities, targets), probabilities.Length, reduction);
    }

    /// <summary>
    /// The binary cross-entropy of logits against targets, as PyTorch's <c>F.binary_cross_entropy_with_logits</c>
    /// (<c>nn.BCEWithLogitsLoss</c>) or Keras' <c>BinaryCrossentropy(from_logits=True)</c>: the loss of
    /// <c>sigmoid(x)</c> computed in the stable form <c>(1 - t) x + (1 + (w - 1) t) (max(-x, 0) + log(1 + exp(-|x|)))</c>,
    /// which is PyTorch's formula with <c>pos_weight</c> = w. Exact for logits of any size (no clamp is needed).
    /// </summary>
    /// <param name="logits">The logits, any length.</param>
    /// <param name="targets">One target per logit, usually 0 or 1 (soft targets in between are allowed).</param>
    /// <param name="reduction">Mean over the elements (the default; NaN for none, as PyTorch) or sum.</param>
    /// <param name="positiveWeight">PyTorch's <c>pos_weight</c> as one number for every element: the weight of the positive term (above 1 raises recall, below 1 precision). 1 by default.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException"><paramref name="targets"/> does not hold one value per logit.</exception>
    public static float BinaryCrossEntropyWithLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, LossReduction reduction = LossReduction.Mean, float positiveWeight = 1)
    {
        SoftmaxGuard.ElementTargets(logits.Length, targets.Length, nameof(logits));
        SoftmaxGuard.Reduction(reduction);
        return (float)SoftmaxGuard.Reduce(BinaryKernels.BinaryCrossEntropyWithLogits(logits, targets, positiveWeight), logits.Length, reduction);
    }

    /// <inheritdoc cref="BinaryCrossEntropyWithLogits(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction, float)"/>
    public static double BinaryCrossEntropyWithLogits(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, LossReduction reduction = LossReduction.Mean, double positiveWeight = 1)
    {
        SoftmaxGuard.ElementTargets(logits.Length, targets.Length, nameof(logits));
        SoftmaxGuard.Reduction(reduction);
        return SoftmaxGuard.Reduce(BinaryKernels.BinaryCrossEntropyWithLogits(logits, targets, positiveWeight), logits.Length, reduction);
    }
}
