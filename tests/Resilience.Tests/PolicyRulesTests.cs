using System.Reflection;

namespace Resilience.Tests;

/// <summary>
/// The rules in src/Shared are the one place a setting's default and range are written: the attributes, the
/// options and the configuration table take them from there, and every part of the product words a bad value alike.
/// </summary>
public sealed class PolicyRulesTests
{
    public static TheoryData<Type> RuleClasses => new()
    {
        typeof(RetryRules), typeof(CircuitBreakerRules), typeof(TimeoutRules), typeof(BulkheadRules), typeof(RateLimitRules), typeof(HedgingRules),
        typeof(CachedFallbackRules),
    };

    [Theory]
    [MemberData(nameof(RuleClasses))]
    public void Every_default_is_allowed_by_its_own_range(Type rules)
    {
        foreach (SettingRule rule in RulesOf(rules))
        {
            switch (rule)
            {
                case IntSettingRule number when number.Default is { } value:
                    Assert.True(number.Allows(value), $"{rules.Name}.{rule.Name}: the default {value} is not {number.Requirement}");
                    Assert.False(number.Allows(number.Minimum - 1), $"{rules.Name}.{rule.Name} allows one below its minimum");
                    break;
                case RatioSettingRule ratio:
                    Assert.True(ratio.Allows(ratio.Default));
                    break;
                case EnumSettingRule<BackoffKind> backoff:
                    Assert.True(backoff.Allows(backoff.Default));
                    break;
                case EnumSettingRule<TimeoutScope> scope:
                    Assert.True(scope.Allows(scope.Default));
                    break;
                case EnumSettingRule<RateLimitAlgorithm> algorithm:
                    Assert.True(algorithm.Allows(algorithm.Default));
                    break;
            }
        }
    }

    [Fact]
    public void The_options_of_the_shared_policies_default_to_the_rules()
    {
        AssertDefaults(new CircuitBreakerOptions(), CircuitBreakerRules.Shared, ofAttribute: false);
        AssertDefaults(new BulkheadOptions(), BulkheadRules.Shared, ofAttribute: false);
        AssertDefaults(new RateLimitOptions(), RateLimitRules.Shared, ofAttribute: false);
        AssertDefaults(new CachedFallbackOptions(), CachedFallbackRules.Shared, ofAttribute: false);
    }

    [Fact]
    public void The_attributes_default_to_the_rules()
    {
        AssertDefaults(new RetryAttribute(), RulesOf(typeof(RetryRules)), ofAttribute: true);
        AssertDefaults(new CircuitBreakerAttribute(), CircuitBreakerRules.Shared, ofAttribute: true);
        AssertDefaults(new TimeoutAttribute(1), new SettingRule[] { TimeoutRules.Scope }, ofAttribute: true);
        AssertDefaults(new BulkheadAttribute(1), new SettingRule[] { BulkheadRules.MaxQueue, BulkheadRules.MaxWaitMs }, ofAttribute: true);
        AssertDefaults(new RateLimitAttribute(1, 1), new SettingRule[] { RateLimitRules.Algorithm, RateLimitRules.QueueLimit }, ofAttribute: true);
        AssertDefaults(new HedgingAttribute(), RulesOf(typeof(HedgingRules)), ofAttribute: true);
        AssertDefaults(new CachedFallbackAttribute(1), new SettingRule[] { CachedFallbackRules.MaxEntries }, ofAttribute: true);
    }

    [Fact]
    public void Hedging_takes_two_to_ten_attempts_and_a_delay_of_zero_or_more_or_minus_one_for_fallback_mode()
    {
        Assert.False(HedgingRules.MaxAttempts.Allows(1));
        Assert.True(HedgingRules.MaxAttempts.Allows(2) && HedgingRules.MaxAttempts.Allows(10));
        Assert.False(HedgingRules.MaxAttempts.Allows(11));
        Assert.True(HedgingRules.DelayMs.Allows(0) && HedgingRules.DelayMs.Allows(Timeout.Infinite));
        Assert.False(HedgingRules.DelayMs.Allows(-2));
        Assert.Equal(Timeout.Infinite, HedgingRules.FallbackModeDelayMs);
    }

    [Fact]
    public void Durations_are_the_settings_in_milliseconds_and_switches_take_true_or_false()
    {
        // Configuration also takes a duration as TimeSpan text ("00:00:30"), and says so in its problems.
        Assert.True(RetryRules.DelayMs.IsDuration);
        Assert.True(CircuitBreakerRules.BreakDurationMs.IsDuration);
        Assert.True(RateLimitRules.WindowMs.IsDuration);
        Assert.False(RetryRules.MaxAttempts.IsDuration);
        Assert.False(CircuitBreakerRules.FailureThreshold.IsDuration);
        Assert.False(RateLimitRules.Permits.IsDuration);

        Assert.Equal("true or false", CircuitBreakerRules.Distributed.Requirement);
        Assert.Equal("true or false", RetryRules.Jitter.Requirement);
    }

    [Fact]
    public void A_setting_the_attributes_constructor_takes_has_no_attribute_default()
    {
        foreach (IntSettingRule rule in new[] { TimeoutRules.Milliseconds, BulkheadRules.MaxConcurrency, RateLimitRules.Permits, RateLimitRules.WindowMs })
        {
            Assert.True(rule.RequiredByAttribute, rule.Name);
            Assert.Null(rule.AttributeDefault);
        }

        Assert.Equal(BulkheadRules.DefaultMaxConcurrency, new BulkheadOptions().MaxConcurrency);
        Assert.Equal(CircuitBreakerRules.DefaultFailureThreshold, CircuitBreakerRules.FailureThreshold.AttributeDefault);
    }

    [Fact]
    public void Every_setting_of_a_shared_policy_can_be_given_by_name_in_PolicySettings()
    {
        foreach (SettingRule rule in CircuitBreakerRules.Shared.Concat(BulkheadRules.Shared).Concat(RateLimitRules.Shared).Concat(CachedFallbackRules.Shared))
        {
            Assert.NotNull(typeof(PolicySettings).GetProperty(rule.Name));
        }
    }

    [Fact]
    public void A_value_out_of_range_is_worded_alike_for_every_kind_of_setting()
    {
        Assert.Equal("RetryAttribute.MaxAttempts is 0; it must be at least 1", RetryRules.MaxAttempts.ProblemWith(0, "RetryAttribute.MaxAttempts"));
        Assert.Equal("x:WindowMs is -30 000; it must be at least 1", RateLimitRules.WindowMs.ProblemWith(-30_000, "x:WindowMs"));
        Assert.Equal("x:FailureRatio is 1.5; it must be 0 (off) or in (0, 1]", CircuitBreakerRules.FailureRatio.ProblemWith(1.5, "x:FailureRatio"));
        Assert.Equal("x:FailureRatio is NaN; it must be 0 (off) or in (0, 1]", CircuitBreakerRules.FailureRatio.ProblemWith(double.NaN, "x:FailureRatio"));
        Assert.Equal(
            "RetryAttribute.Backoff is 9; it must be a BackoffKind (Constant, Linear or Exponential)",
            RetryRules.Backoff.ProblemWith((BackoffKind)9, "RetryAttribute.Backoff"));
        Assert.Null(RetryRules.MaxAttempts.ProblemWith(1, "RetryAttribute.MaxAttempts"));
        Assert.Null(CircuitBreakerRules.FailureRatio.ProblemWith(0, "x:FailureRatio"));
    }

    [Fact]
    public void The_members_of_a_two_member_enum_are_offered_as_one_or_the_other()
        => Assert.Equal(
            "TimeoutAttribute.Scope is 9; it must be a TimeoutScope (PerAttempt or Total)",
            TimeoutRules.Scope.ProblemWith((TimeoutScope)9, "TimeoutAttribute.Scope"));

    [Theory]
    [InlineData(new string[0], "")]
    [InlineData(new[] { "Only" }, "Only")]
    [InlineData(new[] { "A", "B" }, "A or B")]
    [InlineData(new[] { "A", "B", "C" }, "A, B or C")]
    public void Choices_are_listed_as_a_sentence_lists_them(string[] names, string expected)
        => Assert.Equal(expected, SettingText.Choices(names));

    [Theory]
    [InlineData(0, false)]
    [InlineData(0.5, true)]
    [InlineData(1, true)]
    [InlineData(1.5, false)]
    [InlineData(-0.1, false)]
    public void A_ratio_turns_its_mode_on_only_inside_its_range_and_above_zero(double value, bool on)
        => Assert.Equal(on, CircuitBreakerRules.FailureRatio.IsOn(value));

    private static IEnumerable<SettingRule> RulesOf(Type rules)
        => rules.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(SettingRule).IsAssignableFrom(f.FieldType))
            .Select(f => (SettingRule)f.GetValue(null)!);

    /// <summary>Each rule's setting on <paramref name="target"/> (a property of the rule's name) holds the rule's default.</summary>
    private static void AssertDefaults(object target, IEnumerable<SettingRule> rules, bool ofAttribute)
    {
        foreach (SettingRule rule in rules)
        {
            PropertyInfo property = target.GetType().GetProperty(rule.Name)
                ?? throw new Xunit.Sdk.XunitException($"{target.GetType().Name} has no property {rule.Name}");
            object? expected = rule switch
            {
                IntSettingRule number => ofAttribute ? number.AttributeDefault : number.Default,
                RatioSettingRule ratio => ratio.Default,
                BoolSettingRule flag => flag.Default,
                EnumSettingRule<BackoffKind> backoff => backoff.Default,
                EnumSettingRule<TimeoutScope> scope => scope.Default,
                EnumSettingRule<RateLimitAlgorithm> algorithm => algorithm.Default,
                _ => throw new Xunit.Sdk.XunitException($"No default known for a {rule.GetType().Name}"),
            };
            Assert.Equal(expected, property.GetValue(target));
        }
    }
}
