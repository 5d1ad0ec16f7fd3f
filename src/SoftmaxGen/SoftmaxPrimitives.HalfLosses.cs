using System.Numerics.Tensors;
using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <content>
/// The remaining losses on <see cref="Half"/> logits: probability targets and the K-dimensional forms
/// (<c>[N, C, d1..dk]</c>), through the same bridge as the row forms. A block of whole class planes
/// (<c>classes x innerSize</c> values, one plane at a time when it holds more than 4,096) is converted to float with
/// the target probabilities beside it, and the float K-dimensional loss runs on it; losses come back in float, a
/// gradient is the float gradient rounded once to Half.
/// </content>
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The cross-entropy of Half logits against Half target probabilities, reduced over the rows, computed in float as
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    /// on the converted values (PyTorch's <c>F.cross_entropy</c> with probability targets on fp16 tensors).
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targetProbabilities">One target distribution per row, <c>rows x classes</c> values.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean over the rows (the default; NaN for no row) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="targetProbabilities"/> is not as long as <paramref name="logits"/>.</exception>
    public static float CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Probabilities, logits, [], [], targetProbabilities, [], [], classes, 1, reduction, [], 0, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each row of Half logits against its Half target probabilities, in float, as
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, float, SoftmaxPrecision)"/>.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targetProbabilities">One target distribution per row, <c>rows x classes</c> values.</param>
    /// <param name="losses">Receives one loss per row; must not overlap an input.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, Span<float> losses, int classes, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfSpatialLoss(HalfLoss.Probabilities | HalfLoss.PerPosition, logits, [], [], targetProbabilities, losses, [], classes, 1, LossReduction.Sum, [], 0, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of Half logits against Half target probabilities and its gradient, computed in float as
    /// <see cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, LossReduction, float, SoftmaxPrecision)"/>;
    /// the gradient is the float gradient rounded once to Half, the loss is returned in float.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targetProbabilities">One target distribution per row, <c>rows x classes</c> values.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/> but must not overlap <paramref name="targetProbabilities"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum; the gradient is that of the reduced loss.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, Span<Half> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Probabilities | HalfLoss.Gradient, logits, [], [], targetProbabilities, [], logitsGradient, classes, 1, reduction, [], 0, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional Half logits <c>[N, C, d1..dk]</c> against class-index targets
    /// <c>[N, d1..dk]</c>, reduced over every position, computed in float as
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    /// on the converted logits (the same options, messages and mean rule).
    /// </summary>
    /// <remarks>
    /// Whole class planes (<c>classes x innerSize</c> values) are converted a block at a time; a plane of more than 4,096
    /// values is converted alone into an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> (a second
    /// one for probability targets) and returned, so no call allocates once the pool holds them. The blocks' sums are
    /// added in double.
    /// </remarks>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default; over the counted positions, weighted) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target count for nothing.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is outside <c>[0, classes)</c> and is not <paramref name="ignoreIndex"/>, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, <paramref name="targets"/> does not hold one value per position, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long.</exception>
    public static float CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Classes, logits, targets, [], [], [], [], classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{Half}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<long> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Classes, logits, [], targets, [], [], [], classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each position of K-dimensional Half logits against its class-index target, in float, as
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>:
    /// losses <c>[N, d1..dk]</c>, 0 where the target is <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="losses">Receives <c>N x innerSize</c> losses in position order; must not overlap an input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is out of range, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfSpatialLoss(HalfLoss.Classes | HalfLoss.PerPosition, logits, targets, [], [], losses, [], classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{Half}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<long> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfSpatialLoss(HalfLoss.Classes | HalfLoss.PerPosition, logits, [], targets, [], losses, [], classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional Half logits against class-index targets and its gradient, computed in float as
    /// <see cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>;
    /// the gradient is the float gradient rounded once to Half, the loss is returned in float.
    /// </summary>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits in the logits' layout; may be the same memory as <paramref name="logits"/> but must not partly overlap it or overlap another input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum; the gradient is that of the reduced loss.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): positions with this target get a zero gradient.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is out of range, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, Span<Half> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Classes | HalfLoss.Gradient, logits, targets, [], [], [], logitsGradient, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{Half}, ReadOnlySpan{int}, Span{Half}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<long> targets, Span<Half> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Classes | HalfLoss.Gradient, logits, [], targets, [], [], logitsGradient, classes, innerSize, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional Half logits against Half target probabilities of the same shape, reduced over
    /// every position, computed in float as
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, LossReduction, float, SoftmaxPrecision)"/>.
    /// </summary>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targetProbabilities">Target probabilities in the logits' layout.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean over the positions (the default; NaN for none) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <c>classes x innerSize</c>, or <paramref name="targetProbabilities"/> is not as long as <paramref name="logits"/>.</exception>
    public static float CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Probabilities, logits, [], [], targetProbabilities, [], [], classes, innerSize, reduction, [], 0, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each position of K-dimensional Half logits against its Half target probabilities, in float,
    /// as <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, float, SoftmaxPrecision)"/>.
    /// </summary>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targetProbabilities">Target probabilities in the logits' layout.</param>
    /// <param name="losses">Receives <c>N x innerSize</c> losses in position order; must not overlap an input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, Span<float> losses, int classes, int innerSize, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfSpatialLoss(HalfLoss.Probabilities | HalfLoss.PerPosition, logits, [], [], targetProbabilities, losses, [], classes, innerSize, LossReduction.Sum, [], 0, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of K-dimensional Half logits against Half target probabilities and its gradient, computed in
    /// float as <see cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, LossReduction, float, SoftmaxPrecision)"/>;
    /// the gradient is rounded once to Half.
    /// </summary>
    /// <param name="logits">Row-major <c>[N, classes, d1..dk]</c> logits: <c>N x classes x innerSize</c> values.</param>
    /// <param name="targetProbabilities">Target probabilities in the logits' layout.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/> but must not overlap <paramref name="targetProbabilities"/>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default) or sum; the gradient is that of the reduced loss.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, <paramref name="reduction"/> is not defined, <paramref name="labelSmoothing"/> is not in [0, 1], or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, Span<Half> logitsGradient, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)HalfSpatialLoss(HalfLoss.Probabilities | HalfLoss.Gradient, logits, [], [], targetProbabilities, [], logitsGradient, classes, innerSize, reduction, [], 0, labelSmoothing, precision);

    /// <summary>
    /// The negative log-likelihood of K-dimensional Half log-probabilities against class targets, in float, as
    /// <see cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int)"/>.
    /// </summary>
    /// <param name="logProbabilities">Row-major <c>[N, classes, d1..dk]</c> log-probabilities.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="reduction">Mean (the default; NaN when no position counts) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, a target is out of range, or <paramref name="reduction"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="classWeights"/> is neither empty nor <paramref name="classes"/> long.</exception>
    public static float NllLoss(ReadOnlySpan<Half> logProbabilities, ReadOnlySpan<int> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)HalfSpatialLoss(HalfLoss.Nll, logProbabilities, targets, [], [], [], [], classes, innerSize, reduction, classWeights, ignoreIndex, 0, SoftmaxPrecision.Exact);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{Half}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(ReadOnlySpan<Half> logProbabilities, ReadOnlySpan<long> targets, int classes, int innerSize, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)HalfSpatialLoss(HalfLoss.Nll, logProbabilities, [], targets, [], [], [], classes, innerSize, reduction, classWeights, ignoreIndex, 0, SoftmaxPrecision.Exact);

    /// <summary>
    /// The negative log-likelihood of each position of K-dimensional Half log-probabilities, in float, as
    /// <see cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int)"/>:
    /// losses <c>[N, d1..dk]</c>, 0 where the target is <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <param name="logProbabilities">Row-major <c>[N, classes, d1..dk]</c> log-probabilities.</param>
    /// <param name="targets">Row-major <c>[N, d1..dk]</c> class indices, one per position, each in <c>[0, classes)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="losses">Receives <c>N x innerSize</c> losses in position order; must not overlap an input.</param>
    /// <param name="classes">The size of the class axis (axis 1), at least 1.</param>
    /// <param name="innerSize">The number of positions per class plane, d1 x ... x dk (1 for <c>[N, C]</c>), at least 1.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, or a target is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void NllLoss(ReadOnlySpan<Half> logProbabilities, ReadOnlySpan<int> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => HalfSpatialLoss(HalfLoss.Nll | HalfLoss.PerPosition, logProbabilities, targets, [], [], losses, [], classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, 0, SoftmaxPrecision.Exact);

    /// <inheritdoc cref="NllLoss(ReadOnlySpan{Half}, ReadOnlySpan{int}, Span{float}, int, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(ReadOnlySpan<Half> logProbabilities, ReadOnlySpan<long> targets, Span<float> losses, int classes, int innerSize, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => HalfSpatialLoss(HalfLoss.Nll | HalfLoss.PerPosition, logProbabilities, [], targets, [], losses, [], classes, innerSize, LossReduction.Sum, classWeights, ignoreIndex, 0, SoftmaxPrecision.Exact);

    /// <summary>
    /// Every loss above: the float K-dimensional checks on the Half input, then the float loss on blocks of converted
    /// class planes, with the reduction's scale fixed for the whole batch first (as the float form fixes it).
    /// </summary>
    internal static double HalfSpatialLoss(
        HalfLoss loss, ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, ReadOnlySpan<Half> targetProbabilities,
        Span<float> losses, Span<Half> logitsGradient, int classes, int innerSize, LossReduction reduction, ReadOnlySpan<float> classWeights,
        int ignoreIndex, float labelSmoothing, SoftmaxPrecision precision)
    {
        string inputName = (loss & HalfLoss.Kind) == HalfLoss.Nll ? "logProbabilities" : nameof(logits);
        int outer = SoftmaxGuard.AxisOuter(logits.Length, classes, innerSize, inputName);
        int positions = outer * innerSize;
        SoftmaxGuard.Reduction(reduction);
        bool probabilities = (loss & HalfLoss.Kind) == HalfLoss.Probabilities;
        bool isLong = targets.IsEmpty && !longTargets.IsEmpty;
        int ignored = 0;
        if (probabilities)
        {
            SoftmaxGuard.SameShapeInput(logits, targetProbabilities, nameof(logits), nameof(targetProbabilities));
        }
        else
        {
            ignored = isLong
                ? SoftmaxGuard.SpatialTargets(longTargets, outer, innerSize, classes, ignoreIndex)
                : SoftmaxGuard.SpatialTargets(targets, outer, innerSize, classes, ignoreIndex);
            SoftmaxGuard.ClassWeights(classWeights, classes);
        }

        SoftmaxGuard.LabelSmoothing(labelSmoothing);
        if ((loss & HalfLoss.PerPosition) != 0)
        {
            SoftmaxGuard.PerRowLength(losses.Length, positions, nameof(losses));
            losses = losses.Slice(0, positions);
            SoftmaxGuard.Disjoint<float, Half>(losses, logits, nameof(losses), inputName);
            SoftmaxGuard.Disjoint<float, Half>(losses, targetProbabilities, nameof(losses), nameof(targetProbabilities));
            SoftmaxGuard.Disjoint<float, int>(losses, targets, nameof(losses), nameof(targets));
            SoftmaxGuard.Disjoint<float, long>(losses, longTargets, nameof(losses), nameof(targets));
            SoftmaxGuard.Disjoint<float, float>(losses, classWeights, nameof(losses), nameof(classWeights));
        }

        if ((loss & HalfLoss.Gradient) != 0)
        {
            SoftmaxGuard.SameShapeOutput(logits, logitsGradient, nameof(logits), nameof(logitsGradient));
            logitsGradient = logitsGradient.Slice(0, logits.Length);
            SoftmaxGuard.NoOverlap(targetProbabilities, logitsGradient, nameof(targetProbabilities), nameof(logitsGradient));
            SoftmaxGuard.Disjoint<Half, int>(logitsGradient, targets, nameof(logitsGradient), nameof(targets));
            SoftmaxGuard.Disjoint<Half, long>(logitsGradient, longTargets, nameof(logitsGradient), nameof(targets));
            SoftmaxGuard.Disjoint<Half, float>(logitsGradient, classWeights, nameof(logitsGradient), nameof(classWeights));
        }

        SoftmaxGuard.Precision(precision);

        // The float form's path and scale (the mean of probability targets is over the positions).
        bool mean = reduction == LossReduction.Mean && (loss & HalfLoss.PerPosition) == 0;
        (bool plain, bool options, double scale) = probabilities || (loss & HalfLoss.Kind) == HalfLoss.Nll
            ? (false, false, mean && probabilities ? 1.0 / positions : 1)
            : SpatialClassTargetPath(targets, longTargets, ignored, classWeights, ignoreIndex, labelSmoothing != 0, (loss & HalfLoss.Gradient) != 0, classes, positions, mean);
        var block = new HalfPlaneBlock
        {
            Loss = loss & HalfLoss.Kind, Plain = plain, Classes = classes, Inner = innerSize, Precision = precision,
            Targets = targets, LongTargets = longTargets, Losses = losses, Gradient = logitsGradient,
            ClassWeights = classWeights, IgnoreIndex = ignoreIndex, LabelSmoothing = labelSmoothing, Scale = scale,
        };

        // A block of whole [classes, innerSize] planes is the bridge's row (a plane fits an int whenever there is one).
        HalfRows.Run(logits, targetProbabilities, outer, outer == 0 ? 1 : classes * innerSize, ref block);
        if ((loss & HalfLoss.Kind) == HalfLoss.Nll)
        {
            return reduction == LossReduction.Mean
                ? block.Sum / SpatialCountedWeight(ignored == 0 && classWeights.IsEmpty, targets, longTargets, classWeights, ignoreIndex, positions)
                : block.Sum;
        }

        return probabilities ? block.Sum * scale
            : options ? SoftmaxFallback.CombineOptionTerms(block.Sum, block.Smooth, labelSmoothing, classes, scale)
            : SoftmaxGuard.Reduce(block.Sum, positions, reduction);
    }

    /// <summary>What <see cref="HalfSpatialLoss"/> computes and writes.</summary>
    [Flags]
    internal enum HalfLoss
    {
        /// <summary>Cross-entropy against class indices.</summary>
        Classes = 0,

        /// <summary>Cross-entropy against target probabilities.</summary>
        Probabilities = 1,

        /// <summary>Negative log-likelihood of log-probabilities.</summary>
        Nll = 2,

        /// <summary>The mask of the three kinds above.</summary>
        Kind = 3,

        /// <summary>Writes one float loss per position.</summary>
        PerPosition = 4,

        /// <summary>Writes the Half gradient.</summary>
        Gradient = 8,
    }

    /// <summary>One block of converted class planes through the float K-dimensional loss.</summary>
    private ref struct HalfPlaneBlock : IHalfRowBlock
    {
        public HalfLoss Loss;
        public bool Plain;
        public int Classes;
        public int Inner;
        public SoftmaxPrecision Precision;
        public ReadOnlySpan<int> Targets;
        public ReadOnlySpan<long> LongTargets;
        public Span<float> Losses;
        public Span<Half> Gradient;
        public ReadOnlySpan<float> ClassWeights;
        public int IgnoreIndex;
        public float LabelSmoothing;
        public double Scale;
        public double Sum;
        public double Smooth;

        public void Run(scoped Span<float> logits, scoped Span<float> companion, int firstRow, int rows)
        {
            int first = firstRow * Inner, count = rows * Inner;
            ReadOnlySpan<int> t = Targets.IsEmpty ? default : Targets.Slice(first, count);
            ReadOnlySpan<long> t64 = LongTargets.IsEmpty ? default : LongTargets.Slice(first, count);
            Span<float> l = Losses.IsEmpty ? default : Losses.Slice(first, count);
            if (Loss == HalfLoss.Nll)
            {
                Sum += SoftmaxFallback.NllLossCore<float>(logits, t, t64, l, Classes, Inner, LossReduction.Sum, ClassWeights, IgnoreIndex);
                return;
            }

            // The gradient overwrites the converted logits (the float loss allows it in place), then is rounded to Half.
            Span<float> gradient = Gradient.IsEmpty ? default : logits;
            SpatialLossKind kind = Loss == HalfLoss.Probabilities ? SpatialLossKind.Probabilities : Plain ? SpatialLossKind.Plain : SpatialLossKind.Options;
            (double sum, double smooth) = SpatialLosses.Run<float>(
                kind, kind == SpatialLossKind.Plain ? SoftmaxKernelRegistry.Find(Classes, Precision) : null, logits, t, t64, companion, l, gradient,
                rows, Classes, Inner, ClassWeights, IgnoreIndex, LabelSmoothing, Scale, Precision);
            Sum += sum;
            Smooth += smooth;
            if (!Gradient.IsEmpty)
            {
                int start = firstRow * Classes * Inner;
                TensorPrimitives.ConvertToHalf(logits, Gradient.Slice(start, logits.Length));
            }
        }
    }
}
