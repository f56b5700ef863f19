using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Resilience.Hosting.Tests;

/// <summary><c>services.AddResilience(section)</c>: reading, checking and applying the settings by policy name.</summary>
public sealed class ConfigurationTests : HostingTest
{
    [Fact]
    public void Settings_replace_the_attribute_values_of_the_named_breaker_as_soon_as_AddResilience_returns()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:FailureThreshold", "10"),
            ("Resilience:cfg.breaker:BreakDurationMs", "30000"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        CircuitBreakerOptions options = Breaker(Names.ConfiguredBreaker).Options;
        Assert.Equal(10, options.FailureThreshold);
        Assert.Equal(30_000, options.BreakDurationMs);
        // Values the configuration does not give keep the attribute's.
        Assert.Equal(2, options.SuccessThreshold);
        Assert.Equal(1, options.HalfOpenMaxCalls);
    }

    [Fact]
    public void Every_circuit_breaker_setting_can_be_given()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:FailureThreshold", "7"),
            ("Resilience:cfg.breaker:FailureRatio", "0.25"),
            ("Resilience:cfg.breaker:MinimumThroughput", "20"),
            ("Resilience:cfg.breaker:SamplingDurationMs", "15000"),
            ("Resilience:cfg.breaker:BreakDurationMs", "45000"),
            ("Resilience:cfg.breaker:SuccessThreshold", "3"),
            ("Resilience:cfg.breaker:HalfOpenMaxCalls", "4"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        CircuitBreakerOptions options = Breaker(Names.ConfiguredBreaker).Options;
        Assert.Equal(7, options.FailureThreshold);
        Assert.Equal(0.25, options.FailureRatio);
        Assert.Equal(20, options.MinimumThroughput);
        Assert.Equal(15_000, options.SamplingDurationMs);
        Assert.Equal(45_000, options.BreakDurationMs);
        Assert.Equal(3, options.SuccessThreshold);
        Assert.Equal(4, options.HalfOpenMaxCalls);
    }

    [Fact]
    public void The_slow_call_rule_and_the_growing_break_can_be_given()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:SlowCallDurationMs", "2500"),
            ("Resilience:cfg.breaker:SlowCallRatio", "0.6"),
            ("Resilience:cfg.breaker:MaxBreakDurationMs", "120000"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        CircuitBreakerOptions options = Breaker(Names.ConfiguredBreaker).Options;
        Assert.Equal(2_500, options.SlowCallDurationMs);
        Assert.Equal(0.6, options.SlowCallRatio);
        Assert.Equal(120_000, options.MaxBreakDurationMs);
        Assert.Equal(1_000, options.BreakDurationMs);
    }

    [Fact]
    public void A_retry_budgets_ratio_is_replaced_under_the_methods_policy_name()
    {
        IConfigurationRoot configuration = Configuration(($"Resilience:{Names.BudgetedMethod}:MaxRetryRatio", "0.5"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.Equal(0.5, Registry.RetryBudgets.Single(b => b.Name == Names.BudgetedMethod).Options.MaxRetryRatio);
    }

    [Fact]
    public void A_maximum_break_below_the_break_given_beside_it_is_a_problem_that_names_the_fix()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:BreakDurationMs", "60000"),
            ("Resilience:cfg.breaker:MaxBreakDurationMs", "30000"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(
            "Resilience:cfg.breaker:MaxBreakDurationMs is 30 000; it must be 0 (a break that does not grow) or at least Resilience:cfg.breaker:BreakDurationMs (60 000); raise it, or lower BreakDurationMs.",
            error.Message);
    }

    [Fact]
    public void Settings_under_an_empty_policy_name_are_a_problem_that_names_the_key()
    {
        IConfigurationRoot configuration = Configuration(("Resilience::FailureThreshold", "3"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience: gives settings to a policy with an empty name, which names no policy;", error.Message);
    }

    [Fact]
    public void Settings_replace_the_attribute_values_of_the_named_bulkhead()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.bulkhead:MaxConcurrency", "7"),
            ("Resilience:cfg.bulkhead:MaxQueue", "3"),
            ("Resilience:cfg.bulkhead:MaxWaitMs", "250"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        BulkheadOptions options = Bulkhead(Names.ConfiguredBulkhead).Options;
        Assert.Equal(7, options.MaxConcurrency);
        Assert.Equal(3, options.MaxQueue);
        Assert.Equal(250, options.MaxWaitMs);
    }

    [Fact]
    public void Settings_replace_the_attribute_values_of_the_named_rate_limit()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.limit:Permits", "20"),
            ("Resilience:cfg.limit:WindowMs", "60000"),
            ("Resilience:cfg.limit:Algorithm", "SlidingWindow"),
            ("Resilience:cfg.limit:QueueLimit", "4"),
            ("Resilience:cfg.limit:DistributedBatch", "5"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        RateLimitOptions options = RateLimiter(Names.ConfiguredLimit).Options;
        Assert.Equal(20, options.Permits);
        Assert.Equal(60_000, options.WindowMs);
        Assert.Equal(RateLimitAlgorithm.SlidingWindow, options.Algorithm);
        Assert.Equal(4, options.QueueLimit);
        Assert.Equal(5, options.DistributedBatch);
    }

    [Fact]
    public void Setting_names_and_algorithm_names_are_case_insensitive()
    {
        IConfigurationRoot configuration = Configuration(
            ("resilience:cfg.breaker:failurethreshold", "9"),
            ("RESILIENCE:cfg.breaker:BREAKDURATIONMS", "9000"),
            ("Resilience:cfg.limit:algorithm", "fixedwindow"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.Equal(9, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
        Assert.Equal(9_000, Breaker(Names.ConfiguredBreaker).Options.BreakDurationMs);
        Assert.Equal(RateLimitAlgorithm.FixedWindow, RateLimiter(Names.ConfiguredLimit).Options.Algorithm);
    }

    [Fact]
    public void Values_are_read_with_the_invariant_culture_and_surrounding_spaces_ignored()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("fr-FR"); // decimal comma
        try
        {
            IConfigurationRoot configuration = Configuration(
                ("Resilience:cfg.breaker:FailureRatio", " 0.5 "),
                ("Resilience:cfg.breaker:FailureThreshold", " 12 "));

            new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(0.5, Breaker(Names.ConfiguredBreaker).Options.FailureRatio);
        Assert.Equal(12, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
    }

    [Fact]
    public void An_empty_or_missing_section_changes_nothing()
    {
        new ServiceCollection().AddResilience(Configuration().GetSection("Resilience"));

        Assert.Equal(5, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
        Assert.Equal(2, Bulkhead(Names.ConfiguredBulkhead).Options.MaxConcurrency);
    }

    [Fact]
    public void An_out_of_range_value_throws_naming_the_full_key_and_the_allowed_range()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold", "0"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:FailureThreshold is 0; it must be at least 1.", error.Message);
        Assert.Contains("'Resilience'", error.Message);
    }

    [Theory]
    [InlineData("FailureRatio", "1.5", "Resilience:cfg.breaker:FailureRatio is 1.5; it must be 0 (off) or in (0, 1].")]
    [InlineData("FailureRatio", "-0.1", "Resilience:cfg.breaker:FailureRatio is -0.1; it must be 0 (off) or in (0, 1].")]
    [InlineData("MinimumThroughput", "0", "Resilience:cfg.breaker:MinimumThroughput is 0; it must be at least 1.")]
    [InlineData("SamplingDurationMs", "0", "Resilience:cfg.breaker:SamplingDurationMs is 0; it must be at least 1.")]
    [InlineData("BreakDurationMs", "-1", "Resilience:cfg.breaker:BreakDurationMs is -1; it must be at least 1.")]
    [InlineData("SuccessThreshold", "0", "Resilience:cfg.breaker:SuccessThreshold is 0; it must be at least 1.")]
    [InlineData("HalfOpenMaxCalls", "0", "Resilience:cfg.breaker:HalfOpenMaxCalls is 0; it must be at least 1.")]
    [InlineData("SlowCallDurationMs", "-1", "Resilience:cfg.breaker:SlowCallDurationMs is -1; it must be at least 0.")]
    [InlineData("SlowCallRatio", "0", "Resilience:cfg.breaker:SlowCallRatio is 0; it must be in (0, 1].")]
    [InlineData("SlowCallRatio", "1.5", "Resilience:cfg.breaker:SlowCallRatio is 1.5; it must be in (0, 1].")]
    [InlineData("MaxBreakDurationMs", "-1", "Resilience:cfg.breaker:MaxBreakDurationMs is -1; it must be at least 0.")]
    [InlineData("MaxRetryRatio", "1.5", "Resilience:cfg.breaker:MaxRetryRatio is 1.5; it must be 0 (off) or in (0, 1].")]
    [InlineData("MaxConcurrency", "0", "Resilience:cfg.breaker:MaxConcurrency is 0; it must be at least 1.")]
    [InlineData("MaxQueue", "-1", "Resilience:cfg.breaker:MaxQueue is -1; it must be at least 0.")]
    [InlineData("MaxWaitMs", "-1", "Resilience:cfg.breaker:MaxWaitMs is -1; it must be at least 0.")]
    [InlineData("Permits", "0", "Resilience:cfg.breaker:Permits is 0; it must be at least 1.")]
    [InlineData("WindowMs", "0", "Resilience:cfg.breaker:WindowMs is 0; it must be at least 1.")]
    [InlineData("QueueLimit", "-1", "Resilience:cfg.breaker:QueueLimit is -1; it must be at least 0.")]
    [InlineData("DistributedBatch", "-1", "Resilience:cfg.breaker:DistributedBatch is -1; it must be at least 0.")]
    public void Each_setting_is_checked_against_its_range(string setting, string value, string expected)
    {
        IConfigurationRoot configuration = Configuration(($"Resilience:cfg.breaker:{setting}", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Every_problem_is_listed_and_none_of_the_settings_is_applied()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:FailureThreshold", "10"),
            ("Resilience:cfg.bulkhead:MaxConcurrency", "0"),
            ("Resilience:cfg.limit:Permits", "many"),
            ("Resilience:cfg.limit:WindowMs", "0"));
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddResilience(configuration.GetSection("Resilience")));

        // The section's name on the first line, then each problem on a line of its own, indented.
        string[] lines = error.Message.Split(Environment.NewLine);
        Assert.Equal("The resilience settings in configuration section 'Resilience' are not valid, so none of them was applied:", lines[0]);
        Assert.Equal(
            new[]
            {
                "  Resilience:cfg.bulkhead:MaxConcurrency is 0; it must be at least 1.",
                "  Resilience:cfg.limit:Permits is 'many'; it must be a whole number.",
                "  Resilience:cfg.limit:WindowMs is 0; it must be at least 1.",
            },
            lines[1..].Order(StringComparer.Ordinal));
        // The valid value of the same section is not applied either, and nothing is registered.
        Assert.Equal(5, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
        Assert.Empty(services);
    }

    [Fact]
    public void Problems_are_listed_in_the_order_of_the_policy_names()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.limit:Permits", "many"),
            ("Resilience:cfg.breaker:FailureThreshold", "ten"),
            ("Resilience:cfg.bulkhead:MaxConcurrency", "some"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        int breaker = error.Message.IndexOf("Resilience:cfg.breaker:FailureThreshold is 'ten'", StringComparison.Ordinal);
        int bulkhead = error.Message.IndexOf("Resilience:cfg.bulkhead:MaxConcurrency is 'some'", StringComparison.Ordinal);
        int limit = error.Message.IndexOf("Resilience:cfg.limit:Permits is 'many'", StringComparison.Ordinal);
        Assert.True(breaker >= 0 && breaker < bulkhead && bulkhead < limit, error.Message);
    }

    [Fact]
    public void Settings_given_at_the_root_of_the_configuration_name_the_root_in_their_problems()
    {
        IConfigurationRoot configuration = Configuration(("cfg.breaker:FailureThreshold", "ten"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration));

        Assert.StartsWith("The resilience settings in configuration section '(root)' are not valid", error.Message, StringComparison.Ordinal);
        Assert.Contains("cfg.breaker:FailureThreshold is 'ten'; it must be a whole number.", error.Message);
    }

    [Fact]
    public async Task The_cached_fallback_duration_and_bound_are_read_under_the_methods_policy_name_as_milliseconds_or_TimeSpan_text()
    {
        IConfigurationRoot configuration = Configuration(
            ($"Resilience:{Names.CachedMethod}:DurationMs", "00:00:02"),
            ($"Resilience:{Names.CachedMethod}:MaxEntries", "50"));
        using IHost host = await StartHostAsync(configuration);
        Assert.Equal(42, await Dependency.CachedAsync("a", CancellationToken.None));

        CachedFallbackOptions options = Registry.CachedFallbacks.Single(c => c.Name == Names.CachedMethod).Options;

        Assert.Equal(2_000, options.DurationMs);
        Assert.Equal(50, options.MaxEntries);
    }

    [Fact]
    public void An_unknown_setting_name_is_a_problem_that_lists_the_settings()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureTreshold", "10"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:FailureTreshold is not a setting; the settings are: FailureThreshold, FailureRatio,", error.Message);
        Assert.Contains("QueueLimit, DistributedBatch, MaxAttempts, DelayMs, MaxDelayMs, Backoff, Jitter, MaxRetryRatio, TimeoutMs, DurationMs, MaxEntries, TtlMs, the Chaos section and the Hedging section.", error.Message);
    }

    [Theory]
    [InlineData("ten")]
    [InlineData("1.5")]
    [InlineData("")]
    public void A_value_that_is_not_a_whole_number_is_a_problem(string value)
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains($"Resilience:cfg.breaker:FailureThreshold is '{value}'; it must be a whole number.", error.Message);
    }

    [Theory]
    [InlineData("99999999999")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    public void A_whole_number_beyond_an_int_says_so_and_gives_the_range(string value)
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold", value), ("Resilience:cfg.breaker:BreakDurationMs", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains($"Resilience:cfg.breaker:FailureThreshold is '{value}', a number beyond what a setting holds; it must be at least 1 and at most 2 147 483 647.", error.Message);
        Assert.Contains($"Resilience:cfg.breaker:BreakDurationMs is '{value}' ms, beyond what a duration holds; it must be at least 1 and at most 2 147 483 647 ms (at most about 24.20:31:23.647).", error.Message);
    }

    [Fact]
    public void A_ratio_that_is_not_a_number_is_a_problem()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureRatio", "half"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:FailureRatio is 'half'; it must be a number: 0 (off) or in (0, 1]", error.Message);
    }

    [Theory]
    [InlineData("LeakyBucket")]
    [InlineData("1")]
    [InlineData("-1")]
    public void An_algorithm_that_is_not_one_of_the_names_is_a_problem_that_lists_them(string value)
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.limit:Algorithm", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains($"Resilience:cfg.limit:Algorithm is '{value}'; use one of: TokenBucket, FixedWindow, SlidingWindow.", error.Message);
        Assert.Equal(RateLimitAlgorithm.TokenBucket, RateLimiter(Names.ConfiguredLimit).Options.Algorithm);
    }

    [Fact]
    public void A_list_of_algorithms_is_a_problem()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.limit:Algorithm", "TokenBucket, FixedWindow"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.limit:Algorithm is 'TokenBucket, FixedWindow'; use one of:", error.Message);
    }

    [Fact]
    public void A_policy_given_a_value_instead_of_a_section_is_a_problem()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker", "10"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker is '10'; it must be a section of settings", error.Message);
    }

    [Fact]
    public void A_setting_given_a_section_instead_of_a_value_is_a_problem()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold:Value", "10"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:FailureThreshold is a section; it must be a single value.", error.Message);
    }

    [Fact]
    public void Calling_AddResilience_twice_throws()
    {
        var services = new ServiceCollection().AddResilience();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddResilience(Configuration().GetSection("Resilience")));

        Assert.Contains("AddResilience was called twice", error.Message);
        Assert.Throws<InvalidOperationException>(() => services.AddResilience());
    }

    [Fact]
    public void A_second_AddResilience_that_throws_applies_nothing()
    {
        var services = new ServiceCollection().AddResilience();
        IConfigurationRoot second = Configuration(("Resilience:cfg.breaker:FailureThreshold", "10"));

        Assert.Throws<InvalidOperationException>(() => services.AddResilience(second.GetSection("Resilience")));

        Assert.Equal(5, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
    }

    [Fact]
    public void Null_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddResilience());
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddResilience(Configuration()));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddResilience(null!));
    }

    [Fact]
    public void Settings_for_a_name_no_code_declares_yet_apply_when_that_policy_is_created()
    {
        string name = "cfg.late." + Guid.NewGuid().ToString("N");
        IConfigurationRoot configuration = Configuration(($"Resilience:{name}:FailureThreshold", "8"));
        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        CircuitBreakerState breaker = Registry.GetOrAddCircuitBreaker(name, new CircuitBreakerOptions { FailureThreshold = 3 });

        Assert.Equal(8, breaker.Options.FailureThreshold);
    }

    [Fact]
    public async Task The_settings_are_applied_again_when_the_host_starts()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold", "10"));
        IHost host = BuildHost(configuration);
        // Something else replaced the settings between registration and start.
        Registry.Configure(new Dictionary<string, PolicySettings>());
        Assert.Equal(5, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);

        await host.StartAsync().WaitAsync(HangGuard);

        Assert.Equal(10, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
    }

    [Fact]
    public async Task Settings_that_became_invalid_before_the_host_starts_stop_it_from_starting()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold", "10"));
        IHost host = BuildHost(configuration);
        configuration["Resilience:cfg.breaker:FailureThreshold"] = "0";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(HangGuard));

        Assert.Contains("Resilience:cfg.breaker:FailureThreshold is 0; it must be at least 1.", error.Message);
        Assert.Equal(10, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
    }

    [Fact]
    public async Task A_host_without_configuration_starts_and_leaves_the_attribute_settings()
    {
        await StartHostAsync(configuration: null);

        Assert.Equal(5, Breaker(Names.ConfiguredBreaker).Options.FailureThreshold);
        Assert.Equal(1_000, Breaker(Names.ConfiguredBreaker).Options.BreakDurationMs);
    }

    [Fact]
    public void HonorRetryAfter_is_read_as_true_or_false()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:HonorRetryAfter", " True "));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.True(Breaker(Names.ConfiguredBreaker).Options.HonorRetryAfter);
    }

    [Fact]
    public void Distributed_is_read_for_a_breaker_and_a_rate_limit_alike()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:Distributed", "true"),
            ("Resilience:cfg.limit:distributed", "True"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.True(Breaker(Names.ConfiguredBreaker).Options.Distributed);
        Assert.False(Breaker(Names.ConfiguredBreaker).Options.HonorRetryAfter);
        Assert.True(ResilienceRegistry.Default.RateLimiters.Single(l => l.Name == Names.ConfiguredLimit).Options.Distributed);
    }

    [Fact]
    public void A_switch_that_is_not_true_or_false_is_a_problem()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:HonorRetryAfter", "yes"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:HonorRetryAfter is 'yes'; it must be true or false.", error.Message);
        Assert.False(Breaker(Names.ConfiguredBreaker).Options.HonorRetryAfter);
    }
}
