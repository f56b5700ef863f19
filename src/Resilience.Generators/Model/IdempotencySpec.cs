using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [Idempotent] on a method with an [IdempotencyKey] parameter.</summary>
internal sealed record IdempotencySpec
{
    /// <summary>The policy the keys are kept under: the method's default policy name.</summary>
    public required string Name { get; init; }

    public required int TtlMs { get; init; }

    /// <summary>The key parameter, escaped with @ when it is a keyword.</summary>
    public required string KeyParameter { get; init; }

    /// <summary>The key parameter's name as messages show it, without @.</summary>
    public required string KeyParameterName { get; init; }

    /// <summary>What the state is created with, in the order of <see cref="IdempotencyRules.Shared"/>.</summary>
    public IReadOnlyList<SettingValue> Settings => new SettingValue[] { new(IdempotencyRules.TtlMs, TtlMs) };
}
