namespace Resilience.Generators;

/// <summary>The fallback method of [Fallback] and what it answers.</summary>
internal sealed record FallbackSpec
{
    /// <summary>The fallback method's name, escaped.</summary>
    public required string Method { get; init; }

    /// <summary>True when the fallback takes the failure as a last parameter.</summary>
    public required bool PassesException { get; init; }

    public required FallbackReturn Return { get; init; }

    /// <summary>The fully qualified exception types that go to the fallback; empty for every failure.</summary>
    public required EquatableArray<string> Handle { get; init; }

    /// <summary>True when an open circuit goes to the fallback (its Handle allows BrokenCircuitException).</summary>
    public required bool HandlesBrokenCircuit { get; init; }

    /// <summary>True when a full bulkhead goes to the fallback.</summary>
    public required bool HandlesBulkheadRejection { get; init; }

    /// <summary>True when an exhausted rate limit goes to the fallback.</summary>
    public required bool HandlesRateLimitRejection { get; init; }
}
