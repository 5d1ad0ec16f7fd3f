using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>One file of a test compilation.</summary>
/// <param name="Path">The file's path, as diagnostics report it.</param>
/// <param name="Text">The C# source.</param>
internal sealed record TestSource(string Path, string Text);

/// <summary>One generated file.</summary>
/// <param name="HintName">The name the generator gave it.</param>
/// <param name="Text">Its text, with \n line endings.</param>
internal sealed record GeneratedFile(string HintName, string Text);

/// <summary>What one run of the generator produced.</summary>
internal sealed class GeneratorRun
{
    public required GeneratorDriver Driver { get; init; }

    public required GeneratorDriverRunResult RunResult { get; init; }

    public required CSharpCompilation InputCompilation { get; init; }

    public required Compilation OutputCompilation { get; init; }

    /// <summary>The generated files, ordered by hint name.</summary>
    public required ImmutableArray<GeneratedFile> Sources { get; init; }

    /// <summary>The SMG diagnostics of the analyzer on the user code, plus any the driver reported about the generator (CS8784, CS8785).</summary>
    public required ImmutableArray<Diagnostic> GeneratorDiagnostics { get; init; }

    /// <summary>The compiler's warnings and errors for the user code plus the generated code (hidden and info left out).</summary>
    /// <remarks>Computed on first use: binding every generated method body is the slowest part of a test.</remarks>
    public ImmutableArray<Diagnostic> CompilationDiagnostics =>
        _compilationDiagnostics ??= OutputCompilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToImmutableArray();

    private ImmutableArray<Diagnostic>? _compilationDiagnostics;

    /// <summary>The file generated with <paramref name="hintName"/>; fails the test if there is none.</summary>
    public GeneratedFile Source(string hintName) =>
        Sources.SingleOrDefault(s => s.HintName == hintName)
        ?? throw new Xunit.Sdk.XunitException($"No file named '{hintName}' was generated. Generated: {string.Join(", ", Sources.Select(s => s.HintName))}");
}

/// <summary>
/// Runs <see cref="SoftmaxGenerator"/> the way the compiler does, in the manner of NetEscapades.EnumGenerators'
/// TestHelpers: <see cref="Run(string, string[])"/> also checks, for every test, that a second run on a clone of
/// the compilation is fully cached, that no step output holds a symbol, syntax node, location or compilation,
/// that an independent run produces byte-identical text, that the generator did not throw, and that the output
/// compilation has exactly the expected compiler warnings and errors (by default none).
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>
    /// C# latest, with documentation comments diagnosed (as with GenerateDocumentationFile), so a malformed XML doc
    /// comment in generated code is a warning. The driver parses the generated files with these options too.
    /// </summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>A library with nullable reference types enabled and every warning wave on.</summary>
    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        warningLevel: 9999,
        deterministic: true);

    /// <summary>The step of the generator's pipeline that the cache checks look at.</summary>
    public const string KernelsStep = TrackingNames.Kernels;

    /// <summary>Every trusted platform assembly of the test process, plus the SoftmaxGen runtime; created once.</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string trusted = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set.");
        string runtime = typeof(SoftmaxPrimitives).Assembly.Location;
        return trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !string.Equals(Path.GetFileName(path), Path.GetFileName(runtime), StringComparison.OrdinalIgnoreCase))
            .Append(runtime)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    /// <summary>A compilation of <paramref name="sources"/>, named "Source0.cs", "Source1.cs", ...</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(sources.Select((text, i) => new TestSource($"Source{i}.cs", text)).ToArray());

    public static CSharpCompilation CreateCompilation(IReadOnlyList<TestSource> sources, CSharpParseOptions? parseOptions = null) =>
        CSharpCompilation.Create(
            "SoftmaxGenGeneratorTest",
            sources.Select(s => ParseSource(s, parseOptions)),
            References.Value,
            CompilationOptions);

    public static SyntaxTree ParseSource(TestSource source, CSharpParseOptions? parseOptions = null) =>
        CSharpSyntaxTree.ParseText(source.Text, parseOptions ?? ParseOptions, source.Path);

    /// <summary>The trusted platform assemblies and the SoftmaxGen runtime, for tests that build their own compilations.</summary>
    public static ImmutableArray<MetadataReference> MetadataReferences => References.Value;

    /// <summary>A driver that parses the generated files with <paramref name="parseOptions"/> (default <see cref="ParseOptions"/>), as the compiler parses them with the project's.</summary>
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new SoftmaxGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The SMG diagnostics of <see cref="SoftmaxKernelAnalyzer"/> on the user's code (the generator itself reports none).</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation) =>
        compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new SoftmaxKernelAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("SMG", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>One run of <paramref name="driver"/> on <paramref name="compilation"/>, without any checks.</summary>
    public static GeneratorRun RunOnce(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        return new GeneratorRun
        {
            Driver = driver,
            RunResult = result,
            InputCompilation = compilation,
            OutputCompilation = output,
            Sources = result.Results.SelectMany(r => r.GeneratedSources)
                .Select(s => new GeneratedFile(s.HintName, Normalize(s.SourceText.ToString())))
                .OrderBy(s => s.HintName, StringComparer.Ordinal)
                .ToImmutableArray(),
            GeneratorDiagnostics = result.Diagnostics.Concat(driverDiagnostics).Concat(AnalyzerDiagnostics(compilation)).Distinct().ToImmutableArray(),
        };
    }

    /// <summary>Runs the generator on one source file with every check; see the class summary.</summary>
    /// <param name="source">The user code.</param>
    /// <param name="expectedCompilerDiagnostics">The IDs of the compiler warnings and errors the test expects (exactly these).</param>
    public static GeneratorRun Run(string source, params string[] expectedCompilerDiagnostics) =>
        Run(new[] { new TestSource("Source0.cs", source) }, expectedCompilerDiagnostics);

    /// <inheritdoc cref="Run(string, string[])"/>
    public static GeneratorRun Run(IReadOnlyList<TestSource> sources, params string[] expectedCompilerDiagnostics) =>
        Run(sources, ParseOptions, expectedCompilerDiagnostics);

    /// <inheritdoc cref="Run(string, string[])"/>
    /// <param name="sources">The user code.</param>
    /// <param name="parseOptions">The language version and options of the user code and of the generated files.</param>
    /// <param name="expectedCompilerDiagnostics">The IDs of the compiler warnings and errors the test expects (exactly these).</param>
    public static GeneratorRun Run(IReadOnlyList<TestSource> sources, CSharpParseOptions parseOptions, params string[] expectedCompilerDiagnostics)
    {
        CSharpCompilation compilation = CreateCompilation(sources, parseOptions);
        GeneratorRun first = RunOnce(CreateDriver(parseOptions), compilation);
        AssertGeneratorDidNotFail(first);

        // The same driver on a clone: every step must come from the cache, with equal outputs.
        GeneratorDriverRunResult second = first.Driver.RunGenerators(compilation.Clone()).GetRunResult();
        AssertSecondRunCached(first.RunResult, second);
        ModelInspector.AssertStepOutputsHoldNoCompilerObjects(first.RunResult, KernelsStep, expectKernels: !first.Sources.IsEmpty);
        ModelInspector.AssertStepOutputsHoldNoCompilerObjects(second, KernelsStep, expectKernels: !first.Sources.IsEmpty);

        // An independent driver on an independent compilation: byte-identical files and the same diagnostics.
        GeneratorRun independent = RunOnce(CreateDriver(parseOptions), CreateCompilation(sources, parseOptions));
        AssertSameOutput(first, independent);

        AssertCompilerDiagnostics(first, expectedCompilerDiagnostics);
        return first;
    }

    /// <summary>The generator threw nothing: no exception in the run result and no CS8784/CS8785 diagnostic.</summary>
    public static void AssertGeneratorDidNotFail(GeneratorRun run)
    {
        foreach (GeneratorRunResult result in run.RunResult.Results)
        {
            Assert.True(result.Exception is null, $"The generator threw: {result.Exception}");
        }

        Diagnostic[] failures = run.GeneratorDiagnostics
            .Where(d => d.Id is "CS8784" or "CS8785")
            .ToArray();
        Assert.True(failures.Length == 0, "The generator failed:\n" + Format(failures));
    }

    /// <summary>
    /// The second run (on a clone, nothing changed) found every <see cref="KernelsStep"/> output equal to the first
    /// run's and Cached or Unchanged, and every source output Cached.
    /// </summary>
    public static void AssertSecondRunCached(GeneratorDriverRunResult first, GeneratorDriverRunResult second)
    {
        ImmutableArray<IncrementalGeneratorRunStep> steps1 = Steps(first, KernelsStep);
        ImmutableArray<IncrementalGeneratorRunStep> steps2 = Steps(second, KernelsStep);
        Assert.Equal(steps1.Length, steps2.Length);
        for (int i = 0; i < steps1.Length; i++)
        {
            object[] outputs1 = steps1[i].Outputs.Select(o => o.Value).ToArray();
            object[] outputs2 = steps2[i].Outputs.Select(o => o.Value).ToArray();
            Assert.True(outputs1.SequenceEqual(outputs2), $"{KernelsStep} run {i}: the outputs of the second run differ from the first: the model does not compare by value.");
            foreach ((object _, IncrementalStepRunReason reason) in steps2[i].Outputs)
            {
                Assert.True(
                    reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"{KernelsStep} run {i}: expected Cached or Unchanged on a second run with nothing changed, but it was {reason}.");
            }
        }

        foreach ((string name, ImmutableArray<IncrementalGeneratorRunStep> outputSteps) in second.Results[0].TrackedOutputSteps)
        {
            foreach (IncrementalGeneratorRunStep step in outputSteps)
            {
                foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
                {
                    Assert.True(reason == IncrementalStepRunReason.Cached, $"Output step {name}: expected Cached on a second run with nothing changed, but it was {reason}.");
                }
            }
        }
    }

    /// <summary>Two runs generated the same files, byte for byte, and reported the same diagnostics.</summary>
    public static void AssertSameOutput(GeneratorRun expected, GeneratorRun actual)
    {
        Assert.Equal(expected.Sources.Select(s => s.HintName), actual.Sources.Select(s => s.HintName));
        for (int i = 0; i < expected.Sources.Length; i++)
        {
            Assert.True(
                string.Equals(expected.Sources[i].Text, actual.Sources[i].Text, StringComparison.Ordinal),
                $"{expected.Sources[i].HintName}: two independent runs generated different text.");
        }

        Assert.Equal(expected.GeneratorDiagnostics.Select(d => d.ToString()), actual.GeneratorDiagnostics.Select(d => d.ToString()));
    }

    /// <summary>The output compilation's warnings and errors have exactly the expected IDs (none by default).</summary>
    public static void AssertCompilerDiagnostics(GeneratorRun run, IReadOnlyCollection<string> expectedIds)
    {
        string[] actual = run.CompilationDiagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).ToArray();
        string[] expected = expectedIds.Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.True(
            actual.SequenceEqual(expected),
            $"Expected compiler diagnostics [{string.Join(", ", expected)}] but got [{string.Join(", ", actual)}]:\n{Format(run.CompilationDiagnostics)}");
    }

    /// <summary>The tracked executions of the step named <paramref name="stepName"/> (empty if it never ran).</summary>
    public static ImmutableArray<IncrementalGeneratorRunStep> Steps(GeneratorDriverRunResult result, string stepName) =>
        result.Results[0].TrackedSteps.TryGetValue(stepName, out ImmutableArray<IncrementalGeneratorRunStep> steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty;

    public static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => "  " + d));

    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
