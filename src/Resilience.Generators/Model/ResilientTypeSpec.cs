namespace Resilience.Generators;

/// <summary>One generated file: a type and its resilient methods.</summary>
/// <param name="Namespace">The namespace as code refers to it (see <see cref="MethodResult.Namespace"/>); null for the global one.</param>
/// <param name="HintName">The file's name, unique among the generated files.</param>
internal sealed record ResilientTypeSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string HintName,
    EquatableArray<ResilientMethodSpec> Methods);
