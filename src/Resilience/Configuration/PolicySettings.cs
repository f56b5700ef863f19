using System.Collections.Generic;

namespace Resilience;

/// <summary>
/// Values that replace the attribute settings of the policies of one name: its circuit breaker, bulkhead, rate limit
/// and retry budget (the names of their settings do not overlap, except <see cref="Distributed"/>, which applies to
/// both), and the retry and timeout of the methods whose policy name it is. A null property keeps the attribute's value.
/// <see cref="Chaos"/> adds fault, latency and outcome injection.
/// </summary>
/// <remarks>
/// <para>
/// Pass them to <see cref="ResilienceRegistry.Configure"/>; the <c>Resilience.Generators.Hosting</c> package
/// reads them from configuration. A method's retry and timeout settings live under its policy name: the
/// <c>Name</c> of its circuit breaker, else of its bulkhead, else of its rate limit, else <c>Namespace.Type.Method</c>.
/// </para>
/// <para>
/// A setting replaces the value of an attribute the method has; it never adds a policy: <see cref="TimeoutMs"/> does
/// nothing for a method without <c>[Timeout]</c>, nor <see cref="MaxAttempts"/> for one without <c>[Retry]</c>.
/// </para>
/// </remarks>
public sealed class PolicySettings
{
    /// <summary>Replaces <see cref="CircuitBreakerAttribute.FailureThreshold"/>; at least 1.</summary>
    public int? FailureThreshold { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.FailureRatio"/>; 0 (off) or in (0, 1].</summary>
    public double? FailureRatio { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.MinimumThroughput"/>; at least 1.</summary>
    public int? MinimumThroughput { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.SamplingDurationMs"/>; at least 1.</summary>
    public int? SamplingDurationMs { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.BreakDurationMs"/>; at least 1.</summary>
    public int? BreakDurationMs { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.SuccessThreshold"/>; at least 1.</summary>
    public int? SuccessThreshold { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.HalfOpenMaxCalls"/>; at least 1.</summary>
    public int? HalfOpenMaxCalls { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.HonorRetryAfter"/>.</summary>
    public bool? HonorRetryAfter { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.SlowCallDurationMs"/>; at least 0 (0 turns the slow-call rule off).</summary>
    public int? SlowCallDurationMs { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.SlowCallRatio"/>; in (0, 1].</summary>
    public double? SlowCallRatio { get; set; }

    /// <summary>Replaces <see cref="CircuitBreakerAttribute.MaxBreakDurationMs"/>; 0 (no growth) or at least the break duration.</summary>
    public int? MaxBreakDurationMs { get; set; }

    /// <summary>
    /// Replaces <see cref="RetryAttribute.MaxRetryRatio"/> of the retry budget of this name, which only methods compiled
    /// with a <see cref="RetryAttribute.MaxRetryRatio"/> have; 0 (no budget: every retry allowed) or in (0, 1].
    /// </summary>
    public double? MaxRetryRatio { get; set; }

    /// <summary>
    /// Replaces <see cref="CircuitBreakerAttribute.Distributed"/> and <see cref="RateLimitAttribute.Distributed"/>: the one
    /// setting a breaker and a rate limit of the same name share.
    /// </summary>
    public bool? Distributed { get; set; }

    /// <summary>Replaces <see cref="BulkheadAttribute.MaxConcurrency"/>; at least 1.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Replaces <see cref="BulkheadAttribute.MaxQueue"/>; at least 0.</summary>
    public int? MaxQueue { get; set; }

    /// <summary>Replaces <see cref="BulkheadAttribute.MaxWaitMs"/>; at least 0.</summary>
    public int? MaxWaitMs { get; set; }

    /// <summary>Replaces <see cref="RateLimitAttribute.Permits"/>; at least 1.</summary>
    public int? Permits { get; set; }

    /// <summary>Replaces <see cref="RateLimitAttribute.WindowMs"/>; at least 1.</summary>
    public int? WindowMs { get; set; }

    /// <summary>Replaces <see cref="RateLimitAttribute.Algorithm"/>.</summary>
    public RateLimitAlgorithm? Algorithm { get; set; }

    /// <summary>Replaces <see cref="RateLimitAttribute.QueueLimit"/>; at least 0.</summary>
    public int? QueueLimit { get; set; }

    /// <summary>
    /// Replaces <see cref="RateLimitAttribute.DistributedBatch"/>; at least 0, and at most <see cref="Permits"/> when both
    /// are given. A batch larger than the attribute's permits is taken as the permits.
    /// </summary>
    public int? DistributedBatch { get; set; }

    /// <summary>Replaces <see cref="RetryAttribute.MaxAttempts"/>; at least 1.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>Replaces <see cref="RetryAttribute.DelayMs"/>; at least 0, and at most the <c>MaxDelayMs</c> in force (a longer one waits that cap).</summary>
    public int? DelayMs { get; set; }

    /// <summary>Replaces <see cref="RetryAttribute.MaxDelayMs"/>; at least 0.</summary>
    public int? MaxDelayMs { get; set; }

    /// <summary>Replaces <see cref="RetryAttribute.Backoff"/>.</summary>
    public BackoffKind? Backoff { get; set; }

    /// <summary>Replaces <see cref="RetryAttribute.Jitter"/>.</summary>
    public bool? Jitter { get; set; }

    /// <summary>Replaces <see cref="CachedFallbackAttribute.DurationMs"/> of the methods of this policy name; at least 1.</summary>
    public int? DurationMs { get; set; }

    /// <summary>Replaces <see cref="CachedFallbackAttribute.MaxEntries"/> of the methods of this policy name; at least 1.</summary>
    public int? MaxEntries { get; set; }

    /// <summary>Replaces <see cref="TimeoutAttribute.Milliseconds"/> (whatever the attribute's <c>Scope</c>, which stays); at least 1.</summary>
    public int? TimeoutMs { get; set; }

    /// <summary>
    /// Replaces <see cref="IdempotentAttribute.TtlMs"/> of the method of this policy name that has an
    /// <see cref="IdempotencyKeyAttribute"/>: how long a key's result is kept; at least 1. Applies to results stored
    /// from then on.
    /// </summary>
    public int? TtlMs { get; set; }

    /// <summary>
    /// Fault, latency and outcome injection into the attempts of the methods of this name; null for none. Honoured
    /// only while <see cref="ResilienceRegistry.AllowChaos"/> is true: <see cref="ResilienceRegistry.Configure"/>
    /// refuses it otherwise.
    /// </summary>
    public ChaosSettings? Chaos { get; set; }

    /// <summary>
    /// Replaces the <see cref="HedgingAttribute"/> settings of the methods of this name (their <c>Hedging</c> section in
    /// configuration, apart from the retry's <see cref="MaxAttempts"/> and <see cref="DelayMs"/>); null for none.
    /// </summary>
    public HedgingSettings? Hedging { get; set; }

    /// <summary>True when a retry setting is given.</summary>
    internal bool HasRetrySettings => MaxAttempts is not null || DelayMs is not null || MaxDelayMs is not null || Backoff is not null || Jitter is not null;

    /// <summary>True when a circuit-breaker setting is given.</summary>
    internal bool HasCircuitBreakerSettings
        => FailureThreshold is not null || FailureRatio is not null || MinimumThroughput is not null || SamplingDurationMs is not null
            || BreakDurationMs is not null || SuccessThreshold is not null || HalfOpenMaxCalls is not null || HonorRetryAfter is not null
            || Distributed is not null || SlowCallDurationMs is not null || SlowCallRatio is not null || MaxBreakDurationMs is not null;

    /// <summary>True when a retry-budget setting is given.</summary>
    internal bool HasRetryBudgetSettings => MaxRetryRatio is not null;

    /// <summary>True when a bulkhead setting is given.</summary>
    internal bool HasBulkheadSettings => MaxConcurrency is not null || MaxQueue is not null || MaxWaitMs is not null;

    /// <summary>True when a cached-fallback setting is given.</summary>
    internal bool HasCachedFallbackSettings => DurationMs is not null || MaxEntries is not null;

    /// <summary>True when a rate-limit setting is given.</summary>
    internal bool HasRateLimitSettings => Permits is not null || WindowMs is not null || Algorithm is not null || QueueLimit is not null || Distributed is not null
        || DistributedBatch is not null;

    /// <summary>
    /// Describes every value out of range, each as <c>{name}:{Setting} is {value}; it must be ...</c>, with the
    /// same ranges the attributes have. Empty when all are valid.
    /// </summary>
    /// <param name="name">How to name these settings in the messages: the policy's name, or a configuration path.</param>
    public IReadOnlyList<string> GetProblems(string name)
    {
        var problems = new List<string>();
        Validate(name, problems);
        return problems;
    }

    /// <summary>Adds a message for every value out of range, naming it <c>{name}:{Setting}</c>.</summary>
    internal void Validate(string name, List<string> problems)
    {
        string prefix = name + ":";
        Check(CircuitBreakerRules.FailureThreshold, FailureThreshold);
        if (FailureRatio is { } failureRatio)
        {
            Add(CircuitBreakerRules.FailureRatio.ProblemWith(failureRatio, prefix + CircuitBreakerRules.FailureRatio.Name));
        }

        Check(CircuitBreakerRules.MinimumThroughput, MinimumThroughput);
        Check(CircuitBreakerRules.SamplingDurationMs, SamplingDurationMs);
        Check(CircuitBreakerRules.BreakDurationMs, BreakDurationMs);
        Check(CircuitBreakerRules.SuccessThreshold, SuccessThreshold);
        Check(CircuitBreakerRules.HalfOpenMaxCalls, HalfOpenMaxCalls);
        Check(CircuitBreakerRules.SlowCallDurationMs, SlowCallDurationMs);
        CheckRatio(CircuitBreakerRules.SlowCallRatio, SlowCallRatio);
        Check(CircuitBreakerRules.MaxBreakDurationMs, MaxBreakDurationMs);
        if (BreakDurationMs is { } breakMs && MaxBreakDurationMs is { } maxBreakMs && CircuitBreakerRules.BreakDurationMs.Allows(breakMs)
            && CircuitBreakerRules.MaxBreakDurationMs.Allows(maxBreakMs) && !CircuitBreakerRules.MaxBreakWithinRange(breakMs, maxBreakMs))
        {
            Add($"{prefix}{CircuitBreakerRules.MaxBreakDurationMs.Name} is {SettingText.Number(maxBreakMs)}; it must be "
                + CircuitBreakerRules.MaxBreakRequirement(prefix + CircuitBreakerRules.BreakDurationMs.Name, breakMs));
        }

        CheckRatio(RetryRules.MaxRetryRatio, MaxRetryRatio);
        Check(BulkheadRules.MaxConcurrency, MaxConcurrency);
        Check(BulkheadRules.MaxQueue, MaxQueue);
        Check(BulkheadRules.MaxWaitMs, MaxWaitMs);
        Check(RateLimitRules.Permits, Permits);
        Check(RateLimitRules.WindowMs, WindowMs);
        if (Algorithm is { } algorithm)
        {
            Add(RateLimitRules.Algorithm.ProblemWith(algorithm, prefix + RateLimitRules.Algorithm.Name));
        }

        Check(RateLimitRules.QueueLimit, QueueLimit);
        Check(RateLimitRules.DistributedBatch, DistributedBatch);
        if (DistributedBatch is { } batch && Permits is { } permits && RateLimitRules.Permits.Allows(permits)
            && RateLimitRules.DistributedBatch.Allows(batch) && !RateLimitRules.BatchWithinPermits(batch, permits))
        {
            Add($"{prefix}{RateLimitRules.DistributedBatch.Name} is {batch}, more than {prefix}{RateLimitRules.Permits.Name} ({permits}); lower it, or set it to 0 to take each permit from the store");
        }

        Check(RetryRules.MaxAttempts, MaxAttempts);
        Check(RetryRules.DelayMs, DelayMs);
        Check(RetryRules.MaxDelayMs, MaxDelayMs);
        if (DelayMs is { } delayMs && MaxDelayMs is { } maxDelayMs && !RetryRules.DelayWithinMaximum(delayMs, maxDelayMs))
        {
            Add($"{prefix}{RetryRules.DelayMs.Name} is {SettingText.Number(delayMs)}; it must be at most {prefix}{RetryRules.MaxDelayMs.Name} ({SettingText.Number(maxDelayMs)})");
        }

        if (Backoff is { } backoff)
        {
            Add(RetryRules.Backoff.ProblemWith(backoff, prefix + RetryRules.Backoff.Name));
        }

        Check(TimeoutRules.TimeoutMs, TimeoutMs);
        Check(CachedFallbackRules.DurationMs, DurationMs);
        Check(CachedFallbackRules.MaxEntries, MaxEntries);
        Check(IdempotencyRules.TtlMs, TtlMs);
        Chaos?.Validate(prefix + ChaosRules.SectionName + ":", problems);
        Hedging?.Validate(prefix + HedgingRules.SectionName + ":", problems);

        void CheckRatio(RatioSettingRule rule, double? value)
        {
            if (value is { } given)
            {
                Add(rule.ProblemWith(given, prefix + rule.Name));
            }
        }

        void Check(IntSettingRule rule, int? value)
        {
            if (value is { } given)
            {
                Add(rule.ProblemWith(given, prefix + rule.Name));
            }
        }

        void Add(string? problem)
        {
            if (problem is not null)
            {
                problems.Add(problem + ".");
            }
        }
    }

    /// <summary>The attribute's settings with these values laid over them.</summary>
    internal CircuitBreakerOptions ApplyTo(CircuitBreakerOptions defaults) => new()
    {
        FailureThreshold = FailureThreshold ?? defaults.FailureThreshold,
        FailureRatio = FailureRatio ?? defaults.FailureRatio,
        MinimumThroughput = MinimumThroughput ?? defaults.MinimumThroughput,
        SamplingDurationMs = SamplingDurationMs ?? defaults.SamplingDurationMs,
        BreakDurationMs = BreakDurationMs ?? defaults.BreakDurationMs,
        SuccessThreshold = SuccessThreshold ?? defaults.SuccessThreshold,
        HalfOpenMaxCalls = HalfOpenMaxCalls ?? defaults.HalfOpenMaxCalls,
        HonorRetryAfter = HonorRetryAfter ?? defaults.HonorRetryAfter,
        Distributed = Distributed ?? defaults.Distributed,
        SlowCallDurationMs = SlowCallDurationMs ?? defaults.SlowCallDurationMs,
        SlowCallRatio = SlowCallRatio ?? defaults.SlowCallRatio,
        MaxBreakDurationMs = MaxBreakDurationMs ?? defaults.MaxBreakDurationMs,
    };

    /// <summary>The attribute's settings with these values laid over them.</summary>
    internal RetryBudgetOptions ApplyTo(RetryBudgetOptions defaults) => new()
    {
        MaxRetryRatio = MaxRetryRatio ?? defaults.MaxRetryRatio,
    };

    /// <summary>The attribute's settings with these values laid over them.</summary>
    internal BulkheadOptions ApplyTo(BulkheadOptions defaults) => new()
    {
        MaxConcurrency = MaxConcurrency ?? defaults.MaxConcurrency,
        MaxQueue = MaxQueue ?? defaults.MaxQueue,
        MaxWaitMs = MaxWaitMs ?? defaults.MaxWaitMs,
    };

    /// <summary>The attribute's settings with these values laid over them.</summary>
    internal RateLimitOptions ApplyTo(RateLimitOptions defaults) => new()
    {
        Permits = Permits ?? defaults.Permits,
        WindowMs = WindowMs ?? defaults.WindowMs,
        Algorithm = Algorithm ?? defaults.Algorithm,
        QueueLimit = QueueLimit ?? defaults.QueueLimit,
        Distributed = Distributed ?? defaults.Distributed,
        DistributedBatch = System.Math.Min(DistributedBatch ?? defaults.DistributedBatch, Permits ?? defaults.Permits),
    };

    /// <summary>The attribute's settings with these values laid over them.</summary>
    internal CachedFallbackOptions ApplyTo(CachedFallbackOptions defaults) => new()
    {
        DurationMs = DurationMs ?? defaults.DurationMs,
        MaxEntries = MaxEntries ?? defaults.MaxEntries,
    };

    /// <summary>The attribute's settings with these values laid over them.</summary>
    internal IdempotencyOptions ApplyTo(IdempotencyOptions defaults) => new()
    {
        TtlMs = TtlMs ?? defaults.TtlMs,
    };
}
