namespace Resilience;

/// <summary>
/// Observes what the policies of a <see cref="ResilienceRegistry"/> do: changes of circuit state, retries,
/// timeouts, rejections and fallbacks. Override the methods of interest and register it with
/// <see cref="ResilienceRegistry.AddListener"/>; the <c>Resilience.Generators.Hosting</c> package registers one
/// that writes structured logs.
/// </summary>
/// <remarks>
/// <para>
/// Methods are called synchronously, on the thread of the call concerned, and only on the paths where
/// something happened: a call that succeeds at once never reaches a listener. Keep them short.
/// <see cref="OnCircuitStateChanged"/> is called while the breaker holds its lock, so that changes are seen
/// in order: do not call through the same breaker from it.
/// </para>
/// <para>
/// An exception thrown by a listener is caught and dropped: observing a policy never changes what it does.
/// </para>
/// </remarks>
public abstract class ResilienceListener
{
    /// <summary>A circuit breaker changed state.</summary>
    public virtual void OnCircuitStateChanged(CircuitStateChangedEventArgs e)
    {
    }

    /// <summary>An attempt failed and is about to be retried.</summary>
    public virtual void OnRetry(RetryEventArgs e)
    {
    }

    /// <summary>A timeout fired.</summary>
    public virtual void OnTimeout(TimeoutEventArgs e)
    {
    }

    /// <summary>A circuit breaker, bulkhead or rate limit rejected a call.</summary>
    public virtual void OnRejected(RejectionEventArgs e)
    {
    }

    /// <summary>
    /// A call was answered by its <see cref="FallbackAttribute"/> method: after a failure, a rejection or a result
    /// handled as a failure. Called after the fallback returned, on the flow of the call it answered.
    /// </summary>
    public virtual void OnFallback(FallbackEventArgs e)
    {
    }

    /// <summary>
    /// A failed call was answered by its <see cref="CachedFallbackAttribute"/> with the last good result for its
    /// arguments: after a failure, a rejection or a result handled as a failure, before any fallback method.
    /// </summary>
    public virtual void OnCachedFallback(CachedFallbackEventArgs e)
    {
    }

    /// <summary>
    /// Chaos injected a fault, a latency or an outcome into an attempt (see <see cref="ChaosSettings"/>): what follows
    /// (a retry, a timeout, a fallback) was caused on purpose, not by the dependency.
    /// </summary>
    public virtual void OnChaosInjected(ChaosEventArgs e)
    {
    }

    /// <summary>
    /// A call with an idempotency key (<see cref="IdempotencyKeyAttribute"/>) was answered by a stored result, ran,
    /// joined the run of another call with the key, or ran without its result being kept (see
    /// <see cref="IdempotencyEventArgs.Outcome"/>). Called on the flow of the call; the key itself is not given, as it
    /// may identify a customer.
    /// </summary>
    public virtual void OnIdempotency(IdempotencyEventArgs e)
    {
    }

    /// <summary>
    /// A rate limit or circuit breaker marked <c>Distributed</c> runs on its local state: no
    /// <see cref="IDistributedResilienceStore"/> is registered. Each listener is told once per policy: as the policy first
    /// decides locally, or, for a listener added after that, as it is added.
    /// </summary>
    public virtual void OnDistributedFallback(DistributedFallbackEventArgs e)
    {
    }
}
