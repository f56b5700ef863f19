namespace Resilience.Generators;

/// <summary>One parameter of the resilient method, as it must be repeated in the implementation.</summary>
internal sealed record ParameterSpec
{
    /// <summary>The name, escaped with @ when it is a keyword.</summary>
    public required string Name { get; init; }

    /// <summary>The fully qualified type, with nullable annotations.</summary>
    public required string Type { get; init; }

    /// <summary>"in ", "ref readonly ", "this ", "params ", "scoped " as declared, with a trailing space; empty for none.</summary>
    public required string Modifier { get; init; }

    /// <summary>"in " when the argument is passed by reference; empty otherwise.</summary>
    public required string PassModifier { get; init; }

    public required bool IsCancellationToken { get; init; }

    /// <summary>True for a <c>dynamic</c> parameter, passed on as <c>object</c> so that the calls stay statically bound.</summary>
    public bool IsDynamic { get; init; }

    /// <summary>The parameter as an argument of a call the generated code makes: its pass modifier and name, cast to <c>object</c> when dynamic.</summary>
    public string Argument => PassModifier + (IsDynamic ? "(object)" + Name + "!" : Name);
}
