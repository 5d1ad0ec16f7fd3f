using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using SoftmaxGen.Generator;
using Xunit;

namespace SoftmaxGen.Analyzers.Tests;

/// <summary>
/// Every diagnostic the generator assembly declares has a help link to its own section of docs/diagnostics.md, the
/// page has a section for each ID and no other, and the analyzer release files list each ID.
/// </summary>
public sealed class DiagnosticDocumentationTests
{
    private const string DocsPage = "https://github.com/softmaxgen/softmaxgen/blob/main/docs/diagnostics.md";

    /// <summary>Every static DiagnosticDescriptor field in the generator assembly, so one added later is checked too.</summary>
    private static readonly DiagnosticDescriptor[] Descriptors = typeof(SoftmaxGenerator).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    private static string RepositoryFile(params string[] parts)
    {
        string? root = typeof(DiagnosticDocumentationTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SoftmaxGen.RepositoryRoot")?.Value;
        Assert.True(root is not null && Directory.Exists(root), $"The repository root '{root}' does not exist here.");
        string path = Path.Combine([root!, .. parts]);
        Assert.True(File.Exists(path), $"{path} does not exist.");
        return path;
    }

    [Fact]
    public void TheGeneratorDeclaresEveryKnownDiagnostic()
    {
        string[] expected = [.. Enumerable.Range(1, 11).Select(i => $"SMG{i:000}"), "SMG101", "SMG102"];
        Assert.Equal(expected, Descriptors.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryDescriptorLinksToItsSectionOfTheDocs()
    {
        Assert.All(Descriptors, d => Assert.Equal($"{DocsPage}#{d.Id.ToLowerInvariant()}", d.HelpLinkUri));
    }

    [Fact]
    public void TheDocsHaveOneSectionPerDiagnostic_WithAnExampleAndAFix()
    {
        string docs = File.ReadAllText(RepositoryFile("docs", "diagnostics.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        // "## SMG001" alone on the line, so the anchor is "#smg001"; the section runs to the next "## ".
        string[] sections = Regex.Split(docs, "^## ", RegexOptions.Multiline).Skip(1).ToArray();
        string[] headings = sections.Select(s => s[..s.IndexOf('\n', StringComparison.Ordinal)].TrimEnd()).ToArray();
        Assert.Equal(Descriptors.Select(d => d.Id).Order(StringComparer.Ordinal), headings);

        foreach (string section in sections)
        {
            string id = section[..6];
            string title = Descriptors.Single(d => d.Id == id).Title.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(section.Contains("```", StringComparison.Ordinal), $"The section {id} has no example.");
            Assert.True(section.Contains("Fix", StringComparison.Ordinal), $"The section {id} does not say how to fix it.");
            // The section opens with the descriptor's title (code spans aside), so the two cannot drift apart unnoticed.
            Assert.Contains(title, section.Replace("`", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheAnalyzerReleaseFilesListEveryDiagnostic()
    {
        string releases = File.ReadAllText(RepositoryFile("generator", "SoftmaxGen.Generator", "AnalyzerReleases.Shipped.md"))
            + File.ReadAllText(RepositoryFile("generator", "SoftmaxGen.Generator", "AnalyzerReleases.Unshipped.md"));
        Assert.All(Descriptors, d => Assert.Matches(new Regex($"^{d.Id} *\\| *{Regex.Escape(d.Category)} *\\| *{d.DefaultSeverity}", RegexOptions.Multiline), releases));
    }
}
