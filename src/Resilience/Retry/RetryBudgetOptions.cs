namespace Resilience;

/// <summary>
/// The settings of a retry budget. Generated code fills them from <see cref="RetryAttribute.MaxRetryRatio"/>; they are
/// copied when the budget is created. <see cref="ResilienceRegistry.Configure"/> replaces them by name.
/// </summary>
public sealed class RetryBudgetOptions
{
    /// <summary>
    /// The share of the calls, 0 or in (0, 1], that retries sharing the budget may add over the last ten seconds, on
    /// top of ten retries a second; 0 turns the budget off (every retry the policy wants is allowed). Default 0.
    /// </summary>
    public double MaxRetryRatio { get; set; } = RetryRules.DefaultMaxRetryRatio;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal RetryBudgetOptions ValidatedCopy()
    {
        Guard.Setting(RetryRules.MaxRetryRatio, MaxRetryRatio, nameof(RetryBudgetOptions));
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal RetryBudgetOptions Copy() => (RetryBudgetOptions)MemberwiseClone();
}
