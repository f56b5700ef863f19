namespace Resilience;

/// <summary>The answer of <see cref="IDistributedResilienceStore.TryAcquireAsync"/>.</summary>
public readonly struct DistributedAcquireResult
{
    private DistributedAcquireResult(bool acquired, RateLimitInfo info, bool available)
    {
        Acquired = acquired;
        Info = info;
        IsAvailable = available;
    }

    /// <summary>The store could not be reached in time: the caller falls back to its local state.</summary>
    public static DistributedAcquireResult Unavailable => default;

    /// <summary>True when the store answered; false for <see cref="Unavailable"/>.</summary>
    public bool IsAvailable { get; }

    /// <summary>True when a permit was taken.</summary>
    public bool Acquired { get; }

    /// <summary>Where the shared limit stands after this request.</summary>
    public RateLimitInfo Info { get; }

    /// <summary>A permit was taken.</summary>
    public static DistributedAcquireResult Admitted(RateLimitInfo info) => new(acquired: true, info, available: true);

    /// <summary>No permit was free.</summary>
    public static DistributedAcquireResult Rejected(RateLimitInfo info) => new(acquired: false, info, available: true);
}
