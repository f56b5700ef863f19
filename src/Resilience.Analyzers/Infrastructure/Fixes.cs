using System.Collections.Immutable;

namespace Resilience.Analyzers;

/// <summary>How a diagnostic tells the code fix what it may do, in its properties.</summary>
internal static class Fixes
{
    /// <summary>The property naming the fix.</summary>
    public const string Property = "Fix";

    /// <summary>Remove the attribute argument the diagnostic is on.</summary>
    public const string RemoveArgument = "RemoveArgument";

    /// <summary>Remove the entry of a <c>Type[]</c> argument the diagnostic is on; useful entries remain.</summary>
    public const string RemoveEntry = "RemoveEntry";

    public static readonly ImmutableDictionary<string, string?> None = ImmutableDictionary<string, string?>.Empty;

    public static ImmutableDictionary<string, string?> Offer(string fix) => None.Add(Property, fix);
}
