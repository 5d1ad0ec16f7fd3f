using System.Buffers;
using System.Numerics.Tensors;
using SoftmaxGen.Kernels;

namespace SoftmaxGen;

// Attention rows: softmax(scale * x + bias) with an additive bias, a boolean mask or a causal limit, fused in one kernel.
public static partial class SoftmaxPrimitives
{
    /// <summary>
    /// The softmax of each row of <c>scale * logits + bias</c>, fused in one pass per step (no intermediate array):
    /// PyTorch's <c>F.softmax(x * scale + bias, dim=-1)</c>, the attention weights of
    /// <c>F.scaled_dot_product_attention</c> with a float <c>attn_mask</c>.
    /// </summary>
    /// <remarks>
    /// <c>scale * x + bias</c> is rounded as PyTorch rounds it (a product, then a sum), and the softmax of those values
    /// is what <see cref="Softmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/> computes, with the same
    /// bounds. A bias of -inf masks a position; a row whose every position is masked gets
    /// <paramref name="fullyMasked"/>; a NaN or +inf value gives a NaN row, as in PyTorch.
    /// </remarks>
    /// <param name="logits">Row-major <c>rows x classes</c> scores (for attention, query-key dot products).</param>
    /// <param name="probabilities">Receives <c>rows x classes</c> probabilities; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The row length (the number of keys), at least 1.</param>
    /// <param name="scale">The factor applied to every logit, finite (for attention, usually <c>1 / sqrt(headDim)</c>).</param>
    /// <param name="bias">Empty; one row of <paramref name="classes"/> values added to every row; or one value per logit. Must not overlap the output.</param>
    /// <param name="fullyMasked">What a row with no position left gets: <see cref="MaskedRowResult.Zeros"/> (the default) or <see cref="MaskedRowResult.NaN"/> (PyTorch).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1; <paramref name="scale"/> is NaN or infinite; <paramref name="fullyMasked"/> or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="probabilities"/> is too short or partly overlaps <paramref name="logits"/>; <paramref name="bias"/> has another length or overlaps the output.</exception>
    public static void ScaledSoftmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes, float scale, ReadOnlySpan<float> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, probabilities, nameof(probabilities), classes, scale, bias, [], long.MaxValue, fullyMasked, precision, log: false);

    /// <inheritdoc cref="ScaledSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    public static void ScaledSoftmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes, double scale, ReadOnlySpan<double> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, probabilities, nameof(probabilities), classes, scale, bias, [], long.MaxValue, fullyMasked, precision, log: false);

    /// <summary>
    /// The log-softmax of each row of <c>scale * logits + bias</c>, fused: <c>F.log_softmax(x * scale + bias, dim=-1)</c>.
    /// Masked positions get -inf; see <see cref="ScaledSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    /// for the rest, with <see cref="LogSoftmax(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/>'s bounds.
    /// </summary>
    /// <inheritdoc path="/remarks" cref="ScaledSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    /// <param name="logits">Row-major <c>rows x classes</c> scores (for attention, query-key dot products).</param>
    /// <param name="logProbabilities">Receives <c>rows x classes</c> log-probabilities; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The row length (the number of keys), at least 1.</param>
    /// <param name="scale">The factor applied to every logit, finite (for attention, usually <c>1 / sqrt(headDim)</c>).</param>
    /// <param name="bias">Empty; one row of <paramref name="classes"/> values added to every row; or one value per logit. Must not overlap the output.</param>
    /// <param name="fullyMasked">What a row with no position left gets: <see cref="MaskedRowResult.Zeros"/> (the default) or <see cref="MaskedRowResult.NaN"/> (PyTorch).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1; <paramref name="scale"/> is NaN or infinite; <paramref name="fullyMasked"/> or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="logProbabilities"/> is too short or partly overlaps <paramref name="logits"/>; <paramref name="bias"/> has another length or overlaps the output.</exception>
    public static void ScaledLogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes, float scale, ReadOnlySpan<float> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, logProbabilities, nameof(logProbabilities), classes, scale, bias, [], long.MaxValue, fullyMasked, precision, log: true);

    /// <inheritdoc cref="ScaledLogSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    public static void ScaledLogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes, double scale, ReadOnlySpan<double> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, logProbabilities, nameof(logProbabilities), classes, scale, bias, [], long.MaxValue, fullyMasked, precision, log: true);

    /// <summary>
    /// The softmax of each row of <c>scale * logits</c> where <paramref name="mask"/> is true, 0 where it is false:
    /// <c>F.scaled_dot_product_attention</c>'s weights with a boolean <c>attn_mask</c> (true takes part). The mask is
    /// applied as PyTorch applies it, as an added -inf.
    /// </summary>
    /// <inheritdoc path="/remarks" cref="ScaledSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    /// <param name="logits">Row-major <c>rows x classes</c> scores (for attention, query-key dot products).</param>
    /// <param name="probabilities">Receives <c>rows x classes</c> probabilities; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The row length (the number of keys), at least 1.</param>
    /// <param name="scale">The factor applied to every logit, finite (for attention, usually <c>1 / sqrt(headDim)</c>).</param>
    /// <param name="mask">One row of <paramref name="classes"/> values for every row (a key-padding mask), or one value per logit; true takes part.</param>
    /// <param name="fullyMasked">What a row with no position left gets: <see cref="MaskedRowResult.Zeros"/> (the default) or <see cref="MaskedRowResult.NaN"/> (PyTorch).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1; <paramref name="scale"/> is NaN or infinite; <paramref name="fullyMasked"/> or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="probabilities"/> is too short or partly overlaps <paramref name="logits"/>; <paramref name="mask"/> has another length.</exception>
    public static void MaskedSoftmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes, float scale, ReadOnlySpan<bool> mask, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, probabilities, nameof(probabilities), classes, scale, [], mask, long.MaxValue, fullyMasked, precision, log: false, boolMask: true);

    /// <inheritdoc cref="MaskedSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{bool}, MaskedRowResult, SoftmaxPrecision)"/>
    public static void MaskedSoftmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes, double scale, ReadOnlySpan<bool> mask, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, probabilities, nameof(probabilities), classes, scale, [], mask, long.MaxValue, fullyMasked, precision, log: false, boolMask: true);

    /// <summary>The log-softmax form of <see cref="MaskedSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{bool}, MaskedRowResult, SoftmaxPrecision)"/>: masked positions get -inf.</summary>
    /// <inheritdoc path="/remarks" cref="MaskedSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{bool}, MaskedRowResult, SoftmaxPrecision)"/>
    /// <param name="logits">Row-major <c>rows x classes</c> scores (for attention, query-key dot products).</param>
    /// <param name="logProbabilities">Receives <c>rows x classes</c> log-probabilities; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The row length (the number of keys), at least 1.</param>
    /// <param name="scale">The factor applied to every logit, finite (for attention, usually <c>1 / sqrt(headDim)</c>).</param>
    /// <param name="mask">One row of <paramref name="classes"/> values for every row (a key-padding mask), or one value per logit; true takes part.</param>
    /// <param name="fullyMasked">What a row with no position left gets: <see cref="MaskedRowResult.Zeros"/> (the default) or <see cref="MaskedRowResult.NaN"/> (PyTorch).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1; <paramref name="scale"/> is NaN or infinite; <paramref name="fullyMasked"/> or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="logProbabilities"/> is too short or partly overlaps <paramref name="logits"/>; <paramref name="mask"/> has another length.</exception>
    public static void MaskedLogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes, float scale, ReadOnlySpan<bool> mask, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, logProbabilities, nameof(logProbabilities), classes, scale, [], mask, long.MaxValue, fullyMasked, precision, log: true, boolMask: true);

    /// <inheritdoc cref="MaskedLogSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{bool}, MaskedRowResult, SoftmaxPrecision)"/>
    public static void MaskedLogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes, double scale, ReadOnlySpan<bool> mask, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, logProbabilities, nameof(logProbabilities), classes, scale, [], mask, long.MaxValue, fullyMasked, precision, log: true, boolMask: true);

    /// <summary>
    /// The softmax of each row of <c>scale * logits + bias</c> under a causal mask: row r (a query) takes the columns
    /// (keys) <c>0 ... r + causalOffset</c>, the others get 0. <c>causalOffset = 0</c> is
    /// <c>F.scaled_dot_product_attention(..., is_causal=True)</c> for a square score matrix; queries that follow
    /// <c>past</c> cached keys take <c>causalOffset = past</c>. The masked tail of a row is not read (it may hold anything)
    /// and costs only the stores of its zeros.
    /// </summary>
    /// <inheritdoc path="/remarks" cref="ScaledSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    /// <param name="logits">Row-major <c>rows x classes</c> scores (for attention, query-key dot products).</param>
    /// <param name="probabilities">Receives <c>rows x classes</c> probabilities; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The row length (the number of keys), at least 1.</param>
    /// <param name="scale">The factor applied to every logit, finite (for attention, usually <c>1 / sqrt(headDim)</c>).</param>
    /// <param name="causalOffset">How many more columns than its index each row takes (negative: fewer; a row left with none gets <paramref name="fullyMasked"/>).</param>
    /// <param name="bias">Empty; one row of <paramref name="classes"/> values added to every row; or one value per logit. Must not overlap the output.</param>
    /// <param name="fullyMasked">What a row with no position left gets: <see cref="MaskedRowResult.Zeros"/> (the default) or <see cref="MaskedRowResult.NaN"/> (PyTorch).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1; <paramref name="scale"/> is NaN or infinite; <paramref name="fullyMasked"/> or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="probabilities"/> is too short or partly overlaps <paramref name="logits"/>; <paramref name="bias"/> has another length or overlaps the output.</exception>
    public static void CausalSoftmax(ReadOnlySpan<float> logits, Span<float> probabilities, int classes, float scale, int causalOffset = 0, ReadOnlySpan<float> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, probabilities, nameof(probabilities), classes, scale, bias, [], causalOffset, fullyMasked, precision, log: false);

    /// <inheritdoc cref="CausalSoftmax(ReadOnlySpan{float}, Span{float}, int, float, int, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    public static void CausalSoftmax(ReadOnlySpan<double> logits, Span<double> probabilities, int classes, double scale, int causalOffset = 0, ReadOnlySpan<double> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, probabilities, nameof(probabilities), classes, scale, bias, [], causalOffset, fullyMasked, precision, log: false);

    /// <summary>The log-softmax form of <see cref="CausalSoftmax(ReadOnlySpan{float}, Span{float}, int, float, int, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>: masked positions get -inf.</summary>
    /// <inheritdoc path="/remarks" cref="CausalSoftmax(ReadOnlySpan{float}, Span{float}, int, float, int, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    /// <param name="logits">Row-major <c>rows x classes</c> scores (for attention, query-key dot products).</param>
    /// <param name="logProbabilities">Receives <c>rows x classes</c> log-probabilities; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
    /// <param name="classes">The row length (the number of keys), at least 1.</param>
    /// <param name="scale">The factor applied to every logit, finite (for attention, usually <c>1 / sqrt(headDim)</c>).</param>
    /// <param name="causalOffset">How many more columns than its index each row takes (negative: fewer; a row left with none gets <paramref name="fullyMasked"/>).</param>
    /// <param name="bias">Empty; one row of <paramref name="classes"/> values added to every row; or one value per logit. Must not overlap the output.</param>
    /// <param name="fullyMasked">What a row with no position left gets: <see cref="MaskedRowResult.Zeros"/> (the default) or <see cref="MaskedRowResult.NaN"/> (PyTorch).</param>
    /// <param name="precision"><see cref="SoftmaxPrecision.Exact"/> (the default) or <see cref="SoftmaxPrecision.Fast"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1; <paramref name="scale"/> is NaN or infinite; <paramref name="fullyMasked"/> or <paramref name="precision"/> is not defined.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="logits"/> is not a multiple of <paramref name="classes"/>; <paramref name="logProbabilities"/> is too short or partly overlaps <paramref name="logits"/>; <paramref name="bias"/> has another length or overlaps the output.</exception>
    public static void CausalLogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities, int classes, float scale, int causalOffset = 0, ReadOnlySpan<float> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, logProbabilities, nameof(logProbabilities), classes, scale, bias, [], causalOffset, fullyMasked, precision, log: true);

    /// <inheritdoc cref="CausalLogSoftmax(ReadOnlySpan{float}, Span{float}, int, float, int, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>
    public static void CausalLogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities, int classes, double scale, int causalOffset = 0, ReadOnlySpan<double> bias = default, MaskedRowResult fullyMasked = MaskedRowResult.Zeros, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        => AttentionChecked(logits, logProbabilities, nameof(logProbabilities), classes, scale, bias, [], causalOffset, fullyMasked, precision, log: true);

    private static void AttentionChecked<T>(
        ReadOnlySpan<T> logits, Span<T> output, string outputName, int classes, T scale, ReadOnlySpan<T> bias, ReadOnlySpan<bool> mask,
        long causalOffset, MaskedRowResult fullyMasked, SoftmaxPrecision precision, bool log, bool boolMask = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = SoftmaxGuard.Rows(logits.Length, classes, nameof(logits));
        SoftmaxGuard.SameShapeOutput(logits, output, nameof(logits), outputName);
        if (!T.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite.");
        if (!bias.IsEmpty && bias.Length != classes && bias.Length != logits.Length)
            throw new ArgumentException($"bias has {bias.Length} values; it must be empty, one row of {classes} values or one value per logit ({logits.Length}).", nameof(bias));
        SoftmaxGuard.Disjoint<T, T>(output, bias, outputName, nameof(bias));
        if (boolMask && mask.Length != classes && mask.Length != logits.Length)
            throw new ArgumentException($"mask has {mask.Length} values; it must be one row of {classes} values or one value per logit ({logits.Length}).", nameof(mask));
        if (fullyMasked is not (MaskedRowResult.Zeros or MaskedRowResult.NaN))
            throw new ArgumentOutOfRangeException(nameof(fullyMasked), fullyMasked, "Expected MaskedRowResult.Zeros or MaskedRowResult.NaN.");
        SoftmaxGuard.Precision(precision);
        if (rows == 0)
            return;

        T whenMasked = fullyMasked == MaskedRowResult.NaN ? T.NaN : T.Zero;
        SoftmaxKernel? kernel = KernelHoldingRows<T>(classes, precision);
        if (!boolMask)
        {
            AttentionRows(kernel, logits, output, bias, bias.Length == classes ? 0 : classes, classes, scale, causalOffset, log, whenMasked, precision);
            return;
        }

        // A boolean mask becomes the additive one PyTorch makes of it (0 or -inf) in scratch: the one row, or as many
        // rows of a mask per logit as 1,024 values hold (at least one).
        T[]? rented = classes > 1024 ? ArrayPool<T>.Shared.Rent(classes) : null;
        Span<T> additive = rented is null ? stackalloc T[1024] : rented;
        try
        {
            bool perLogit = mask.Length != classes;
            int step = perLogit ? Math.Max(additive.Length / classes, 1) : rows;
            for (int row = 0; row < rows; row += step)
            {
                int count = Math.Min(step, rows - row);
                Span<T> rowsMask = additive.Slice(0, (perLogit ? count : 1) * classes);
                AttentionKernels.AdditiveMask(mask.Slice(perLogit ? row * classes : 0, rowsMask.Length), rowsMask);
                AttentionRows(kernel, logits.Slice(row * classes, count * classes), output.Slice(row * classes, count * classes), rowsMask, perLogit ? classes : 0, classes, scale, OffsetFrom(causalOffset, row, classes), log, whenMasked, precision);
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The generated kernel registered for rows of <paramref name="classes"/> in <paramref name="precision"/>, if its
    /// rows stay in registers at the widest accelerated width (a Block, Columns or Row plan, at most
    /// <see cref="LayoutTable.MaxRowVectors"/> vectors); else null, and the fused row kernels run.
    /// </summary>
    private static SoftmaxKernel? KernelHoldingRows<T>(int classes, SoftmaxPrecision precision)
        where T : unmanaged
    {
        return classes <= LayoutTable.MaxRowVectors * (WidestVectorBytes / Unsafe.SizeOf<T>()) ? SoftmaxKernelRegistry.Find(classes, precision) : null;
    }

    /// <summary>The causal offset of the row <paramref name="row"/> rows further on (an offset of <paramref name="classes"/> or more keeps every column).</summary>
    private static long OffsetFrom(long causalOffset, int row, int classes) =>
        causalOffset == long.MaxValue ? long.MaxValue : Math.Min(causalOffset, classes) + row;

    /// <summary>
    /// Attention rows: with a generated <paramref name="kernel"/> that keeps a row in registers and has fused rows (and a
    /// separate output), those; rows of up to 1 KB staged a chunk at a time and handed to the plain softmax
    /// (<see cref="StagedRows"/>); longer rows through the fused row kernels, which stage each row into the output and
    /// normalise it there.
    /// </summary>
    private static void AttentionRows<T>(
        SoftmaxKernel? kernel, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<T> bias, int biasStride, int classes, T scale, long causalOffset, bool log, T whenMasked, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // With separate output, the kernel's fused rows, if it has them, read the logits and bias once: v = scale * x + bias
        // never goes through memory. The first row keeps keys [0, causalOffset + 1), clamped so that every row's limit
        // fits an int (from -rows, no key in any row, to classes, every key in every row).
        int rows = logits.Length / classes;
        int causalLimit = (int)Math.Clamp(causalOffset == long.MaxValue ? classes : causalOffset + 1, -(long)rows, classes);
        if (kernel is not null
            && !Unsafe.AreSame(ref MemoryMarshal.GetReference(logits), ref MemoryMarshal.GetReference(output))
            && KernelScaledSoftmax(kernel, logits, output, bias, biasStride, classes, scale, causalLimit, log))
        {
            SetFullyMaskedRows(logits, output, bias, biasStride, classes, scale, causalOffset, whenMasked);
            return;
        }

        // Whatever the number of rows: a row must get the same bits alone as in a batch.
        if (classes * Unsafe.SizeOf<T>() <= StagedRowBytes)
        {
            StagedRows(kernel, logits, output, bias, biasStride, classes, scale, causalOffset, log, whenMasked, precision);
            return;
        }

        var operation = new AttentionOperation<T>(logits, output, bias, biasStride, classes, scale, causalOffset, log, whenMasked);
        VectorDispatch.ByLayout<AttentionOperation<T>, T, bool>(ref operation, classes, precision, LayoutRule.Rows);
    }

    /// <summary>
    /// The longest row <see cref="StagedRows"/> takes, in bytes (256 floats). Longer causal rows gain more from the fused
    /// row kernels, which skip the vectors past each row's limit, than staging saves them.
    /// </summary>
    private const int StagedRowBytes = 1024;

    /// <summary>
    /// Rows of up to <see cref="StagedRowBytes"/>: v staged element by element into a stack buffer, 8 KB at a time, then
    /// the plain softmax of those rows from it into the output (the generated kernel if there is one, else the
    /// fallback) while the buffer is in L1, so that each row is the plain softmax of its v bit for bit. Per row, the
    /// fused row kernels would pay calls and a staging loop of their own, which for short rows (the column layout's, a
    /// handful of values) cost several times the softmax.
    /// </summary>
    [SkipLocalsInit]
    private static void StagedRows<T>(
        SoftmaxKernel? kernel, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<T> bias, int biasStride, int classes, T scale, long causalOffset, bool log, T whenMasked, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // In the column layout, chunks and the tile are whole blocks of 16 rows, so that only a call's last rows can
        // make a partial block. A shared bias row is repeated into a tile of whole rows (at least one block of the
        // column layout's rows, which hold at most 63 values), which the staging adds with plain vector loads.
        // The tile is no longer than the call (a call of fewer rows than a full tile is one chunk), and neither buffer
        // is cleared: every value is written before it is read.
        int rows = logits.Length / classes;
        int unit = LayoutTable.ForWidth(classes, Unsafe.SizeOf<T>(), WidestVectorBytes) is RowLayout.Block or RowLayout.Columns ? 16 : 1;
        int tileValues = 4096 / Unsafe.SizeOf<T>();
        bool biasRow = !bias.IsEmpty && biasStride == 0;
        Span<T> tileBuffer = biasRow && rows > 1 ? stackalloc T[tileValues] : default;
        int tileRows = biasRow ? Math.Min(tileValues / classes / unit * unit, rows) : unit;
        for (int r = 0; r < tileRows && !tileBuffer.IsEmpty; r++)
            bias.CopyTo(tileBuffer.Slice(r * classes, classes));
        ReadOnlySpan<T> tile = !biasRow ? default : tileBuffer.IsEmpty ? bias : tileBuffer.Slice(0, tileRows * classes);

        Span<T> staged = stackalloc T[8192 / Unsafe.SizeOf<T>()];
        int chunkRows = Math.Max(staged.Length / classes / tileRows, 1) * tileRows;
        for (int row = 0; row < rows; row += chunkRows)
        {
            int count = Math.Min(chunkRows, rows - row);
            ReadOnlySpan<T> x = logits.Slice(row * classes, count * classes);
            Span<T> v = staged.Slice(0, count * classes);
            bool negativeInfinity = false;
            if (tile.IsEmpty)
            {
                negativeInfinity = AttentionKernels.StageFlat(x, v, bias.IsEmpty ? bias : bias.Slice(row * classes, count * classes), scale);
            }
            else
            {
                for (int at = 0; at < x.Length; at += tile.Length)
                {
                    int length = Math.Min(tile.Length, x.Length - at);
                    negativeInfinity |= AttentionKernels.StageFlat(x.Slice(at, length), v.Slice(at, length), tile.Slice(0, length), scale);
                }
            }

            // Causal: row r keeps the columns below r + causalOffset + 1, whatever the logits past them hold; the
            // limits grow with the row, so only the first rows of a call can have any.
            long offset = OffsetFrom(causalOffset, row, classes);
            for (int r = 0; r < count && offset != long.MaxValue && offset + r + 1 < classes; r++)
            {
                int limit = (int)Math.Max(offset + r + 1, 0);
                v.Slice((r * classes) + limit, classes - limit).Fill(T.NegativeInfinity);
                negativeInfinity = true;
            }

            Span<T> y = output.Slice(row * classes, count * classes);
            SoftmaxFallback.NormalizeRows(kernel, v, y, count, classes, log, precision);

            // Rows made only of -inf (fully masked) come out NaN, as do rows with NaN or +inf: only the first are the
            // caller's, and there are none unless some v is -inf and some output NaN (one vector pass, not a row loop).
            if (negativeInfinity && TensorPrimitives.IsNaNAny<T>(y))
            {
                for (int r = 0; r < count; r++)
                {
                    if (T.IsNaN(y[r * classes]) && !v.Slice(r * classes, classes).ContainsAnyExcept(T.NegativeInfinity))
                        y.Slice(r * classes, classes).Fill(whenMasked);
                }
            }
        }
    }

    /// <summary>The widest accelerated vector, in bytes (0 without SIMD).</summary>
    private static int WidestVectorBytes =>
        Vector512.IsHardwareAccelerated ? 64 : Vector256.IsHardwareAccelerated ? 32 : Vector128.IsHardwareAccelerated ? 16 : 0;

    /// <summary>The kernel's fused softmax or log-softmax of v = scale * x + bias (see <see cref="SoftmaxKernel.ScaledSoftmaxValidated(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, int, float, int, bool, int)"/>); false if it has none at this width.</summary>
    private static bool KernelScaledSoftmax<T>(SoftmaxKernel kernel, ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<T> bias, int biasStride, int classes, T scale, int causalLimit, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // No bias: a row of zeros, which leaves every v as scale * x (-0 becomes +0, which changes no exponential).
        Span<T> zeros = bias.IsEmpty ? stackalloc T[classes] : default;
        zeros.Clear();
        ReadOnlySpan<T> rowsBias = bias.IsEmpty ? zeros : bias;
        int stride = bias.IsEmpty ? 0 : biasStride;
        int rows = logits.Length / classes;
        return typeof(T) == typeof(float)
            ? kernel.ScaledSoftmaxValidated(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(output), MemoryMarshal.Cast<T, float>(rowsBias), stride, float.CreateTruncating(scale), causalLimit, log, rows)
            : kernel.ScaledSoftmaxValidated(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(output), MemoryMarshal.Cast<T, double>(rowsBias), stride, double.CreateTruncating(scale), causalLimit, log, rows);
    }

    /// <summary>
    /// After the fused rows: a row that came out NaN is staged again on its own, and if its v is -inf throughout (fully
    /// masked, by its bias or its causal limit) it gets the caller's result; a row with NaN or +inf stays NaN.
    /// </summary>
    private static void SetFullyMaskedRows<T>(ReadOnlySpan<T> logits, Span<T> output, ReadOnlySpan<T> bias, int biasStride, int classes, T scale, long causalOffset, T whenMasked)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = logits.Length / classes;
        for (int row = 0; row < rows; row++)
        {
            if (T.IsNaN(output[row * classes])
                && IsFullyMasked(
                    logits.Slice(row * classes, classes), bias.IsEmpty || biasStride == 0 ? bias : bias.Slice(row * classes, classes), scale,
                    causalOffset == long.MaxValue ? long.MaxValue : causalOffset + row))
            {
                output.Slice(row * classes, classes).Fill(whenMasked);
            }
        }
    }

    /// <summary>Whether one row's v = scale * x + bias, with -inf from its causal limit on, is -inf throughout (the rows held in registers are at most 128 floats).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsFullyMasked<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> bias, T scale, long causalOffset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> staged = stackalloc T[logits.Length];
        AttentionKernels.StageFlat(logits, staged, bias, scale);
        long limit = causalOffset == long.MaxValue ? staged.Length : Math.Clamp(causalOffset + 1, 0, staged.Length);
        return !staged.Slice(0, (int)limit).ContainsAnyExcept(T.NegativeInfinity);
    }

    /// <summary>The fused attention rows.</summary>
    private readonly ref struct AttentionOperation<TElement>(
        ReadOnlySpan<TElement> logits, Span<TElement> output, ReadOnlySpan<TElement> bias, int biasStride, int classes, TElement scale, long causalOffset, bool log, TElement whenMasked)
        : ILayoutOperation<bool>
    {
        private readonly ReadOnlySpan<TElement> logits = logits;
        private readonly Span<TElement> output = output;
        private readonly ReadOnlySpan<TElement> bias = bias;
        private readonly TElement scale = scale;
        private readonly TElement whenMasked = whenMasked;

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            ref T x = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(logits));
            ref T y = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(output));
            ref T b = ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(bias));
            TElement s = scale, masked = whenMasked;
            nuint rows = (nuint)(logits.Length / classes);
            if (bias.IsEmpty)
                AttentionKernels.Rows<TOps, TVec, T, WithoutBias>(ref x, ref y, ref b, 0, rows, (nuint)classes, Unsafe.As<TElement, T>(ref s), causalOffset, log, Unsafe.As<TElement, T>(ref masked));
            else
                AttentionKernels.Rows<TOps, TVec, T, WithBias>(ref x, ref y, ref b, (nuint)biasStride, rows, (nuint)classes, Unsafe.As<TElement, T>(ref s), causalOffset, log, Unsafe.As<TElement, T>(ref masked));
            return true;
        }
    }
}
