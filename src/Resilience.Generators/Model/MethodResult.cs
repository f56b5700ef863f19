namespace Resilience.Generators;

/// <summary>The result of parsing one annotated method: its type, its spec (if anything can be emitted) and its diagnostics.</summary>
internal sealed record MethodResult
{
    /// <summary>The containing type's fully qualified name: methods are grouped into one file per type by it.</summary>
    public required string TypeKey { get; init; }

    /// <summary>The namespace as code refers to it, each part that is a keyword escaped with @ ("Shop.@event"); null for the global one.</summary>
    public string? Namespace { get; init; }

    public required EquatableArray<ContainingTypeSpec> ContainingTypes { get; init; }

    /// <summary>The generated file's name, made of the plain names (no @) and only of characters a hint name may hold.</summary>
    public required string HintName { get; init; }

    /// <summary>The method to emit; null when nothing can be (RES0001, a method in an interface).</summary>
    public ResilientMethodSpec? Method { get; init; }

    public required EquatableArray<DiagnosticInfo> Diagnostics { get; init; }

    public LocationInfo? Location { get; init; }

    /// <summary>True when the compilation can have a module initializer (.NET 5+); the same for every method of a compilation.</summary>
    public required bool ModuleInitializers { get; init; }
}
