namespace SoftmaxGen.Kernels;

/// <content>The loss family: cross-entropy with PyTorch's options, probability targets, gradients, NLL, Keras' forms and the softmax backward passes.</content>
public static partial class SoftmaxFallback
{
    // ---- Validated entry points (the same members as SoftmaxPrimitives, never dispatching to a generated kernel) ----

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)CrossEntropyChecked(useRegistry: false, logits, targets, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CrossEntropyChecked(useRegistry: false, logits, targets, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int classes, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CrossEntropyChecked(useRegistry: false, logits, targets, losses, classes, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int classes, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CrossEntropyChecked(useRegistry: false, logits, targets, losses, classes, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)CrossEntropyWithGradientChecked(null, logits, targets, logitsGradient, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CrossEntropyWithGradientChecked(null, logits, targets, logitsGradient, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <summary>
    /// <see cref="CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    /// with <paramref name="kernel"/>'s softmax and cross-entropy for short rows without options (a generated kernel's
    /// own, or the registered one): the validation, the options and every other case are the fallback's.
    /// </summary>
    /// <param name="kernel">The kernel for <paramref name="classes"/> classes, or <see langword="null"/> for the fallback's.</param>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="targets">One class index (or <paramref name="ignoreIndex"/>) per row.</param>
    /// <param name="logitsGradient">Receives the gradient of the reduced loss; may be the same memory as <paramref name="logits"/>.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="reduction">The mean over the counted rows or the sum.</param>
    /// <param name="classWeights">One weight per class, or empty for none.</param>
    /// <param name="ignoreIndex">The ignored target value.</param>
    /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
    /// <param name="precision">The precision; <paramref name="kernel"/> must compute in it.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException"><paramref name="kernel"/> is for another class count or precision, or as the member without it.</exception>
    public static float CrossEntropyWithGradient(SoftmaxKernel? kernel, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> logitsGradient, int classes, LossReduction reduction, ReadOnlySpan<float> classWeights, int ignoreIndex, float labelSmoothing, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)CrossEntropyWithGradientChecked(kernel, logits, targets, logitsGradient, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="CrossEntropyWithGradient(SoftmaxKernel, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, LossReduction, ReadOnlySpan{float}, int, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(SoftmaxKernel? kernel, ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> logitsGradient, int classes, LossReduction reduction, ReadOnlySpan<double> classWeights, int ignoreIndex, double labelSmoothing, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => CrossEntropyWithGradientChecked(kernel, logits, targets, logitsGradient, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ProbabilityCrossEntropyChecked(logits, targetProbabilities, [], [], classes, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityCrossEntropyChecked(logits, targetProbabilities, [], [], classes, reduction, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> losses, int classes, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLossesChecked(logits, targetProbabilities, losses, classes, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, float, SoftmaxPrecision)"/>
    public static void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> losses, int classes, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityLossesChecked(logits, targetProbabilities, losses, classes, labelSmoothing, precision);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static float CrossEntropyWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, float labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => (float)ProbabilityCrossEntropyChecked(logits, targetProbabilities, [], logitsGradient, classes, reduction, labelSmoothing, precision, nameof(logitsGradient));

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyWithGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, LossReduction, float, SoftmaxPrecision)"/>
    public static double CrossEntropyWithGradient(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> logitsGradient, int classes, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => ProbabilityCrossEntropyChecked(logits, targetProbabilities, [], logitsGradient, classes, reduction, labelSmoothing, precision, nameof(logitsGradient));

    /// <inheritdoc cref="SoftmaxPrimitives.NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
        => (float)NllLossChecked(logProbabilities, targets, classes, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="SoftmaxPrimitives.NllLoss(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{float}, int)"/>
    public static double NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<double> classWeights = default, int ignoreIndex = -100)
        => NllLossChecked(logProbabilities, targets, classes, reduction, classWeights, ignoreIndex);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyFromProbabilities(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float)"/>
    public static float CrossEntropyFromProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, float epsilon = 1e-7f)
        => (float)FromProbabilitiesChecked(probabilities, targetProbabilities, classes, reduction, epsilon);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyFromProbabilities(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, float)"/>
    public static double CrossEntropyFromProbabilities(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> targetProbabilities, int classes, LossReduction reduction = LossReduction.Mean, double epsilon = 1e-7)
        => FromProbabilitiesChecked(probabilities, targetProbabilities, classes, reduction, epsilon);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyFromProbabilities(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, float)"/>
    public static float CrossEntropyFromProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, float epsilon = 1e-7f)
        => (float)FromProbabilitiesChecked(probabilities, targets, classes, reduction, epsilon);

    /// <inheritdoc cref="SoftmaxPrimitives.CrossEntropyFromProbabilities(ReadOnlySpan{float}, ReadOnlySpan{int}, int, LossReduction, float)"/>
    public static double CrossEntropyFromProbabilities(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction = LossReduction.Mean, double epsilon = 1e-7)
        => FromProbabilitiesChecked(probabilities, targets, classes, reduction, epsilon);

    /// <inheritdoc cref="SoftmaxPrimitives.SoftmaxGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
    public static void SoftmaxGradient(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int classes)
        => BackwardChecked(probabilities, outputGradient, inputGradient, classes, logarithmic: false);

    /// <inheritdoc cref="SoftmaxPrimitives.SoftmaxGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
    public static void SoftmaxGradient(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int classes)
        => BackwardChecked(probabilities, outputGradient, inputGradient, classes, logarithmic: false);

    /// <inheritdoc cref="SoftmaxPrimitives.LogSoftmaxGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
    public static void LogSoftmaxGradient(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int classes)
        => BackwardChecked(logProbabilities, outputGradient, inputGradient, classes, logarithmic: true);

    /// <inheritdoc cref="SoftmaxPrimitives.LogSoftmaxGradient(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
    public static void LogSoftmaxGradient(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int classes)
        => BackwardChecked(logProbabilities, outputGradient, inputGradient, classes, logarithmic: true);

    // ---- Validation then the core: shared by the float and double members above (and SoftmaxPrimitives') --------

    /// <summary>
    /// The reduced cross-entropy against class targets, validated. Plain rows (no option in use) run the kernel
    /// registered for the class count when <paramref name="useRegistry"/> is set, as <see cref="SoftmaxPrimitives"/>
    /// does, else the fallback's, as the members above do.
    /// </summary>
    internal static double CrossEntropyChecked<T>(bool useRegistry, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Reduction(reduction);
        bool plain = SoftmaxGuard.CrossEntropyOptions(targets, rows, classes, classWeights, ignoreIndex, labelSmoothing);
        SoftmaxGuard.Precision(precision);
        if (!plain)
            return CrossEntropyWithOptionsRows(logits, targets, [], [], rows, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);

        double sum = useRegistry && SoftmaxKernelRegistry.Find(classes, precision) is { } kernel
            ? KernelCrossEntropy(kernel, logits, targets, [], rows)
            : CrossEntropyRows(logits, targets, [], rows, classes, precision);
        return SoftmaxGuard.Reduce(sum, rows, reduction);
    }

    /// <summary>
    /// The per-row cross-entropy against class targets, validated; <paramref name="useRegistry"/> as in
    /// <see cref="CrossEntropyChecked{T}(bool, ReadOnlySpan{T}, ReadOnlySpan{int}, int, LossReduction, ReadOnlySpan{T}, int, T, SoftmaxPrecision)"/>.
    /// </summary>
    internal static void CrossEntropyChecked<T>(bool useRegistry, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, int classes, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        bool plain = SoftmaxGuard.CrossEntropyOptions(targets, rows, classes, classWeights, ignoreIndex, labelSmoothing);
        SoftmaxGuard.PerRowLosses(logits, targets, classWeights, losses, rows);
        SoftmaxGuard.Precision(precision);
        if (!plain)
            CrossEntropyWithOptionsRows(logits, targets, losses.Slice(0, rows), [], rows, classes, LossReduction.Sum, classWeights, ignoreIndex, labelSmoothing, precision);
        else if (useRegistry && SoftmaxKernelRegistry.Find(classes, precision) is { } kernel)
            KernelCrossEntropy(kernel, logits, targets, losses, rows);
        else
            CrossEntropyRows(logits, targets, losses, rows, classes, precision);
    }

    private static double CrossEntropyWithGradientChecked<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> logitsGradient, int classes, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        if (kernel is not null && kernel.Classes != classes)
        {
            throw new ArgumentException($"kernel is for {kernel.Classes} classes, not classes = {classes}.", nameof(kernel));
        }

        SoftmaxGuard.Reduction(reduction);
        bool plain = SoftmaxGuard.CrossEntropyOptions(targets, rows, classes, classWeights, ignoreIndex, labelSmoothing);
        SoftmaxGuard.ClassTargetGradient(logits, targets, classWeights, logitsGradient);
        SoftmaxGuard.Precision(precision);
        if (kernel is not null && kernel.Precision != precision)
        {
            throw new ArgumentException($"kernel computes in {kernel.Precision} precision, not precision = {precision}.", nameof(kernel));
        }

        return plain && classes < PlainGradientClassLimit
            ? PlainCrossEntropyWithGradient(kernel, logits, targets, logitsGradient.Slice(0, logits.Length), rows, classes, reduction, precision)
            : CrossEntropyWithOptionsRows(logits, targets, [], logitsGradient.Slice(0, logits.Length), rows, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);
    }

    /// <summary>
    /// The class count below which the plain loss and gradient (no weights, no ignored rows, no smoothing) take
    /// <see cref="PlainCrossEntropyWithGradient"/>: rows the block and column layouts hold lane-wise, for which the
    /// fused row pass forms too much per row in scalar code.
    /// </summary>
    internal const int PlainGradientClassLimit = 16;

    /// <summary>
    /// The plain cross-entropy and its gradient for short rows, in three passes of the lane-wise kernels instead of
    /// one pass that forms each row's loss and gradient factors per lane in scalar code: the loss by the
    /// cross-entropy kernel (<paramref name="kernel"/>'s, or the fallback's), softmax into the gradient, then the one-hot target
    /// subtracted and the reduction's scale applied. The loss is <see cref="SoftmaxPrimitives"/>' plain
    /// cross-entropy, bit for bit; the gradient is <c>(softmax - one_hot) * scale</c>, each value rounded twice.
    /// </summary>
    private static double PlainCrossEntropyWithGradient<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> logitsGradient, int rows, int classes, LossReduction reduction, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SoftmaxGuard.Reduce(PlainCrossEntropyWithGradientSum(kernel, logits, targets, logitsGradient, rows, classes, reduction == LossReduction.Mean ? 1.0 / rows : 1.0, precision), rows, reduction);

    /// <summary>
    /// <see cref="PlainCrossEntropyWithGradient"/> for rows that may be part of a larger batch: the gradient is scaled by
    /// <paramref name="scale"/> (the whole batch's), and the sum of the rows' losses is returned unreduced.
    /// </summary>
    internal static double PlainCrossEntropyWithGradientSum<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> logitsGradient, int rows, int classes, double scale, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The loss first: the gradient may be the logits' own memory.
        double sum = kernel is null ? CrossEntropyRows(logits, targets, [], rows, classes, precision) : KernelCrossEntropy(kernel, logits, targets, [], rows);
        NormalizeRows(kernel, logits, logitsGradient, rows, classes, log: false, precision);

        ref T gradient = ref MemoryMarshal.GetReference(logitsGradient);
        for (int row = 0; row < rows; row++)
        {
            Unsafe.Add(ref gradient, (nint)row * classes + targets[row]) -= T.One;
        }

        if (scale != 1)
        {
            Scale(logitsGradient, T.CreateTruncating(scale));
        }

        return sum;
    }

    /// <summary>Softmax or log-softmax of validated rows by <paramref name="kernel"/> if there is one, else by the fallback.</summary>
    internal static void NormalizeRows<T>(SoftmaxKernel? kernel, ReadOnlySpan<T> logits, Span<T> output, int rows, int classes, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (kernel is not null)
            KernelSoftmax(kernel, logits, output, rows, log);
        else if (log)
            LogSoftmaxRows(logits, output, rows, classes, precision);
        else
            SoftmaxRows(logits, output, rows, classes, precision);
    }

    /// <summary>Softmax or log-softmax of validated rows by a registered kernel (whose members are per element type).</summary>
    internal static void KernelSoftmax<T>(SoftmaxKernel kernel, ReadOnlySpan<T> logits, Span<T> output, int rows, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && log)
            kernel.LogSoftmaxValidated(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(output), rows);
        else if (typeof(T) == typeof(float))
            kernel.SoftmaxValidated(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(output), rows);
        else if (log)
            kernel.LogSoftmaxValidated(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(output), rows);
        else
            kernel.SoftmaxValidated(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(output), rows);
    }

    /// <summary>The plain cross-entropy of a registered kernel (whose members are per element type).</summary>
    internal static double KernelCrossEntropy<T>(SoftmaxKernel kernel, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float)
            ? kernel.CrossEntropyValidated(MemoryMarshal.Cast<T, float>(logits), targets, MemoryMarshal.Cast<T, float>(losses), rows)
            : kernel.CrossEntropyValidated(MemoryMarshal.Cast<T, double>(logits), targets, MemoryMarshal.Cast<T, double>(losses), rows);

    /// <summary>The argmax of a registered kernel (whose members are per element type).</summary>
    internal static void KernelArgmax<T>(SoftmaxKernel kernel, ReadOnlySpan<T> logits, Span<int> predictions, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            kernel.ArgmaxValidated(MemoryMarshal.Cast<T, float>(logits), predictions, rows);
        else
            kernel.ArgmaxValidated(MemoryMarshal.Cast<T, double>(logits), predictions, rows);
    }

    /// <summary>Multiplies every value by <paramref name="factor"/>, a vector at a time.</summary>
    private static void Scale<T>(Span<T> values, T factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new ScaleOperation<T>(values, factor);
        VectorDispatch.Sweep<ScaleOperation<T>, T>(ref operation);
    }

    private readonly ref struct ScaleOperation<TElement>(Span<TElement> values, TElement factor) : ISweepOperation
    {
        private readonly Span<TElement> values = values;

        nuint ISweepOperation.Run<TOps, TVec, T>(nuint start)
        {
            ref T v = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(values));
            TVec f = TOps.Splat(Unsafe.As<TElement, T>(ref Unsafe.AsRef(in factor)));
            nuint i = start, width = (nuint)TOps.Count;
            for (; i + width <= (nuint)values.Length; i += width)
                TOps.Store(TOps.Multiply(TOps.Load(ref v, i), f), ref v, i);
            return i;
        }
    }

    private static double ProbabilityCrossEntropyChecked<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> losses, Span<T> logitsGradient, int classes, LossReduction reduction, T labelSmoothing, SoftmaxPrecision precision, string? gradientName = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeInput(logits, targetProbabilities, nameof(logits), nameof(targetProbabilities));
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.LabelSmoothing(labelSmoothing);
        if (gradientName is not null)
        {
            SoftmaxGuard.SameShapeOutput(logits, logitsGradient, nameof(logits), gradientName);
            SoftmaxGuard.NoOverlap(targetProbabilities, logitsGradient, nameof(targetProbabilities), gradientName);
            logitsGradient = logitsGradient.Slice(0, logits.Length);
        }

        SoftmaxGuard.Precision(precision);
        return ProbabilityCrossEntropyCore(logits, targetProbabilities, losses, logitsGradient, rows, classes, reduction, labelSmoothing, precision);
    }

    private static void ProbabilityLossesChecked<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> losses, int classes, T labelSmoothing, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeInput(logits, targetProbabilities, nameof(logits), nameof(targetProbabilities));
        SoftmaxGuard.LabelSmoothing(labelSmoothing);
        SoftmaxGuard.PerRowOutput(logits, losses, rows, nameof(logits), nameof(losses));
        SoftmaxGuard.NoOverlap(targetProbabilities, losses, nameof(targetProbabilities), nameof(losses));
        SoftmaxGuard.Precision(precision);
        ProbabilityCrossEntropyCore(logits, targetProbabilities, losses.Slice(0, rows), [], rows, classes, LossReduction.Sum, labelSmoothing, precision);
    }

    private static double NllLossChecked<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logProbabilities.Length, classes, nameof(logProbabilities));
        SoftmaxGuard.Targets(targets, rows, classes, ignoreIndex);
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.ClassWeights(classWeights, classes);
        return NllLossCore(logProbabilities, targets, classes, reduction, classWeights, ignoreIndex);
    }

    private static double FromProbabilitiesChecked<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targetProbabilities, int classes, LossReduction reduction, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(probabilities.Length, classes, nameof(probabilities));
        SoftmaxGuard.SameShapeInput(probabilities, targetProbabilities, nameof(probabilities), nameof(targetProbabilities));
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.Epsilon(epsilon);
        return CrossEntropyFromProbabilitiesCore(probabilities, targetProbabilities, [], rows, classes, reduction, epsilon);
    }

    private static double FromProbabilitiesChecked<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(probabilities.Length, classes, nameof(probabilities));
        SoftmaxGuard.Targets(targets, rows, classes);
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.Epsilon(epsilon);
        return CrossEntropyFromProbabilitiesCore(probabilities, [], targets, rows, classes, reduction, epsilon);
    }

    /// <summary>The generic cores run for float and double only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RequireElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"{typeof(T).Name} is not supported: the element type must be float or double.");
        }
    }

    private static void BackwardChecked<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int classes, bool logarithmic)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string outputsName = logarithmic ? "logProbabilities" : "probabilities";
        int rows = SoftmaxGuard.Rows(outputs.Length, classes, outputsName);
        SoftmaxGuard.SameShapeInput(outputs, outputGradient, outputsName, nameof(outputGradient));
        SoftmaxGuard.SameShapeOutput(outputs, inputGradient, outputsName, nameof(inputGradient));
        SoftmaxGuard.SameShapeOutput(outputGradient, inputGradient, nameof(outputGradient), nameof(inputGradient));
        if (logarithmic)
        {
            LogSoftmaxGradientCore(outputs, outputGradient, inputGradient, rows, classes);
        }
        else
        {
            SoftmaxGradientCore(outputs, outputGradient, inputGradient, rows, classes);
        }
    }

    // ---- Validated cores (called by SoftmaxPrimitives and by generated kernels' members) ----------------------

    /// <summary>
    /// Cross-entropy against class targets with PyTorch's options, for generated kernels: checks the shape, the targets
    /// and the options (so that a direct call cannot reach past a span), then runs the validated core.
    /// </summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="targets">At least one class index (or <paramref name="ignoreIndex"/>) per row.</param>
    /// <param name="losses">Empty, or at least one value per row.</param>
    /// <param name="logitsGradient">Empty, or at least as long as the rows (may be the same memory as the logits).</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="reduction">The reduction of the returned loss and of the gradient.</param>
    /// <param name="classWeights">Empty or one weight per class.</param>
    /// <param name="ignoreIndex">The ignored target value.</param>
    /// <param name="labelSmoothing">The smoothing, in [0, 1].</param>
    /// <param name="precision">The precision (a generated kernel passes its own).</param>
    /// <returns>The reduced loss, in double.</returns>
    public static double CrossEntropyCore<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, Span<T> logitsGradient, int rows, int classes, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxGuard.CoreTargets(logits.Length, targets, losses.Length, rows, classes, ignoreIndex);
        if (!logitsGradient.IsEmpty)
        {
            SoftmaxGuard.CoreRows(logits.Length, logitsGradient.Length, rows, classes);
        }

        SoftmaxGuard.ClassWeights(classWeights, classes);
        SoftmaxGuard.LabelSmoothing(labelSmoothing);
        SoftmaxGuard.Reduction(reduction);
        SoftmaxGuard.Precision(precision);
        return CrossEntropyWithOptionsRows(logits, targets, losses, logitsGradient.IsEmpty ? default : logitsGradient.Slice(0, rows * classes), rows, classes, reduction, classWeights, ignoreIndex, labelSmoothing, precision);
    }

    /// <summary>
    /// Cross-entropy of validated rows against class targets with PyTorch's options; writes per-row losses and the
    /// gradient when those are not empty.
    /// </summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="targets">One class index (or <paramref name="ignoreIndex"/>) per row, validated.</param>
    /// <param name="losses">Empty, or one value per row.</param>
    /// <param name="logitsGradient">Empty, or exactly as long as <paramref name="logits"/> (may be the same memory).</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="reduction">The reduction of the returned loss and of the gradient.</param>
    /// <param name="classWeights">Empty or one weight per class.</param>
    /// <param name="ignoreIndex">The ignored target value.</param>
    /// <param name="labelSmoothing">The smoothing, in [0, 1].</param>
    /// <param name="precision">The precision.</param>
    /// <returns>The reduced loss, in double.</returns>
    internal static double CrossEntropyWithOptionsRows<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, Span<T> logitsGradient, int rows, int classes, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireElementType<T>();
        // PyTorch's mean divides by the summed weight of the counted rows (their number without weights), both the
        // negative log-likelihood and the smoothing term.
        double scale = reduction == LossReduction.Mean ? 1 / CountedWeight(targets, classWeights, ignoreIndex) : 1;
        (double nll, double smooth) = CrossEntropyWithOptionsTerms(logits, targets, losses, logitsGradient, rows, classes, classWeights, ignoreIndex, labelSmoothing, scale, precision);
        return CombineOptionTerms(nll, smooth, labelSmoothing, classes, scale);
    }

    /// <summary>The summed weight of the rows whose target is not <paramref name="ignoreIndex"/> (their number without weights): the mean's denominator.</summary>
    internal static double CountedWeight<T>(ReadOnlySpan<int> targets, ReadOnlySpan<T> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double denominator = 0;
        foreach (int target in targets)
        {
            if (target != ignoreIndex)
            {
                denominator += classWeights.IsEmpty ? 1 : double.CreateTruncating(classWeights[target]);
            }
        }

        return denominator;
    }

    /// <summary>The reduced loss from the summed terms of <see cref="CrossEntropyWithOptionsTerms"/>, as PyTorch forms it.</summary>
    internal static double CombineOptionTerms<T>(double nll, double smooth, T labelSmoothing, int classes, double scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double smoothing = double.CreateTruncating(labelSmoothing);
        // As PyTorch: (1 - eps) * nll_reduced + eps / C * smooth_reduced; without smoothing the smooth term is not formed.
        return smoothing > 0
            ? ((1 - smoothing) * nll * scale) + (smoothing / classes * (smooth * scale))
            : nll * scale;
    }

    /// <summary>
    /// The cross-entropy with options of validated rows that may be part of a larger batch: writes per-row losses and
    /// the gradient (scaled by <paramref name="scale"/>, the whole batch's) when those are not empty, and returns the
    /// unscaled sums of the weighted negative log-likelihoods and of the smoothing terms.
    /// </summary>
    internal static (double Nll, double Smooth) CrossEntropyWithOptionsTerms<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, Span<T> logitsGradient, int rows, int classes, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing, double scale, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double smoothing = double.CreateTruncating(labelSmoothing);
        // Short rows: blocks of rows lane-wise (ColumnKernels), the last rows as a padded block; longer rows (or every
        // row, when the terms are formed one by one) by the row path.
        var columns = new OptionsOperation<T>(logits, targets, classWeights, ignoreIndex, smoothing, losses, logitsGradient, scale, rows, classes);
        (double nll, double smooth, nuint done) = VectorDispatch.ByLayout<OptionsOperation<T>, T, (double, double, nuint)>(ref columns, classes, precision, LayoutRule.OptionColumns);
        int d = (int)done;
        var rest = new OptionsOperation<T>(
            logits.Slice(d * classes), targets.Slice(d), classWeights, ignoreIndex, smoothing,
            losses.IsEmpty ? losses : losses.Slice(d), logitsGradient.IsEmpty ? logitsGradient : logitsGradient.Slice(d * classes), scale, rows - d, classes);
        (double nllRest, double smoothRest, _) = VectorDispatch.ByLayout<OptionsOperation<T>, T, (double, double, nuint)>(ref rest, classes, precision, LayoutRule.Rows);
        return (nll + nllRest, smooth + smoothRest);
    }

    /// <summary>Cross-entropy of validated rows against target probabilities (smoothed); writes per-row losses and the gradient when those are not empty.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="targetProbabilities">As long as <paramref name="logits"/>.</param>
    /// <param name="losses">Empty, or one value per row.</param>
    /// <param name="logitsGradient">Empty, or exactly as long as <paramref name="logits"/> (may be the same memory, must not overlap the targets).</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="reduction">The reduction of the returned loss and of the gradient.</param>
    /// <param name="labelSmoothing">The smoothing, in [0, 1].</param>
    /// <param name="precision">The precision.</param>
    /// <returns>The reduced loss, in double.</returns>
    internal static double ProbabilityCrossEntropyCore<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> losses, Span<T> logitsGradient, int rows, int classes, LossReduction reduction, T labelSmoothing, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireElementType<T>();
        double scale = reduction == LossReduction.Mean ? 1.0 / rows : 1.0;
        return ProbabilityCrossEntropySum(logits, targetProbabilities, losses, logitsGradient, rows, classes, labelSmoothing, scale, precision) * scale;
    }

    /// <summary>
    /// <see cref="ProbabilityCrossEntropyCore"/> for rows that may be part of a larger batch: the gradient is scaled by
    /// <paramref name="scale"/> (the whole batch's), and the sum of the rows' losses is returned unscaled.
    /// </summary>
    internal static double ProbabilityCrossEntropySum<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> losses, Span<T> logitsGradient, int rows, int classes, T labelSmoothing, double scale, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double smoothing = double.CreateTruncating(labelSmoothing);
        var operation = new ProbabilityOperation<T>(logits, targetProbabilities, smoothing, losses, logitsGradient, scale, rows, classes);
        return VectorDispatch.ByLayout<ProbabilityOperation<T>, T, double>(ref operation, classes, precision, LayoutRule.Rows);
    }

    /// <summary>The negative log-likelihood of validated log-probabilities, as <c>F.nll_loss</c>.</summary>
    /// <param name="logProbabilities">Whole rows.</param>
    /// <param name="targets">One class index (or <paramref name="ignoreIndex"/>) per row, validated.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="reduction">The reduction.</param>
    /// <param name="classWeights">Empty or one weight per class.</param>
    /// <param name="ignoreIndex">The ignored target value.</param>
    /// <returns>The reduced loss, in double.</returns>
    internal static double NllLossCore<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, int classes, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
        => NllLossCore(logProbabilities, targets, [], [], classes, 1, reduction, classWeights, ignoreIndex);

    /// <summary>
    /// The negative log-likelihood of validated <c>[outer, classes, inner]</c> log-probabilities against one target per
    /// position (<paramref name="targets"/> or <paramref name="longTargets"/>, the other empty), as <c>F.nll_loss</c> on
    /// K-dimensional input; writes each position's loss (0 when ignored) when <paramref name="losses"/> is not empty.
    /// </summary>
    /// <returns>The reduced loss, in double.</returns>
    internal static double NllLossCore<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<long> longTargets, Span<T> losses, int classes, int inner, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireElementType<T>();
        double sum = 0, weight = 0;
        int positions = targets.IsEmpty ? longTargets.Length : targets.Length;
        for (int position = 0, o = 0, i = 0; position < positions; position++)
        {
            // The position's outer index o and inner index i; its class c sits at (o * classes + c) * inner + i.
            long target = targets.IsEmpty ? longTargets[position] : targets[position];
            double loss = 0;
            if (target != ignoreIndex)
            {
                double w = classWeights.IsEmpty ? 1 : double.CreateTruncating(classWeights[(int)target]);
                loss = -(w * double.CreateTruncating(logProbabilities[((((o * classes) + (int)target) * inner) + i)]));
                sum += loss;
                weight += w;
            }

            if (!losses.IsEmpty)
            {
                losses[position] = T.CreateTruncating(loss);
            }

            if (++i == inner)
            {
                (o, i) = (o + 1, 0);
            }
        }

        return reduction == LossReduction.Mean ? sum / weight : sum;
    }

    /// <summary>
    /// Keras' cross-entropy from probabilities of validated rows: each row divided by its sum, clipped to
    /// [epsilon, 1 - epsilon], then <c>-sum_j t[j] log(p[j])</c> (one-hot t when <paramref name="targets"/> is given).
    /// </summary>
    /// <param name="probabilities">Whole rows.</param>
    /// <param name="targetProbabilities">As long as <paramref name="probabilities"/>, or empty when <paramref name="targets"/> is used.</param>
    /// <param name="targets">One validated class index per row, or empty.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="reduction">The reduction.</param>
    /// <param name="epsilon">The clipping epsilon, in [0, 0.5].</param>
    /// <returns>The reduced loss, in double.</returns>
    internal static double CrossEntropyFromProbabilitiesCore<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targetProbabilities, ReadOnlySpan<int> targets, int rows, int classes, LossReduction reduction, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireElementType<T>();
        T high = T.One - epsilon;
        double total = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<T> p = probabilities.Slice(row * classes, classes);
            double rowSum = 0;
            foreach (T value in p)
            {
                rowSum += double.CreateTruncating(value);
            }

            double loss = 0;
            if (targets.IsEmpty)
            {
                ReadOnlySpan<T> t = targetProbabilities.Slice(row * classes, classes);
                for (int j = 0; j < classes; j++)
                {
                    loss -= double.CreateTruncating(t[j]) * Math.Log(Clip(p[j], rowSum, epsilon, high));
                }
            }
            else
            {
                loss = -Math.Log(Clip(p[targets[row]], rowSum, epsilon, high));
            }

            total += loss;
        }

        return reduction == LossReduction.Mean ? total / rows : total;

        static double Clip(T value, double rowSum, T low, T high) =>
            double.CreateTruncating(T.Clamp(T.CreateTruncating(double.CreateTruncating(value) / rowSum), low, high));
    }

    /// <summary>The backward of softmax on validated rows: <c>inputGradient[j] = y[j] (g[j] - sum_k g[k] y[k])</c>.</summary>
    /// <param name="probabilities">Whole rows of softmax outputs.</param>
    /// <param name="outputGradient">As long as <paramref name="probabilities"/>.</param>
    /// <param name="inputGradient">At least as long; may be the same memory as either input.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    internal static void SoftmaxGradientCore<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int rows, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Backward(probabilities, outputGradient, inputGradient, rows, classes, logarithmic: false);

    /// <summary>The backward of log-softmax on validated rows: <c>inputGradient[j] = g[j] - exp(y[j]) sum_k g[k]</c>.</summary>
    /// <param name="logProbabilities">Whole rows of log-softmax outputs.</param>
    /// <param name="outputGradient">As long as <paramref name="logProbabilities"/>.</param>
    /// <param name="inputGradient">At least as long; may be the same memory as either input.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    internal static void LogSoftmaxGradientCore<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int rows, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Backward(logProbabilities, outputGradient, inputGradient, rows, classes, logarithmic: true);

    private static void Backward<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int rows, int classes, bool logarithmic)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireElementType<T>();
        var operation = new BackwardOperation<T>(outputs, outputGradient, inputGradient, rows, classes, logarithmic);
        VectorDispatch.ByLayout<BackwardOperation<T>, T, bool>(ref operation, classes, LayoutRule.Rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward<TOps, TVec, T>(ref T y, ref T g, ref T d, int rows, int classes, bool logarithmic)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logarithmic)
        {
            LossKernels<TOps, TVec, T>.ActivationGradient<LogSoftmaxBackward<TOps, TVec, T>>(ref y, ref g, ref d, (nuint)rows, (nuint)classes);
        }
        else
        {
            LossKernels<TOps, TVec, T>.ActivationGradient<SoftmaxBackward<TOps, TVec, T>>(ref y, ref g, ref d, (nuint)rows, (nuint)classes);
        }
    }

    /// <summary>The cross-entropy with options: lane-wise blocks under <see cref="LayoutRule.OptionColumns"/> (returning how many rows they did, none in <see cref="RowLayout.None"/>), the row path otherwise.</summary>
    private readonly ref struct OptionsOperation<TElement>(
        ReadOnlySpan<TElement> x, ReadOnlySpan<int> targets, ReadOnlySpan<TElement> weights, int ignoreIndex, double smoothing,
        Span<TElement> losses, Span<TElement> gradient, double scale, int rows, int classes)
        : ILayoutOperation<(double, double, nuint)>
    {
        private readonly ReadOnlySpan<TElement> x = x, weights = weights;
        private readonly ReadOnlySpan<int> targets = targets;
        private readonly Span<TElement> losses = losses, gradient = gradient;

        (double, double, nuint) ILayoutOperation<(double, double, nuint)>.Run<TOps, TVec, T>(RowLayout layout)
        {
            ref T xs = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x));
            ReadOnlySpan<T> w = VectorDispatch.As<TElement, T>(weights);
            Span<T> l = VectorDispatch.As<TElement, T>(losses), g = VectorDispatch.As<TElement, T>(gradient);
            if (layout == RowLayout.None)
                return (0, 0, 0);
            if (layout == RowLayout.Columns)
                return ColumnKernels<TOps, TVec, T>.CrossEntropyWithOptionsAllRows(ref xs, targets, w, ignoreIndex, smoothing, l, g, scale, (nuint)rows, (nuint)classes);
            (double nll, double smooth) = LossKernels<TOps, TVec, T>.CrossEntropy(ref xs, targets, w, ignoreIndex, smoothing, l, g, scale, (nuint)rows, (nuint)classes);
            return (nll, smooth, (nuint)rows);
        }
    }

    /// <summary>The cross-entropy against target probabilities, in a row layout.</summary>
    private readonly ref struct ProbabilityOperation<TElement>(
        ReadOnlySpan<TElement> x, ReadOnlySpan<TElement> p, double smoothing, Span<TElement> losses, Span<TElement> gradient, double scale, int rows, int classes)
        : ILayoutOperation<double>
    {
        private readonly ReadOnlySpan<TElement> x = x, p = p;
        private readonly Span<TElement> losses = losses, gradient = gradient;

        double ILayoutOperation<double>.Run<TOps, TVec, T>(RowLayout layout) =>
            LossKernels<TOps, TVec, T>.ProbabilityCrossEntropy(
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(x)), ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(p)),
                smoothing, VectorDispatch.As<TElement, T>(losses), VectorDispatch.As<TElement, T>(gradient), scale, (nuint)rows, (nuint)classes);
    }

    /// <summary>The backward pass of softmax or log-softmax, in a row layout.</summary>
    private readonly ref struct BackwardOperation<TElement>(
        ReadOnlySpan<TElement> y, ReadOnlySpan<TElement> g, Span<TElement> d, int rows, int classes, bool logarithmic)
        : ILayoutOperation<bool>
    {
        private readonly ReadOnlySpan<TElement> y = y, g = g;
        private readonly Span<TElement> d = d;

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            Backward<TOps, TVec, T>(
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(y)), ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(g)),
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(d)), rows, classes, logarithmic);
            return true;
        }
    }
}
