namespace Resilience.Generators.Tests.Behaviour;

/// <summary>Never called by any test: its policies exist only because the module initializer registered them.</summary>
public partial class RegistrationSubject
{
    public const string Breaker = "behaviour-registration-breaker";
    public const string Bulkhead = "behaviour-registration-bulkhead";
    public const string Limit = "behaviour-registration-limit";

    [CircuitBreaker(7, BreakDurationMs = 1_234, Name = Breaker)]
    [Bulkhead(3, MaxQueue = 2, Name = Bulkhead)]
    [RateLimit(9, 900, Name = Limit)]
    public partial int Get();

    private int GetCore() => 1;
}

[Collection(RegistryCollection.Name)]
public sealed class RegistrationTests
{
    [Fact]
    public void Named_policies_are_registered_with_their_settings_before_their_first_call()
    {
        Assert.True(ResilienceRegistry.Default.TryGetCircuitBreaker(RegistrationSubject.Breaker, out CircuitBreakerState? breaker));
        Assert.Equal(7, breaker!.Options.FailureThreshold);
        Assert.Equal(1_234, breaker.Options.BreakDurationMs);

        BulkheadState bulkhead = Assert.Single(ResilienceRegistry.Default.Bulkheads, b => b.Name == RegistrationSubject.Bulkhead);
        Assert.Equal(3, bulkhead.Options.MaxConcurrency);
        Assert.Equal(2, bulkhead.Options.MaxQueue);

        RateLimiterState limit = Assert.Single(ResilienceRegistry.Default.RateLimiters, l => l.Name == RegistrationSubject.Limit);
        Assert.Equal(9, limit.Options.Permits);
    }
}
