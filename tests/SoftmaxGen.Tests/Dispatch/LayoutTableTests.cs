using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The shared layout table against independent statements of the two rules it replaced: the generator's
/// <c>KernelPlan.Choose</c> (block and column bounds inclusive) and the runtime fallback's ladders (exclusive bounds),
/// and the runtime dispatch against the ladder for the hardware the tests run on.
/// </summary>
public sealed class LayoutTableTests
{
    private static readonly int[] WidthBits = [512, 256, 128];

    /// <summary>The generator's rule as it was written: (kind, bits) for a tier.</summary>
    private static (string Kind, int Bits) GeneratorRule(int classes, int tierBits, int elementBits)
    {
        int tierLanes = tierBits / elementBits;
        if (elementBits == 32 && classes <= tierLanes * 3 / 4)
            return ("Block", tierBits);
        if (tierBits >= 256 && (elementBits == 32 ? classes >= 4 && classes <= 63 : classes >= 2 && classes <= 15))
            return ("Columns", tierBits);
        foreach (int bits in WidthBits)
        {
            int lanes = bits / elementBits;
            if (bits <= tierBits && lanes <= classes)
                return ((classes + lanes - 1) / lanes <= 8 ? "Row" : "Loop", bits);
        }

        return ("Fallback", 0);
    }

    /// <summary>The same choice read from the table, as KernelPlan.Choose reads it.</summary>
    private static (string Kind, int Bits) FromTable(int classes, int tierBits, int elementBits)
    {
        RowLayout layout = LayoutTable.ForWidth(classes, elementBits / 8, tierBits / 8);
        if (layout is RowLayout.Block or RowLayout.Columns)
            return (layout.ToString(), tierBits);
        foreach (int bits in WidthBits)
        {
            RowLayout row = LayoutTable.RowOrLoop(classes, bits / elementBits);
            if (bits <= tierBits && row != RowLayout.None)
                return (row.ToString(), bits);
        }

        return ("Fallback", 0);
    }

    [Fact]
    public void TableGivesTheGeneratorsLayouts()
    {
        for (int classes = 1; classes <= 200; classes++)
        {
            foreach (int elementBits in new[] { 32, 64 })
            {
                foreach (int tier in WidthBits)
                {
                    Assert.Equal(GeneratorRule(classes, tier, elementBits), FromTable(classes, tier, elementBits));
                }
            }
        }
    }

    /// <summary>
    /// The runtime fallback's ladder as it was written, for hardware whose widest accelerated vector has
    /// <paramref name="widestBits"/> bits (0: none): the lanes of the kernel it ran and whether it was the column layout.
    /// </summary>
    private static (int Lanes, bool Columns) RuntimeRule(int classes, int elementBits, int widestBits)
    {
        bool v512 = widestBits >= 512, v256 = widestBits >= 256, v128 = widestBits >= 128;
        if (elementBits == 32)
        {
            if (v512 && classes < 64) return (16, true);
            if (v256 && classes < 64) return (8, true);
            if (v128 && classes < 4) return (4, true);
            if (v512 && classes >= 16) return (16, false);
            if (v256 && classes >= 8) return (8, false);
            if (v128 && classes >= 4) return (4, false);
            return (1, false);
        }

        if (v512 && classes >= 2 && classes < 16) return (8, true);
        if (v256 && classes >= 2 && classes < 16) return (4, true);
        if (v512 && classes >= 8) return (8, false);
        if (v256 && classes >= 4) return (4, false);
        if (v128 && classes >= 2) return (2, false);
        return (1, false);
    }

    /// <summary>The runtime's walk over the table for the same hardware.</summary>
    private static (int Lanes, bool Columns) WalkTable(int classes, int elementBits, int widestBits)
    {
        foreach (int bits in WidthBits)
        {
            RowLayout layout = bits <= widestBits ? LayoutTable.ForWidth(classes, elementBits / 8, bits / 8) : RowLayout.None;
            if (layout != RowLayout.None)
                return (bits / elementBits, layout is RowLayout.Block or RowLayout.Columns);
        }

        return (1, false);
    }

    [Fact]
    public void TableGivesTheRuntimesLayoutsOnEveryTier()
    {
        for (int classes = 1; classes <= 200; classes++)
        {
            foreach (int elementBits in new[] { 32, 64 })
            {
                foreach (int widest in new[] { 512, 256, 128, 0 })
                {
                    Assert.Equal(RuntimeRule(classes, elementBits, widest), WalkTable(classes, elementBits, widest));
                }
            }
        }
    }

    private static int WidestAcceleratedBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>Records the lanes and layout the driver picked.</summary>
    private readonly struct Probe : ILayoutOperation<(int Lanes, RowLayout Layout)>
    {
        public (int Lanes, RowLayout Layout) Run<TOps, TVec, T>(RowLayout layout)
            where TOps : ISimd<TVec, T>
            where TVec : struct
            where T : unmanaged, IFloatingPointIeee754<T>
            => (TOps.Count, layout);
    }

    [Fact]
    public void RuntimeDispatchTakesTheTablesLayout()
    {
        for (int classes = 1; classes <= 200; classes++)
        {
            var probe = new Probe();
            (int lanes, RowLayout layout) = VectorDispatch.ByLayout<Probe, float, (int, RowLayout)>(ref probe, classes);
            Assert.Equal(RuntimeRule(classes, 32, WidestAcceleratedBits), (lanes, layout is RowLayout.Block or RowLayout.Columns));
            (lanes, layout) = VectorDispatch.ByLayout<Probe, double, (int, RowLayout)>(ref probe, classes);
            Assert.Equal(RuntimeRule(classes, 64, WidestAcceleratedBits), (lanes, layout is RowLayout.Block or RowLayout.Columns));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(129)]
    public void FallbackSoftmaxIsTheLadderKernelsBits(int classes)
    {
        const int rows = 37;
        var random = new Random(classes);
        float[] logits = new float[rows * classes];
        for (int i = 0; i < logits.Length; i++)
            logits[i] = (float)((random.NextDouble() - 0.5) * 40);

        float[] actual = new float[logits.Length], expected = new float[logits.Length];
        SoftmaxFallback.Softmax(logits, actual, classes);

        ref float x = ref MemoryMarshal.GetArrayDataReference(logits);
        ref float y = ref MemoryMarshal.GetArrayDataReference(expected);
        switch (RuntimeRule(classes, 32, WidestAcceleratedBits))
        {
            case (16, true): ColumnKernels<Simd512F, Vector512<float>, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
            case (8, true): ColumnKernels<Simd256F, Vector256<float>, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
            case (4, true): ColumnKernels<Simd128F, Vector128<float>, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
            case (16, false): RowKernels<Simd512F, Vector512<float>, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
            case (8, false): RowKernels<Simd256F, Vector256<float>, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
            case (4, false): RowKernels<Simd128F, Vector128<float>, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
            default: RowKernels<ScalarF, float, float>.Softmax(ref x, ref y, rows, (nuint)classes); break;
        }

        Assert.Equal(expected, actual);
    }
}
