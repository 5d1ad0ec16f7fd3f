using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SoftmaxGen.Generator;

/// <summary>
/// Reports the <see cref="KernelRules"/> a <c>[SoftmaxKernel]</c> declaration breaks. Diagnostics come from an analyzer,
/// not from the generator, so they sit in the user's syntax tree (<c>#pragma</c> and <c>.editorconfig</c> apply) and
/// the generator's pipeline never has to carry locations.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SoftmaxKernelAnalyzer : DiagnosticAnalyzer
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
        DiagnosticDescriptors.LanguageVersionTooOld);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KernelRules.AttributeMetadataName) is null)
            {
                return;
            }

            start.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        });
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
