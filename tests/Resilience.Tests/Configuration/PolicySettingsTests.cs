using System.Reflection;

namespace Resilience.Tests.Configuration;

// What each setting of PolicySettings does on its own: which policy it configures, which option it replaces (and no
// other), and which values it refuses. Driven by the properties themselves, so that a setting added later is covered.
public sealed class PolicySettingsTests
{
    private static readonly string[] s_breaker =
    [
        "FailureThreshold", "FailureRatio", "MinimumThroughput", "SamplingDurationMs", "BreakDurationMs", "SuccessThreshold",
        "HalfOpenMaxCalls", "HonorRetryAfter", "Distributed", "SlowCallDurationMs", "SlowCallRatio", "MaxBreakDurationMs",
    ];

    private static readonly string[] s_rateLimit = ["Permits", "WindowMs", "Algorithm", "QueueLimit", "Distributed", "DistributedBatch"];
    private static readonly string[] s_bulkhead = ["MaxConcurrency", "MaxQueue", "MaxWaitMs"];
    private static readonly string[] s_retry = ["MaxAttempts", "DelayMs", "MaxDelayMs", "Backoff", "Jitter"];
    private static readonly string[] s_budget = ["MaxRetryRatio"];
    private static readonly string[] s_cachedFallback = ["DurationMs", "MaxEntries"];
    private static readonly string[] s_idempotency = ["TtlMs"];

    public static TheoryData<string> Settings()
    {
        var data = new TheoryData<string>();
        foreach (PropertyInfo property in typeof(PolicySettings).GetProperties())
        {
            // The sections (Chaos, Hedging) configure no shared policy state; their own tests are in Chaos/LiveSettingsTests.
            if (property.Name is not (nameof(PolicySettings.Chaos) or nameof(PolicySettings.Hedging)))
            {
                data.Add(property.Name);
            }
        }

        return data;
    }

    [Fact]
    public void Settings_with_nothing_given_configure_no_policy()
    {
        var settings = new PolicySettings();

        Assert.False(settings.HasCircuitBreakerSettings);
        Assert.False(settings.HasRateLimitSettings);
        Assert.False(settings.HasBulkheadSettings);
        Assert.False(settings.HasRetrySettings);
        Assert.False(settings.HasRetryBudgetSettings);
        Assert.False(settings.HasCachedFallbackSettings);
        Assert.Empty(settings.GetProblems("payments"));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void A_setting_given_alone_configures_exactly_the_policies_it_belongs_to(string name)
    {
        PolicySettings settings = With(name);

        Assert.Equal(s_breaker.Contains(name), settings.HasCircuitBreakerSettings);
        Assert.Equal(s_rateLimit.Contains(name), settings.HasRateLimitSettings);
        Assert.Equal(s_bulkhead.Contains(name), settings.HasBulkheadSettings);
        Assert.Equal(s_retry.Contains(name), settings.HasRetrySettings);
        Assert.Equal(s_budget.Contains(name), settings.HasRetryBudgetSettings);
        Assert.Equal(s_cachedFallback.Contains(name), settings.HasCachedFallbackSettings);
        Assert.Empty(settings.GetProblems("payments"));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void A_setting_given_alone_replaces_its_option_and_leaves_the_others_to_the_attribute(string name)
    {
        PolicySettings settings = With(name);

        AssertOnlyReplaced(name, new CircuitBreakerOptions(), settings.ApplyTo, s_breaker);
        AssertOnlyReplaced(name, new RateLimitOptions { Permits = 100 }, settings.ApplyTo, s_rateLimit);
        AssertOnlyReplaced(name, new BulkheadOptions(), settings.ApplyTo, s_bulkhead);
        AssertOnlyReplaced(name, new RetryBudgetOptions(), settings.ApplyTo, s_budget);
        AssertOnlyReplaced(name, new CachedFallbackOptions(), settings.ApplyTo, s_cachedFallback);
        AssertOnlyReplaced(name, new IdempotencyOptions(), settings.ApplyTo, s_idempotency);
    }

    [Theory]
    [InlineData(null, 100, 100)]  // the attribute's batch, within its permits
    [InlineData(40, null, 40)]
    [InlineData(40, 40, 40)]      // a batch of all the permits
    [InlineData(41, 40, 40)]      // never more than the permits in force
    [InlineData(500, null, 200)]  // the attribute's permits cap a configured batch too
    public void A_distributed_batch_never_exceeds_the_permits_in_force(int? batch, int? permits, int expected)
    {
        var defaults = new RateLimitOptions { Permits = 200, DistributedBatch = 100 };

        RateLimitOptions options = new PolicySettings { DistributedBatch = batch, Permits = permits }.ApplyTo(defaults);

        Assert.Equal(expected, options.DistributedBatch);
    }

    [Theory]
    [InlineData("FailureThreshold", 0)]
    [InlineData("FailureRatio", 1.5)]
    [InlineData("MinimumThroughput", 0)]
    [InlineData("SamplingDurationMs", 0)]
    [InlineData("BreakDurationMs", 0)]
    [InlineData("SuccessThreshold", 0)]
    [InlineData("HalfOpenMaxCalls", 0)]
    [InlineData("SlowCallDurationMs", -1)]
    [InlineData("SlowCallRatio", 0.0)]
    [InlineData("MaxBreakDurationMs", -1)]
    [InlineData("MaxRetryRatio", 1.5)]
    [InlineData("MaxConcurrency", 0)]
    [InlineData("MaxQueue", -1)]
    [InlineData("MaxWaitMs", -1)]
    [InlineData("Permits", 0)]
    [InlineData("WindowMs", 0)]
    [InlineData("Algorithm", 99)]
    [InlineData("QueueLimit", -1)]
    [InlineData("DistributedBatch", -1)]
    [InlineData("MaxAttempts", 0)]
    [InlineData("DelayMs", -1)]
    [InlineData("MaxDelayMs", -1)]
    [InlineData("Backoff", 99)]
    [InlineData("TimeoutMs", 0)]
    public void A_value_out_of_range_is_one_problem_naming_the_policy_and_the_setting(string name, object value)
    {
        var settings = new PolicySettings();
        PropertyInfo property = typeof(PolicySettings).GetProperty(name)!;
        Type type = Nullable.GetUnderlyingType(property.PropertyType)!;
        property.SetValue(settings, type.IsEnum ? Enum.ToObject(type, value) : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));

        string problem = Assert.Single(settings.GetProblems("payments"));

        Assert.StartsWith($"payments:{name} is ", problem);
        Assert.EndsWith(".", problem);
    }

    [Theory]
    [InlineData(1_000, 999, true)]
    [InlineData(1_000, 1_000, false)] // the longest break may be the break itself
    [InlineData(1_000, 0, false)]     // 0: breaks do not grow
    [InlineData(0, 500, false)]       // the break itself is wrong: that is the one problem
    public void A_longest_break_shorter_than_the_break_is_a_problem_only_when_both_are_valid(int breakMs, int maxBreakMs, bool crossProblem)
    {
        IReadOnlyList<string> problems = new PolicySettings { BreakDurationMs = breakMs, MaxBreakDurationMs = maxBreakMs }.GetProblems("payments");

        Assert.Equal(crossProblem, problems.Any(p => p.StartsWith("payments:MaxBreakDurationMs is ", StringComparison.Ordinal) && p.Contains("payments:BreakDurationMs", StringComparison.Ordinal)));
        Assert.Equal(breakMs < 1 || crossProblem ? 1 : 0, problems.Count);
    }

    [Theory]
    [InlineData(11, 10, true)]
    [InlineData(10, 10, false)]
    [InlineData(11, 0, false)] // the permits are wrong: that is the one problem
    [InlineData(-1, 10, false)] // the batch is wrong: that is the one problem
    public void A_batch_larger_than_the_permits_is_a_problem_only_when_both_are_valid(int batch, int permits, bool crossProblem)
    {
        IReadOnlyList<string> problems = new PolicySettings { DistributedBatch = batch, Permits = permits }.GetProblems("payments");

        Assert.Equal(crossProblem, problems.Any(p => p.StartsWith("payments:DistributedBatch is ", StringComparison.Ordinal) && p.Contains("payments:Permits", StringComparison.Ordinal)));
        Assert.Equal(crossProblem || batch < 0 || permits < 1 ? 1 : 0, problems.Count);
    }

    [Theory]
    [InlineData(201, 200, true)]
    [InlineData(200, 200, false)]
    [InlineData(0, 0, false)]
    public void A_delay_longer_than_the_longest_delay_is_a_problem(int delayMs, int maxDelayMs, bool problem)
    {
        IReadOnlyList<string> problems = new PolicySettings { DelayMs = delayMs, MaxDelayMs = maxDelayMs }.GetProblems("payments");

        Assert.Equal(problem ? 1 : 0, problems.Count);
        Assert.All(problems, p => Assert.Equal($"payments:DelayMs is {delayMs}; it must be at most payments:MaxDelayMs ({maxDelayMs}).", p.Replace(",", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_problem_is_listed_not_only_the_first()
    {
        var settings = new PolicySettings { FailureThreshold = 0, MaxConcurrency = 0, Permits = 0, MaxAttempts = 0, TimeoutMs = 0 };

        Assert.Equal(5, settings.GetProblems("payments").Count);
    }

    /// <summary>Settings with only <paramref name="name"/> given, a valid value that no attribute has by default.</summary>
    private static PolicySettings With(string name)
    {
        var settings = new PolicySettings();
        PropertyInfo property = typeof(PolicySettings).GetProperty(name)!;
        property.SetValue(settings, ValueFor(Nullable.GetUnderlyingType(property.PropertyType)!));
        return settings;
    }

    private static object ValueFor(Type type)
    {
        if (type == typeof(int))
        {
            return 7;
        }

        if (type == typeof(double))
        {
            return 0.25;
        }

        if (type == typeof(bool))
        {
            return true;
        }

        // An enum: its last value, which is not the first (the defaults are).
        Array values = Enum.GetValues(type);
        return values.GetValue(values.Length - 1)!;
    }

    private static void AssertOnlyReplaced<TOptions>(string name, TOptions defaults, Func<TOptions, TOptions> apply, string[] owned)
        where TOptions : class
    {
        TOptions result = apply(defaults);
        foreach (PropertyInfo option in typeof(TOptions).GetProperties())
        {
            object? before = option.GetValue(defaults);
            object? after = option.GetValue(result);
            if (option.Name == name && owned.Contains(name))
            {
                Assert.Equal(ValueFor(option.PropertyType), after);
                Assert.NotEqual(before, after);
            }
            else
            {
                Assert.Equal(before, after);
            }
        }
    }
}
