using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SoftmaxGen.Generator;

namespace SoftmaxGen.Benchmarks;

/// <summary>Compilations for the generator benchmarks: the trusted platform assemblies and the SoftmaxGen runtime.</summary>
internal static class GeneratorInputs
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly ImmutableArray<MetadataReference> References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Where(p => !p.EndsWith("SoftmaxGen.dll", StringComparison.OrdinalIgnoreCase))
        .Append(typeof(SoftmaxPrimitives).Assembly.Location)
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .ToImmutableArray();

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorBenchmark",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    public static string Kernel(int index, int classes) => $$"""
        using SoftmaxGen;

        namespace Consumer;

        [SoftmaxKernel({{classes}})]
        internal static partial class Kernel{{index}};
        """;

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([new SoftmaxGenerator().AsSourceGenerator()], parseOptions: ParseOptions);
}

/// <summary>
/// The generator's own cost in the compiler: one full run over a compilation with 1 or 100 kernels (class counts
/// 1 to 100, every layout), and the incremental re-run after an unrelated edit (a method body in another file), which
/// the IDE pays on every keystroke.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    /// <summary>How many [SoftmaxKernel] types the compilation holds.</summary>
    [Params(1, 100)]
    public int Kernels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const string program = "namespace Consumer; internal static class Program { public static int Answer() => 41; }";
        string[] sources = Enumerable.Range(1, Kernels).Select(i => GeneratorInputs.Kernel(i, i)).Append(program).ToArray();
        _compilation = GeneratorInputs.Compilation(sources);
        SyntaxTree old = _compilation.SyntaxTrees.Last();
        _edited = _compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(program.Replace("41", "42", StringComparison.Ordinal), GeneratorInputs.ParseOptions, old.FilePath));
        _warm = GeneratorInputs.Driver().RunGenerators(_compilation);
    }

    /// <summary>A new driver over the whole compilation: every kernel parsed and emitted.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver FullRun() => GeneratorInputs.Driver().RunGenerators(_compilation);

    /// <summary>The driver of a previous run, after an unrelated edit: everything from the cache.</summary>
    [Benchmark]
    public GeneratorDriver IncrementalRun() => _warm.RunGenerators(_edited);
}

/// <summary>
/// The build-time cost of one kernel by class count: the C# compiler binding and emitting a compilation that holds
/// one generated kernel file (the generator's text is made once, in setup), against the same user code without it.
/// </summary>
[MemoryDiagnoser]
public class KernelBuildCostBenchmarks
{
    private CSharpCompilation _withKernel = null!;
    private CSharpCompilation _withoutKernel = null!;

    /// <summary>The kernel's class count: block, row and loop layouts, and large loop kernels.</summary>
    [Params(3, 10, 12, 100, 1000, 100_000)]
    public int Classes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _withoutKernel = GeneratorInputs.Compilation(GeneratorInputs.Kernel(1, Classes));
        GeneratorInputs.Driver().RunGeneratorsAndUpdateCompilation(_withoutKernel, out Compilation output, out _);
        _withKernel = (CSharpCompilation)output;
        if (_withKernel.SyntaxTrees.Count() != 2)
        {
            throw new InvalidOperationException("The generator produced no kernel file.");
        }
    }

    /// <summary>The user's declaration only (no generated members): the fixed cost of a compilation.</summary>
    [Benchmark(Baseline = true)]
    public bool CompileWithoutKernel() => _withoutKernel.Clone().Emit(Stream.Null).Success;

    /// <summary>The user's declaration and the generated kernel: bind and emit.</summary>
    [Benchmark]
    public bool CompileWithKernel()
    {
        bool success = _withKernel.Clone().Emit(Stream.Null).Success;
        return success ? success : throw new InvalidOperationException("The generated kernel did not compile.");
    }
}
