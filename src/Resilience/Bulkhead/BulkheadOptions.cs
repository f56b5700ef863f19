namespace Resilience;

/// <summary>
/// The settings of a bulkhead. Generated code fills them from <see cref="BulkheadAttribute"/>; they are copied
/// when the bulkhead is created. <see cref="ResilienceRegistry.Configure"/> replaces them by name.
/// </summary>
public sealed class BulkheadOptions
{
    /// <summary>Calls allowed to run at once; at least 1. Default 1.</summary>
    public int MaxConcurrency { get; set; } = BulkheadRules.DefaultMaxConcurrency;

    /// <summary>Calls allowed to wait for a slot; at least 0. Default 0.</summary>
    public int MaxQueue { get; set; } = BulkheadRules.DefaultMaxQueue;

    /// <summary>The longest wait for a slot, in milliseconds; 0 waits for the call's turn however long it takes. Default 0.</summary>
    public int MaxWaitMs { get; set; } = BulkheadRules.DefaultMaxWaitMs;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal BulkheadOptions ValidatedCopy()
    {
        Guard.Setting(BulkheadRules.MaxConcurrency, MaxConcurrency, nameof(BulkheadOptions));
        Guard.Setting(BulkheadRules.MaxQueue, MaxQueue, nameof(BulkheadOptions));
        Guard.Setting(BulkheadRules.MaxWaitMs, MaxWaitMs, nameof(BulkheadOptions));
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal BulkheadOptions Copy() => (BulkheadOptions)MemberwiseClone();

    /// <summary>True when every setting equals <paramref name="other"/>'s.</summary>
    internal bool SameAs(BulkheadOptions other)
        => MaxConcurrency == other.MaxConcurrency && MaxQueue == other.MaxQueue && MaxWaitMs == other.MaxWaitMs;
}
