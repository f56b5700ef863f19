using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Resilience;

/// <summary>
/// Records what happens in one resilient method, on the <c>Resilience</c> meter and for the registry's
/// <see cref="ResilienceListener"/>s. Generated code holds one in a static field and calls it; it is not meant
/// to be called by hand.
/// </summary>
/// <remarks>
/// While nothing listens, each call costs two checks of <see cref="System.Diagnostics.Metrics.Instrument.Enabled"/>
/// and allocates nothing. Listened to, the per-call instruments take the outcome, the duration, or both, with
/// the tags <c>resilience.policy</c>, <c>resilience.method</c> and <c>resilience.outcome</c>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MethodTelemetry
{
    private static readonly KeyValuePair<string, object?> s_success = new(ResilienceMetrics.OutcomeTag, "success");
    private static readonly KeyValuePair<string, object?> s_fallback = new(ResilienceMetrics.OutcomeTag, "fallback");
    private static readonly KeyValuePair<string, object?> s_failure = new(ResilienceMetrics.OutcomeTag, "failure");
    private static readonly KeyValuePair<string, object?> s_rejected = new(ResilienceMetrics.OutcomeTag, "rejected");
    private static readonly KeyValuePair<string, object?> s_canceled = new(ResilienceMetrics.OutcomeTag, "canceled");
    private static readonly KeyValuePair<string, object?> s_perAttempt = new(ResilienceMetrics.ScopeTag, "per_attempt");
    private static readonly KeyValuePair<string, object?> s_total = new(ResilienceMetrics.ScopeTag, "total");
    // By ChaosInjection, in its order.
    private static readonly KeyValuePair<string, object?>[] s_chaosKinds =
    [
        new(ResilienceMetrics.ChaosKindTag, ResilienceMetrics.ChaosKindName(ChaosInjection.Fault)),
        new(ResilienceMetrics.ChaosKindTag, ResilienceMetrics.ChaosKindName(ChaosInjection.Latency)),
        new(ResilienceMetrics.ChaosKindTag, ResilienceMetrics.ChaosKindName(ChaosInjection.Outcome)),
    ];

    private readonly ResilienceRegistry _registry;
    private readonly KeyValuePair<string, object?> _policyTag;
    private readonly KeyValuePair<string, object?> _methodTag;

    internal MethodTelemetry(ResilienceRegistry registry, string policyName, string methodName)
    {
        _registry = registry;
        PolicyName = policyName;
        MethodName = methodName;
        _policyTag = ResilienceMetrics.Policy(policyName);
        _methodTag = new KeyValuePair<string, object?>(ResilienceMetrics.MethodTag, methodName);
    }

    /// <summary>
    /// The name the method's calls are counted under: its circuit breaker's, else its bulkhead's, else its rate
    /// limit's, else <c>Namespace.Type.Method</c>.
    /// </summary>
    public string PolicyName { get; }

    /// <summary>The method, as <c>Namespace.Type.Method</c>.</summary>
    public string MethodName { get; }

    /// <summary>
    /// The call's token, to pass to the <c>Record</c> method that ends the call: a timestamp of the registry's clock
    /// (positive), or 0 while no duration is measured. <see cref="RecordRetry"/> returns it marked as retried
    /// (negative), so that the call's end is also counted among the retried calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Start() => ResilienceMetrics.CallDuration.Enabled ? StartTimestamp() : 0;

    /// <summary>The call returned the operation's result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordSuccess(long started)
    {
        if (started != 0 || ResilienceMetrics.Calls.Enabled)
        {
            RecordOutcome(started, s_success);
        }
    }

    /// <summary>The call returned the fallback's result.</summary>
    public void RecordFallback(long started) => RecordFallback(started, failure: null);

    /// <summary>The call returned the fallback's result, which answered <paramref name="failure"/>.</summary>
    /// <param name="started">What <see cref="Start"/> returned for the call.</param>
    /// <param name="failure">
    /// The exception the fallback answered; null, or a <see cref="HandledResultException"/>, when it answered a result
    /// handled as a failure, which is told as null.
    /// </param>
    public void RecordFallback(long started, Exception? failure)
    {
        if (started != 0 || ResilienceMetrics.Calls.Enabled)
        {
            RecordOutcome(started, s_fallback);
        }

        if (Registry.HasListeners)
        {
            Registry.Notify(new FallbackEventArgs(PolicyName, MethodName, failure is HandledResultException ? null : failure));
        }
    }

    /// <summary>
    /// The call returned the last good result of its <see cref="CachedFallbackAttribute"/>: counted with the fallback
    /// outcome (the cache told its own listeners and counters).
    /// </summary>
    public void RecordCachedFallback(long started)
    {
        if (started != 0 || ResilienceMetrics.Calls.Enabled)
        {
            RecordOutcome(started, s_fallback);
        }
    }

    /// <summary>
    /// The call is ending with <paramref name="error"/>: counted as canceled (the caller's cancellation),
    /// rejected (a <see cref="ResilienceRejectedException"/>) or failure. Meant for an exception filter: it
    /// always returns false, so that the exception goes on untouched.
    /// </summary>
    public bool RecordFailure(long started, Exception error, CancellationToken cancellationToken)
    {
        if (started != 0 || ResilienceMetrics.Calls.Enabled)
        {
            KeyValuePair<string, object?> outcome = error switch
            {
                OperationCanceledException when cancellationToken.IsCancellationRequested => s_canceled,
                ResilienceRejectedException => s_rejected,
                _ => s_failure,
            };
            RecordOutcome(started, outcome);
        }

        return false;
    }

    /// <summary>An attempt failed with <paramref name="error"/> and is retried after <paramref name="delay"/>.</summary>
    /// <param name="started">The call's token (what <see cref="Start"/> returned, or a previous retry).</param>
    /// <param name="attempt">The attempt that failed, from 1.</param>
    /// <param name="delay">The wait before the next attempt.</param>
    /// <param name="error">The attempt's failure.</param>
    /// <returns>The call's token marked as retried, to pass on in place of <paramref name="started"/>.</returns>
    public long RecordRetry(long started, int attempt, TimeSpan delay, Exception error)
    {
        if (ResilienceMetrics.RetryAttempts.Enabled)
        {
            ResilienceMetrics.RetryAttempts.Add(1, _policyTag, _methodTag, new KeyValuePair<string, object?>(ResilienceMetrics.ErrorTypeTag, error.GetType().FullName));
        }

        RecordDelay(delay);
        if (Registry.HasListeners)
        {
            Registry.Notify(new RetryEventArgs(PolicyName, MethodName, attempt, delay, error));
        }

        return MarkRetried(started);
    }

    /// <summary>An attempt returned <paramref name="result"/>, handled as a failure, and is retried after <paramref name="delay"/>.</summary>
    /// <param name="started">The call's token (what <see cref="Start"/> returned, or a previous retry).</param>
    /// <param name="attempt">The attempt that failed, from 1.</param>
    /// <param name="delay">The wait before the next attempt.</param>
    /// <param name="result">The result handled as a failure.</param>
    /// <returns>The call's token marked as retried, to pass on in place of <paramref name="started"/>.</returns>
    public long RecordRetryOnResult<T>(long started, int attempt, TimeSpan delay, T result)
    {
        if (ResilienceMetrics.RetryAttempts.Enabled)
        {
            ResilienceMetrics.RetryAttempts.Add(1, _policyTag, _methodTag, new KeyValuePair<string, object?>(ResilienceMetrics.ErrorTypeTag, ResilienceMetrics.ResultErrorType(result)));
        }

        RecordDelay(delay);
        if (Registry.HasListeners)
        {
            Registry.Notify(new RetryEventArgs(PolicyName, MethodName, attempt, delay, exception: null, result));
        }

        return MarkRetried(started);
    }

    /// <summary>The call returned a result handled as a failure, after every attempt it had: counted as a failure.</summary>
    public void RecordFailedResult(long started)
    {
        if (started != 0 || ResilienceMetrics.Calls.Enabled)
        {
            RecordOutcome(started, s_failure);
        }
    }

    /// <summary>A timeout of <paramref name="timeout"/> fired.</summary>
    public void RecordTimeout(TimeSpan timeout, TimeoutScope scope)
    {
        if (ResilienceMetrics.Timeouts.Enabled)
        {
            ResilienceMetrics.Timeouts.Add(1, _policyTag, _methodTag, scope == TimeoutScope.Total ? s_total : s_perAttempt);
        }

        if (Registry.HasListeners)
        {
            Registry.Notify(new TimeoutEventArgs(PolicyName, MethodName, timeout, scope));
        }
    }

    /// <summary>A hedged call started attempt <paramref name="attempt"/> (2 or more) beside those still running.</summary>
    internal void RecordHedgedAttempt(int attempt)
    {
        if (ResilienceMetrics.HedgingAttempts.Enabled)
        {
            ResilienceMetrics.HedgingAttempts.Add(1, _policyTag, _methodTag, HedgingAttemptTag(attempt));
        }

        ResilienceTracing.RecordHedgedAttempt(PolicyName, MethodName, attempt);
    }

    /// <summary>Attempt <paramref name="attempt"/> of a hedged call gave the acceptable outcome that won.</summary>
    internal void RecordHedgingWinner(int attempt)
    {
        if (ResilienceMetrics.HedgingWins.Enabled)
        {
            ResilienceMetrics.HedgingWins.Add(1, _policyTag, _methodTag, HedgingAttemptTag(attempt));
        }

        ResilienceTracing.RecordHedgingWinner(PolicyName, MethodName, attempt);
    }

    // .NET 8 and later keep the strings of small numbers: no allocation for the attempts a hedged call makes.
    private static KeyValuePair<string, object?> HedgingAttemptTag(int attempt)
        => new(ResilienceMetrics.HedgingAttemptTag, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Chaos injected <paramref name="injection"/> into an attempt.</summary>
    internal void RecordChaos(ChaosInjection injection)
    {
        if (ResilienceMetrics.ChaosInjections.Enabled)
        {
            ResilienceMetrics.ChaosInjections.Add(1, _policyTag, _methodTag, s_chaosKinds[(int)injection]);
        }

        if (_registry.HasListeners)
        {
            _registry.Notify(new ChaosEventArgs(PolicyName, MethodName, injection));
        }
    }

    // A call's token: 0 (no duration measured) or a positive timestamp; negated once the call was retried, and
    // long.MinValue for a retried call without a timestamp. The happy path never sees a negative token.
    internal static long MarkRetried(long started) => started > 0 ? -started : started == 0 ? long.MinValue : started;

    /// <summary>
    /// The registry whose listeners and clock this method's events go to: its own, or, inside a
    /// <see cref="ResilienceScope"/>, the scope's.
    /// </summary>
    private ResilienceRegistry Registry
        => (ResilienceScope.AnyBegun ? ResilienceScope.RegistryInsteadOf(_registry) : null) ?? _registry;

    /// <summary>Now on the registry's clock; always positive, as 0 means "not measured" and negative "retried".</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long StartTimestamp()
    {
        long timestamp = Registry.TimeProvider.GetTimestamp();
        return timestamp <= 0 ? 1 : timestamp;
    }

    private void RecordDelay(TimeSpan delay)
    {
        if (ResilienceMetrics.RetryDelay.Enabled)
        {
            ResilienceMetrics.RetryDelay.Record(delay.TotalSeconds, _policyTag, _methodTag);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOutcome(long started, KeyValuePair<string, object?> outcome)
    {
        ResilienceMetrics.Calls.Add(1, _policyTag, _methodTag, outcome);
        long timestamp = started;
        if (started < 0)
        {
            ResilienceMetrics.RetriedCalls.Add(1, _policyTag, _methodTag, outcome);
            timestamp = started == long.MinValue ? 0 : -started;
        }

        if (timestamp != 0)
        {
            double seconds = Registry.TimeProvider.GetElapsedTime(timestamp).TotalSeconds;
            ResilienceMetrics.CallDuration.Record(seconds, _policyTag, _methodTag, outcome);
        }
    }
}
