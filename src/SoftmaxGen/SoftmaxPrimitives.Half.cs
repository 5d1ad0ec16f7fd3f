using System.Numerics.Tensors;
using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <content>
/// <see cref="Half"/> logits (fp16 models): validated like float, then converted a block of rows at a time to float by
/// <see cref="HalfRows"/>, computed by the float kernels and, for outputs of the logits' shape, rounded once to Half.
/// </content>
/// <remarks>
/// A Half result is the float result rounded to nearest Half, so it is within 1 Half ULP (plus float's own bound, about
/// 2^-13 of a Half ULP) of the exact value, in either precision: Fast adds the rounding of x - max, at most
/// |x - max| x 2^-24, and a probability that Half can hold has |x - max| below 17.4, so that is below 2^-19 as well. Half has normals down to 2^-14 (6.1e-5) and subnormals down to 2^-24 (6e-8):
/// smaller probabilities lose relative precision gradually and those below 2^-25 round to 0, as a Half conversion does.
/// A log-probability below -65504 (logits more than 65504 apart) is -inf in Half; the float output overloads keep it.
/// Losses and log-sum-exp reduce, so they are returned in float.
/// </remarks>
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The softmax of each row of Half logits, computed in float and rounded once to Half (within 1 Half ULP; results
    /// below 2^-14 are Half subnormals, below 2^-25 they are 0). See <see cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void Softmax(ReadOnlySpan<Half> logits, Span<Half> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfRowsChecked(logits, probabilities, classes, nameof(probabilities), log: false, precision);

    /// <summary>The softmax of each row of Half logits, in float (the float kernels' result and bound).</summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="probabilities">Receives <c>rows x classes</c> probabilities; separate memory from <paramref name="logits"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="probabilities"/> is shorter than <paramref name="logits"/> or overlaps it.</exception>
    public static void Softmax(ReadOnlySpan<Half> logits, Span<float> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfRowsChecked(logits, probabilities, classes, nameof(probabilities), log: false, precision);

    /// <summary>
    /// The log-softmax of each row of Half logits, computed in float and rounded once to Half (within 1 Half ULP).
    /// See <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void LogSoftmax(ReadOnlySpan<Half> logits, Span<Half> logProbabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfRowsChecked(logits, logProbabilities, classes, nameof(logProbabilities), log: true, precision);

    /// <summary>The log-softmax of each row of Half logits, in float (the float kernels' result and bound).</summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="logProbabilities">Receives <c>rows x classes</c> log-probabilities; separate memory from <paramref name="logits"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="logProbabilities"/> is shorter than <paramref name="logits"/> or overlaps it.</exception>
    public static void LogSoftmax(ReadOnlySpan<Half> logits, Span<float> logProbabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfRowsChecked(logits, logProbabilities, classes, nameof(logProbabilities), log: true, precision);

    /// <inheritdoc cref="Argmax(ReadOnlySpan{float}, Span{int}, int)"/>
    public static void Argmax(ReadOnlySpan<Half> logits, Span<int> predictions, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        var block = new HalfBlock { Op = HalfOp.Argmax, Classes = classes, Predictions = predictions };
        HalfRows.Run(logits, rows, classes, ref block);
    }

    /// <summary>log(sum(e^x)) of each row of Half logits, in float, as <see cref="LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>.</summary>
    /// <inheritdoc cref="LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void LogSumExp(ReadOnlySpan<Half> logits, Span<float> results, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.PerRowLength(results.Length, rows, nameof(results));
        SoftmaxGuard.Disjoint<float, Half>(results, logits, nameof(results), nameof(logits));
        SoftmaxGuard.Precision(precision);
        var block = new HalfBlock { Op = HalfOp.LogSumExp, Classes = classes, Precision = precision, FloatOutput = results };
        HalfRows.Run(logits, rows, classes, ref block);
    }

    /// <summary>
    /// The cross-entropy loss of Half logits against class-index targets, reduced over the rows, computed in float with
    /// the options, messages and semantics of
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>.
    /// </summary>
    /// <remarks>
    /// The rows are computed a block at a time (about 4,096 values) and the blocks' sums added in double, so the result
    /// can differ from the float overload on the converted logits by the rounding of those additions (a few double ULPs
    /// of the sum), so at most one float ULP apart after the rounding to float, and usually the same float.
    /// </remarks>
    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Reduction(reduction);
        bool plain = SoftmaxGuard.CrossEntropyOptions(targets, rows, classes, classWeights, ignoreIndex, labelSmoothing);
        SoftmaxGuard.Precision(precision);
        // As the float form: the mean of the options form divides by the counted weight of the whole batch.
        double scale = !plain && reduction == LossReduction.Mean ? 1 / SoftmaxFallback.CountedWeight(targets, classWeights, ignoreIndex) : 1;
        var block = new HalfBlock
        {
            Op = plain ? HalfOp.PlainCrossEntropy : HalfOp.CrossEntropyWithOptions, Classes = classes, Precision = precision,
            Targets = targets, ClassWeights = classWeights, IgnoreIndex = ignoreIndex, LabelSmoothing = labelSmoothing, Scale = scale,
        };
        HalfRows.Run(logits, rows, classes, ref block);
        return (float)(plain
            ? SoftmaxGuard.Reduce(block.Sum, rows, reduction)
            : SoftmaxFallback.CombineOptionTerms(block.Sum, block.Smooth, labelSmoothing, classes, scale));
    }

    /// <summary>
    /// The cross-entropy loss of each row of Half logits against its class-index target, in float, as
    /// <see cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    /// (the same bits as that overload on the converted logits).
    /// </summary>
    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, Span<float> losses, int classes, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        bool plain = SoftmaxGuard.CrossEntropyOptions(targets, rows, classes, classWeights, ignoreIndex, labelSmoothing);
        SoftmaxGuard.PerRowLength(losses.Length, rows, nameof(losses));
        SoftmaxGuard.Disjoint<float, Half>(losses, logits, nameof(losses), nameof(logits));
        SoftmaxGuard.Disjoint<float, int>(losses, targets, nameof(losses), nameof(targets));
        SoftmaxGuard.Disjoint<float, float>(losses, classWeights, nameof(losses), nameof(classWeights));
        SoftmaxGuard.Precision(precision);
        var block = new HalfBlock
        {
            Op = plain ? HalfOp.PlainCrossEntropy : HalfOp.CrossEntropyWithOptions, Classes = classes, Precision = precision,
            Targets = targets, ClassWeights = classWeights, IgnoreIndex = ignoreIndex, LabelSmoothing = labelSmoothing, Scale = 1,
            FloatOutput = losses,
        };
        HalfRows.Run(logits, rows, classes, ref block);
    }

    /// <summary>
    /// The cross-entropy of Half logits against class-index targets and its gradient, computed in float with the
    /// options and semantics of
    /// <see cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>;
    /// the gradient is the float gradient rounded once to Half, the loss is returned in float (block sums added in double).
    /// </summary>
    /// <inheritdoc cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, Span<Half> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Reduction(reduction);
        bool plain = SoftmaxGuard.CrossEntropyOptions(targets, rows, classes, classWeights, ignoreIndex, labelSmoothing);
        SoftmaxGuard.SameShapeOutput(logits, logitsGradient, nameof(logits), nameof(logitsGradient));
        SoftmaxGuard.Disjoint<Half, int>(logitsGradient, targets, nameof(logitsGradient), nameof(targets));
        SoftmaxGuard.Disjoint<Half, float>(logitsGradient, classWeights, nameof(logitsGradient), nameof(classWeights));
        SoftmaxGuard.Precision(precision);
        // The float form's two paths: short plain rows by the lane-wise kernels, the rest by the fused pass with options.
        bool shortPlain = plain && classes < SoftmaxFallback.PlainGradientClassLimit;
        double scale = reduction == LossReduction.Sum ? 1 : shortPlain ? 1.0 / rows : 1 / SoftmaxFallback.CountedWeight(targets, classWeights, ignoreIndex);
        var block = new HalfBlock
        {
            Op = shortPlain ? HalfOp.PlainCrossEntropyWithGradient : HalfOp.CrossEntropyWithOptions, Classes = classes, Precision = precision,
            Targets = targets, ClassWeights = classWeights, IgnoreIndex = ignoreIndex, LabelSmoothing = labelSmoothing, Scale = scale,
            HalfOutput = logitsGradient,
        };
        HalfRows.Run(logits, rows, classes, ref block);
        return (float)(shortPlain
            ? SoftmaxGuard.Reduce(block.Sum, rows, reduction)
            : SoftmaxFallback.CombineOptionTerms(block.Sum, block.Smooth, labelSmoothing, classes, scale));
    }

    /// <summary>
    /// The negative log-likelihood of Half log-probabilities against class targets, in float, as
    /// <see cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/> (block sums added in double).
    /// </summary>
    /// <inheritdoc cref="NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(ReadOnlySpan<Half> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
    {
        int rows = SoftmaxGuard.Rows(logProbabilities.Length, classes, nameof(logProbabilities));
        SoftmaxGuard.Targets(targets, rows, classes, ignoreIndex);
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.ClassWeights(classWeights, classes);
        var block = new HalfBlock { Op = HalfOp.NllLoss, Classes = classes, Targets = targets, ClassWeights = classWeights, IgnoreIndex = ignoreIndex };
        HalfRows.Run(logProbabilities, rows, classes, ref block);
        return (float)(reduction == LossReduction.Mean ? block.Sum / SoftmaxFallback.CountedWeight(targets, classWeights, ignoreIndex) : block.Sum);
    }

    /// <summary>
    /// The k most probable classes of each row of Half logits, with their probabilities in float, as
    /// <see cref="TopK(ReadOnlySpan{float}, int, Span{int}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <inheritdoc cref="TopK(ReadOnlySpan{float}, int, Span{int}, Span{float}, int, SoftmaxPrecision)"/>
    public static void TopK(ReadOnlySpan<Half> logits, int k, Span<int> indices, Span<float> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        SoftmaxGuard.Precision(precision);
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.TopK(k, classes);
        SoftmaxGuard.TopKOutputsOf(logits, indices, probabilities, rows, k);
        var block = new HalfBlock { Op = HalfOp.TopK, Classes = classes, Precision = precision, K = k, Predictions = indices, FloatOutput = probabilities };
        HalfRows.Run(logits, rows, classes, ref block);
    }

    /// <summary>
    /// The binary cross-entropy of Half logits against Half targets, in float, as
    /// <see cref="BinaryCrossEntropyWithLogits(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction, float)"/> on the
    /// converted values (PyTorch's <c>F.binary_cross_entropy_with_logits</c> on fp16 tensors, computed in float).
    /// </summary>
    /// <remarks>Each element is computed in double from the float values, a block of 4,096 at a time; the blocks' sums are added in double.</remarks>
    /// <inheritdoc cref="BinaryCrossEntropyWithLogits(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction, float)"/>
    public static float BinaryCrossEntropyWithLogits(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targets, LossReduction reduction = LossReduction.Mean, float positiveWeight = 1)
    {
        SoftmaxGuard.ElementTargets(logits.Length, targets.Length, nameof(logits));
        SoftmaxGuard.Reduction(reduction);
        var block = new HalfBlock { Op = HalfOp.BinaryCrossEntropyWithLogits, Classes = 1, HalfTargets = targets, PositiveWeight = positiveWeight };
        HalfRows.Run(logits, logits.Length, 1, ref block);
        return (float)SoftmaxGuard.Reduce(block.Sum, logits.Length, reduction);
    }

    /// <summary>
    /// The binary cross-entropy of Half probabilities against Half targets, in float, as
    /// <see cref="BinaryCrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction)"/> on the converted values
    /// (PyTorch's <c>F.binary_cross_entropy</c>, each log clamped at -100).
    /// </summary>
    /// <remarks>Prefer <see cref="BinaryCrossEntropyWithLogits(ReadOnlySpan{Half}, ReadOnlySpan{Half}, LossReduction, float)"/> when the probabilities come from a sigmoid: Half probabilities saturate at 1 from a logit of about 8.</remarks>
    /// <inheritdoc cref="BinaryCrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, LossReduction)"/>
    public static float BinaryCrossEntropy(ReadOnlySpan<Half> probabilities, ReadOnlySpan<Half> targets, LossReduction reduction = LossReduction.Mean)
    {
        SoftmaxGuard.ElementTargets(probabilities.Length, targets.Length, nameof(probabilities));
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.UnitInterval(probabilities);
        var block = new HalfBlock { Op = HalfOp.BinaryCrossEntropy, Classes = 1, HalfTargets = targets };
        HalfRows.Run(probabilities, probabilities.Length, 1, ref block);
        return (float)SoftmaxGuard.Reduce(block.Sum, probabilities.Length, reduction);
    }

    /// <summary>The logistic sigmoid of each Half value, computed in float and rounded once to Half, as <see cref="Sigmoid(ReadOnlySpan{float}, Span{float})"/>.</summary>
    /// <inheritdoc cref="Sigmoid(ReadOnlySpan{float}, Span{float})"/>
    public static void Sigmoid(ReadOnlySpan<Half> logits, Span<Half> probabilities)
    {
        SoftmaxGuard.SameShapeOutput(logits, probabilities, nameof(logits), nameof(probabilities));
        // Element-wise: each value is a row of one.
        var block = new HalfBlock { Op = HalfOp.Sigmoid, Classes = 1, HalfOutput = probabilities };
        HalfRows.Run(logits, logits.Length, 1, ref block);
    }

    /// <summary>
    /// The softmax over the middle axis of <c>[outer, classes, innerSize]</c> Half data, computed in float and rounded once
    /// to Half, as <see cref="Softmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <param name="input">Row-major <c>[outer, classes, innerSize]</c> values.</param>
    /// <param name="output">Receives the result; may be the same memory as <paramref name="input"/>, but may not partly overlap it.</param>
    /// <param name="classes">The size of the normalised axis, at least 1.</param>
    /// <param name="innerSize">The number of positions after the axis, at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="input"/> is not a whole number of planes, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
    public static void Softmax(ReadOnlySpan<Half> input, Span<Half> output, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfAxisChecked(input, output, classes, innerSize, HalfOp.AxisSoftmax, precision);

    /// <summary>The log-softmax over the middle axis of <c>[outer, classes, innerSize]</c> Half data, rounded once to Half, as <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, int, SoftmaxPrecision)"/>.</summary>
    /// <param name="input">Row-major <c>[outer, classes, innerSize]</c> values.</param>
    /// <param name="output">Receives the result; may be the same memory as <paramref name="input"/>, but may not partly overlap it.</param>
    /// <param name="classes">The size of the normalised axis, at least 1.</param>
    /// <param name="innerSize">The number of positions after the axis, at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="input"/> is not a whole number of planes, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
    public static void LogSoftmax(ReadOnlySpan<Half> input, Span<Half> output, int classes, int innerSize, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => HalfAxisChecked(input, output, classes, innerSize, HalfOp.AxisLogSoftmax, precision);

    private static void HalfAxisChecked(ReadOnlySpan<Half> input, Span<Half> output, int classes, int innerSize, HalfOp op, SoftmaxPrecision precision)
    {
        int outer = SoftmaxGuard.AxisOuter(input.Length, classes, innerSize, nameof(input));
        SoftmaxGuard.SameShapeOutput(input, output, nameof(input), nameof(output));
        SoftmaxGuard.Precision(precision);
        if (innerSize == 1)
        {
            // The row form, which runs a registered kernel of the class count.
            op = op == HalfOp.AxisLogSoftmax ? HalfOp.LogSoftmax : HalfOp.Softmax;
        }

        // A [classes, innerSize] plane is the bridge's row (it fits an int whenever there is one).
        int plane = outer == 0 ? 1 : classes * innerSize;
        var block = new HalfBlock { Op = op, Classes = plane, AxisClasses = classes, Precision = precision, HalfOutput = output };
        HalfRows.Run(input, outer, plane, ref block);
    }

    /// <summary>The row softmax and log-softmax of Half logits; <typeparamref name="TOutput"/> is Half (rounded once; may be in place) or float.</summary>
    private static void HalfRowsChecked<TOutput>(ReadOnlySpan<Half> logits, Span<TOutput> output, int classes, string outputName, bool log, SoftmaxPrecision precision)
        where TOutput : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        var block = new HalfBlock { Op = log ? HalfOp.LogSoftmax : HalfOp.Softmax, Classes = classes, Precision = precision };
        if (typeof(TOutput) == typeof(Half))
        {
            // Rounded from the block's float scratch, so a Half output may be the logits' own memory.
            block.HalfOutput = MemoryMarshal.Cast<TOutput, Half>(output);
            SoftmaxGuard.SameShapeOutput(logits, block.HalfOutput, nameof(logits), outputName);
        }
        else
        {
            // Four bytes a value to the logits' two: a float output over the logits would overwrite rows not yet converted.
            block.FloatOutput = MemoryMarshal.Cast<TOutput, float>(output);
            SoftmaxGuard.ConvertedOutput(logits, block.FloatOutput, nameof(logits), outputName);
        }

        SoftmaxGuard.Precision(precision);
        HalfRows.Run(logits, rows, classes, ref block);
    }

    private enum HalfOp
    {
        Softmax,
        LogSoftmax,
        Argmax,
        LogSumExp,
        PlainCrossEntropy,
        PlainCrossEntropyWithGradient,
        CrossEntropyWithOptions,
        NllLoss,
        TopK,
        Sigmoid,
        AxisSoftmax,
        AxisLogSoftmax,
        BinaryCrossEntropyWithLogits,
        BinaryCrossEntropy,
    }

    /// <summary>
    /// Every Half operation's block: the float code each runs on validated, converted rows, writing its slice of the
    /// output (Half outputs rounded once by <see cref="TensorPrimitives.ConvertToHalf(ReadOnlySpan{float}, Span{Half})"/>)
    /// and summing the losses of the blocks in double.
    /// </summary>
    private ref struct HalfBlock : IHalfRowBlock
    {
        public HalfOp Op;
        public int Classes;
        public SoftmaxPrecision Precision;
        public Span<Half> HalfOutput;
        public Span<float> FloatOutput;
        public Span<int> Predictions;
        public ReadOnlySpan<int> Targets;
        public ReadOnlySpan<float> ClassWeights;
        public ReadOnlySpan<Half> HalfTargets;
        public float PositiveWeight;
        public int IgnoreIndex;
        public int K;
        public int AxisClasses;
        public float LabelSmoothing;
        public double Scale;
        public double Sum;
        public double Smooth;

        public void Run(scoped Span<float> logits, scoped Span<float> companion, int firstRow, int rows)
        {
            int start = firstRow * Classes;
            int length = rows * Classes;
            Span<float> perRow = FloatOutput.IsEmpty || Op == HalfOp.TopK || Op <= HalfOp.LogSoftmax ? default : FloatOutput.Slice(firstRow, rows);
            ReadOnlySpan<int> targets = Targets.IsEmpty ? default : Targets.Slice(firstRow, rows);
            switch (Op)
            {
                case HalfOp.Softmax or HalfOp.LogSoftmax:
                    bool log = Op == HalfOp.LogSoftmax;
                    if (HalfOutput.IsEmpty)
                    {
                        SoftmaxRows<float>(logits, FloatOutput.Slice(start, length), rows, Classes, log, Precision);
                    }
                    else
                    {
                        // In place in the scratch, then rounded once into the output (which may be the logits).
                        SoftmaxRows<float>(logits, logits, rows, Classes, log, Precision);
                        TensorPrimitives.ConvertToHalf(logits, HalfOutput.Slice(start, length));
                    }

                    break;
                case HalfOp.Argmax:
                    ArgmaxRows<float>(logits, Predictions.Slice(firstRow, rows), rows, Classes);
                    break;
                case HalfOp.LogSumExp:
                    SoftmaxFallback.LogSumExp(logits, perRow, Classes, Precision);
                    break;
                case HalfOp.PlainCrossEntropy:
                    Sum += SoftmaxKernelRegistry.Find(Classes, Precision) is { } kernel
                        ? SoftmaxFallback.KernelCrossEntropy<float>(kernel, logits, targets, perRow, rows)
                        : SoftmaxFallback.CrossEntropyRows<float>(logits, targets, perRow, rows, Classes, Precision);
                    break;
                case HalfOp.PlainCrossEntropyWithGradient:
                    // The gradient overwrites the converted logits after the loss has read them.
                    Sum += SoftmaxFallback.PlainCrossEntropyWithGradientSum(SoftmaxKernelRegistry.Find(Classes, Precision), logits, targets, logits, rows, Classes, Scale, Precision);
                    TensorPrimitives.ConvertToHalf(logits, HalfOutput.Slice(start, length));
                    break;
                case HalfOp.CrossEntropyWithOptions:
                    Span<float> gradient = HalfOutput.IsEmpty ? default : logits;
                    (double nll, double smooth) = SoftmaxFallback.CrossEntropyWithOptionsTerms(
                        logits, targets, perRow, gradient, rows, Classes, ClassWeights, IgnoreIndex, LabelSmoothing, Scale, Precision);
                    Sum += nll;
                    Smooth += smooth;
                    if (!HalfOutput.IsEmpty)
                    {
                        TensorPrimitives.ConvertToHalf(logits, HalfOutput.Slice(start, length));
                    }

                    break;
                case HalfOp.NllLoss:
                    Sum += SoftmaxFallback.NllLossCore<float>(logits, targets, Classes, LossReduction.Sum, ClassWeights, IgnoreIndex);
                    break;
                case HalfOp.TopK:
                    SoftmaxFallback.TopKDispatched<float>(logits, K, Predictions.Slice(firstRow * K, rows * K), FloatOutput.Slice(firstRow * K, rows * K), Classes, Precision);
                    break;
                case HalfOp.BinaryCrossEntropyWithLogits or HalfOp.BinaryCrossEntropy:
                    // One value per row: the block's targets are converted beside its logits.
                    Span<float> blockTargets = stackalloc float[rows];
                    TensorPrimitives.ConvertToSingle(HalfTargets.Slice(firstRow, rows), blockTargets);
                    Sum += Op == HalfOp.BinaryCrossEntropy
                        ? BinaryKernels.BinaryCrossEntropy<float>(logits, blockTargets)
                        : BinaryKernels.BinaryCrossEntropyWithLogits<float>(logits, blockTargets, PositiveWeight);
                    break;
                case HalfOp.Sigmoid:
                    Sigmoid(logits, logits);
                    TensorPrimitives.ConvertToHalf(logits, HalfOutput.Slice(start, length));
                    break;
                default:
                    SoftmaxFallback.AxisCore<float>(logits, logits, rows, AxisClasses, Classes / AxisClasses, Op == HalfOp.AxisLogSoftmax, Precision);
                    TensorPrimitives.ConvertToHalf(logits, HalfOutput.Slice(start, length));
                    break;
            }
        }
    }
}
