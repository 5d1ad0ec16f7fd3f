// Compiled into the runtime and, as a linked file, into the generator (netstandard2.0): plain C#, no vector types.
using System.Runtime.CompilerServices;

namespace SoftmaxGen.Kernels;

/// <summary>How rows are laid out in registers for one element type and vector width.</summary>
internal enum RowLayout
{
    /// <summary>No vector of this width fits the row: a narrower width, or the scalar lane, takes it.</summary>
    None,

    /// <summary>Float rows of at most 3/4 of a vector: a block of as many rows as the vector has lanes, transposed in
    /// registers (generated code); the runtime runs these rows through its column layout.</summary>
    Block,

    /// <summary>Short rows, SIMD across rows: blocks of rows transposed through a stack buffer, so that each lane is one row.</summary>
    Columns,

    /// <summary>The whole row in at most <see cref="LayoutTable.MaxRowVectors"/> vectors.</summary>
    Row,

    /// <summary>Longer rows: loops over the row, a vector at a time.</summary>
    Loop,
}

/// <summary>Which of the table's rules an operation follows.</summary>
internal enum LayoutRule
{
    /// <summary>Softmax, log-softmax and the plain cross-entropy: <see cref="LayoutTable.ForWidth"/>.</summary>
    Table,

    /// <summary>Operations with row layouts only: <see cref="LayoutTable.RowOrLoop"/>.</summary>
    Rows,

    /// <summary>The cross-entropy with options: <see cref="LayoutTable.OptionColumns"/>, no layout otherwise.</summary>
    OptionColumns,
}

/// <summary>
/// The one statement of which layout a class count takes, shared by the runtime's dispatch and the generator's
/// <c>KernelPlan.Choose</c>. Every bound is inclusive.
/// </summary>
internal static class LayoutTable
{
    /// <summary>The register budget for a row: rows of more vectors than this are looped over.</summary>
    public const int MaxRowVectors = 8;

    /// <summary>The float class counts of the column layout (the smallest is below every block limit it meets).</summary>
    public const int MinSingleColumnClasses = 4, MaxSingleColumnClasses = 63;

    /// <summary>The double class counts of the column layout.</summary>
    public const int MinDoubleColumnClasses = 2, MaxDoubleColumnClasses = 15;

    /// <summary>The narrowest vector, in bytes, that runs the column layout (Vector256).</summary>
    public const int MinColumnVectorBytes = 32;

    /// <summary>The largest float class count in a block, for a vector of <paramref name="lanes"/> lanes.</summary>
    public static int BlockLimit(int lanes) => lanes * 3 / 4;

    /// <summary>
    /// The layout for rows of <paramref name="classes"/> elements of <paramref name="elementSize"/> bytes (4 or 8) when
    /// vectors of <paramref name="vectorBytes"/> bytes are the widest accelerated: a block or the column layout at that
    /// width, else the row layout of that width, or <see cref="RowLayout.None"/> when the row is narrower than the vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RowLayout ForWidth(int classes, int elementSize, int vectorBytes)
    {
        int lanes = vectorBytes / elementSize;
        if (elementSize == 4 && classes <= BlockLimit(lanes))
        {
            return RowLayout.Block;
        }

        bool columns = elementSize == 4
            ? classes >= MinSingleColumnClasses && classes <= MaxSingleColumnClasses
            : classes >= MinDoubleColumnClasses && classes <= MaxDoubleColumnClasses;
        return vectorBytes >= MinColumnVectorBytes && columns ? RowLayout.Columns : RowOrLoop(classes, lanes);
    }

    /// <summary>The row layout of vectors of <paramref name="lanes"/> lanes: <see cref="RowLayout.None"/> when the row is shorter than one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RowLayout RowOrLoop(int classes, int lanes) =>
        classes < lanes ? RowLayout.None : classes <= MaxRowVectors * lanes ? RowLayout.Row : RowLayout.Loop;

    /// <summary>
    /// The lane-wise cross-entropy with options (weights, ignored rows, smoothing) takes rows of fewer classes than the
    /// vector has lanes, with Vector512 or Vector256 (double rows of at least two classes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool OptionColumns(int classes, int elementSize, int vectorBytes) =>
        vectorBytes >= MinColumnVectorBytes && classes < vectorBytes / elementSize
        && (elementSize == 4 || classes >= MinDoubleColumnClasses);

    /// <summary>The layout that <paramref name="rule"/> gives at a width (see <see cref="ForWidth"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RowLayout For(LayoutRule rule, int classes, int elementSize, int vectorBytes) => rule switch
    {
        LayoutRule.Table => ForWidth(classes, elementSize, vectorBytes),
        LayoutRule.Rows => RowOrLoop(classes, vectorBytes / elementSize),
        _ => OptionColumns(classes, elementSize, vectorBytes) ? RowLayout.Columns : RowLayout.None,
    };
}
