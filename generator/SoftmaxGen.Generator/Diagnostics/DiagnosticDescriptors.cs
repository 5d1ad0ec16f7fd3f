namespace SoftmaxGen.Generator;

/// <summary>Every diagnostic SoftmaxGen reports. IDs are SMG001 upwards; see AnalyzerReleases.Unshipped.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SoftmaxGen";

    public static readonly DiagnosticDescriptor TypeNotPartial = new(
        id: "SMG001",
        title: "A [SoftmaxKernel] type must be partial",
        messageFormat: "'{0}' has [SoftmaxKernel] but is not partial; add the 'partial' modifier so the kernel members can be generated into it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG001"));

    public static readonly DiagnosticDescriptor GenericType = new(
        id: "SMG002",
        title: "A [SoftmaxKernel] type cannot be generic",
        messageFormat: "'{0}' is generic or nested in a generic type; kernels are static and need one concrete type, so move the attribute to a non-generic type",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG002"));

    public static readonly DiagnosticDescriptor ClassCountOutOfRange = new(
        id: "SMG003",
        title: "The class count is out of range",
        messageFormat: "[SoftmaxKernel({0})] on '{1}': the class count must be from 1 to {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG003"));

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
        id: "SMG004",
        title: "The types containing a [SoftmaxKernel] type must be partial",
        messageFormat: "'{0}' is nested in '{1}', which is not partial; add the 'partial' modifier to '{1}' so the kernel members can be generated",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG004"));

    public static readonly DiagnosticDescriptor FileLocalType = new(
        id: "SMG005",
        title: "A [SoftmaxKernel] type cannot be file-local",
        messageFormat: "'{0}' is a file-local type; the generated members live in another file, so declare the type without the 'file' modifier (for example internal)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG005"));

    public static readonly DiagnosticDescriptor MemberCollision = new(
        id: "SMG006",
        title: "A member of a [SoftmaxKernel] type has the name of a generated member",
        messageFormat: "'{0}' {1}, and SoftmaxGen generates a {2} named '{3}' for [SoftmaxKernel] types; rename the member",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG006"));

    public static readonly DiagnosticDescriptor TypeNamedLikeMember = new(
        id: "SMG007",
        title: "A [SoftmaxKernel] type cannot have the name of a generated member",
        messageFormat: "'{0}' has the name of the generated member '{1}', and a member cannot have the name of its type; rename the type",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG007"));

    public static readonly DiagnosticDescriptor MethodOverloadsGenerated = new(
        id: "SMG008",
        title: "A method of a [SoftmaxKernel] type overloads a generated method",
        messageFormat: "'{0}' {1}, and SoftmaxGen generates '{2}' overloads: calls may bind to this one instead of the kernel; rename it, or suppress this warning if the overload is intended",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG008"));

    public static readonly DiagnosticDescriptor NamespaceHidden = new(
        id: "SMG010",
        title: "A type hides a namespace the generated code uses",
        messageFormat: "The type '{0}' hides the namespace '{0}', which the code generated for '{1}' refers to as 'global::{0}'; rename that type or declare it in another namespace",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG010"));

    public static readonly DiagnosticDescriptor LanguageVersionTooOld = new(
        id: "SMG009",
        title: "The C# language version is too old for the generated kernels",
        messageFormat: "[SoftmaxKernel] on '{0}' needs C# {1} or later for the generated code (file-local types), but this file is compiled as C# {2}; set <LangVersion> to {1} or later",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG009"));

    public static readonly DiagnosticDescriptor PrecisionUndefined = new(
        id: "SMG011",
        title: "The precision is not a SoftmaxPrecision value",
        messageFormat: "[SoftmaxKernel] on '{0}': Precision = (SoftmaxPrecision){1} is not a defined SoftmaxPrecision value; use SoftmaxPrecision.Exact or SoftmaxPrecision.Fast",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For("SMG011"));
}
