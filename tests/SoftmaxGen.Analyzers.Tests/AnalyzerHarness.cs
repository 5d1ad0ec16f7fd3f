using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using SoftmaxGen.Generator;
using Xunit;

namespace SoftmaxGen.Analyzers.Tests;

/// <summary>
/// Drives <see cref="SoftmaxUsageAnalyzer"/> and the code fixes the way an IDE does, without
/// Microsoft.CodeAnalysis.Testing: a project in an <see cref="AdhocWorkspace"/> (sources, optionally an .editorconfig),
/// the analyzer run on its real compilation through <see cref="CompilationWithAnalyzers"/>, a code fix's action
/// applied to the workspace, and the fixed project compiled with <see cref="SoftmaxGenerator"/> running and loaded.
/// </summary>
internal static class AnalyzerHarness
{
    private const string Folder = "/project/";

    /// <summary>The test process's trusted platform assemblies: the framework, the SoftmaxGen runtime and System.Numerics.Tensors.</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string trusted = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set.");
        string[] paths = trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(paths, p => Path.GetFileName(p) == "SoftmaxGen.dll");
        Assert.Contains(paths, p => Path.GetFileName(p) == "System.Numerics.Tensors.dll");
        return paths
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    /// <summary>A project holding <paramref name="sources"/> as Source0.cs, Source1.cs, ... and, if given, an .editorconfig beside them.</summary>
    public static Project CreateProject(string[] sources, string? editorConfig = null, LanguageVersion languageVersion = LanguageVersion.Latest, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        var workspace = new AdhocWorkspace();
        ProjectId id = ProjectId.CreateNewId();
        Solution solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                id,
                VersionStamp.Default,
                "Consumer",
                "Consumer" + Guid.NewGuid().ToString("N"),
                LanguageNames.CSharp,
                filePath: Folder + "Consumer.csproj",
                compilationOptions: new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true),
                parseOptions: new CSharpParseOptions(languageVersion),
                metadataReferences: References.Value));

        for (int i = 0; i < sources.Length; i++)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(id), $"Source{i}.cs", SourceText.From(sources[i]), filePath: $"{Folder}Source{i}.cs");
        }

        if (editorConfig is not null)
        {
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(id), ".editorconfig", SourceText.From(editorConfig), filePath: Folder + ".editorconfig");
        }

        Assert.True(workspace.TryApplyChanges(solution));
        return workspace.CurrentSolution.GetProject(id)!;
    }

    /// <summary>
    /// The analyzer's diagnostics on the project's compilation with the generator's output added (as a build or an IDE
    /// sees it), in source order, minus those a <c>#pragma</c> or an .editorconfig suppresses. Fails if the code does
    /// not compile.
    /// </summary>
    public static ImmutableArray<Diagnostic> Analyze(Project project)
    {
        Compilation compilation = Generate(project);
        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The test code does not compile:\n" + string.Join("\n", errors.Select(d => d.ToString())));
        var analyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new SoftmaxUsageAnalyzer()),
            new CompilationWithAnalyzersOptions(project.AnalyzerOptions, onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        ImmutableArray<Diagnostic> all = analyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.DoesNotContain(all, d => d.Id == "AD0001");
        return all
            .Where(d => d.Id.StartsWith("SMG1", StringComparison.Ordinal) && !d.IsSuppressed)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    /// <summary>The project's compilation with <see cref="SoftmaxGenerator"/>'s files added; fails if the generator reports anything.</summary>
    public static Compilation Generate(Project project)
    {
        var compilation = (CSharpCompilation)project.GetCompilationAsync().GetAwaiter().GetResult()!;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new SoftmaxGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)project.ParseOptions!);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        return output;
    }

    /// <summary>The code actions <paramref name="provider"/> offers for <paramref name="diagnostic"/>.</summary>
    public static ImmutableArray<CodeAction> Actions(Project project, Diagnostic diagnostic, CodeFixProvider provider)
    {
        Document document = project.GetDocument(diagnostic.Location.SourceTree!)!;
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        provider.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        return actions.ToImmutable();
    }

    /// <summary>Applies the one action offered for <paramref name="diagnostic"/> to the workspace and returns the changed project.</summary>
    public static Project ApplyFix(Project project, Diagnostic diagnostic, CodeFixProvider provider)
    {
        CodeAction action = Assert.Single(Actions(project, diagnostic, provider));
        ImmutableArray<CodeActionOperation> operations = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Workspace workspace = project.Solution.Workspace;
        foreach (CodeActionOperation operation in operations)
        {
            operation.Apply(workspace, CancellationToken.None);
        }

        return workspace.CurrentSolution.GetProject(project.Id)!;
    }

    /// <summary>
    /// Runs <paramref name="provider"/>'s Fix All, as the IDE's "Fix all occurrences" and <c>dotnet format</c> do, over
    /// <paramref name="diagnostics"/> in <paramref name="scope"/> (a document scope is the first diagnostic's document),
    /// applies it to the workspace and returns the changed project.
    /// </summary>
    public static Project ApplyFixAll(Project project, ImmutableArray<Diagnostic> diagnostics, CodeFixProvider provider, FixAllScope scope)
    {
        FixAllProvider fixAll = provider.GetFixAllProvider() ?? throw new Xunit.Sdk.XunitException($"{provider.GetType().Name} has no Fix All.");
        Assert.Contains(scope, fixAll.GetSupportedFixAllScopes());
        string? equivalenceKey = Actions(project, diagnostics[0], provider)[0].EquivalenceKey;
        var source = new ListedDiagnostics(diagnostics);
        FixAllContext context = scope == FixAllScope.Document
            ? new FixAllContext(project.GetDocument(diagnostics[0].Location.SourceTree!)!, provider, scope, equivalenceKey, provider.FixableDiagnosticIds, source, CancellationToken.None)
            : new FixAllContext(project, provider, scope, equivalenceKey, provider.FixableDiagnosticIds, source, CancellationToken.None);
        CodeAction action = fixAll.GetFixAsync(context).GetAwaiter().GetResult() ?? throw new Xunit.Sdk.XunitException("Fix All offered no action.");
        Workspace workspace = project.Solution.Workspace;
        foreach (CodeActionOperation operation in action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult())
        {
            operation.Apply(workspace, CancellationToken.None);
        }

        return workspace.CurrentSolution.GetProject(project.Id)!;
    }

    /// <summary>Gives Fix All the diagnostics <see cref="Analyze"/> found, by document and by project.</summary>
    private sealed class ListedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            SyntaxTree? tree = document.GetSyntaxTreeAsync(cancellationToken).GetAwaiter().GetResult();
            return Task.FromResult(diagnostics.Where(d => d.Location.SourceTree == tree));
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }

    /// <summary>The text of document <paramref name="index"/>, with \n line endings.</summary>
    public static string Text(Project project, int index = 0) =>
        project.Documents.Single(d => d.Name == $"Source{index}.cs").GetTextAsync().GetAwaiter().GetResult().ToString().Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>
    /// Compiles the project with <see cref="SoftmaxGenerator"/> running, requires no warning and no error, and loads
    /// the assembly (each load in its own context, so the tests' assemblies never clash).
    /// </summary>
    public static Assembly CompileAndLoad(Project project)
    {
        Compilation output = Generate(project);
        using var stream = new MemoryStream();
        EmitResult emit = output.Emit(stream);
        Diagnostic[] problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(emit.Success && problems.Length == 0, "The fixed code does not compile cleanly:\n" + string.Join("\n", problems.Select(d => d.ToString())));
        return Assembly.Load(stream.ToArray());
    }

    /// <summary>Calls the public static method <paramref name="method"/> of type <paramref name="type"/>.</summary>
    public static object? Call(Assembly assembly, string type, string method, params object?[] arguments)
    {
        Type t = assembly.GetType(type) ?? throw new Xunit.Sdk.XunitException($"No type {type} in the compiled code.");
        MethodInfo m = t.GetMethod(method, BindingFlags.Public | BindingFlags.Static) ?? throw new Xunit.Sdk.XunitException($"No method {type}.{method}.");
        return m.Invoke(null, arguments);
    }

    /// <summary>The float64 softmax of one row: the independent reference the fixed code is checked against.</summary>
    public static double[] ReferenceSoftmax(IReadOnlyList<double> row)
    {
        double max = row.Max();
        double[] e = row.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>Asserts that each float is within 4 ULP (relative 4 * 2^-23) of the reference.</summary>
    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double tolerance = 4 * Math.Max(Math.Abs(expected[i]), 1e-30) * Math.Pow(2, -23);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
