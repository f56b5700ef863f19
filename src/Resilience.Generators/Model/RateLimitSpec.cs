using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [RateLimit], and its [RateLimitKey] parameter.</summary>
internal sealed record RateLimitSpec
{
    /// <summary>The limit's name: the attribute's Name, or the method's default policy name.</summary>
    public required string Name { get; init; }

    public required int Permits { get; init; }

    public required int WindowMs { get; init; }

    public required RateLimitAlgorithm Algorithm { get; init; }

    public required int QueueLimit { get; init; }

    public required bool Distributed { get; init; }

    public required int DistributedBatch { get; init; }

    /// <summary>The [RateLimitKey] parameter; null when the limit is not kept per key.</summary>
    public PartitionKeySpec? Key { get; init; }

    /// <summary>What the shared limit is created with, in the order of <see cref="RateLimitRules.Shared"/>.</summary>
    public IReadOnlyList<SettingValue> Settings => new SettingValue[]
    {
        new(RateLimitRules.Permits, Permits),
        new(RateLimitRules.WindowMs, WindowMs),
        new(RateLimitRules.Algorithm, Algorithm),
        new(RateLimitRules.QueueLimit, QueueLimit),
        new(RateLimitRules.Distributed, Distributed),
        new(RateLimitRules.DistributedBatch, DistributedBatch),
    };
}
