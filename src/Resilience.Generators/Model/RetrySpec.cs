using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [Retry].</summary>
internal sealed record RetrySpec
{
    public required int MaxAttempts { get; init; }

    public required int DelayMs { get; init; }

    public required int MaxDelayMs { get; init; }

    public required BackoffKind Backoff { get; init; }

    public required bool Jitter { get; init; }

    /// <summary>The share of the calls the retries sharing the method's policy name may add; 0 when there is no retry budget.</summary>
    public required double MaxRetryRatio { get; init; }

    /// <summary>True when the retries draw on a shared retry budget.</summary>
    public bool HasBudget => RetryRules.MaxRetryRatio.IsOn(MaxRetryRatio);

    /// <summary>What the shared retry budget is created with, in the order of <see cref="RetryRules.Budget"/>.</summary>
    public IReadOnlyList<SettingValue> BudgetSettings => new SettingValue[] { new(RetryRules.MaxRetryRatio, MaxRetryRatio) };

    /// <summary>The fully qualified exception types retried; empty for every exception.</summary>
    public required EquatableArray<string> Handle { get; init; }

    /// <summary>The fully qualified exception types never retried.</summary>
    public required EquatableArray<string> Ignore { get; init; }

    /// <summary>The name of the <c>bool M(Exception)</c> method asked before a retry, escaped; null for none.</summary>
    public string? ShouldRetry { get; init; }

    /// <summary>The name of the <c>void M(Exception, int, TimeSpan)</c> method called before a retry's delay, escaped; null for none.</summary>
    public string? OnRetry { get; init; }

    /// <summary>What the <c>OnRetry</c> method takes first: an exception (it hears only of exceptions) or an outcome.</summary>
    public FailureParameter OnRetryTakes { get; init; }

    /// <summary>The escaped name of the <c>bool M(T result)</c> method that says a result is a failure to retry; null for none.</summary>
    public string? HandleResult { get; init; }

    /// <summary>
    /// The escaped name of the <c>TimeSpan? M(Outcome&lt;T&gt;, int)</c> method (<c>(Exception, int)</c> for a method
    /// without a result) asked for each retry's delay; null for none.
    /// </summary>
    public string? DelayGenerator { get; init; }

    /// <summary>
    /// The escaped name of the <c>HttpRequestMessage</c> parameter whose method decides whether a retry may be sent
    /// (not a POST or PATCH without an <c>Idempotency-Key</c>); null when the method takes no request or is [Idempotent].
    /// </summary>
    public string? Request { get; init; }
}
