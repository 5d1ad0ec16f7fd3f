using SoftmaxGen.Kernels;

namespace SoftmaxGen;

/// <summary>
/// Softmax, log-softmax, cross-entropy and argmax over a row-major batch of <c>rows x classes</c> values, for any
/// class count, in <see cref="float"/> and <see cref="double"/>. The semantics are PyTorch's <c>F.softmax(x, dim=1)</c>,
/// <c>F.log_softmax(x, dim=1)</c>, <c>F.cross_entropy(x, targets)</c> and <c>torch.argmax(x, dim=1)</c>; a single vector
/// is a batch of one row.
/// </summary>
/// <remarks>
/// <para>Every routine subtracts the row maximum, so it is exact for every finite input (logits of ±3e38 included).
/// A row containing NaN or +inf, or made only of -inf, gives NaN as in PyTorch; a -inf logit in an otherwise finite row
/// gives probability 0 and log-probability -inf. Softmax is within 4 ULP of the correctly rounded result for outputs
/// of at least 1e-30, log-softmax within 4 ULP of max(|result|, 1).</para>
/// <para>When the process contains a kernel generated with <see cref="SoftmaxKernelAttribute"/> for the same class
/// count, these methods run it; otherwise they run a vectorised fallback. No call allocates.</para>
/// </remarks>
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The softmax of each row: <c>probabilities[r, j] = exp(logits[r, j]) / sum_k exp(logits[r, k])</c>, as
    /// <c>F.softmax(logits, dim=1)</c> or Keras' <c>softmax</c> activation.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="probabilities">Receives <c>rows x classes</c> probabilities. May be the same memory as <paramref name="logits"/> (in place), but may not partly overlap it.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="probabilities"/> is shorter than <paramref name="logits"/> or partly overlaps it.</exception>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(logits, probabilities, classes, nameof(probabilities), log: false, precision);

    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(logits, probabilities, classes, nameof(probabilities), log: false, precision);

    /// <summary>
    /// The log-softmax of each row: <c>logProbabilities[r, j] = logits[r, j] - log(sum_k exp(logits[r, k]))</c>, as
    /// <c>F.log_softmax(logits, dim=1)</c> or <c>tf.nn.log_softmax(logits, axis=-1)</c>; more accurate than taking the log of <see cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="logProbabilities">Receives <c>rows x classes</c> log-probabilities. May be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="logProbabilities"/> is shorter than <paramref name="logits"/> or partly overlaps it.</exception>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(logits, logProbabilities, classes, nameof(logProbabilities), log: true, precision);

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => RowsChecked(logits, logProbabilities, classes, nameof(logProbabilities), log: true, precision);

    /// <summary>
    /// The predicted class of each row: the index of its first maximum, as <c>torch.argmax(logits, dim=1)</c> or <c>tf.argmax(logits, axis=1)</c>
    /// (a NaN counts as the maximum, as in PyTorch).
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits (or probabilities: the argmax is the same).</param>
    /// <param name="predictions">Receives one class index per row.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="predictions"/> is shorter than the number of rows or overlaps <paramref name="logits"/>.</exception>
    public static void Argmax(ReadOnlySpan<float> logits, Span<int> predictions, int classes)
        => ArgmaxChecked(logits, predictions, classes);

    /// <inheritdoc cref="Argmax(ReadOnlySpan{float}, Span{int}, int)"/>
    public static void Argmax(ReadOnlySpan<double> logits, Span<int> predictions, int classes)
        => ArgmaxChecked(logits, predictions, classes);

    /// <summary>
    /// log(sum(e^x)) of each row, as <c>torch.logsumexp(logits, dim=1)</c>: max + ln(sum of e^(x - max)), stable for every
    /// finite input; in Exact, float results are within 1 ULP of max(|result|, 1)
    /// of the exact value. A row with a NaN gives NaN; otherwise a row with +inf gives +inf,
    /// a row of only -inf gives -inf, and -inf entries among finite ones count as e^-inf = 0.
    /// </summary>
    /// <param name="logits">Row-major <c>rows x classes</c> logits.</param>
    /// <param name="results">Receives one value per row; must not overlap <paramref name="logits"/>.</param>
    /// <param name="classes">The number of classes (the row length), at least 1.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1, or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>, or <paramref name="results"/> is shorter than the number of rows or overlaps <paramref name="logits"/>.</exception>
    public static void LogSumExp(ReadOnlySpan<float> logits, Span<float> results, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) =>
        SoftmaxFallback.LogSumExp(logits, results, classes, precision);

    /// <inheritdoc cref="LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>
    public static void LogSumExp(ReadOnlySpan<double> logits, Span<double> results, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) =>
        SoftmaxFallback.LogSumExp(logits, results, classes, precision);

    /// <summary>log(sum(e^x)) of one row (see <see cref="LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>).</summary>
    /// <param name="logits">The row, at least one value.</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <returns>The log-sum-exp of the row.</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty.</exception>
    public static float LogSumExp(ReadOnlySpan<float> logits, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        float result = 0;
        SoftmaxFallback.LogSumExp(logits, new Span<float>(ref result), SingleRow(logits.Length), precision);
        return result;
    }

    /// <inheritdoc cref="LogSumExp(ReadOnlySpan{float}, SoftmaxPrecision)"/>
    public static double LogSumExp(ReadOnlySpan<double> logits, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        double result = 0;
        SoftmaxFallback.LogSumExp(logits, new Span<double>(ref result), SingleRow(logits.Length), precision);
        return result;
    }

    private static int SingleRow(int length) =>
        length > 0 ? length : throw new ArgumentException("A row needs at least one value.", "logits");

    internal static void ArgmaxChecked<T>(ReadOnlySpan<T> logits, Span<int> predictions, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(Half))
        {
            // Through the Half bridge to the float kernels (SoftmaxTensor's Half argmax comes here).
            Argmax(MemoryMarshal.Cast<T, Half>(logits), predictions, classes);
            return;
        }

        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        ArgmaxRows(logits, predictions, rows, classes);
    }

    /// <summary>The argmax of validated rows: the registered kernel's, else the row kernels'.</summary>
    internal static void ArgmaxRows<T>(ReadOnlySpan<T> logits, Span<int> predictions, int rows, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (SoftmaxKernelRegistry.Find(classes) is { } kernel)
            SoftmaxFallback.KernelArgmax(kernel, logits, predictions, rows);
        else
            RowKernels.Argmax(logits, predictions, classes);
    }

    internal static void RowsChecked<T>(ReadOnlySpan<T> logits, Span<T> output, int classes, string outputName, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, output, nameof(logits), outputName);
        SoftmaxGuard.Precision(precision);
        SoftmaxRows(logits, output, rows, classes, log, precision);
    }

    /// <summary>Softmax or log-softmax of validated rows: the registered kernel's, else the fallback's.</summary>
    internal static void SoftmaxRows<T>(ReadOnlySpan<T> logits, Span<T> output, int rows, int classes, bool log, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SoftmaxFallback.NormalizeRows(SoftmaxKernelRegistry.Find(classes, precision), logits, output, rows, classes, log, precision);
}
