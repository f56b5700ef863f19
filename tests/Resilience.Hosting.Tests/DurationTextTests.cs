using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests;

/// <summary>Durations in configuration: whole milliseconds, or TimeSpan text under the same key or under the key without <c>Ms</c>.</summary>
public sealed class DurationTextTests : HostingTest
{
    [Theory]
    [InlineData("BreakDurationMs", "30000")]
    [InlineData("BreakDurationMs", "00:00:30")]
    [InlineData("BreakDuration", "00:00:30")]
    [InlineData("breakduration", " 00:00:30.000 ")]
    public void A_break_duration_is_read_from_milliseconds_or_TimeSpan_text(string key, string value)
    {
        IConfigurationRoot configuration = Configuration(($"Resilience:cfg.breaker:{key}", value));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.Equal(30_000, Breaker(Names.ConfiguredBreaker).Options.BreakDurationMs);
    }

    [Fact]
    public void Every_duration_setting_takes_TimeSpan_text()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:SamplingDuration", "00:01:00"),
            ("Resilience:cfg.bulkhead:MaxWait", "00:00:00.250"),
            ("Resilience:cfg.limit:WindowMs", "00:00:02"),
            ("Resilience:live:Delay", "00:00:00.100"),
            ("Resilience:live:MaxDelayMs", "00:00:05"),
            ("Resilience:live:Timeout", "1.00:00:00"));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.Equal(60_000, Breaker(Names.ConfiguredBreaker).Options.SamplingDurationMs);
        Assert.Equal(250, Bulkhead(Names.ConfiguredBulkhead).Options.MaxWaitMs);
        Assert.Equal(2_000, RateLimiter(Names.ConfiguredLimit).Options.WindowMs);
        PolicyOverrides overrides = Assert.IsType<PolicyOverrides>(Registry.GetLivePolicySettings(Names.LiveMethod).Overrides);
        Assert.Equal(100, overrides.DelayMs);
        Assert.Equal(5_000, overrides.MaxDelayMs);
        Assert.Equal(TimeSpan.FromDays(1), overrides.Timeout);
    }

    [Fact]
    public void A_duration_given_under_both_keys_is_a_problem_naming_both()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:BreakDurationMs", "30000"),
            ("Resilience:cfg.breaker:BreakDuration", "00:00:30"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(
            "Resilience:cfg.breaker:BreakDuration and Resilience:cfg.breaker:BreakDurationMs both give BreakDurationMs; " +
            "give one of them: BreakDurationMs (milliseconds or TimeSpan text) or BreakDuration (TimeSpan text).",
            error.Message);
        Assert.Equal(1_000, Breaker(Names.ConfiguredBreaker).Options.BreakDurationMs);
    }

    [Theory]
    [InlineData("thirty seconds")]
    [InlineData("00:00:60")]
    [InlineData("30s")]
    public void Malformed_text_is_a_problem_naming_the_key_the_value_and_the_accepted_forms(string value)
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:BreakDurationMs", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(
            $"Resilience:cfg.breaker:BreakDurationMs is '{value}'; it must be whole milliseconds (30000) or TimeSpan text, [d.]hh:mm:ss[.fff] such as \"00:00:30\".",
            error.Message);
    }

    [Fact]
    public void A_number_under_the_key_without_Ms_is_a_problem_that_points_to_the_Ms_key()
    {
        // "BreakDuration": 30 could mean seconds or milliseconds: it is refused rather than guessed.
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:BreakDuration", "30"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains(
            "Resilience:cfg.breaker:BreakDuration is '30'; it must be TimeSpan text, [d.]hh:mm:ss[.fff] such as \"00:00:30\" for 30 seconds, or give whole milliseconds as BreakDurationMs instead.",
            error.Message);
    }

    [Theory]
    [InlineData("00:00:00.0005")]
    [InlineData("30.00:00:00")]
    public void Text_that_is_not_a_whole_number_of_milliseconds_that_fits_is_a_problem(string value)
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:BreakDuration", value));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains($"Resilience:cfg.breaker:BreakDuration is '{value}'; it must be a whole number of milliseconds, at most 2 147 483 647", error.Message);
    }

    [Fact]
    public void A_duration_given_under_both_keys_is_one_problem_whatever_the_second_value()
    {
        IConfigurationRoot configuration = Configuration(
            ("Resilience:cfg.breaker:BreakDuration", "00:00:30"),
            ("Resilience:cfg.breaker:BreakDurationMs", "soon"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:BreakDuration and Resilience:cfg.breaker:BreakDurationMs both give BreakDurationMs", error.Message);
        Assert.DoesNotContain("'soon'", error.Message);
    }

    [Fact]
    public void The_longest_duration_is_taken_as_TimeSpan_text_and_a_millisecond_more_is_a_problem()
    {
        IConfigurationRoot longest = Configuration(("Resilience:cfg.breaker:BreakDuration", "24.20:31:23.647"));
        IConfigurationRoot tooLong = Configuration(("Resilience:cfg.breaker:BreakDuration", "24.20:31:23.648"));

        new ServiceCollection().AddResilience(longest.GetSection("Resilience"));
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(tooLong.GetSection("Resilience")));

        Assert.Equal(int.MaxValue, Breaker(Names.ConfiguredBreaker).Options.BreakDurationMs);
        Assert.Contains("Resilience:cfg.breaker:BreakDuration is '24.20:31:23.648'; it must be a whole number of milliseconds, at most 2 147 483 647", error.Message);
    }

    [Fact]
    public void The_most_negative_duration_that_fits_is_judged_by_the_settings_range_and_one_beyond_it_does_not_fit()
    {
        IConfigurationRoot lowest = Configuration(("Resilience:cfg.breaker:BreakDuration", "-24.20:31:23.648"));
        IConfigurationRoot beyond = Configuration(("Resilience:cfg.breaker:BreakDuration", "-24.20:31:23.649"));

        var fits = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(lowest.GetSection("Resilience")));
        var doesNotFit = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(beyond.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:BreakDuration is '-24.20:31:23.648' (-2 147 483 648 ms); it must be at least 1 ms.", fits.Message);
        Assert.Contains("Resilience:cfg.breaker:BreakDuration is '-24.20:31:23.649'; it must be a whole number of milliseconds", doesNotFit.Message);
    }

    [Fact]
    public void A_duration_out_of_range_is_a_problem_in_the_form_it_was_written()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:BreakDuration", "-00:00:01"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:BreakDuration is '-00:00:01' (-1 000 ms); it must be at least 1 ms.", error.Message);
    }

    [Fact]
    public void A_setting_that_is_not_a_duration_takes_no_TimeSpan_text()
    {
        IConfigurationRoot configuration = Configuration(("Resilience:cfg.breaker:FailureThreshold", "00:00:05"));

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilience(configuration.GetSection("Resilience")));

        Assert.Contains("Resilience:cfg.breaker:FailureThreshold is '00:00:05'; it must be a whole number.", error.Message);
    }

    [Theory]
    [InlineData("TtlMs", "3600000")]
    [InlineData("Ttl", "01:00:00")]
    public void An_idempotency_keys_time_to_live_is_read_from_milliseconds_or_TimeSpan_text(string key, string value)
    {
        IdempotencyState state = Registry.GetOrAddIdempotency("cfg.idempotency", new IdempotencyOptions());
        IConfigurationRoot configuration = Configuration(($"Resilience:cfg.idempotency:{key}", value));

        new ServiceCollection().AddResilience(configuration.GetSection("Resilience"));

        Assert.Equal(TimeSpan.FromHours(1), state.TimeToLive);
    }
}
