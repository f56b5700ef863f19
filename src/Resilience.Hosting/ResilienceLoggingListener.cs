using System;
using Microsoft.Extensions.Logging;

namespace Resilience.Hosting;

/// <summary>Writes the registry's events as structured logs (see <see cref="ResilienceEventIds"/>).</summary>
internal sealed partial class ResilienceLoggingListener : ResilienceListener
{
    private readonly ILogger _logger;

    public ResilienceLoggingListener(ILogger logger) => _logger = logger;

    public override void OnCircuitStateChanged(CircuitStateChangedEventArgs e)
    {
        // A partition of a breaker kept per key is named with its key: "catalog [https://api.example.com:443]".
        string name = e.Key is null ? e.Name : $"{e.Name} [{e.Key}]";
        switch (e.State)
        {
            case CircuitState.Open when e.SlowCallRate > 0:
                // A breaker that judges slow calls may open with no failure: its log says how many calls were slow.
                CircuitOpenedWithSlowCalls(_logger, name, e.FailureCount, e.ErrorRate, e.SlowCallRate, e.BreakDuration ?? TimeSpan.Zero, e.PreviousState);
                break;
            case CircuitState.Open:
                CircuitOpened(_logger, name, e.FailureCount, e.ErrorRate, e.BreakDuration ?? TimeSpan.Zero, e.PreviousState);
                break;
            case CircuitState.HalfOpen:
                CircuitHalfOpened(_logger, name);
                break;
            case CircuitState.Closed:
                CircuitClosed(_logger, name, e.PreviousState);
                break;
            default:
                CircuitIsolated(_logger, name, e.PreviousState);
                break;
        }
    }

    public override void OnRetry(RetryEventArgs e)
        => Retrying(
            _logger,
            e.MethodName,
            e.PolicyName,
            e.Attempt,
            e.Delay,
            e.Exception is { } exception ? exception.GetType().FullName ?? exception.GetType().Name : FailedResult,
            e.Exception?.Message ?? e.Failure);

    /// <summary>What a retry's log names instead of an exception type when the attempt returned a result handled as a failure.</summary>
    private const string FailedResult = "a failed result";

    public override void OnTimeout(TimeoutEventArgs e) => TimedOut(_logger, e.MethodName, e.PolicyName, e.Timeout, e.Scope);

    public override void OnRejected(RejectionEventArgs e)
    {
        if (e.RetryAfter is { } retryAfter)
        {
            Rejected(_logger, e.PolicyName, e.Kind, retryAfter);
        }
        else
        {
            RejectedWithoutRetryAfter(_logger, e.PolicyName, e.Kind);
        }
    }

    public override void OnDistributedFallback(DistributedFallbackEventArgs e) => RunningLocally(_logger, e.PolicyName, e.Kind, e.Reason);

    public override void OnCachedFallback(CachedFallbackEventArgs e)
        => CachedFallbackAnswered(
            _logger,
            e.MethodName,
            e.PolicyName,
            e.Exception is { } exception ? exception.GetType().FullName ?? exception.GetType().Name : FailedResult,
            e.FromSharedStore);

    [LoggerMessage(EventId = ResilienceEventIds.CachedFallbackAnswered, EventName = "CachedFallbackAnswered", Level = LogLevel.Warning,
        Message = "{Method} (policy '{Policy}') failed with {ExceptionType} and was answered with the last good result kept for its arguments (from the shared store: {FromSharedStore}).")]
    private static partial void CachedFallbackAnswered(ILogger logger, string method, string policy, string exceptionType, bool fromSharedStore);

    public override void OnChaosInjected(ChaosEventArgs e) => ChaosInjected(_logger, e.MethodName, e.PolicyName, e.Injection);

    public override void OnIdempotency(IdempotencyEventArgs e)
    {
        switch (e.Outcome)
        {
            case IdempotencyOutcome.Hit or IdempotencyOutcome.Shared:
                IdempotentAnswer(_logger, e.PolicyName, e.Outcome);
                break;
            case IdempotencyOutcome.NotStored:
                IdempotentResultNotStored(_logger, e.Exception, e.PolicyName);
                break;
        }
    }

    [LoggerMessage(EventId = ResilienceEventIds.IdempotentAnswer, EventName = "IdempotentAnswer", Level = LogLevel.Debug,
        Message = "A call of '{Policy}' was answered by its idempotency key without running ({Outcome}).")]
    private static partial void IdempotentAnswer(ILogger logger, string policy, IdempotencyOutcome outcome);

    [LoggerMessage(EventId = ResilienceEventIds.IdempotentResultNotStored, EventName = "IdempotentResultNotStored", Level = LogLevel.Warning,
        Message = "A call of '{Policy}' succeeded, but the idempotency store could not keep its result, so a repeat of its key runs again.")]
    private static partial void IdempotentResultNotStored(ILogger logger, Exception? exception, string policy);

    [LoggerMessage(EventId = ResilienceEventIds.ChaosInjected, EventName = "ChaosInjected", Level = LogLevel.Warning,
        Message = "Chaos injected a {Injection} into an attempt of {Method} (policy '{Policy}'), as its Chaos settings ask; the dependency did not cause it.")]
    private static partial void ChaosInjected(ILogger logger, string method, string policy, ChaosInjection injection);

    [LoggerMessage(EventId = ResilienceEventIds.CircuitOpened, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Policy}' opened (from {PreviousState}) after {FailureCount} failures, error rate {ErrorRate:P1}; calls are rejected for {BreakDuration}.")]
    private static partial void CircuitOpened(ILogger logger, string policy, int failureCount, double errorRate, TimeSpan breakDuration, CircuitState previousState);

    [LoggerMessage(EventId = ResilienceEventIds.CircuitOpened, EventName = "CircuitOpenedWithSlowCalls", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Policy}' opened (from {PreviousState}) after {FailureCount} failures, error rate {ErrorRate:P1}, slow-call rate {SlowCallRate:P1}; calls are rejected for {BreakDuration}.")]
    private static partial void CircuitOpenedWithSlowCalls(ILogger logger, string policy, int failureCount, double errorRate, double slowCallRate, TimeSpan breakDuration, CircuitState previousState);

    [LoggerMessage(EventId = ResilienceEventIds.CircuitHalfOpened, EventName = "CircuitHalfOpened", Level = LogLevel.Information,
        Message = "Circuit breaker '{Policy}' is half-open: probe calls are let through.")]
    private static partial void CircuitHalfOpened(ILogger logger, string policy);

    [LoggerMessage(EventId = ResilienceEventIds.CircuitClosed, EventName = "CircuitClosed", Level = LogLevel.Information,
        Message = "Circuit breaker '{Policy}' closed (from {PreviousState}).")]
    private static partial void CircuitClosed(ILogger logger, string policy, CircuitState previousState);

    [LoggerMessage(EventId = ResilienceEventIds.CircuitIsolated, EventName = "CircuitIsolated", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Policy}' was isolated (from {PreviousState}): every call is rejected until it is reset.")]
    private static partial void CircuitIsolated(ILogger logger, string policy, CircuitState previousState);

    [LoggerMessage(EventId = ResilienceEventIds.Retrying, EventName = "Retrying", Level = LogLevel.Warning,
        Message = "{Method} (policy '{Policy}') failed on attempt {Attempt} with {ExceptionType}: {ExceptionMessage}; retrying in {Delay}.")]
    private static partial void Retrying(ILogger logger, string method, string policy, int attempt, TimeSpan delay, string exceptionType, string exceptionMessage);

    [LoggerMessage(EventId = ResilienceEventIds.TimedOut, EventName = "TimedOut", Level = LogLevel.Warning,
        Message = "{Method} (policy '{Policy}') timed out after {Timeout} ({Scope}).")]
    private static partial void TimedOut(ILogger logger, string method, string policy, TimeSpan timeout, TimeoutScope scope);

    [LoggerMessage(EventId = ResilienceEventIds.Rejected, EventName = "Rejected", Level = LogLevel.Warning,
        Message = "{Kind} '{Policy}' rejected a call; retry after {RetryAfter}.")]
    private static partial void Rejected(ILogger logger, string policy, PolicyKind kind, TimeSpan retryAfter);

    // The same event, for policies that cannot tell when to retry (a bulkhead). Its name differs only because the
    // logging generator wants one name per method.
    [LoggerMessage(EventId = ResilienceEventIds.Rejected, EventName = "RejectedWithoutRetryAfter", Level = LogLevel.Warning,
        Message = "{Kind} '{Policy}' rejected a call.")]
    private static partial void RejectedWithoutRetryAfter(ILogger logger, string policy, PolicyKind kind);

    [LoggerMessage(EventId = ResilienceEventIds.DistributedRunningLocally, EventName = "DistributedRunningLocally", Level = LogLevel.Warning,
        Message = "{Kind} '{Policy}' runs locally: {Reason}")]
    private static partial void RunningLocally(ILogger logger, string policy, PolicyKind kind, string reason);
}
