using System;

namespace Resilience;

/// <summary>
/// Retries the method when <c>{Name}Core</c> fails, waiting between attempts.
/// </summary>
/// <remarks>
/// <para>
/// Sits between the total timeout (or the hedging, which runs it once per hedged attempt) and the circuit breaker:
/// <c>Fallback → CachedFallback → Idempotency → RateLimit → Timeout(Total) → Hedging → Retry → CircuitBreaker → Bulkhead → Timeout(PerAttempt) → {Name}Core</c>.
/// </para>
/// <para>
/// The caller's cancellation is never retried. Rejections by the method's own circuit breaker and bulkhead
/// are not retried either: they say the dependency must be left alone. A rejection from a nested call (another
/// policy's open circuit or exhausted rate limit) is retried after its <see cref="ResilienceRejectedException.RetryAfter"/>.
/// A per-attempt timeout is retried. By default every other exception is retried, except an
/// <c>HttpRequestException</c> that reports a client error (4xx other than 408 and 429); narrow that with
/// <see cref="Handle"/>, <see cref="Ignore"/> or <see cref="ShouldRetry"/>. With <see cref="HandleResult"/> (or for
/// an <c>HttpResponseMessage</c>: 408, 429 and 5xx), results can be failures too.
/// </para>
/// <para>
/// Retry only operations that are safe to repeat; mark them <see cref="IdempotentAttribute"/>. With
/// <see cref="MaxRetryRatio"/>, the retries of every method of the same policy name share a budget.
/// The delay before retry <c>n</c> is described in <see cref="RetryBackoff.GetDelay(BackoffKind, int, int, int, bool)"/>.
/// </para>
/// </remarks>
/// <example><code>
/// [Retry(3, DelayMs = 200, Backoff = BackoffKind.Exponential, Handle = new[] { typeof(HttpRequestException) })]
/// public partial Task&lt;Receipt&gt; GetReceiptAsync(string id, CancellationToken ct);
/// </code></example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Retries a failing call.</summary>
    /// <param name="maxAttempts">Total attempts, the first one included; at least 1. Default 3.</param>
    public RetryAttribute(int maxAttempts = RetryRules.DefaultMaxAttempts) => MaxAttempts = maxAttempts;

    /// <summary>Total attempts, the first one included (3 means one call and up to two retries). At least 1. Default 3.</summary>
    public int MaxAttempts { get; }

    /// <summary>The base delay in milliseconds before the first retry; at least 0. Default 200.</summary>
    public int DelayMs { get; set; } = RetryRules.DefaultDelayMs;

    /// <summary>The longest delay in milliseconds between two attempts, whatever the backoff; at least <see cref="DelayMs"/>. Default 30 000.</summary>
    public int MaxDelayMs { get; set; } = RetryRules.DefaultMaxDelayMs;

    /// <summary>How the delay grows from one retry to the next. Default <see cref="BackoffKind.Exponential"/>.</summary>
    public BackoffKind Backoff { get; set; } = RetryRules.DefaultBackoff;

    /// <summary>
    /// When true (the default), each delay is drawn uniformly from [delay / 2, delay], so that callers
    /// failing together do not retry together. The worst case is the delay without jitter.
    /// </summary>
    public bool Jitter { get; set; } = RetryRules.DefaultJitter;

    /// <summary>
    /// A retry budget: the retries of every method sharing this method's policy name (its breaker's <c>Name</c>, else
    /// its bulkhead's, else its rate limit's, else <c>Namespace.Type.Method</c>) may add at most this share, in (0, 1], of
    /// their calls over the last ten seconds, on top of ten retries a second, so that retries cannot multiply the load
    /// on a dependency that fails for everyone (Finagle's retry budget, gRPC's retry throttling). A retry the budget
    /// refuses is not made: the caller gets the last failure (the exception, or the result handled as a failure), as
    /// when the attempts run out, and the refusal is counted (<c>resilience.retry.budget_refusals</c>). 0 (the
    /// default): no budget, and no call is counted.
    /// </summary>
    public double MaxRetryRatio { get; set; } = RetryRules.DefaultMaxRetryRatio;

    /// <summary>Exception types (and their subclasses) that are retried. Empty or unset: every exception not in <see cref="Ignore"/>.</summary>
    public Type[]? Handle { get; set; }

    /// <summary>Exception types (and their subclasses) that are never retried; wins over <see cref="Handle"/>.</summary>
    public Type[]? Ignore { get; set; }

    /// <summary>
    /// The name of a method of the same type, <c>bool M(Exception exception)</c> (static or instance),
    /// asked after <see cref="Handle"/> and <see cref="Ignore"/>: return false to stop retrying.
    /// </summary>
    public string? ShouldRetry { get; set; }

    /// <summary>
    /// The name of a method of the same type, <c>void M(Exception exception, int attempt, TimeSpan delay)</c>,
    /// called before each retry's delay with the exception, the attempt that failed (1-based) and the delay. It may
    /// take an <see cref="Outcome{T}"/> instead of the exception, to hear of results retried as failures too; one
    /// that takes an exception hears only of exceptions.
    /// </summary>
    public string? OnRetry { get; set; }

    /// <summary>
    /// The name of a method of the same type, <c>bool M(T result)</c> (static or instance), that says whether a
    /// result the method returned is a failure to retry. A method returning <c>HttpResponseMessage</c> without it
    /// retries 408, 429 and 5xx responses (see <see cref="HttpOutcomes.IsTransientFailure"/>). A failed result is
    /// retried without any exception being thrown, and disposed first when it is <see cref="System.IDisposable"/>
    /// (or only <see cref="System.IAsyncDisposable"/>: then <c>DisposeAsync</c> is started and not waited for);
    /// when the attempts run out, the caller receives the last result.
    /// </summary>
    public string? HandleResult { get; set; }

    /// <summary>
    /// The name of a method of the same type, <c>TimeSpan? M(Outcome&lt;T&gt; outcome, int attempt)</c> (or, for a
    /// method without a result, <c>TimeSpan? M(Exception exception, int attempt)</c>), asked for the delay before
    /// each retry with the failed attempt's outcome and number (1-based); null means the usual delay. The answer is
    /// capped by <see cref="MaxDelayMs"/>.
    /// </summary>
    /// <remarks>
    /// Without it, a retry waits what the dependency asked for when it said: an <c>HttpResponseMessage</c>'s
    /// <c>Retry-After</c> (seconds or a date), a nested call's rejection's
    /// <see cref="ResilienceRejectedException.RetryAfter"/>; else the computed backoff. See <see cref="RequestedDelay"/>.
    /// </remarks>
    public string? DelayGenerator { get; set; }
}
