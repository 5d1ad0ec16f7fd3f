using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SoftmaxGen.CodeFixes;
using Xunit;

namespace SoftmaxGen.Analyzers.Tests;

/// <summary>
/// SMG101: a SoftmaxPrimitives call with a constant class count and no kernel for it. Where it is reported and where
/// not, and the fix: the declared kernel, the rewritten call, and the fixed code compiled with the generator, run,
/// and checked against a float64 softmax.
/// </summary>
public sealed class GeneratedKernelFixTests
{
    private static readonly GeneratedKernelCodeFixProvider Fix = new();

    [Fact]
    public void Reported_OnTheCall_WithTheClassCountAndMethod()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static void Run(float[] logits, float[] probabilities) => SoftmaxPrimitives.Softmax(logits, probabilities, 10);
            }
            """;
        Diagnostic diagnostic = Assert.Single(AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([source])));

        Assert.Equal("SMG101", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Equal("SoftmaxPrimitives.Softmax(logits, probabilities, 10)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal(
            "SoftmaxPrimitives.Softmax is called with the constant class count 10, and no [SoftmaxKernel(10)] type exists; declare one to get code specialised to 10 classes",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Reported_ForEveryOperationAndEveryFormOfConstant()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                private const int Classes = 3;

                public static void Run(double[] logits, double[] output, int[] targets, double[] losses, int[] predictions)
                {
                    SoftmaxPrimitives.LogSoftmax(logits, output, Classes);
                    SoftmaxPrimitives.CrossEntropy(logits, targets, classes: 1 + 2, reduction: LossReduction.Sum);
                    SoftmaxPrimitives.CrossEntropy(logits, targets, losses, 3);
                    SoftmaxPrimitives.Argmax(classes: 3, predictions: predictions, logits: logits);
                }
            }
            """;
        ImmutableArray<Diagnostic> diagnostics = AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([source]));

        Assert.Equal(["SMG101", "SMG101", "SMG101", "SMG101"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Equal("3", d.Properties["Classes"]));
    }

    [Fact]
    public void NotReported_WhenAKernelExists_OrTheCountIsNotAConstant_OrOutOfRange()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            public static partial class Host
            {
                [SoftmaxKernel(10)]
                internal static partial class Digits;
            }

            public static class Model
            {
                public static void Run(float[] logits, float[] probabilities, int classes)
                {
                    SoftmaxPrimitives.Softmax(logits, probabilities, 10);          // a kernel for 10 exists (nested)
                    SoftmaxPrimitives.Softmax(logits, probabilities, classes);     // not a constant
                    SoftmaxPrimitives.Softmax(logits, probabilities, 0);           // throws at run time
                    SoftmaxPrimitives.Softmax(logits, probabilities, 2_000_000);   // above the generator's maximum
                }
            }
            """;
        Assert.Empty(AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([source])));
    }

    /// <summary>
    /// The registry looks kernels up by class count and precision: a call that passes SoftmaxPrecision.Fast needs a
    /// Fast kernel, and a Fast kernel does not serve Exact calls.
    /// </summary>
    [Fact]
    public void Precision_AKernelOfTheCallsPrecisionIsNeeded()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            [SoftmaxKernel(10)]
            internal static partial class Digits;

            [SoftmaxKernel(26, Precision = SoftmaxPrecision.Fast)]
            internal static partial class Letters;

            public static class Model
            {
                public static void Run(float[] logits, float[] output, SoftmaxPrecision chosen)
                {
                    SoftmaxPrimitives.Softmax(logits, output, 10);                                      // Exact kernel: none
                    SoftmaxPrimitives.Softmax(logits, output, 10, SoftmaxPrecision.Exact);              // Exact kernel: none
                    SoftmaxPrimitives.LogSoftmax(logits, output, 10, SoftmaxPrecision.Fast);            // SMG101: no Fast kernel for 10
                    SoftmaxPrimitives.Softmax(logits, output, 26, precision: SoftmaxPrecision.Fast);    // Fast kernel: none
                    SoftmaxPrimitives.Softmax(logits, output, 26);                                      // SMG101: no Exact kernel for 26
                    SoftmaxPrimitives.Softmax(logits, output, 10, chosen);                              // not a constant: none
                    SoftmaxPrimitives.Softmax(logits, output, 10, (SoftmaxPrecision)7);                 // throws at run time: none
                }
            }
            """;
        ImmutableArray<Diagnostic> diagnostics = AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([source]));

        Assert.Equal(2, diagnostics.Length);
        Diagnostic fast = diagnostics[0], exact = diagnostics[1];
        Assert.Equal("SoftmaxPrimitives.LogSoftmax(logits, output, 10, SoftmaxPrecision.Fast)", fast.Location.SourceTree!.GetText().ToString(fast.Location.SourceSpan));
        Assert.Equal(
            "SoftmaxPrimitives.LogSoftmax is called with the constant class count 10, and no [SoftmaxKernel(10, Precision = SoftmaxPrecision.Fast)] type exists; declare one to get code specialised to 10 classes",
            fast.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Fast", fast.Properties["Precision"]);
        Assert.Equal("SoftmaxPrimitives.Softmax(logits, output, 26)", exact.Location.SourceTree!.GetText().ToString(exact.Location.SourceSpan));
        Assert.False(exact.Properties.ContainsKey("Precision"));
    }

    [Fact]
    public void Fix_ForAFastCall_DeclaresAFastKernel_DropsThePrecision_AndTheResultIsTheSoftmax()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    SoftmaxPrimitives.Softmax(logits, probabilities, 10, SoftmaxPrecision.Fast);
                    return probabilities;
                }
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        Diagnostic diagnostic = Assert.Single(AnalyzerHarness.Analyze(project));
        Assert.Equal("Generate a Fast kernel for 10 classes and call it", Assert.Single(AnalyzerHarness.Actions(project, diagnostic, Fix)).Title);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, diagnostic, Fix);

        Assert.Equal("""
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    Softmax10FastKernel.Softmax(logits, probabilities);
                    return probabilities;
                }
            }

            [SoftmaxKernel(10, Precision = SoftmaxPrecision.Fast)]
            internal static partial class Softmax10FastKernel;

            """, AnalyzerHarness.Text(fixedProject));
        Assert.Empty(AnalyzerHarness.Analyze(fixedProject));

        // Small dyadic logits, so x - max is exact in float and the Fast bound is the Exact one: 4 ULP of the float64 softmax.
        double[] row0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        double[] row1 = [0.5, -0.25, 3, 0, 2, 1, -1, 0.125, 2.5, 1];
        Assembly assembly = AnalyzerHarness.CompileAndLoad(fixedProject);
        var result = (float[])AnalyzerHarness.Call(assembly, "App.Model", "Run", [row0.Concat(row1).Select(v => (float)v).ToArray()])!;

        AnalyzerHarness.AssertClose(AnalyzerHarness.ReferenceSoftmax(row0).Concat(AnalyzerHarness.ReferenceSoftmax(row1)).ToArray(), result);
    }

    /// <summary>An explicit Exact argument is dropped too: the generated members take no precision.</summary>
    [Fact]
    public void Fix_ForAnExplicitExactCall_DropsThePrecision()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static void Run(double[] logits, double[] output) =>
                    SoftmaxPrimitives.LogSoftmax(precision: SoftmaxPrecision.Exact, classes: 4, logits: logits, logProbabilities: output);
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);

        string text = AnalyzerHarness.Text(fixedProject);
        Assert.Contains("Softmax4Kernel.LogSoftmax(logits: logits, logProbabilities: output);", text);
        Assert.Contains("[SoftmaxKernel(4)]\ninternal static partial class Softmax4Kernel;", text);
        AnalyzerHarness.CompileAndLoad(fixedProject);
    }

    [Fact]
    public void Fix_DeclaresTheKernel_RewritesTheCall_AndTheResultIsTheSoftmax()
    {
        const string source = """
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    SoftmaxPrimitives.Softmax(logits, probabilities, 10);
                    return probabilities;
                }
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);

        Assert.Equal("""
            using SoftmaxGen;

            namespace App;

            public static class Model
            {
                public static float[] Run(float[] logits)
                {
                    var probabilities = new float[logits.Length];
                    Softmax10Kernel.Softmax(logits, probabilities);
                    return probabilities;
                }
            }

            [SoftmaxKernel(10)]
            internal static partial class Softmax10Kernel;

            """, AnalyzerHarness.Text(fixedProject));
        Assert.Empty(AnalyzerHarness.Analyze(fixedProject));

        // Two rows of 10 logits, one with values far above exp's overflow threshold.
        double[] row0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        double[] row1 = [100, -100, 90, 0, 95, 3e3, 2999, -3e3, 2990, 1];
        Assembly assembly = AnalyzerHarness.CompileAndLoad(fixedProject);
        var result = (float[])AnalyzerHarness.Call(assembly, "App.Model", "Run", [row0.Concat(row1).Select(v => (float)v).ToArray()])!;

        AnalyzerHarness.AssertClose(AnalyzerHarness.ReferenceSoftmax(row0).Concat(AnalyzerHarness.ReferenceSoftmax(row1)).ToArray(), result);
        Assert.NotNull(assembly.GetType("App.Softmax10Kernel")!.GetField("Classes"));
    }

    [Fact]
    public void Fix_KeepsTheOtherArguments_AndTheirNames()
    {
        const string source = """
            using SoftmaxGen;

            namespace App
            {
                public static class Model
                {
                    public static double Loss(double[] logits, int[] targets) =>
                        SoftmaxPrimitives.CrossEntropy(logits, targets, classes: 3, reduction: LossReduction.Sum);
                }
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);

        string text = AnalyzerHarness.Text(fixedProject);
        Assert.Contains("Softmax3Kernel.CrossEntropy(logits, targets, reduction: LossReduction.Sum);", text);
        Assert.Contains("    [SoftmaxKernel(3)]\n    internal static partial class Softmax3Kernel;\n", text);

        // Two rows of 3: the summed loss is -ln p[0][t0] - ln p[1][t1], computed in float64 here.
        double[] logits = [1, 2, 3, -1, 0, 1000];
        int[] targets = [0, 1];
        double expected = -System.Math.Log(AnalyzerHarness.ReferenceSoftmax(logits[..3])[0])
            - (-1000 - System.Math.Log(1 + System.Math.Exp(-1000) + System.Math.Exp(-1001)));
        var loss = (double)AnalyzerHarness.Call(AnalyzerHarness.CompileAndLoad(fixedProject), "App.Model", "Loss", logits, targets)!;
        Assert.Equal(expected, loss, 1e-12);
    }

    [Fact]
    public void Fix_WithoutUsings_InTopLevelStatements_AndWithATakenName()
    {
        const string source = """
            float[] logits = [0, 1, 2, 3, 4];
            int[] predictions = new int[1];
            SoftmaxGen.SoftmaxPrimitives.Argmax(logits, predictions, 5);
            System.Console.WriteLine(predictions[0] + Softmax5Kernel.Taken);

            internal static class Softmax5Kernel
            {
                public const int Taken = 0;
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source], outputKind: OutputKind.ConsoleApplication);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);

        string text = AnalyzerHarness.Text(fixedProject);
        Assert.Contains("Softmax5Kernel2.Argmax(logits, predictions);", text);
        Assert.Contains("[SoftmaxKernel(5)]\ninternal static partial class Softmax5Kernel2;", text);
        Assert.StartsWith("using SoftmaxGen;", text);
        AnalyzerHarness.CompileAndLoad(fixedProject);
    }

    [Fact]
    public void Fix_UnderCSharp11_DeclaresTheKernelWithABody_AndFixesAUsingStaticCall()
    {
        const string source = """
            using static SoftmaxGen.SoftmaxPrimitives;

            namespace App
            {
                public static class Model
                {
                    public static void Run(float[] logits) => LogSoftmax(logits, logits, 4);
                }
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source], languageVersion: LanguageVersion.CSharp11);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);

        string text = AnalyzerHarness.Text(fixedProject);
        Assert.Contains("=> Softmax4Kernel.LogSoftmax(logits, logits);", text);
        Assert.Contains("internal static partial class Softmax4Kernel\n    {\n    }", text);
    }
}
