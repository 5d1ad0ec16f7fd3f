using SoftmaxGen.Kernels;

namespace SoftmaxGen.Generator;

/// <summary>How a kernel lays a batch out in registers for one hardware tier.</summary>
internal enum PlanKind
{
    /// <summary>No vector fits: call the runtime's scalar fallback.</summary>
    Fallback,

    /// <summary>Small rows: a block of as many rows as a vector has lanes is transposed, so each lane is one row.</summary>
    Block,

    /// <summary>The whole row in at most <see cref="KernelPlan.MaxRowVectors"/> registers, straight-line code.</summary>
    Row,

    /// <summary>Long rows: the runtime's row kernels stream the row a vector at a time (no generated code: unrolling buys nothing once a row outgrows the registers).</summary>
    Loop,

    /// <summary>
    /// Float rows of <see cref="KernelPlan.MinColumnClasses"/> to <see cref="KernelPlan.MaxColumnClasses"/> classes that
    /// no block takes, and double rows of <see cref="KernelPlan.MinDoubleColumnClasses"/> to
    /// <see cref="KernelPlan.MaxDoubleColumnClasses"/>, on the Vector512 and Vector256 tiers: the runtime's
    /// <c>ColumnLayout</c> (which the fallback also runs), blocks of as many rows as a vector has lanes transposed into a
    /// stack buffer so that each lane is one row (float Vector512: four classes at a time; float Vector256: 8 x 8 register
    /// tiles; double: two classes at a time).
    /// </summary>
    Columns,
}

/// <summary>
/// The layout chosen for one element type, class count and hardware tier. The choice (all in one place):
/// <list type="bullet">
/// <item>float rows of at most 3/4 of a vector (C &lt;= 12 with Vector512) are processed a block of rows at a time;</item>
/// <item>float rows of up to 63 classes that no block takes (13-63 with Vector512, 7-63 with Vector256) go through the
/// runtime's column layout a block of 16 or 8 rows at a time (faster than keeping each row in registers: no
/// horizontal reductions and 16 or 8 independent rows per vector; see docs/performance.md), and so do double rows of
/// 2 to 15 classes;</item>
/// <item>otherwise the widest vector no longer than the row covers it, the last vector overlapping the one before;
/// up to <see cref="MaxRowVectors"/> vectors the row stays in registers, beyond that three loops stream it.</item>
/// </list>
/// </summary>
internal readonly record struct KernelPlan(PlanKind Kind, int Bits, int ElementBits, int Classes)
{
    /// <summary>The register budget for a row: rows of more vectors than this are looped over.</summary>
    public const int MaxRowVectors = LayoutTable.MaxRowVectors;

    /// <summary>The float class counts that take the <see cref="PlanKind.Columns"/> layout when no block does (inclusive, from the shared <see cref="LayoutTable"/>).</summary>
    public const int MinColumnClasses = LayoutTable.MinSingleColumnClasses, MaxColumnClasses = LayoutTable.MaxSingleColumnClasses;

    /// <summary>The double class counts that take the <see cref="PlanKind.Columns"/> layout (inclusive, from the shared <see cref="LayoutTable"/>).</summary>
    public const int MinDoubleColumnClasses = LayoutTable.MinDoubleColumnClasses, MaxDoubleColumnClasses = LayoutTable.MaxDoubleColumnClasses;

    public static readonly int[] TierBits = [512, 256, 128];

    public int Lanes => Bits / ElementBits;

    public bool IsFloat => ElementBits == 32;

    public string Element => IsFloat ? "float" : "double";

    public string Vector => $"Vector{Bits}";

    public string VectorType => $"Vector{Bits}<{Element}>";

    /// <summary>The suffix of the methods that implement this plan, e.g. "Block512".</summary>
    public string Suffix => $"{Kind}{Bits}";

    /// <summary>For Row and Loop: the offset of the last vector, which ends exactly at the end of the row.</summary>
    public int LastOffset => Classes - Lanes;

    /// <summary>For Row and Loop: how many vectors cover the row.</summary>
    public int VectorCount => (Classes + Lanes - 1) / Lanes;

    /// <summary>For Row and Loop: the leading lanes of the last vector that repeat classes of the vector before it.</summary>
    public int RepeatedLanes => VectorCount * Lanes - Classes;

    /// <summary>The largest float class count processed a block of rows at a time, for a tier of <paramref name="lanes"/> lanes.</summary>
    public static int BlockLimit(int lanes) => LayoutTable.BlockLimit(lanes);

    public static KernelPlan Choose(int classes, int tierBits, int elementBits)
    {
        // The block and column layouts run at the tier's own width; the row layouts at the widest width the row fills.
        RowLayout layout = LayoutTable.ForWidth(classes, elementBits / 8, tierBits / 8);
        if (layout is RowLayout.Block or RowLayout.Columns)
        {
            return new KernelPlan(layout == RowLayout.Block ? PlanKind.Block : PlanKind.Columns, tierBits, elementBits, classes);
        }

        foreach (int bits in TierBits)
        {
            RowLayout row = LayoutTable.RowOrLoop(classes, bits / elementBits);
            if (bits <= tierBits && row != RowLayout.None)
            {
                return new KernelPlan(row == RowLayout.Row ? PlanKind.Row : PlanKind.Loop, bits, elementBits, classes);
            }
        }

        return new KernelPlan(PlanKind.Fallback, 0, elementBits, classes);
    }

    /// <summary>
    /// The plan of each tier that gets generated code, widest first, as (tier, plan) pairs. A tier whose plan equals the
    /// next narrower tier's is left out, because the narrower tier's check is also true on hardware that has the wider
    /// one; so are the tiers that run the runtime's path: <see cref="PlanKind.Fallback"/>, and <see cref="PlanKind.Loop"/>,
    /// whose rows outgrow the registers and stream through the runtime's row kernels, the code the fallback runs at that
    /// width (once a tier loops, every narrower one does, so the fallback call that ends the dispatch serves them all).
    /// </summary>
    public static IReadOnlyList<(int Tier, KernelPlan Plan)> ForTiers(int classes, int elementBits)
    {
        var plans = new List<(int, KernelPlan)>();
        for (int i = 0; i < TierBits.Length; i++)
        {
            KernelPlan plan = Choose(classes, TierBits[i], elementBits);
            bool sameAsNext = i + 1 < TierBits.Length && Choose(classes, TierBits[i + 1], elementBits) == plan;
            if (!sameAsNext && plan.Kind is not (PlanKind.Fallback or PlanKind.Loop))
            {
                plans.Add((TierBits[i], plan));
            }
        }

        return plans;
    }

    /// <summary>The hardware check that selects the tier of <paramref name="tierBits"/>.</summary>
    public static string TierCondition(int tierBits) => $"Vector{tierBits}.IsHardwareAccelerated";

    /// <summary>A human description of the row layout, for comments.</summary>
    public string Describe()
    {
        switch (Kind)
        {
            case PlanKind.Block:
                return $"blocks of {Lanes} rows ({Lanes * Classes} values) transposed so that each {Vector} lane is one row";
            case PlanKind.Row:
                var parts = new List<string>();
                for (int k = 0; k < VectorCount; k++)
                {
                    int start = k == VectorCount - 1 ? LastOffset : k * Lanes;
                    parts.Add($"{start}-{start + Lanes - 1}");
                }

                return $"each row in {VectorCount} {Vector} register{(VectorCount == 1 ? string.Empty : "s")} (classes {string.Join(", ", parts)})";
            case PlanKind.Columns:
                return !IsFloat
                    ? $"blocks of {Lanes} rows transposed two classes at a time so that each {Vector} lane is one row"
                    : Bits == 512
                    ? $"blocks of {Lanes} rows transposed four classes at a time so that each {Vector} lane is one row"
                    : $"blocks of {Lanes} rows transposed through 8 x 8 tiles so that each {Vector} lane is one row";
            case PlanKind.Loop:
                return $"each row streamed {Lanes} classes at a time: {LastOffset / Lanes + (LastOffset % Lanes == 0 ? 0 : 1)} vectors from 0, then the last at {LastOffset}";
            default:
                return "the runtime's scalar path";
        }
    }
}
