using System;
using Microsoft.CodeAnalysis.Text;

namespace SoftmaxGen.Generator.Tests;

/// <summary>Test sources with the expected diagnostic location marked as <c>[|...|]</c>, as in Roslyn's analyzer tests.</summary>
internal static class Markup
{
    private const string Open = "[|", Close = "|]";

    /// <summary>The source without the markers, and the span they enclosed.</summary>
    public static (string Source, TextSpan Span) Parse(string markup)
    {
        int start = markup.IndexOf(Open, StringComparison.Ordinal);
        int end = markup.IndexOf(Close, StringComparison.Ordinal);
        if (start < 0 || end < start || markup.IndexOf(Open, start + Open.Length, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException("The markup must hold exactly one [|...|].", nameof(markup));
        }

        string source = markup.Remove(end, Close.Length).Remove(start, Open.Length);
        return (source, TextSpan.FromBounds(start, end - Open.Length));
    }
}
