using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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

    // ---- SMG006-SMG008: names the generator uses --------------------------------------------------------------------

    /// <summary>
    /// A constant, field, property, event or nested type with the name of a generated member would be CS0102 in the
    /// generated file (and a method named like the generated constant too): an error, and no file for the type.
    /// </summary>
    [Theory]
    [InlineData("public const int [|Classes|] = 10;", "declares the constant 'Classes'", "member", "Classes")]
    [InlineData("public static int [|Classes|] => 10;", "declares the property 'Classes'", "member", "Classes")]
    [InlineData("public static int [|Classes|]() => 10;", "declares the method 'Classes'", "member", "Classes")]
    [InlineData("public static readonly int [|Softmax|] = 1;", "declares the field 'Softmax'", "method", "Softmax")]
    [InlineData("public static int [|LogSoftmax|] { get; set; }", "declares the property 'LogSoftmax'", "method", "LogSoftmax")]
    [InlineData("public static event System.Action? [|CrossEntropy|] { add { } remove { } }", "declares the event 'CrossEntropy'", "method", "CrossEntropy")]
    [InlineData("public static class [|Argmax|] { }", "declares the nested type 'Argmax'", "method", "Argmax")]
    public void SMG006_MemberCollision(string member, string what, string kind, string generated)
    {
        GeneratorRun run = RunMarked($$"""
            [SoftmaxKernel(10)]
            internal static partial class Digits
            {
                {{member}}
            }
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG006",
            $"'Samples.Digits' {what}, and SoftmaxGen generates a {kind} named '{generated}' for [SoftmaxKernel] types; rename the member");
    }

    /// <summary>The member may sit in another partial declaration of the type, in another file: it is reported there.</summary>
    [Fact]
    public void SMG006_MemberInAnotherPartialDeclaration()
    {
        (string other, TextSpan span) = Markup.Parse("""
            namespace Samples;

            internal static partial class Digits
            {
                public static readonly string [|Classes|] = "0123456789";
            }
            """);
        GeneratorRun run = GeneratorHarness.Run(
        [
            new TestSource("Source0.cs", """
                using SoftmaxGen;

                namespace Samples;

                [SoftmaxKernel(10)]
                internal static partial class Digits;
                """),
            new TestSource("Other.cs", other),
        ]);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SMG006", diagnostic.Id);
        Assert.Equal("Other.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Empty(run.Sources);
    }

    /// <summary>A positional record's parameter is a property of the record.</summary>
    [Fact]
    public void SMG006_PositionalRecordProperty()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(10)]
            internal sealed partial record Digits(int [|Classes|]);
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG006",
            "'Samples.Digits' declares the property 'Classes', and SoftmaxGen generates a member named 'Classes' for [SoftmaxKernel] types; rename the member");
    }

    /// <summary>
    /// An inherited member would be hidden by the generated one (CS0108, a warning in the generated file that the user
    /// cannot suppress there): reported on the kernel type. Private members of the base are not inherited.
    /// </summary>
    [Fact]
    public void SMG006_InheritedMember()
    {
        GeneratorRun run = RunMarked("""
            internal class Labels
            {
                public static int Classes => 10;

                private static int Softmax => 0;
            }

            [SoftmaxKernel(10)]
            internal sealed partial class [|Digits|] : Labels;
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG006",
            "'Samples.Digits' inherits the property 'Classes' from 'Samples.Labels', and SoftmaxGen generates a member named 'Classes' for [SoftmaxKernel] types; rename the member");
    }

    /// <summary>A member cannot have the name of its type (CS0542), so a type named like a generated member cannot be a kernel.</summary>
    [Theory]
    [InlineData("Classes")]
    [InlineData("Softmax")]
    [InlineData("Argmax")]
    public void SMG007_TypeNamedLikeGeneratedMember(string name)
    {
        GeneratorRun run = RunMarked($$"""
            [SoftmaxKernel(10)]
            internal static partial class [|{{name}}|];
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG007",
            $"'Samples.{name}' has the name of the generated member '{name}', and a member cannot have the name of its type; rename the type");
    }

    /// <summary>
    /// A method overloading a generated one with a parameter no generated method has (here arrays) compiles, and the
    /// kernel is generated, but calls may bind to it instead: a caller passing arrays gets the user's overload, an
    /// exact match, rather than the generated span one. A warning.
    /// </summary>
    [Fact]
    public void SMG008_MethodOverloadsGeneratedMethod_Warning()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(10)]
            internal static partial class Digits
            {
                public static void [|Softmax|](float[] logits, float[] probabilities) => logits.CopyTo(probabilities, 0);
            }
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG008", DiagnosticSeverity.Warning,
            "'Samples.Digits' declares the method 'Softmax', and SoftmaxGen generates 'Softmax' overloads: calls may bind to this one instead of the kernel; rename it, or suppress this warning if the overload is intended",
            ["Samples.Digits.SoftmaxKernel.g.cs", GoodHintName]);
    }

    /// <summary>
    /// A method whose parameters are all spans, numbers or SoftmaxGen enums may have the parameters of a generated
    /// overload (here exactly: it would be CS0111 in the generated file), now or when a later version adds one: an
    /// error, and no file. (FuzzTests, seed 20261122, input 1200, found the CS0111 when this was a warning.)
    /// </summary>
    [Theory]
    [InlineData("public static void [|Argmax|](System.ReadOnlySpan<float> logits, System.Span<int> predictions) => predictions.Clear();")]
    [InlineData("public static void [|Argmax|](System.ReadOnlySpan<double> logits, System.Span<int> predictions, int innerSize) { }")]
    [InlineData("public static float [|CrossEntropy|](System.ReadOnlySpan<float> logits, int target, LossReduction reduction) => 0;")]
    [InlineData("public static void [|Softmax|]() { }")]
    public void SMG006_MethodThatMayHaveAGeneratedSignature(string method)
    {
        GeneratorRun run = RunMarked($$"""
            [SoftmaxKernel(10)]
            internal static partial class Digits
            {
                {{method}}
            }
            """, out string source, out TextSpan span);

        string name = source.Substring(span.Start, span.Length);
        AssertOnlyDiagnostic(run, source, span, "SMG006",
            $"'Samples.Digits' declares the method '{name}', and SoftmaxGen generates a method named '{name}' for [SoftmaxKernel] types; rename the member");
    }

    [Fact]
    public void SMG008_InheritedMethod_ReportedOnTheType()
    {
        GeneratorRun run = RunMarked("""
            internal abstract class Model
            {
                protected static void LogSoftmax(float[] row) => System.Array.Clear(row);
            }

            [SoftmaxKernel(10)]
            internal sealed partial class [|Digits|] : Model;
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG008", DiagnosticSeverity.Warning,
            "'Samples.Digits' inherits the method 'LogSoftmax' from 'Samples.Model', and SoftmaxGen generates 'LogSoftmax' overloads: calls may bind to this one instead of the kernel; rename it, or suppress this warning if the overload is intended",
            ["Samples.Digits.SoftmaxKernel.g.cs", GoodHintName]);
    }

    [Fact]
    public void SMG008_SuppressedWithPragma()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(10)]
            internal static partial class Digits
            {
            #pragma warning disable SMG008 // An intended convenience overload.
                public static void Softmax(float[] logits) => Softmax(logits, logits);
            #pragma warning restore SMG008

                public static void Argmax(float[] logits, int[] predictions) => Argmax(new System.ReadOnlySpan<float>(logits), predictions);
            }
            """);

        // Only the Argmax overload outside the pragma is reported.
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SMG008", diagnostic.Id);
        Assert.Contains("'Argmax'", diagnostic.GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Equal(["Samples.Digits.SoftmaxKernel.g.cs"], run.Sources.Select(s => s.HintName));
    }

    /// <summary>
    /// <c>dotnet_diagnostic.SMG008.severity</c> in an .editorconfig turns the warning off or into an error, through
    /// the same AnalyzerConfigSet and syntax tree options provider the compiler builds from the project's files.
    /// </summary>
    [Theory]
    [InlineData("none", null)]
    [InlineData("suggestion", DiagnosticSeverity.Info)]
    [InlineData("error", DiagnosticSeverity.Error)]
    public void SMG008_SeverityFromEditorConfig(string setting, DiagnosticSeverity? expected)
    {
        const string source = """
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(10)]
            internal static partial class Digits
            {
                public static void Softmax(float[] logits) => Softmax(logits, logits);
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([new TestSource("/project/Digits.cs", source)]);
        AnalyzerConfigSet config = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse($"""
            root = true

            [*.cs]
            dotnet_diagnostic.SMG008.severity = {setting}
            """, "/project/.editorconfig")));
        compilation = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new EditorConfigOptions(config)));

        Diagnostic[] diagnostics = GeneratorHarness.AnalyzerDiagnostics(compilation).ToArray();
        Assert.Equal(expected is null ? [] : [expected.Value], diagnostics.Select(d => d.Severity));
        Assert.All(diagnostics, d => Assert.Equal(("SMG008", DiagnosticSeverity.Warning), (d.Id, d.DefaultSeverity)));
    }

    /// <summary>
    /// In a build the analyzer runs on the compilation that already holds the generated files: the generated members
    /// must not count as collisions, so it reports exactly what it reports on the user's code alone.
    /// </summary>
    [Fact]
    public void AnalyzerOnGeneratedOutput_ReportsTheSame()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(3)]
            internal static partial class Ternary;

            [SoftmaxKernel(40)]
            internal partial struct Forty
            {
                public static void Softmax(float[] logits) => Softmax(logits, logits);
            }

            [SoftmaxKernel(5)]
            internal static partial class Broken
            {
                public static int Classes => 5;
            }
            """);

        Assert.Equal(["SMG008", "SMG006"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(2, run.Sources.Length);
        Assert.Equal(
            run.GeneratorDiagnostics.Select(d => d.ToString()),
            GeneratorHarness.AnalyzerDiagnostics(run.OutputCompilation).Select(d => d.ToString()));
    }

    // ---- SMG009: the language version -------------------------------------------------------------------------------

    /// <summary>C# 10 cannot compile the generated file-local kernel class: SMG009, and no file.</summary>
    [Fact]
    public void SMG009_LanguageVersionTooOld()
    {
        (string source, TextSpan span) = Markup.Parse("""
            using SoftmaxGen;

            namespace Samples
            {
                [SoftmaxKernel(10)]
                internal static partial class [|Digits|]
                {
                }
            }
            """);
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Source0.cs", source)], GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp10));

        AssertOnlyDiagnostic(run, source, span, "SMG009", DiagnosticSeverity.Error,
            "[SoftmaxKernel] on 'Samples.Digits' needs C# 11.0 or later for the generated code (file-local types), but this file is compiled as C# 10.0; set <LangVersion> to 11.0 or later",
            []);
    }

    // ---- SMG011: a precision the enum does not define ---------------------------------------------------------------

    /// <summary>
    /// A cast integer that is not a SoftmaxPrecision member compiles, but the runtime would refuse the kernel when the
    /// module loads: SMG011 on the named argument, naming the value, and no file.
    /// </summary>
    [Theory]
    [InlineData("(SoftmaxPrecision)7", "7")]
    [InlineData("(SoftmaxPrecision)2", "2")]
    [InlineData("(SoftmaxPrecision)(-1)", "-1")]
    [InlineData("(SoftmaxPrecision)int.MaxValue", "2147483647")]
    public void SMG011_PrecisionUndefined(string precision, string value)
    {
        GeneratorRun run = RunMarked($$"""
            [SoftmaxKernel(10, [|Precision = {{precision}}|])]
            internal static partial class Digits;
            """, out string source, out TextSpan span);

        AssertOnlyDiagnostic(run, source, span, "SMG011",
            $"[SoftmaxKernel] on 'Samples.Digits': Precision = (SoftmaxPrecision){value} is not a defined SoftmaxPrecision value; use SoftmaxPrecision.Exact or SoftmaxPrecision.Fast");
    }

    /// <summary>An out-of-range class count and an undefined precision on one attribute: both reported, no file.</summary>
    [Fact]
    public void SMG011_WithSMG003()
    {
        GeneratorRun run = RunMarked("""
            [[|SoftmaxKernel(0, Precision = (SoftmaxPrecision)3)|]]
            internal static partial class Digits;
            """, out _, out TextSpan span);

        Assert.Equal(["SMG003", "SMG011"], run.GeneratorDiagnostics.Select(d => d.Id).Order(System.StringComparer.Ordinal));
        Assert.Equal(span, run.GeneratorDiagnostics.Single(d => d.Id == "SMG003").Location.SourceSpan);
        Assert.Contains("Precision = (SoftmaxPrecision)3 ", run.GeneratorDiagnostics.Single(d => d.Id == "SMG011").GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Equal([GoodHintName], run.Sources.Select(s => s.HintName));
    }

    /// <summary>A precision that is not a constant is the compiler's error (CS0182): no SMG diagnostic, no file, no generator failure.</summary>
    [Fact]
    public void PrecisionNotConstant_CompilerErrorOnly()
    {
        GeneratorRun run = RunMarked("""
            [SoftmaxKernel(10, Precision = Choice.Value)]
            internal static partial class [|Digits|];

            internal static class Choice
            {
                public static SoftmaxPrecision Value => SoftmaxPrecision.Fast;
            }
            """, out _, out _, "CS0182");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal([GoodHintName], run.Sources.Select(s => s.HintName));
    }

    // ---- SMG010: a global type hides a namespace of the generated code ------------------------------------------------

    /// <summary>
    /// A kernel type named System in the global namespace (found by the fuzz test, seed 222890457): the generated
    /// <c>global::System.ReadOnlySpan&lt;float&gt;</c> would bind to the type. SMG010, and no file.
    /// </summary>
    [Fact]
    public void SMG010_KernelTypeNamedSystemInTheGlobalNamespace()
    {
        (string source, TextSpan span) = Markup.Parse("""
            [SoftmaxGen.SoftmaxKernel(3)]
            internal static partial class [|System|]
            {
            }
            """);
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Source0.cs", source)]);

        AssertOnlyDiagnostic(run, source, span, "SMG010", DiagnosticSeverity.Error,
            "The type 'System' hides the namespace 'System', which the code generated for 'System' refers to as 'global::System'; rename that type or declare it in another namespace",
            []);
    }

    /// <summary>Another type named System in the global namespace hides the namespace from a kernel elsewhere: SMG010 on the kernel.</summary>
    [Fact]
    public void SMG010_OtherGlobalTypeNamedSystem()
    {
        (string source, TextSpan span) = Markup.Parse("""
            namespace Samples
            {
                [global::SoftmaxGen.SoftmaxKernel(10)]
                internal static partial class [|Digits|]
                {
                }
            }
            """);
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Source0.cs", source), new TestSource("Source1.cs", "internal sealed class System { }")]);

        AssertOnlyDiagnostic(run, source, span, "SMG010", DiagnosticSeverity.Error,
            "The type 'System' hides the namespace 'System', which the code generated for 'Samples.Digits' refers to as 'global::System'; rename that type or declare it in another namespace",
            []);
    }

    /// <summary>
    /// A type named SoftmaxGen.Kernels in the user's assembly (file-scoped or block namespace) hides the runtime's
    /// namespace, where the generated code also declares its kernel class: SMG010, and no file.
    /// </summary>
    [Theory]
    [InlineData("namespace SoftmaxGen; internal static class Kernels { }")]
    [InlineData("namespace SoftmaxGen { internal enum Kernels { A } }")]
    public void SMG010_TypeNamedSoftmaxGenKernels(string other)
    {
        (string source, TextSpan span) = Markup.Parse("""
            namespace Samples
            {
                [global::SoftmaxGen.SoftmaxKernel(10)]
                internal static partial class [|Digits|]
                {
                }
            }
            """);
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Source0.cs", source), new TestSource("Source1.cs", other)]);

        AssertOnlyDiagnostic(run, source, span, "SMG010", DiagnosticSeverity.Error,
            "The type 'SoftmaxGen.Kernels' hides the namespace 'SoftmaxGen.Kernels', which the code generated for 'Samples.Digits' refers to as 'global::SoftmaxGen.Kernels'; rename that type or declare it in another namespace",
            []);
    }

    /// <summary>A type named Kernels elsewhere (another namespace, or nested) hides nothing: the kernel generates and compiles.</summary>
    [Theory]
    [InlineData("namespace Samples; internal static class Kernels { }")]
    [InlineData("namespace SoftmaxGen.Models; internal static class Kernels { }")]
    [InlineData("internal static class Kernels { }")]
    public void TypeNamedKernelsElsewhere_GeneratesAndCompiles(string other)
    {
        const string source = """
            namespace Samples
            {
                [global::SoftmaxGen.SoftmaxKernel(10)]
                internal static partial class Digits
                {
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Source0.cs", source), new TestSource("Source1.cs", other)]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    /// <summary>
    /// C# 11 is enough, and is needed: the generated files of every layout compile without a warning as C# 11, and
    /// as C# 10 the only errors are the file-local kernel classes (CS8936, feature not available).
    /// </summary>
    [Fact]
    public void MinimumLanguageVersion_IsCSharp11()
    {
        string kernels = string.Concat(new[] { 3, 10, 17, 100, 1000 }.Select(c => $$"""

                [SoftmaxKernel({{c}})]
                internal static partial class Kernel{{c}}
                {
                }
            """));
        string source = $$"""
            using SoftmaxGen;

            namespace Samples
            {{{kernels}}
            }
            """;
        CSharpParseOptions csharp11 = GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp11);
        GeneratorRun run = GeneratorHarness.Run([new TestSource("Source0.cs", source)], csharp11);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(5, run.Sources.Length);

        // The same generated text as C# 10.
        CSharpParseOptions csharp10 = csharp11.WithLanguageVersion(LanguageVersion.CSharp10);
        CSharpCompilation asCSharp10 = GeneratorHarness.CreateCompilation([new TestSource("Source0.cs", source)], csharp10)
            .AddSyntaxTrees(run.Sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, csharp10, s.HintName)));
        Diagnostic[] errors = asCSharp10.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("CS8936", e.Id));
        Assert.All(errors, e => Assert.Contains("file types", e.GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal));
    }

    // ---- Kinds of type ----------------------------------------------------------------------------------------------

    /// <summary>Every class and struct kind holds static members, so every one is a kernel type; the output compiles without a warning.</summary>
    [Theory]
    [InlineData("internal partial class Kernel;")]
    [InlineData("internal sealed partial class Kernel;")]
    [InlineData("internal abstract partial class Kernel;")]
    [InlineData("internal static partial class Kernel { }")]
    [InlineData("internal partial struct Kernel;")]
    [InlineData("internal readonly partial struct Kernel;")]
    [InlineData("internal ref partial struct Kernel;")]
    [InlineData("internal readonly ref partial struct Kernel;")]
    [InlineData("internal partial record Kernel;")]
    [InlineData("internal sealed partial record class Kernel(int Rows);")]
    [InlineData("internal partial record struct Kernel;")]
    [InlineData("internal readonly partial record struct Kernel(float Temperature);")]
    [InlineData("internal partial interface IHost { internal static partial class Kernel; }")]
    public void EveryClassAndStructKind_Generates(string declaration)
    {
        string attributed = declaration.Contains("IHost", System.StringComparison.Ordinal)
            ? declaration.Replace("internal static partial class Kernel", "[SoftmaxKernel(10)] internal static partial class Kernel", System.StringComparison.Ordinal)
            : "[SoftmaxKernel(10)]\n" + declaration;
        GeneratorRun run = GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            {{attributed}}
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("public const int Classes = 10;", Assert.Single(run.Sources).Text, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// On an interface, enum or delegate the attribute is the compiler's CS0592 (AttributeUsage is Class | Struct):
    /// an SMG diagnostic would only repeat it, so there is none, and nothing is generated.
    /// </summary>
    [Theory]
    [InlineData("internal partial interface IKernel { }")]
    [InlineData("internal enum Kernel { A, B }")]
    [InlineData("internal delegate void Kernel();")]
    public void InterfaceEnumOrDelegate_CompilerErrorOnly(string declaration)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(10)]
            {{declaration}}
            {{GoodKernel}}
            """, "CS0592");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal([GoodHintName], run.Sources.Select(s => s.HintName));
    }

    // ---- Regressions found by FuzzTests ------------------------------------------------------------------------------

    /// <summary>
    /// Partial declarations of one name as a record struct and a class (CS0261) are two types to the compiler; both
    /// used to produce the same file name and the second AddSource threw (CS8785). The first keeps the file. (FuzzTests, seed 20261122, input 1902.)
    /// </summary>
    [Fact]
    public void TwoTypesOfOneName_OneFileNoGeneratorFailure()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(1000)]
            internal partial record struct Digits;

            [SoftmaxKernel(17)]
            internal static partial class Digits;
            """,
            "CS0261");

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratedFile file = Assert.Single(run.Sources);
        Assert.Equal("Samples.Digits.SoftmaxKernel.g.cs", file.HintName);
        Assert.Contains("partial record struct Digits", file.Text, System.StringComparison.Ordinal);
    }

    /// <summary>AddSource compares file names ignoring case, C# does not: <c>Abc</c> and <c>ABC</c> are two kernels and two files.</summary>
    [Fact]
    public void NamesEqualButForCase_TwoFiles()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(3)]
            internal static partial class Abc;

            [SoftmaxKernel(4)]
            internal static partial class ABC;

            [SoftmaxKernel(5)]
            internal static partial class Other;
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        string[] names = run.Sources.Select(s => s.HintName).ToArray();
        Assert.Equal(3, names.Length);
        Assert.Equal(3, names.Distinct(System.StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("Samples.Other.SoftmaxKernel.g.cs", names);
        Assert.All(names.Where(n => !n.Contains("Other", System.StringComparison.Ordinal)), n => Assert.Matches(@"^Samples\.(Abc|ABC)\.case_[0-9a-f]{8}\.SoftmaxKernel\.g\.cs$", n));
    }

    /// <summary>
    /// A type named in lower-case ASCII letters is the compiler's warning CS8981 on the user's declaration, where it
    /// can be suppressed; the generated part writes the name with @ so that it does not repeat the warning.
    /// (FuzzTests, seed 20261122, input 2.)
    /// </summary>
    [Fact]
    public void LowerCaseTypeName_NoWarningInGeneratedCode()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            internal partial class outer
            {
                [SoftmaxKernel(3)]
                internal static partial class async;
            }
            """,
            "CS8981");

        Assert.All(run.CompilationDiagnostics, d => Assert.Equal("Source0.cs", d.Location.SourceTree!.FilePath));
        Assert.Equal(2, run.CompilationDiagnostics.Length);
        Assert.Contains("partial class @outer", run.Sources[0].Text, System.StringComparison.Ordinal);
        Assert.Contains("static partial class @async", run.Sources[0].Text, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// A user type named <c>SoftmaxGen</c> (or <c>System</c>) in namespace SoftmaxGen hid the namespaces that the
    /// kernel class's using directives name, inside <c>namespace SoftmaxGen.Generated</c>; they are written with
    /// <c>global::</c>. (FuzzTests, seed 20261122, input 2875.)
    /// </summary>
    [Theory]
    [InlineData("SoftmaxGen")]
    [InlineData("System")]
    public void TypeHidingANamespace_GeneratedCodeCompiles(string name)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            namespace SoftmaxGen;

            [SoftmaxKernel(3)]
            internal static partial class {{name}};
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
    }

    /// <summary>
    /// A kernel type named <c>_</c>: the block layout's overlapping quad loads wrote <c>out _</c> discards, which the
    /// type turned into a type name (CS0118); they are named locals now. (FuzzTests, seed 94366534, input 125.)
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public void TypeNamedUnderscore_GeneratedCodeCompiles(int classes)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            namespace SoftmaxGen;

            [SoftmaxKernel({{classes}})]
            internal partial record class _;
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    /// <summary>
    /// A kernel type named like a runtime type the kernel class uses (its base class SoftmaxKernel, SoftmaxMath) in
    /// namespace SoftmaxGen.Generated hid that type from the kernel class, which lived in that namespace; kernel
    /// classes now live in a namespace of their own. (FuzzTests, seed 12306201, input 875.)
    /// </summary>
    [Theory]
    [InlineData("SoftmaxGen.Generated", "SoftmaxKernel")]
    [InlineData("SoftmaxGen.Generated", "SoftmaxMath")]
    [InlineData("SoftmaxGen", "SoftmaxFallback")]
    public void TypeNamedLikeARuntimeType_GeneratedCodeCompiles(string ns, string name)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            namespace {{ns}};

            [SoftmaxGen.SoftmaxKernel(12)]
            internal static partial class {{name}};
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    /// <summary>
    /// A type named like a segment of the namespace the kernel classes lived in (<c>SoftmaxGen.Generated</c>, a
    /// kernel type or any other) made the generated namespace declaration a CS0101; the kernel classes now live in the
    /// runtime's <c>SoftmaxGen.Kernels</c>. (FuzzTests, seed 620083, input 775.)
    /// </summary>
    [Theory]
    [InlineData("SoftmaxGen", "[SoftmaxKernel(10)] internal static partial class Generated;")]
    [InlineData("SoftmaxGen", "internal static class Generated { } [SoftmaxKernel(10)] internal static partial class Digits;")]
    [InlineData("SoftmaxGen.Generated", "internal static class Kernels { } [SoftmaxKernel(3)] internal static partial class Digits;")]
    public void TypeNamedLikeTheKernelNamespace_GeneratedCodeCompiles(string ns, string declarations)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            namespace {{ns}};

            {{declarations}}
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        Assert.Empty(run.CompilationDiagnostics);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    /// <summary>Runs the generator on <paramref name="markup"/> (in namespace Samples, next to <see cref="GoodKernel"/>).</summary>
    private static GeneratorRun RunMarked(string markup, out string source, out TextSpan span, params string[] expectedCompilerDiagnostics)
    {
        (source, span) = Markup.Parse($$"""
            using SoftmaxGen;

            namespace Samples;

            {{markup}}
            {{GoodKernel}}
            """);
        return GeneratorHarness.Run(source, expectedCompilerDiagnostics);
    }

    /// <summary>
    /// The run reported exactly one diagnostic, <paramref name="id"/>, an error with <paramref name="message"/> at
    /// <paramref name="span"/>; the bad type got no file and the good kernel got its file.
    /// </summary>
    private static void AssertOnlyDiagnostic(GeneratorRun run, string source, TextSpan span, string id, string message) =>
        AssertOnlyDiagnostic(run, source, span, id, DiagnosticSeverity.Error, message, [GoodHintName]);

    /// <summary>
    /// The run reported exactly one diagnostic, <paramref name="id"/> of <paramref name="severity"/> with
    /// <paramref name="message"/> at <paramref name="span"/>, and generated exactly <paramref name="hintNames"/>.
    /// </summary>
    private static void AssertOnlyDiagnostic(GeneratorRun run, string source, TextSpan span, string id, DiagnosticSeverity severity, string message, string[] hintNames)
    {
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(severity, diagnostic.DefaultSeverity);
        Assert.Equal("SoftmaxGen", diagnostic.Descriptor.Category);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));

        FileLinePositionSpan lineSpan = diagnostic.Location.GetLineSpan();
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", lineSpan.Path);
        Assert.Equal(SourceText.From(source).Lines.GetLinePositionSpan(span), lineSpan.Span);
        Assert.Equal(source.Substring(span.Start, span.Length), source[diagnostic.Location.SourceSpan.Start..diagnostic.Location.SourceSpan.End]);

        Assert.Equal(hintNames, run.Sources.Select(s => s.HintName));
    }

    /// <summary>Severities from an .editorconfig, as the compiler's own provider gives them for a tree.</summary>
    private sealed class EditorConfigOptions(AnalyzerConfigSet config) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, System.Threading.CancellationToken cancellationToken) => GeneratedKind.NotGenerated;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, System.Threading.CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.GetOptionsForSourcePath(tree.FilePath).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, System.Threading.CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
