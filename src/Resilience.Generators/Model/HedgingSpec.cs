namespace Resilience.Generators;

/// <summary>The settings of [Hedging].</summary>
internal sealed record HedgingSpec
{
    /// <summary>Total attempts, the first one included.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>The wait before the next attempt while none has answered: 0 starts them all at once, -1 only after a failure.</summary>
    public required int DelayMs { get; init; }

    /// <summary>The method that says whether a result is a failure, or null.</summary>
    public string? HandleResult { get; init; }
}
