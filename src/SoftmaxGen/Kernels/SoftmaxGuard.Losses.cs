using System.Globalization;

namespace SoftmaxGen.Kernels;

/// <content>Validation of the loss family's options: class weights, ignored targets, label smoothing, target probabilities, epsilon.</content>
public static partial class SoftmaxGuard
{
    /// <summary>Checks class-index targets that may also be <paramref name="ignoreIndex"/>: one per row, each in [0, classes) or equal to it.</summary>
    /// <param name="targets">The targets.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="ignoreIndex">The target value that marks an ignored row.</param>
    /// <returns>The number of ignored rows.</returns>
    /// <exception cref="ArgumentException"><paramref name="targets"/> does not hold one value per row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target is outside [0, classes) and is not <paramref name="ignoreIndex"/>.</exception>
    internal static int Targets(ReadOnlySpan<int> targets, int rows, int classes, int ignoreIndex)
    {
        if (targets.Length != rows)
        {
            throw new ArgumentException(
                $"targets.Length ({targets.Length}) must equal the number of rows ({rows}): one class index per row.",
                nameof(targets));
        }

        int ignored = 0, row = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 8 targets at a time while all are in range or ignored; the scalar loop below takes the rest and finds
            // the first bad target, if any, to name it.
            ref int first = ref MemoryMarshal.GetReference(targets);
            Vector256<uint> limit = Vector256.Create((uint)classes);
            Vector256<int> ignore = Vector256.Create(ignoreIndex), ignoredLanes = Vector256<int>.Zero;
            for (; row <= targets.Length - Vector256<int>.Count; row += Vector256<int>.Count)
            {
                Vector256<int> target = Vector256.LoadUnsafe(ref first, (nuint)row);
                Vector256<int> isIgnored = Vector256.Equals(target, ignore);
                if (!Vector256.EqualsAll(isIgnored | Vector256.LessThan(target.AsUInt32(), limit).AsInt32(), Vector256<int>.AllBitsSet))
                {
                    break;
                }

                ignoredLanes -= isIgnored; // -1 in each ignored lane
            }

            ignored = Vector256.Sum(ignoredLanes);
        }

        return ignored + IgnoredTargets(targets, row, classes, ignoreIndex);
    }

    /// <summary>
    /// Counts the targets from <paramref name="start"/> on that are <paramref name="ignoreIndex"/>, one at a time, and
    /// names the first one outside [0, classes) that is not.
    /// </summary>
    private static int IgnoredTargets<TIndex>(ReadOnlySpan<TIndex> targets, int start, int classes, int ignoreIndex)
        where TIndex : IBinaryInteger<TIndex>
    {
        TIndex ignore = TIndex.CreateTruncating(ignoreIndex), limit = TIndex.CreateTruncating(classes);
        int ignored = 0;
        for (int i = start; i < targets.Length; i++)
        {
            TIndex target = targets[i];
            if (target == ignore)
            {
                ignored++;
            }
            else if (TIndex.IsNegative(target) || target >= limit)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(targets),
                    target,
                    $"targets[{i}] is {target}, outside the class range [0, {classes}) and not ignoreIndex ({ignoreIndex}).");
            }
        }

        return ignored;
    }

    /// <summary>Checks PyTorch-style class weights: empty (every class weighs 1) or one weight per class.</summary>
    /// <param name="classWeights">The weights.</param>
    /// <param name="classes">The class count.</param>
    /// <exception cref="ArgumentException">The weights are neither empty nor <paramref name="classes"/> long.</exception>
    internal static void ClassWeights<T>(ReadOnlySpan<T> classWeights, int classes)
    {
        if (!classWeights.IsEmpty && classWeights.Length != classes)
        {
            throw new ArgumentException(
                $"classWeights.Length ({classWeights.Length}) must equal classes ({classes}): one weight per class, or empty for none.",
                nameof(classWeights));
        }
    }

    /// <summary>Checks a label-smoothing amount: finite and in [0, 1], as PyTorch's <c>label_smoothing</c>.</summary>
    /// <param name="labelSmoothing">The amount.</param>
    /// <exception cref="ArgumentOutOfRangeException">It is NaN, infinite, negative or above 1.</exception>
    internal static void LabelSmoothing<T>(T labelSmoothing)
        where T : IFloatingPointIeee754<T>
    {
        if (!(labelSmoothing >= T.Zero && labelSmoothing <= T.One))
        {
            throw new ArgumentOutOfRangeException(
                nameof(labelSmoothing),
                labelSmoothing,
                $"labelSmoothing is {labelSmoothing.ToString(null, CultureInfo.InvariantCulture)}; it must be in [0, 1].");
        }
    }

    /// <summary>Checks Keras' clipping epsilon: finite and in [0, 0.5], so that [epsilon, 1 - epsilon] is not empty.</summary>
    /// <param name="epsilon">The epsilon.</param>
    /// <exception cref="ArgumentOutOfRangeException">It is NaN, negative or above 0.5.</exception>
    internal static void Epsilon<T>(T epsilon)
        where T : IFloatingPointIeee754<T>
    {
        if (!(epsilon >= T.Zero && epsilon <= T.CreateTruncating(0.5)))
        {
            throw new ArgumentOutOfRangeException(
                nameof(epsilon),
                epsilon,
                $"epsilon is {epsilon.ToString(null, CultureInfo.InvariantCulture)}; it must be in [0, 0.5].");
        }
    }

    /// <summary>Checks an input that must have exactly the shape of <paramref name="input"/> (target probabilities, output gradients).</summary>
    /// <param name="input">The input that fixes the shape.</param>
    /// <param name="other">The input to check.</param>
    /// <param name="inputName">The first input's name.</param>
    /// <param name="otherName">The checked input's name.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    internal static void SameShapeInput<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> other, string inputName, string otherName)
    {
        if (other.Length != input.Length)
        {
            throw new ArgumentException(
                $"{otherName}.Length ({other.Length}) must equal {inputName}.Length ({input.Length}): one value per {inputName} value.",
                otherName);
        }
    }

    /// <summary>Checks that an output does not overlap an input it is computed from (any overlap, in place included).</summary>
    /// <param name="input">The input.</param>
    /// <param name="output">The output.</param>
    /// <param name="inputName">The input's name.</param>
    /// <param name="outputName">The output's name.</param>
    /// <exception cref="ArgumentException">They overlap.</exception>
    internal static void NoOverlap<T>(ReadOnlySpan<T> input, Span<T> output, string inputName, string outputName)
        where T : unmanaged => Disjoint<T, T>(output, input, outputName, inputName);

    /// <summary>
    /// Checks the per-row losses of a class-target cross-entropy: at least one value per row, sharing no byte with the
    /// logits, the targets or the class weights (a loss written over a target not yet read would change the index).
    /// </summary>
    /// <param name="logits">The logits.</param>
    /// <param name="targets">The class-index targets.</param>
    /// <param name="classWeights">The class weights (empty for none).</param>
    /// <param name="losses">The per-row output.</param>
    /// <param name="rows">The row count.</param>
    /// <exception cref="ArgumentException"><paramref name="losses"/> is too short or overlaps an input.</exception>
    public static void PerRowLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> classWeights, Span<T> losses, int rows)
        where T : unmanaged
    {
        PerRowOutput(logits, losses, rows, nameof(logits), nameof(losses));
        Disjoint<T, int>(losses, targets, nameof(losses), nameof(targets));
        Disjoint<T, T>(losses, classWeights, nameof(losses), nameof(classWeights));
    }

    /// <summary>
    /// Checks the gradient output of a class-target cross-entropy: one value per logit, the logits themselves (in place)
    /// or separate memory, and sharing no byte with the targets or the class weights.
    /// </summary>
    /// <param name="logits">The logits.</param>
    /// <param name="targets">The class-index targets.</param>
    /// <param name="classWeights">The class weights (empty for none).</param>
    /// <param name="logitsGradient">The gradient output.</param>
    /// <exception cref="ArgumentException"><paramref name="logitsGradient"/> is too short, partly overlaps the logits or overlaps another input.</exception>
    internal static void ClassTargetGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> classWeights, Span<T> logitsGradient)
        where T : unmanaged
    {
        SameShapeOutput(logits, logitsGradient, nameof(logits), nameof(logitsGradient));
        Disjoint<T, int>(logitsGradient, targets, nameof(logitsGradient), nameof(targets));
        Disjoint<T, T>(logitsGradient, classWeights, nameof(logitsGradient), nameof(classWeights));
    }

    /// <summary>
    /// Validates the class-target cross-entropy options and tells whether none of them changes the result, so that the
    /// plain kernel can run: no weights, no smoothing and no ignored row.
    /// </summary>
    /// <param name="targets">The targets.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="classWeights">The class weights (empty for none).</param>
    /// <param name="ignoreIndex">The ignored target value.</param>
    /// <param name="labelSmoothing">The label smoothing.</param>
    /// <returns><see langword="true"/> when the plain cross-entropy gives the answer.</returns>
    public static bool CrossEntropyOptions<T>(ReadOnlySpan<int> targets, int rows, int classes, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing)
        where T : IFloatingPointIeee754<T>
    {
        int ignored = Targets(targets, rows, classes, ignoreIndex);
        ClassWeights(classWeights, classes);
        LabelSmoothing(labelSmoothing);
        return ignored == 0 && classWeights.IsEmpty && labelSmoothing == T.Zero;
    }

    /// <summary>
    /// Checks the class-index targets of K-dimensional input: one per position of <c>[outer, innerSize]</c>, each in
    /// [0, classes) or equal to <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <param name="targets">The targets, in position order.</param>
    /// <param name="outer">The outer size (N).</param>
    /// <param name="innerSize">The positions per outer index (d1 x ... x dk).</param>
    /// <param name="classes">The class count.</param>
    /// <param name="ignoreIndex">The target value that marks an ignored position.</param>
    /// <returns>The number of ignored positions.</returns>
    internal static int SpatialTargets(ReadOnlySpan<int> targets, int outer, int innerSize, int classes, int ignoreIndex)
    {
        SpatialTargetsLength(targets.Length, outer, innerSize);
        return Targets(targets, outer * innerSize, classes, ignoreIndex);
    }

    /// <inheritdoc cref="SpatialTargets(ReadOnlySpan{int}, int, int, int, int)"/>
    internal static int SpatialTargets(ReadOnlySpan<long> targets, int outer, int innerSize, int classes, int ignoreIndex)
    {
        SpatialTargetsLength(targets.Length, outer, innerSize);
        return IgnoredTargets(targets, 0, classes, ignoreIndex);
    }

    private static void SpatialTargetsLength(int length, int outer, int innerSize)
    {
        if (length != outer * innerSize)
        {
            throw new ArgumentException(
                $"targets.Length ({length}) must equal outer x innerSize ({outer} x {innerSize} = {outer * innerSize}): one class index per position.",
                "targets");
        }
    }
}
