using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace SoftmaxGen.Analyzers.Tests;

/// <summary>SMG101 and SMG102 can be silenced like any diagnostic: <c>#pragma warning disable</c> and .editorconfig severities.</summary>
public sealed class SuppressionTests
{
    private const string Source = """
        using System.Numerics.Tensors;
        using SoftmaxGen;

        namespace App;

        public static class Model
        {
            public static void Run(float[] logits, float[] probabilities)
            {
                SoftmaxPrimitives.Softmax(logits, probabilities, 10);
                TensorPrimitives.SoftMax(logits, probabilities);
            }
        }
        """;

    [Fact]
    public void BothAreReported_WithoutSuppression()
    {
        Assert.Equal(["SMG101", "SMG102"], AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([Source])).Select(d => d.Id));
    }

    [Fact]
    public void Pragma_SilencesTheCallsItCovers()
    {
        string source = Source
            .Replace("        SoftmaxPrimitives.Softmax", "#pragma warning disable SMG101\n        SoftmaxPrimitives.Softmax", System.StringComparison.Ordinal)
            .Replace("        TensorPrimitives.SoftMax", "#pragma warning restore SMG101\n        TensorPrimitives.SoftMax", System.StringComparison.Ordinal);

        Assert.Equal(["SMG102"], AnalyzerHarness.Analyze(AnalyzerHarness.CreateProject([source])).Select(d => d.Id));
    }

    [Fact]
    public void EditorConfig_SeverityNone_Silences_AndWarning_Raises()
    {
        Project silenced = AnalyzerHarness.CreateProject([Source], editorConfig: """
            root = true

            [*.cs]
            dotnet_diagnostic.SMG102.severity = none
            """);
        Assert.Equal(["SMG101"], AnalyzerHarness.Analyze(silenced).Select(d => d.Id));

        Project raised = AnalyzerHarness.CreateProject([Source], editorConfig: """
            root = true

            [*.cs]
            dotnet_diagnostic.SMG101.severity = warning
            dotnet_diagnostic.SMG102.severity = none
            """);
        Diagnostic diagnostic = Assert.Single(AnalyzerHarness.Analyze(raised));
        Assert.Equal(("SMG101", DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
    }
}
