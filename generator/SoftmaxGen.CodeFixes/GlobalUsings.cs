// The Roslyn namespaces every code fix here works with.
global using Microsoft.CodeAnalysis;
global using Microsoft.CodeAnalysis.CodeFixes;
global using Microsoft.CodeAnalysis.CSharp.Syntax;
global using Microsoft.CodeAnalysis.Formatting;
global using Microsoft.CodeAnalysis.Operations;
global using Microsoft.CodeAnalysis.Simplification;
global using SoftmaxGen.Generator;
