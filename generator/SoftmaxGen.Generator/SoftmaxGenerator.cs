using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SoftmaxGen.Generator.Model;

namespace SoftmaxGen.Generator;

/// <summary>
/// Generates softmax, log-softmax, cross-entropy and argmax routines specialised to the class count of every
/// <c>[SoftmaxKernel(C)]</c> type. The pipeline: find the attributed declarations, reduce each to a
/// <see cref="KernelSpec"/> (the parser), and write one file per type (the emitter).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SoftmaxGenerator : IIncrementalGenerator
{
    internal const string AttributeMetadataName = "SoftmaxGen.SoftmaxKernelAttribute";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<KernelResult> kernels = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeMetadataName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(TrackingNames.Kernels);

        context.RegisterSourceOutput(kernels, static (context, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                context.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Spec is { } spec)
            {
                context.AddSource(spec.HintName, Emitter.Emit(spec));
            }
        });
    }
}
