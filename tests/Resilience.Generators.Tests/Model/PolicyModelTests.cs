using System.Reflection;
using Resilience.Shared;

namespace Resilience.Generators.Tests.Model;

/// <summary>The generator's model agrees with the rules and with the attributes it reads.</summary>
public sealed class PolicyModelTests
{
    [Fact]
    public void A_shared_policys_spec_lists_the_settings_its_state_is_created_with_in_the_rules_order()
    {
        var breaker = new CircuitBreakerSpec
        {
            Name = "b", FailureThreshold = 1, FailureRatio = 0, MinimumThroughput = 1, SamplingDurationMs = 1, BreakDurationMs = 1,
            SuccessThreshold = 1, HalfOpenMaxCalls = 1, HonorRetryAfter = false, Distributed = false, SlowCallDurationMs = 0, SlowCallRatio = 1, MaxBreakDurationMs = 0,
            Handle = EquatableArray<string>.Empty, Ignore = EquatableArray<string>.Empty,
        };
        var retry = new RetrySpec
        {
            MaxAttempts = 3, DelayMs = 1, MaxDelayMs = 1, Backoff = Resilience.Shared.BackoffKind.Constant, Jitter = false, MaxRetryRatio = 0.1,
            Handle = EquatableArray<string>.Empty, Ignore = EquatableArray<string>.Empty,
        };
        var bulkhead = new BulkheadSpec { Name = "b", MaxConcurrency = 1, MaxQueue = 0, MaxWaitMs = 0 };
        var limit = new RateLimitSpec { Name = "l", Permits = 1, WindowMs = 1, Algorithm = Resilience.Shared.RateLimitAlgorithm.FixedWindow, QueueLimit = 0, Distributed = false, DistributedBatch = 0 };

        Assert.Equal(CircuitBreakerRules.Shared, breaker.Settings.Select(s => s.Rule));
        Assert.Equal(BulkheadRules.Shared, bulkhead.Settings.Select(s => s.Rule));
        Assert.Equal(RateLimitRules.Shared, limit.Settings.Select(s => s.Rule));
        Assert.Equal(RetryRules.Budget, retry.BudgetSettings.Select(s => s.Rule));
    }

    [Theory]
    [InlineData(typeof(RetryAttribute), AttributeNames.Properties.Handle)]
    [InlineData(typeof(RetryAttribute), AttributeNames.Properties.Ignore)]
    [InlineData(typeof(RetryAttribute), AttributeNames.Properties.ShouldRetry)]
    [InlineData(typeof(RetryAttribute), AttributeNames.Properties.OnRetry)]
    [InlineData(typeof(CircuitBreakerAttribute), AttributeNames.Properties.Name)]
    [InlineData(typeof(CircuitBreakerAttribute), AttributeNames.Properties.Handle)]
    [InlineData(typeof(CircuitBreakerAttribute), AttributeNames.Properties.Ignore)]
    [InlineData(typeof(BulkheadAttribute), AttributeNames.Properties.Name)]
    [InlineData(typeof(RateLimitAttribute), AttributeNames.Properties.Name)]
    [InlineData(typeof(FallbackAttribute), AttributeNames.Properties.Method)]
    [InlineData(typeof(FallbackAttribute), AttributeNames.Properties.Handle)]
    public void The_property_names_the_generator_reads_are_the_attributes(Type attribute, string property)
        => Assert.NotNull(attribute.GetProperty(property, BindingFlags.Public | BindingFlags.Instance));

    [Fact]
    public void The_policy_attributes_the_generator_looks_for_are_the_runtimes()
    {
        Type[] runtime = typeof(RetryAttribute).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "Resilience" && typeof(Attribute).IsAssignableFrom(t) && t.GetCustomAttribute<AttributeUsageAttribute>()?.ValidOn == AttributeTargets.Method)
            .ToArray();

        Assert.All(AttributeNames.Policies, name => Assert.Contains(runtime, t => t.FullName == name));
        Assert.All(runtime.Where(t => t.Name != "IdempotentAttribute"), t => Assert.Contains(t.FullName!, AttributeNames.Policies));
    }
}
