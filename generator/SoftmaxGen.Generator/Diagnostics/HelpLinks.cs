namespace SoftmaxGen.Generator;

/// <summary>Where each diagnostic is explained: one section per ID in docs/diagnostics.md, opened from the IDE's help link.</summary>
internal static class HelpLinks
{
    /// <summary>The page, in the repository the package's RepositoryUrl names.</summary>
    public const string Page = "https://github.com/softmaxgen/softmaxgen/blob/main/docs/diagnostics.md";

    /// <summary>The link to the section of <paramref name="id"/> (its heading is the ID alone, so the anchor is the ID in lower case).</summary>
    public static string For(string id) => Page + "#" + id.ToLowerInvariant();
}
