using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using SoftmaxGen.Generator;

namespace SoftmaxGen.CodeFixes;

/// <summary>
/// SMG102's fix: rewrites <c>TensorPrimitives.SoftMax(x, y)</c> to <c>SoftmaxPrimitives.Softmax(x, y, x.Length)</c>, one row of
/// <c>x.Length</c> classes computed stably, adding <c>using SoftmaxGen;</c> when the file has none. Offered when the
/// analyzer marked the call fixable: float or double, and an <c>x</c> that can be written twice.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SoftmaxPrimitivesCodeFixProvider)), Shared]
public sealed class SoftmaxPrimitivesCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(UsageDiagnosticDescriptors.UseSoftmaxPrimitivesId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(UsageDiagnosticDescriptors.FixableProperty))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Use SoftmaxPrimitives.Softmax (stable for every finite input)",
                    cancellationToken => FixAsync(context.Document, diagnostic, cancellationToken),
                    equivalenceKey: UsageDiagnosticDescriptors.UseSoftmaxPrimitivesId),
                diagnostic);
        }

        return Task.CompletedTask;
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } invocation ||
            model.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation ||
            operation.TargetMethod.Parameters.Length != 2)
        {
            return document;
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
            return document;
        }

        ExpressionSyntax x = values[0];
        ExpressionSyntax length = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            x is IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax ? x : SyntaxFactory.ParenthesizedExpression(x),
            SyntaxFactory.IdentifierName("Length"));

        ExpressionSyntax softmax = SyntaxFactory.ParseExpression("global::SoftmaxGen.SoftmaxPrimitives.Softmax")
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        InvocationExpressionSyntax rewritten = SyntaxFactory.InvocationExpression(
                softmax,
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                {
                    SyntaxFactory.Argument(x),
                    SyntaxFactory.Argument(values[1]),
                    SyntaxFactory.Argument(length),
                })))
            .WithTriviaFrom(invocation)
            .WithAdditionalAnnotations(Formatter.Annotation);

        Document changed = document.WithSyntaxRoot(root.ReplaceNode(invocation, rewritten));
        changed = await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
