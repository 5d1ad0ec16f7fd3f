using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// What an edit recomputes, read from the tracked step run reasons (after Mapperly's IncrementalGeneratorRunReasons):
/// the <see cref="TrackingNames.Kernels"/> step, keyed by each kernel's hint name, and the source output step.
/// Each test makes a first run with every check, edits the compilation, and runs the same driver again.
/// </summary>
public sealed class IncrementalTests
{
    private static readonly TestSource Digits = Kernel("Digits.cs", "Digits", 1000);
    private static readonly TestSource Letters = Kernel("Letters.cs", "Letters", 2600);
    private static readonly TestSource Program = new("Program.cs", """
        namespace Samples;

        internal static class Program
        {
            public static int Answer() => 41;
        }
        """);

    private const string DigitsHint = "Samples.Digits.SoftmaxKernel.g.cs";
    private const string LettersHint = "Samples.Letters.SoftmaxKernel.g.cs";

    [Fact]
    public void UnrelatedFileAdded_NothingRegenerated()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => c.AddSyntaxTrees(GeneratorHarness.ParseSource(new TestSource("Unrelated.cs", """
            namespace Samples;

            internal sealed class Unrelated
            {
                public string Name { get; } = "unrelated";
            }
            """))));

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void MethodBodyEditedElsewhere_NothingRegenerated()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => Replace(c, Program, Program.Text.Replace("=> 41;", "=> 42;", System.StringComparison.Ordinal)));

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void CommentAddedAboveKernel_NothingRegenerated()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => Replace(c, Digits, Digits.Text.Replace("[SoftmaxKernel", "// Ten digits, 0-9, as rows of logits.\n[SoftmaxKernel", System.StringComparison.Ordinal)));

        // The Digits tree changed, so its declaration was parsed again, but into an equal model (the model holds no
        // location): the Kernels step and the source output see no change.
        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void ClassCountChanged_OnlyThatKernelRegenerated()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => Replace(c, Digits, Digits.Text.Replace("(1000)", "(1001)", System.StringComparison.Ordinal)));

        Dictionary<string, IncrementalStepRunReason> kernels = KernelReasons(second);
        Assert.Equal(IncrementalStepRunReason.Modified, kernels[DigitsHint]);
        AssertCachedOrUnchanged(kernels[LettersHint], LettersHint);
        Assert.Equal(2, kernels.Count);

        Assert.Equal([IncrementalStepRunReason.Modified], OutputReasons(second).Where(IsRecomputed));
        AssertSameFiles(first.Sources.Where(s => s.HintName == LettersHint), [second.Source(LettersHint)]);
        Assert.Contains("public const int Classes = 1001;", second.Source(DigitsHint).Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void PrecisionChanged_OnlyThatKernelRegenerated()
    {
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => Replace(c, Digits, Digits.Text.Replace("(1000)", "(1000, Precision = SoftmaxPrecision.Fast)", System.StringComparison.Ordinal)));

        Dictionary<string, IncrementalStepRunReason> kernels = KernelReasons(second);
        Assert.Equal(IncrementalStepRunReason.Modified, kernels[DigitsHint]);
        AssertCachedOrUnchanged(kernels[LettersHint], LettersHint);

        Assert.Equal([IncrementalStepRunReason.Modified], OutputReasons(second).Where(IsRecomputed));
        AssertSameFiles(first.Sources.Where(s => s.HintName == LettersHint), [second.Source(LettersHint)]);
        Assert.Contains("SoftmaxMath.ExpShiftedFast(", second.Source(DigitsHint).Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultPrecisionWrittenOut_NothingRegenerated()
    {
        // Precision = Exact is the model of the attribute without it: equal, so nothing downstream runs again.
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => Replace(c, Digits, Digits.Text.Replace("(1000)", "(1000, Precision = SoftmaxPrecision.Exact)", System.StringComparison.Ordinal)));

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void KernelAdded_OneNewOutput()
    {
        TestSource hex = Kernel("Hex.cs", "Hex", 1600);
        (GeneratorRun first, GeneratorRun second) = RunEdited(c => c.AddSyntaxTrees(GeneratorHarness.ParseSource(hex)));

        Dictionary<string, IncrementalStepRunReason> kernels = KernelReasons(second);
        Assert.Equal(IncrementalStepRunReason.New, kernels["Samples.Hex.SoftmaxKernel.g.cs"]);
        AssertCachedOrUnchanged(kernels[DigitsHint], DigitsHint);
        AssertCachedOrUnchanged(kernels[LettersHint], LettersHint);
        Assert.Equal(3, kernels.Count);

        Assert.Equal([IncrementalStepRunReason.New], OutputReasons(second).Where(IsRecomputed));
        AssertSameFiles(first.Sources, second.Sources.Where(s => s.HintName != "Samples.Hex.SoftmaxKernel.g.cs"));
    }

    [Fact]
    public void KernelRemoved_OneRemovedOutput()
    {
        (GeneratorRun _, GeneratorRun second) = RunEdited(c => c.RemoveSyntaxTrees(c.SyntaxTrees.Single(t => t.FilePath == Letters.Path)));

        Dictionary<string, IncrementalStepRunReason> kernels = KernelReasons(second);
        Assert.Equal(IncrementalStepRunReason.Removed, kernels[LettersHint]);
        AssertCachedOrUnchanged(kernels[DigitsHint], DigitsHint);
        Assert.Equal([DigitsHint], second.Sources.Select(s => s.HintName));
    }

    [Fact]
    public void DiagnosticFixed_KernelGenerated()
    {
        TestSource broken = Kernel("Broken.cs", "Broken", 0);
        GeneratorRun first = GeneratorHarness.Run([Digits, broken]);
        Assert.Equal(["SMG003"], first.GeneratorDiagnostics.Select(d => d.Id));

        GeneratorRun second = GeneratorHarness.RunOnce(first.Driver, Replace(first.InputCompilation, broken, broken.Text.Replace("(0)", "(10)", System.StringComparison.Ordinal)));

        Assert.Empty(second.GeneratorDiagnostics);
        Dictionary<string, IncrementalStepRunReason> kernels = KernelReasons(second);
        // A declaration that breaks a rule produces no model at all, so the fixed one is a new output.
        Assert.Equal(IncrementalStepRunReason.New, kernels["Samples.Broken.SoftmaxKernel.g.cs"]);
        AssertCachedOrUnchanged(kernels[DigitsHint], DigitsHint);
    }

    // ---- The run reason of every tracked step, as Mapperly's IncrementalGeneratorRunReasons ---------------------------

    /// <summary>What each tracked step did for one kernel in a run after an edit.</summary>
    /// <param name="Kernels">The kernel's <see cref="TrackingNames.Kernels"/> output (its model).</param>
    /// <param name="AllKernels">The single <see cref="TrackingNames.AllKernels"/> output (every model, collected).</param>
    /// <param name="Files">The kernel's <see cref="TrackingNames.Files"/> output (its model with the final file name).</param>
    /// <param name="Output">The kernel's source output.</param>
    private sealed record RunReasons(IncrementalStepRunReason Kernels, IncrementalStepRunReason AllKernels, IncrementalStepRunReason Files, IncrementalStepRunReason Output)
    {
        /// <summary>Nothing changed: every step from the cache.</summary>
        public static readonly RunReasons Cached = new(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Cached);

        /// <summary>
        /// Another kernel changed: the collection changed, so this kernel's file name was recomputed, found equal
        /// (Unchanged, an untracked step), and everything after it, the Files step and the file, came from the cache.
        /// </summary>
        public static readonly RunReasons OtherKernelChanged = new(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Cached);

        /// <summary>This kernel changed: every step recomputed, the file regenerated.</summary>
        public static readonly RunReasons Changed = new(IncrementalStepRunReason.Modified, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Modified);

        /// <summary>This kernel is new.</summary>
        public static readonly RunReasons Added = new(IncrementalStepRunReason.New, IncrementalStepRunReason.Modified, IncrementalStepRunReason.New, IncrementalStepRunReason.New);
    }

    [Fact]
    public void UnrelatedEdit_EveryStepCached()
    {
        (GeneratorRun _, GeneratorRun second) = RunEdited(c => Replace(c, Program, Program.Text.Replace("=> 41;", "=> 42;", System.StringComparison.Ordinal)));

        AssertReasons(second, new() { [DigitsHint] = RunReasons.Cached, [LettersHint] = RunReasons.Cached });
    }

    [Fact]
    public void ClassCountChanged_ReasonsPerStep()
    {
        (GeneratorRun _, GeneratorRun second) = RunEdited(c => Replace(c, Digits, Digits.Text.Replace("(1000)", "(1001)", System.StringComparison.Ordinal)));

        AssertReasons(second, new() { [DigitsHint] = RunReasons.Changed, [LettersHint] = RunReasons.OtherKernelChanged });
    }

    [Fact]
    public void PrecisionChanged_ReasonsPerStep()
    {
        (GeneratorRun _, GeneratorRun second) = RunEdited(c => Replace(c, Digits, Digits.Text.Replace("(1000)", "(1000, Precision = SoftmaxPrecision.Fast)", System.StringComparison.Ordinal)));

        AssertReasons(second, new() { [DigitsHint] = RunReasons.Changed, [LettersHint] = RunReasons.OtherKernelChanged });
    }

    [Fact]
    public void KernelAdded_ReasonsPerStep()
    {
        (GeneratorRun _, GeneratorRun second) = RunEdited(c => c.AddSyntaxTrees(GeneratorHarness.ParseSource(Kernel("Hex.cs", "Hex", 1600))));

        AssertReasons(second, new()
        {
            [DigitsHint] = RunReasons.OtherKernelChanged,
            [LettersHint] = RunReasons.OtherKernelChanged,
            ["Samples.Hex.SoftmaxKernel.g.cs"] = RunReasons.Added,
        });
    }

    /// <summary>The reasons of every tracked step, per kernel, are exactly <paramref name="expected"/>.</summary>
    private static void AssertReasons(GeneratorRun run, Dictionary<string, RunReasons> expected)
    {
        Dictionary<string, IncrementalStepRunReason> kernels = KernelReasons(run);
        Dictionary<string, IncrementalStepRunReason> files = GeneratorHarness.Steps(run.RunResult, TrackingNames.Files)
            .SelectMany(step => step.Outputs)
            .ToDictionary(output => HintNameOf(output.Value), output => output.Reason);
        IncrementalStepRunReason all = Assert.Single(GeneratorHarness.Steps(run.RunResult, TrackingNames.AllKernels).SelectMany(step => step.Outputs)).Reason;

        // The source output step runs once per Files output, in the same order.
        IncrementalGeneratorRunStep[] fileSteps = GeneratorHarness.Steps(run.RunResult, TrackingNames.Files).ToArray();
        IncrementalStepRunReason[] outputs = OutputReasons(run);
        Assert.Equal(files.Count, outputs.Length);
        string[] order = fileSteps.SelectMany(step => step.Outputs).Select(output => HintNameOf(output.Value)).ToArray();

        var actual = expected.Keys.ToDictionary(
            hint => hint,
            hint => new RunReasons(kernels[hint], all, files[hint], outputs[System.Array.IndexOf(order, hint)]));
        Assert.Equal(expected.Count, kernels.Count);
        foreach ((string hint, RunReasons reasons) in expected)
        {
            Assert.True(reasons == actual[hint], $"{hint}: expected {reasons} but was {actual[hint]}.");
        }
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private static TestSource Kernel(string path, string name, int classes) => new(path, $$"""
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel({{classes}})]
        internal static partial class {{name}};
        """);

    /// <summary>Runs Digits, Letters and Program with every check, then the same driver on the edited compilation.</summary>
    private static (GeneratorRun First, GeneratorRun Second) RunEdited(System.Func<CSharpCompilation, CSharpCompilation> edit)
    {
        GeneratorRun first = GeneratorHarness.Run([Digits, Letters, Program]);
        GeneratorRun second = GeneratorHarness.RunOnce(first.Driver, edit(first.InputCompilation));
        GeneratorHarness.AssertGeneratorDidNotFail(second);
        ModelInspector.AssertStepOutputsHoldNoCompilerObjects(second.RunResult, TrackingNames.Kernels, expectKernels: true);
        return (first, second);
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, TestSource source, string newText) =>
        compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(t => t.FilePath == source.Path),
            GeneratorHarness.ParseSource(source with { Text = newText }));

    /// <summary>The reason of each Kernels step output, by the hint name of its kernel.</summary>
    private static Dictionary<string, IncrementalStepRunReason> KernelReasons(GeneratorRun run) =>
        GeneratorHarness.Steps(run.RunResult, TrackingNames.Kernels)
            .SelectMany(step => step.Outputs)
            .ToDictionary(output => HintNameOf(output.Value), output => output.Reason);

    /// <summary>The reasons of every output of the source output steps.</summary>
    private static IncrementalStepRunReason[] OutputReasons(GeneratorRun run) =>
        run.RunResult.Results[0].TrackedOutputSteps.Values
            .SelectMany(steps => steps)
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToArray();

    /// <summary>The hint name of a Kernels step output (a <c>KernelSpec</c>), read by reflection because the model is internal to the generator.</summary>
    private static string HintNameOf(object kernelSpec) =>
        (string)kernelSpec.GetType().GetProperty("HintName")!.GetValue(kernelSpec)!;

    private static bool IsRecomputed(IncrementalStepRunReason reason) =>
        reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);

    private static void AssertCachedOrUnchanged(IncrementalStepRunReason reason, string kernel) =>
        Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{kernel}: expected Cached or Unchanged, but it was {reason}.");

    /// <summary>Every Kernels output and every source output Cached or Unchanged, and the same files as before.</summary>
    private static void AssertNothingRegenerated(GeneratorRun first, GeneratorRun second)
    {
        foreach ((string kernel, IncrementalStepRunReason reason) in KernelReasons(second))
        {
            AssertCachedOrUnchanged(reason, kernel);
        }

        Assert.DoesNotContain(OutputReasons(second), IsRecomputed);
        AssertSameFiles(first.Sources, second.Sources);
    }

    /// <summary>The same files, by hint name and text; a mismatch shows a diff, not two whole files.</summary>
    private static void AssertSameFiles(IEnumerable<GeneratedFile> expected, IEnumerable<GeneratedFile> actual)
    {
        GeneratedFile[] e = expected.ToArray(), a = actual.ToArray();
        Assert.Equal(e.Select(f => f.HintName), a.Select(f => f.HintName));
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(e[i].Text == a[i].Text, $"{e[i].HintName} changed:\n{Snapshot.UnifiedDiff(e[i].Text, a[i].Text, "before", "after")}");
        }
    }
}
