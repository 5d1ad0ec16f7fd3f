using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <content>
/// The loss family with PyTorch's and Keras' semantics: cross-entropy with class weights, ignored targets and label
/// smoothing, probability targets, the fused loss-and-gradient for training, NLL, Keras' cross-entropy from
/// probabilities, and the backward passes of softmax and log-softmax.
/// </content>
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The cross-entropy loss of logits against class-index targets, reduced over the rows, as
    /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=..., label_smoothing=labelSmoothing)</c>
    /// or Keras' <c>SparseCategoricalCrossentropy(from_logits=True)</c>.
    /// </summary>
    /// <remarks>
    /// <para>With <c>lp = log_softmax(logits)</c>, w the class weights (all 1 when empty), eps the smoothing and C the class
    /// count, row r with target t contributes <c>(1 - eps) * w[t] * -lp[r, t] + eps / C * sum_j w[j] * -lp[r, j]</c>, exactly
    /// PyTorch 1.13's formula. The mean divides the sum over the counted rows by the sum of <c>w[targets[r]]</c> over those
    /// rows (their number without weights), the smoothing term included, as PyTorch does. A row whose target is
    /// <paramref name="ignoreIndex"/> counts for nothing; if every row is ignored the mean is NaN (0 / 0), as in PyTorch.
    /// As in PyTorch, a weight enters only through the rows that target its class unless <paramref name="labelSmoothing"/>
    /// is above 0 (the smoothing term is not formed at 0); then every weight enters every counted row, and a NaN or
    /// infinite weight makes the loss NaN or infinite.</para>
    /// <para>Without options (no weights, no smoothing, no ignored row) this is the plain kernel, which a generated kernel for
    /// the class count runs when one exists.</para>
    /// </remarks>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN for zero counted rows, as PyTorch) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): rows with this target count for nothing.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1]: the target becomes <c>(1 - eps) one_hot + eps / C</c>.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is outside <c>[0, classes)</c> and is not <paramref name="ignoreIndex"/> (the message names the row and the value), <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, <paramref name="targets"/> does not hold one value per row, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SoftmaxFallback.CrossEntropyChecked(useRegistry: true, logits, targets, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyChecked(useRegistry: true, logits, targets, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy loss of each row against its class-index target, as
    /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction='none', label_smoothing=labelSmoothing)</c>:
    /// <c>losses[r] = (1 - eps) * w[t] * -lp[r, t] + eps / C * sum_j w[j] * -lp[r, j]</c> with <c>t = targets[r]</c>, and 0 for an ignored row.
    /// As in PyTorch, a weight enters only through the rows that target its class unless <paramref name="labelSmoothing"/> is above 0.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="losses">Receives one loss per row; must not overlap <paramref name="logits"/> or <paramref name="classWeights"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): rows with this target get loss 0.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is outside <c>[0, classes)</c> and is not <paramref name="ignoreIndex"/> (the message names the row and the value), or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, <paramref name="targets"/> does not hold one value per row, <paramref name="classWeights"/> has the wrong length, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int classes, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyChecked(useRegistry: true, logits, targets, losses, classes, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int classes, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyChecked(useRegistry: true, logits, targets, losses, classes, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy loss (as <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>)
    /// and its gradient with respect to the logits, in one call: what PyTorch's autograd gives for
    /// <c>F.cross_entropy(logits, targets, ...).backward()</c>.
    /// </summary>
    /// <remarks>
    /// With p the softmax of a counted row, t its target, W the sum of the class weights and s the reduction's scale
    /// (1 for sum; for mean, 1 over the summed weight of the counted rows):
    /// <c>logitsGradient[r, j] = s * ((1 - eps) * w[t] * (p[j] - [j == t]) + eps / C * (W * p[j] - w[j]))</c>, which is
    /// <c>s * (p[j] - [j == t])</c> without options. Ignored rows get a zero gradient. As in PyTorch, a weight enters only
    /// through the rows that target its class unless <paramref name="labelSmoothing"/> is above 0 (the terms in W and
    /// w[j] are not formed at 0); with smoothing, a NaN or infinite weight makes every row's gradient NaN or infinite,
    /// ignored rows included (PyTorch's autograd multiplies their zero gradient by every weight). If the counted rows weigh
    /// 0 in total, the mean is infinite or NaN, and so is the gradient of the counted rows, as in PyTorch.
    /// </remarks>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits, <c>rows x classes</c>; may be the same memory as <paramref name="logits"/> (in place) but may not partly overlap it.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum; the gradient is that of the reduced loss.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, <paramref name="logitsGradient"/> is too short, partly overlaps <paramref name="logits"/>, or overlaps <paramref name="targets"/> or <paramref name="classWeights"/> (compared by bytes, whatever the element types).</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyWithGradient(SoftmaxKernelRegistry.Find(classes, precision), logits, targets, logitsGradient, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyWithGradient(SoftmaxKernelRegistry.Find(classes, precision), logits, targets, logitsGradient, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of logits against target probabilities, reduced over the rows, as
    /// <c>F.cross_entropy(logits, targetProbabilities, label_smoothing=labelSmoothing)</c> with probability targets, or
    /// TensorFlow's <c>softmax_cross_entropy_with_logits</c> / Keras' <c>CategoricalCrossentropy(from_logits=True)</c>:
    /// row r contributes <c>-sum_j t'[r, j] * log_softmax(logits)[r, j]</c> with <c>t' = (1 - eps) * t + eps / C</c>.
    /// </summary>
    /// <remarks>The targets are used as given (PyTorch does not check that rows sum to 1). The mean divides by the number
    /// of rows. As in PyTorch, a target of 0 on a logit of -inf gives NaN (0 * -inf).</remarks>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targetProbabilities">Row-major <c>rows x classes</c> target probabilities.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN for zero rows) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="targetProbabilities"/> is not as long as <paramref name="logits"/>.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropy(logits, targetProbabilities, classes, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropy(logits, targetProbabilities, classes, reduction, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each row against its target probabilities, as
    /// <c>F.cross_entropy(logits, targetProbabilities, reduction='none', label_smoothing=labelSmoothing)</c>:
    /// <c>losses[r] = -sum_j t'[r, j] * log_softmax(logits)[r, j]</c> with <c>t' = (1 - eps) * t + eps / C</c>.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targetProbabilities">Row-major <c>rows x classes</c> target probabilities.</param>
    /// <param name="losses">Receives one loss per row; must not overlap either input.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> losses, int classes, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropy(logits, targetProbabilities, losses, classes, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> losses, int classes, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropy(logits, targetProbabilities, losses, classes, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy against target probabilities (as <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>)
    /// and its gradient with respect to the logits in one fused pass per row, as PyTorch's autograd gives it:
    /// <c>logitsGradient[r, j] = s * (p[r, j] * sum_k t'[r, k] - t'[r, j])</c>, s = 1 / rows for the mean and 1 for the sum.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targetProbabilities">Row-major <c>rows x classes</c> target probabilities.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/> but must not overlap <paramref name="targetProbabilities"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyWithGradient(logits, targetProbabilities, logitsGradient, classes, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SoftmaxFallback.CrossEntropyWithGradient(logits, targetProbabilities, logitsGradient, classes, reduction, labelSmoothing, precision);

    /// <summary>
    /// The negative log-likelihood loss of log-probabilities against class targets, as
    /// <c>F.nll_loss(logProbabilities, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=...)</c>:
    /// row r contributes <c>-w[t] * logProbabilities[r, t]</c>; the mean divides by the sum of <c>w[t]</c> over the counted rows.
    /// As in PyTorch, a weight enters only through the rows that target its class, and a sum of 0 gives an infinite or NaN mean.
    /// </summary>
    /// <param name="logProbabilities">Row-major <c>rows x classes</c> log-probabilities (e.g. from <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>).</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN when no row counts) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is out of range, or <paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public static float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => SoftmaxFallback.NllLoss(logProbabilities, targets, classes, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static double NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => SoftmaxFallback.NllLoss(logProbabilities, targets, classes, reduction, classWeights, ignoreIndex);

    /// <summary>
    /// Keras' <c>categorical_crossentropy(y_true, y_pred, from_logits=False)</c> (the default
    /// <c>CategoricalCrossentropy()</c> loss) of predicted probabilities against target probabilities.
    /// </summary>
    /// <remarks>
    /// As Keras computes it: each row of <paramref name="probabilities"/> is first divided by its sum, then clipped to
    /// <c>[epsilon, 1 - epsilon]</c> (Keras' <c>backend.epsilon()</c> is 1e-7), and row r contributes
    /// <c>-sum_j targetProbabilities[r, j] * log(p[r, j])</c>. The mean is over the rows (Keras' default
    /// <c>sum_over_batch_size</c>). Prefer <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    /// on logits when you have them: it needs no clipping and is exact.
    /// </remarks>
    /// <param name="probabilities">Row-major <c>rows x classes</c> predicted probabilities (e.g. softmax outputs).</param>
    /// <param name="targetProbabilities">Row-major <c>rows x classes</c> target probabilities (one-hot or soft).</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN for zero rows) or sum.</param>
    /// <param name="epsilon">The clipping bound, in [0, 0.5]; Keras' default 1e-7.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="reduction"/> is not defined, or <paramref name="epsilon"/> is not in [0, 0.5].</exception>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public static float CrossEntropyFromProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, float epsilon = 1e-7f)
        => SoftmaxFallback.CrossEntropyFromProbabilities(probabilities, targetProbabilities, classes, reduction, epsilon);

    /// <inheritdoc cref="CrossEntropyFromProbabilities(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float)"/>
    public static double CrossEntropyFromProbabilities(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, double epsilon = 1e-7)
        => SoftmaxFallback.CrossEntropyFromProbabilities(probabilities, targetProbabilities, classes, reduction, epsilon);

    /// <summary>
    /// Keras' <c>sparse_categorical_crossentropy(y_true, y_pred, from_logits=False)</c> (the default
    /// <c>SparseCategoricalCrossentropy()</c> loss) of predicted probabilities against class-index targets.
    /// </summary>
    /// <remarks>
    /// The same formula as the categorical form with a one-hot target: row r contributes <c>-log(p[r, targets[r]])</c>,
    /// where p is the row divided by its sum and clipped to <c>[epsilon, 1 - epsilon]</c> — what Keras 3's JAX, NumPy
    /// and PyTorch backends compute. (Keras' TensorFlow backend divides by the row sum after clipping rather than before;
    /// the two differ only where clipping changes a value of a row that sums to 1.)
    /// </remarks>
    /// <param name="probabilities">Row-major <c>rows x classes</c> predicted probabilities.</param>
    /// <param name="targets">One class index per row, each in <c>[0, classes)</c>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN for zero rows) or sum.</param>
    /// <param name="epsilon">The clipping bound, in [0, 0.5]; Keras' default 1e-7.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, a target is outside <c>[0, classes)</c>, <paramref name="reduction"/> is not defined, or <paramref name="epsilon"/> is not in [0, 0.5].</exception>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public static float CrossEntropyFromProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, float epsilon = 1e-7f)
        => SoftmaxFallback.CrossEntropyFromProbabilities(probabilities, targets, classes, reduction, epsilon);

    /// <inheritdoc cref="CrossEntropyFromProbabilities(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, float)"/>
    public static double CrossEntropyFromProbabilities(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, double epsilon = 1e-7)
        => SoftmaxFallback.CrossEntropyFromProbabilities(probabilities, targets, classes, reduction, epsilon);

    /// <summary>
    /// The backward pass of softmax used on its own (attention, distillation): given the softmax outputs y and the
    /// gradient g of a loss with respect to them, <c>inputGradient[r, j] = y[r, j] * (g[r, j] - sum_k g[r, k] * y[r, k])</c>,
    /// what PyTorch's autograd gives for <c>F.softmax(x, dim=1)</c>.
    /// </summary>
    /// <param name="probabilities">Row-major <c>rows x classes</c> softmax outputs.</param>
    /// <param name="outputGradient">dLoss/dProbabilities, as long as <paramref name="probabilities"/>.</param>
    /// <param name="inputGradient">Receives dLoss/dLogits; may be the same memory as either input, but may not partly overlap one.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="inputGradient"/> is too short or partly overlaps an input.</exception>
    public static void SoftmaxGradient(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int classes)
        => SoftmaxFallback.SoftmaxGradient(probabilities, outputGradient, inputGradient, classes);

    /// <inheritdoc cref="SoftmaxGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
    public static void SoftmaxGradient(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int classes)
        => SoftmaxFallback.SoftmaxGradient(probabilities, outputGradient, inputGradient, classes);

    /// <summary>
    /// The backward pass of log-softmax used on its own: given the log-softmax outputs y and the gradient g of a loss
    /// with respect to them, <c>inputGradient[r, j] = g[r, j] - exp(y[r, j]) * sum_k g[r, k]</c>, what PyTorch's autograd
    /// gives for <c>F.log_softmax(x, dim=1)</c>.
    /// </summary>
    /// <param name="logProbabilities">Row-major <c>rows x classes</c> log-softmax outputs (each at most 0).</param>
    /// <param name="outputGradient">dLoss/dLogProbabilities, as long as <paramref name="logProbabilities"/>.</param>
    /// <param name="inputGradient">Receives dLoss/dLogits; may be the same memory as either input, but may not partly overlap one.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="inputGradient"/> is too short or partly overlaps an input.</exception>
    public static void LogSoftmaxGradient(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int classes)
        => SoftmaxFallback.LogSoftmaxGradient(logProbabilities, outputGradient, inputGradient, classes);

    /// <inheritdoc cref="LogSoftmaxGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
    public static void LogSoftmaxGradient(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int classes)
        => SoftmaxFallback.LogSoftmaxGradient(logProbabilities, outputGradient, inputGradient, classes);
}
