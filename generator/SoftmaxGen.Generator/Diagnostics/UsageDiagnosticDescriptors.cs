namespace SoftmaxGen.Generator;

/// <summary>
/// The usage diagnostics of <see cref="SoftmaxUsageAnalyzer"/>: Info-level hints, with code fixes in SoftmaxGen.CodeFixes,
/// that lead to the fast and safe paths. IDs are SMG101 upwards (SMG001-SMG099 are the declaration rules of
/// <see cref="DiagnosticDescriptors"/>); see AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class UsageDiagnosticDescriptors
{
    private const string Category = "SoftmaxGen.Usage";

    /// <summary>The ID of <see cref="UseGeneratedKernel"/>.</summary>
    public const string UseGeneratedKernelId = "SMG101";

    /// <summary>The ID of <see cref="UseSoftmaxPrimitives"/>.</summary>
    public const string UseSoftmaxPrimitivesId = "SMG102";

    /// <summary>Diagnostic property: the constant class count of an SMG101 call, as invariant digits.</summary>
    public const string ClassesProperty = "Classes";

    /// <summary>Diagnostic property: present (value "Fast") on an SMG101 call that asks for <c>SoftmaxPrecision.Fast</c>, absent for Exact.</summary>
    public const string PrecisionProperty = "Precision";

    /// <summary>Diagnostic property: present (value "true") on an SMG102 call the code fix can rewrite.</summary>
    public const string FixableProperty = "Fixable";

    public static readonly DiagnosticDescriptor UseGeneratedKernel = new(
        id: UseGeneratedKernelId,
        title: "Generate a kernel for a constant class count",
        messageFormat: "SoftmaxPrimitives.{0} is called with the constant class count {1}, and no [SoftmaxKernel({2})] type exists; declare one to get code specialised to {1} classes",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For(UseGeneratedKernelId),
        description: "SoftmaxPrimitives runs a generic vectorised fallback unless the process contains a kernel generated for the same class count and precision. "
            + "A [SoftmaxKernel(N)] type gets straight-line code for exactly N classes (with Precision = SoftmaxPrecision.Fast for calls that pass Fast); the code fix declares one and calls it.");

    public static readonly DiagnosticDescriptor UseSoftmaxPrimitives = new(
        id: UseSoftmaxPrimitivesId,
        title: "TensorPrimitives.SoftMax overflows for large logits",
        messageFormat: "TensorPrimitives.SoftMax does not subtract the maximum: a logit above about 88 (float) overflows exp and the result is NaN; SoftmaxPrimitives.Softmax is stable for every finite input",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinks.For(UseSoftmaxPrimitivesId),
        description: "TensorPrimitives.SoftMax computes exp(x) / sum(exp(x)) directly, so exp overflows to infinity for x above about 88.7 in float "
            + "(709.8 in double) and the result is NaN. SoftmaxPrimitives.Softmax(x, y, x.Length) subtracts the row maximum first, as PyTorch does.");
}
