using System.Buffers;
using System.Numerics.Tensors;

namespace SoftmaxGen.Kernels;

/// <summary>What runs on one block of rows of <see cref="Half"/> logits after <see cref="HalfRows"/> converted them to float.</summary>
internal interface IHalfRowBlock
{
    /// <summary>Runs on <paramref name="rows"/> whole rows from row <paramref name="firstRow"/>, converted to float.</summary>
    /// <param name="logits">The converted rows; scratch the block may overwrite (softmax runs in place in it).</param>
    /// <param name="companion">The same rows of the second Half input (target probabilities), converted; empty without one.</param>
    /// <param name="firstRow">The index of the block's first row in the batch.</param>
    /// <param name="rows">The rows in the block.</param>
    void Run(scoped Span<float> logits, scoped Span<float> companion, int firstRow, int rows);
}

/// <summary>
/// The one bridge from <see cref="Half"/> logits to the float kernels: whole rows are converted a block at a time with
/// the vectorised <see cref="TensorPrimitives.ConvertToSingle(ReadOnlySpan{Half}, Span{float})"/> into scratch on the
/// stack, and the block operation runs the float code (a registered kernel of that class count, else the fallback) and
/// stores its results. Every finite Half is a float exactly, so the float computation sees the logits unrounded.
/// </summary>
/// <remarks>
/// The scratch is 16 KB on the stack (32 KB with a companion input); a row longer than that is converted one row at a time into an array rented from
/// <see cref="ArrayPool{T}.Shared"/> and returned before the call returns, so once the pool holds one no call allocates.
/// A block's input is read into the scratch before anything is stored, so output and input may be the same memory.
/// </remarks>
internal static class HalfRows
{
    /// <summary>The float values of the stack scratch (16 KB): a block stays in the first cache level.</summary>
    internal const int BlockValues = 4096;

    /// <summary>Runs <paramref name="block"/> over <paramref name="rows"/> validated rows of <paramref name="classes"/> values.</summary>
    /// <param name="logits">At least <c>rows x classes</c> Half logits.</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count, at least 1.</param>
    /// <param name="block">The operation; it keeps its state (a loss sum) across blocks.</param>
    internal static void Run<TBlock>(ReadOnlySpan<Half> logits, int rows, int classes, ref TBlock block)
        where TBlock : IHalfRowBlock, allows ref struct
        => Run(logits, [], rows, classes, ref block);

    /// <summary>
    /// Runs <paramref name="block"/> over <paramref name="rows"/> validated rows of <paramref name="classes"/> values,
    /// converting the same rows of <paramref name="companion"/> (when it is not empty) beside the logits.
    /// </summary>
    /// <param name="logits">At least <c>rows x classes</c> Half logits.</param>
    /// <param name="companion">Empty, or a second input of the logits' shape (target probabilities).</param>
    /// <param name="rows">The row count.</param>
    /// <param name="classes">The class count, at least 1.</param>
    /// <param name="block">The operation; it keeps its state (a loss sum) across blocks.</param>
    [SkipLocalsInit]
    internal static void Run<TBlock>(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> companion, int rows, int classes, ref TBlock block)
        where TBlock : IHalfRowBlock, allows ref struct
    {
        if (rows == 0)
        {
            return;
        }

        bool paired = !companion.IsEmpty;
        float[]? rented = classes > BlockValues ? ArrayPool<float>.Shared.Rent(paired ? 2 * classes : classes) : null;
        Span<float> scratch = rented is null ? stackalloc float[paired ? 2 * BlockValues : BlockValues] : rented;
        try
        {
            int perBlock = Math.Max(1, BlockValues / classes);
            int half = paired ? scratch.Length / 2 : 0;
            for (int first = 0; first < rows; first += perBlock)
            {
                int count = Math.Min(perBlock, rows - first);
                Span<float> x = scratch.Slice(0, count * classes);
                TensorPrimitives.ConvertToSingle(logits.Slice(first * classes, count * classes), x);
                scoped Span<float> p = default;
                if (paired)
                {
                    p = scratch.Slice(half, count * classes);
                    TensorPrimitives.ConvertToSingle(companion.Slice(first * classes, count * classes), p);
                }

                block.Run(x, p, first, count);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
