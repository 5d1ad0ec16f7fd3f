using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// Runs the generator and the analyzer over <see cref="Inputs"/> random programs built around <c>[SoftmaxKernel]</c>
/// declarations and then mutated token by token, and fails on any generator exception (CS8784/CS8785), any analyzer
/// exception (AD0001), output that differs between two independent runs, or, for a sample of the inputs that compile
/// without errors and ask only for small class counts, generated code that does not compile. A failure prints the
/// seed, the input's index and the whole input, so it can be replayed and kept as a regression test.
/// </summary>
/// <remarks>
/// Most inputs come from a fixed seed, so every run covers the same ground; the rest from a seed chosen per run and
/// printed in the test output, so runs together cover more. <c>SOFTMAXGEN_FUZZ_SEED=n</c> replaces the per-run seed
/// (to replay a failure) and <c>SOFTMAXGEN_FUZZ_INPUTS=n</c> changes the count of each.
/// </remarks>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int FixedSeed = 20_261_122;

    /// <summary>Inputs from the fixed seed, then as many again from the per-run seed in <see cref="RandomSeed_Inputs"/>.</summary>
    private static readonly int Inputs = int.TryParse(Environment.GetEnvironmentVariable("SOFTMAXGEN_FUZZ_INPUTS"), CultureInfo.InvariantCulture, out int n) ? n : 5_000;

    /// <summary>
    /// Every this many inputs, one is a candidate for compiling its output. Binding generated kernels is what costs
    /// (about 0.1 s of CPU per input); roughly one candidate in five compiles without errors of its own.
    /// </summary>
    private const int SampleEvery = 25;

    /// <summary>Class counts up to this get their output compiled; larger ones only generate.</summary>
    private const int MaxCompiledClasses = 40;

    private static readonly CSharpCompilation Empty = GeneratorHarness.CreateCompilation(Array.Empty<TestSource>());

    [Fact]
    public void FixedSeed_Inputs() => Fuzz(FixedSeed);

    [Fact]
    public void RandomSeed_Inputs()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SOFTMAXGEN_FUZZ_SEED"), CultureInfo.InvariantCulture, out int s)
            ? s
            : Environment.TickCount & int.MaxValue;
        Fuzz(seed);
    }

    private void Fuzz(int seed)
    {
        output.WriteLine($"Fuzzing {Inputs} inputs from seed {seed} (replay with SOFTMAXGEN_FUZZ_SEED={seed}).");
        var stopwatch = Stopwatch.StartNew();
        var failures = new ConcurrentBag<(int Index, string Input, string Problem)>();
        int generatedFiles = 0, smgDiagnostics = 0, compiled = 0, skipped = 0;

        Parallel.For(0, Inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var random = new Random(unchecked((seed * 1_000_003) + i)); // not HashCode.Combine, which differs per process
            string input = Mutate(Program(random), random);
            CSharpParseOptions options = random.Next(20) == 0
                ? GeneratorHarness.ParseOptions.WithLanguageVersion(random.Next(2) == 0 ? LanguageVersion.CSharp10 : LanguageVersion.CSharp11)
                : GeneratorHarness.ParseOptions;
            try
            {
                CSharpCompilation compilation = Empty.AddSyntaxTrees(CSharpSyntaxTree.ParseText(input, options, "Fuzz.cs"));
                (Compilation output, ImmutableArray<(string HintName, string Text)> files, string? problem) = Generate(compilation, options);
                if (problem is not null)
                {
                    failures.Add((i, input, problem));
                    return;
                }

                (_, ImmutableArray<(string HintName, string Text)> again, _) = Generate(compilation, options);
                if (!files.SequenceEqual(again))
                {
                    failures.Add((i, input, "Two independent runs generated different files."));
                    return;
                }

                (int smg, string? analyzerProblem) = Analyze(compilation);
                if (analyzerProblem is not null)
                {
                    failures.Add((i, input, analyzerProblem));
                    return;
                }

                Interlocked.Add(ref generatedFiles, files.Length);
                Interlocked.Add(ref smgDiagnostics, smg);

                // The sample (every SampleEvery-th input, so the same ones on every run of a seed): when the input
                // compiles without errors and asks only for small kernels, the output compiles too, without a warning
                // in the generated files.
                if (i % SampleEvery != 0 || files.Length == 0 || files.Any(f => ClassCount(f.Text) > MaxCompiledClasses))
                {
                    return;
                }

                if (compilation.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
                {
                    Interlocked.Increment(ref skipped);
                    return;
                }

                Interlocked.Increment(ref compiled);
                Diagnostic[] problems = output.GetDiagnostics()
                    .Where(d => d.Severity == DiagnosticSeverity.Error ||
                                (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && tree.FilePath != "Fuzz.cs"))
                    .ToArray();
                if (problems.Length > 0)
                {
                    failures.Add((i, input, "The input compiles, but with the generated code it does not:\n" + GeneratorHarness.Format(problems)));
                }
            }
            catch (Exception e)
            {
                failures.Add((i, input, "The test itself threw: " + e));
            }
        });

        output.WriteLine($"{Inputs} inputs in {stopwatch.Elapsed.TotalSeconds:F1} s: {generatedFiles} files generated, {smgDiagnostics} SMG diagnostics, " +
                         $"{compiled} outputs compiled ({skipped} sampled inputs skipped for their own errors).");

        if (!failures.IsEmpty)
        {
            var message = new StringBuilder();
            message.AppendLine(CultureInfo.InvariantCulture, $"{failures.Count} of {Inputs} inputs failed (seed {seed}). The first:");
            foreach ((int index, string input, string problem) in failures.OrderBy(f => f.Index).Take(3))
            {
                message.AppendLine(CultureInfo.InvariantCulture, $"---- input {index} of seed {seed}: {problem}");
                message.AppendLine(input);
            }

            Assert.Fail(message.ToString());
        }

        // The sample must not be empty by accident: the programs are built so that many of them compile.
        // (About one sampled input in twenty compiles: 10-14 per 5,000 inputs measured; the floor, 4, is far enough below not to flake.)
        Assert.True(compiled >= Inputs / SampleEvery / 50, $"Only {compiled} sampled inputs compiled without errors; the fuzzer no longer produces enough valid programs.");
        Assert.True(generatedFiles > Inputs / 4, $"Only {generatedFiles} files generated from {Inputs} inputs; the fuzzer no longer produces enough valid kernels.");
    }

    /// <summary>One generator run: the output, the files, and what went wrong (an exception, CS8784 or CS8785), if anything.</summary>
    private static (Compilation Output, ImmutableArray<(string HintName, string Text)> Files, string? Problem) Generate(CSharpCompilation compilation, CSharpParseOptions options)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new SoftmaxGenerator().AsSourceGenerator()], parseOptions: options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results[0];
        string? problem = result.Exception is { } e ? "The generator threw: " + e
            : diagnostics.Concat(result.Diagnostics).FirstOrDefault(d => d.Id is "CS8784" or "CS8785") is { } d ? "The generator failed: " + d
            : null;
        return (generated, result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).ToImmutableArray(), problem);
    }

    /// <summary>The analyzer's SMG diagnostics, and its exception (AD0001), if any.</summary>
    private static (int Count, string? Problem) Analyze(Compilation compilation)
    {
        Exception? thrown = null;
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (e, _, _) => thrown = e,
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> diagnostics = compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new SoftmaxKernelAnalyzer()), options)
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        string? problem = thrown is not null ? "The analyzer threw: " + thrown
            : diagnostics.FirstOrDefault(d => d.Id == "AD0001") is { } d ? "The analyzer failed: " + d
            : null;
        return (diagnostics.Count(d => d.Id.StartsWith("SMG", StringComparison.Ordinal)), problem);
    }

    private static int ClassCount(string generated) =>
        Regex.Match(generated, @"public const int Classes = (\d+);") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : int.MaxValue;

    // ---- Programs: valid kernel declarations in many shapes -----------------------------------------------------------

    private static readonly string[] Names =
    [
        "Digits", "Letters", "K", "_", "__k", "Ω", "Ünïcödé", "café", "Жук", "数字", "Ａ", "e\u0301t\u00E9", "\\u0044igits", "A\u200DB",
        "@class", "@int", "@namespace", "@partial", "@record", "var", "async", "nameof", "Softmax", "Classes", "Argmax", "Kernel_1", "SoftmaxKernel",
        "SoftmaxGen", "System", "Kernels", "Generated", "Digits_SoftmaxKernel10",
    ];

    private static readonly string[] Namespaces =
    [
        "", "Samples", "A.B.C", "@class.@int", "Ω.数字", "SoftmaxGen", "SoftmaxGen.Generated", "System.Fuzz", "Samples.Digits",
    ];

    private static readonly string[] ClassCounts =
    [
        "1", "2", "3", "4", "5", "7", "8", "10", "12", "13", "16", "17", "31", "32", "33", "40", "100", "1000", "4096", "1000000",
        "0", "-1", "1000001", "int.MaxValue", "int.MinValue", "2147483648", "-2147483648", "99999999999999999999", "0x7FFFFFFF", "0b1010", "1_0",
        "'a'", "'\\n'", "\"10\"", "10L", "10u", "10.0", "10f", "10m", "(byte)3", "(short)-3", "3 + 4", "1 << 4", "1 << 31", "~-4", "-0", "+3",
        "(int)3.9", "unchecked((int)4294967295)", "checked(int.MaxValue + 1)", "sizeof(int)", "sizeof(long)", "nameof(K)", "default", "default(int)",
        "null", "Sizes.Ten", "Sizes.Huge", "Sizes.Negative", "Sizes.Text", "classes: 3", "classes: Sizes.Ten", "Classes = 3", "3, Classes = 4",
        "10, 20", "", "typeof(int)", "true", "int.Parse(\"3\")", "(3)", "((5))", "3 is int ? 3 : 4", "\"\"u8.Length",
        "10, Precision = SoftmaxPrecision.Fast", "3, Precision = SoftmaxPrecision.Exact", "17, Precision = (SoftmaxPrecision)1", "100, Precision = 0",
        "1000, Precision = default", "10, Precision = (SoftmaxPrecision)7", "10, Precision = (SoftmaxPrecision)(-1)", "10, Precision = 1",
        "10, Precision = Sizes.Ten", "10, Precision = SoftmaxPrecision.Fast, Precision = SoftmaxPrecision.Exact", "10, Precision: SoftmaxPrecision.Fast",
        "0, Precision = SoftmaxPrecision.Fast", "Precision = SoftmaxPrecision.Fast", "26, Precision = SoftmaxPrecision.Fast | SoftmaxPrecision.Exact",
    ];

    private static readonly string[] Attributes =
    [
        "SoftmaxKernel({0})", "SoftmaxKernelAttribute({0})", "global::SoftmaxGen.SoftmaxKernel({0})", "SoftmaxGen.SoftmaxKernel({0})", "Alias({0})",
        "SoftmaxKernel({0}), System.Obsolete", "System.Obsolete, SoftmaxKernel({0})", "type: SoftmaxKernel({0})",
    ];

    private static readonly string[] Kinds =
    [
        "static partial class", "partial class", "sealed partial class", "abstract partial class", "partial struct", "readonly partial struct",
        "ref partial struct", "partial record", "partial record class", "partial record struct", "readonly partial record struct",
        "static class", "class", "struct", "partial interface", "enum", "file static partial class", "static partial class {0}<T>",
        "unsafe static partial class", "new static partial class",
    ];

    private static readonly string[] Members =
    [
        "", "public static int Rows => 3;", "private const int Classes = 3;", "public static void Softmax(float[] logits) { }",
        "public static void Softmax(System.ReadOnlySpan<float> logits, System.Span<float> probabilities) { }", "public static int Argmax;",
        "public static partial class Nested { }", "[SoftmaxKernel(4)] public static partial class Inner;", "public static class LogSoftmax { }",
        "static {0}() { }", "public static event System.Action? CrossEntropy;", "public int X { get; init; }",
    ];

    private static readonly string[] Accessibility = ["", "internal ", "public ", "private ", "file ", "protected internal "];

    /// <summary>A program of one to three kernel declarations, some nested, some in namespaces, with a few ordinary types around them.</summary>
    private static string Program(Random random)
    {
        var text = new StringBuilder();
        text.AppendLine("using SoftmaxGen;");
        text.AppendLine("using Alias = SoftmaxGen.SoftmaxKernelAttribute;");
        string ns = Pick(random, Namespaces);
        bool blockNamespace = ns.Length > 0 && random.Next(2) == 0;
        if (ns.Length > 0)
        {
            text.AppendLine(blockNamespace ? $"namespace {ns}\n{{" : $"namespace {ns};");
        }

        text.AppendLine("internal static class Sizes { public const int Ten = 10; public const int Huge = int.MaxValue; public const int Negative = -5; public const string Text = \"10\"; }");
        int kernels = 1 + random.Next(3);
        for (int k = 0; k < kernels; k++)
        {
            text.AppendLine(Kernel(random, depth: random.Next(4) == 0 ? 1 + random.Next(2) : 0, suffix: k == 0 ? string.Empty : k.ToString(CultureInfo.InvariantCulture)));
        }

        if (blockNamespace)
        {
            text.AppendLine("}");
        }

        return text.ToString();
    }

    private static string Kernel(Random random, int depth, string suffix)
    {
        string name = Pick(random, Names);
        if (suffix.Length > 0 && random.Next(3) != 0)
        {
            name = name.StartsWith('@') || name.StartsWith('\\') ? "K" + suffix : name + suffix;
        }

        string kind = random.Next(3) == 0 ? Pick(random, Kinds) : "static partial class";
        if (kind.EndsWith("{0}<T>", StringComparison.Ordinal))
        {
            kind = kind[..^"{0}<T>".Length].TrimEnd();
            name += "<T>";
        }

        string classes = random.Next(3) == 0 ? Pick(random, ClassCounts) : Pick(random, ClassCounts.AsSpan(0, 20).ToArray());
        string attribute = "[" + (random.Next(3) == 0 ? Pick(random, Attributes) : "SoftmaxKernel({0})").Replace("{0}", classes, StringComparison.Ordinal) + "]";
        string access = random.Next(2) == 0 ? "internal " : Pick(random, Accessibility);
        string body = random.Next(2) == 0
            ? ";"
            : "\n{\n    " + Pick(random, Members).Replace("{0}", name.Split('<')[0], StringComparison.Ordinal) + "\n}";
        if (kind == "enum" || kind == "partial interface")
        {
            body = " { }";
        }

        string declaration = $"{attribute}\n{access}{kind} {name}{body}";
        for (int d = 0; d < depth; d++)
        {
            string outer = Pick(random, ["partial class", "static partial class", "partial struct", "class", "partial record", "partial interface", "partial class Outer<T>"]);
            string outerName = outer.EndsWith("<T>", StringComparison.Ordinal) ? string.Empty : " " + Pick(random, ["Outer", "@class", "Ωuter", "Host"]) + depth + d;
            declaration = $"internal {outer}{outerName}\n{{\n{declaration}\n}}";
        }

        return declaration;
    }

    // ---- Mutations: token-level edits that break the program in the ways typing does --------------------------------

    private static readonly string[] InsertedTokens =
    [
        "partial", "static", "class", "struct", "record", "{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "=", "@", "#", "\"", "'", "/*", "//",
        "file", "namespace", "SoftmaxKernel", "0", "-", "int.MaxValue", "global::", "where T : class", "#if X", "#endif", "#pragma warning disable", "\\u0041",
        "\u00A0", "\u200B", "\uFEFF", "\0", "\uD800", "ref", "readonly", "abstract", "sealed", "unsafe", "extern", "new", "this", "base", "=>",
    ];

    /// <summary>Zero to four random edits of the program's tokens: delete, duplicate, insert, swap, or replace a number.</summary>
    private static string Mutate(string program, Random random)
    {
        int edits = random.Next(5) switch { 0 => 0, 1 or 2 => 1, 3 => 2, _ => 2 + random.Next(3) };
        if (edits == 0)
        {
            return program;
        }

        List<string> tokens = SyntaxFactory.ParseTokens(program).Select(t => t.ToFullString()).ToList();
        for (int e = 0; e < edits && tokens.Count > 1; e++)
        {
            int at = random.Next(tokens.Count - 1);
            switch (random.Next(5))
            {
                case 0:
                    tokens.RemoveAt(at);
                    break;
                case 1:
                    tokens.Insert(at, tokens[at]);
                    break;
                case 2:
                    tokens.Insert(at, " " + Pick(random, InsertedTokens) + " ");
                    break;
                case 3:
                    (tokens[at], tokens[at + 1]) = (tokens[at + 1], tokens[at]);
                    break;
                default:
                    int number = tokens.FindIndex(random.Next(tokens.Count), t => t.Trim().Length > 0 && char.IsAsciiDigit(t.Trim()[0]));
                    if (number >= 0)
                    {
                        tokens[number] = " " + Pick(random, ClassCounts) + " ";
                    }

                    break;
            }
        }

        return string.Concat(tokens);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
