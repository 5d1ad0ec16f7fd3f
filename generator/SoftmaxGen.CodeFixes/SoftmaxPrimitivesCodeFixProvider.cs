using System.Collections.Generic;
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
    /// <remarks>
    /// Every call of a document rewritten in one tree, then imports added and formatted once. The batch fixer merged
    /// one text diff per call, and dropped a call whose diff touched its neighbour's (two calls on adjacent lines).
    /// Documents are independent: the fix adds nothing that another file could also add.
    /// </remarks>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        // SoftMax returns void, so no call is inside another: each is rewritten from the original tree.
        var rewrites = new Dictionary<SyntaxNode, SyntaxNode>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (Title(diagnostic) is not null &&
                FindCall(root, model, diagnostic, context.CancellationToken) is var (invocation, operation) &&
                RewriteCall(invocation, operation) is { } rewritten)
            {
                rewrites[invocation] = rewritten;
            }
        }

        return rewrites.Count == 0
            ? document
            : await CleanUpAsync(document.WithSyntaxRoot(root.ReplaceNodes(rewrites.Keys, (original, _) => rewrites[original])), context.CancellationToken).ConfigureAwait(false);
    });

    private protected override string? Title(Diagnostic diagnostic) =>
        diagnostic.Properties.ContainsKey(UsageDiagnosticDescriptors.FixableProperty) ? "Use SoftmaxPrimitives.Softmax (stable for every finite input)" : null;

    private protected override SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation operation, Diagnostic diagnostic) =>
        RewriteCall(invocation, operation) is { } rewritten ? root.ReplaceNode(invocation, rewritten) : null;

    /// <summary>The call as <c>SoftmaxPrimitives.Softmax(x, y, x.Length)</c>, annotated for imports and formatting; null if it has not two arguments.</summary>
    private static InvocationExpressionSyntax? RewriteCall(InvocationExpressionSyntax invocation, IInvocationOperation operation)
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
        return SyntaxFactory.InvocationExpression(
                softmax,
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                {
                    SyntaxFactory.Argument(input),
                    SyntaxFactory.Argument(values[1]),
                    SyntaxFactory.Argument(length),
                })))
            .WithTriviaFrom(invocation)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }
}
