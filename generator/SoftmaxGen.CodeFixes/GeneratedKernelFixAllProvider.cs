using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CSharp;

namespace SoftmaxGen.CodeFixes;

/// <summary>
/// Fix All for SMG101 (in a document, a project or the solution, as <c>dotnet format</c> and the IDE ask): in each
/// project, one kernel type per class count and precision, declared where the single fix would declare it for the
/// first call (by file path, then position), and every call rewritten to it, in any file of the project. The names
/// of other calls' kernels are written fully qualified and simplified, so a call in another namespace names it as
/// it can.
/// </summary>
internal sealed class GeneratedKernelFixAllProvider : FixAllProvider
{
    public static readonly GeneratedKernelFixAllProvider Instance = new();

    private GeneratedKernelFixAllProvider()
    {
    }

    /// <inheritdoc/>
    public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution];

    /// <inheritdoc/>
    public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
    {
        var diagnostics = new List<Diagnostic>();
        switch (fixAllContext.Scope)
        {
            case FixAllScope.Document when fixAllContext.Document is { } document:
                diagnostics.AddRange(await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false));
                break;
            case FixAllScope.Project:
                diagnostics.AddRange(await fixAllContext.GetAllDiagnosticsAsync(fixAllContext.Project).ConfigureAwait(false));
                break;
            case FixAllScope.Solution:
                foreach (Project project in fixAllContext.Solution.Projects)
                {
                    diagnostics.AddRange(await fixAllContext.GetAllDiagnosticsAsync(project).ConfigureAwait(false));
                }

                break;
            default:
                return null;
        }

        Solution solution = fixAllContext.Solution;
        Diagnostic[] fixable = diagnostics
            .Where(d => d.Id == UsageDiagnosticDescriptors.UseGeneratedKernelId && d.Location.IsInSource && GeneratedKernelCodeFixProvider.Classes(d) is not null)
            .ToArray();
        return fixable.Length == 0
            ? null
            : CodeAction.Create(
                "Generate kernels for every constant class count and call them",
                cancellationToken => FixAllAsync(solution, fixable, cancellationToken),
                fixAllContext.CodeActionEquivalenceKey);
    }

    private static async Task<Solution> FixAllAsync(Solution solution, Diagnostic[] diagnostics, CancellationToken cancellationToken)
    {
        // Every call, found in the solution as it was.
        var calls = new List<Call>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (solution.GetDocument(diagnostic.Location.SourceTree) is not { } document ||
                await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root ||
                await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model ||
                InvocationCodeFixProvider.FindCall(root, model, diagnostic, cancellationToken) is not var (invocation, operation))
            {
                continue;
            }

            calls.Add(new Call(document, model, invocation, GeneratedKernelCodeFixProvider.RemovedArguments(invocation, operation),
                GeneratedKernelCodeFixProvider.Classes(diagnostic)!, GeneratedKernelCodeFixProvider.IsFast(diagnostic)));
        }

        // One kernel per project, class count and precision; a call reported twice is rewritten once.
        var rewrites = new Dictionary<DocumentId, List<(InvocationExpressionSyntax Invocation, int[] Removed, ExpressionSyntax KernelType)>>();
        var kernels = new Dictionary<DocumentId, List<(MemberDeclarationSyntax? Anchor, TypeDeclarationSyntax Kernel)>>();
        foreach (IGrouping<(ProjectId, string, bool), Call> group in calls
            .GroupBy(c => (c.Document.Project.Id, c.Classes, c.Fast))
            .OrderBy(g => g.Key.Item2.Length).ThenBy(g => g.Key.Item2, StringComparer.Ordinal).ThenBy(g => g.Key.Item3))
        {
            Call[] ordered = group
                .GroupBy(c => (c.Document.Id, c.Invocation.Span))
                .Select(g => g.First())
                .OrderBy(c => c.Document.FilePath ?? c.Document.Name, StringComparer.Ordinal)
                .ThenBy(c => c.Invocation.SpanStart)
                .ToArray();
            Call first = ordered[0];
            var (classes, fast) = (group.Key.Item2, group.Key.Item3);
            string name = GeneratedKernelCodeFixProvider.UniqueTypeName(first.Model, first.Invocation, GeneratedKernelCodeFixProvider.PreferredName(classes, fast));
            MemberDeclarationSyntax? anchor = GeneratedKernelCodeFixProvider.Anchor(first.Invocation);
            string qualified = anchor?.Parent is BaseNamespaceDeclarationSyntax namespaceDeclaration &&
                first.Model.GetDeclaredSymbol(namespaceDeclaration, cancellationToken) is INamespaceSymbol { IsGlobalNamespace: false } containing
                ? $"global::{containing.ToDisplayString()}.{name}"
                : $"global::{name}";

            Add(kernels, first.Document.Id, (anchor, GeneratedKernelCodeFixProvider.KernelDeclaration(name, classes, fast, first.Invocation)));
            foreach (Call call in ordered)
            {
                // The first call names the kernel as the single fix does; the others by its full name, simplified.
                ExpressionSyntax kernelType = ReferenceEquals(call, first)
                    ? SyntaxFactory.IdentifierName(name)
                    : SyntaxFactory.ParseExpression(qualified).WithAdditionalAnnotations(Simplifier.Annotation);
                Add(rewrites, call.Document.Id, (call.Invocation, call.Removed, kernelType));
            }
        }

        // Every file rewritten first, then cleaned up against the new solution, where the kernels exist.
        Solution changed = solution;
        foreach (DocumentId id in rewrites.Keys.Union(kernels.Keys))
        {
            Document document = solution.GetDocument(id)!;
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            var fileRewrites = rewrites.TryGetValue(id, out var r) ? r : [];
            var fileKernels = kernels.TryGetValue(id, out var k) ? k : [];
            // Tracked, so the anchors are found after the calls are rewritten and the calls in the tracked root.
            root = root.TrackNodes(fileKernels.Select(x => x.Anchor).OfType<SyntaxNode>().Concat(fileRewrites.Select(x => x.Invocation)));
            var byCall = fileRewrites.ToDictionary(x => root.GetCurrentNode(x.Invocation)!);
            root = root.ReplaceNodes(
                byCall.Keys,
                (original, current) => GeneratedKernelCodeFixProvider.RewriteCall(current, byCall[original].Removed, byCall[original].KernelType));
            foreach (var atAnchor in fileKernels.GroupBy(x => x.Anchor))
            {
                SyntaxNode? anchor = atAnchor.Key is null ? null : root.GetCurrentNode(atAnchor.Key);
                root = GeneratedKernelCodeFixProvider.InsertKernels(root, anchor, atAnchor.Select(x => x.Kernel).ToArray());
            }

            changed = changed.WithDocumentSyntaxRoot(id, root);
        }

        Solution result = changed;
        foreach (DocumentId id in rewrites.Keys.Union(kernels.Keys))
        {
            Document cleaned = await InvocationCodeFixProvider.CleanUpAsync(changed.GetDocument(id)!, cancellationToken).ConfigureAwait(false);
            result = result.WithDocumentSyntaxRoot(id, (await cleaned.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!);
        }

        return result;
    }

    private static void Add<T>(Dictionary<DocumentId, List<T>> map, DocumentId id, T item)
    {
        if (!map.TryGetValue(id, out List<T>? list))
        {
            map[id] = list = [];
        }

        list.Add(item);
    }

    /// <summary>An SMG101 call: where it is, the positions of the arguments the kernel does not take, and its kernel's class count and precision.</summary>
    private sealed record Call(Document Document, SemanticModel Model, InvocationExpressionSyntax Invocation, int[] Removed, string Classes, bool Fast);
}
