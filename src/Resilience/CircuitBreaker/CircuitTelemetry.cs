using System;
using System.Collections.Generic;

namespace Resilience;

/// <summary>
/// Reports one circuit breaker's rejections and changes of state to the <c>Resilience</c> meter, to the
/// breaker's <see cref="CircuitBreakerState.StateChanged"/> handlers and to the registry's listeners.
/// </summary>
internal sealed class CircuitTelemetry
{
    private readonly ResilienceRegistry _registry;
    private readonly string _name;
    private readonly string? _key;
    private readonly KeyValuePair<string, object?> _policyTag;

    /// <summary>Reports for the breaker <paramref name="name"/>, or its partition for <paramref name="key"/>.</summary>
    /// <remarks>The key goes into events, never into the meter's tags, whose number of series must stay bounded.</remarks>
    public CircuitTelemetry(ResilienceRegistry registry, string name, string? key)
    {
        _registry = registry;
        _name = name;
        _key = key;
        _policyTag = ResilienceMetrics.Policy(name);
    }

    /// <summary>True when a listener is registered: a rejection's event is built only then.</summary>
    public bool HasListeners => _registry.HasListeners;

    /// <summary>Counts a rejection on the meter, when it is being listened to.</summary>
    public void MeterRejection()
    {
        if (ResilienceMetrics.CircuitRejections.Enabled)
        {
            ResilienceMetrics.CircuitRejections.Add(1, _policyTag);
        }
    }

    /// <summary>Counts a slow call on the meter, when it is being listened to.</summary>
    public void MeterSlowCall()
    {
        if (ResilienceMetrics.CircuitSlowCalls.Enabled)
        {
            ResilienceMetrics.CircuitSlowCalls.Add(1, _policyTag);
        }
    }

    /// <summary>Tells the registry's listeners of a rejection; called outside the breaker's lock.</summary>
    public void NotifyRejection(TimeSpan? retryAfter)
        => _registry.Notify(new RejectionEventArgs(_name, PolicyKind.CircuitBreaker, retryAfter));

    /// <summary>
    /// Counts a change of state on the meter and, when anyone listens, raises it to <paramref name="handlers"/>
    /// (with <paramref name="breaker"/> as the sender) and to the registry's listeners. Called under the breaker's
    /// lock, after the change, so that changes are reported in order.
    /// </summary>
    public void ReportTransitionLocked(
        CircuitBreakerState breaker,
        EventHandler<CircuitStateChangedEventArgs>? handlers,
        CircuitState previous,
        CircuitState next,
        (int Failures, double ErrorRate) opening,
        TimeSpan? breakDuration,
        double slowCallRate)
    {
        if (ResilienceMetrics.CircuitTransitions.Enabled)
        {
            ResilienceMetrics.CircuitTransitions.Add(1, _policyTag, new KeyValuePair<string, object?>(ResilienceMetrics.StateTag, ResilienceMetrics.StateName(next)));
        }

        if (handlers is not null || _registry.HasListeners)
        {
            var args = new CircuitStateChangedEventArgs(_name, previous, next, _registry.TimeProvider.GetUtcNow(), opening.Failures, opening.ErrorRate, breakDuration, _key, slowCallRate);
            handlers?.Invoke(breaker, args);
            _registry.Notify(args);
        }
    }
}
