using System.Linq;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// Snapshots of the generated file, one test per layout. The snapshot files
/// (Snapshots/GeneratedSourceTests.{Test}#{HintName}.verified.cs) are the documentation of what the generator writes.
/// The float layout at the widest tier (Vector512) names each class-count test, as docs/design.md's table "Layouts":
/// Block up to 12 classes, Columns up to 63, Row up to 128, Loop beyond. The other kinds of declaration (nested,
/// struct, record, global namespace, keywords) are checked against <see cref="Classes26_Columns"/> by
/// <see cref="DeclarationShapeTests"/>.
/// </summary>
public sealed class GeneratedSourceTests
{
    private static GeneratorRun Kernel(int classes, string name = "Digits", string arguments = "") =>
        GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel({{classes}}{{arguments}})]
            internal static partial class {{name}};
            """);

    /// <summary>A kernel with <c>Precision = SoftmaxPrecision.Fast</c>: the snapshots show what differs from the Exact ones.</summary>
    private static GeneratorRun FastKernel(int classes, string name) => Kernel(classes, name, ", Precision = SoftmaxPrecision.Fast");

    [Fact]
    public void Classes1_Block() => Snapshot.Match(Kernel(1, "Single"));

    [Fact]
    public void Classes2_Block() => Snapshot.Match(Kernel(2, "Binary"));

    [Fact]
    public void Classes3_Block() => Snapshot.Match(Kernel(3, "Ternary"));

    [Fact]
    public void Classes4_Block() => Snapshot.Match(Kernel(4, "Suits"));

    [Fact]
    public void Classes8_Block() => Snapshot.Match(Kernel(8, "Octal"));

    [Fact]
    public void Classes10_Block() => Snapshot.Match(Kernel(10));

    [Fact]
    public void Classes16_Columns() => Snapshot.Match(Kernel(16, "Hex"));

    [Fact]
    public void Classes17_Columns() => Snapshot.Match(Kernel(17, "Seventeen"));

    /// <summary>The common declaration (a static class in a namespace); <see cref="DeclarationShapeTests"/> checks the other kinds against it.</summary>
    [Fact]
    public void Classes26_Columns() => Snapshot.Match(Kernel(26, "Letters"));

    [Fact]
    public void Classes100_Row() => Snapshot.Match(Kernel(100, "Cifar100"));

    [Fact]
    public void Classes1000_Loop() => Snapshot.Match(Kernel(1000, "ImageNet"));

    // ---- SoftmaxPrecision.Fast: one kernel per layout the Fast code differs in (ExpShiftedFast in the block, row and
    // loop code; the precision passed to ColumnLayout, to the *LastRows, to the scalar path and to the runtime members).

    [Fact]
    public void Classes10_Block_Fast() => Snapshot.Match(FastKernel(10, "FastDigits"));

    [Fact]
    public void Classes26_Columns_Fast() => Snapshot.Match(FastKernel(26, "FastLetters"));

    [Fact]
    public void Classes100_Row_Fast() => Snapshot.Match(FastKernel(100, "FastCifar100"));

    [Fact]
    public void Classes1000_Loop_Fast() => Snapshot.Match(FastKernel(1000, "FastImageNet"));

    /// <summary>
    /// No kernel file is longer than 1,500 lines: every class count from 1 to 130 (each layout and its edges), a few
    /// loop-sized ones, in both precisions, generated in one run.
    /// </summary>
    [Fact]
    public void EveryKernelFile_IsAtMost1500Lines()
    {
        int[] classCounts = [.. Enumerable.Range(1, 130), 1000, 32000];
        string declarations = string.Join("\n", classCounts.SelectMany(c => new[]
        {
            $"[SoftmaxKernel({c})] internal static partial class Exact{c};",
            $"[SoftmaxKernel({c}, Precision = SoftmaxPrecision.Fast)] internal static partial class Fast{c};",
        }));
        GeneratorRun run = GeneratorHarness.RunOnce(
            GeneratorHarness.CreateDriver(),
            GeneratorHarness.CreateCompilation($"using SoftmaxGen;\n\nnamespace Samples;\n\n{declarations}\n"));

        Assert.Equal(2 * classCounts.Length, run.Sources.Length);
        (string HintName, int Lines) longest = run.Sources
            .Select(file => (file.HintName, Lines: file.Text.Count(c => c == '\n')))
            .MaxBy(file => file.Lines);
        Assert.True(longest.Lines <= 1500, $"{longest.HintName} has {longest.Lines} lines.");
    }
}
