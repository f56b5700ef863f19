namespace Resilience;

/// <summary>The answer of <see cref="IDistributedResilienceStore.TryAcquireAsync"/>.</summary>
public readonly struct DistributedAcquireResult
{
    private DistributedAcquireResult(int granted, RateLimitInfo info, bool available)
    {
        Granted = granted;
        Info = info;
        IsAvailable = available;
    }

    /// <summary>The store could not be reached in time: the caller falls back to its local state.</summary>
    public static DistributedAcquireResult Unavailable => default;

    /// <summary>True when the store answered; false for <see cref="Unavailable"/>.</summary>
    public bool IsAvailable { get; }

    /// <summary>True when at least one permit was taken.</summary>
    public bool Acquired => Granted > 0;

    /// <summary>How many permits were taken: 0 when none was free, up to the number asked for.</summary>
    public int Granted { get; }

    /// <summary>Where the shared limit stands after this request.</summary>
    public RateLimitInfo Info { get; }

    /// <summary>One permit was taken.</summary>
    public static DistributedAcquireResult Admitted(RateLimitInfo info) => new(granted: 1, info, available: true);

    /// <summary><paramref name="granted"/> permits were taken (at least 1).</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="granted"/> is less than 1.</exception>
    public static DistributedAcquireResult Admitted(RateLimitInfo info, int granted)
        => granted >= 1
            ? new(granted, info, available: true)
            : throw new System.ArgumentOutOfRangeException(nameof(granted), granted, "An admission takes at least one permit; answer Rejected when none was free.");

    /// <summary>No permit was free.</summary>
    public static DistributedAcquireResult Rejected(RateLimitInfo info) => new(granted: 0, info, available: true);
}
