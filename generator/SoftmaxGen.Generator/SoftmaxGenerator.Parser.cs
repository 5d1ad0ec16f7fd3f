using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SoftmaxGen.Generator.Model;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>Turns an attributed declaration into a <see cref="KernelResult"/>; never keeps a symbol or a syntax node.</summary>
    internal static class Parser
    {
        /// <summary>The largest class count accepted (SoftmaxKernelAttribute.MaxClasses).</summary>
        internal const int MaxClasses = 1_000_000;

        public static KernelResult? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax)
            {
                return null;
            }

            // The attribute may sit on several partial declarations (an error the compiler reports, CS0579):
            // only the first one produces output, so that two files never get the same name.
            AttributeData attribute = context.Attributes[0];
            AttributeData? first = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeMetadataName);
            if (first is not null && first.ApplicationSyntaxReference?.Span != attribute.ApplicationSyntaxReference?.Span)
            {
                return null;
            }

            // Without a usable argument the compiler already reports an error; generate nothing.
            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not int classes)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var diagnostics = new List<DiagnosticInfo>();
            string displayName = type.ToDisplayString();
            Location? attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();

            if (classes < 1 || classes > MaxClasses)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassCountOutOfRange, attributeLocation ?? syntax.Identifier.GetLocation(), classes, displayName, MaxClasses));
            }

            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, syntax.Identifier.GetLocation(), displayName));
            }

            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.IsGenericType)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, syntax.Identifier.GetLocation(), displayName));
                    break;
                }
            }

            var containing = new List<TypeDeclaration>();
            for (SyntaxNode? node = syntax.Parent; node is TypeDeclarationSyntax parent; node = parent.Parent)
            {
                if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, syntax.Identifier.GetLocation(), displayName, parent.Identifier.ValueText));
                }

                containing.Insert(0, Describe(parent));
            }

            if (diagnostics.Count > 0)
            {
                return new KernelResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n
                ? n.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted))
                : null;

            var spec = new KernelSpec(
                ns,
                new EquatableArray<TypeDeclaration>(containing),
                Describe(syntax),
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                classes,
                HintName(type));
            return new KernelResult(spec, default);
        }

        private static TypeDeclaration Describe(TypeDeclarationSyntax syntax)
        {
            string keyword = syntax switch
            {
                RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
                RecordDeclarationSyntax => "record",
                _ => syntax.Keyword.ValueText,
            };

            var modifiers = new List<string>();
            foreach (SyntaxToken modifier in syntax.Modifiers)
            {
                if (modifier.IsKind(SyntaxKind.StaticKeyword) || modifier.IsKind(SyntaxKind.ReadOnlyKeyword) || modifier.IsKind(SyntaxKind.RefKeyword))
                {
                    modifiers.Add(modifier.ValueText);
                }
            }

            string name = syntax.Identifier.ValueText;
            return new TypeDeclaration(string.Join(" ", modifiers), keyword, Escape(name), name);
        }

        private static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        /// <summary>
        /// A file name from the type's full name. Characters outside [A-Za-z0-9._] become '_', and then a hash of the
        /// full name keeps two such names apart (for example two types named with different non-ASCII letters).
        /// </summary>
        private static string HintName(INamedTypeSymbol type)
        {
            string fullName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
            var builder = new StringBuilder();
            bool replaced = false;
            foreach (char c in fullName)
            {
                bool plain = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_';
                builder.Append(plain ? c : '_');
                replaced |= !plain;
            }

            if (replaced)
            {
                // FNV-1a: stable across processes, unlike string.GetHashCode.
                uint hash = 2166136261;
                foreach (char c in fullName)
                {
                    hash = unchecked((hash ^ c) * 16777619);
                }

                builder.Append('_').Append(hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
            }

            return builder.Append(".SoftmaxKernel.g.cs").ToString();
        }
    }
}
