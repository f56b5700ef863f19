using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>How parameters are passed, as declarations and calls write it. The generator and the analyzers compile this same file.</summary>
internal static class RefKinds
{
    /// <summary>
    /// <c>ref readonly</c> parameters (C# 12). The generator builds against Roslyn 4.8, whose <see cref="RefKind"/>
    /// names this value <c>RefReadOnly</c> for returns only; it is <c>RefKind.RefReadOnlyParameter</c> in later versions.
    /// </summary>
    public const RefKind RefReadOnlyParameter = (RefKind)4;

    /// <summary>The declaration's modifier: "in ", "ref ", "out ", "ref readonly ", or empty for by value.</summary>
    public static string Declaration(RefKind kind) => kind switch
    {
        RefKind.In => "in ",
        RefKind.Ref => "ref ",
        RefKind.Out => "out ",
        RefReadOnlyParameter => "ref readonly ",
        _ => string.Empty,
    };

    /// <summary>The argument's modifier in a call: "in " for in and ref readonly parameters, "ref ", "out ", or empty.</summary>
    public static string Argument(RefKind kind) => kind switch
    {
        RefKind.In or RefReadOnlyParameter => "in ",
        RefKind.Ref => "ref ",
        RefKind.Out => "out ",
        _ => string.Empty,
    };

    /// <summary>The passing as a message names it: "'in'", "'ref readonly'", "by value".</summary>
    public static string Describe(RefKind kind) => kind == RefKind.None ? "by value" : "'" + Declaration(kind).TrimEnd() + "'";

    /// <summary>True when a value can be passed on from one to the other: <c>in</c> and <c>ref readonly</c> are passed alike.</summary>
    public static bool PassAlike(RefKind a, RefKind b) => Argument(a) == Argument(b);
}
