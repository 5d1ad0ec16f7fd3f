using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SoftmaxGen.CodeFixes;
using Xunit;

namespace SoftmaxGen.Analyzers.Tests;

/// <summary>
/// Fix All, as "Fix all occurrences" and <c>dotnet format</c> run it: SMG101 declares one kernel per class count and
/// precision however many calls and files need it (fixes computed one by one would declare it once per call), and
/// SMG102 rewrites every call with one import. Each fixed project compiles without a warning and is checked by running it.
/// </summary>
public sealed class FixAllTests
{
    private const string Model = """
        using SoftmaxGen;

        namespace App;

        public static class Model
        {
            public static float[] Run(float[] logits)
            {
                var probabilities = new float[logits.Length];
                var logProbabilities = new float[logits.Length];
                SoftmaxPrimitives.Softmax(logits, probabilities, 10);
                SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, classes: 10);
                SoftmaxPrimitives.Softmax(logits, logProbabilities, 10, SoftmaxPrecision.Fast);
                return probabilities;
            }
        }

        public static class Labels
        {
            public static int[] Top(float[] logits)
            {
                var predictions = new int[logits.Length / 3];
                SoftmaxPrimitives.Argmax(logits, predictions, 3);
                return predictions;
            }
        }
        """;

    private const string Scorer = """
        using SoftmaxGen;

        namespace App.Scoring;

        public static class Scorer
        {
            public static float[] Score(float[] logits)
            {
                var probabilities = new float[logits.Length];
                SoftmaxPrimitives.Softmax(logits, probabilities, 10);
                return probabilities;
            }
        }
        """;

    [Fact]
    public void GeneratedKernel_OneKernelPerClassCountAndPrecision_InEveryFile()
    {
        Project project = AnalyzerHarness.CreateProject([Model, Scorer]);
        ImmutableArray<Diagnostic> diagnostics = AnalyzerHarness.Analyze(project);
        Assert.Equal(5, diagnostics.Length);

        Project fixedProject = AnalyzerHarness.ApplyFixAll(project, diagnostics, new GeneratedKernelCodeFixProvider(), FixAllScope.Solution);

        Assert.Equal("""
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    var logProbabilities = new float[logits.Length];
                    Softmax10Kernel.Softmax(logits, probabilities);
                    Softmax10Kernel.LogSoftmax(logits, logProbabilities);
                    Softmax10FastKernel.Softmax(logits, logProbabilities);
                    return probabilities;
                }
            }

            [SoftmaxKernel(10)]
            internal static partial class Softmax10Kernel;

            [SoftmaxKernel(10, Precision = SoftmaxPrecision.Fast)]
            internal static partial class Softmax10FastKernel;

            public static class Labels
            {
                public static int[] Top(float[] logits)
                {
                    var predictions = new int[logits.Length / 3];
                    Softmax3Kernel.Argmax(logits, predictions);
                    return predictions;
                }
            }

            [SoftmaxKernel(3)]
            internal static partial class Softmax3Kernel;

            """, AnalyzerHarness.Text(fixedProject, 0));
        // The other file's call names the kernel declared in App, visible from App.Scoring; no second declaration.
        Assert.Equal(Scorer.Replace("SoftmaxPrimitives.Softmax(logits, probabilities, 10)", "Softmax10Kernel.Softmax(logits, probabilities)", System.StringComparison.Ordinal),
            AnalyzerHarness.Text(fixedProject, 1));
        Assert.Empty(AnalyzerHarness.Analyze(fixedProject));

        Assembly assembly = AnalyzerHarness.CompileAndLoad(fixedProject);
        double[] row = [0.5, -0.25, 3, 0, 2, 1, -1, 0.125, 2.5, 1];
        float[] logits = row.Select(v => (float)v).ToArray();
        AnalyzerHarness.AssertClose(AnalyzerHarness.ReferenceSoftmax(row), (float[])AnalyzerHarness.Call(assembly, "App.Model", "Run", [logits.ToArray()])!);
        AnalyzerHarness.AssertClose(AnalyzerHarness.ReferenceSoftmax(row), (float[])AnalyzerHarness.Call(assembly, "App.Scoring.Scorer", "Score", [logits.ToArray()])!);
        Assert.Equal([2, 1, 2], (int[])AnalyzerHarness.Call(assembly, "App.Labels", "Top", [new float[] { 0, 1, 5, 7, 9, 8, -1, 0, 4 }])!);
    }

    [Fact]
    public void GeneratedKernel_DocumentScope_LeavesOtherFilesAlone()
    {
        Project project = AnalyzerHarness.CreateProject([Model, Scorer]);
        ImmutableArray<Diagnostic> diagnostics = AnalyzerHarness.Analyze(project);

        ImmutableArray<Diagnostic> inModel = diagnostics.Where(d => d.Location.SourceTree!.FilePath.EndsWith("Source0.cs", System.StringComparison.Ordinal)).ToImmutableArray();
        Assert.Equal(4, inModel.Length);

        Project fixedProject = AnalyzerHarness.ApplyFixAll(project, inModel, new GeneratedKernelCodeFixProvider(), FixAllScope.Document);

        Assert.Equal(Scorer, AnalyzerHarness.Text(fixedProject, 1));
        Assert.Equal(1, AnalyzerHarness.Text(fixedProject, 0).Split("class Softmax10Kernel").Length - 1);
        // The kernel now exists, so the other file's call uses it at run time and is no longer reported.
        Assert.Empty(AnalyzerHarness.Analyze(fixedProject));
        AnalyzerHarness.CompileAndLoad(fixedProject);
    }

    [Fact]
    public void SoftmaxPrimitives_EveryCallRewritten_WithOneImport()
    {
        const string source = """
            using System.Numerics.Tensors;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    TensorPrimitives.SoftMax(logits, probabilities);
                    return probabilities;
                }

                public static float[] RunTwice(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    TensorPrimitives.SoftMax(logits, probabilities);
                    TensorPrimitives.SoftMax(probabilities, probabilities);
                    return probabilities;
                }
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        ImmutableArray<Diagnostic> diagnostics = AnalyzerHarness.Analyze(project);
        Assert.Equal(3, diagnostics.Length);

        Project fixedProject = AnalyzerHarness.ApplyFixAll(project, diagnostics, new SoftmaxPrimitivesCodeFixProvider(), FixAllScope.Document);

        Assert.Equal("""
            using System.Numerics.Tensors;
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    SoftmaxPrimitives.Softmax(logits, probabilities, logits.Length);
                    return probabilities;
                }

                public static float[] RunTwice(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    SoftmaxPrimitives.Softmax(logits, probabilities, logits.Length);
                    SoftmaxPrimitives.Softmax(probabilities, probabilities, probabilities.Length);
                    return probabilities;
                }
            }
            """, AnalyzerHarness.Text(fixedProject));
        Assert.Empty(AnalyzerHarness.Analyze(fixedProject));

        // Logits past exp's overflow threshold: the fixed code gives the float64 softmax, not NaN, in both methods.
        Assembly assembly = AnalyzerHarness.CompileAndLoad(fixedProject);
        double[] row = [89, 0, 100, -5];
        AnalyzerHarness.AssertClose(AnalyzerHarness.ReferenceSoftmax(row), (float[])AnalyzerHarness.Call(assembly, "App.Model", "Run", [row.Select(v => (float)v).ToArray()])!);
        float[] once = (float[])AnalyzerHarness.Call(assembly, "App.Model", "Run", [row.Select(v => (float)v).ToArray()])!;
        AnalyzerHarness.AssertClose(
            AnalyzerHarness.ReferenceSoftmax(once.Select(v => (double)v).ToArray()),
            (float[])AnalyzerHarness.Call(assembly, "App.Model", "RunTwice", [row.Select(v => (float)v).ToArray()])!);
    }
}
