using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace Resilience;

/// <summary>
/// The <c>Resilience</c> meter and its instruments. Names and units follow the OpenTelemetry conventions; a
/// Prometheus exporter turns <c>resilience.calls</c> into <c>resilience_calls_total</c>.
/// </summary>
/// <remarks>
/// Every recording site checks <see cref="Instrument.Enabled"/> first, so that nothing is measured, tagged or
/// allocated while nobody listens. Tags: <see cref="PolicyTag"/> (the breaker's, bulkhead's or rate limit's
/// name) on every instrument but the checkpoints' (a checkpoint store belongs to no policy), <see cref="MethodTag"/>
/// on those recorded per call.
/// </remarks>
internal static class ResilienceMetrics
{
    public const string MeterName = "Resilience";

    public const string PolicyTag = "resilience.policy";
    public const string MethodTag = "resilience.method";
    public const string OutcomeTag = "resilience.outcome";
    public const string StateTag = "resilience.circuit_breaker.state";
    public const string KeyTag = "resilience.circuit_breaker.key";
    public const string ScopeTag = "resilience.timeout.scope";
    public const string ErrorTypeTag = "error.type";

    public static readonly Meter Meter = new(MeterName, typeof(ResilienceMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Calls = Meter.CreateCounter<long>(
        "resilience.calls", "{call}", "Calls through resilient methods, by outcome: success, fallback, failure, rejected or canceled.");

    public static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>(
        "resilience.call.duration", "s", "The duration of calls through resilient methods, retries and waits included, by outcome.");

    public static readonly Counter<long> RetryAttempts = Meter.CreateCounter<long>(
        "resilience.retry.attempts", "{attempt}", "Attempts retried after a failure, by the failure's exception type, or the failed HTTP status code, or _result.");

    public static readonly Histogram<double> RetryDelay = Meter.CreateHistogram<double>(
        "resilience.retry.delay", "s", "The wait before each retried attempt.");

    public static readonly Counter<long> RetriedCalls = Meter.CreateCounter<long>(
        "resilience.retry.calls", "{call}", "Calls that were retried at least once, by outcome: success, fallback, failure, rejected or canceled.");

    /// <summary>The <see cref="ErrorTypeTag"/> of a failed result: an HTTP response's status code ("503"), else "_result".</summary>
    public static string ResultErrorType<T>(T result)
        => result is System.Net.Http.HttpResponseMessage response ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : "_result";

    public const string HedgingAttemptTag = "resilience.hedging.attempt";

    public static readonly Counter<long> HedgingAttempts = Meter.CreateCounter<long>(
        "resilience.hedging.attempts", "{attempt}", "Hedged attempts started beside the first one, by their number (2, 3, ...).");

    public static readonly Counter<long> HedgingWins = Meter.CreateCounter<long>(
        "resilience.hedging.wins", "{call}", "Hedged calls decided by an acceptable outcome, by the number of the attempt that gave it (1 is the first attempt).");

    public static readonly Counter<long> Timeouts = Meter.CreateCounter<long>(
        "resilience.timeouts", "{timeout}", "Timeouts that fired, by scope: per_attempt or total.");

    public static readonly Counter<long> CircuitTransitions = Meter.CreateCounter<long>(
        "resilience.circuit_breaker.transitions", "{transition}", "Changes of a circuit breaker's state, by the state entered.");

    public static readonly Counter<long> CircuitRejections = Meter.CreateCounter<long>(
        "resilience.circuit_breaker.rejections", "{call}", "Calls an open (or half-open, or isolated) circuit breaker rejected.");

    public static readonly Counter<long> CircuitSlowCalls = Meter.CreateCounter<long>(
        "resilience.circuit_breaker.slow_calls", "{call}", "Calls through a circuit breaker that took longer than its SlowCallDurationMs, successful or not.");

    public static readonly Counter<long> RetryBudgetRefusals = Meter.CreateCounter<long>(
        "resilience.retry.budget_refusals", "{retry}", "Retries a retry budget (MaxRetryRatio) refused: the last failure surfaced instead.");

    public static readonly Counter<long> BulkheadRejections = Meter.CreateCounter<long>(
        "resilience.bulkhead.rejections", "{call}", "Calls a bulkhead rejected: queue full, or the wait ran out.");

    public static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>(
        "resilience.rate_limit.rejections", "{call}", "Calls a rate limit rejected.");

    public static readonly Counter<long> DistributedFallbacks = Meter.CreateCounter<long>(
        "resilience.distributed.fallbacks", "{decision}",
        "Decisions a policy marked Distributed took on its local state because the shared store was missing, slow or unreachable, by policy and kind (rate_limit, circuit_breaker, cached_fallback, idempotency).");

    public const string KindTag = "resilience.policy.kind";

    /// <summary>Counts one decision a distributed policy of <paramref name="kind"/> (rate_limit, circuit_breaker, cached_fallback, idempotency) took on its local state.</summary>
    public static void RecordDistributedFallback(KeyValuePair<string, object?> policyTag, string kind)
    {
        if (DistributedFallbacks.Enabled)
        {
            DistributedFallbacks.Add(1, policyTag, new KeyValuePair<string, object?>(KindTag, kind));
        }
    }

    public static readonly Counter<long> CachedFallbackHits = Meter.CreateCounter<long>(
        "resilience.cached_fallback.hits", "{call}", "Failed calls a cached fallback answered with the last good result for their arguments.");

    public static readonly Counter<long> CachedFallbackMisses = Meter.CreateCounter<long>(
        "resilience.cached_fallback.misses", "{call}", "Failed calls a cached fallback had no result for: none kept for their arguments, or too old.");

    public const string ChaosKindTag = "resilience.chaos.kind";

    /// <summary>The <see cref="ChaosKindTag"/> of an injection: fault, latency or outcome.</summary>
    public static string ChaosKindName(ChaosInjection injection) => injection switch
    {
        ChaosInjection.Fault => "fault",
        ChaosInjection.Latency => "latency",
        _ => "outcome",
    };

    public static readonly Counter<long> ChaosInjections = Meter.CreateCounter<long>(
        "resilience.chaos.injections", "{injection}",
        "Faults, latencies and outcomes that chaos injected into attempts, by kind (fault, latency, outcome): none of them came from the dependency.");

    public const string IdempotencyOutcomeTag = "resilience.idempotency.outcome";

    /// <summary>The <see cref="IdempotencyOutcomeTag"/> of an outcome: hit, miss, shared or not_stored.</summary>
    public static string IdempotencyOutcomeName(IdempotencyOutcome outcome) => outcome switch
    {
        IdempotencyOutcome.Hit => "hit",
        IdempotencyOutcome.Miss => "miss",
        IdempotencyOutcome.Shared => "shared",
        _ => "not_stored",
    };

    public static readonly Counter<long> IdempotencyRequests = Meter.CreateCounter<long>(
        "resilience.idempotency.requests", "{call}",
        "Calls with an idempotency key, by outcome: hit (a stored result answered it), miss (it ran), shared (it waited for the run of another call with the key) or not_stored (it ran, but the store could not keep its result).");

    public const string CheckpointStageTag = "resilience.checkpoint.stage";
    public const string CheckpointOutcomeTag = "resilience.checkpoint.outcome";

    public static readonly Counter<long> CheckpointSaves = Meter.CreateCounter<long>(
        "resilience.checkpoint.saves", "{checkpoint}",
        "Checkpoint saves through the library's stores, by stage and outcome: saved, skipped (within MinSaveInterval of the job's latest save) or failed (the store threw, e.g. Redis unreachable).");

    public static readonly Counter<long> CheckpointReads = Meter.CreateCounter<long>(
        "resilience.checkpoint.reads", "{read}",
        "Reads of a job's latest checkpoint through the library's stores, by outcome: found (the job resumes from it), none (it starts from the beginning) or failed (the store threw).");

    public static readonly Counter<long> IdempotencyLostClaims = Meter.CreateCounter<long>(
        "resilience.idempotency.lost_claims", "{claim}",
        "Claims of idempotency keys a shared store found taken by another process, or the key's result stored by another process, while this one still ran the key: each key ran, or may have run, twice.");

    static ResilienceMetrics()
    {
        Meter.CreateObservableGauge(
            "resilience.circuit_breaker.state", ObserveCircuitStates, "{state}",
            "The state of each circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated. A breaker kept per key reports its partitions that are not closed, with their key, up to 100 of them.");
        Meter.CreateObservableGauge(
            "resilience.circuit_breaker.partitions", ObserveCircuitPartitions, "{partition}",
            "The partitions of each circuit breaker kept per key, by state.");
        Meter.CreateObservableGauge(
            "resilience.circuit_breaker.consecutive_failures", ObserveConsecutiveFailures, "{failure}",
            "Failures since the last success of each circuit breaker (not kept per key).");
        Meter.CreateObservableCounter(
            "resilience.circuit_breaker.time_in_state", ObserveTimeInStates, "s",
            "The time each circuit breaker (not kept per key) has spent in each state since it was created.");
        Meter.CreateObservableUpDownCounter(
            "resilience.bulkhead.active", static () => ObserveBulkheads(queued: false), "{call}", "Calls running inside each bulkhead.");
        Meter.CreateObservableUpDownCounter(
            "resilience.bulkhead.queued", static () => ObserveBulkheads(queued: true), "{call}", "Calls waiting for a slot of each bulkhead.");
    }

    /// <summary>Touches the type, so that the meter and its observable instruments exist before anything is called.</summary>
    public static void EnsureCreated()
    {
    }

    private static readonly CircuitState[] s_states = [CircuitState.Closed, CircuitState.Open, CircuitState.HalfOpen, CircuitState.Isolated];

    public static KeyValuePair<string, object?> Policy(string name) => new(PolicyTag, name);

    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "isolated",
    };

    private static IEnumerable<Measurement<int>> ObserveCircuitStates()
    {
        IReadOnlyList<CircuitBreakerState> breakers = ResilienceRegistry.Default.CircuitBreakers;
        var measurements = new List<Measurement<int>>(breakers.Count);
        foreach (CircuitBreakerState breaker in breakers)
        {
            measurements.Add(new Measurement<int>((int)breaker.State, Policy(breaker.Name)));
        }

        // A partition is reported while it is not closed, and its series ends when it closes: the key tag's values are
        // bounded by MaxReportedPartitions per breaker, whatever the key space.
        foreach (KeyedCircuitBreakerState keyed in ResilienceRegistry.Default.KeyedCircuitBreakers)
        {
            foreach (CircuitBreakerState partition in keyed.NotClosedPartitions())
            {
                measurements.Add(new Measurement<int>((int)partition.State, Policy(keyed.Name), new KeyValuePair<string, object?>(KeyTag, partition.Key)));
            }
        }

        return measurements;
    }

    private static IEnumerable<Measurement<int>> ObserveConsecutiveFailures()
    {
        IReadOnlyList<CircuitBreakerState> breakers = ResilienceRegistry.Default.CircuitBreakers;
        var measurements = new Measurement<int>[breakers.Count];
        for (int i = 0; i < measurements.Length; i++)
        {
            measurements[i] = new Measurement<int>(breakers[i].GetMetrics().ConsecutiveFailures, Policy(breakers[i].Name));
        }

        return measurements;
    }

    private static IEnumerable<Measurement<double>> ObserveTimeInStates()
    {
        IReadOnlyList<CircuitBreakerState> breakers = ResilienceRegistry.Default.CircuitBreakers;
        var measurements = new List<Measurement<double>>(breakers.Count * s_states.Length);
        foreach (CircuitBreakerState breaker in breakers)
        {
            foreach (CircuitState state in s_states)
            {
                measurements.Add(new Measurement<double>(
                    breaker.GetTimeInState(state).TotalSeconds,
                    Policy(breaker.Name),
                    new KeyValuePair<string, object?>(StateTag, StateName(state))));
            }
        }

        return measurements;
    }

    private static IEnumerable<Measurement<int>> ObserveCircuitPartitions()
    {
        var measurements = new List<Measurement<int>>();
        foreach (KeyedCircuitBreakerState keyed in ResilienceRegistry.Default.KeyedCircuitBreakers)
        {
            foreach (KeyValuePair<CircuitState, int> count in keyed.CountByState())
            {
                measurements.Add(new Measurement<int>(count.Value, Policy(keyed.Name), new KeyValuePair<string, object?>(StateTag, StateName(count.Key))));
            }
        }

        return measurements;
    }

    private static IEnumerable<Measurement<int>> ObserveBulkheads(bool queued)
    {
        IReadOnlyList<BulkheadState> bulkheads = ResilienceRegistry.Default.Bulkheads;
        var measurements = new Measurement<int>[bulkheads.Count];
        for (int i = 0; i < measurements.Length; i++)
        {
            BulkheadState bulkhead = bulkheads[i];
            measurements[i] = new Measurement<int>(queued ? bulkhead.QueuedCount : bulkhead.ActiveCount, Policy(bulkhead.Name));
        }

        return measurements;
    }
}
