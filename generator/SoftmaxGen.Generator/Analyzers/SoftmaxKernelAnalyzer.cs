using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SoftmaxGen.Generator;

/// <summary>
/// Reports the <see cref="KernelRules"/> a <c>[SoftmaxKernel]</c> declaration breaks. Diagnostics come from an analyzer,
/// not from the generator, so they sit in the user's syntax tree (<c>#pragma</c> and <c>.editorconfig</c> apply) and
/// the generator's pipeline never has to carry locations.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SoftmaxKernelAnalyzer : SoftmaxGenAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.TypeNotPartial,
        DiagnosticDescriptors.GenericType,
        DiagnosticDescriptors.ClassCountOutOfRange,
        DiagnosticDescriptors.ContainingTypeNotPartial,
        DiagnosticDescriptors.FileLocalType,
        DiagnosticDescriptors.MemberCollision,
        DiagnosticDescriptors.TypeNamedLikeMember,
        DiagnosticDescriptors.MethodOverloadsGenerated,
        DiagnosticDescriptors.NamespaceHidden,
        DiagnosticDescriptors.LanguageVersionTooOld,
        DiagnosticDescriptors.PrecisionUndefined);

    /// <inheritdoc/>
    protected override void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        if (context.Compilation.GetTypeByMetadataName(RuntimeNames.KernelAttributeMetadataName) is not null)
        {
            context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        }
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (KernelRules.FindKernelAttribute(type, context.CancellationToken) is not { } found)
        {
            return;
        }

        foreach (Diagnostic diagnostic in KernelRules.Check(type, found.Attribute, found.Declaration, context.CancellationToken))
        {
            context.ReportDiagnostic(diagnostic);
        }
    }
}
