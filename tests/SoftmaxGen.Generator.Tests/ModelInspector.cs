using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// Walks the values a pipeline step produced, field by field through their runtime types (the generator's models are
/// internal, so this is reflection), and fails if any of them holds something tied to one compilation: a symbol, a
/// syntax node, token or tree, a location, a semantic model or the compilation itself. Such a value defeats the
/// incremental cache and keeps old compilations alive.
/// </summary>
internal static class ModelInspector
{
    /// <summary>The model types the Kernels step is expected to produce and hold; checked so the walk is never vacuous.</summary>
    private static readonly string[] KernelModelTypes = ["KernelSpec", "TypeDeclaration"];

    public static void AssertStepOutputsHoldNoCompilerObjects(GeneratorDriverRunResult result, string stepName, bool expectKernels)
    {
        var seenTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (IncrementalGeneratorRunStep step in GeneratorHarness.Steps(result, stepName))
        {
            foreach ((object value, IncrementalStepRunReason _) in step.Outputs)
            {
                Visit(value, $"{stepName}[{value.GetType().Name}]", new HashSet<object>(ReferenceEqualityComparer.Instance), seenTypes);
            }
        }

        if (expectKernels)
        {
            foreach (string type in KernelModelTypes)
            {
                Assert.True(seenTypes.Contains(type), $"The {stepName} step outputs never held a {type}; seen: {string.Join(", ", seenTypes.Order())}.");
            }
        }
    }

    private static void Visit(object? value, string path, HashSet<object> visited, HashSet<string> seenTypes)
    {
        if (value is null)
        {
            return;
        }

        Type type = value.GetType();
        if (IsForbidden(value))
        {
            Assert.Fail($"{path} holds a {type.FullName}: a step output must hold only values (strings, numbers, enums, equatable arrays).");
        }

        if (type.IsPrimitive || type.IsEnum || value is string or decimal or Type or MemberInfo or Delegate or Pointer)
        {
            return;
        }

        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        seenTypes.Add(type.Name);
        if (value is IEnumerable sequence)
        {
            int index = 0;
            foreach (object? item in sequence)
            {
                Visit(item, $"{path}[{index++}]", visited, seenTypes);
            }

            if (type.IsArray)
            {
                return;
            }
        }

        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Visit(field.GetValue(value), $"{path}.{field.Name}", visited, seenTypes);
            }
        }
    }

    private static bool IsForbidden(object value) =>
        value is ISymbol or SyntaxNode or SyntaxTree or SyntaxReference or Location or Compilation or SemanticModel
            or AttributeData or SyntaxToken or SyntaxTrivia or SyntaxNodeOrToken or TypedConstant;
}
