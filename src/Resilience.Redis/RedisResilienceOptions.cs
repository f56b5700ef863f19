using System;

namespace Resilience.Redis;

/// <summary>How policies marked <c>Distributed</c> use Redis: where their keys live and how long a call may wait for it.</summary>
public sealed class RedisResilienceOptions
{
    /// <summary>The default of <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "resilience";

    /// <summary>
    /// The first part of every key and of the pub/sub channel, so that applications sharing one Redis keep apart: give each
    /// its own. Letters, digits and <c>. _ - :</c> only. Default <c>resilience</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>
    /// The longest a call waits for Redis (a rate limit's permit, a half-open breaker's probe lease) before it decides on
    /// this instance's own state. Default 250 ms; at least 1 ms.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// After an operation failed or timed out while the connection was up, how long calls decide locally without asking
    /// Redis, so that a slow server does not make every call wait <see cref="OperationTimeout"/>. Default 1 s; zero to ask
    /// again at once.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an instance's claim on an idempotency key lasts without being renewed. The instance running the key renews
    /// it every third of this while the call runs, so calls may take longer; other instances run the key themselves only
    /// when the claim expires, that is when its instance stopped (or could not reach Redis) for this long. Shorter lets
    /// a repeat run sooner after an instance dies; longer tolerates longer stalls (a pause of the whole process, Redis
    /// unreachable) before a key may run twice. Default 1 minute; at least 1 ms.
    /// </summary>
    public TimeSpan IdempotencyClaimTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names it and what it must be.</exception>
    internal RedisResilienceOptions ValidatedCopy()
    {
        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new ArgumentException("RedisResilienceOptions.KeyPrefix is empty; give a prefix such as \"resilience\" or \"orders-api\".", nameof(KeyPrefix));
        }

        foreach (char c in KeyPrefix)
        {
            if (!(RedisKeys.IsSafe(c) || c == ':'))
            {
                throw new ArgumentException(
                    $"RedisResilienceOptions.KeyPrefix is \"{KeyPrefix}\", which contains '{c}'; use only letters, digits and . _ - : (a brace would break the keys' Redis Cluster hash tags).",
                    nameof(KeyPrefix));
            }
        }

        if (OperationTimeout < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException($"RedisResilienceOptions.OperationTimeout is {OperationTimeout}; it must be at least 1 ms.", nameof(OperationTimeout));
        }

        if (RetryInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"RedisResilienceOptions.RetryInterval is {RetryInterval}; it must be zero or more.", nameof(RetryInterval));
        }

        if (IdempotencyClaimTimeout < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException($"RedisResilienceOptions.IdempotencyClaimTimeout is {IdempotencyClaimTimeout}; it must be at least 1 ms (the instance running a key renews its claim every third of it).", nameof(IdempotencyClaimTimeout));
        }

        return (RedisResilienceOptions)MemberwiseClone();
    }
}
