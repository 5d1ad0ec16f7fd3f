using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.Editing;

namespace SoftmaxGen.CodeFixes;

/// <summary>
/// A fix that rewrites the call a diagnostic points at: it finds the invocation and its operation, lets the derived
/// fix rewrite the syntax root, then adds the imports, simplifies and formats what the rewrite annotated.
/// </summary>
public abstract class InvocationCodeFixProvider : CodeFixProvider
{
    private readonly string _diagnosticId;

    private protected InvocationCodeFixProvider(string diagnosticId)
    {
        _diagnosticId = diagnosticId;
        FixableDiagnosticIds = ImmutableArray.Create(diagnosticId);
    }

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc/>
    public sealed override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Title(diagnostic) is not { } title)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    title,
                    cancellationToken => FixAsync(context.Document, diagnostic, cancellationToken),
                    equivalenceKey: _diagnosticId),
                diagnostic);
        }

        return Task.CompletedTask;
    }

    /// <summary>The title of the fix for <paramref name="diagnostic"/>, or null where it offers none.</summary>
    private protected abstract string? Title(Diagnostic diagnostic);

    /// <summary>The root with the call rewritten, or null to leave the document as it is.</summary>
    private protected abstract SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation operation, Diagnostic diagnostic);

    private async Task<Document> FixAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null ||
            FindCall(root, model, diagnostic, cancellationToken) is not var (invocation, operation) ||
            Rewrite(root, model, invocation, operation, diagnostic) is not { } rewritten)
        {
            return document;
        }

        return await CleanUpAsync(document.WithSyntaxRoot(rewritten), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The call <paramref name="diagnostic"/> points at, and its operation; null if it is not a call.</summary>
    internal static (InvocationExpressionSyntax Invocation, IInvocationOperation Operation)? FindCall(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is { } invocation &&
        model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation
            ? (invocation, operation)
            : null;

    /// <summary>Adds the imports, simplifies and formats what a rewrite annotated.</summary>
    internal static async Task<Document> CleanUpAsync(Document changed, CancellationToken cancellationToken)
    {
        changed = await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
