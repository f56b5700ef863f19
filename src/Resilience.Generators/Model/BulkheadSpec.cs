using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [Bulkhead].</summary>
internal sealed record BulkheadSpec
{
    /// <summary>The bulkhead's name: the attribute's Name, or the method's default policy name.</summary>
    public required string Name { get; init; }

    public required int MaxConcurrency { get; init; }

    public required int MaxQueue { get; init; }

    public required int MaxWaitMs { get; init; }

    /// <summary>What the shared bulkhead is created with, in the order of <see cref="BulkheadRules.Shared"/>.</summary>
    public IReadOnlyList<SettingValue> Settings => new SettingValue[]
    {
        new(BulkheadRules.MaxConcurrency, MaxConcurrency),
        new(BulkheadRules.MaxQueue, MaxQueue),
        new(BulkheadRules.MaxWaitMs, MaxWaitMs),
    };
}
