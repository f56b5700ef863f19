using System.Reflection;

namespace Resilience.Tests;

public sealed class AttributeDefaultsTests
{
    [Fact]
    public void Retry_defaults_to_three_exponential_jittered_attempts_from_200_ms_capped_at_30_s()
    {
        var retry = new RetryAttribute();

        Assert.Equal(3, retry.MaxAttempts);
        Assert.Equal(200, retry.DelayMs);
        Assert.Equal(30_000, retry.MaxDelayMs);
        Assert.Equal(BackoffKind.Exponential, retry.Backoff);
        Assert.True(retry.Jitter);
        Assert.Null(retry.Handle);
        Assert.Null(retry.Ignore);
        Assert.Null(retry.ShouldRetry);
        Assert.Null(retry.OnRetry);
        Assert.Equal(7, new RetryAttribute(7).MaxAttempts);
    }

    [Fact]
    public void CircuitBreaker_defaults_to_five_consecutive_failures_and_a_30_s_break()
    {
        var breaker = new CircuitBreakerAttribute();

        Assert.Equal(5, breaker.FailureThreshold);
        Assert.Equal(0, breaker.FailureRatio);
        Assert.Equal(10, breaker.MinimumThroughput);
        Assert.Equal(30_000, breaker.SamplingDurationMs);
        Assert.Equal(30_000, breaker.BreakDurationMs);
        Assert.Equal(1, breaker.SuccessThreshold);
        Assert.Equal(1, breaker.HalfOpenMaxCalls);
        Assert.Null(breaker.Name);
        Assert.Null(breaker.Handle);
        Assert.Null(breaker.Ignore);
        Assert.Equal(2, new CircuitBreakerAttribute(2).FailureThreshold);
    }

    [Fact]
    public void Timeout_defaults_to_per_attempt()
    {
        var timeout = new TimeoutAttribute(2_000);

        Assert.Equal(2_000, timeout.Milliseconds);
        Assert.Equal(TimeoutScope.PerAttempt, timeout.Scope);
    }

    [Fact]
    public void Bulkhead_defaults_to_no_queue_and_no_wait_limit()
    {
        var bulkhead = new BulkheadAttribute(4);

        Assert.Equal(4, bulkhead.MaxConcurrency);
        Assert.Equal(0, bulkhead.MaxQueue);
        Assert.Equal(0, bulkhead.MaxWaitMs);
        Assert.Null(bulkhead.Name);
    }

    [Fact]
    public void RateLimit_defaults_to_a_token_bucket_without_a_queue()
    {
        var rateLimit = new RateLimitAttribute(100, 60_000);

        Assert.Equal(100, rateLimit.Permits);
        Assert.Equal(60_000, rateLimit.WindowMs);
        Assert.Equal(RateLimitAlgorithm.TokenBucket, rateLimit.Algorithm);
        Assert.Equal(0, rateLimit.QueueLimit);
        Assert.Null(rateLimit.Name);
    }

    [Fact]
    public void Fallback_keeps_its_method_name()
    {
        var fallback = new FallbackAttribute("CachedReceipt");

        Assert.Equal("CachedReceipt", fallback.Method);
        Assert.Null(fallback.Handle);
    }

    [Theory]
    [InlineData(typeof(RetryAttribute), AttributeTargets.Method)]
    [InlineData(typeof(CircuitBreakerAttribute), AttributeTargets.Method)]
    [InlineData(typeof(TimeoutAttribute), AttributeTargets.Method)]
    [InlineData(typeof(BulkheadAttribute), AttributeTargets.Method)]
    [InlineData(typeof(RateLimitAttribute), AttributeTargets.Method)]
    [InlineData(typeof(FallbackAttribute), AttributeTargets.Method)]
    [InlineData(typeof(HedgingAttribute), AttributeTargets.Method)]
    [InlineData(typeof(IdempotentAttribute), AttributeTargets.Method)]
    [InlineData(typeof(RateLimitKeyAttribute), AttributeTargets.Parameter)]
    public void Every_attribute_is_sealed_and_applies_only_where_the_design_says(Type attribute, AttributeTargets targets)
    {
        Assert.True(attribute.IsSealed);
        Assert.True(attribute.IsPublic);
        Assert.Equal("Resilience", attribute.Namespace);
        AttributeUsageAttribute? usage = attribute.GetCustomAttribute<AttributeUsageAttribute>();
        Assert.NotNull(usage);
        Assert.Equal(targets, usage.ValidOn);
        Assert.False(usage.AllowMultiple);
    }
}
