using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [CachedFallback], what it answers, and the key it keeps results by.</summary>
internal sealed record CachedFallbackSpec
{
    public required int DurationMs { get; init; }

    public required int MaxEntries { get; init; }

    /// <summary>The fully qualified exception types the cache answers; empty for every failure.</summary>
    public required EquatableArray<string> Handle { get; init; }

    /// <summary>The escaped name of the <c>bool M(T result)</c> method that says a result is a failure to answer; null for none.</summary>
    public string? HandleResult { get; init; }

    /// <summary>True when an open circuit is answered from the cache (its Handle allows BrokenCircuitException).</summary>
    public required bool HandlesBrokenCircuit { get; init; }

    /// <summary>True when a full bulkhead is answered from the cache.</summary>
    public required bool HandlesBulkheadRejection { get; init; }

    /// <summary>True when an exhausted rate limit is answered from the cache.</summary>
    public required bool HandlesRateLimitRejection { get; init; }

    /// <summary>The key parameters (every parameter but the CancellationToken), in order.</summary>
    public required EquatableArray<CacheKeyPart> Key { get; init; }

    /// <summary>What the cache is created with, in the order of <see cref="CachedFallbackRules.Shared"/>.</summary>
    public IReadOnlyList<SettingValue> Settings => new SettingValue[]
    {
        new(CachedFallbackRules.DurationMs, DurationMs),
        new(CachedFallbackRules.MaxEntries, MaxEntries),
    };
}

/// <summary>One parameter of a cached fallback's key.</summary>
/// <param name="Type">The parameter's type, fully qualified, with its nullable annotation.</param>
/// <param name="Value">The parameter's value as the generated code reads it (its escaped name).</param>
/// <param name="Text">How its text is made, with <c>{0}</c> for the value: <c>global::Resilience.CachedFallbackKey.Part({0})</c>.</param>
internal sealed record CacheKeyPart(string Type, string Value, string Text);
