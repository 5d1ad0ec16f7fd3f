using System;
using System.Collections;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// The collision rules (SMG006-SMG008) check the generator's one list of generated member names,
/// <c>GeneratedMembers.All</c>. This test keeps that list equal to what the emitters actually write into the user's
/// type, so an emitter that adds a member without listing it (or a name left over from a removed one) fails here.
/// </summary>
public sealed class GeneratedMembersTests
{
    [Theory]
    [InlineData(3)] // block layout
    [InlineData(100)] // row layout
    [InlineData(1000)] // loop layout
    public void TheListIsWhatTheEmittersWrite(int classes)
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel({{classes}})]
            internal static partial class Kernel;
            """);

        INamedTypeSymbol kernel = run.OutputCompilation.GetTypeByMetadataName("Samples.Kernel")!;
        SyntaxTree generated = run.OutputCompilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Samples.Kernel.SoftmaxKernel.g.cs", StringComparison.Ordinal));
        var written = kernel.GetMembers()
            .Where(m => !m.IsImplicitlyDeclared && m.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == generated))
            .Select(m => (m.Name, IsMethod: m.Kind == SymbolKind.Method))
            .Distinct()
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(written, ListedMembers().OrderBy(m => m.Name, StringComparer.Ordinal).ToArray());
    }

    /// <summary><c>GeneratedMembers.All</c>, read by reflection because it is internal to the generator.</summary>
    private static (string Name, bool IsMethod)[] ListedMembers()
    {
        Type list = typeof(SoftmaxGenerator).Assembly.GetType("SoftmaxGen.Generator.GeneratedMembers", throwOnError: true)!;
        var all = (IEnumerable)list.GetField("All")!.GetValue(null)!;
        return all.Cast<object>()
            .Select(m => ((string)m.GetType().GetProperty("Name")!.GetValue(m)!, (bool)m.GetType().GetProperty("IsMethod")!.GetValue(m)!))
            .ToArray();
    }
}
