using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace SoftmaxGen.CodeFixes;

/// <summary>
/// SMG102's fix: rewrites <c>TensorPrimitives.SoftMax(x, y)</c> to <c>SoftmaxPrimitives.Softmax(x, y, x.Length)</c>, one row of
/// <c>x.Length</c> classes computed stably, adding <c>using SoftmaxGen;</c> when the file has none. Offered when the
/// analyzer marked the call fixable: float or double, and an <c>x</c> that can be written twice.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SoftmaxPrimitivesCodeFixProvider)), Shared]
public sealed class SoftmaxPrimitivesCodeFixProvider : InvocationCodeFixProvider
{
    /// <summary>Creates the fix for SMG102.</summary>
    public SoftmaxPrimitivesCodeFixProvider()
        : base(UsageDiagnosticDescriptors.UseSoftmaxPrimitivesId)
    {
    }

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    private protected override string? Title(Diagnostic diagnostic) =>
        diagnostic.Properties.ContainsKey(UsageDiagnosticDescriptors.FixableProperty) ? "Use SoftmaxPrimitives.Softmax (stable for every finite input)" : null;

    private protected override SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation operation, Diagnostic diagnostic)
    {
        if (operation.TargetMethod.Parameters.Length != 2)
        {
            return null;
        }

        // The arguments in parameter order (they may be named and reordered), without their names.
        ExpressionSyntax[] values = operation.TargetMethod.Parameters
            .Select(p => operation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, p.OriginalDefinition)
                || a.Parameter?.Ordinal == p.Ordinal)?.Syntax)
            .OfType<ArgumentSyntax>()
            .Select(a => a.Expression.WithoutTrivia())
            .ToArray();
        if (values.Length != 2)
        {
            return null;
        }

        ExpressionSyntax input = values[0];
        ExpressionSyntax length = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            input is IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax ? input : SyntaxFactory.ParenthesizedExpression(input),
            SyntaxFactory.IdentifierName("Length"));

        ExpressionSyntax softmax = SyntaxFactory.ParseExpression($"global::{RuntimeNames.SoftmaxPrimitives.MetadataName}.{RuntimeNames.SoftmaxPrimitives.Softmax}")
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        InvocationExpressionSyntax rewritten = SyntaxFactory.InvocationExpression(
                softmax,
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                {
                    SyntaxFactory.Argument(input),
                    SyntaxFactory.Argument(values[1]),
                    SyntaxFactory.Argument(length),
                })))
            .WithTriviaFrom(invocation)
            .WithAdditionalAnnotations(Formatter.Annotation);

        return root.ReplaceNode(invocation, rewritten);
    }
}
