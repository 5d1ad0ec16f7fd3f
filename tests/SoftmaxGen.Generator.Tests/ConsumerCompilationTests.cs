using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// The generated code compiles cleanly in a strict consumer: nullable enabled, every warning wave on (warning level
/// 9999), documentation comments diagnosed as with GenerateDocumentationFile, public kernel types (so a generated
/// public member without a doc comment would be CS1591). Zero warnings and zero errors, then an emit.
/// </summary>
public sealed class ConsumerCompilationTests
{
    /// <summary>Every layout and its edges: block sizes, one vector exactly, one lane past it, the loop threshold, the maximum.</summary>
    public static readonly int[] ClassCounts =
    [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 1000, 1024, 4096, 1_000_000,
    ];

    [Fact]
    public void EveryClassCount_CompilesWithoutWarnings()
    {
        string kernels = string.Join("\n", ClassCounts.Select(c => $$"""

            /// <summary>Kernels for {{c}} classes.</summary>
            [SoftmaxKernel({{c}})]
            public static partial class Kernel{{c}};
            """));

        // The SDK's implicit global usings, so that generated names must not clash with what they bring in.
        const string implicitUsings = """
            global using global::System;
            global using global::System.Collections.Generic;
            global using global::System.IO;
            global using global::System.Linq;
            global using global::System.Net.Http;
            global using global::System.Threading;
            global using global::System.Threading.Tasks;
            """;

        GeneratorRun run = GeneratorHarness.Run([new TestSource("GlobalUsings.cs", implicitUsings), new TestSource("Kernels.cs", $$"""
            using SoftmaxGen;

            namespace Consumer;
            {{kernels}}

            /// <summary>Calls a generated kernel, so the generated members are used as a consumer would.</summary>
            public static class Use
            {
                /// <summary>Normalises one row of ten logits in place.</summary>
                /// <param name="row">The logits, then the probabilities.</param>
                /// <returns>The predicted class.</returns>
                public static int Normalise(float[] row)
                {
                    int[] prediction = new int[1];
                    Kernel10.Argmax(row, prediction);
                    Kernel10.Softmax(row, row);
                    return prediction[0] + Kernel10.Classes - 10;
                }
            }
            """)]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(ClassCounts.Length, run.Sources.Length);

        // Compiles to IL too (a few errors only show up when emitting).
        EmitResult emit = run.OutputCompilation.Emit(Stream.Null);
        Assert.True(emit.Success, "Emit failed:\n" + GeneratorHarness.Format(emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)));
    }
}
