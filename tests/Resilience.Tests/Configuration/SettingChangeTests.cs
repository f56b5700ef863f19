namespace Resilience.Tests.Configuration;

/// <summary>
/// Each setting given to <see cref="ResilienceRegistry.Configure"/> alone reaches a running policy: none is mistaken for
/// "the settings are the same", which keeps the old ones in force.
/// </summary>
public sealed class SettingChangeTests
{
    private readonly ResilienceRegistry _registry;

    public SettingChangeTests() => _registry = TestSupport.CreateRegistry(out _);

    [Theory]
    [InlineData(nameof(PolicySettings.FailureThreshold))]
    [InlineData(nameof(PolicySettings.FailureRatio))]
    [InlineData(nameof(PolicySettings.MinimumThroughput))]
    [InlineData(nameof(PolicySettings.SamplingDurationMs))]
    [InlineData(nameof(PolicySettings.BreakDurationMs))]
    [InlineData(nameof(PolicySettings.SuccessThreshold))]
    [InlineData(nameof(PolicySettings.HalfOpenMaxCalls))]
    [InlineData(nameof(PolicySettings.HonorRetryAfter))]
    [InlineData(nameof(PolicySettings.SlowCallDurationMs))]
    [InlineData(nameof(PolicySettings.SlowCallRatio))]
    [InlineData(nameof(PolicySettings.MaxBreakDurationMs))]
    public void A_breaker_setting_changed_alone_is_taken(string setting)
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions
        {
            FailureThreshold = 5, FailureRatio = 0.5, MinimumThroughput = 10, SamplingDurationMs = 10_000, BreakDurationMs = 1_000,
            SuccessThreshold = 1, HalfOpenMaxCalls = 2, HonorRetryAfter = false, SlowCallDurationMs = 1_000, SlowCallRatio = 0.5,
            MaxBreakDurationMs = 1_000,
        });
        (PolicySettings change, Func<CircuitBreakerOptions, object> read, object expected) = setting switch
        {
            nameof(PolicySettings.FailureThreshold) => (new PolicySettings { FailureThreshold = 6 }, o => o.FailureThreshold, 6),
            nameof(PolicySettings.FailureRatio) => (new PolicySettings { FailureRatio = 0.6 }, o => o.FailureRatio, 0.6),
            nameof(PolicySettings.MinimumThroughput) => (new PolicySettings { MinimumThroughput = 11 }, o => o.MinimumThroughput, 11),
            nameof(PolicySettings.SamplingDurationMs) => (new PolicySettings { SamplingDurationMs = 11_000 }, o => o.SamplingDurationMs, 11_000),
            nameof(PolicySettings.BreakDurationMs) => (new PolicySettings { BreakDurationMs = 900 }, o => o.BreakDurationMs, 900),
            nameof(PolicySettings.SuccessThreshold) => (new PolicySettings { SuccessThreshold = 2 }, o => o.SuccessThreshold, 2),
            nameof(PolicySettings.HalfOpenMaxCalls) => (new PolicySettings { HalfOpenMaxCalls = 3 }, o => o.HalfOpenMaxCalls, 3),
            nameof(PolicySettings.HonorRetryAfter) => (new PolicySettings { HonorRetryAfter = true }, o => o.HonorRetryAfter, true),
            nameof(PolicySettings.SlowCallDurationMs) => (new PolicySettings { SlowCallDurationMs = 2_000 }, o => o.SlowCallDurationMs, 2_000),
            nameof(PolicySettings.SlowCallRatio) => (new PolicySettings { SlowCallRatio = 0.6 }, o => o.SlowCallRatio, 0.6),
            _ => (new PolicySettings { MaxBreakDurationMs = 4_000 }, (Func<CircuitBreakerOptions, object>)(o => o.MaxBreakDurationMs), (object)4_000),
        };

        _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = change });

        Assert.Equal(expected, read(breaker.Options));
    }

    [Theory]
    [InlineData(nameof(PolicySettings.MaxConcurrency))]
    [InlineData(nameof(PolicySettings.MaxQueue))]
    [InlineData(nameof(PolicySettings.MaxWaitMs))]
    public void A_bulkhead_setting_changed_alone_is_taken(string setting)
    {
        BulkheadState bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 2, MaxWaitMs = 1_000 });
        (PolicySettings change, Func<BulkheadOptions, int> read, int expected) = setting switch
        {
            nameof(PolicySettings.MaxConcurrency) => (new PolicySettings { MaxConcurrency = 3 }, o => o.MaxConcurrency, 3),
            nameof(PolicySettings.MaxQueue) => (new PolicySettings { MaxQueue = 3 }, o => o.MaxQueue, 3),
            _ => (new PolicySettings { MaxWaitMs = 2_000 }, (Func<BulkheadOptions, int>)(o => o.MaxWaitMs), 2_000),
        };

        _registry.Configure(new Dictionary<string, PolicySettings> { ["db"] = change });

        Assert.Equal(expected, read(bulkhead.Options));
    }
}
