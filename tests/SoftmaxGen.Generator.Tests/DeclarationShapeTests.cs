using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SoftmaxGen.Generator.Tests;

/// <summary>
/// How the generated file wraps the kernel for each kind of declaration: the file (hint) name, the header, the
/// namespace, the containing types and the partial declaration, which repeats the user's modifiers except the
/// accessibility. The rest of the file, with the type's names put back, must equal the file generated for the common
/// declaration (<c>internal static partial class Letters</c> in <c>namespace Samples</c>, 26 classes), whose full text
/// is the snapshot <see cref="GeneratedSourceTests.Classes26_Columns"/>. So these tests fail on any difference
/// between declaration shapes other than the wrapping they assert.
/// </summary>
public sealed class DeclarationShapeTests
{
    private const string CommonSource = """
        using SoftmaxGen;

        namespace Samples;

        [SoftmaxKernel(26)]
        internal static partial class Letters;
        """;

    private static readonly Lazy<GeneratedFile> Common = new(() => Assert.Single(GeneratorHarness.Run(CommonSource).Sources));

    [Fact]
    public void CommonDeclaration() => AssertShape(
        Common.Value,
        "Samples.Letters.SoftmaxKernel.g.cs",
        "Samples.Letters",
        "Letters",
        """
        namespace Samples
        {
            static partial class Letters
            {
        """);

    [Fact]
    public void ClassNestedInClass() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            /// <summary>Holds a kernel.</summary>
            public static partial class Models
            {
                [SoftmaxKernel(26)]
                internal static partial class Letters;
            }
            """).Sources),
        "Samples.Models.Letters.SoftmaxKernel.g.cs",
        "Samples.Models.Letters",
        "Letters",
        """
        namespace Samples
        {
            static partial class Models
            {
                static partial class Letters
                {
        """);

    [Fact]
    public void StructNestedInClassNestedInClass() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
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
            """).Sources),
        "Samples.Outer.Middle.Inner.SoftmaxKernel.g.cs",
        "Samples.Outer.Middle.Inner",
        "Inner",
        """
        namespace Samples
        {
            partial class Outer
            {
                partial class Middle
                {
                    readonly partial struct Inner
                    {
        """);

    [Fact]
    public void Struct() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(26)]
            internal partial struct Letters;
            """).Sources),
        "Samples.Letters.SoftmaxKernel.g.cs",
        "Samples.Letters",
        "Letters",
        """
        namespace Samples
        {
            partial struct Letters
            {
        """);

    [Fact]
    public void NonStaticClass() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(26)]
            internal sealed partial class Letters
            {
                public int Instances { get; set; }
            }
            """).Sources),
        "Samples.Letters.SoftmaxKernel.g.cs",
        "Samples.Letters",
        "Letters",
        """
        namespace Samples
        {
            partial class Letters
            {
        """);

    [Fact]
    public void Record() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(26)]
            internal sealed partial record Letters(string Name);
            """).Sources),
        "Samples.Letters.SoftmaxKernel.g.cs",
        "Samples.Letters",
        "Letters",
        """
        namespace Samples
        {
            partial record Letters
            {
        """);

    [Fact]
    public void ReadOnlyRecordStruct() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(26)]
            internal readonly partial record struct Letters(int Id);
            """).Sources),
        "Samples.Letters.SoftmaxKernel.g.cs",
        "Samples.Letters",
        "Letters",
        """
        namespace Samples
        {
            readonly partial record struct Letters
            {
        """);

    [Fact]
    public void GlobalNamespace() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            [SoftmaxKernel(26)]
            internal static partial class Letters;
            """).Sources),
        "Letters.SoftmaxKernel.g.cs",
        "Letters",
        "Letters",
        """
        static partial class Letters
        {
        """);

    [Fact]
    public void NamespaceWithKeywordSegment() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples.@class.Models
            {
                [SoftmaxKernel(26)]
                internal static partial class Letters;
            }
            """).Sources),
        "Samples.class.Models.Letters.SoftmaxKernel.g.cs",
        "Samples.@class.Models.Letters",
        "Letters",
        """
        namespace Samples.@class.Models
        {
            static partial class Letters
            {
        """);

    [Fact]
    public void TypeNamedWithKeyword() => AssertShape(
        Assert.Single(GeneratorHarness.Run("""
            using SoftmaxGen;

            namespace Samples;

            [SoftmaxKernel(26)]
            internal static partial class @event;
            """).Sources),
        "Samples.event.SoftmaxKernel.g.cs",
        "Samples.@event",
        "event",
        """
        namespace Samples
        {
            static partial class @event
            {
        """);

    [Fact]
    public void PrivateAndInternalNestedTypes()
    {
        GeneratorRun run = GeneratorHarness.Run("""
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
            """);
        Assert.Equal(["Samples.Host.Hidden.SoftmaxKernel.g.cs", "Samples.Host.Shared.SoftmaxKernel.g.cs"], run.Sources.Select(s => s.HintName));
        AssertShape(
            run.Source("Samples.Host.Hidden.SoftmaxKernel.g.cs"),
            "Samples.Host.Hidden.SoftmaxKernel.g.cs",
            "Samples.Host.Hidden",
            "Hidden",
            """
            namespace Samples
            {
                partial class Host
                {
                    static partial class Hidden
                    {
            """);

        // 27 classes: a kernel of its own, so only its wrapping is compared.
        AssertShape(
            run.Source("Samples.Host.Shared.SoftmaxKernel.g.cs"),
            "Samples.Host.Shared.SoftmaxKernel.g.cs",
            "Samples.Host.Shared",
            "Shared",
            """
            namespace Samples
            {
                partial class Host
                {
                    partial struct Shared
                    {
            """,
            classes: 27);
    }

    /// <summary>
    /// Checks <paramref name="file"/>'s name, its header line, the declarations that open it
    /// (<paramref name="declaration"/>: the lines between <c>#nullable enable</c> and the first member) and the braces
    /// that close them; for 26 classes, also that everything else equals the common declaration's file.
    /// </summary>
    private static void AssertShape(GeneratedFile file, string hintName, string displayName, string identifier, string declaration, int classes = 26)
    {
        Assert.Equal(hintName, file.HintName);
        Shape shape = Shape.Of(file, displayName, identifier);
        Assert.Equal($"// Generated by SoftmaxGen.Generator {Snapshot.ScrubbedVersion}: softmax kernels specialised to {classes} classes for {displayName}.", shape.Header);
        Assert.Equal(GeneratorHarness.Normalize(declaration), string.Join("\n", shape.Declaration));

        // Each line of the declaration that opens a brace is closed in reverse order, at the same indentation.
        string[] expectedClosing = shape.Declaration.Where(line => line.Trim() == "{").Reverse().Select(line => line.Replace('{', '}')).ToArray();
        Assert.Equal(expectedClosing, shape.Closing);

        if (classes == 26)
        {
            string common = Shape.Of(Common.Value, "Samples.Letters", "Letters").Body;
            Assert.True(
                shape.Body == common,
                $"{hintName} differs from the common declaration's file beyond its wrapping:\n" + Snapshot.UnifiedDiff(common, shape.Body, "common", hintName));
        }
    }

    /// <summary>A generated file cut into its header line, its opening declarations, their closing braces, and the rest.</summary>
    private sealed record Shape(string Header, IReadOnlyList<string> Declaration, IReadOnlyList<string> Closing, string Body)
    {
        private const string FirstMember = "/// <summary>The number of classes these kernels are specialised to";
        private const string KernelNamespace = "namespace SoftmaxGen.Kernels";

        /// <summary>
        /// Cuts <paramref name="file"/>; in the body the members are unindented by the nesting depth, and the type's
        /// display name and the kernel class's name (from <paramref name="identifier"/>) are replaced by placeholders.
        /// </summary>
        public static Shape Of(GeneratedFile file, string displayName, string identifier)
        {
            string[] lines = Snapshot.Scrub(file.Text).Split('\n');
            Assert.True(lines.Length > 4 && lines[0] == "// <auto-generated/>" && lines[2] == "#nullable enable" && lines[3].Length == 0, $"{file.HintName} does not start with the expected header.");
            int firstMember = Array.FindIndex(lines, line => line.TrimStart().StartsWith(FirstMember, StringComparison.Ordinal));
            int kernels = Array.IndexOf(lines, KernelNamespace);
            Assert.True(firstMember > 4 && kernels > firstMember && lines[kernels - 1].Length == 0, $"{file.HintName}: no public members followed by {KernelNamespace}.");

            string[] declaration = lines[4..firstMember];
            int depth = declaration.Count(line => line.Trim() == "{");
            int closingStart = kernels - 1 - depth;
            string indent = new(' ', 4 * depth);
            string[] members = lines[firstMember..closingStart];
            Assert.All(members, line => Assert.True(line.Length == 0 || line.StartsWith(indent, StringComparison.Ordinal), $"{file.HintName}: member line not indented by {indent.Length}: {line}"));

            string body = string.Join("\n", members.Select(line => line.Length == 0 ? line : line[indent.Length..]).Concat(lines[kernels..]))
                .Replace(identifier + "_SoftmaxKernel", "{Kernel}_SoftmaxKernel", StringComparison.Ordinal)
                .Replace(displayName, "{Type}", StringComparison.Ordinal);
            return new Shape(lines[1], declaration, lines[closingStart..(kernels - 1)], body);
        }
    }
}
