namespace SoftmaxGen.Kernels;

// Validation of the middle-axis softmax, top-k and the binary (sigmoid) losses.
public static partial class SoftmaxGuard
{
    /// <summary>
    /// The outer size of an input of <paramref name="length"/> values laid out as <c>[outer, classes, innerSize]</c>.
    /// </summary>
    /// <param name="length">The input length.</param>
    /// <param name="classes">The class count (the middle axis).</param>
    /// <param name="innerSize">The number of positions after the class axis (H x W for NCHW data).</param>
    /// <param name="inputName">The input parameter's name, for messages.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="innerSize"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The length is not a whole number of <c>classes x innerSize</c> planes.</exception>
    public static int AxisOuter(int length, int classes, int innerSize, string inputName)
    {
        if (classes < 1)
        {
            ThrowClasses(classes);
        }

        if (innerSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(innerSize), innerSize, $"innerSize is {innerSize}; it must be at least 1.");
        }

        long plane = (long)classes * innerSize;
        long outer = length / plane;
        if (outer * plane != length)
        {
            throw new ArgumentException(
                $"{inputName}.Length ({length}) is not a multiple of classes x innerSize ({classes} x {innerSize} = {plane}): the input must hold whole [classes, innerSize] planes.",
                inputName);
        }

        return (int)outer;
    }

    /// <summary>Checks the k of a top-k: at least 1 and at most the class count.</summary>
    /// <param name="k">The number of classes asked for.</param>
    /// <param name="classes">The class count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1 or above <paramref name="classes"/>.</exception>
    public static void TopK(int k, int classes)
    {
        if (k < 1 || k > classes)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k is {k}; it must be in [1, classes] = [1, {classes}].");
        }
    }

    /// <summary>Checks the outputs of a top-k: <c>rows x k</c> values each; the probabilities must not overlap the logits.</summary>
    /// <param name="logits">The input.</param>
    /// <param name="indices">The class indices output.</param>
    /// <param name="probabilities">The probabilities output.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="k">The validated k.</param>
    public static void TopKOutputs<T>(ReadOnlySpan<T> logits, Span<int> indices, Span<T> probabilities, int rows, int k)
        where T : unmanaged
        => TopKOutputsOf(logits, indices, probabilities, rows, k);

    /// <summary><see cref="TopKOutputs"/> for probabilities of another element type than the logits (Half logits, float probabilities).</summary>
    /// <param name="logits">The input.</param>
    /// <param name="indices">The class indices output.</param>
    /// <param name="probabilities">The probabilities output.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="k">The validated k.</param>
    internal static void TopKOutputsOf<T, TProbability>(ReadOnlySpan<T> logits, Span<int> indices, Span<TProbability> probabilities, int rows, int k)
        where T : unmanaged
        where TProbability : unmanaged
    {
        int needed = rows * k;
        if (indices.Length < needed)
        {
            throw new ArgumentException($"indices.Length ({indices.Length}) is shorter than rows x k ({rows} x {k} = {needed}).", nameof(indices));
        }

        if (probabilities.Length < needed)
        {
            throw new ArgumentException($"probabilities.Length ({probabilities.Length}) is shorter than rows x k ({rows} x {k} = {needed}).", nameof(probabilities));
        }

        Disjoint<TProbability, T>(probabilities, logits, nameof(probabilities), nameof(logits));
        Disjoint<int, T>(indices, logits, nameof(indices), nameof(logits));
        Disjoint<int, TProbability>(indices, probabilities, nameof(indices), nameof(probabilities));
    }

    /// <summary>Checks that element-wise targets hold one value per input value.</summary>
    /// <param name="inputLength">The input length.</param>
    /// <param name="targetsLength">The targets length.</param>
    /// <param name="inputName">The input parameter's name.</param>
    internal static void ElementTargets(int inputLength, int targetsLength, string inputName)
    {
        if (targetsLength != inputLength)
        {
            throw new ArgumentException(
                $"targets.Length ({targetsLength}) must equal {inputName}.Length ({inputLength}): one target per value.",
                "targets");
        }
    }

    /// <summary>Checks that every value is a probability in [0, 1] (NaN is not), as PyTorch's <c>BCELoss</c> does.</summary>
    /// <param name="probabilities">The values.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside [0, 1] or NaN (the message names its index and value).</exception>
    internal static void UnitInterval<T>(ReadOnlySpan<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < probabilities.Length; i++)
        {
            T p = probabilities[i];
            if (!(p >= T.Zero && p <= T.One))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(probabilities),
                    p,
                    $"probabilities[{i}] is {p}, outside [0, 1]: binary cross-entropy takes probabilities (use BinaryCrossEntropyWithLogits for logits).");
            }
        }
    }
}
