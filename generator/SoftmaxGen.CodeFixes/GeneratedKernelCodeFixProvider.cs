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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using SoftmaxGen.Generator;

namespace SoftmaxGen.CodeFixes;

/// <summary>
/// SMG101's fix: declares <c>[SoftmaxKernel(N)] internal static partial class SoftmaxNKernel;</c> in the namespace of the
/// call (after the type holding it) and rewrites <c>SoftmaxPrimitives.Softmax(x, y, N)</c> to <c>SoftmaxNKernel.Softmax(x, y)</c>:
/// the same arguments without <c>classes</c>, which the generated members do not take.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GeneratedKernelCodeFixProvider)), Shared]
public sealed class GeneratedKernelCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(UsageDiagnosticDescriptors.UseGeneratedKernelId);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(UsageDiagnosticDescriptors.ClassesProperty, out string? classes) || classes is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Generate a kernel for {classes} classes and call it",
                    cancellationToken => FixAsync(context.Document, diagnostic, classes, cancellationToken),
                    equivalenceKey: UsageDiagnosticDescriptors.UseGeneratedKernelId),
                diagnostic);
        }

        return Task.CompletedTask;
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, string classes, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } invocation ||
            model.GetOperation(invocation, cancellationToken) is not Microsoft.CodeAnalysis.Operations.IInvocationOperation operation)
        {
            return document;
        }

        string kernelName = UniqueTypeName(model, invocation, $"Softmax{classes}Kernel");

        // The call: the kernel type instead of SoftmaxPrimitives, and no classes argument.
        ArgumentSyntax? classesArgument = operation.Arguments
            .FirstOrDefault(a => a.Parameter?.Name == "classes")?.Syntax as ArgumentSyntax;
        ArgumentListSyntax arguments = invocation.ArgumentList;
        if (classesArgument is not null)
        {
            arguments = arguments.RemoveNode(classesArgument, SyntaxRemoveOptions.KeepNoTrivia) ?? arguments;
        }

        ExpressionSyntax target = invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.WithExpression(SyntaxFactory.IdentifierName(kernelName).WithTriviaFrom(access.Expression)),
            SimpleNameSyntax name => SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.IdentifierName(kernelName),
                name.WithoutTrivia()).WithTriviaFrom(name),
            _ => invocation.Expression,
        };
        InvocationExpressionSyntax rewritten = invocation.WithExpression(target).WithArgumentList(arguments);

        // The kernel type: in the call's namespace, after the top-level type that holds the call.
        var parse = (CSharpParseOptions)invocation.SyntaxTree.Options;
        TypeDeclarationSyntax kernel = KernelDeclaration(kernelName, classes, bodiless: parse.LanguageVersion >= LanguageVersion.CSharp12);

        SyntaxNode? anchor = invocation.Ancestors().OfType<MemberDeclarationSyntax>()
            .FirstOrDefault(m => m is not GlobalStatementSyntax && m.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax);
        root = root.TrackNodes(invocation, anchor is null ? invocation : anchor);
        root = root.ReplaceNode(root.GetCurrentNode(invocation)!, rewritten);

        if (anchor is not null && root.GetCurrentNode(anchor) is { } currentAnchor)
        {
            root = root.InsertNodesAfter(currentAnchor, [kernel]);
        }
        else
        {
            // A call in top-level statements: type declarations go after the statements.
            var unit = (CompilationUnitSyntax)root;
            root = unit.AddMembers(kernel);
        }

        Document changed = document.WithSyntaxRoot(root);
        changed = await Microsoft.CodeAnalysis.Editing.ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>[SoftmaxKernel(N)] internal static partial class Name;</c>, with the attribute's name simplified against the file's usings.</summary>
    private static TypeDeclarationSyntax KernelDeclaration(string name, string classes, bool bodiless)
    {
        string body = bodiless ? ";" : "\n{\n}";
        var declaration = (TypeDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(
            $"[global::SoftmaxGen.SoftmaxKernel({classes})]\ninternal static partial class {name}{body}\n")!;
        AttributeSyntax attribute = declaration.AttributeLists[0].Attributes[0];
        declaration = declaration.ReplaceNode(
            attribute.Name,
            attribute.Name.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
        return declaration
            .WithLeadingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary><paramref name="preferred"/>, or with 2, 3, ... appended, whichever names nothing visible at the call.</summary>
    private static string UniqueTypeName(SemanticModel model, SyntaxNode at, string preferred)
    {
        string name = preferred;
        for (int i = 2; !model.LookupSymbols(at.SpanStart, name: name).IsEmpty ||
            !model.LookupNamespacesAndTypes(at.SpanStart, name: name).IsEmpty; i++)
        {
            name = preferred + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }
}
