using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SoftmaxGen.Kernels;

/// <summary>
/// A kernel specialised to one class count. The source generator derives one from this class for every
/// <see cref="SoftmaxKernelAttribute"/> and registers it with <see cref="SoftmaxKernelRegistry"/>, so that
/// <see cref="SoftmaxPrimitives"/> calls with the same class count run the specialised code.
/// </summary>
/// <remarks>
/// Public for generated code only. The public methods validate their arguments as <see cref="SoftmaxPrimitives"/>
/// does; a generated kernel implements the protected members, which receive validated rows only.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class SoftmaxKernel
{
    /// <summary>Initialises a kernel for <paramref name="classes"/> classes.</summary>
    /// <param name="classes">The class count, at least 1.</param>
    protected SoftmaxKernel(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Classes = classes;
    }

    /// <summary>The class count this kernel is specialised to.</summary>
    public int Classes { get; }

    /// <summary>Softmax of every row of <paramref name="logits"/> into <paramref name="probabilities"/>, validated as <see cref="SoftmaxPrimitives"/> validates.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="probabilities">The output, at least as long as the input; may be the input itself.</param>
    public void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) =>
        SoftmaxRows(logits, probabilities, SameShapeRows(logits, probabilities, nameof(probabilities)));

    /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float})"/>
    public void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities) =>
        SoftmaxRows(logits, probabilities, SameShapeRows(logits, probabilities, nameof(probabilities)));

    /// <summary>Log-softmax of every row of <paramref name="logits"/> into <paramref name="logProbabilities"/>, validated.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="logProbabilities">The output, at least as long as the input; may be the input itself.</param>
    public void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities) =>
        LogSoftmaxRows(logits, logProbabilities, SameShapeRows(logits, logProbabilities, nameof(logProbabilities)));

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{float}, Span{float})"/>
    public void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities) =>
        LogSoftmaxRows(logits, logProbabilities, SameShapeRows(logits, logProbabilities, nameof(logProbabilities)));

    /// <summary>The cross-entropy of every row against its class-index target, validated.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="targets">One class index in [0, <see cref="Classes"/>) per row.</param>
    /// <param name="losses">Empty, or receives the per-row losses (separate memory).</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    public double CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) =>
        CrossEntropyRows(logits, targets, losses, LossRows(logits, targets, losses));

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/>
    public double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses) =>
        CrossEntropyRows(logits, targets, losses, LossRows(logits, targets, losses));

    /// <summary>The index of the first maximum of every row (a NaN counts as the maximum, as in PyTorch), validated.</summary>
    /// <param name="logits">Row-major rows of <see cref="Classes"/> logits.</param>
    /// <param name="predictions">Receives one index per row (separate memory).</param>
    public void Argmax(ReadOnlySpan<float> logits, Span<int> predictions) =>
        ArgmaxRows(logits, predictions, PredictionRows(logits, predictions));

    /// <inheritdoc cref="Argmax(ReadOnlySpan{float}, Span{int})"/>
    public void Argmax(ReadOnlySpan<double> logits, Span<int> predictions) =>
        ArgmaxRows(logits, predictions, PredictionRows(logits, predictions));

    // ---- For the runtime's entry points, which have validated the arguments already ----------------------

    internal void SoftmaxValidated(ReadOnlySpan<float> logits, Span<float> probabilities, int rows) => SoftmaxRows(logits, probabilities, rows);

    internal void SoftmaxValidated(ReadOnlySpan<double> logits, Span<double> probabilities, int rows) => SoftmaxRows(logits, probabilities, rows);

    internal void LogSoftmaxValidated(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows) => LogSoftmaxRows(logits, logProbabilities, rows);

    internal void LogSoftmaxValidated(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows) => LogSoftmaxRows(logits, logProbabilities, rows);

    internal double CrossEntropyValidated(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows) => CrossEntropyRows(logits, targets, losses, rows);

    internal double CrossEntropyValidated(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows) => CrossEntropyRows(logits, targets, losses, rows);

    internal void ArgmaxValidated(ReadOnlySpan<float> logits, Span<int> predictions, int rows) => ArgmaxRows(logits, predictions, rows);

    internal void ArgmaxValidated(ReadOnlySpan<double> logits, Span<int> predictions, int rows) => ArgmaxRows(logits, predictions, rows);

    // ---- What a generated kernel implements: validated rows only ---------------------------------------

    /// <summary>Softmax of <paramref name="rows"/> validated rows.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="probabilities">At least as long as <paramref name="logits"/>; the same memory or separate.</param>
    /// <param name="rows">The row count.</param>
    protected abstract void SoftmaxRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows);

    /// <inheritdoc cref="SoftmaxRows(ReadOnlySpan{float}, Span{float}, int)"/>
    protected abstract void SoftmaxRows(ReadOnlySpan<double> logits, Span<double> probabilities, int rows);

    /// <summary>Log-softmax of <paramref name="rows"/> validated rows.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="logProbabilities">At least as long as <paramref name="logits"/>; the same memory or separate.</param>
    /// <param name="rows">The row count.</param>
    protected abstract void LogSoftmaxRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows);

    /// <inheritdoc cref="LogSoftmaxRows(ReadOnlySpan{float}, Span{float}, int)"/>
    protected abstract void LogSoftmaxRows(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows);

    /// <summary>The cross-entropy of <paramref name="rows"/> validated rows against validated targets.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="targets">One class index in range per row.</param>
    /// <param name="losses">Empty, or at least one value per row, separate memory.</param>
    /// <param name="rows">The row count.</param>
    /// <returns>The sum of the per-row losses, in double.</returns>
    protected abstract double CrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows);

    /// <inheritdoc cref="CrossEntropyRows(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int)"/>
    protected abstract double CrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows);

    /// <summary>The argmax of <paramref name="rows"/> validated rows.</summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="predictions">At least one value per row, separate memory.</param>
    /// <param name="rows">The row count.</param>
    protected abstract void ArgmaxRows(ReadOnlySpan<float> logits, Span<int> predictions, int rows);

    /// <inheritdoc cref="ArgmaxRows(ReadOnlySpan{float}, Span{int}, int)"/>
    protected abstract void ArgmaxRows(ReadOnlySpan<double> logits, Span<int> predictions, int rows);

    private int SameShapeRows<T>(ReadOnlySpan<T> logits, Span<T> output, string outputName)
        where T : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, Classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, output, nameof(logits), outputName);
        return rows;
    }

    private int LossRows<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses)
        where T : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, Classes, nameof(logits));
        SoftmaxGuard.Targets(targets, rows, Classes);
        if (!losses.IsEmpty)
        {
            SoftmaxGuard.PerRowLosses(logits, targets, [], losses, rows);
        }

        return rows;
    }

    private int PredictionRows<T>(ReadOnlySpan<T> logits, Span<int> predictions)
        where T : unmanaged
    {
        int rows = SoftmaxGuard.Rows(logits.Length, Classes, nameof(logits));
        SoftmaxGuard.Predictions(logits, predictions, rows);
        return rows;
    }

    /// <summary>
    /// The block transposes and block losses of generated kernels, which read and write through references with the
    /// strides and lengths the generated code guarantees: a nested type of the kernels' base class, so that only
    /// generated kernels reach them.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static class BlockMemory
    {
        /// <inheritdoc cref="SoftmaxMath.LoadClassQuad(ref float, nuint, nuint, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3) =>
            SoftmaxMath.LoadClassQuad(ref x, stride, firstClass, out c0, out c1, out c2, out c3);

        /// <inheritdoc cref="SoftmaxMath.StoreClassQuad(ref float, nuint, nuint, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreClassQuad(ref float y, nuint stride, nuint firstClass, Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3) =>
            SoftmaxMath.StoreClassQuad(ref y, stride, firstClass, c0, c1, c2, c3);

        /// <inheritdoc cref="SoftmaxMath.LoadClassQuad(ref float, nuint, nuint, out Vector256{float}, out Vector256{float}, out Vector256{float}, out Vector256{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3) =>
            SoftmaxMath.LoadClassQuad(ref x, stride, firstClass, out c0, out c1, out c2, out c3);

        /// <inheritdoc cref="SoftmaxMath.StoreClassQuad(ref float, nuint, nuint, Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreClassQuad(ref float y, nuint stride, nuint firstClass, Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3) =>
            SoftmaxMath.StoreClassQuad(ref y, stride, firstClass, c0, c1, c2, c3);

        /// <inheritdoc cref="SoftmaxMath.BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector512<float> max, Vector512<float> sum, Vector512<float> compensation) =>
            SoftmaxMath.BlockLosses(ref x, classes, targets, losses, max, sum, compensation);

        /// <inheritdoc cref="SoftmaxMath.BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector256<float> max, Vector256<float> sum, Vector256<float> compensation) =>
            SoftmaxMath.BlockLosses(ref x, classes, targets, losses, max, sum, compensation);

        /// <inheritdoc cref="SoftmaxMath.BlockLosses(ref float, int, ReadOnlySpan{int}, Span{float}, Vector128{float}, Vector128{float}, Vector128{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double BlockLosses(ref float x, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector128<float> max, Vector128<float> sum, Vector128<float> compensation) =>
            SoftmaxMath.BlockLosses(ref x, classes, targets, losses, max, sum, compensation);
    }

    /// <summary>
    /// The column layout for generated kernels: float rows of up to 63 classes, a block of 16 rows (Vector512, transposed
    /// four classes at a time) or 8 rows (Vector256, through 8 x 8 register tiles), and double rows of 2 to 15 classes, a
    /// block of 8 or 4 rows (two classes at a time), so that each lane is one row. The
    /// generated kernels call it with their class count; the fallback runs the same code, so there is one implementation.
    /// </summary>
    /// <remarks>For generated kernels only (a nested type of their base class): the arguments are references and a row count that the generated code has validated.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static class ColumnLayout
    {
        /// <summary>The largest class count plus one that the layout takes.</summary>
        public const int MaxClasses = ColumnKernels.MaxClasses;

        /// <summary>
        /// Softmax of a block layout's last rows (fewer than a block, or a single row), one at a time with a block lane's
        /// arithmetic, so that a row gets the same bits wherever it sits in a batch.
        /// </summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void SoftmaxLastRows(ref float x, ref float y, nuint rows, int classes) =>
            ColumnKernels.Softmax<ScalarF, float, float>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Log-softmax of a block layout's last rows, with a block lane's arithmetic (see <see cref="SoftmaxLastRows"/>).</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void LogSoftmaxLastRows(ref float x, ref float y, nuint rows, int classes) =>
            ColumnKernels.LogSoftmax<ScalarF, float, float>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Cross-entropy of a block layout's last rows, with a block lane's arithmetic (see <see cref="SoftmaxLastRows"/>).</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="targets">One validated target per row.</param>
        /// <param name="losses">Empty, or one value per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        /// <returns>The sum of the rows' losses, in double.</returns>
        public static double CrossEntropyLastRows(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, int classes) =>
            ColumnKernels.CrossEntropy<ScalarF, float, float>(ref x, targets, losses, rows, (nuint)classes);

        /// <summary>Softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (up to 63), 16 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void Softmax512(ref float x, ref float y, nuint rows, int classes) =>
            ColumnKernels.Softmax<Simd512F, Vector512<float>, float>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Log-softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (up to 63), 16 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void LogSoftmax512(ref float x, ref float y, nuint rows, int classes) =>
            ColumnKernels.LogSoftmax<Simd512F, Vector512<float>, float>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Cross-entropy of <paramref name="rows"/> validated rows against class targets, 16 rows at a time; returns the sum of the row losses.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="targets">One valid class index per row.</param>
        /// <param name="losses">Empty, or receives one loss per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static double CrossEntropy512(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, int classes) =>
            ColumnKernels.CrossEntropy<Simd512F, Vector512<float>, float>(ref x, targets, losses, rows, (nuint)classes);

        /// <summary>Softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (up to 63), 8 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void Softmax256(ref float x, ref float y, nuint rows, int classes) =>
            ColumnKernels.Softmax<Simd256F, Vector256<float>, float>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Log-softmax of <paramref name="rows"/> validated rows of <paramref name="classes"/> values (up to 63), 8 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void LogSoftmax256(ref float x, ref float y, nuint rows, int classes) =>
            ColumnKernels.LogSoftmax<Simd256F, Vector256<float>, float>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Cross-entropy of <paramref name="rows"/> validated rows against class targets, 8 rows at a time; returns the sum of the row losses.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="targets">One valid class index per row.</param>
        /// <param name="losses">Empty, or receives one loss per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static double CrossEntropy256(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, int classes) =>
            ColumnKernels.CrossEntropy<Simd256F, Vector256<float>, float>(ref x, targets, losses, rows, (nuint)classes);

        /// <summary>Softmax of <paramref name="rows"/> validated double rows of <paramref name="classes"/> values (2 to 15), 8 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void Softmax512(ref double x, ref double y, nuint rows, int classes) =>
            ColumnKernels.Softmax<Simd512D, Vector512<double>, double>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Log-softmax of <paramref name="rows"/> validated double rows of <paramref name="classes"/> values (2 to 15), 8 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void LogSoftmax512(ref double x, ref double y, nuint rows, int classes) =>
            ColumnKernels.LogSoftmax<Simd512D, Vector512<double>, double>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Cross-entropy of <paramref name="rows"/> validated double rows against class targets, 8 rows at a time; returns the sum of the row losses.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="targets">One valid class index per row.</param>
        /// <param name="losses">Empty, or receives one loss per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static double CrossEntropy512(ref double x, ReadOnlySpan<int> targets, Span<double> losses, nuint rows, int classes) =>
            ColumnKernels.CrossEntropy<Simd512D, Vector512<double>, double>(ref x, targets, losses, rows, (nuint)classes);

        /// <summary>Softmax of <paramref name="rows"/> validated double rows of <paramref name="classes"/> values (2 to 15), 4 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void Softmax256(ref double x, ref double y, nuint rows, int classes) =>
            ColumnKernels.Softmax<Simd256D, Vector256<double>, double>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Log-softmax of <paramref name="rows"/> validated double rows of <paramref name="classes"/> values (2 to 15), 4 rows at a time.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="y">The first output; may be <paramref name="x"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static void LogSoftmax256(ref double x, ref double y, nuint rows, int classes) =>
            ColumnKernels.LogSoftmax<Simd256D, Vector256<double>, double>(ref x, ref y, rows, (nuint)classes);

        /// <summary>Cross-entropy of <paramref name="rows"/> validated double rows against class targets, 4 rows at a time; returns the sum of the row losses.</summary>
        /// <param name="x">The first logit.</param>
        /// <param name="targets">One valid class index per row.</param>
        /// <param name="losses">Empty, or receives one loss per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count.</param>
        public static double CrossEntropy256(ref double x, ReadOnlySpan<int> targets, Span<double> losses, nuint rows, int classes) =>
            ColumnKernels.CrossEntropy<Simd256D, Vector256<double>, double>(ref x, targets, losses, rows, (nuint)classes);
    }
}
