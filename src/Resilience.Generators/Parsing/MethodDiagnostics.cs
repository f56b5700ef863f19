using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>The errors found while parsing one method, where each is reported, and the first, which its error stub throws.</summary>
internal sealed class MethodDiagnostics
{
    private readonly List<DiagnosticInfo> _reported = new();
    private readonly LocationInfo? _methodLocation;

    /// <param name="methodLocation">Where a diagnostic without a location of its own is reported: the method's name.</param>
    public MethodDiagnostics(LocationInfo? methodLocation) => _methodLocation = methodLocation;

    /// <summary>"RES0004: ..." for the first error; null when there is none.</summary>
    public string? FirstError => _reported.Count == 0 ? null : _reported[0].IdAndMessage;

    /// <summary>Reports at <paramref name="location"/>, or at the method's name when it is null or not in source.</summary>
    public void Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
        => _reported.Add(DiagnosticInfo.Create(descriptor, LocationInfo.From(location) ?? _methodLocation, arguments));

    public EquatableArray<DiagnosticInfo> ToEquatableArray() => _reported.ToEquatableArray();
}
