using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Fallback;
using Polly.Retry;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Timeout;

namespace Resilience.Benchmarks;

/// <summary>The Polly v8 pipelines doing the same work as the generated methods, each built once.</summary>
public static class PollyPipelines
{
    /// <summary>timeout(total) + retry + circuit breaker + timeout(attempt): the pipeline quoted in the README.</summary>
    public static ResiliencePipeline Trio() => new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(10))
        .AddRetry(Retry())
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
        .AddTimeout(TimeSpan.FromSeconds(2))
        .Build();

    /// <summary>All six, in the generated order: fallback, rate limit, retry, breaker, concurrency limit, timeout.</summary>
    public static ResiliencePipeline<int> Stack() => new ResiliencePipelineBuilder<int>()
        .AddFallback(new FallbackStrategyOptions<int> { FallbackAction = static _ => Polly.Outcome.FromResultAsValueTask(0) })
        .AddRateLimiter(new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue, TokensPerPeriod = int.MaxValue, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0,
        }))
        .AddRetry(new RetryStrategyOptions<int> { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(200) })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<int>())
        .AddConcurrencyLimiter(64)
        .AddTimeout(TimeSpan.FromSeconds(2))
        .Build();

    /// <summary>
    /// <see cref="Trio"/> with Polly's latency and fault chaos strategies innermost, as Polly advises, switched off
    /// (<c>Enabled = false</c>): the cost of chaos that is configured but off.
    /// </summary>
    public static ResiliencePipeline TrioWithChaosOff() => new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(10))
        .AddRetry(Retry())
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions())
        .AddTimeout(TimeSpan.FromSeconds(2))
        .AddChaosLatency(new ChaosLatencyStrategyOptions { Enabled = false, InjectionRate = 0.2, Latency = TimeSpan.FromMilliseconds(500) })
        .AddChaosFault(new ChaosFaultStrategyOptions { Enabled = false, InjectionRate = 0.1, FaultGenerator = new FaultGenerator().AddException<InvalidOperationException>() })
        .Build();

    public static ResiliencePipeline RetryOnly() => new ResiliencePipelineBuilder().AddRetry(Retry()).Build();

    /// <summary>One failed attempt then success, no delay.</summary>
    public static ResiliencePipeline RetryOnce() => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, Delay = TimeSpan.Zero })
        .Build();

    /// <summary>One failed result (a negative one) then success, no delay.</summary>
    public static ResiliencePipeline<int> RetryOnceOnResult() => new ResiliencePipelineBuilder<int>()
        .AddRetry(new RetryStrategyOptions<int>
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.Zero,
            ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception is null && Targets.IsNegative(args.Outcome.Result)),
        })
        .Build();

    public static ResiliencePipeline CircuitBreakerOnly() => new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions()).Build();

    public static ResiliencePipeline TimeoutOnly() => new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(2)).Build();

    /// <summary>A breaker held open by its manual control, without and with a fallback in front.</summary>
    public static (ResiliencePipeline<int> Throwing, ResiliencePipeline<int> WithFallback) OpenCircuit()
    {
        var control = new CircuitBreakerManualControl();
        var breaker = new CircuitBreakerStrategyOptions<int> { ManualControl = control };
        ResiliencePipeline<int> throwing = new ResiliencePipelineBuilder<int>().AddCircuitBreaker(breaker).Build();
        ResiliencePipeline<int> withFallback = new ResiliencePipelineBuilder<int>()
            .AddFallback(new FallbackStrategyOptions<int> { FallbackAction = static _ => Polly.Outcome.FromResultAsValueTask(0) })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<int> { ManualControl = control })
            .Build();
        control.IsolateAsync().GetAwaiter().GetResult();
        return (throwing, withFallback);
    }

    private static RetryStrategyOptions Retry() => new() { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(200), BackoffType = DelayBackoffType.Exponential, UseJitter = true };
}
