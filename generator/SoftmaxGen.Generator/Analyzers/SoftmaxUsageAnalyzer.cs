using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace SoftmaxGen.Generator;

/// <summary>
/// Points calls at the fast and safe paths, in the spirit of the Regex generator's "use GeneratedRegex" analyzer:
/// <list type="bullet">
/// <item><description>SMG101: a <c>SoftmaxPrimitives</c> call whose <c>classes</c> argument (and <c>precision</c>, where it
/// has one) is a compile-time constant, with no <c>[SoftmaxKernel]</c> type of that class count and precision in the
/// compilation;</description></item>
/// <item><description>SMG102: a <c>TensorPrimitives.SoftMax</c> call, which overflows (NaN) for logits above about 88.</description></item>
/// </list>
/// Both are Info; SoftmaxGen.CodeFixes rewrites the calls.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SoftmaxUsageAnalyzer : SoftmaxGenAnalyzer
{
    private const string TensorPrimitivesMetadataName = "System.Numerics.Tensors.TensorPrimitives";

    /// <summary>The <c>SoftmaxPrimitives</c> methods a generated kernel has too, with the same parameters less <c>classes</c>.</summary>
    internal static readonly ImmutableHashSet<string> KernelMethods =
        ImmutableHashSet.Create(
            StringComparer.Ordinal,
            RuntimeNames.SoftmaxPrimitives.Softmax,
            RuntimeNames.SoftmaxPrimitives.LogSoftmax,
            RuntimeNames.SoftmaxPrimitives.CrossEntropy,
            RuntimeNames.SoftmaxPrimitives.Argmax);

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        UsageDiagnosticDescriptors.UseGeneratedKernel,
        UsageDiagnosticDescriptors.UseSoftmaxPrimitives);

    /// <inheritdoc/>
    protected override void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        Compilation compilation = context.Compilation;
        INamedTypeSymbol? primitives = compilation.GetTypeByMetadataName(RuntimeNames.SoftmaxPrimitives.MetadataName);
        INamedTypeSymbol? attribute = compilation.GetTypeByMetadataName(RuntimeNames.KernelAttributeMetadataName);
        INamedTypeSymbol? tensorPrimitives = compilation.GetTypeByMetadataName(TensorPrimitivesMetadataName);
        if (primitives is null && tensorPrimitives is null)
        {
            return;
        }

        // The class counts and precisions of the compilation's [SoftmaxKernel] types, found once and only if a call needs them.
        var kernelCounts = new Lazy<HashSet<(int Classes, int Precision)>>(() => KernelClassCounts(compilation, attribute));

        context.RegisterOperationAction(
            operationContext => AnalyzeInvocation(operationContext, primitives, tensorPrimitives, kernelCounts),
            OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol? primitives, INamedTypeSymbol? tensorPrimitives, Lazy<HashSet<(int Classes, int Precision)>> kernelCounts)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        INamedTypeSymbol containing = method.ContainingType;

        if (primitives is not null && SymbolEqualityComparer.Default.Equals(containing, primitives) && KernelMethods.Contains(method.Name))
        {
            // Only a constant in the range the generator accepts, and a precision known at compile time (the kernel is
            // looked up by both): any other value throws at run time anyway.
            IArgumentOperation? classes = FindArgument(invocation, RuntimeNames.SoftmaxPrimitives.ClassesParameter);
            if (classes?.Value.ConstantValue is { HasValue: true, Value: int count } &&
                count >= 1 && count <= KernelRules.MaxClasses &&
                CallPrecision(invocation) is int precision &&
                !kernelCounts.Value.Contains((count, precision)))
            {
                string text = count.ToString(CultureInfo.InvariantCulture);
                bool fast = precision == (int)KernelPrecision.Fast;
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty.Add(UsageDiagnosticDescriptors.ClassesProperty, text);
                context.ReportDiagnostic(Diagnostic.Create(
                    UsageDiagnosticDescriptors.UseGeneratedKernel,
                    invocation.Syntax.GetLocation(),
                    fast ? properties.Add(UsageDiagnosticDescriptors.PrecisionProperty, nameof(KernelPrecision.Fast)) : properties,
                    method.Name,
                    text,
                    fast ? $"{text}, {KernelRules.PrecisionArgument} = SoftmaxPrecision.{nameof(KernelPrecision.Fast)}" : text));
            }

            return;
        }

        if (tensorPrimitives is not null && SymbolEqualityComparer.Default.Equals(containing, tensorPrimitives) && method.Name == "SoftMax")
        {
            // The fix writes SoftmaxPrimitives.Softmax(x, y, x.Length): only for float or double, and only when x can be
            // evaluated twice without a side effect.
            ITypeSymbol? element = method.Parameters.Length == 2 && method.Parameters[0].Type is INamedTypeSymbol { TypeArguments.Length: 1 } span
                ? span.TypeArguments[0]
                : null;
            IArgumentOperation? input = invocation.Arguments.Length == 2 ? FindArgument(invocation, method.Parameters[0].Name) : null;
            bool fixable = element?.SpecialType is SpecialType.System_Single or SpecialType.System_Double &&
                input is not null && IsRepeatable(input.Value);

            ImmutableDictionary<string, string?> properties = fixable
                ? ImmutableDictionary<string, string?>.Empty.Add(UsageDiagnosticDescriptors.FixableProperty, "true")
                : ImmutableDictionary<string, string?>.Empty;
            context.ReportDiagnostic(Diagnostic.Create(UsageDiagnosticDescriptors.UseSoftmaxPrimitives, invocation.Syntax.GetLocation(), properties));
        }
    }

    /// <summary>
    /// The precision the call asks for: Exact where the method has no precision parameter or the argument is left to its
    /// default, the constant's value where it is Exact or Fast, null where it is not a constant or not a defined value.
    /// </summary>
    private static int? CallPrecision(IInvocationOperation invocation)
    {
        IArgumentOperation? argument = FindArgument(invocation, RuntimeNames.SoftmaxPrimitives.PrecisionParameter);
        if (argument is null || argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            return (int)KernelPrecision.Exact;
        }

        return argument.Value.ConstantValue is { HasValue: true, Value: int precision } && precision is (int)KernelPrecision.Exact or (int)KernelPrecision.Fast
            ? precision
            : null;
    }

    private static IArgumentOperation? FindArgument(IInvocationOperation invocation, string parameterName)
    {
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == parameterName)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="value"/> can be written a second time (as <c>x.Length</c>) with the same meaning: a local,
    /// a parameter, a field or a property of one, through the implicit conversion to a span.
    /// </summary>
    private static bool IsRepeatable(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        return value switch
        {
            ILocalReferenceOperation or IParameterReferenceOperation or IInstanceReferenceOperation => true,
            IFieldReferenceOperation field => field.Instance is null || IsRepeatable(field.Instance),
            IPropertyReferenceOperation { Arguments.Length: 0 } property => property.Instance is null || IsRepeatable(property.Instance),
            _ => false,
        };
    }

    /// <summary>The class counts and precisions of the <c>[SoftmaxKernel]</c> types declared in the compilation.</summary>
    private static HashSet<(int Classes, int Precision)> KernelClassCounts(Compilation compilation, INamedTypeSymbol? attribute)
    {
        var counts = new HashSet<(int Classes, int Precision)>();
        if (attribute is null)
        {
            return counts;
        }

        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.SourceModule.GlobalNamespace);
        while (pending.Count > 0)
        {
            INamespaceOrTypeSymbol current = pending.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (INamespaceOrTypeSymbol member in ns.GetMembers())
                {
                    pending.Push(member);
                }

                continue;
            }

            var type = (INamedTypeSymbol)current;
            foreach (AttributeData data in type.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute) && KernelRules.ClassCount(data) is int count &&
                    KernelRules.PrecisionValue(data) is int precision)
                {
                    counts.Add((count, precision));
                }
            }

            foreach (INamedTypeSymbol nested in type.GetTypeMembers())
            {
                pending.Push(nested);
            }
        }

        return counts;
    }
}
