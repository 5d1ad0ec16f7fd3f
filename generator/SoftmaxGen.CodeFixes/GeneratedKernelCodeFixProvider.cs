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
    /// <remarks>
    /// Not the batch fixer: fixes computed one by one would each declare a kernel, so two calls with the same class
    /// count would get two types of the same name. <see cref="GeneratedKernelFixAllProvider"/> declares one per class
    /// count and precision and rewrites every call to it.
    /// </remarks>
    public override FixAllProvider GetFixAllProvider() => GeneratedKernelFixAllProvider.Instance;

    private protected override string? Title(Diagnostic diagnostic) =>
        Classes(diagnostic) is { } classes ? $"Generate a {(IsFast(diagnostic) ? "Fast " : string.Empty)}kernel for {classes} classes and call it" : null;

    private protected override SyntaxNode? Rewrite(SyntaxNode root, SemanticModel model, InvocationExpressionSyntax invocation, IInvocationOperation operation, Diagnostic diagnostic)
    {
        if (Classes(diagnostic) is not { } classes)
        {
            return null;
        }

        bool fast = IsFast(diagnostic);
        string kernelName = UniqueTypeName(model, invocation, PreferredName(classes, fast));
        InvocationExpressionSyntax rewritten = RewriteCall(invocation, RemovedArguments(invocation, operation), SyntaxFactory.IdentifierName(kernelName));
        TypeDeclarationSyntax kernel = KernelDeclaration(kernelName, classes, fast, invocation);

        SyntaxNode? anchor = Anchor(invocation);
        root = root.TrackNodes(invocation, anchor is null ? invocation : anchor);
        root = root.ReplaceNode(root.GetCurrentNode(invocation)!, rewritten);
        return InsertKernels(root, anchor is null ? null : root.GetCurrentNode(anchor), [kernel]);
    }

    /// <summary>The kernel type's name before it is made unique: Softmax10Kernel, Softmax10FastKernel.</summary>
    internal static string PreferredName(string classes, bool fast) => $"Softmax{classes}{(fast ? "Fast" : string.Empty)}Kernel";

    /// <summary>
    /// The positions in the call's argument list of the <c>classes</c> and <c>precision</c> arguments, which the
    /// generated members do not take (the kernel type has both).
    /// </summary>
    internal static int[] RemovedArguments(InvocationExpressionSyntax invocation, IInvocationOperation operation) =>
        operation.Arguments
            .Where(a => a.ArgumentKind == ArgumentKind.Explicit &&
                a.Parameter?.Name is RuntimeNames.SoftmaxPrimitives.ClassesParameter or RuntimeNames.SoftmaxPrimitives.PrecisionParameter)
            .Select(a => a.Syntax)
            .OfType<ArgumentSyntax>()
            .Select(a => invocation.ArgumentList.Arguments.IndexOf(a))
            .Where(i => i >= 0)
            .ToArray();

    /// <summary>
    /// The call on <paramref name="kernelType"/> instead of SoftmaxPrimitives, without the arguments at
    /// <paramref name="removed"/>. Positions rather than nodes, so a call whose arguments were rewritten too (a
    /// nested call, in Fix All) keeps those rewrites.
    /// </summary>
    internal static InvocationExpressionSyntax RewriteCall(InvocationExpressionSyntax invocation, int[] removed, ExpressionSyntax kernelType)
    {
        ArgumentListSyntax arguments = invocation.ArgumentList;
        if (removed.Length > 0)
        {
            arguments = arguments.RemoveNodes(removed.Select(i => arguments.Arguments[i]), SyntaxRemoveOptions.KeepNoTrivia) ?? arguments;
        }

        ExpressionSyntax target = invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.WithExpression(kernelType.WithTriviaFrom(access.Expression)),
            SimpleNameSyntax name => SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                kernelType,
                name.WithoutTrivia()).WithTriviaFrom(name),
            _ => invocation.Expression,
        };
        return invocation.WithExpression(target).WithArgumentList(arguments);
    }

    /// <summary>
    /// Where the kernel type goes: after the top-level type (in its namespace) that holds the call, or null for a
    /// call in top-level statements, whose type declarations go after the statements.
    /// </summary>
    internal static MemberDeclarationSyntax? Anchor(SyntaxNode invocation) =>
        invocation.Ancestors().OfType<MemberDeclarationSyntax>()
            .FirstOrDefault(m => m is not GlobalStatementSyntax && m.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax);

    /// <summary><paramref name="kernels"/> after <paramref name="anchor"/> in <paramref name="root"/>, or at the end of the file if it is null.</summary>
    internal static SyntaxNode InsertKernels(SyntaxNode root, SyntaxNode? anchor, TypeDeclarationSyntax[] kernels) =>
        anchor is not null ? root.InsertNodesAfter(anchor, kernels) : ((CompilationUnitSyntax)root).AddMembers(kernels);

    /// <summary>The kernel declaration for a call in <paramref name="at"/>'s file, bodiless from C# 12.</summary>
    internal static TypeDeclarationSyntax KernelDeclaration(string name, string classes, bool fast, SyntaxNode at) =>
        KernelDeclaration(name, classes, fast, bodiless: ((CSharpParseOptions)at.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp12);

    /// <summary>The class count the analyzer found, as invariant digits.</summary>
    internal static string? Classes(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(UsageDiagnosticDescriptors.ClassesProperty, out string? classes) ? classes : null;

    /// <summary>Whether the call asks for SoftmaxPrecision.Fast (the analyzer sets the property only then).</summary>
    internal static bool IsFast(Diagnostic diagnostic) =>
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
    internal static string UniqueTypeName(SemanticModel model, SyntaxNode at, string preferred)
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
