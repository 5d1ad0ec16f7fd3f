using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using SoftmaxGen.CodeFixes;
using Xunit;

namespace SoftmaxGen.Analyzers.Tests;

/// <summary>
/// SMG102: a TensorPrimitives.SoftMax call. The diagnostic, and the fix to SoftmaxPrimitives.Softmax checked by running
/// both versions on logits above exp's overflow threshold: TensorPrimitives gives NaN, the fixed code the float64 softmax.
/// </summary>
public sealed class SoftmaxPrimitivesFixTests
{
    private static readonly SoftmaxPrimitivesCodeFixProvider Fix = new();

    private const string Source = """
        using System;
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
        }
        """;

    [Fact]
    public void Reported_WithTheOverflowExplained()
    {
        Diagnostic diagnostic = Assert.Single(AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([Source])));

        Assert.Equal("SMG102", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Equal("TensorPrimitives.SoftMax(logits, probabilities)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Contains("above about 88", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Fix_CallsSoftmaxPrimitives_AndNoLongerOverflows()
    {
        Project project = AnalyzerHarness.CreateProject([Source]);
        float[] logits = [89, 0, 100, -5];

        // The original code, run: exp(89) and exp(100) overflow float, so TensorPrimitives returns NaN.
        var before = (float[])AnalyzerHarness.Call(AnalyzerHarness.CompileAndLoad(project), "App.Model", "Run", [logits.ToArray()])!;
        Assert.Contains(before, float.IsNaN);

        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);
        Assert.Equal("""
            using System;
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
            }
            """, AnalyzerHarness.Text(fixedProject));
        Assert.Empty(AnalyzerHarness.Analyze(fixedProject));

        var after = (float[])AnalyzerHarness.Call(AnalyzerHarness.CompileAndLoad(fixedProject), "App.Model", "Run", [logits.ToArray()])!;
        AnalyzerHarness.AssertClose(AnalyzerHarness.ReferenceSoftmax(logits.Select(v => (double)v).ToArray()), after);
    }

    [Fact]
    public void Fix_Double_NamedArguments_AndSpans()
    {
        const string source = """
            using System;
            using SoftmaxGen;

            namespace App;

            public sealed class Layer
            {
                private readonly double[] _buffer = new double[3];

                public double[] Run(ReadOnlySpan<double> logits)
                {
                    System.Numerics.Tensors.TensorPrimitives.SoftMax(destination: _buffer, x: logits);
                    return _buffer;
                }

                public static double[] Create(double[] logits) => new Layer().Run(logits);
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        Project fixedProject = AnalyzerHarness.ApplyFix(project, Assert.Single(AnalyzerHarness.Analyze(project)), Fix);

        Assert.Contains("        SoftmaxPrimitives.Softmax(logits, _buffer, logits.Length);\n", AnalyzerHarness.Text(fixedProject));
        double[] logits = [710, 0, 709];
        var after = (double[])AnalyzerHarness.Call(AnalyzerHarness.CompileAndLoad(fixedProject), "App.Layer", "Create", [logits])!;
        double[] expected = AnalyzerHarness.ReferenceSoftmax(logits);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], after[i], 1e-15);
        }
    }

    [Fact]
    public void NoFix_WhenTheLogitsExpressionCannotBeRepeated_OrTheTypeIsNotFloatOrDouble()
    {
        const string source = """
            using System;
            using System.Numerics.Tensors;

            namespace App;

            public static class Model
            {
                private static float[] Next() => new float[4];

                public static void Run(float[] probabilities, Half[] halves)
                {
                    TensorPrimitives.SoftMax(Next(), probabilities);
                    TensorPrimitives.SoftMax<Half>(halves, halves);
                }
            }
            """;
        Project project = AnalyzerHarness.CreateProject([source]);
        var diagnostics = AnalyzerHarness.Analyze(project);

        Assert.Equal(["SMG102", "SMG102"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Empty(AnalyzerHarness.Actions(project, d, Fix)));
    }
}
