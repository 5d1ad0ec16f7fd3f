using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>Turns an attributed declaration into a <see cref="KernelSpec"/>; never keeps a symbol or a syntax node.</summary>
    internal static class Parser
    {
        /// <summary>The spec for an attributed declaration, or null where nothing is to be generated (the analyzer says why).</summary>
        public static KernelSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax)
            {
                return null;
            }

            // One file per type: only the declaration carrying the type's first [SoftmaxKernel] produces it.
            if (KernelRules.FindKernelAttribute(type, cancellationToken) is not { } found ||
                found.Declaration.SyntaxTree != syntax.SyntaxTree || found.Declaration.Span != syntax.Span ||
                KernelRules.ClassCount(found.Attribute) is not int classes ||
                KernelRules.Precision(found.Attribute) is not KernelPrecision precision ||
                KernelRules.AnyError(KernelRules.Check(type, found.Attribute, syntax, cancellationToken)))
            {
                return null;
            }

            var containing = new List<TypeDeclaration>();
            for (SyntaxNode? node = syntax.Parent; node is TypeDeclarationSyntax parent; node = parent.Parent)
            {
                containing.Insert(0, Describe(parent));
            }

            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } containingNamespace
                ? containingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted))
                : null;

            return new KernelSpec(
                ns,
                new EquatableArray<TypeDeclaration>(containing),
                Describe(syntax),
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                classes,
                precision,
                HintName(type));
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

        /// <summary>
        /// The name as the generated declaration writes it: with @ where it is a keyword, and where it is all lower-case
        /// ASCII letters, which the compiler warns about in a type name (CS8981) unless it is written with @; the user's
        /// own declaration already gets that warning, where it can be suppressed, and the generated part must not repeat it.
        /// </summary>
        private static string Escape(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || name.All(c => c is >= 'a' and <= 'z') ? "@" + name : name;

        /// <summary>
        /// A file name from the type's full name. Characters outside [A-Za-z0-9._] become '_', and then a hash of the
        /// full name keeps two such names apart (for example two types named with different non-ASCII letters).
        /// </summary>
        private static string HintName(INamedTypeSymbol type)
        {
            // Metadata names: no '@' escapes, no generic arity to worry about (generic types are rejected).
            var parts = new List<string>();
            for (ISymbol? s = type; s is not null && !(s is INamespaceSymbol { IsGlobalNamespace: true }); s = s.ContainingSymbol)
            {
                parts.Insert(0, s.MetadataName);
            }

            string fullName = string.Join(".", parts);
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
                builder.Append('_').Append(Fnv1a(fullName));
            }

            return builder.Append(KernelRules.HintNameSuffix).ToString();
        }

        /// <summary>The FNV-1a hash of <paramref name="text"/> as 8 hex digits: stable across processes, unlike string.GetHashCode.</summary>
        internal static string Fnv1a(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = unchecked((hash ^ c) * 16777619);
            }

            return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
