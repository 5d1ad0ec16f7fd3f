using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <content>
/// The loss family on K-dimensional input, as PyTorch's <c>F.cross_entropy</c> and <c>F.nll_loss</c> (and ONNX
/// SoftmaxCrossEntropyLoss / NegativeLogLikelihoodLoss) take it: logits <c>[N, C, d1, ..., dk]</c> with the classes on
/// axis 1, given as <c>classes</c> = C and <c>innerSize</c> = d1 x ... x dk, and targets <c>[N, d1, ..., dk]</c>.
/// </content>
public static partial class SoftmaxPrimitives
{

    /// <summary>
    /// The cross-entropy of K-dimensional logits against class-index targets, reduced over every position, as
    /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=..., label_smoothing=labelSmoothing)</c>
    /// with logits <c>[N, C, d1..dk]</c> and targets <c>[N, d1..dk]</c>.
    /// </summary>
    /// <remarks>
    /// <para>Position (n, i) is the row <c>logits[n, :, i]</c> of the row form
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>,
    /// with the same formula, options and accuracy, and PyTorch's rule for the mean: the sum over the counted positions
    /// divided by their summed weight <c>sum w[targets[n, i]]</c> (their number without weights); every position ignored
    /// gives NaN. <paramref name="innerSize"/> = 1 is the row form.</para>
    /// <para>The positions are transposed a block at a time into rows and run by the row kernels; for
    /// <paramref name="innerSize"/> above 1 (or long targets) the call rents its block buffers from
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/> (about max(8192, 16 x classes) values, a second one for
    /// probability targets, block-many ints for long targets) and returns them, so it allocates nothing once the pool
    /// holds them.</para>
    /// </remarks>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position (<c>N x innerSize</c>), each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default; over the counted positions, weighted) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target count for nothing.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is outside <c>[0, classes)</c> and is not <paramref name="ignoreIndex"/> (the message names its flat index and value), <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, <paramref name="targets"/> does not hold one value per position, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SpatialCrossEntropy(logits, targets, [], [], [], perPosition: false, withGradient: false, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SpatialCrossEntropy(logits, [], targets, [], [], perPosition: false, withGradient: false, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, targets, [], [], [], perPosition: false, withGradient: false, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<long> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, [], targets, [], [], perPosition: false, withGradient: false, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each position of K-dimensional logits against its class-index target, as
    /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction='none', label_smoothing=labelSmoothing)</c>:
    /// losses <c>[N, d1..dk]</c>, 0 where the target is <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <remarks>See <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>.</remarks>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position (<c>N x innerSize</c>), each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="losses">Receives <c>N x innerSize</c> losses in position order; must not overlap an input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target count for nothing.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is outside <c>[0, classes)</c> and is not <paramref name="ignoreIndex"/> (the message names its flat index and value), <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, <paramref name="targets"/> does not hold one value per position, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, targets, [], losses, [], perPosition: true, withGradient: false, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, [], targets, losses, [], perPosition: true, withGradient: false, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int classes, int innerSize, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, targets, [], losses, [], perPosition: true, withGradient: false, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<long> targets, Span<double> losses, int classes, int innerSize, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, [], targets, losses, [], perPosition: true, withGradient: false, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional logits (as <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>) and its
    /// gradient with respect to the logits, in one call: what PyTorch's autograd gives for
    /// <c>F.cross_entropy(logits, targets, ...).backward()</c> on <c>[N, C, d1..dk]</c> logits.
    /// </summary>
    /// <remarks>Each position's gradient is the row form's
    /// (<see cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>)
    /// for its row <c>logits[n, :, i]</c>, with the whole batch's mean scale; ignored positions get 0.</remarks>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position (<c>N x innerSize</c>), each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits in the logits' layout; may be the same memory as <paramref name="logits"/> (in place) but may not partly overlap it.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum; the gradient is that of the reduced loss.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target count for nothing.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is outside <c>[0, classes)</c> and is not <paramref name="ignoreIndex"/> (the message names its flat index and value), <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, <paramref name="targets"/> does not hold one value per position, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long, or <paramref name="logitsGradient"/> is too short, partly overlaps <paramref name="logits"/>, or overlaps <paramref name="targets"/> or <paramref name="classWeights"/>.</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SpatialCrossEntropy(logits, targets, [], [], logitsGradient, perPosition: false, withGradient: true, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, Span<float> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SpatialCrossEntropy(logits, [], targets, [], logitsGradient, perPosition: false, withGradient: true, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, targets, [], [], logitsGradient, perPosition: false, withGradient: true, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<long> targets, Span<double> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialCrossEntropy(logits, [], targets, [], logitsGradient, perPosition: false, withGradient: true, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional logits against target probabilities of the same shape, reduced over every
    /// position, as <c>F.cross_entropy(logits, targetProbabilities, label_smoothing=labelSmoothing)</c> on <c>[N, C, d1..dk]</c>:
    /// position (n, i) contributes <c>-sum_c t'[n, c, i] * log_softmax(logits)[n, c, i]</c> with <c>t' = (1 - eps) * t + eps / C</c>;
    /// the mean divides by the number of positions, <c>N x innerSize</c>.
    /// </summary>
    /// <remarks>Each position is the row form's (<see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>) on its row; the buffers as in <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>.</remarks>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targetProbabilities">Target probabilities in the logits' layout, <c>[N, classes, d1..dk]</c>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN for no position) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, or <paramref name="targetProbabilities"/> is not as long as <paramref name="logits"/>.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SpatialProbabilityCrossEntropy(logits, targetProbabilities, [], [], perPosition: false, withGradient: false, classes, innerSize, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialProbabilityCrossEntropy(logits, targetProbabilities, [], [], perPosition: false, withGradient: false, classes, innerSize, reduction, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each position of K-dimensional logits against its target probabilities, as
    /// <c>F.cross_entropy(logits, targetProbabilities, reduction='none', label_smoothing=labelSmoothing)</c>: losses <c>[N, d1..dk]</c>.
    /// </summary>
    /// <remarks>See <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, LossReduction, float, SoftmaxPrecision)"/>.</remarks>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targetProbabilities">Target probabilities in the logits' layout, <c>[N, classes, d1..dk]</c>.</param>
    /// <param name="losses">Receives <c>N x innerSize</c> losses in position order; must not overlap an input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, or <paramref name="targetProbabilities"/> is not as long as <paramref name="logits"/>, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> losses, int classes, int innerSize, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialProbabilityCrossEntropy(logits, targetProbabilities, losses, [], perPosition: true, withGradient: false, classes, innerSize, LossReduction.Sum, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> losses, int classes, int innerSize, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialProbabilityCrossEntropy(logits, targetProbabilities, losses, [], perPosition: true, withGradient: false, classes, innerSize, LossReduction.Sum, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional logits against target probabilities (as <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, LossReduction, float, SoftmaxPrecision)"/>)
    /// and its gradient with respect to the logits, as PyTorch's autograd gives it.
    /// </summary>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targetProbabilities">Target probabilities in the logits' layout, <c>[N, classes, d1..dk]</c>.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits in the logits' layout; may be the same memory as <paramref name="logits"/> but must not overlap <paramref name="targetProbabilities"/>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum; the gradient is that of the reduced loss.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>: the exponential and logarithm of the softmax.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, or <paramref name="targetProbabilities"/> is not as long as <paramref name="logits"/>, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)SpatialProbabilityCrossEntropy(logits, targetProbabilities, [], logitsGradient, perPosition: false, withGradient: true, classes, innerSize, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => SpatialProbabilityCrossEntropy(logits, targetProbabilities, [], logitsGradient, perPosition: false, withGradient: true, classes, innerSize, reduction, labelSmoothing, precision);

    /// <summary>
    /// The negative log-likelihood of K-dimensional log-probabilities against class targets, as
    /// <c>F.nll_loss(logProbabilities, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=...)</c> on <c>[N, C, d1..dk]</c>:
    /// position (n, i) with target t contributes <c>-w[t] * logProbabilities[n, t, i]</c>; the mean divides by the sum of
    /// <c>w[t]</c> over the counted positions.
    /// </summary>
    /// <param name="logProbabilities">Row-major <c>[N, classes, d1..dk]</c> log-probabilities (e.g. from <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>).</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position (<c>N x innerSize</c>), each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN when no position counts) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target count for nothing.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is out of range, or <paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logProbabilities"/> is not a multiple of <c>classes x innerSize</c>, <paramref name="targets"/> does not hold one value per position, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long.</exception>
    public static float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)SpatialNllLoss(logProbabilities, targets, [], [], perPosition: false, classes, innerSize, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<long> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)SpatialNllLoss(logProbabilities, [], targets, [], perPosition: false, classes, innerSize, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static double NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => SpatialNllLoss(logProbabilities, targets, [], [], perPosition: false, classes, innerSize, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static double NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<long> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => SpatialNllLoss(logProbabilities, [], targets, [], perPosition: false, classes, innerSize, reduction, classWeights, ignoreIndex);

    /// <summary>
    /// The negative log-likelihood of each position of K-dimensional log-probabilities, as
    /// <c>F.nll_loss(logProbabilities, targets, weight=classWeights, ignore_index=ignoreIndex, reduction='none')</c>:
    /// losses <c>[N, d1..dk]</c>, <c>-w[t] * logProbabilities[n, t, i]</c>, 0 where the target is <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <param name="logProbabilities">Row-major <c>[N, classes, d1..dk]</c> log-probabilities (e.g. from <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>).</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position (<c>N x innerSize</c>), each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="losses">Receives <c>N x innerSize</c> losses in position order; must not overlap an input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target count for nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is out of range.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logProbabilities"/> is not a multiple of <c>classes x innerSize</c>, <paramref name="targets"/> does not hold one value per position, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => SpatialNllLoss(logProbabilities, targets, [], losses, perPosition: true, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<long> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => SpatialNllLoss(logProbabilities, [], targets, losses, perPosition: true, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, Span<double> losses, int classes, int innerSize, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => SpatialNllLoss(logProbabilities, targets, [], losses, perPosition: true, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<long> targets, Span<double> losses, int classes, int innerSize, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => SpatialNllLoss(logProbabilities, [], targets, losses, perPosition: true, classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex);

    internal static double SpatialCrossEntropy<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, Span<T> losses, Span<T> logitsGradient, bool perPosition, bool withGradient,
        int classes, int innerSize, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = SoftmaxGuard.AxisOuter(logits.Length, classes, innerSize, nameof(logits));
        int positions = outer * innerSize;
        SoftmaxGuard.Reduction(reduction);
        bool isLong = targets.IsEmpty && !longTargets.IsEmpty;
        int ignored = isLong
            ? SoftmaxGuard.SpatialTargets(longTargets, outer, innerSize, classes, ignoreIndex)
            : SoftmaxGuard.SpatialTargets(targets, outer, innerSize, classes, ignoreIndex);
        SoftmaxGuard.ClassWeights(classWeights, classes);
        SoftmaxGuard.LabelSmoothing(labelSmoothing);
        if (perPosition)
        {
            losses = PerPositionLosses(logits, targets, longTargets, losses, classWeights, positions, nameof(logits));
        }

        if (withGradient)
        {
            SoftmaxGuard.SameShapeOutput(logits, logitsGradient, nameof(logits), nameof(logitsGradient));
            DisjointFromTargets(logitsGradient, targets, longTargets, classWeights, nameof(logitsGradient));
            logitsGradient = logitsGradient.Slice(0, logits.Length);
        }

        SoftmaxGuard.Precision(precision);

        (bool plain, bool options, double scale) = SpatialClassTargetPath(
            targets, longTargets, ignored, classWeights, ignoreIndex, labelSmoothing != T.Zero, withGradient, classes, positions, reduction == LossReduction.Mean && !perPosition);
        (double sum, double smooth) = SpatialLosses.Run(
            plain ? SpatialLossKind.Plain : SpatialLossKind.Options, plain ? SoftmaxKernelRegistry.Find(classes, precision) : null,
            logits, targets, longTargets, [], losses, logitsGradient, outer, classes, innerSize, classWeights, ignoreIndex, labelSmoothing, scale, precision);
        return options ? SoftmaxFallback.CombineOptionTerms(sum, smooth, labelSmoothing, classes, scale) : SoftmaxGuard.Reduce(sum, positions, reduction);
    }

    /// <summary>
    /// The path and scale of a K-dimensional class-target loss, for every element type: the plain kernels (a registered
    /// one included) without options, the options' path (whose mean multiplies by the scale) with them or for the
    /// gradient of longer rows; with <paramref name="mean"/>, the scale is 1 over the batch's counted weight.
    /// </summary>
    internal static (bool Plain, bool Options, double Scale) SpatialClassTargetPath<TWeight>(
        ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, int ignored, ReadOnlySpan<TWeight> classWeights, int ignoreIndex,
        bool smoothed, bool withGradient, int classes, int positions, bool mean)
        where TWeight : unmanaged, IFloatingPointIeee754<TWeight>
    {
        bool plain = ignored == 0 && classWeights.IsEmpty && !smoothed;
        bool options = !plain || (withGradient && classes >= SoftmaxFallback.PlainGradientClassLimit);
        return (plain, options, mean ? 1 / SpatialCountedWeight(plain, targets, longTargets, classWeights, ignoreIndex, positions) : 1);
    }

    /// <summary>The summed weight of the counted positions, PyTorch's divisor for a mean: their number when none is ignored and there are no weights.</summary>
    internal static double SpatialCountedWeight<TWeight>(bool plain, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, ReadOnlySpan<TWeight> classWeights, int ignoreIndex, int positions)
        where TWeight : unmanaged, IFloatingPointIeee754<TWeight>
        => plain ? positions
            : targets.IsEmpty && !longTargets.IsEmpty ? SpatialLosses.CountedWeight(longTargets, classWeights, ignoreIndex)
            : SoftmaxFallback.CountedWeight(targets, classWeights, ignoreIndex);

    internal static double SpatialProbabilityCrossEntropy<T>(
        ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> losses, Span<T> logitsGradient, bool perPosition, bool withGradient,
        int classes, int innerSize, LossReduction reduction, T labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = SoftmaxGuard.AxisOuter(logits.Length, classes, innerSize, nameof(logits));
        int positions = outer * innerSize;
        SoftmaxGuard.SameShapeInput(logits, targetProbabilities, nameof(logits), nameof(targetProbabilities));
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.LabelSmoothing(labelSmoothing);
        if (perPosition)
        {
            SoftmaxGuard.PerRowOutput(logits, losses, positions, nameof(logits), nameof(losses));
            SoftmaxGuard.NoOverlap(targetProbabilities, losses, nameof(targetProbabilities), nameof(losses));
            losses = losses.Slice(0, positions);
        }

        if (withGradient)
        {
            SoftmaxGuard.SameShapeOutput(logits, logitsGradient, nameof(logits), nameof(logitsGradient));
            SoftmaxGuard.NoOverlap(targetProbabilities, logitsGradient, nameof(targetProbabilities), nameof(logitsGradient));
            logitsGradient = logitsGradient.Slice(0, logits.Length);
        }

        SoftmaxGuard.Precision(precision);
        double scale = reduction == LossReduction.Mean && !perPosition ? 1.0 / positions : 1.0;
        (double sum, _) = SpatialLosses.Run(
            SpatialLossKind.Probabilities, null, logits, [], [], targetProbabilities, losses, logitsGradient, outer, classes, innerSize, [], 0, labelSmoothing, scale, precision);
        return sum * scale;
    }

    internal static double SpatialNllLoss<T>(
        ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, Span<T> losses, bool perPosition,
        int classes, int innerSize, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outer = SoftmaxGuard.AxisOuter(logProbabilities.Length, classes, innerSize, nameof(logProbabilities));
        int positions = outer * innerSize;
        if (targets.IsEmpty && !longTargets.IsEmpty)
            SoftmaxGuard.SpatialTargets(longTargets, outer, innerSize, classes, ignoreIndex);
        else
            SoftmaxGuard.SpatialTargets(targets, outer, innerSize, classes, ignoreIndex);
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.ClassWeights(classWeights, classes);
        if (perPosition)
        {
            losses = PerPositionLosses(logProbabilities, targets, longTargets, losses, classWeights, positions, nameof(logProbabilities));
        }

        return SoftmaxFallback.NllLossCore(logProbabilities, targets, longTargets, losses, classes, innerSize, reduction, classWeights, ignoreIndex);
    }

    // The per-position output of a K-dim loss: one value per position, disjoint from everything it is computed from.
    private static Span<T> PerPositionLosses<T>(
        ReadOnlySpan<T> input, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, Span<T> losses, ReadOnlySpan<T> classWeights, int positions, string inputName)
        where T : unmanaged
    {
        SoftmaxGuard.PerRowOutput(input, losses, positions, inputName, nameof(losses));
        DisjointFromTargets(losses, targets, longTargets, classWeights, nameof(losses));
        return losses.Slice(0, positions);
    }

    private static void DisjointFromTargets<T>(Span<T> output, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, ReadOnlySpan<T> classWeights, string outputName)
        where T : unmanaged
    {
        SoftmaxGuard.Disjoint<T, int>(output, targets, outputName, nameof(targets));
        SoftmaxGuard.Disjoint<T, long>(output, longTargets, outputName, nameof(targets));
        SoftmaxGuard.Disjoint<T, T>(output, classWeights, outputName, nameof(classWeights));
    }
}
