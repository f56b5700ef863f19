using System.Collections.Generic;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>
/// The stages of one method, outer to inner. The order of the policies is written here and nowhere else:
/// Fallback → CachedFallback → Idempotency → RateLimit → Timeout(Total) → Hedging → Retry → CircuitBreaker → Bulkhead → Timeout(PerAttempt) → {Name}Core,
/// with the count of a success just inside the fallback, which answers only what fails (the cached fallback, inside that
/// count, keeps each good result and answers a failure before the fallback sees it). The idempotency key is inside the
/// fallbacks, so that a fallback's answer is never stored as the key's result, and outside the rate limit, so that a
/// repeat answered from the store takes no permit. The stages inside [Hedging]
/// run once per hedged attempt, in a method of their own; the synchronous start stops short of them.
/// </summary>
internal sealed class Pipeline
{
    private readonly List<Stage> _stages = new();
    private readonly List<StartStage> _startStages = new();

    private Pipeline(ResilientMethodSpec method)
    {
        if (method.Fallback is { } fallback)
        {
            Add(Fallback = new FallbackStage(fallback));
        }

        Add(new SuccessStage());
        if (method.CachedFallback is { } cachedFallback)
        {
            Add(CachedFallback = new CachedFallbackStage(method, cachedFallback));
        }

        if (method.Idempotency is { } idempotency)
        {
            Add(Idempotency = new IdempotencyStage(idempotency));
        }

        if (method.RateLimit is { } rateLimit)
        {
            Add(new RateLimitStage(rateLimit));
        }

        if (method.Timeout is { Scope: TimeoutScope.Total } total)
        {
            Add(TotalTimeout = new TimeoutStage(total));
        }

        if (method.Hedging is { } hedging)
        {
            Add(Hedging = new HedgingStage(hedging));
        }

        if (method.Retry is { } retry)
        {
            Add(Retry = new RetryStage(retry, method.TelemetryPolicy));
        }

        if (method.CircuitBreaker is { } breaker)
        {
            Add(CircuitBreaker = new CircuitBreakerStage(breaker));
        }

        if (method.Bulkhead is { } bulkhead)
        {
            Add(Bulkhead = new BulkheadStage(bulkhead));
        }

        if (method.Timeout is { Scope: TimeoutScope.PerAttempt } attempt)
        {
            Add(new TimeoutStage(attempt));
        }

        Add(new CoreStage(method));
    }

    /// <summary>Every stage, outer to inner.</summary>
    public IReadOnlyList<Stage> Stages => _stages;

    /// <summary>The stages the synchronous start takes part in, in order; each one's <see cref="StartStage.Ordinal"/> is its place here, from 1.</summary>
    public IReadOnlyList<StartStage> StartStages => _startStages;

    public FallbackStage? Fallback { get; }

    /// <summary>The cached fallback, which answers failures before the fallback does; null when there is none.</summary>
    public CachedFallbackStage? CachedFallback { get; }

    /// <summary>The idempotency key, whose stored result or shared run the synchronous start leaves to the helper; null when there is none.</summary>
    public IdempotencyStage? Idempotency { get; }

    /// <summary>True when the synchronous start of an asynchronous method calls {Name}Core itself: not with [Hedging] or an idempotency key.</summary>
    public bool StartCallsCore => Hedging is null && Idempotency is null;

    /// <summary>The total timeout, which stages inside the retry look at; null when there is none.</summary>
    public TimeoutStage? TotalTimeout { get; }

    /// <summary>The hedging, whose inner stages run in the hedged attempt's method; null when there is none.</summary>
    public HedgingStage? Hedging { get; }

    /// <summary>The index in <see cref="Stages"/> of the first stage inside the hedging; <see cref="int.MaxValue"/> when there is none.</summary>
    public int FirstHedgedStage { get; private set; } = int.MaxValue;

    public RetryStage? Retry { get; }

    public CircuitBreakerStage? CircuitBreaker { get; }

    public BulkheadStage? Bulkhead { get; }

    /// <summary>True when the synchronous start asks the breaker (it does not when the breaker is inside the hedging).</summary>
    public bool BreakerInStart => CircuitBreaker is { Ordinal: > 0 };

    /// <summary>The <c>__resume</c> that tells the helper the breaker refused the first attempt: past every stage.</summary>
    public int BreakerRefused => _startStages.Count + 1;

    /// <summary>True when some stage's rejection goes to the fallback without throwing, so that the fallback needs a label to go to.</summary>
    public bool RejectsToFallback(FallbackSpec fallback)
    {
        // The stages inside the hedging run in the hedged attempt's method, where a rejection is thrown.
        foreach (Stage stage in StagesOf(hedged: false))
        {
            if (stage.GoesToFallback(fallback))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a stage keeps <c>ResilienceRegistry.Default</c> in use in the body (or, <paramref name="hedged"/>, in the hedged attempt's).</summary>
    public bool UsesRegistry(bool hedged)
    {
        foreach (Stage stage in StagesOf(hedged))
        {
            if (stage.UsesRegistry)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The stages of the body (outside the hedging), or those of the hedged attempt's method (inside it).</summary>
    public IEnumerable<Stage> StagesOf(bool hedged)
    {
        for (int i = hedged ? FirstHedgedStage : 0; i < _stages.Count && (hedged || i < FirstHedgedStage); i++)
        {
            yield return _stages[i];
        }
    }

    public static Pipeline Of(ResilientMethodSpec method) => new(method);

    /// <summary>The stages around <paramref name="stage"/> that must give back what they hold before a jump to the fallback from inside them.</summary>
    public IEnumerable<Stage> HoldersAround(Stage stage)
    {
        foreach (Stage outer in _stages)
        {
            if (ReferenceEquals(outer, stage))
            {
                yield break;
            }

            if (outer.GivesBackInHandler)
            {
                yield return outer;
            }
        }
    }

    /// <summary>Writes what each stage does once a call, as it starts.</summary>
    public void WriteCallStart(MethodContext m)
    {
        foreach (Stage stage in _stages)
        {
            stage.WriteCallStart(m);
        }
    }

    /// <summary>Writes stage <paramref name="index"/> and, inside it, those after it.</summary>
    public void WriteBody(MethodContext m, int index, string token) => _stages[index].WriteBody(m, token, inner => WriteBody(m, index + 1, inner));

    private void Add(Stage stage)
    {
        _stages.Add(stage);
        if (FirstHedgedStage == int.MaxValue && stage is HedgingStage)
        {
            // What is inside the hedging runs per attempt, in the hedged attempt's method, never in the synchronous start.
            FirstHedgedStage = _stages.Count;
            return;
        }

        if (stage is StartStage start && FirstHedgedStage == int.MaxValue)
        {
            _startStages.Add(start);
            start.Place(_startStages.Count);
        }
    }
}
