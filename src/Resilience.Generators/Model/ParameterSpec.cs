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

    /// <summary>The parameter's value as the generated code passes it on: its name, cast to <c>object</c> when dynamic so that the call stays statically bound.</summary>
    public string Value => IsDynamic ? "(object)" + Name + "!" : Name;

    /// <summary>The parameter as an argument of a call to <c>{Name}Core</c> or the fallback: its pass modifier and <see cref="Value"/>.</summary>
    public string Argument => PassModifier + Value;
}
