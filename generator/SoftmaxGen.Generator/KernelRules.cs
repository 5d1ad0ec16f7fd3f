using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SoftmaxGen.Generator;

/// <summary>
/// What makes a <c>[SoftmaxKernel]</c> declaration one the generator can extend. The analyzer reports every broken
/// rule as a diagnostic; the generator consults the same rules and emits nothing for a declaration that breaks one,
/// so the two can never disagree.
/// </summary>
internal static class KernelRules
{
    /// <summary>The largest class count accepted (SoftmaxKernelAttribute.MaxClasses).</summary>
    internal const int MaxClasses = 1_000_000;

    internal const string AttributeMetadataName = "SoftmaxGen.SoftmaxKernelAttribute";

    /// <summary>
    /// The type's first <c>[SoftmaxKernel]</c> and the declaration that carries it. The attribute may sit on several
    /// partial declarations (an error the compiler reports, CS0579): only the first counts, so that one declaration
    /// produces one file.
    /// </summary>
    public static (AttributeData Attribute, TypeDeclarationSyntax Declaration)? FindKernelAttribute(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        AttributeData? attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeMetadataName);
        if (attribute?.ApplicationSyntaxReference is not { } application ||
            application.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
        {
            return null;
        }

        return (attribute, declaration);
    }

    /// <summary>The class count of the attribute, or null when the argument is missing or not an int (the compiler reports those).</summary>
    public static int? ClassCount(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int classes ? classes : null;

    /// <summary>Every rule the declaration breaks, as diagnostics.</summary>
    public static List<Diagnostic> Check(INamedTypeSymbol type, AttributeData attribute, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        string name = type.ToDisplayString();
        Location identifier = declaration.Identifier.GetLocation();

        if (ClassCount(attribute) is int classes && (classes < 1 || classes > MaxClasses))
        {
            Location where = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? identifier;
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ClassCountOutOfRange, where, classes, name, MaxClasses));
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TypeNotPartial, identifier, name));
        }

        if (type.IsFileLocal)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.FileLocalType, identifier, name));
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GenericType, identifier, name));
                break;
            }
        }

        for (SyntaxNode? node = declaration.Parent; node is TypeDeclarationSyntax parent; node = parent.Parent)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ContainingTypeNotPartial, identifier, name, parent.Identifier.ValueText));
            }
        }

        return diagnostics;
    }
}
