using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// SMG001-SMG004: ID, severity, message and location of each, no file for the bad type, and files for the good kernels
/// beside it. Then inputs the compiler itself rejects, which must not make the generator throw.
/// </summary>
public sealed class DiagnosticTests
{
    /// <summary>A well-formed kernel placed next to each bad one; a loop kernel, the cheapest to compile.</summary>
    private const string GoodKernel = """

        [SoftmaxKernel(1000)]
        internal static partial class Good;
        """;

    private const string GoodHintName = "Samples.Good.SoftmaxKernel.g.cs";

    [Fact]
    public void SMG001_TypeNotPartial()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(10)]
            internal static class [|Digits|]
            {
            }
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG001",
            "'Samples.Digits' has [SoftmaxKernel] but is not partial; add the 'partial' modifier so the kernel members can be generated into it");
    }

    [Fact]
    public void SMG002_GenericType()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(10)]
            internal partial class [|Table|]<T>;
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG002",
            "'Samples.Table<T>' is generic or nested in a generic type; kernels are static and need one concrete type, so move the attribute to a non-generic type");
    }

    [Fact]
    public void SMG002_TypeNestedInGenericType()
    {
        GeneratorRun run = RunMarked("""
            internal partial class Outer<T>
            {
                [SoftmaxKernel(10)]
                internal static partial class [|Inner|];
            }
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG002",
            "'Samples.Outer<T>.Inner' is generic or nested in a generic type; kernels are static and need one concrete type, so move the attribute to a non-generic type");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000001")]
    [InlineData("int.MinValue")]
    public void SMG003_ClassCountOutOfRange(string classes)
    {
        GeneratorRun run = RunMarked($$"""
            [[|SoftmaxKernel({{classes}})|]]
            internal static partial class Digits;
            """, out string source, out TextSpan span);

        string value = classes == "int.MinValue" ? int.MinValue.ToString(CultureInfo.InvariantCulture) : classes;
        AssertOnlyDiagnostic(run, source, span, "SMG003",
            $"[SoftmaxKernel({value})] on 'Samples.Digits': the class count must be from 1 to 1000000");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void SMG003_BoundsAreAccepted(int classes)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel({{classes}})]
            internal static partial class Edge;
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains($"public const int Classes = {classes};", run.Source("Samples.Edge.SoftmaxKernel.g.cs").Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void SMG004_ContainingTypeNotPartial()
    {
        GeneratorRun run = RunMarked("""
            internal class Outer
            {
                [SoftmaxKernel(10)]
                internal static partial class [|Inner|];
            }
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG004",
            "'Samples.Outer.Inner' is nested in 'Outer', which is not partial; add the 'partial' modifier to 'Outer' so the kernel members can be generated");
    }

    [Fact]
    public void SMG004_OnePerContainingTypeNotPartial()
    {
        GeneratorRun run = RunMarked("""
            internal class Outer
            {
                internal partial class Middle
                {
                    internal class Host
                    {
                        [SoftmaxKernel(10)]
                        internal static partial class [|Inner|];
                    }
                }
            }
            """, out _, out TextSpan span);

        Diagnostic[] diagnostics = run.GeneratorDiagnostics.ToArray();
        Assert.Equal(["SMG004", "SMG004"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Equal(span, d.Location.SourceSpan));
        Assert.Contains("nested in 'Host'", diagnostics[0].GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Contains("nested in 'Outer'", diagnostics[1].GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Equal([GoodHintName], run.Sources.Select(s => s.HintName));
    }

    [Fact]
    public void EveryProblemOfOneTypeIsReported()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(0)]
            internal class [|Table|]<T>;
            """, out _, out TextSpan span);

        Assert.Equal(["SMG003", "SMG001", "SMG002"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(span, run.GeneratorDiagnostics[1].Location.SourceSpan);
        Assert.Equal(span, run.GeneratorDiagnostics[2].Location.SourceSpan);
        Assert.Equal([GoodHintName], run.Sources.Select(s => s.HintName));
    }

    /// <summary>
    /// Roslyn applies <c>#pragma warning disable</c> and per-file severity settings only to locations in a syntax tree
    /// (dotnet/roslyn#68291), so the SMG diagnostics come from an analyzer that reports them in the user's tree.
    /// </summary>
    [Fact]
    public void DiagnosticLocationsAreInTheSyntaxTree()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(10)]
            internal static class [|Digits|];
            """, out _, out _);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(LocationKind.SourceFile, diagnostic.Location.Kind);
        Assert.Same(run.InputCompilation.SyntaxTrees[0], diagnostic.Location.SourceTree);
    }

    /// <summary>
    /// A file-local type (<c>file partial class</c>) cannot get members from another file: the generated part in its
    /// own file would declare a second, unrelated type of the same name. So SMG005 is reported and no file is generated
    /// (the user's own use of the missing members is then CS0117).
    /// </summary>
    [Fact]
    public void FileLocalType_IsReported()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(10)]
            file static partial class Digits;

            file static class Use
            {
                public static int Classes => Digits.Classes;
            }
            """, "CS0117"); // the user's Digits.Classes: nothing is generated for a file-local type

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "SMG005");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Empty(run.Sources);
    }

    // ---- Inputs the compiler rejects: the generator must neither throw nor produce a second error of its own --------

    [Fact]
    public void AttributeOnTwoPartialDeclarations_OneFile()
    {
        GeneratorRun run = GeneratorHarness.Run(
            [
                new TestSource("Part1.cs", """
                    using SoftmaxGen;

                    namespace Samples;

                    [SoftmaxKernel(10)]
                    internal static partial class Digits;
                    """),
                new TestSource("Part2.cs", """
                    using SoftmaxGen;

                    namespace Samples;

                    /// <summary>The second part, with the attribute again.</summary>
                    [SoftmaxKernel(10)]
                    internal static partial class Digits;
                    """),
            ],
            "CS0579");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["Samples.Digits.SoftmaxKernel.g.cs"], run.Sources.Select(s => s.HintName));
    }

    /// <summary>
    /// Two attributed partial declarations in one file. ForAttributeWithMetadataName gives each declaration every
    /// matching attribute of its syntax tree, so <c>context.Attributes[0]</c> is the first one for both declarations;
    /// the parser's "only the first declaration produces output" check then lets both through, the second AddSource
    /// throws on the duplicate hint name (CS8785), and no kernel is generated at all.
    /// </summary>
    [Fact]
    public void AttributeOnTwoPartialDeclarationsInOneFile_OneFile()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(10)]
            internal static partial class Digits;

            [SoftmaxKernel(12)]
            internal static partial class Digits;
            """,
            "CS0579");

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratedFile file = Assert.Single(run.Sources);
        Assert.Contains("public const int Classes = 10;", file.Text, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// The same as <see cref="AttributeOnTwoPartialDeclarations_OneFile"/>, but the two attributes sit at the same
    /// offset of their files. The parser decides which declaration is "the first" by comparing only the attribute's
    /// span, not its syntax tree, so both declarations pass, both produce "Samples.Digits.SoftmaxKernel.g.cs", and
    /// the second AddSource throws (CS8785): no kernel at all is generated.
    /// </summary>
    [Fact]
    public void AttributeOnTwoPartialDeclarationsAtTheSameOffset_OneFile()
    {
        const string part = """
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(10)]
            internal static partial class Digits;
            """;
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Part1.cs", part), new TestSource("Part2.cs", part)], "CS0579");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["Samples.Digits.SoftmaxKernel.g.cs"], run.Sources.Select(s => s.HintName));
    }

    [Theory]
    [InlineData("[SoftmaxKernel]", "CS7036")]
    [InlineData("[SoftmaxKernel(int.Parse(\"10\"))]", "CS0182")]
    [InlineData("[SoftmaxKernel(\"10\")]", "CS1503")]
    [InlineData("[SoftmaxKernel(10.5)]", "CS1503")]
    [InlineData("[SoftmaxKernel(10, 20)]", "CS1729")]
    [InlineData("[SoftmaxKernel(Missing.Count)]", "CS0103")]
    [InlineData("[SoftmaxKernel(10)][SoftmaxKernel(12)]", "CS0579")]
    public void MalformedAttribute_NoGeneratorFailure(string attribute, string compilerError)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            {{attribute}}
            internal static partial class Digits;
            {{GoodKernel}}
            """,
            compilerError);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(GoodHintName, run.Sources.Select(s => s.HintName));
    }

    [Theory]
    [InlineData("[SoftmaxKernel(classes: 10)]")]
    [InlineData("[SoftmaxKernel(Sizes.Digits)]")]
    [InlineData("[SoftmaxKernel((int)10.9)]")]
    [InlineData("[SoftmaxKernelAttribute(10)]")]
    [InlineData("[Kernel(10)]")]
    [InlineData("[global::SoftmaxGen.SoftmaxKernel(10)]")]
    public void WellFormedAttributeSpellings_Generate(string attribute)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using SoftmaxGen;
            using Kernel = SoftmaxGen.SoftmaxKernelAttribute;

            namespace Samples;

            internal static class Sizes
            {
                public const int Digits = 10;
            }

            {{attribute}}
            internal static partial class Digits;
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("public const int Classes = 10;", run.Source("Samples.Digits.SoftmaxKernel.g.cs").Text, System.StringComparison.Ordinal);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    /// <summary>Runs the generator on <paramref name="markup"/> (in namespace Samples, next to <see cref="GoodKernel"/>).</summary>
    private static GeneratorRun RunMarked(string markup, out string source, out TextSpan span)
    {
        (source, span) = Markup.Parse($$"""
            using SoftmaxGen;

            namespace Samples;

            {{markup}}
            {{GoodKernel}}
            """);
        return GeneratorHarness.Run(source);
    }

    /// <summary>
    /// The run reported exactly one diagnostic, <paramref name="id"/>, an error with <paramref name="message"/> at
    /// <paramref name="span"/>; the bad type got no file and the good kernel got its file.
    /// </summary>
    private static void AssertOnlyDiagnostic(GeneratorRun run, string source, TextSpan span, string id, string message)
    {
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.DefaultSeverity);
        Assert.Equal("SoftmaxGen", diagnostic.Descriptor.Category);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));

        FileLinePositionSpan lineSpan = diagnostic.Location.GetLineSpan();
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", lineSpan.Path);
        Assert.Equal(SourceText.From(source).Lines.GetLinePositionSpan(span), lineSpan.Span);
        Assert.Equal(source.Substring(span.Start, span.Length), source[diagnostic.Location.SourceSpan.Start..diagnostic.Location.SourceSpan.End]);

        Assert.Equal([GoodHintName], run.Sources.Select(s => s.HintName));
    }
}
