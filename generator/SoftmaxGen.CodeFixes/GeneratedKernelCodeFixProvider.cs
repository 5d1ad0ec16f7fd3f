using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace SoftmaxGen.CodeFixes;

/// <summary>
/// SMG101's fix: declares <c>[SoftmaxKernel(N)] internal static partial class SoftmaxNKernel;</c> in the namespace of the
/// call (after the type holding it) and rewrites <c>SoftmaxPrimitives.Softmax(x, y, N)</c> to <c>SoftmaxNKernel.Softmax(x, y)</c>:
/// the same arguments without <c>classes</c> and <c>precision</c>, which the generated members do not take. A call that
/// passes <c>SoftmaxPrecision.Fast</c> gets <c>[SoftmaxKernel(N, Precision = SoftmaxPrecision.Fast)] ... SoftmaxNFastKernel</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GeneratedKernelCodeFixProvider)), Shared]
public sealed class GeneratedKernelCodeFixProvider : InvocationCodeFixProvider
{
    /// <summary>Creates the fix for SMG101.</summary>
    public GeneratedKernelCodeFixProvider()
        : base(UsageDiagnosticDescriptors.UseGeneratedKernelId)
    {
    }

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    private protected override string? Title(Diagnostic diagnostic) =>
        Classes(diagnostic) is { } classes ? $"Generate a {(IsFast(diagnostic) ? "Fast " : string.Empty)}kernel for {classes} classes and call it" : null;

    private protected override SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation operation, Diagnostic diagnostic)
    {
        if (Classes(diagnostic) is not { } classes)
        {
            return null;
        }

        bool fast = IsFast(diagnostic);
        string kernelName = UniqueTypeName(model, invocation, $"Softmax{classes}{(fast ? "Fast" : string.Empty)}Kernel");

        // The call: the kernel type instead of SoftmaxPrimitives, and no classes or precision argument (the kernel type
        // has both).
        ArgumentSyntax[] removed = operation.Arguments
            .Where(a => a.ArgumentKind == ArgumentKind.Explicit &&
                a.Parameter?.Name is RuntimeNames.SoftmaxPrimitives.ClassesParameter or RuntimeNames.SoftmaxPrimitives.PrecisionParameter)
            .Select(a => a.Syntax)
            .OfType<ArgumentSyntax>()
            .ToArray();
        ArgumentListSyntax arguments = invocation.ArgumentList;
        if (removed.Length > 0)
        {
            arguments = arguments.RemoveNodes(removed, SyntaxRemoveOptions.KeepNoTrivia) ?? arguments;
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
        TypeDeclarationSyntax kernel = KernelDeclaration(kernelName, classes, fast, bodiless: parse.LanguageVersion >= LanguageVersion.CSharp12);

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

        return root;
    }

    /// <summary>The class count the analyzer found, as invariant digits.</summary>
    private static string? Classes(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(UsageDiagnosticDescriptors.ClassesProperty, out string? classes) ? classes : null;

    /// <summary>Whether the call asks for SoftmaxPrecision.Fast (the analyzer sets the property only then).</summary>
    private static bool IsFast(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(UsageDiagnosticDescriptors.PrecisionProperty, out string? precision) && precision == "Fast";

    /// <summary>
    /// <c>[SoftmaxKernel(N)] internal static partial class Name;</c> (with <c>Precision = SoftmaxPrecision.Fast</c> where
    /// <paramref name="fast"/>), with the attribute's and the enum's names simplified against the file's usings.
    /// </summary>
    private static TypeDeclarationSyntax KernelDeclaration(string name, string classes, bool fast, bool bodiless)
    {
        string body = bodiless ? ";" : "\n{\n}";
        string precision = fast ? $", {KernelRules.PrecisionArgument} = {RuntimeNames.SoftmaxPrecision.Fast}" : string.Empty;
        var declaration = (TypeDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(
            $"[{RuntimeNames.KernelAttribute}({classes}{precision})]\ninternal static partial class {name}{body}\n")!;
        AttributeSyntax attribute = declaration.AttributeLists[0].Attributes[0];
        declaration = declaration.ReplaceNodes(
            new SyntaxNode[] { attribute.Name }.Concat(attribute.ArgumentList!.Arguments.Skip(1).Select(a => a.Expression)),
            (original, _) => original.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
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
