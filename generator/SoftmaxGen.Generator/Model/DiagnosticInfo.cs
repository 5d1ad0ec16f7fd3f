using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SoftmaxGen.Generator.Model;

/// <summary>A diagnostic reduced to values that compare by content (a <see cref="Location"/> holds a syntax tree).</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object[] arguments) =>
        new(descriptor, LocationInfo.From(location), new EquatableArray<string>(arguments.Select(a => a?.ToString() ?? string.Empty)));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Cast<object>().ToArray());
}

/// <summary>A source location as values.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>What the parser found for one attributed declaration: a kernel to emit, diagnostics, or both.</summary>
internal sealed record KernelResult(KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
