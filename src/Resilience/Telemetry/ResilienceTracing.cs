using System;
using System.Diagnostics;
using System.Globalization;

namespace Resilience;

/// <summary>
/// Adds what the policies do to the current <see cref="Activity"/> as events, with OpenTelemetry-style attribute names,
/// while the <c>Resilience</c> activity source has a listener (with OpenTelemetry: <c>AddSource("Resilience")</c>).
/// </summary>
/// <remarks>
/// The events are the registry's listener events (<see cref="ResilienceListener"/>): they are built only when
/// <see cref="IsRecording"/> or a listener is registered, so that nothing is allocated while nobody listens.
/// </remarks>
internal static class ResilienceTracing
{
    public const string SourceName = "Resilience";

    public const string RetryEvent = "resilience.retry";
    public const string TimeoutEvent = "resilience.timeout";
    public const string RejectionEvent = "resilience.rejection";
    public const string FallbackEvent = "resilience.fallback";
    public const string CachedFallbackEvent = "resilience.cached_fallback";
    public const string SharedStoreTag = "resilience.cached_fallback.shared";
    public const string StateChangeEvent = "resilience.circuit_breaker.state_change";
    public const string ChaosEvent = "resilience.chaos";
    public const string IdempotencyEvent = "resilience.idempotency";
    public const string HedgingAttemptEvent = "resilience.hedging.attempt";
    public const string HedgingWinnerEvent = "resilience.hedging.winner";

    public const string AttemptTag = "resilience.retry.attempt";
    public const string DelayTag = "resilience.retry.delay";
    public const string TimeoutTag = "resilience.timeout.duration";
    public const string KindTag = "resilience.policy.kind";
    public const string RetryAfterTag = "resilience.retry_after";
    public const string PreviousStateTag = "resilience.circuit_breaker.previous_state";

    public static readonly ActivitySource Source = new(SourceName, typeof(ResilienceTracing).Assembly.GetName().Version?.ToString());

    /// <summary>True when the source has a listener and there is a current activity that records: events are worth building.</summary>
    public static bool IsRecording => Source.HasListeners() && Activity.Current is { IsAllDataRequested: true };

    public static void Record(RetryEventArgs e)
    {
        if (Current() is { } activity)
        {
            activity.AddEvent(new ActivityEvent(RetryEvent, tags: new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [ResilienceMetrics.MethodTag] = e.MethodName,
                [AttemptTag] = e.Attempt,
                [DelayTag] = e.Delay.TotalSeconds,
                [ResilienceMetrics.ErrorTypeTag] = e.Exception is { } exception ? exception.GetType().FullName : ResilienceMetrics.ResultErrorType(e.Result),
            }));
        }
    }

    public static void Record(ChaosEventArgs e)
    {
        if (Current() is { } activity)
        {
            activity.AddEvent(new ActivityEvent(ChaosEvent, tags: new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [ResilienceMetrics.MethodTag] = e.MethodName,
                [ResilienceMetrics.ChaosKindTag] = ResilienceMetrics.ChaosKindName(e.Injection),
            }));
        }
    }

    public static void Record(TimeoutEventArgs e)
    {
        if (Current() is { } activity)
        {
            activity.AddEvent(new ActivityEvent(TimeoutEvent, tags: new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [ResilienceMetrics.MethodTag] = e.MethodName,
                [ResilienceMetrics.ScopeTag] = e.Scope == TimeoutScope.Total ? "total" : "per_attempt",
                [TimeoutTag] = e.Timeout.TotalSeconds,
            }));
        }
    }

    public static void Record(RejectionEventArgs e)
    {
        if (Current() is { } activity)
        {
            var tags = new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [KindTag] = KindName(e.Kind),
            };
            if (e.RetryAfter is { } retryAfter)
            {
                tags[RetryAfterTag] = retryAfter.TotalSeconds;
            }

            activity.AddEvent(new ActivityEvent(RejectionEvent, tags: tags));
        }
    }

    public static void Record(CachedFallbackEventArgs e)
    {
        if (Current() is { } activity)
        {
            var tags = new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [ResilienceMetrics.MethodTag] = e.MethodName,
                [SharedStoreTag] = e.FromSharedStore,
            };
            if (e.Exception is { } exception)
            {
                tags[ResilienceMetrics.ErrorTypeTag] = exception.GetType().FullName;
            }

            activity.AddEvent(new ActivityEvent(CachedFallbackEvent, tags: tags));
        }
    }

    public static void Record(FallbackEventArgs e)
    {
        if (Current() is { } activity)
        {
            var tags = new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [ResilienceMetrics.MethodTag] = e.MethodName,
            };
            if (e.Exception is { } exception)
            {
                tags[ResilienceMetrics.ErrorTypeTag] = exception.GetType().FullName;
            }

            activity.AddEvent(new ActivityEvent(FallbackEvent, tags: tags));
        }
    }

    public static void Record(IdempotencyEventArgs e)
    {
        if (Current() is { } activity)
        {
            var tags = new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.PolicyName,
                [ResilienceMetrics.IdempotencyOutcomeTag] = ResilienceMetrics.IdempotencyOutcomeName(e.Outcome),
            };
            activity.AddEvent(new ActivityEvent(IdempotencyEvent, tags: tags));
        }
    }

    public static void Record(CircuitStateChangedEventArgs e)
    {
        if (Current() is { } activity)
        {
            var tags = new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = e.Name,
                [ResilienceMetrics.StateTag] = ResilienceMetrics.StateName(e.State),
                [PreviousStateTag] = ResilienceMetrics.StateName(e.PreviousState),
            };
            if (e.Key is { } key)
            {
                tags[ResilienceMetrics.KeyTag] = key;
            }

            activity.AddEvent(new ActivityEvent(StateChangeEvent, tags: tags));
        }
    }

    /// <summary>A hedged call started attempt <paramref name="attempt"/>, beside the ones still running.</summary>
    public static void RecordHedgedAttempt(string policyName, string methodName, int attempt) => RecordHedging(HedgingAttemptEvent, policyName, methodName, attempt);

    /// <summary>Attempt <paramref name="attempt"/> of a hedged call won.</summary>
    public static void RecordHedgingWinner(string policyName, string methodName, int attempt) => RecordHedging(HedgingWinnerEvent, policyName, methodName, attempt);

    private static void RecordHedging(string name, string policyName, string methodName, int attempt)
    {
        if (Current() is { } activity)
        {
            activity.AddEvent(new ActivityEvent(name, tags: new ActivityTagsCollection
            {
                [ResilienceMetrics.PolicyTag] = policyName,
                [ResilienceMetrics.MethodTag] = methodName,
                [ResilienceMetrics.HedgingAttemptTag] = attempt,
            }));
        }
    }

    /// <summary>The activity to add an event to; null when the source has no listener or no activity records.</summary>
    private static Activity? Current() => Source.HasListeners() && Activity.Current is { IsAllDataRequested: true } activity ? activity : null;

    private static string KindName(PolicyKind kind) => kind switch
    {
        PolicyKind.CircuitBreaker => "circuit_breaker",
        PolicyKind.Bulkhead => "bulkhead",
        PolicyKind.RateLimit => "rate_limit",
        _ => kind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
