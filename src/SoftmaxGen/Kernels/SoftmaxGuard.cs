using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace SoftmaxGen.Kernels;

/// <summary>
/// Argument validation shared by <see cref="SoftmaxPrimitives"/>, the fallback and the generated kernels, so every
/// entry point reports bad input with the same messages. Nothing is written before validation succeeds.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class SoftmaxGuard
{
    /// <summary>Checks that <paramref name="precision"/> is one of the defined values.</summary>
    /// <param name="precision">The precision argument.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is neither Exact nor Fast.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Precision(SoftmaxPrecision precision)
    {
        if ((uint)precision > (uint)SoftmaxPrecision.Fast)
        {
            ThrowPrecision(precision);
        }
    }

    [DoesNotReturn]
    private static void ThrowPrecision(SoftmaxPrecision precision) =>
        throw new ArgumentOutOfRangeException(nameof(precision), precision, $"The precision must be SoftmaxPrecision.Exact or SoftmaxPrecision.Fast; it was {(int)precision}.");

    /// <summary>The number of rows in an input of <paramref name="length"/> values of <paramref name="classes"/> classes.</summary>
    /// <param name="length">The input length.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="inputName">The input parameter's name, for messages.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The length is not a whole number of rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a constant class count (generated code) divides by multiplication
    public static int Rows(int length, int classes, string inputName)
    {
        if (classes < 1)
        {
            ThrowClasses(classes);
        }

        int rows = length / classes;
        if (rows * classes != length)
        {
            ThrowNotWholeRows(length, classes, inputName);
        }

        return rows;
    }

    /// <summary>Checks an output that receives one value per input value; it may be the input itself but may not partly overlap it.</summary>
    /// <param name="input">The input.</param>
    /// <param name="output">The output.</param>
    /// <param name="inputName">The input parameter's name.</param>
    /// <param name="outputName">The output parameter's name.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameShapeOutput<T>(ReadOnlySpan<T> input, Span<T> output, string inputName, string outputName)
        where T : unmanaged
    {
        if (output.Length < input.Length)
        {
            ThrowShorterOutput(output.Length, input.Length, inputName, outputName);
        }

        // Compared by bytes, so that spans cast from other memory (MemoryMarshal.Cast) cannot overlap unseen.
        if (Overlaps<T, T>(input, output, out nint byteOffset) && byteOffset != 0)
        {
            ThrowPartOverlap(byteOffset, Unsafe.SizeOf<T>(), inputName, outputName);
        }
    }

    /// <summary>Checks an output of another element type that receives one value per input value: as long, and separate memory.</summary>
    /// <param name="input">The input.</param>
    /// <param name="output">The output.</param>
    /// <param name="inputName">The input parameter's name.</param>
    /// <param name="outputName">The output parameter's name.</param>
    internal static void ConvertedOutput<TInput, TOutput>(ReadOnlySpan<TInput> input, Span<TOutput> output, string inputName, string outputName)
        where TInput : unmanaged
        where TOutput : unmanaged
    {
        if (output.Length < input.Length)
        {
            ThrowShorterOutput(output.Length, input.Length, inputName, outputName);
        }

        Disjoint<TOutput, TInput>(output, input, outputName, inputName);
    }

    /// <summary>
    /// Checks that an output shares no byte with another buffer of the same call, whatever their element types (an
    /// <see cref="int"/> target span cast over a float loss span, say); exact aliasing is refused too.
    /// </summary>
    /// <param name="output">The output.</param>
    /// <param name="other">An input or another output of the call.</param>
    /// <param name="outputName">The output parameter's name.</param>
    /// <param name="otherName">The other parameter's name.</param>
    /// <exception cref="ArgumentException">They share a byte.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Disjoint<TOutput, TOther>(ReadOnlySpan<TOutput> output, ReadOnlySpan<TOther> other, string outputName, string otherName)
        where TOutput : unmanaged
        where TOther : unmanaged
    {
        if (Overlaps(output, other, out _))
        {
            ThrowOverlap(outputName, otherName);
        }
    }

    /// <summary>Whether two spans share a byte; <paramref name="byteOffset"/> is where <paramref name="b"/> starts relative to <paramref name="a"/>, in bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Overlaps<TA, TB>(ReadOnlySpan<TA> a, ReadOnlySpan<TB> b, out nint byteOffset)
        where TA : unmanaged
        where TB : unmanaged
    {
        byteOffset = Unsafe.ByteOffset(
            ref Unsafe.As<TA, byte>(ref MemoryMarshal.GetReference(a)),
            ref Unsafe.As<TB, byte>(ref MemoryMarshal.GetReference(b)));
        if (a.IsEmpty || b.IsEmpty)
        {
            return false;
        }

        // b starts inside a, or a starts inside b (lengths in bytes cannot overflow a 64-bit nuint).
        return (nuint)byteOffset < (nuint)a.Length * (nuint)Unsafe.SizeOf<TA>()
            || (nuint)(-byteOffset) < (nuint)b.Length * (nuint)Unsafe.SizeOf<TB>();
    }

    /// <summary>Checks class-index targets: one per row, each in [0, classes).</summary>
    /// <param name="targets">The targets.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    internal static void Targets(ReadOnlySpan<int> targets, int rows, int classes)
    {
        if (targets.Length != rows)
        {
            throw new ArgumentException(
                $"targets.Length ({targets.Length}) must equal the number of rows ({rows}): one class index per row.",
                nameof(targets));
        }

        for (int row = 0; row < targets.Length; row++)
        {
            if ((uint)targets[row] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(targets),
                    targets[row],
                    $"targets[{row}] is {targets[row]}, outside the class range [0, {classes}).");
            }
        }
    }

    /// <summary>Checks an output of one value per row that must not overlap the input.</summary>
    /// <param name="input">The input.</param>
    /// <param name="output">The per-row output.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="inputName">The input parameter's name.</param>
    /// <param name="outputName">The output parameter's name.</param>
    internal static void PerRowOutput<T>(ReadOnlySpan<T> input, Span<T> output, int rows, string inputName, string outputName)
        where T : unmanaged
    {
        PerRowLength(output.Length, rows, outputName);
        Disjoint<T, T>(output, input, outputName, inputName);
    }

    /// <summary>Checks an argmax output: at least one index per row, sharing no byte with the logits.</summary>
    /// <param name="logits">The logits.</param>
    /// <param name="predictions">The per-row class indices.</param>
    /// <param name="rows">The row count.</param>
    public static void Predictions<T>(ReadOnlySpan<T> logits, Span<int> predictions, int rows)
        where T : unmanaged
    {
        PerRowLength(predictions.Length, rows, nameof(predictions));
        Disjoint<int, T>(predictions, logits, nameof(predictions), nameof(logits));
    }

    /// <summary>
    /// Checks the shape a validated core relies on, in O(1): <paramref name="rows"/> whole rows fit in the input and in
    /// the output, so that a direct call with a wrong count cannot reach past either span.
    /// </summary>
    /// <param name="inputLength">The input length.</param>
    /// <param name="outputLength">The output length.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CoreRows(int inputLength, int outputLength, int rows, int classes)
    {
        long values = (long)rows * classes;
        if (classes < 1 || rows < 0 || values > inputLength || values > outputLength)
        {
            ThrowCoreRows(inputLength, outputLength, rows, classes);
        }
    }

    /// <summary><see cref="CoreRows"/> for a middle-axis core: <c>outer x classes x innerSize</c> values fit in both spans.</summary>
    /// <param name="inputLength">The input length.</param>
    /// <param name="outputLength">The output length.</param>
    /// <param name="outer">The outer size.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="innerSize">The inner size.</param>
    internal static void CoreAxis(int inputLength, int outputLength, int outer, int classes, int innerSize)
    {
        long plane = (long)Math.Max(classes, 0) * Math.Max(innerSize, 0);
        long values = outer <= 0 ? 0 : plane > int.MaxValue ? long.MaxValue : outer * plane;
        if (classes < 1 || innerSize < 1 || outer < 0 || values > inputLength || values > outputLength)
        {
            throw new ArgumentException(
                $"outer ({outer}) x classes ({classes}) x innerSize ({innerSize}) does not fit in the spans ({inputLength} and {outputLength} values).", nameof(outer));
        }
    }

    /// <summary>
    /// <see cref="CoreRows"/> for a class-target loss, and its targets: at least one per row, each in [0, classes) or
    /// <paramref name="ignoreIndex"/>; per-row losses empty or at least one per row.
    /// </summary>
    /// <param name="logitsLength">The logits' length.</param>
    /// <param name="targets">The targets.</param>
    /// <param name="lossesLength">The per-row losses' length (0 for none).</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <param name="ignoreIndex">The ignored target value, or null when every target must be a class.</param>
    internal static void CoreTargets(int logitsLength, ReadOnlySpan<int> targets, int lossesLength, int rows, int classes, int? ignoreIndex = null)
    {
        CoreRows(logitsLength, logitsLength, rows, classes);
        if (targets.Length < rows)
        {
            ThrowCoreRows(targets.Length, targets.Length, rows, 1);
        }

        if (lossesLength != 0)
        {
            PerRowLength(lossesLength, rows, "losses");
        }

        if (ignoreIndex is int ignored)
        {
            Targets(targets.Slice(0, rows), rows, classes, ignored);
        }
        else
        {
            Targets(targets.Slice(0, rows), rows, classes);
        }
    }

    /// <summary>Checks that a per-row output of <paramref name="length"/> values holds <paramref name="rows"/> rows.</summary>
    /// <param name="length">The output length.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="outputName">The output parameter's name.</param>
    internal static void PerRowLength(int length, int rows, string outputName)
    {
        if (length < rows)
        {
            throw new ArgumentException(
                $"{outputName}.Length ({length}) is shorter than the number of rows ({rows}).",
                outputName);
        }
    }

    /// <summary>Checks a <see cref="LossReduction"/> value.</summary>
    /// <param name="reduction">The reduction.</param>
    public static void Reduction(LossReduction reduction)
    {
        if (reduction is not (LossReduction.Mean or LossReduction.Sum))
        {
            if (reduction == LossReduction.BatchMean)
                throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "reduction is BatchMean, which only KlDivergence takes; this loss takes Mean or Sum.");

            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"reduction is {(int)reduction}, not a LossReduction value.");
        }
    }

    /// <summary>Checks a <see cref="LossReduction"/> value for a loss that also takes <see cref="LossReduction.BatchMean"/>.</summary>
    /// <param name="reduction">The reduction.</param>
    internal static void ReductionOrBatchMean(LossReduction reduction)
    {
        if (reduction != LossReduction.BatchMean)
            Reduction(reduction);
    }

    /// <summary>Reduces a sum of per-row losses as <paramref name="reduction"/> asks.</summary>
    /// <param name="sum">The sum of the per-row losses.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="reduction">The reduction.</param>
    public static double Reduce(double sum, int rows, LossReduction reduction) =>
        reduction == LossReduction.Sum ? sum : sum / rows;

    // The throws are out of line, so that the checks above inline into every entry point.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotWholeRows(int length, int classes, string inputName) =>
        throw new ArgumentException(
            $"{inputName}.Length ({length}) is not a multiple of classes ({classes}): the input must hold whole rows of {classes} values.",
            inputName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShorterOutput(int outputLength, int inputLength, string inputName, string outputName) =>
        throw new ArgumentException($"{outputName}.Length ({outputLength}) is shorter than {inputName}.Length ({inputLength}).", outputName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowPartOverlap(nint byteOffset, int elementSize, string inputName, string outputName) =>
        throw new ArgumentException(
            byteOffset % elementSize == 0
                ? $"{outputName} partly overlaps {inputName} (offset {byteOffset / elementSize} elements); in-place use needs the same start."
                : $"{outputName} partly overlaps {inputName} (offset {byteOffset} bytes); in-place use needs the same start.",
            outputName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverlap(string outputName, string otherName) =>
        throw new ArgumentException($"{outputName} overlaps {otherName}: they must be separate memory.", outputName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCoreRows(int inputLength, int outputLength, int rows, int classes) =>
        throw new ArgumentException(
            $"rows ({rows}) x classes ({classes}) does not fit in the spans ({inputLength} and {outputLength} values).", nameof(rows));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowClasses(int classes) =>
        throw new ArgumentOutOfRangeException(nameof(classes), classes, $"classes is {classes}; it must be at least 1.");
}
