namespace SoftmaxGen.Generator.Model;

/// <summary>Everything the emitter needs for one <c>[SoftmaxKernel(C)]</c> type: strings and numbers only, so it caches.</summary>
/// <param name="Namespace">The namespace as written in C# (keywords escaped), or null for the global namespace.</param>
/// <param name="ContainingTypes">The enclosing types, outermost first.</param>
/// <param name="Type">The attributed type.</param>
/// <param name="FullName">The type's fully qualified name, for comments.</param>
/// <param name="Classes">The class count.</param>
/// <param name="Precision">The attribute's <c>Precision</c> (<see cref="KernelPrecision.Exact"/> where it is not given).</param>
/// <param name="HintName">The generated file's name.</param>
internal sealed record KernelSpec(
    string? Namespace,
    EquatableArray<TypeDeclaration> ContainingTypes,
    TypeDeclaration Type,
    string FullName,
    int Classes,
    KernelPrecision Precision,
    string HintName);

/// <summary>One partial type declaration: <c>{Modifiers} partial {Keyword} {Name}</c>.</summary>
/// <param name="Modifiers">Modifiers that every part must repeat (<c>static</c>, <c>readonly</c>, <c>ref</c>), or empty.</param>
/// <param name="Keyword"><c>class</c>, <c>struct</c>, <c>interface</c>, <c>record</c> or <c>record struct</c>.</param>
/// <param name="Name">The name, escaped with @ where it is a keyword.</param>
/// <param name="PlainName">The name without escaping, for identifiers built from it.</param>
internal readonly record struct TypeDeclaration(string Modifiers, string Keyword, string Name, string PlainName)
{
    public string Declaration => Modifiers.Length == 0 ? $"partial {Keyword} {Name}" : $"{Modifiers} partial {Keyword} {Name}";
}
