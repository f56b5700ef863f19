using System;

namespace Resilience;

/// <summary>
/// Argument checks whose messages name the argument and what it must be. Policy settings are checked against
/// their rules (<see cref="RetryRules"/>, <see cref="CircuitBreakerRules"/>, ...), in the wording every part of
/// the product uses.
/// </summary>
internal static class Guard
{
    public static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {SettingText.Number(value)}; it must be at least {SettingText.Number(minimum)}.");
        }
    }

    public static void AtLeast(int value, int minimum, string name, string minimumName)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {SettingText.Number(value)}; it must be at least {minimumName} ({SettingText.Number(minimum)}).");
        }
    }

    /// <summary>Throws when <paramref name="value"/> breaks <paramref name="rule"/>; the message names it <c>{owner}.{Setting}</c>.</summary>
    public static void Setting(IntSettingRule rule, int value, string owner)
    {
        string subject = owner + "." + rule.Name;
        ThrowIf(rule.ProblemWith(value, subject), subject, value);
    }

    /// <inheritdoc cref="Setting(IntSettingRule, int, string)"/>
    public static void Setting(RatioSettingRule rule, double value, string owner)
    {
        string subject = owner + "." + rule.Name;
        ThrowIf(rule.ProblemWith(value, subject), subject, value);
    }

    /// <inheritdoc cref="Setting(IntSettingRule, int, string)"/>
    public static void Setting<TEnum>(EnumSettingRule<TEnum> rule, TEnum value, string owner)
        where TEnum : struct, Enum
    {
        string subject = owner + "." + rule.Name;
        ThrowIf(rule.ProblemWith(value, subject), subject, value);
    }

    public static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; it must be positive.");
        }
    }

    public static void NotNullOrEmpty(string? value, string name)
    {
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }

        if (value.Length == 0)
        {
            throw new ArgumentException($"{name} is empty; give the policy a name.", name);
        }
    }

    private static void ThrowIf(string? problem, string subject, object value)
    {
        if (problem is not null)
        {
            throw new ArgumentOutOfRangeException(subject, value, problem + ".");
        }
    }
}
