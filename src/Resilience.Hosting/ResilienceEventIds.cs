namespace Resilience.Hosting;

/// <summary>
/// The event ids of the logs written under the <c>Resilience</c> category, for filtering and alerting. Each
/// log also carries its values as structured properties (<c>Policy</c>, <c>Method</c>, <c>Attempt</c>, ...).
/// </summary>
public static class ResilienceEventIds
{
    /// <summary>
    /// Warning: a circuit breaker opened; with <c>FailureCount</c>, <c>ErrorRate</c> and <c>BreakDuration</c>. Named
    /// <c>CircuitOpenedWithSlowCalls</c>, with <c>SlowCallRate</c> too, when a breaker that judges slow calls opens from closed.
    /// </summary>
    public const int CircuitOpened = 1001;

    /// <summary>Information: a circuit breaker turned half-open and lets probes through.</summary>
    public const int CircuitHalfOpened = 1002;

    /// <summary>Information: a circuit breaker closed.</summary>
    public const int CircuitClosed = 1003;

    /// <summary>Warning: a circuit breaker was isolated by hand.</summary>
    public const int CircuitIsolated = 1004;

    /// <summary>Warning: an attempt failed and is retried; with <c>Attempt</c>, <c>Delay</c> and <c>ExceptionType</c>.</summary>
    public const int Retrying = 1010;

    /// <summary>Warning: a timeout fired; with <c>Timeout</c> and <c>Scope</c>.</summary>
    public const int TimedOut = 1020;

    /// <summary>Warning: a circuit breaker, bulkhead or rate limit rejected a call; with <c>Kind</c> and <c>RetryAfter</c>.</summary>
    public const int Rejected = 1030;

    /// <summary>
    /// Warning, once per policy: a rate limit or circuit breaker marked <c>Distributed</c> runs on this instance's state
    /// because no distributed store is registered; with <c>Reason</c>. A policy that did so before the host started is
    /// logged as it starts.
    /// </summary>
    public const int DistributedRunningLocally = 1040;

    /// <summary>
    /// Warning: chaos injected a fault, a latency or an outcome into an attempt, on purpose (see <c>ChaosSettings</c>);
    /// with <c>Injection</c>. What follows it (a retry, a timeout, a fallback) was not caused by the dependency.
    /// </summary>
    public const int ChaosInjected = 1050;

    /// <summary>
    /// Debug: a call with an idempotency key was answered without running, by a stored result or by another call's run;
    /// with <c>Outcome</c> (<c>Hit</c>, <c>Shared</c>). The key itself is never logged.
    /// </summary>
    public const int IdempotentAnswer = 1060;

    /// <summary>Warning: a call with an idempotency key succeeded but the store could not keep its result, so a repeat runs it again; with the exception.</summary>
    public const int IdempotentResultNotStored = 1061;

    /// <summary>
    /// Warning: a failed call was answered with the last good result its <c>[CachedFallback]</c> kept for the same
    /// arguments; with <c>ExceptionType</c> and <c>FromSharedStore</c>.
    /// </summary>
    public const int CachedFallbackAnswered = 1065;

    /// <summary>Information: settings from configuration were applied (at start-up or on reload).</summary>
    public const int SettingsApplied = 1100;

    /// <summary>Error: reloaded settings were not valid and were not applied; the previous ones stay in force.</summary>
    public const int SettingsRejected = 1101;

    /// <summary>Warning: configuration names a policy no loaded code declares (yet); check the name.</summary>
    public const int UnknownPolicy = 1102;
}
