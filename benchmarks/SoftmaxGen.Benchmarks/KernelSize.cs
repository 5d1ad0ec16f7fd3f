using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SoftmaxGen.Benchmarks;

/// <summary>
/// What one <c>[SoftmaxKernel(C)]</c> type adds to a library, by class count: the lines of its generated file and the
/// bytes it adds to the compiled assembly (IL, metadata and the XML-documented members' signatures), measured by
/// compiling the same one-type library with and without the generated file. Not a benchmark (sizes do not vary from
/// run to run): <c>dotnet run -c Release --project benchmarks/SoftmaxGen.Benchmarks -- --kernel-size</c> prints a
/// Markdown table. The build time of the same kernels is <see cref="KernelBuildCostBenchmarks"/>.
/// </summary>
internal static class KernelSize
{
    private static readonly int[] ClassCounts = [1, 3, 10, 12, 16, 100, 1000, 100_000, 1_000_000];

    public static void Print(TextWriter output)
    {
        output.WriteLine($"SoftmaxGen.Generator {typeof(SoftmaxGen.Generator.SoftmaxGenerator).Assembly.GetName().Version?.ToString(3)}, one kernel type per library");
        output.WriteLine();
        output.WriteLine("| C | generated lines | assembly bytes added |");
        output.WriteLine("|---:|---:|---:|");
        foreach (int classes in ClassCounts)
        {
            CSharpCompilation without = GeneratorInputs.Compilation(GeneratorInputs.Kernel(1, classes));
            GeneratorInputs.Driver().RunGeneratorsAndUpdateCompilation(without, out Compilation with, out _);
            SyntaxTree generated = with.SyntaxTrees.Except(without.SyntaxTrees).Single();
            int lines = generated.GetText().Lines.Count;
            long added = EmittedBytes(with) - EmittedBytes(without);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {classes:N0} | {lines:N0} | {added:N0} |"));
        }
    }

    private static long EmittedBytes(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        return result.Success
            ? stream.Length
            : throw new InvalidOperationException("The library did not compile: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
    }
}
