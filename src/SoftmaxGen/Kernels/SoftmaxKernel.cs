using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

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
        : this(classes, SoftmaxPrecision.Exact)
    {
    }

    /// <summary>Initialises a kernel for <paramref name="classes"/> classes whose exponential is that of <paramref name="precision"/>.</summary>
    /// <param name="classes">The class count, at least 1.</param>
    /// <param name="precision">The precision the kernel computes in.</param>
    protected SoftmaxKernel(int classes, SoftmaxPrecision precision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        SoftmaxGuard.Precision(precision);
        Classes = classes;
        Precision = precision;
    }

    /// <summary>
    /// Registers <paramref name="kernel"/> for its class count and precision with <see cref="SoftmaxKernelRegistry"/>;
    /// generated kernels call it from a module initializer. The first kernel registered for a count and precision is kept.
    /// </summary>
    /// <param name="kernel">The kernel.</param>
    /// <returns><see langword="true"/> if it was registered; <see langword="false"/> if one for the same count already was.</returns>
    protected static bool RegisterKernel(SoftmaxKernel kernel) => SoftmaxKernelRegistry.Register(kernel);

    /// <summary>The class count this kernel is specialised to.</summary>
    public int Classes { get; }

    /// <summary>The precision this kernel computes in: <see cref="SoftmaxPrimitives"/> runs it for calls with the same class count and precision.</summary>
    public SoftmaxPrecision Precision { get; }

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

    internal bool ScaledSoftmaxValidated(ReadOnlySpan<float> logits, Span<float> output, ReadOnlySpan<float> bias, int biasStride, float scale, int causalLimit, bool log, int rows) => ScaledSoftmaxRows(logits, output, bias, biasStride, scale, causalLimit, log, rows);

    internal bool ScaledSoftmaxValidated(ReadOnlySpan<double> logits, Span<double> output, ReadOnlySpan<double> bias, int biasStride, double scale, int causalLimit, bool log, int rows) => ScaledSoftmaxRows(logits, output, bias, biasStride, scale, causalLimit, log, rows);

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

    /// <summary>
    /// The softmax or log-softmax of v = scale * x + bias (a product and a sum, each rounded, as PyTorch's
    /// <c>x * scale + bias</c>) of <paramref name="rows"/> validated rows, row r's keys from <paramref name="causalLimit"/>
    /// + r on set to -inf, when the widest accelerated vector holds such rows in registers: the attention rows' fused
    /// path. A kernel without that layout (or, for the log-softmax, given a causal limit inside the rows) returns false
    /// having written nothing, and the runtime stages the rows instead. A row whose v has no finite maximum comes out
    /// NaN; the caller sets fully masked rows.
    /// </summary>
    /// <param name="logits">Whole rows of <see cref="Classes"/> values.</param>
    /// <param name="output">At least as long as <paramref name="logits"/>, separate memory.</param>
    /// <param name="bias">Rows of <see cref="Classes"/> values, row r at r * <paramref name="biasStride"/>.</param>
    /// <param name="biasStride"><see cref="Classes"/> for a bias per row, 0 for one row shared by all.</param>
    /// <param name="scale">The factor of the logits.</param>
    /// <param name="causalLimit">The keys of the first row, from 0, that are kept (at least <see cref="Classes"/>: all of them in every row); each row keeps one more.</param>
    /// <param name="log">The log-softmax rather than the softmax.</param>
    /// <param name="rows">The row count.</param>
    /// <returns>Whether the rows were computed.</returns>
    protected virtual bool ScaledSoftmaxRows(ReadOnlySpan<float> logits, Span<float> output, ReadOnlySpan<float> bias, int biasStride, float scale, int causalLimit, bool log, int rows) => false;

    /// <inheritdoc cref="ScaledSoftmaxRows(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, int, float, int, bool, int)"/>
    protected virtual bool ScaledSoftmaxRows(ReadOnlySpan<double> logits, Span<double> output, ReadOnlySpan<double> bias, int biasStride, double scale, int causalLimit, bool log, int rows) => false;

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
    /// The block transposes and block losses of generated kernels: a nested type of the kernels' base class, so that only
    /// generated kernels reach them. Each call checks in O(1) that the block it reads or writes lies in the span given.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static class BlockMemory
    {
        /// <summary>
        /// Loads classes <paramref name="firstClass"/> to <paramref name="firstClass"/> + 3 of a block of rows (as many as
        /// the vectors have lanes: 16 with Vector512, 8 with Vector256) of <paramref name="classes"/> values and
        /// transposes them: lane r of <c>c0</c> is class <paramref name="firstClass"/> of row r.
        /// </summary>
        /// <param name="block">At least a block of rows of <paramref name="classes"/> values.</param>
        /// <param name="classes">The row length (the class count), at least 4.</param>
        /// <param name="firstClass">The first class of the four, at most <paramref name="classes"/> - 4.</param>
        /// <param name="c0">Class <paramref name="firstClass"/> of each row.</param>
        /// <param name="c1">The next class of each row.</param>
        /// <param name="c2">The class after it.</param>
        /// <param name="c3">The last of the four.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadClassQuad(ReadOnlySpan<float> block, int classes, int firstClass, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3)
        {
            CheckQuad(block.Length, classes, firstClass, Vector512<float>.Count);
            SoftmaxMath.LoadClassQuad<ClassLanes512<float>, Vector512<float>, float>(ref MemoryMarshal.GetReference(block), (nuint)classes, (nuint)firstClass, out c0, out c1, out c2, out c3);
        }

        /// <inheritdoc cref="LoadClassQuad(ReadOnlySpan{float}, int, int, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadClassQuad(ReadOnlySpan<float> block, int classes, int firstClass, out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3)
        {
            CheckQuad(block.Length, classes, firstClass, Vector256<float>.Count);
            SoftmaxMath.LoadClassQuad<ClassLanes256<float>, Vector256<float>, float>(ref MemoryMarshal.GetReference(block), (nuint)classes, (nuint)firstClass, out c0, out c1, out c2, out c3);
        }

        /// <summary>The inverse of <c>LoadClassQuad</c>: stores four classes of a block of rows.</summary>
        /// <inheritdoc cref="LoadClassQuad(ReadOnlySpan{float}, int, int, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreClassQuad(Span<float> block, int classes, int firstClass, Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3)
        {
            CheckQuad(block.Length, classes, firstClass, Vector512<float>.Count);
            SoftmaxMath.StoreClassQuad<ClassLanes512<float>, Vector512<float>, float>(ref MemoryMarshal.GetReference(block), (nuint)classes, (nuint)firstClass, c0, c1, c2, c3);
        }

        /// <inheritdoc cref="StoreClassQuad(Span{float}, int, int, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreClassQuad(Span<float> block, int classes, int firstClass, Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3)
        {
            CheckQuad(block.Length, classes, firstClass, Vector256<float>.Count);
            SoftmaxMath.StoreClassQuad<ClassLanes256<float>, Vector256<float>, float>(ref MemoryMarshal.GetReference(block), (nuint)classes, (nuint)firstClass, c0, c1, c2, c3);
        }

        /// <summary>
        /// The cross-entropy of each row of a block whose lane-wise maximum, sum of exponentials and its compensation are
        /// given: (max - x[target]) + ln(sum), in double, rounded to float; writes them to <paramref name="losses"/> unless
        /// it is empty and returns their sum.
        /// </summary>
        /// <param name="block">At least a block of rows (as many as the vectors have lanes) of <paramref name="classes"/> logits.</param>
        /// <param name="classes">The class count.</param>
        /// <param name="targets">At least one class index per row of the block, in [0, <paramref name="classes"/>).</param>
        /// <param name="losses">Empty, or at least 16 values.</param>
        /// <param name="max">The rows' maxima.</param>
        /// <param name="sum">The rows' sums of exponentials, started at 1.</param>
        /// <param name="compensation">The sums' compensation.</param>
        /// <returns>The sum of the block's losses, in double.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double BlockLosses(ReadOnlySpan<float> block, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector512<float> max, Vector512<float> sum, Vector512<float> compensation)
            => SoftmaxMath.BlockLosses(ref CheckedLosses(block, classes, targets, Vector512<float>.Count), classes, targets, losses, max, sum, compensation);

        /// <inheritdoc cref="BlockLosses(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double BlockLosses(ReadOnlySpan<float> block, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector256<float> max, Vector256<float> sum, Vector256<float> compensation)
            => SoftmaxMath.BlockLosses(ref CheckedLosses(block, classes, targets, Vector256<float>.Count), classes, targets, losses, max, sum, compensation);

        /// <inheritdoc cref="BlockLosses(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float}, Vector512{float}, Vector512{float}, Vector512{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double BlockLosses(ReadOnlySpan<float> block, int classes, ReadOnlySpan<int> targets, Span<float> losses, Vector128<float> max, Vector128<float> sum, Vector128<float> compensation)
            => SoftmaxMath.BlockLosses(ref CheckedLosses(block, classes, targets, Vector128<float>.Count), classes, targets, losses, max, sum, compensation);

        /// <summary>The first value of a block of <paramref name="rows"/> rows (16, 8 or 4: the vector's lanes) after checking the block and its targets (each in [0, classes)).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ref float CheckedLosses(ReadOnlySpan<float> block, int classes, ReadOnlySpan<int> targets, int rows)
        {
            CheckLosses(block.Length, classes, targets.Length, rows);
            bool inRange = rows switch
            {
                16 => Vector512.LessThanAll(Vector512.Create(targets).AsUInt32(), Vector512.Create((uint)classes)),
                8 => Vector256.LessThanAll(Vector256.Create(targets).AsUInt32(), Vector256.Create((uint)classes)),
                _ => Vector128.LessThanAll(Vector128.Create(targets).AsUInt32(), Vector128.Create((uint)classes)),
            };
            if (!inRange)
            {
                ThrowTargets();
            }

            return ref MemoryMarshal.GetReference(block);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CheckQuad(int length, int classes, int firstClass, int rows)
        {
            // Row r reads or writes [r * classes + firstClass, r * classes + firstClass + 4): inside rows * classes values.
            if (firstClass < 0 || classes - 4 < firstClass || (long)rows * classes > length)
            {
                ThrowBlock(length, classes, rows, nameof(firstClass));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CheckLosses(int length, int classes, int targets, int rows)
        {
            if (classes < 1 || (long)rows * classes > length)
            {
                ThrowBlock(length, classes, rows, nameof(classes));
            }

            if (targets < rows)
            {
                throw new ArgumentException($"A block of {rows} rows needs {rows} targets, not {targets}.", nameof(targets));
            }
        }

        [DoesNotReturn]
        private static void ThrowTargets() =>
            throw new ArgumentOutOfRangeException("targets", "A block's targets must be class indices in [0, classes).");

        [DoesNotReturn]
        private static void ThrowBlock(int length, int classes, int rows, string parameterName) =>
            throw new ArgumentException($"A block of {rows} rows of {classes} classes (four of them from the first class given) does not fit in {length} values.", parameterName);
    }

    /// <summary>
    /// The column layout for generated kernels: float rows of up to 63 classes, a block of 16 rows (Vector512, transposed
    /// four classes at a time) or 8 rows (Vector256, through 8 x 8 register tiles), and double rows of 2 to 15 classes, a
    /// block of 8 or 4 rows (two classes at a time), so that each lane is one row. The generated kernels call it with
    /// their class count; the fallback runs the same code, so there is one implementation.
    /// </summary>
    /// <remarks>
    /// For generated kernels only (a nested type of their base class). Each call checks in O(1) that the rows fit in the
    /// spans, that the class count is one the layout takes and that the precision is defined; the cross-entropy also
    /// checks the targets. The precision (a generated kernel passes its own) selects the lanes' exponential; Exact, the
    /// default, is what generated Exact kernels call without the argument.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected static class ColumnLayout
    {
        /// <summary>The largest class count plus one that the layout takes.</summary>
        public const int MaxClasses = ColumnKernels.MaxClasses;

        /// <summary>
        /// Softmax of a block layout's last rows (fewer than a block, or a single row), one at a time with a block lane's
        /// arithmetic, so that a row gets the same bits wherever it sits in a batch.
        /// </summary>
        /// <param name="logits">At least <paramref name="rows"/> rows of <paramref name="classes"/> logits.</param>
        /// <param name="probabilities">The output, as long; may be <paramref name="logits"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count, 1 to <see cref="MaxClasses"/> - 1.</param>
        /// <param name="precision">The precision of the exponential.</param>
        public static void SoftmaxLastRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        {
            if (IsFast(precision))
                Normalize<FastScalarF, float, float>(logits, probabilities, rows, classes, log: false);
            else
                Normalize<ScalarF, float, float>(logits, probabilities, rows, classes, log: false);
        }

        /// <summary>Log-softmax of a block layout's last rows, with a block lane's arithmetic (see <see cref="SoftmaxLastRows"/>).</summary>
        /// <param name="logits">At least <paramref name="rows"/> rows of <paramref name="classes"/> logits.</param>
        /// <param name="logProbabilities">The output, as long; may be <paramref name="logits"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count, 1 to <see cref="MaxClasses"/> - 1.</param>
        /// <param name="precision">The precision of the exponential.</param>
        public static void LogSoftmaxLastRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        {
            if (IsFast(precision))
                Normalize<FastScalarF, float, float>(logits, logProbabilities, rows, classes, log: true);
            else
                Normalize<ScalarF, float, float>(logits, logProbabilities, rows, classes, log: true);
        }

        /// <summary>Cross-entropy of a block layout's last rows, with a block lane's arithmetic (see <see cref="SoftmaxLastRows"/>).</summary>
        /// <param name="logits">At least <paramref name="rows"/> rows of <paramref name="classes"/> logits.</param>
        /// <param name="targets">At least one class index per row.</param>
        /// <param name="losses">Empty, or receives one loss per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count, 1 to <see cref="MaxClasses"/> - 1.</param>
        /// <param name="precision">The precision of the exponential.</param>
        /// <returns>The sum of the rows' losses, in double.</returns>
        public static double CrossEntropyLastRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) =>
            IsFast(precision)
                ? CrossEntropy<FastScalarF, float, float>(logits, targets, losses, rows, classes)
                : CrossEntropy<ScalarF, float, float>(logits, targets, losses, rows, classes);

        /// <summary>
        /// Softmax of <paramref name="rows"/> rows, a block of 16 float or 8 double rows with Vector512, else 8 or 4 with
        /// Vector256 (the tier a generated kernel calls it from).
        /// </summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">At least <paramref name="rows"/> rows of <paramref name="classes"/> logits.</param>
        /// <param name="probabilities">The output, as long; may be <paramref name="logits"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count, 1 to <see cref="MaxClasses"/> - 1.</param>
        /// <param name="precision">The precision of the exponential.</param>
        public static void Softmax<T>(ReadOnlySpan<T> logits, Span<T> probabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
            where T : unmanaged, IFloatingPointIeee754<T>
            => Run(ColumnOperation.Softmax, logits, [], probabilities, rows, classes, precision);

        /// <summary>Log-softmax of <paramref name="rows"/> rows, in the blocks of <see cref="Softmax{T}"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">At least <paramref name="rows"/> rows of <paramref name="classes"/> logits.</param>
        /// <param name="logProbabilities">The output, as long; may be <paramref name="logits"/>.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count, 1 to <see cref="MaxClasses"/> - 1.</param>
        /// <param name="precision">The precision of the exponential.</param>
        public static void LogSoftmax<T>(ReadOnlySpan<T> logits, Span<T> logProbabilities, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
            where T : unmanaged, IFloatingPointIeee754<T>
            => Run(ColumnOperation.LogSoftmax, logits, [], logProbabilities, rows, classes, precision);

        /// <summary>Cross-entropy of <paramref name="rows"/> rows against class targets, in the blocks of <see cref="Softmax{T}"/>.</summary>
        /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
        /// <param name="logits">At least <paramref name="rows"/> rows of <paramref name="classes"/> logits.</param>
        /// <param name="targets">At least one class index per row.</param>
        /// <param name="losses">Empty, or receives one loss per row.</param>
        /// <param name="rows">The row count.</param>
        /// <param name="classes">The class count, 1 to <see cref="MaxClasses"/> - 1.</param>
        /// <param name="precision">The precision of the exponential.</param>
        /// <returns>The sum of the rows' losses, in double.</returns>
        public static double CrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, int rows, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
            where T : unmanaged, IFloatingPointIeee754<T>
            => Run(ColumnOperation.CrossEntropy, logits, targets, losses, rows, classes, precision);

        private enum ColumnOperation
        {
            Softmax,
            LogSoftmax,
            CrossEntropy,
        }

        /// <summary>An operation with the lanes of the widest of Vector512 and Vector256 that is accelerated, in the precision given.</summary>
        private static double Run<T>(ColumnOperation operation, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> output, int rows, int classes, SoftmaxPrecision precision)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            bool fast = IsFast(precision);
            if (Vector512.IsHardwareAccelerated && fast)
                return Run<T, FastSimd512F, Vector512<float>, FastSimd512D, Vector512<double>>(operation, logits, targets, output, rows, classes);
            if (Vector512.IsHardwareAccelerated)
                return Run<T, Simd512F, Vector512<float>, Simd512D, Vector512<double>>(operation, logits, targets, output, rows, classes);
            return fast
                ? Run<T, FastSimd256F, Vector256<float>, FastSimd256D, Vector256<double>>(operation, logits, targets, output, rows, classes)
                : Run<T, Simd256F, Vector256<float>, Simd256D, Vector256<double>>(operation, logits, targets, output, rows, classes);
        }

        /// <summary>An operation with the lanes of the element type's width.</summary>
        private static double Run<T, TOpsF, TVecF, TOpsD, TVecD>(ColumnOperation operation, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> output, int rows, int classes)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TOpsF : ISimd<TVecF, float>
            where TVecF : struct
            where TOpsD : ISimd<TVecD, double>
            where TVecD : struct
        {
            if (typeof(T) == typeof(float))
                return Run<TOpsF, TVecF, float>(operation, Cast<T, float>(logits), targets, Cast<T, float>(output), rows, classes);
            if (typeof(T) == typeof(double))
                return Run<TOpsD, TVecD, double>(operation, Cast<T, double>(logits), targets, Cast<T, double>(output), rows, classes);
            throw Unsupported<T>();
        }

        /// <summary>An operation with the lanes given: the loss sum for the cross-entropy, else 0.</summary>
        private static double Run<TOps, TVec, T>(ColumnOperation operation, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> output, int rows, int classes)
            where TOps : ISimd<TVec, T>
            where TVec : struct
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (operation == ColumnOperation.CrossEntropy)
                return CrossEntropy<TOps, TVec, T>(logits, targets, output, rows, classes);
            Normalize<TOps, TVec, T>(logits, output, rows, classes, operation == ColumnOperation.LogSoftmax);
            return 0;
        }

        private static void Normalize<TOps, TVec, T>(ReadOnlySpan<T> logits, Span<T> output, int rows, int classes, bool log)
            where TOps : ISimd<TVec, T>
            where TVec : struct
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CheckRows(logits.Length, output.Length, rows, classes);
            ref T x = ref MemoryMarshal.GetReference(logits);
            ref T y = ref MemoryMarshal.GetReference(output);
            if (log)
                ColumnKernels<TOps, TVec, T>.LogSoftmax(ref x, ref y, (nuint)rows, (nuint)classes);
            else
                ColumnKernels<TOps, TVec, T>.Softmax(ref x, ref y, (nuint)rows, (nuint)classes);
        }

        private static double CrossEntropy<TOps, TVec, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, int rows, int classes)
            where TOps : ISimd<TVec, T>
            where TVec : struct
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CheckClasses(classes);
            SoftmaxGuard.CoreTargets(logits.Length, targets, losses.Length, rows, classes);
            return ColumnKernels<TOps, TVec, T>.CrossEntropy(ref MemoryMarshal.GetReference(logits), targets, losses, (nuint)rows, (nuint)classes);
        }

        /// <summary>Whether <paramref name="precision"/> is Fast; throws for a value the enum does not define.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool IsFast(SoftmaxPrecision precision)
        {
            SoftmaxGuard.Precision(precision);
            return precision == SoftmaxPrecision.Fast;
        }

        private static void CheckRows(int logitsLength, int outputLength, int rows, int classes)
        {
            CheckClasses(classes);
            SoftmaxGuard.CoreRows(logitsLength, outputLength, rows, classes);
        }

        private static void CheckClasses(int classes)
        {
            if (classes < 1 || classes >= MaxClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(classes), classes, $"The column layout takes 1 to {MaxClasses - 1} classes.");
            }
        }

        private static NotSupportedException Unsupported<T>() =>
            new($"The column layout takes float or double values, not {typeof(T).Name}.");

        private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> span)
            where TFrom : struct
            where TTo : struct =>
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(span)), span.Length);

        private static Span<TTo> Cast<TFrom, TTo>(Span<TFrom> span)
            where TFrom : struct
            where TTo : struct =>
            MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(span)), span.Length);
    }
}
