using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// <c>[SoftmaxKernel(C, Precision = ...)]</c>: the generator reads the named argument into its model, and a Fast kernel's
/// file calls only the Fast exponential and passes <c>SoftmaxPrecision.Fast</c> to every runtime member that takes a
/// precision, found by binding the generated code (so a runtime member that gains a precision parameter later is caught
/// here until the generator passes it). SMG011 is in <see cref="DiagnosticTests"/>, the caching in <see cref="IncrementalTests"/>.
/// </summary>
public sealed class PrecisionTests
{
    private static GeneratorRun Kernel(int classes, string arguments) =>
        GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel({{classes}}{{arguments}})]
            internal static partial class Digits;
            """);

    private const string HintName = "Samples.Digits.SoftmaxKernel.g.cs";

    [Theory]
    [InlineData("", "Exact")]
    [InlineData(", Precision = SoftmaxPrecision.Exact", "Exact")]
    [InlineData(", Precision = SoftmaxPrecision.Fast", "Fast")]
    [InlineData(", Precision = 0", "Exact")] // the literal 0 converts to any enum
    [InlineData(", Precision = default", "Exact")]
    [InlineData(", Precision = (SoftmaxPrecision)1", "Fast")]
    [InlineData(", Precision = SoftmaxPrecision.Exact, Precision = SoftmaxPrecision.Fast", "Fast", "CS0643")] // a duplicate is the compiler's error; the last one counts
    public void PrecisionIsReadIntoTheModel(string arguments, string expected, params string[] compilerDiagnostics)
    {
        GeneratorRun run = GeneratorHarness.Run(
            $$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(100{{arguments}})]
            internal static partial class Digits;
            """,
            compilerDiagnostics);

        object spec = Assert.Single(GeneratorHarness.Steps(run.RunResult, TrackingNames.Kernels).SelectMany(step => step.Outputs)).Value;
        Assert.Equal(expected, spec.GetType().GetProperty("Precision")!.GetValue(spec)!.ToString());

        string text = run.Source(HintName).Text;
        bool fast = expected == "Fast";
        Assert.Equal(fast, text.Contains("SoftmaxMath.ExpShiftedFast(", StringComparison.Ordinal));
        Assert.Equal(!fast, text.Contains("SoftmaxMath.ExpShifted(", StringComparison.Ordinal));
        Assert.Equal(fast, text.Contains(": base(C, global::SoftmaxGen.SoftmaxPrecision.Fast)", StringComparison.Ordinal));
        Assert.Equal(fast, text.Contains("// Precision: SoftmaxPrecision.Fast.", StringComparison.Ordinal));
    }

    /// <summary>Writing the default out changes nothing: the file is the one without the argument, byte for byte.</summary>
    [Fact]
    public void ExplicitExact_GeneratesTheDefaultFile()
    {
        Assert.Equal(Kernel(10, string.Empty).Source(HintName).Text, Kernel(10, ", Precision = SoftmaxPrecision.Exact").Source(HintName).Text);
    }

    /// <summary>A Fast kernel of every layout: no Exact exponential, and Fast passed to every runtime member that takes a precision.</summary>
    [Theory]
    [InlineData(1)] // float blocks; double has no vector layout (the runtime's scalar path)
    [InlineData(10)] // float blocks (Vector512) and columns (Vector256), double columns
    [InlineData(26)] // columns
    [InlineData(100)] // rows, double loops
    [InlineData(1000)] // rows too long for the registers: the runtime's row kernels, no exponential of its own
    public void FastKernel_PassesFastToEveryRuntimeCallThatTakesAPrecision(int classes)
    {
        GeneratorRun run = Kernel(classes, ", Precision = SoftmaxPrecision.Fast");
        List<(IMethodSymbol Method, IArgumentOperation? Precision)> calls = RuntimeCalls(run);

        Assert.DoesNotContain(calls, call => call.Method.Name == "ExpShifted");
        if (classes != 1000)
        {
            Assert.Contains(calls, call => call.Method.Name == "ExpShiftedFast" || call.Method.ContainingType.Name == "ColumnLayout");
        }

        var passed = new HashSet<string>(StringComparer.Ordinal);
        foreach ((IMethodSymbol method, IArgumentOperation? precision) in calls.Where(call => call.Precision is not null))
        {
            string name = $"{method.ContainingType.Name}.{method.Name}";
            Assert.True(precision!.ArgumentKind == ArgumentKind.Explicit, $"{name} is called without a precision, so it runs Exact.");
            Assert.True(precision.Value.ConstantValue is { HasValue: true, Value: 1 }, $"{name} is passed {precision.Value.Syntax}, not SoftmaxPrecision.Fast.");
            passed.Add(name);
        }

        // The members every kernel calls: the base constructor, the scalar path, top-k, log-sum-exp, the axis forms and
        // the cross-entropy forwards (options, probability targets, gradients).
        string[] always =
        [
            "SoftmaxKernel..ctor", "SoftmaxFallback.SoftmaxCore", "SoftmaxFallback.LogSoftmaxCore", "SoftmaxFallback.CrossEntropyCore",
            "SoftmaxFallback.TopKCore", "SoftmaxFallback.LogSumExp", "SoftmaxFallback.SoftmaxAxisCore", "SoftmaxFallback.LogSoftmaxAxisCore",
            "SoftmaxFallback.CrossEntropy", "SoftmaxFallback.CrossEntropyWithGradient",
        ];
        Assert.All(always, name => Assert.Contains(name, passed));
        if (classes <= 26)
        {
            Assert.Contains(passed, name => name.StartsWith("ColumnLayout.", StringComparison.Ordinal));
        }
    }

    /// <summary>An Exact kernel writes no precision argument anywhere: every runtime member gets its default, Exact.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    public void ExactKernel_PassesNoPrecision(int classes)
    {
        List<(IMethodSymbol Method, IArgumentOperation? Precision)> calls = RuntimeCalls(Kernel(classes, string.Empty));

        Assert.DoesNotContain(calls, call => call.Method.Name == "ExpShiftedFast");
        Assert.All(calls.Where(call => call.Precision is not null), call => Assert.Equal(ArgumentKind.DefaultValue, call.Precision!.ArgumentKind));
    }

    /// <summary>
    /// Rows of eight Vector512 registers (float C = 113-128): Fast softmax goes a row at a time (two rows of its
    /// exponentials and the table exponential's constants spill the 32 registers: the paired code ran 1.9x slower than
    /// the fallback at C = 128), while Exact softmax and both log-softmaxes keep two rows at a time. C = 112 pairs in both.
    /// </summary>
    [Theory]
    [InlineData(128, ", Precision = SoftmaxPrecision.Fast", false)]
    [InlineData(113, ", Precision = SoftmaxPrecision.Fast", false)]
    [InlineData(112, ", Precision = SoftmaxPrecision.Fast", true)]
    [InlineData(128, "", true)]
    public void RowsOfEightVectors_PairFastSoftmaxOnlyBelowThem(int classes, string arguments, bool softmaxPaired)
    {
        string text = Kernel(classes, arguments).Source(HintName).Text;

        Assert.Equal(softmaxPaired, text.Contains("private static void SoftmaxSingleRow512(ref float x", StringComparison.Ordinal));
        Assert.Contains("private static void LogSoftmaxSingleRow512(ref float x", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The widest block (12 classes with Vector512) in Fast stores its log-softmax through a call of its own, compiled
    /// optimised from its first call: inline, the block method ran out of inlining budget before its last transposes.
    /// Exact, softmax and narrower blocks keep the stores inline; the call is the only difference in the file.
    /// </summary>
    [Theory]
    [InlineData(12, ", Precision = SoftmaxPrecision.Fast", true)]
    [InlineData(12, "", false)]
    [InlineData(11, ", Precision = SoftmaxPrecision.Fast", false)]
    public void WidestFastBlock_StoresLogSoftmaxOutOfLine(int classes, string arguments, bool outOfLine)
    {
        string text = Kernel(classes, arguments).Source(HintName).Text;

        Assert.Equal(outOfLine, text.Contains("StoreColumnsOutOfLine512(ref y, (c0 - high) - low", StringComparison.Ordinal));
        MethodDeclarationSyntax? store = CSharpSyntaxTree.ParseText(text).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .SingleOrDefault(m => m.Identifier.Text == "StoreColumnsOutOfLine512");
        Assert.Equal(outOfLine, store is not null);
        if (store is not null)
            Assert.Equal("MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)", store.AttributeLists.Single().Attributes.Single().ToString());
        Assert.Contains("StoreColumns512(ref y, e0 * scale", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every call in the generated file (invocations and the base constructor call), with its argument for a parameter of
    /// type <c>SoftmaxGen.SoftmaxPrecision</c>, or null where the method has none.
    /// </summary>
    private static List<(IMethodSymbol Method, IArgumentOperation? Precision)> RuntimeCalls(GeneratorRun run)
    {
        SyntaxTree tree = run.OutputCompilation.SyntaxTrees.Single(t => t.FilePath.EndsWith(HintName, StringComparison.Ordinal));
        SemanticModel model = run.OutputCompilation.GetSemanticModel(tree);
        var calls = new List<(IMethodSymbol, IArgumentOperation?)>();
        foreach (SyntaxNode node in tree.GetRoot().DescendantNodes().Where(n => n is InvocationExpressionSyntax or ConstructorInitializerSyntax))
        {
            if (model.GetOperation(node) is IInvocationOperation invocation)
            {
                IArgumentOperation? precision = invocation.Arguments.SingleOrDefault(a => a.Parameter?.Type.ToDisplayString() == "SoftmaxGen.SoftmaxPrecision");
                calls.Add((invocation.TargetMethod, precision));
            }
        }

        Assert.NotEmpty(calls);
        return calls;
    }
}
