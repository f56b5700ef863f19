using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [CircuitBreaker], and its [CircuitBreakerKey] parameter.</summary>
internal sealed record CircuitBreakerSpec
{
    /// <summary>The breaker's name: the attribute's Name, or the method's default policy name.</summary>
    public required string Name { get; init; }

    public required int FailureThreshold { get; init; }

    public required double FailureRatio { get; init; }

    public required int MinimumThroughput { get; init; }

    public required int SamplingDurationMs { get; init; }

    public required int BreakDurationMs { get; init; }

    public required int SuccessThreshold { get; init; }

    public required int HalfOpenMaxCalls { get; init; }

    public required bool HonorRetryAfter { get; init; }

    public required bool Distributed { get; init; }

    /// <summary>The duration above which a call is slow, in milliseconds; 0 when the breaker does not judge slow calls.</summary>
    public required int SlowCallDurationMs { get; init; }

    public required double SlowCallRatio { get; init; }

    /// <summary>The longest a break grows to on consecutive re-openings; 0 when it does not grow.</summary>
    public required int MaxBreakDurationMs { get; init; }

    /// <summary>The fully qualified exception types counted as failures; empty for every exception.</summary>
    public required EquatableArray<string> Handle { get; init; }

    /// <summary>The fully qualified exception types never counted.</summary>
    public required EquatableArray<string> Ignore { get; init; }

    /// <summary>The escaped name of the <c>bool M(T result)</c> method that says a result counts as a failure; null for none.</summary>
    public string? HandleResult { get; init; }

    /// <summary>The [CircuitBreakerKey] parameter; null when the breaker is not kept per key.</summary>
    public PartitionKeySpec? Key { get; init; }

    /// <summary>What the shared breaker is created with, in the order of <see cref="CircuitBreakerRules.Shared"/>.</summary>
    public IReadOnlyList<SettingValue> Settings => new SettingValue[]
    {
        new(CircuitBreakerRules.FailureThreshold, FailureThreshold),
        new(CircuitBreakerRules.FailureRatio, FailureRatio),
        new(CircuitBreakerRules.MinimumThroughput, MinimumThroughput),
        new(CircuitBreakerRules.SamplingDurationMs, SamplingDurationMs),
        new(CircuitBreakerRules.BreakDurationMs, BreakDurationMs),
        new(CircuitBreakerRules.SuccessThreshold, SuccessThreshold),
        new(CircuitBreakerRules.HalfOpenMaxCalls, HalfOpenMaxCalls),
        new(CircuitBreakerRules.HonorRetryAfter, HonorRetryAfter),
        new(CircuitBreakerRules.Distributed, Distributed),
        new(CircuitBreakerRules.SlowCallDurationMs, SlowCallDurationMs),
        new(CircuitBreakerRules.SlowCallRatio, SlowCallRatio),
        new(CircuitBreakerRules.MaxBreakDurationMs, MaxBreakDurationMs),
    };
}
