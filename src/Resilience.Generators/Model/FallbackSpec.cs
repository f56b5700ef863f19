namespace Resilience.Generators;

/// <summary>The fallback method of [Fallback] and what it answers.</summary>
internal sealed record FallbackSpec
{
    /// <summary>The fallback method's name, escaped.</summary>
    public required string Method { get; init; }

    /// <summary>What the fallback method takes after the method's parameters: nothing, the exception, or the outcome.</summary>
    public required FailureParameter Failure { get; init; }

    /// <summary>The escaped name of the <c>bool M(T result)</c> method that says a result is a failure to answer; null for none.</summary>
    public string? HandleResult { get; init; }

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
