using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The runtime fallback for any class count: the same operations as <see cref="SoftmaxPrimitives"/>, vectorised with
/// the widest vector that fits in a row, but never dispatching to a generated kernel. <see cref="SoftmaxPrimitives"/>
/// runs it when no kernel for the class count is registered; tests and benchmarks call it to compare.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class SoftmaxFallback
{
    /// <inheritdoc cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{float}, Span{float}, int)"/>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, probabilities, nameof(logits), nameof(probabilities));
        SoftmaxCore(logits, probabilities, rows, classes);
    }

    /// <inheritdoc cref="SoftmaxPrimitives.Softmax(ReadOnlySpan{double}, Span{double}, int)"/>
    public static void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, probabilities, nameof(logits), nameof(probabilities));
        SoftmaxCore(logits, probabilities, rows, classes);
    }

    /// <inheritdoc cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{float}, Span{float}, int)"/>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, logProbabilities, nameof(logits), nameof(logProbabilities));
        LogSoftmaxCore(logits, logProbabilities, rows, classes);
    }

    /// <inheritdoc cref="SoftmaxPrimitives.LogSoftmax(ReadOnlySpan{double}, Span{double}, int)"/>
    public static void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, logProbabilities, nameof(logits), nameof(logProbabilities));
        LogSoftmaxCore(logits, logProbabilities, rows, classes);
    }

    /// <inheritdoc cref="SoftmaxPrimitives.Argmax(ReadOnlySpan{float}, Span{int}, int)"/>
    public static void Argmax(ReadOnlySpan<float> logits, Span<int> predictions, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        RowKernels.Argmax(logits, predictions, classes);
    }

    /// <inheritdoc cref="SoftmaxPrimitives.Argmax(ReadOnlySpan{double}, Span{int}, int)"/>
    public static void Argmax(ReadOnlySpan<double> logits, Span<int> predictions, int classes)
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        RowKernels.Argmax(logits, predictions, classes);
    }

    // ---- Entry points for generated code: the shape they rely on is checked (cheaply), so that a direct call
    // cannot reach past a span; the runtime's own callers, which validated everything, call the *Rows cores.

    /// <summary>Softmax of <paramref name="rows"/> rows (the scalar path of generated kernels).</summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="probabilities">At least as long as those rows; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="rows"/> rows.</exception>
    public static void SoftmaxCore(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes)
    {
        SoftmaxGuard.CoreRows(logits.Length, probabilities.Length, rows, classes);
        SoftmaxRows(logits, probabilities, rows, classes);
    }

    /// <inheritdoc cref="SoftmaxCore(ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void SoftmaxCore(ReadOnlySpan<double> logits, Span<double> probabilities, int rows, int classes)
    {
        SoftmaxGuard.CoreRows(logits.Length, probabilities.Length, rows, classes);
        SoftmaxRows(logits, probabilities, rows, classes);
    }

    /// <summary>Log-softmax of <paramref name="rows"/> rows (the scalar path of generated kernels).</summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="logProbabilities">At least as long as those rows; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="rows"/> rows.</exception>
    public static void LogSoftmaxCore(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows, int classes)
    {
        SoftmaxGuard.CoreRows(logits.Length, logProbabilities.Length, rows, classes);
        LogSoftmaxRows(logits, logProbabilities, rows, classes);
    }

    /// <inheritdoc cref="LogSoftmaxCore(ReadOnlySpan{float}, Span{float}, int, int)"/>
    public static void LogSoftmaxCore(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows, int classes)
    {
        SoftmaxGuard.CoreRows(logits.Length, logProbabilities.Length, rows, classes);
        LogSoftmaxRows(logits, logProbabilities, rows, classes);
    }

    /// <summary>Cross-entropy of <paramref name="rows"/> rows against class targets (the scalar path of generated kernels); writes per-row losses unless <paramref name="losses"/> is empty; returns their sum.</summary>
    /// <param name="logits">At least <paramref name="rows"/> whole rows.</param>
    /// <param name="targets">At least one class index in range per row.</param>
    /// <param name="losses">Empty, or at least one value per row.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    /// <exception cref="ArgumentException">The spans do not hold <paramref name="rows"/> rows, or a target is out of range.</exception>
    public static double CrossEntropyCore(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows, int classes)
    {
        SoftmaxGuard.CoreTargets(logits.Length, targets, losses.Length, rows, classes);
        return CrossEntropyRows(logits, targets, losses, rows, classes);
    }

    /// <inheritdoc cref="CrossEntropyCore(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int)"/>
    public static double CrossEntropyCore(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows, int classes)
    {
        SoftmaxGuard.CoreTargets(logits.Length, targets, losses.Length, rows, classes);
        return CrossEntropyRows(logits, targets, losses, rows, classes);
    }

    /// <summary>The argmax of every whole row of <paramref name="logits"/> into <paramref name="predictions"/> (generated kernels' path).</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="predictions">At least one value per row.</param>
    /// <param name="classes">The class count.</param>
    /// <exception cref="ArgumentException"><paramref name="predictions"/> is shorter than the number of rows.</exception>
    public static void ArgmaxCore(ReadOnlySpan<float> logits, Span<int> predictions, int classes)
    {
        SoftmaxGuard.CoreRows(logits.Length, logits.Length, logits.Length / Math.Max(classes, 1), classes);
        SoftmaxGuard.PerRowLength(predictions.Length, logits.Length / classes, nameof(predictions));
        RowKernels.Argmax(logits, predictions, classes);
    }

    /// <inheritdoc cref="ArgmaxCore(ReadOnlySpan{float}, Span{int}, int)"/>
    public static void ArgmaxCore(ReadOnlySpan<double> logits, Span<int> predictions, int classes)
    {
        SoftmaxGuard.CoreRows(logits.Length, logits.Length, logits.Length / Math.Max(classes, 1), classes);
        SoftmaxGuard.PerRowLength(predictions.Length, logits.Length / classes, nameof(predictions));
        RowKernels.Argmax(logits, predictions, classes);
    }

    // ---- Validated cores: choose the widest vector no longer than a row ----------------------------------

    /// <summary>Softmax of validated rows.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="probabilities">At least as long as <paramref name="logits"/>; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    internal static void SoftmaxRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes)
    {
        ref float x = ref MemoryMarshal.GetReference(logits);
        ref float y = ref MemoryMarshal.GetReference(probabilities);
        // Short rows: SIMD across rows (see ColumnKernels), 16 rows at a time with AVX-512: with the transposes four
        // classes at a time it measured faster than the 256-bit 8 x 8 tiles for every C from 4 to 63 (softmax C = 10:
        // 0.77 against 1.27 ns per value, C = 63: 0.87 against 0.92; Stopwatch, 64K values, 2026-12-01).
        if (Vector512.IsHardwareAccelerated && classes < ColumnKernels.MaxClasses)
            ColumnKernels.Softmax<Simd512F, Vector512<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes < ColumnKernels.MaxClasses)
            ColumnKernels.Softmax<Simd256F, Vector256<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector128.IsHardwareAccelerated && classes < Vector128<float>.Count)
            ColumnKernels.Softmax<Simd128F, Vector128<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector512.IsHardwareAccelerated && classes >= Vector512<float>.Count)
            RowKernels.Softmax<Simd512F, Vector512<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes >= Vector256<float>.Count)
            RowKernels.Softmax<Simd256F, Vector256<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector128.IsHardwareAccelerated && classes >= Vector128<float>.Count)
            RowKernels.Softmax<Simd128F, Vector128<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else
            RowKernels.Softmax<ScalarF, float, float>(ref x, ref y, (nuint)rows, (nuint)classes);
    }

    /// <inheritdoc cref="SoftmaxRows(ReadOnlySpan{float}, Span{float}, int, int)"/>
    internal static void SoftmaxRows(ReadOnlySpan<double> logits, Span<double> probabilities, int rows, int classes)
    {
        ref double x = ref MemoryMarshal.GetReference(logits);
        ref double y = ref MemoryMarshal.GetReference(probabilities);
        // Short rows: SIMD across rows (see ColumnKernels), 8 rows at a time with AVX-512 (4 with AVX2): for 2 to 15
        // classes it measured faster than the row layout (softmax C = 3: 2.2 against 6.0 ns per value, C = 10: 2.1 against
        // 3.6; at 16 they are even and beyond it the row layout wins; Stopwatch, 64K values, 2026-12-01).
        if (Vector512.IsHardwareAccelerated && classes >= 2 && classes < ColumnKernels.MaxDoubleClasses)
            ColumnKernels.Softmax<Simd512D, Vector512<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes >= 2 && classes < ColumnKernels.MaxDoubleClasses)
            ColumnKernels.Softmax<Simd256D, Vector256<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector512.IsHardwareAccelerated && classes >= Vector512<double>.Count)
            RowKernels.Softmax<Simd512D, Vector512<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes >= Vector256<double>.Count)
            RowKernels.Softmax<Simd256D, Vector256<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector128.IsHardwareAccelerated && classes >= Vector128<double>.Count)
            RowKernels.Softmax<Simd128D, Vector128<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else
            RowKernels.Softmax<ScalarD, double, double>(ref x, ref y, (nuint)rows, (nuint)classes);
    }

    /// <summary>Log-softmax of validated rows.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="logProbabilities">At least as long as <paramref name="logits"/>; may be the same memory.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    internal static void LogSoftmaxRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows, int classes)
    {
        ref float x = ref MemoryMarshal.GetReference(logits);
        ref float y = ref MemoryMarshal.GetReference(logProbabilities);
        // Short rows: SIMD across rows (see ColumnKernels), 16 rows at a time with AVX-512: with the transposes four
        // classes at a time it measured faster than the 256-bit 8 x 8 tiles for every C from 4 to 63 (softmax C = 10:
        // 0.77 against 1.27 ns per value, C = 63: 0.87 against 0.92; Stopwatch, 64K values, 2026-12-01).
        if (Vector512.IsHardwareAccelerated && classes < ColumnKernels.MaxClasses)
            ColumnKernels.LogSoftmax<Simd512F, Vector512<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes < ColumnKernels.MaxClasses)
            ColumnKernels.LogSoftmax<Simd256F, Vector256<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector128.IsHardwareAccelerated && classes < Vector128<float>.Count)
            ColumnKernels.LogSoftmax<Simd128F, Vector128<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector512.IsHardwareAccelerated && classes >= Vector512<float>.Count)
            RowKernels.LogSoftmax<Simd512F, Vector512<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes >= Vector256<float>.Count)
            RowKernels.LogSoftmax<Simd256F, Vector256<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector128.IsHardwareAccelerated && classes >= Vector128<float>.Count)
            RowKernels.LogSoftmax<Simd128F, Vector128<float>, float>(ref x, ref y, (nuint)rows, (nuint)classes);
        else
            RowKernels.LogSoftmax<ScalarF, float, float>(ref x, ref y, (nuint)rows, (nuint)classes);
    }

    /// <inheritdoc cref="LogSoftmaxRows(ReadOnlySpan{float}, Span{float}, int, int)"/>
    internal static void LogSoftmaxRows(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows, int classes)
    {
        ref double x = ref MemoryMarshal.GetReference(logits);
        ref double y = ref MemoryMarshal.GetReference(logProbabilities);
        // Short rows: SIMD across rows (see ColumnKernels), 8 rows at a time with AVX-512 (4 with AVX2): for 2 to 15
        // classes it measured faster than the row layout (softmax C = 3: 2.2 against 6.0 ns per value, C = 10: 2.1 against
        // 3.6; at 16 they are even and beyond it the row layout wins; Stopwatch, 64K values, 2026-12-01).
        if (Vector512.IsHardwareAccelerated && classes >= 2 && classes < ColumnKernels.MaxDoubleClasses)
            ColumnKernels.LogSoftmax<Simd512D, Vector512<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes >= 2 && classes < ColumnKernels.MaxDoubleClasses)
            ColumnKernels.LogSoftmax<Simd256D, Vector256<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector512.IsHardwareAccelerated && classes >= Vector512<double>.Count)
            RowKernels.LogSoftmax<Simd512D, Vector512<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector256.IsHardwareAccelerated && classes >= Vector256<double>.Count)
            RowKernels.LogSoftmax<Simd256D, Vector256<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else if (Vector128.IsHardwareAccelerated && classes >= Vector128<double>.Count)
            RowKernels.LogSoftmax<Simd128D, Vector128<double>, double>(ref x, ref y, (nuint)rows, (nuint)classes);
        else
            RowKernels.LogSoftmax<ScalarD, double, double>(ref x, ref y, (nuint)rows, (nuint)classes);
    }

    /// <summary>Cross-entropy of validated rows and targets; writes per-row losses unless <paramref name="losses"/> is empty; returns their sum.</summary>
    /// <param name="logits">Whole rows.</param>
    /// <param name="targets">One valid class index per row.</param>
    /// <param name="losses">Empty, or at least one value per row.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count.</param>
    internal static double CrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows, int classes)
    {
        ref float x = ref MemoryMarshal.GetReference(logits);
        // Short rows: SIMD across rows (see ColumnKernels), 16 rows at a time with AVX-512: with the transposes four
        // classes at a time it measured faster than the 256-bit 8 x 8 tiles for every C from 4 to 63 (softmax C = 10:
        // 0.77 against 1.27 ns per value, C = 63: 0.87 against 0.92; Stopwatch, 64K values, 2026-12-01).
        if (Vector512.IsHardwareAccelerated && classes < ColumnKernels.MaxClasses)
            return ColumnKernels.CrossEntropy<Simd512F, Vector512<float>, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector256.IsHardwareAccelerated && classes < ColumnKernels.MaxClasses)
            return ColumnKernels.CrossEntropy<Simd256F, Vector256<float>, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector128.IsHardwareAccelerated && classes < Vector128<float>.Count)
            return ColumnKernels.CrossEntropy<Simd128F, Vector128<float>, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector512.IsHardwareAccelerated && classes >= Vector512<float>.Count)
            return RowKernels.CrossEntropy<Simd512F, Vector512<float>, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector256.IsHardwareAccelerated && classes >= Vector256<float>.Count)
            return RowKernels.CrossEntropy<Simd256F, Vector256<float>, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector128.IsHardwareAccelerated && classes >= Vector128<float>.Count)
            return RowKernels.CrossEntropy<Simd128F, Vector128<float>, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        return RowKernels.CrossEntropy<ScalarF, float, float>(ref x, targets, losses, (nuint)rows, (nuint)classes);
    }

    /// <inheritdoc cref="CrossEntropyRows(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int)"/>
    internal static double CrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows, int classes)
    {
        ref double x = ref MemoryMarshal.GetReference(logits);
        // Short rows: SIMD across rows (see ColumnKernels and SoftmaxCore).
        if (Vector512.IsHardwareAccelerated && classes >= 2 && classes < ColumnKernels.MaxDoubleClasses)
            return ColumnKernels.CrossEntropy<Simd512D, Vector512<double>, double>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector256.IsHardwareAccelerated && classes >= 2 && classes < ColumnKernels.MaxDoubleClasses)
            return ColumnKernels.CrossEntropy<Simd256D, Vector256<double>, double>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector512.IsHardwareAccelerated && classes >= Vector512<double>.Count)
            return RowKernels.CrossEntropy<Simd512D, Vector512<double>, double>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector256.IsHardwareAccelerated && classes >= Vector256<double>.Count)
            return RowKernels.CrossEntropy<Simd256D, Vector256<double>, double>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        if (Vector128.IsHardwareAccelerated && classes >= Vector128<double>.Count)
            return RowKernels.CrossEntropy<Simd128D, Vector128<double>, double>(ref x, targets, losses, (nuint)rows, (nuint)classes);
        return RowKernels.CrossEntropy<ScalarD, double, double>(ref x, targets, losses, (nuint)rows, (nuint)classes);
    }

}
