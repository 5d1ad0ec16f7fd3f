using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SoftmaxGen.Generator.Model;

namespace SoftmaxGen.Generator;

/// <summary>
/// Generates softmax, log-softmax, cross-entropy and argmax routines specialised to the class count of every
/// <c>[SoftmaxKernel(C)]</c> type. The pipeline: find the attributed declarations, reduce each to a
/// <see cref="KernelSpec"/> (the parser), and write one file per type (the emitter). Diagnostics come from
/// <see cref="SoftmaxKernelAnalyzer"/>, which checks the same <see cref="KernelRules"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SoftmaxGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<KernelSpec> kernels = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KernelRules.AttributeMetadataName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Kernels);

        // Declarations that break a rule produce no spec; SoftmaxKernelAnalyzer reports why.
        context.RegisterSourceOutput(kernels, static (context, spec) => context.AddSource(spec.HintName, Emitter.Emit(spec)));
    }
}
