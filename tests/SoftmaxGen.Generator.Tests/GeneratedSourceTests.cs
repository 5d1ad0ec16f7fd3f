using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// Snapshots of the generated file, one test per layout and per kind of declaration. The snapshot files
/// (Snapshots/GeneratedSourceTests.{Test}#{HintName}.verified.cs) are the documentation of what the generator writes.
/// The float layout at the widest tier names each class-count test: Block up to 12 classes, Row up to 128, Loop beyond.
/// </summary>
public sealed class GeneratedSourceTests
{
    private static GeneratorRun Kernel(int classes, string name = "Digits") =>
        GeneratorHarness.Run($$"""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel({{classes}})]
            internal static partial class {{name}};
            """);

    [Fact]
    public void Classes1_Block() => Snapshot.Match(Kernel(1, "Single"));

    [Fact]
    public void Classes2_Block() => Snapshot.Match(Kernel(2, "Binary"));

    [Fact]
    public void Classes3_Block() => Snapshot.Match(Kernel(3, "Ternary"));

    [Fact]
    public void Classes4_Block() => Snapshot.Match(Kernel(4, "Suits"));

    [Fact]
    public void Classes8_Block() => Snapshot.Match(Kernel(8, "Octal"));

    [Fact]
    public void Classes10_Block() => Snapshot.Match(Kernel(10));

    [Fact]
    public void Classes16_Row() => Snapshot.Match(Kernel(16, "Hex"));

    [Fact]
    public void Classes17_RowWithOverlappingLastVector() => Snapshot.Match(Kernel(17, "Seventeen"));

    [Fact]
    public void Classes100_Row() => Snapshot.Match(Kernel(100, "Cifar100"));

    [Fact]
    public void Classes1000_Loop() => Snapshot.Match(Kernel(1000, "ImageNet"));

    [Fact]
    public void ClassNestedInClass() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        /// <summary>Holds a kernel.</summary>
        public static partial class Models
        {
            [SoftmaxKernel(26)]
            internal static partial class Letters;
        }
        """));

    [Fact]
    public void StructNestedInClassNestedInClass() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        internal partial class Outer
        {
            internal sealed partial class Middle
            {
                [SoftmaxKernel(26)]
                internal readonly partial struct Inner;
            }
        }
        """));

    [Fact]
    public void Struct() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel(26)]
        internal partial struct Letters;
        """));

    [Fact]
    public void NonStaticClass() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel(26)]
        internal sealed partial class Letters
        {
            public int Instances { get; set; }
        }
        """));

    [Fact]
    public void Record() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel(26)]
        internal sealed partial record Letters(string Name);
        """));

    [Fact]
    public void ReadOnlyRecordStruct() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel(26)]
        internal readonly partial record struct Letters(int Id);
        """));

    [Fact]
    public void GlobalNamespace() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        [SoftmaxKernel(26)]
        internal static partial class Letters;
        """));

    [Fact]
    public void NamespaceWithKeywordSegment() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples.@class.Models
        {
            [SoftmaxKernel(26)]
            internal static partial class Letters;
        }
        """));

    [Fact]
    public void TypeNamedWithKeyword() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel(26)]
        internal static partial class @event;
        """));

    [Fact]
    public void PrivateAndInternalNestedTypes() => Snapshot.Match(GeneratorHarness.Run("""
        using SoftmaxGen;

        namespace Samples;

        /// <summary>Holds two kernels.</summary>
        public partial class Host
        {
            [SoftmaxKernel(26)]
            private static partial class Hidden;

            [SoftmaxKernel(27)]
            internal partial struct Shared;

            /// <summary>Uses the private kernel, so it is not unused.</summary>
            public static int HiddenClasses => Hidden.Classes;
        }
        """));
}
