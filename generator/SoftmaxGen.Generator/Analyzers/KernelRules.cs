using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SoftmaxGen.Generator;

/// <summary>
/// What makes a <c>[SoftmaxKernel]</c> declaration one the generator can extend. The analyzer reports every broken
/// rule as a diagnostic; the generator consults the same rules and emits nothing for a declaration that breaks one,
/// so the two can never disagree.
/// </summary>
internal static class KernelRules
{
    /// <summary>The largest class count accepted (SoftmaxKernelAttribute.MaxClasses).</summary>
    internal const int MaxClasses = 1_000_000;

    /// <summary>
    /// The oldest C# the generated code compiles with: it declares each kernel class <c>file</c>-local (C# 11). The
    /// rest (module initializers, native-sized integers, static abstract members are not used) needs at most C# 9.
    /// </summary>
    internal const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp11;

    /// <summary>
    /// The type's first <c>[SoftmaxKernel]</c> and the declaration that carries it. The attribute may sit on several
    /// partial declarations (an error the compiler reports, CS0579): only the first counts, so that one declaration
    /// produces one file.
    /// </summary>
    /// <remarks>
    /// Only classes and structs (records and record structs included) are kernels. On an interface, enum or delegate
    /// the attribute is the compiler's error CS0592 (its AttributeUsage), so they are skipped without a diagnostic.
    /// </remarks>
    public static (AttributeData Attribute, TypeDeclarationSyntax Declaration)? FindKernelAttribute(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return null;
        }

        AttributeData? attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RuntimeNames.KernelAttributeMetadataName);
        if (attribute?.ApplicationSyntaxReference is not { } application ||
            application.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
        {
            return null;
        }

        return (attribute, declaration);
    }

    /// <summary>The class count of the attribute, or null when the argument is missing or not an int (the compiler reports those).</summary>
    public static int? ClassCount(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int classes ? classes : null;

    /// <summary>The attribute's named argument that selects the exponential (SoftmaxKernelAttribute.Precision).</summary>
    internal const string PrecisionArgument = "Precision";

    /// <summary>
    /// The value of the attribute's <c>Precision</c> as written: 0 (Exact) where it is not given, null where it is not a
    /// constant of the enum (the compiler reports that). It may be a value the enum does not define, as in
    /// <c>(SoftmaxPrecision)7</c>; <see cref="Precision"/> and SMG011 tell the two apart.
    /// </summary>
    public static int? PrecisionValue(AttributeData attribute)
    {
        int value = (int)KernelPrecision.Exact;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == PrecisionArgument)
            {
                if (argument.Value.Kind != TypedConstantKind.Enum || argument.Value.Value is not int written)
                {
                    return null;
                }

                value = written;
            }
        }

        return value;
    }

    /// <summary>The attribute's precision, or null where it is missing from the enum or not a constant (no file is generated then).</summary>
    public static KernelPrecision? Precision(AttributeData attribute) =>
        PrecisionValue(attribute) is int value && IsDefined(value) ? (KernelPrecision)value : null;

    private static bool IsDefined(int precision) => precision is (int)KernelPrecision.Exact or (int)KernelPrecision.Fast;

    /// <summary>Whether any of <paramref name="diagnostics"/> stops generation: errors do, warnings (SMG008) do not.</summary>
    public static bool AnyError(List<Diagnostic> diagnostics) =>
        diagnostics.Any(d => d.DefaultSeverity == DiagnosticSeverity.Error);

    /// <summary>The namespaces the generated code names from <c>global::</c>, which a type of the same full name would hide (SMG010).</summary>
    private static readonly string[] HiddenNamespaces = ["System", RuntimeNames.KernelNamespace];

    /// <summary>Every rule the declaration breaks, as diagnostics.</summary>
    public static List<Diagnostic> Check(INamedTypeSymbol type, AttributeData attribute, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        string name = type.ToDisplayString();
        Location identifier = declaration.Identifier.GetLocation();

        if (ClassCount(attribute) is int classes && (classes < 1 || classes > MaxClasses))
        {
            Location where = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? identifier;
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ClassCountOutOfRange, where, classes, name, MaxClasses));
        }

        if (PrecisionValue(attribute) is int precision && !IsDefined(precision))
        {
            // The named argument itself where it can be found; the runtime would refuse such a kernel when the module loads.
            AttributeSyntax? application = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            AttributeArgumentSyntax? argument = application?.ArgumentList?.Arguments.LastOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == PrecisionArgument);
            Location where = argument?.GetLocation() ?? application?.GetLocation() ?? identifier;
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.PrecisionUndefined, where, name, precision.ToString(CultureInfo.InvariantCulture)));
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TypeNotPartial, identifier, name));
        }

        if (type.IsFileLocal)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.FileLocalType, identifier, name));
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GenericType, identifier, name));
                break;
            }
        }

        for (SyntaxNode? node = declaration.Parent; node is TypeDeclarationSyntax parent; node = parent.Parent)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ContainingTypeNotPartial, identifier, name, parent.Identifier.ValueText));
            }
        }

        if (declaration.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: var version } && version < MinimumLanguageVersion)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LanguageVersionTooOld, identifier, name, MinimumLanguageVersion.ToDisplayString(), version.ToDisplayString()));
        }

        // The generated code names the BCL as global::System and the runtime as global::SoftmaxGen.Kernels, where it
        // also declares the kernel class: a type of either name in the user's assembly takes precedence over the
        // namespace (CS0437) or collides with it (CS0101), and nothing generated would bind. (A global type named
        // SoftmaxGen hides the attribute itself, so the user's code reports that.)
        foreach (string hidden in HiddenNamespaces)
        {
            if (DeclaresType(type.ContainingAssembly.GlobalNamespace, hidden))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NamespaceHidden, identifier, hidden, name));
            }
        }

        CheckMemberNames(type, identifier, name, diagnostics);
        return diagnostics;
    }

    /// <summary>Whether <paramref name="global"/> (an assembly's global namespace) declares a type whose full name is <paramref name="fullName"/>.</summary>
    private static bool DeclaresType(INamespaceSymbol global, string fullName)
    {
        string[] parts = fullName.Split('.');
        IEnumerable<INamespaceSymbol> containers = [global];
        for (int i = 0; i < parts.Length - 1; i++)
        {
            string part = parts[i];
            containers = containers.SelectMany(n => n.GetNamespaceMembers().Where(m => m.Name == part)).ToList();
        }

        return containers.Any(n => !n.GetTypeMembers(parts[parts.Length - 1]).IsEmpty);
    }

    /// <summary>SMG006-SMG008: the type's own name and its declared and inherited members against <see cref="GeneratedMembers"/>.</summary>
    private static void CheckMemberNames(INamedTypeSymbol type, Location identifier, string name, List<Diagnostic> diagnostics)
    {
        if (GeneratedMembers.Find(type.Name) is { } sameAsType)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TypeNamedLikeMember, identifier, name, sameAsType.Name));
        }

        foreach (GeneratedMember generated in GeneratedMembers.All)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                bool inherited = !SymbolEqualityComparer.Default.Equals(t, type);
                foreach (ISymbol member in t.GetMembers(generated.Name))
                {
                    if ((inherited && member.DeclaredAccessibility == Accessibility.Private) || IsGeneratedBySoftmaxGen(member))
                    {
                        continue;
                    }

                    string what = inherited
                        ? $"inherits the {Describe(member)} '{member.Name}' from '{t.ToDisplayString()}'"
                        : $"declares the {Describe(member)} '{member.Name}'";

                    // The user's member itself where it is in source; for an inherited one the kernel type, which is what the user controls.
                    Location where = !inherited && member.Locations.FirstOrDefault(l => l.IsInSource) is { } source ? source : identifier;
                    diagnostics.Add(generated.IsMethod && member is IMethodSymbol method && !MayHaveGeneratedSignature(method)
                        ? Diagnostic.Create(DiagnosticDescriptors.MethodOverloadsGenerated, where, name, what, generated.Name)
                        : Diagnostic.Create(DiagnosticDescriptors.MemberCollision, where, name, what, generated.IsMethod ? "method" : "member", generated.Name));
                }
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="method"/> could have the parameters of a generated overload, now or in a later version:
    /// generated methods take only spans, integers, floating-point numbers and SoftmaxGen's enums. Such a method is an
    /// error (SMG006: CS0111 or CS0108 in the generated file, or a silently different overload chosen); one with any other
    /// parameter (an array, a tensor type) can only be an overload, a warning (SMG008).
    /// </summary>
    private static bool MayHaveGeneratedSignature(IMethodSymbol method)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            bool generatedKind = parameter.Type switch
            {
                INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } => true,
                { SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double } => true,
                INamedTypeSymbol { TypeKind: TypeKind.Enum, ContainingNamespace: { Name: RuntimeNames.RootNamespace, ContainingNamespace.IsGlobalNamespace: true } } => true,
                _ => false,
            };
            if (!generatedKind)
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(ISymbol member) => member switch
    {
        IFieldSymbol { IsConst: true } => "constant",
        IFieldSymbol => "field",
        IPropertySymbol => "property",
        IEventSymbol => "event",
        IMethodSymbol => "method",
        ITypeSymbol => "nested type",
        _ => "member",
    };

    /// <summary>
    /// Whether <paramref name="member"/> is one SoftmaxGen generated. The analyzer sees the generated files in a real
    /// build (the generator runs first), and the generated members must not collide with themselves.
    /// </summary>
    private static bool IsGeneratedBySoftmaxGen(ISymbol member)
    {
        if (member.DeclaringSyntaxReferences.IsEmpty)
        {
            return false;
        }

        foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
        {
            SyntaxTree tree = reference.SyntaxTree;
            if (!tree.FilePath.EndsWith(HintNameSuffix, System.StringComparison.Ordinal) ||
                !tree.GetRoot().GetLeadingTrivia().ToString().Contains(GeneratedHeader))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How every generated file's name ends.</summary>
    internal const string HintNameSuffix = ".SoftmaxKernel.g.cs";

    /// <summary>The start of the second line of every generated file.</summary>
    internal const string GeneratedHeader = "// Generated by " + SoftmaxGenerator.Emitter.GeneratorName + " ";
}
