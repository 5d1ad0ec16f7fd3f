using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <summary>
/// Softmax, log-softmax, cross-entropy, NLL, argmax and top-k along an axis of a <see cref="Tensor{T}"/>,
/// <see cref="TensorSpan{T}"/> or <see cref="ReadOnlyTensorSpan{T}"/> (System.Numerics.Tensors), in <see cref="float"/>
/// and <see cref="double"/>, with PyTorch's semantics: <c>axis</c> is PyTorch's <c>dim</c>, negative values counting from
/// the end. The tensor counterpart of <see cref="SoftmaxPrimitives"/>, as <see cref="Tensor"/> is of
/// <see cref="TensorPrimitives"/>.
/// </summary>
/// <remarks>
/// <para>Every member runs <see cref="SoftmaxPrimitives"/>' kernels on the tensors' memory, without copying: an axis
/// splits a tensor into <c>[outer, classes, inner]</c>, where <c>inner</c> = 1 (the last axis) is the row form and any
/// other axis the middle-axis form. So the tensors must be dense (row-major and contiguous: what
/// <c>Tensor.Create</c> makes); a tensor that is not (a transposed or strided
/// slice, a broadcast view) is an <see cref="ArgumentException"/> naming it, as a hidden copy would cost as much as the
/// operation. <see cref="Tensor{T}.ToDenseTensor"/> makes a dense copy.</para>
/// <para>Losses follow <c>F.cross_entropy</c>: the class axis is 1 for <c>[N, C, d1..dk]</c> input (targets
/// <c>[N, d1..dk]</c>), or the last axis for <c>[..., C]</c> (targets <c>[...]</c>); a single vector <c>[C]</c> takes a
/// one-element target. Targets are <see cref="int"/> or <see cref="long"/> tensors.</para>
/// </remarks>
public static class SoftmaxTensor
{

    /// <summary>
    /// The softmax along <paramref name="axis"/>, as <c>F.softmax(logits, dim=axis)</c>: the same kernels, accuracy and semantics as
    /// <see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/> (last axis) and
    /// <see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/> (any other axis).
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="probabilities">Receives the result, the shape of <paramref name="logits"/>, dense; may be the same memory (in place) but may not partly overlap it.</param>
    /// <param name="axis">The axis to normalise over, from <c>-rank</c> to <c>rank - 1</c> (negative counts from the end).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is outside <c>[-rank, rank)</c>, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void Softmax(in ReadOnlyTensorSpan<float> logits, in TensorSpan<float> probabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => Normalize(logits, probabilities, axis, nameof(probabilities), log: false, precision);

    /// <inheritdoc cref="Softmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>
    public static void Softmax(in ReadOnlyTensorSpan<double> logits, in TensorSpan<double> probabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => Normalize(logits, probabilities, axis, nameof(probabilities), log: false, precision);

    /// <summary>
    /// The softmax of Half logits along <paramref name="axis"/>, computed in float and rounded once to Half, as
    /// <see cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{Half}, Span{Half}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <inheritdoc cref="Softmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>
    public static void Softmax(in ReadOnlyTensorSpan<Half> logits, in TensorSpan<Half> probabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => Normalize(logits, probabilities, axis, nameof(probabilities), log: false, precision);

    /// <summary>
    /// The log-softmax along <paramref name="axis"/>, as <c>F.log_softmax(logits, dim=axis)</c>: the same kernels, accuracy and semantics as
    /// <see cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/> (last axis) and
    /// <see cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/> (any other axis).
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="logProbabilities">Receives the result, the shape of <paramref name="logits"/>, dense; may be the same memory (in place) but may not partly overlap it.</param>
    /// <param name="axis">The axis to normalise over, from <c>-rank</c> to <c>rank - 1</c> (negative counts from the end).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is outside <c>[-rank, rank)</c>, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void LogSoftmax(in ReadOnlyTensorSpan<float> logits, in TensorSpan<float> logProbabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => Normalize(logits, logProbabilities, axis, nameof(logProbabilities), log: true, precision);

    /// <inheritdoc cref="LogSoftmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>
    public static void LogSoftmax(in ReadOnlyTensorSpan<double> logits, in TensorSpan<double> logProbabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => Normalize(logits, logProbabilities, axis, nameof(logProbabilities), log: true, precision);

    /// <summary>
    /// The log-softmax of Half logits along <paramref name="axis"/>, computed in float and rounded once to Half, as
    /// <see cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{Half}, Span{Half}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <inheritdoc cref="LogSoftmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>
    public static void LogSoftmax(in ReadOnlyTensorSpan<Half> logits, in TensorSpan<Half> logProbabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => Normalize(logits, logProbabilities, axis, nameof(logProbabilities), log: true, precision);

    /// <summary>
    /// The cross-entropy of logits against class-index targets, reduced, as
    /// <c>F.cross_entropy(logits, targets, weight=, ignore_index=, reduction=, label_smoothing=)</c>: the options, the weighted
    /// mean and the accuracy of <see cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>,
    /// which it runs.
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="targets">Class indices (or <paramref name="ignoreIndex"/>), the shape of <paramref name="logits"/> without the class axis.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="reduction">Mean (the default; weighted, over the counted positions) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static float CrossEntropy(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<int> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, targets, default, default, default, LossOutput.Reduced, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<long> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, default, targets, default, default, LossOutput.Reduced, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<int> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, targets, default, default, default, LossOutput.Reduced, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<long> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, default, targets, default, default, LossOutput.Reduced, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each position against its class-index target, as <c>F.cross_entropy(..., reduction='none')</c>.
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="targets">Class indices (or <paramref name="ignoreIndex"/>), the shape of <paramref name="logits"/> without the class axis.</param>
    /// <param name="losses">Receives one loss per position, the shape of <paramref name="targets"/>, dense; 0 where ignored.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void CrossEntropy(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<int> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, targets, default, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<long> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, default, targets, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<int> targets, in TensorSpan<double> losses, int axis, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, targets, default, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<long> targets, in TensorSpan<double> losses, int axis, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, default, targets, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The reduced cross-entropy and its gradient with respect to the logits, as <c>loss.backward()</c> gives it.
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="targets">Class indices (or <paramref name="ignoreIndex"/>), the shape of <paramref name="logits"/> without the class axis.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits, the shape of <paramref name="logits"/>, dense; may be the same memory (in place).</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="reduction">Mean (the default; weighted, over the counted positions) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<int> targets, in TensorSpan<float> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, targets, default, default, logitsGradient, LossOutput.Gradient, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<long> targets, in TensorSpan<float> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, default, targets, default, logitsGradient, LossOutput.Gradient, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<int> targets, in TensorSpan<double> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, targets, default, default, logitsGradient, LossOutput.Gradient, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<long> targets, in TensorSpan<double> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, default, targets, default, logitsGradient, LossOutput.Gradient, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of logits against target probabilities of the same shape, reduced (the mean over the positions), as
    /// <c>F.cross_entropy(logits, targetProbabilities, label_smoothing=)</c>.
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="targetProbabilities">Target probabilities, the shape of <paramref name="logits"/>, dense.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="reduction">Mean (the default) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static float CrossEntropy(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<float> targetProbabilities, int axis, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ProbabilityLoss(logits, targetProbabilities, default, default, LossOutput.Reduced, axis, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<double> targetProbabilities, int axis, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLoss(logits, targetProbabilities, default, default, LossOutput.Reduced, axis, reduction, labelSmoothing, precision);

    /// <summary>
    /// The cross-entropy of each position against its target probabilities, as <c>F.cross_entropy(..., reduction='none')</c>.
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="targetProbabilities">Target probabilities, the shape of <paramref name="logits"/>, dense.</param>
    /// <param name="losses">Receives one loss per position, the shape of <paramref name="logits"/> without the class axis, dense.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void CrossEntropy(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<float> targetProbabilities, in TensorSpan<float> losses, int axis, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLoss(logits, targetProbabilities, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<double> targetProbabilities, in TensorSpan<double> losses, int axis, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLoss(logits, targetProbabilities, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, labelSmoothing, precision);

    /// <summary>
    /// The reduced cross-entropy against target probabilities and its gradient with respect to the logits.
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="targetProbabilities">Target probabilities, the shape of <paramref name="logits"/>, dense.</param>
    /// <param name="logitsGradient">Receives dLoss/dLogits, the shape of <paramref name="logits"/>, dense; may be the same memory as the logits.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="reduction">Mean (the default) or sum.</param>
    /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static float CrossEntropyWithGradient(in ReadOnlyTensorSpan<float> logits, in ReadOnlyTensorSpan<float> targetProbabilities, in TensorSpan<float> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ProbabilityLoss(logits, targetProbabilities, default, logitsGradient, LossOutput.Gradient, axis, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(in ReadOnlyTensorSpan<double> logits, in ReadOnlyTensorSpan<double> targetProbabilities, in TensorSpan<double> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLoss(logits, targetProbabilities, default, logitsGradient, LossOutput.Gradient, axis, reduction, labelSmoothing, precision);

    /// <summary>
    /// The negative log-likelihood, reduced, as <c>F.nll_loss(logProbabilities, targets, weight=, ignore_index=, reduction=)</c>.
    /// </summary>
    /// <param name="logProbabilities">Log-probabilities (e.g. from <see cref="LogSoftmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>), dense.</param>
    /// <param name="targets">Class indices (or <paramref name="ignoreIndex"/>), the shape of <paramref name="logProbabilities"/> without the class axis.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="reduction">Mean (the default; weighted, over the counted positions) or sum.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static float NllLoss(in ReadOnlyTensorSpan<float> logProbabilities, in ReadOnlyTensorSpan<int> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)Nll(logProbabilities, targets, default, default, perPosition: false, axis, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(in ReadOnlyTensorSpan<float> logProbabilities, in ReadOnlyTensorSpan<long> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)Nll(logProbabilities, default, targets, default, perPosition: false, axis, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static double NllLoss(in ReadOnlyTensorSpan<double> logProbabilities, in ReadOnlyTensorSpan<int> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, targets, default, default, perPosition: false, axis, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static double NllLoss(in ReadOnlyTensorSpan<double> logProbabilities, in ReadOnlyTensorSpan<long> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, default, targets, default, perPosition: false, axis, reduction, classWeights, ignoreIndex);

    /// <summary>
    /// The negative log-likelihood of each position, as <c>F.nll_loss(..., reduction='none')</c>.
    /// </summary>
    /// <param name="logProbabilities">Log-probabilities (e.g. from <see cref="LogSoftmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>), dense.</param>
    /// <param name="targets">Class indices (or <paramref name="ignoreIndex"/>), the shape of <paramref name="logProbabilities"/> without the class axis.</param>
    /// <param name="losses">Receives one loss per position, the shape of <paramref name="targets"/>, dense; 0 where ignored.</param>
    /// <param name="axis">The class axis: 1 (<c>[N, C, d1..dk]</c>) or the last axis (<c>[..., C]</c>; -1 is accepted), as PyTorch's class dimension.</param>
    /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
    /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not a class axis (see above), a target is out of range, or an option is out of its range.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void NllLoss(in ReadOnlyTensorSpan<float> logProbabilities, in ReadOnlyTensorSpan<int> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, targets, default, losses, perPosition: true, axis, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(in ReadOnlyTensorSpan<float> logProbabilities, in ReadOnlyTensorSpan<long> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, default, targets, losses, perPosition: true, axis, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(in ReadOnlyTensorSpan<double> logProbabilities, in ReadOnlyTensorSpan<int> targets, in TensorSpan<double> losses, int axis, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, targets, default, losses, perPosition: true, axis, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(in ReadOnlyTensorSpan<double> logProbabilities, in ReadOnlyTensorSpan<long> targets, in TensorSpan<double> losses, int axis, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, default, targets, losses, perPosition: true, axis, LossReduction.Sum, classWeights, ignoreIndex);

    /// <summary>
    /// The index of the first maximum along <paramref name="axis"/>, as <c>torch.argmax(logits, dim=axis)</c> (a NaN counts as the maximum).
    /// </summary>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="predictions">Receives the indices, the shape of <paramref name="logits"/> without <paramref name="axis"/> (<c>[1]</c> for a vector), dense.</param>
    /// <param name="axis">The axis to normalise over, from <c>-rank</c> to <c>rank - 1</c> (negative counts from the end).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is outside <c>[-rank, rank)</c>.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void Argmax(in ReadOnlyTensorSpan<float> logits, in TensorSpan<int> predictions, int axis)
        => ArgmaxAxis(logits, predictions, axis);

    /// <inheritdoc cref="Argmax(in ReadOnlyTensorSpan{float}, in TensorSpan{int}, int)"/>
    public static void Argmax(in ReadOnlyTensorSpan<double> logits, in TensorSpan<int> predictions, int axis)
        => ArgmaxAxis(logits, predictions, axis);

    /// <inheritdoc cref="Argmax(in ReadOnlyTensorSpan{float}, in TensorSpan{int}, int)"/>
    public static void Argmax(in ReadOnlyTensorSpan<Half> logits, in TensorSpan<int> predictions, int axis)
        => ArgmaxAxis(logits, predictions, axis);

    /// <summary>
    /// The <paramref name="k"/> most probable classes along <paramref name="axis"/> with their softmax probabilities, most probable first, as
    /// <c>torch.topk(F.softmax(logits, dim=axis), k, dim=axis)</c>; ranks and ties as
    /// <see cref="SoftmaxPrimitives.TopK(ReadOnlySpan{float}, int, Span{int}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <remarks>Along the last axis the probabilities are <see cref="Softmax(in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, SoftmaxPrecision)"/>'s
    /// bits. Along another axis each position's values are gathered into a row (a block at a time, in a buffer rented
    /// from <see cref="ArrayPool{T}.Shared"/>), so they are the row form's softmax of that position: within the same
    /// bound as, and possibly a few ULP from, the middle-axis softmax, which sums in another order. Argmax gathers the
    /// same way.</remarks>
    /// <param name="logits">The logits, dense.</param>
    /// <param name="k">The number of classes, from 1 to the length of <paramref name="axis"/>.</param>
    /// <param name="indices">Receives the class indices: the shape of <paramref name="logits"/> with <paramref name="k"/> along <paramref name="axis"/>, dense.</param>
    /// <param name="probabilities">Receives their probabilities, the same shape, dense; must not overlap the logits.</param>
    /// <param name="axis">The axis to normalise over, from <c>-rank</c> to <c>rank - 1</c> (negative counts from the end).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> or <paramref name="k"/> is out of range, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">A tensor is not dense, holds more than <see cref="int.MaxValue"/> values, or has the wrong shape, or an output overlaps an input other than in place.</exception>
    public static void TopK(in ReadOnlyTensorSpan<float> logits, int k, in TensorSpan<int> indices, in TensorSpan<float> probabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => TopKAxis(logits, k, indices, probabilities, axis, precision);

    /// <inheritdoc cref="TopK(in ReadOnlyTensorSpan{float}, int, in TensorSpan{int}, in TensorSpan{float}, int, SoftmaxPrecision)"/>
    public static void TopK(in ReadOnlyTensorSpan<double> logits, int k, in TensorSpan<int> indices, in TensorSpan<double> probabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => TopKAxis(logits, k, indices, probabilities, axis, precision);

    /// <summary>
    /// The cross-entropy of Half logits against class-index targets, reduced, computed in float as
    /// <see cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    /// (through <see cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{Half}, ReadOnlySpan{int}, int, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>).
    /// </summary>
    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<int> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, targets, default, default(TensorSpan<float>), default, LossOutput.Reduced, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{Half}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<long> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, default, targets, default(TensorSpan<float>), default, LossOutput.Reduced, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>The cross-entropy of each position of Half logits against its class-index target, in float, as <c>F.cross_entropy(..., reduction='none')</c>.</summary>
    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<int> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, targets, default, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{Half}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<long> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ClassTargetLoss(logits, default, targets, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>The reduced cross-entropy of Half logits (in float) and its gradient, computed in float and rounded once to Half.</summary>
    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<int> targets, in TensorSpan<Half> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, targets, default, default(TensorSpan<float>), logitsGradient, LossOutput.Gradient, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{Half}, in ReadOnlyTensorSpan{int}, in TensorSpan{Half}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<long> targets, in TensorSpan<Half> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ClassTargetLoss(logits, default, targets, default(TensorSpan<float>), logitsGradient, LossOutput.Gradient, axis, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>The cross-entropy of Half logits against Half target probabilities of the same shape, reduced, computed in float.</summary>
    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<Half> targetProbabilities, int axis, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ProbabilityLoss(logits, targetProbabilities, default(TensorSpan<float>), default, LossOutput.Reduced, axis, reduction, labelSmoothing, precision);

    /// <summary>The cross-entropy of each position of Half logits against its Half target probabilities, in float.</summary>
    /// <inheritdoc cref="CrossEntropy(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<Half> targetProbabilities, in TensorSpan<float> losses, int axis, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLoss(logits, targetProbabilities, losses, default, LossOutput.PerPosition, axis, LossReduction.Sum, labelSmoothing, precision);

    /// <summary>The reduced cross-entropy of Half logits against Half target probabilities (in float) and its gradient, rounded once to Half.</summary>
    /// <inheritdoc cref="CrossEntropyWithGradient(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, in TensorSpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(in ReadOnlyTensorSpan<Half> logits, in ReadOnlyTensorSpan<Half> targetProbabilities, in TensorSpan<Half> logitsGradient, int axis, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ProbabilityLoss(logits, targetProbabilities, default(TensorSpan<float>), logitsGradient, LossOutput.Gradient, axis, reduction, labelSmoothing, precision);

    /// <summary>The negative log-likelihood of Half log-probabilities, reduced, in float.</summary>
    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(in ReadOnlyTensorSpan<Half> logProbabilities, in ReadOnlyTensorSpan<int> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)Nll(logProbabilities, targets, default, default(TensorSpan<float>), perPosition: false, axis, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{Half}, in ReadOnlyTensorSpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(in ReadOnlyTensorSpan<Half> logProbabilities, in ReadOnlyTensorSpan<long> targets, int axis, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)Nll(logProbabilities, default, targets, default(TensorSpan<float>), perPosition: false, axis, reduction, classWeights, ignoreIndex);

    /// <summary>The negative log-likelihood of each position of Half log-probabilities, in float.</summary>
    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(in ReadOnlyTensorSpan<Half> logProbabilities, in ReadOnlyTensorSpan<int> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, targets, default, losses, perPosition: true, axis, LossReduction.Sum, classWeights, ignoreIndex);

    /// <inheritdoc cref="NllLoss(in ReadOnlyTensorSpan{Half}, in ReadOnlyTensorSpan{int}, in TensorSpan{float}, int, ReadOnlySpan{float}, int)"/>
    public static void NllLoss(in ReadOnlyTensorSpan<Half> logProbabilities, in ReadOnlyTensorSpan<long> targets, in TensorSpan<float> losses, int axis, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => Nll(logProbabilities, default, targets, losses, perPosition: true, axis, LossReduction.Sum, classWeights, ignoreIndex);

    /// <summary>The <paramref name="k"/> most probable classes of Half logits along <paramref name="axis"/>, with their softmax probabilities in float.</summary>
    /// <inheritdoc cref="TopK(in ReadOnlyTensorSpan{float}, int, in TensorSpan{int}, in TensorSpan{float}, int, SoftmaxPrecision)"/>
    public static void TopK(in ReadOnlyTensorSpan<Half> logits, int k, in TensorSpan<int> indices, in TensorSpan<float> probabilities, int axis, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => TopKAxis(logits, k, indices, probabilities, axis, precision);

    /// <summary>Which output a loss call fills.</summary>
    private enum LossOutput
    {
        Reduced,
        PerPosition,
        Gradient,
    }

    private static void Normalize<T>(in ReadOnlyTensorSpan<T> logits, in TensorSpan<T> output, int axis, string outputName, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Shape shape = Shape.Along(logits.Lengths, axis, nameof(logits));
        ReadOnlySpan<T> x = Dense(logits, nameof(logits));
        SameLengths(logits.Lengths, output.Lengths, nameof(logits), outputName);
        Span<T> y = Dense(output, outputName);
        SoftmaxGuard.SameShapeOutput(x, y, nameof(logits), outputName);
        SoftmaxGuard.Precision(precision);
        if (x.IsEmpty)
        {
            return;
        }

        if (typeof(T) == typeof(Half))
        {
            // Half runs the float kernels through the span API's bridge (validated above; it checks again in O(1)).
            ReadOnlySpan<Half> hx = MemoryMarshal.Cast<T, Half>(x);
            Span<Half> hy = MemoryMarshal.Cast<T, Half>(y);
            if (log)
                SoftmaxPrimitives.LogSoftmax(hx, hy, shape.Classes, shape.Inner, precision);
            else
                SoftmaxPrimitives.Softmax(hx, hy, shape.Classes, shape.Inner, precision);
        }
        else if (shape.Inner == 1)
            SoftmaxPrimitives.RowsChecked(x, y, shape.Classes, outputName, log, precision);
        else
            SoftmaxFallback.AxisCore(x, y, shape.Outer, shape.Classes, shape.Inner, log, precision);
    }

    // TLoss is the loss's type: T itself, or float for Half logits (whose losses and options are float).
    private static double ClassTargetLoss<T, TLoss>(
        in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> targets, in ReadOnlyTensorSpan<long> longTargets, in TensorSpan<TLoss> losses, in TensorSpan<T> logitsGradient,
        LossOutput output, int axis, LossReduction reduction, ReadOnlySpan<TLoss> classWeights, int ignoreIndex, TLoss labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoss : unmanaged, IFloatingPointIeee754<TLoss>
    {
        Shape shape = Shape.ClassAxis(logits.Lengths, axis, nameof(logits));
        ReadOnlySpan<T> x = Dense(logits, nameof(logits));
        Span<nint> positions = stackalloc nint[Math.Max(1, logits.Rank - 1)];
        shape.Positions(logits.Lengths, positions);
        bool isLong = longTargets.Rank > 0;
        scoped ReadOnlySpan<int> t = default;
        scoped ReadOnlySpan<long> t64 = default;
        if (isLong)
        {
            SameLengths(positions, longTargets.Lengths, nameof(logits) + " without the class axis", nameof(targets));
            t64 = Dense(longTargets, nameof(targets));
        }
        else
        {
            SameLengths(positions, targets.Lengths, nameof(logits) + " without the class axis", nameof(targets));
            t = Dense(targets, nameof(targets));
        }

        LossOutputs(logits, positions, losses, logitsGradient, output, out Span<TLoss> l, out Span<T> g);
        if (typeof(T) == typeof(Half))
        {
            return SoftmaxPrimitives.HalfSpatialLoss(
                HalfLossOf(SoftmaxPrimitives.HalfLoss.Classes, output), MemoryMarshal.Cast<T, Half>(x), t, t64, [], MemoryMarshal.Cast<TLoss, float>(l), MemoryMarshal.Cast<T, Half>(g),
                shape.KernelClasses, shape.KernelInner, reduction, MemoryMarshal.Cast<TLoss, float>(classWeights), ignoreIndex, float.CreateTruncating(labelSmoothing), precision);
        }

        return SoftmaxPrimitives.SpatialCrossEntropy(
            x, t, t64, MemoryMarshal.Cast<TLoss, T>(l), g, output == LossOutput.PerPosition, output == LossOutput.Gradient,
            shape.KernelClasses, shape.KernelInner, reduction, MemoryMarshal.Cast<TLoss, T>(classWeights), ignoreIndex, T.CreateTruncating(labelSmoothing), precision);
    }

    private static SoftmaxPrimitives.HalfLoss HalfLossOf(SoftmaxPrimitives.HalfLoss kind, LossOutput output)
        => kind | output switch
        {
            LossOutput.PerPosition => SoftmaxPrimitives.HalfLoss.PerPosition,
            LossOutput.Gradient => SoftmaxPrimitives.HalfLoss.Gradient,
            _ => 0,
        };

    // The per-position losses or the gradient that the output mode writes, checked against the logits' shape.
    private static void LossOutputs<T, TLoss>(
        in ReadOnlyTensorSpan<T> logits, ReadOnlySpan<nint> positions, in TensorSpan<TLoss> losses, in TensorSpan<T> logitsGradient,
        LossOutput output, out Span<TLoss> perPosition, out Span<T> gradient)
        where T : unmanaged
        where TLoss : unmanaged
    {
        perPosition = default;
        gradient = default;
        if (output == LossOutput.PerPosition)
        {
            SameLengths(positions, losses.Lengths, nameof(logits) + " without the class axis", nameof(losses));
            perPosition = Dense(losses, nameof(losses));
        }
        else if (output == LossOutput.Gradient)
        {
            SameLengths(logits.Lengths, logitsGradient.Lengths, nameof(logits), nameof(logitsGradient));
            gradient = Dense(logitsGradient, nameof(logitsGradient));
        }
    }

    private static double ProbabilityLoss<T, TLoss>(
        in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targetProbabilities, in TensorSpan<TLoss> losses, in TensorSpan<T> logitsGradient,
        LossOutput output, int axis, LossReduction reduction, TLoss labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoss : unmanaged, IFloatingPointIeee754<TLoss>
    {
        Shape shape = Shape.ClassAxis(logits.Lengths, axis, nameof(logits));
        ReadOnlySpan<T> x = Dense(logits, nameof(logits));
        SameLengths(logits.Lengths, targetProbabilities.Lengths, nameof(logits), nameof(targetProbabilities));
        ReadOnlySpan<T> p = Dense(targetProbabilities, nameof(targetProbabilities));
        Span<nint> positions = stackalloc nint[Math.Max(1, logits.Rank - 1)];
        shape.Positions(logits.Lengths, positions);
        LossOutputs(logits, positions, losses, logitsGradient, output, out Span<TLoss> l, out Span<T> g);
        if (typeof(T) == typeof(Half))
        {
            return SoftmaxPrimitives.HalfSpatialLoss(
                HalfLossOf(SoftmaxPrimitives.HalfLoss.Probabilities, output), MemoryMarshal.Cast<T, Half>(x), [], [], MemoryMarshal.Cast<T, Half>(p), MemoryMarshal.Cast<TLoss, float>(l), MemoryMarshal.Cast<T, Half>(g),
                shape.KernelClasses, shape.KernelInner, reduction, [], 0, float.CreateTruncating(labelSmoothing), precision);
        }

        return SoftmaxPrimitives.SpatialProbabilityCrossEntropy(
            x, p, MemoryMarshal.Cast<TLoss, T>(l), g, output == LossOutput.PerPosition, output == LossOutput.Gradient, shape.KernelClasses, shape.KernelInner, reduction, T.CreateTruncating(labelSmoothing), precision);
    }

    private static double Nll<T, TLoss>(
        in ReadOnlyTensorSpan<T> logProbabilities, in ReadOnlyTensorSpan<int> targets, in ReadOnlyTensorSpan<long> longTargets, in TensorSpan<TLoss> losses,
        bool perPosition, int axis, LossReduction reduction, ReadOnlySpan<TLoss> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TLoss : unmanaged, IFloatingPointIeee754<TLoss>
    {
        Shape shape = Shape.ClassAxis(logProbabilities.Lengths, axis, nameof(logProbabilities));
        ReadOnlySpan<T> lp = Dense(logProbabilities, nameof(logProbabilities));
        Span<nint> positions = stackalloc nint[Math.Max(1, logProbabilities.Rank - 1)];
        shape.Positions(logProbabilities.Lengths, positions);
        scoped ReadOnlySpan<int> t = default;
        scoped ReadOnlySpan<long> t64 = default;
        if (longTargets.Rank > 0)
        {
            SameLengths(positions, longTargets.Lengths, nameof(logProbabilities) + " without the class axis", nameof(targets));
            t64 = Dense(longTargets, nameof(targets));
        }
        else
        {
            SameLengths(positions, targets.Lengths, nameof(logProbabilities) + " without the class axis", nameof(targets));
            t = Dense(targets, nameof(targets));
        }

        scoped Span<TLoss> l = default;
        if (perPosition)
        {
            SameLengths(positions, losses.Lengths, nameof(logProbabilities) + " without the class axis", nameof(losses));
            l = Dense(losses, nameof(losses));
        }

        if (typeof(T) == typeof(Half))
        {
            return SoftmaxPrimitives.HalfSpatialLoss(
                SoftmaxPrimitives.HalfLoss.Nll | (perPosition ? SoftmaxPrimitives.HalfLoss.PerPosition : 0), MemoryMarshal.Cast<T, Half>(lp), t, t64, [], MemoryMarshal.Cast<TLoss, float>(l), [],
                shape.KernelClasses, shape.KernelInner, reduction, MemoryMarshal.Cast<TLoss, float>(classWeights), ignoreIndex, 0, SoftmaxPrecision.Exact);
        }

        return SoftmaxPrimitives.SpatialNllLoss(lp, t, t64, MemoryMarshal.Cast<TLoss, T>(l), perPosition, shape.KernelClasses, shape.KernelInner, reduction, MemoryMarshal.Cast<TLoss, T>(classWeights), ignoreIndex);
    }

    private static void ArgmaxAxis<T>(in ReadOnlyTensorSpan<T> logits, in TensorSpan<int> predictions, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Shape shape = Shape.Along(logits.Lengths, axis, nameof(logits));
        ReadOnlySpan<T> x = Dense(logits, nameof(logits));
        Span<nint> positions = stackalloc nint[Math.Max(1, logits.Rank - 1)];
        shape.Positions(logits.Lengths, positions);
        SameLengths(positions, predictions.Lengths, $"{nameof(logits)} without axis {shape.Axis}", nameof(predictions));
        Span<int> y = Dense(predictions, nameof(predictions));
        SoftmaxGuard.Predictions(x, y, shape.Outer * shape.Inner);
        if (x.IsEmpty)
        {
            return;
        }

        if (shape.Inner == 1)
        {
            SoftmaxPrimitives.ArgmaxChecked(x, y, shape.Classes);
            return;
        }

        // Blocks of positions gathered into rows, so the row kernels (a registered kernel's included) pick each one.
        int block = SpatialLosses.BlockPositions(shape.Classes, shape.Inner);
        T[] rows = ArrayPool<T>.Shared.Rent(block * shape.Classes);
        try
        {
            for (int o = 0; o < shape.Outer; o++)
            {
                for (int start = 0; start < shape.Inner; start += block)
                {
                    int count = Math.Min(block, shape.Inner - start);
                    Span<T> r = rows.AsSpan(0, count * shape.Classes);
                    SpatialLosses.Gather(x, r, ((nint)o * shape.Classes * shape.Inner) + start, shape.Inner, count, shape.Classes);
                    SoftmaxPrimitives.ArgmaxChecked<T>(r, y.Slice((o * shape.Inner) + start, count), shape.Classes);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rows);
        }
    }

    // TProbability is T, or float for Half logits.
    private static void TopKAxis<T, TProbability>(in ReadOnlyTensorSpan<T> logits, int k, in TensorSpan<int> indices, in TensorSpan<TProbability> probabilities, int axis, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TProbability : unmanaged
    {
        Shape shape = Shape.Along(logits.Lengths, axis, nameof(logits));
        SoftmaxGuard.TopK(k, shape.Classes);
        ReadOnlySpan<T> x = Dense(logits, nameof(logits));
        Span<nint> selected = stackalloc nint[logits.Rank];
        logits.Lengths.CopyTo(selected);
        selected[shape.Axis] = k;
        SameLengths(selected, indices.Lengths, $"{nameof(logits)} with k along axis {shape.Axis}", nameof(indices));
        SameLengths(selected, probabilities.Lengths, $"{nameof(logits)} with k along axis {shape.Axis}", nameof(probabilities));
        Span<int> ix = Dense(indices, nameof(indices));
        Span<TProbability> px = Dense(probabilities, nameof(probabilities));
        int positions = shape.Outer * shape.Inner;
        SoftmaxGuard.TopKOutputsOf(x, ix, px, positions, k);
        SoftmaxGuard.Precision(precision);
        if (x.IsEmpty)
        {
            return;
        }

        if (shape.Inner == 1)
        {
            RowsTopK(x, k, ix, px, shape.Classes, precision);
            return;
        }

        // Blocks of positions gathered into rows; each row's k results are scattered back along the axis.
        int block = SpatialLosses.BlockPositions(shape.Classes, shape.Inner);
        T[] rows = ArrayPool<T>.Shared.Rent(block * shape.Classes);
        TProbability[] rowProbabilities = ArrayPool<TProbability>.Shared.Rent(block * k);
        int[] rowIndices = ArrayPool<int>.Shared.Rent(block * k);
        try
        {
            for (int o = 0; o < shape.Outer; o++)
            {
                for (int start = 0; start < shape.Inner; start += block)
                {
                    int count = Math.Min(block, shape.Inner - start);
                    Span<T> r = rows.AsSpan(0, count * shape.Classes);
                    SpatialLosses.Gather(x, r, ((nint)o * shape.Classes * shape.Inner) + start, shape.Inner, count, shape.Classes);
                    Span<int> ri = rowIndices.AsSpan(0, count * k);
                    Span<TProbability> rp = rowProbabilities.AsSpan(0, count * k);
                    RowsTopK<T, TProbability>(r, k, ri, rp, shape.Classes, precision);
                    nint first = ((nint)o * k * shape.Inner) + start;
                    SpatialLosses.Scatter<int>(ri, ix, first, shape.Inner, count, k);
                    SpatialLosses.Scatter<TProbability>(rp, px, first, shape.Inner, count, k);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rows);
            ArrayPool<TProbability>.Shared.Return(rowProbabilities);
            ArrayPool<int>.Shared.Return(rowIndices);
        }
    }

    // Validated rows: Half through the span API's bridge (which checks again in O(1)), float and double directly.
    private static void RowsTopK<T, TProbability>(ReadOnlySpan<T> rows, int k, Span<int> indices, Span<TProbability> probabilities, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TProbability : unmanaged
    {
        if (typeof(T) == typeof(Half))
            SoftmaxPrimitives.TopK(MemoryMarshal.Cast<T, Half>(rows), k, indices, MemoryMarshal.Cast<TProbability, float>(probabilities), classes, precision);
        else
            SoftmaxFallback.TopKDispatched(rows, k, indices, MemoryMarshal.Cast<TProbability, T>(probabilities), classes, precision);
    }

    /// <summary>The memory of a dense tensor as a span; throws naming it if it is not dense.</summary>
    private static ReadOnlySpan<T> Dense<T>(in ReadOnlyTensorSpan<T> tensor, string name)
    {
        RequireDense(tensor.Lengths, tensor.Strides, tensor.FlattenedLength, name);
        return tensor.FlattenedLength == 0 ? default : MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), (int)tensor.FlattenedLength);
    }

    /// <inheritdoc cref="Dense{T}(in ReadOnlyTensorSpan{T}, string)"/>
    private static Span<T> Dense<T>(in TensorSpan<T> tensor, string name)
    {
        RequireDense(tensor.Lengths, tensor.Strides, tensor.FlattenedLength, name);
        return tensor.FlattenedLength == 0 ? default : MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), (int)tensor.FlattenedLength);
    }

    /// <summary>
    /// Checks that a tensor is row-major and contiguous (each axis longer than 1 has the stride of the axes after it), so
    /// that its values are one span; and that the span fits an <see cref="int"/> length.
    /// </summary>
    private static void RequireDense(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, nint flattened, string name)
    {
        if (flattened > int.MaxValue)
        {
            throw new ArgumentException($"{name} holds {flattened} values; at most int.MaxValue ({int.MaxValue}) are supported.", name);
        }

        if (flattened == 0)
        {
            return;
        }

        nint expected = 1;
        for (int d = lengths.Length - 1; d >= 0; d--)
        {
            if (lengths[d] > 1 && strides[d] != expected)
            {
                throw new ArgumentException(
                    $"{name} is not dense: lengths {Text(lengths)} with strides {Text(strides)}, where a row-major contiguous tensor has strides {Text(RowMajorStrides(lengths))}. " +
                    "Copy it into a dense tensor first (Tensor<T>.ToDenseTensor(), or CopyTo a dense TensorSpan<T>).",
                    name);
            }

            expected *= lengths[d];
        }
    }

    private static nint[] RowMajorStrides(ReadOnlySpan<nint> lengths)
    {
        var strides = new nint[lengths.Length];
        nint stride = 1;
        for (int d = lengths.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= lengths[d];
        }

        return strides;
    }

    private static void SameLengths(ReadOnlySpan<nint> expected, ReadOnlySpan<nint> actual, string expectedName, string actualName)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new ArgumentException($"{actualName} has shape {Text(actual)}; it must have the shape of {expectedName}, {Text(expected)}.", actualName);
        }
    }

    private static string Text(ReadOnlySpan<nint> values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            parts[i] = values[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }

    /// <summary>A dense tensor seen as <c>[outer, classes, inner]</c> around one axis.</summary>
    private readonly struct Shape
    {
        private Shape(int axis, int outer, int classes, int inner)
        {
            Axis = axis;
            Outer = outer;
            Classes = classes;
            Inner = inner;
        }

        /// <summary>The axis, from 0.</summary>
        public int Axis { get; }

        /// <summary>The product of the lengths before the axis.</summary>
        public int Outer { get; }

        /// <summary>The axis' length.</summary>
        public int Classes { get; }

        /// <summary>The product of the lengths after the axis.</summary>
        public int Inner { get; }

        /// <summary>The class count the span API is called with: at least 1 when there is no value (PyTorch gives an empty result).</summary>
        public int KernelClasses => Classes == 0 && Outer * Inner == 0 ? 1 : Classes;

        /// <summary>The positions per plane the span API is called with: at least 1 (with no value, outer is then 0).</summary>
        public int KernelInner => Math.Max(Inner, 1);

        /// <summary>Any axis, negative counting from the end.</summary>
        public static Shape Along(ReadOnlySpan<nint> lengths, int axis, string inputName)
        {
            int rank = lengths.Length;
            if (rank == 0)
            {
                throw new ArgumentException($"{inputName} has rank 0; it needs an axis to work along.", inputName);
            }

            if (axis < -rank || axis >= rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis is {axis}; a tensor of rank {rank} has axes -{rank} to {rank - 1}.");
            }

            int a = axis < 0 ? axis + rank : axis;
            long outer = 1, inner = 1;
            for (int d = 0; d < a; d++)
                outer *= lengths[d];
            for (int d = a + 1; d < rank; d++)
                inner *= lengths[d];

            // Products of lengths whose total is at most int.MaxValue, or 0 with an empty axis (then each part is checked).
            if (outer > int.MaxValue || inner > int.MaxValue || lengths[a] > int.MaxValue)
            {
                throw new ArgumentException($"{inputName} has lengths {Text(lengths)}; each part around axis {a} must hold at most int.MaxValue values.", inputName);
            }

            return new Shape(a, (int)outer, (int)lengths[a], (int)inner);
        }

        /// <summary>The class axis of a loss: 1, or the last one, as PyTorch's class dimension.</summary>
        public static Shape ClassAxis(ReadOnlySpan<nint> lengths, int axis, string inputName)
        {
            Shape shape = Along(lengths, axis, inputName);
            int rank = lengths.Length;
            if (shape.Axis != 1 && shape.Axis != rank - 1)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(axis), axis,
                    $"axis is {axis}; the class axis of a loss is 1 ([N, C, d1..dk], PyTorch's class dimension) or the last axis ([..., C]), and a tensor of rank {rank} has axis {shape.Axis} at that place.");
            }

            if (shape.Classes == 0 && shape.Outer * (long)shape.Inner != 0)
            {
                throw new ArgumentException($"{inputName} has lengths {Text(lengths)}: its class axis {shape.Axis} is empty.", inputName);
            }

            return shape;
        }

        /// <summary>The lengths without the axis (<c>[1]</c> for a vector): the shape of targets, per-position losses and argmax.</summary>
        public void Positions(ReadOnlySpan<nint> lengths, Span<nint> positions)
        {
            if (lengths.Length == 1)
            {
                positions[0] = 1;
                return;
            }

            lengths.Slice(0, Axis).CopyTo(positions);
            lengths.Slice(Axis + 1).CopyTo(positions.Slice(Axis));
        }
    }

}
