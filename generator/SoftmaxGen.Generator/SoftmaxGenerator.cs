using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SoftmaxGen.Generator;

/// <summary>
/// Generates softmax, log-softmax, cross-entropy and argmax routines specialised to the class count of every
/// <c>[SoftmaxKernel(C)]</c> type. The pipeline: find the attributed declarations, reduce each to a
/// <see cref="KernelSpec"/> (the parser), make the file names unique, and write one file per type (the emitter).
/// Diagnostics come from <see cref="SoftmaxKernelAnalyzer"/>, which checks the same <see cref="KernelRules"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SoftmaxGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<KernelSpec> kernels = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                RuntimeNames.KernelAttributeMetadataName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Kernels);

        // Every kernel, so that file names equal but for case (which AddSource rejects) can be told apart.
        IncrementalValueProvider<EquatableArray<KernelSpec>> all = kernels
            .Collect()
            .Select(static (specs, _) => new EquatableArray<KernelSpec>(specs))
            .WithTrackingName(TrackingNames.AllKernels);

        IncrementalValuesProvider<KernelSpec> files = kernels
            .Combine(all)
            .Select(static (pair, _) => UniqueHintName(pair.Left, pair.Right))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Files);

        // Declarations that break a rule produce no spec; SoftmaxKernelAnalyzer reports why.
        context.RegisterSourceOutput(files, static (context, spec) => context.AddSource(spec.HintName, Emitter.Emit(spec)));
    }

    /// <summary>
    /// The spec with a file name no other kernel has, compared as AddSource compares them (ignoring case), or null
    /// where an earlier kernel has exactly the same file name: two types of one full name, which the compiler rejects
    /// (CS0101, for example a class and a struct both named X), where the first keeps the file. Names equal but for
    /// case (<c>Abc</c> and <c>ABC</c>, both legal) get a hash of the exact full name; the rest keep their names.
    /// </summary>
    private static KernelSpec? UniqueHintName(KernelSpec spec, EquatableArray<KernelSpec> all)
    {
        bool caseOnly = false;
        foreach (KernelSpec other in all)
        {
            if (other.HintName == spec.HintName)
            {
                if (!other.Equals(spec))
                {
                    return null; // an earlier kernel has this exact name
                }

                break;
            }
        }

        foreach (KernelSpec other in all)
        {
            caseOnly |= other.HintName != spec.HintName && string.Equals(other.HintName, spec.HintName, StringComparison.OrdinalIgnoreCase);
        }

        if (!caseOnly)
        {
            return spec;
        }

        string stem = spec.HintName.Substring(0, spec.HintName.Length - KernelRules.HintNameSuffix.Length);
        return spec with { HintName = $"{stem}.case_{Parser.Fnv1a(spec.FullName)}{KernelRules.HintNameSuffix}" };
    }
}
