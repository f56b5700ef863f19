using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace Resilience.Hosting;

/// <summary>
/// Reads per-name <see cref="PolicySettings"/> from a configuration section shaped as
/// <c>{ "payments": { "FailureThreshold": 10, "BreakDurationMs": 30000, "Hedging": { "DelayMs": 150 }, "Chaos": { "FaultRate": 0.1 } } }</c>, and
/// describes every problem by its full configuration key: a value that is not a number, a setting that does not
/// exist, a value out of range.
/// </summary>
/// <remarks>
/// A duration (a setting named <c>...Ms</c>) takes whole milliseconds or <see cref="TimeSpan"/> text
/// (<c>"00:00:30"</c>); the same key without <c>Ms</c> (<c>BreakDuration</c>, as Polly's options name it) takes
/// <see cref="TimeSpan"/> text only. One of the two may be given, not both.
/// </remarks>
internal static class ResilienceSettingsReader
{
    /// <summary>
    /// Every setting a name can be given: its circuit breaker's, bulkhead's, rate limit's and retry budget's, and the
    /// retry's, timeout's and cached fallback's of its methods. Their names do not overlap, except <c>Distributed</c>, which a breaker and a
    /// rate limit both have and which is read once for both.
    /// </summary>
    private static readonly SettingRule[] s_settings = CircuitBreakerRules.Shared.Concat(BulkheadRules.Shared).Concat(RateLimitRules.Shared)
        .Concat(RetryRules.Live).Concat(RetryRules.Budget).Concat(TimeoutRules.Live).Concat(CachedFallbackRules.Shared).Concat(IdempotencyRules.Shared)
        .GroupBy(r => r.Name, StringComparer.Ordinal).Select(g => g.First()).ToArray();

    /// <summary>The settings by policy name, and the problems found (the settings are only usable when there are none).</summary>
    /// <param name="section">The section holding the settings by policy name.</param>
    /// <param name="allowChaos">Whether chaos may be given (<see cref="ResilienceRegistry.AllowChaos"/>): when not, a <c>Chaos</c> section is a problem.</param>
    public static (Dictionary<string, PolicySettings> Settings, List<string> Problems) Read(IConfiguration section, bool allowChaos)
    {
        var settings = new Dictionary<string, PolicySettings>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (IConfigurationSection policy in section.GetChildren().OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            List<IConfigurationSection> values = policy.GetChildren().ToList();
            if (values.Count == 0)
            {
                if (!string.IsNullOrEmpty(policy.Value))
                {
                    problems.Add($"{policy.Path} is '{policy.Value}'; it must be a section of settings, e.g. \"{policy.Key}\": {{ \"FailureThreshold\": 10 }}.");
                }

                continue;
            }

            if (policy.Key.Length == 0)
            {
                problems.Add($"{policy.Path} gives settings to a policy with an empty name, which names no policy; put them under the name of a circuit breaker, bulkhead, rate limit or method, e.g. \"payments\": {{ \"FailureThreshold\": 10 }}.");
                continue;
            }

            var policySettings = new PolicySettings();
            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (IConfigurationSection value in values)
            {
                if (string.Equals(value.Key, ChaosRules.SectionName, StringComparison.OrdinalIgnoreCase))
                {
                    policySettings.Chaos = ReadChaos(value, allowChaos, problems);
                    continue;
                }

                if (string.Equals(value.Key, HedgingRules.SectionName, StringComparison.OrdinalIgnoreCase))
                {
                    policySettings.Hedging = ReadHedging(value, problems);
                    continue;
                }

                (SettingRule? rule, bool alias) = Find(s_settings, value.Key);
                if (rule is null)
                {
                    problems.Add($"{value.Path} is not a setting; the settings are: {string.Join(", ", s_settings.Select(r => r.Name))}, the {ChaosRules.SectionName} section and the {HedgingRules.SectionName} section.");
                    continue;
                }

                if (Text(value, problems) is { } text && TakeOnce(rule, value, given, problems))
                {
                    Read(rule, alias, value, text, policySettings, problems);
                }
            }

            problems.AddRange(policySettings.GetProblems(policy.Path));
            settings[policy.Key] = policySettings;
        }

        return (settings, problems);
    }

    /// <summary>The message for a section whose problems stop it from being applied.</summary>
    public static string Describe(IConfiguration section, IEnumerable<string> problems)
    {
        string path = section is IConfigurationSection named ? named.Path : "(root)";
        return $"The resilience settings in configuration section '{path}' are not valid, so none of them was applied:"
            + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems);
    }

    /// <summary>The rule a key names, case aside, and whether it names it by its alias (a duration's name without <c>Ms</c>).</summary>
    private static (SettingRule? Rule, bool Alias) Find(SettingRule[] rules, string key)
    {
        foreach (SettingRule rule in rules)
        {
            if (string.Equals(rule.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                return (rule, false);
            }

            if (rule is IntSettingRule { IsDuration: true } && string.Equals(AliasOf(rule), key, StringComparison.OrdinalIgnoreCase))
            {
                return (rule, true);
            }
        }

        return (null, false);
    }

    /// <summary>A duration's key without <c>Ms</c>, which takes <see cref="TimeSpan"/> text: <c>BreakDuration</c>.</summary>
    private static string AliasOf(SettingRule rule) => rule.Name.Substring(0, rule.Name.Length - 2);

    /// <summary>False, with a problem, when the setting was given already under its other key (<c>BreakDurationMs</c> and <c>BreakDuration</c>).</summary>
    private static bool TakeOnce(SettingRule rule, IConfigurationSection value, Dictionary<string, string> given, List<string> problems)
    {
        if (given.TryGetValue(rule.Name, out string? first))
        {
            problems.Add($"{first} and {value.Path} both give {rule.Name}; give one of them: {rule.Name} (milliseconds or TimeSpan text) or {AliasOf(rule)} (TimeSpan text).");
            return false;
        }

        given[rule.Name] = value.Path;
        return true;
    }

    /// <summary>The value's text, trimmed; null (with a problem when it is a section) when it has none.</summary>
    private static string? Text(IConfigurationSection value, List<string> problems)
    {
        if (value.Value is null)
        {
            if (value.GetChildren().Any())
            {
                problems.Add($"{value.Path} is a section; it must be a single value.");
            }

            return null;
        }

        return value.Value.Trim();
    }

    private static void Read(SettingRule rule, bool alias, IConfigurationSection value, string text, PolicySettings settings, List<string> problems)
    {
        switch (rule)
        {
            case RatioSettingRule ratio:
                if (ReadRatio(ratio, value, text, problems) is { } share)
                {
                    switch (rule.Name)
                    {
                        case nameof(PolicySettings.FailureRatio): settings.FailureRatio = share; break;
                        case nameof(PolicySettings.SlowCallRatio): settings.SlowCallRatio = share; break;
                        case nameof(PolicySettings.MaxRetryRatio): settings.MaxRetryRatio = share; break;
                        default: throw new InvalidOperationException($"The setting {rule.Name} has no property on PolicySettings.");
                    }
                }

                return;
            case BoolSettingRule:
                if (ReadBool(value, text, problems) is { } flag)
                {
                    switch (rule.Name)
                    {
                        case nameof(PolicySettings.HonorRetryAfter): settings.HonorRetryAfter = flag; break;
                        case nameof(PolicySettings.Distributed): settings.Distributed = flag; break;
                        case nameof(PolicySettings.Jitter): settings.Jitter = flag; break;
                        default: throw new InvalidOperationException($"The setting {rule.Name} has no property on PolicySettings.");
                    }
                }

                return;
            case EnumSettingRule<RateLimitAlgorithm> algorithm:
                if (ReadEnum(algorithm, value, text, problems) is { } algorithmValue)
                {
                    settings.Algorithm = algorithmValue;
                }

                return;
            case EnumSettingRule<BackoffKind> backoff:
                if (ReadEnum(backoff, value, text, problems) is { } backoffValue)
                {
                    settings.Backoff = backoffValue;
                }

                return;
        }

        if (ReadInt((IntSettingRule)rule, alias, value, text, problems) is not { } number)
        {
            return;
        }

        switch (rule.Name)
        {
            case nameof(PolicySettings.FailureThreshold): settings.FailureThreshold = number; break;
            case nameof(PolicySettings.MinimumThroughput): settings.MinimumThroughput = number; break;
            case nameof(PolicySettings.SamplingDurationMs): settings.SamplingDurationMs = number; break;
            case nameof(PolicySettings.BreakDurationMs): settings.BreakDurationMs = number; break;
            case nameof(PolicySettings.SuccessThreshold): settings.SuccessThreshold = number; break;
            case nameof(PolicySettings.HalfOpenMaxCalls): settings.HalfOpenMaxCalls = number; break;
            case nameof(PolicySettings.SlowCallDurationMs): settings.SlowCallDurationMs = number; break;
            case nameof(PolicySettings.MaxBreakDurationMs): settings.MaxBreakDurationMs = number; break;
            case nameof(PolicySettings.MaxConcurrency): settings.MaxConcurrency = number; break;
            case nameof(PolicySettings.MaxQueue): settings.MaxQueue = number; break;
            case nameof(PolicySettings.MaxWaitMs): settings.MaxWaitMs = number; break;
            case nameof(PolicySettings.Permits): settings.Permits = number; break;
            case nameof(PolicySettings.WindowMs): settings.WindowMs = number; break;
            case nameof(PolicySettings.QueueLimit): settings.QueueLimit = number; break;
            case nameof(PolicySettings.DistributedBatch): settings.DistributedBatch = number; break;
            case nameof(PolicySettings.MaxAttempts): settings.MaxAttempts = number; break;
            case nameof(PolicySettings.DelayMs): settings.DelayMs = number; break;
            case nameof(PolicySettings.MaxDelayMs): settings.MaxDelayMs = number; break;
            case nameof(PolicySettings.TimeoutMs): settings.TimeoutMs = number; break;
            case nameof(PolicySettings.DurationMs): settings.DurationMs = number; break;
            case nameof(PolicySettings.MaxEntries): settings.MaxEntries = number; break;
            case nameof(PolicySettings.TtlMs): settings.TtlMs = number; break;
            default: throw new InvalidOperationException($"The setting {rule.Name} has no property on PolicySettings.");
        }
    }

    /// <summary>The <c>Chaos</c> section of a policy name; null when it gives nothing usable (its problems are added).</summary>
    private static ChaosSettings? ReadChaos(IConfigurationSection section, bool allowChaos, List<string> problems)
    {
        if (!IsSettingsSection(section, $"\"{ChaosRules.SectionName}\": {{ \"FaultRate\": 0.1 }}", problems))
        {
            return null;
        }

        if (!allowChaos)
        {
            problems.Add(ChaosRules.NotAllowed(section.Path));
            return null;
        }

        var chaos = new ChaosSettings();
        ReadSectionValues(section, ChaosRules.All, "chaos", problems, (rule, alias, value, text) =>
        {
            switch (rule)
            {
                case BoolSettingRule:
                    if (ReadBool(value, text, problems) is { } enabled)
                    {
                        chaos.Enabled = enabled;
                    }

                    break;
                case RatioSettingRule ratio:
                    if (ReadRatio(ratio, value, text, problems) is { } rate)
                    {
                        switch (rule.Name)
                        {
                            case nameof(ChaosSettings.FaultRate): chaos.FaultRate = rate; break;
                            case nameof(ChaosSettings.LatencyRate): chaos.LatencyRate = rate; break;
                            case nameof(ChaosSettings.OutcomeRate): chaos.OutcomeRate = rate; break;
                            default: throw new InvalidOperationException($"The chaos setting {rule.Name} has no property on ChaosSettings.");
                        }
                    }

                    break;
                case IntSettingRule number:
                    if (ReadInt(number, alias, value, text, problems) is { } whole)
                    {
                        switch (rule.Name)
                        {
                            case nameof(ChaosSettings.LatencyMs): chaos.LatencyMs = whole; break;
                            case nameof(ChaosSettings.OutcomeStatusCode): chaos.OutcomeStatusCode = whole; break;
                            case nameof(ChaosSettings.Seed): chaos.Seed = whole; break;
                            default: throw new InvalidOperationException($"The chaos setting {rule.Name} has no property on ChaosSettings.");
                        }
                    }

                    break;
            }
        });

        return chaos;
    }

    /// <summary>The <c>Hedging</c> section of a policy name; null when it gives nothing usable (its problems are added).</summary>
    private static HedgingSettings? ReadHedging(IConfigurationSection section, List<string> problems)
    {
        if (!IsSettingsSection(section, $"\"{HedgingRules.SectionName}\": {{ \"DelayMs\": 150 }}", problems))
        {
            return null;
        }

        var hedging = new HedgingSettings();
        ReadSectionValues(section, HedgingRules.Live, "hedging", problems, (rule, alias, value, text) =>
        {
            if (ReadInt((IntSettingRule)rule, alias, value, text, problems) is { } whole)
            {
                switch (rule.Name)
                {
                    case nameof(HedgingSettings.MaxAttempts): hedging.MaxAttempts = whole; break;
                    case nameof(HedgingSettings.DelayMs): hedging.DelayMs = whole; break;
                    default: throw new InvalidOperationException($"The hedging setting {rule.Name} has no property on HedgingSettings.");
                }
            }
        });

        return hedging;
    }

    /// <summary>True when a nested section (<c>Chaos</c>, <c>Hedging</c>) holds settings; false, with a problem when it is a single value, otherwise.</summary>
    private static bool IsSettingsSection(IConfigurationSection section, string example, List<string> problems)
    {
        if (section.GetChildren().Any())
        {
            return true;
        }

        if (!string.IsNullOrEmpty(section.Value))
        {
            problems.Add($"{section.Path} is '{section.Value}'; it must be a section of settings, e.g. {example}.");
        }

        return false;
    }

    /// <summary>Hands each value of a nested section to <paramref name="read"/> with its rule; an unknown key or a setting given twice is a problem.</summary>
    private static void ReadSectionValues(IConfigurationSection section, SettingRule[] rules, string kind, List<string> problems, Action<SettingRule, bool, IConfigurationSection, string> read)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (IConfigurationSection value in section.GetChildren())
        {
            (SettingRule? rule, bool alias) = Find(rules, value.Key);
            if (rule is null)
            {
                problems.Add($"{value.Path} is not a {kind} setting; the settings are: {string.Join(", ", rules.Select(r => r.Name))}.");
                continue;
            }

            if (Text(value, problems) is { } text && TakeOnce(rule, value, given, problems))
            {
                read(rule, alias, value, text);
            }
        }
    }

    private static double? ReadRatio(RatioSettingRule rule, IConfigurationSection value, string text, List<string> problems)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double share))
        {
            return share;
        }

        problems.Add($"{value.Path} is '{value.Value}'; it must be a number: {rule.Requirement}, e.g. 0.5.");
        return null;
    }

    private static bool? ReadBool(IConfigurationSection value, string text, List<string> problems)
    {
        if (bool.TryParse(text, out bool flag))
        {
            return flag;
        }

        problems.Add($"{value.Path} is '{value.Value}'; it must be true or false.");
        return null;
    }

    private static TEnum? ReadEnum<TEnum>(EnumSettingRule<TEnum> rule, IConfigurationSection value, string text, List<string> problems)
        where TEnum : struct, Enum
    {
        // By name only: Enum.TryParse would also take numbers and comma-separated lists.
        string? name = rule.Names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (name is not null)
        {
            return (TEnum)Enum.Parse(typeof(TEnum), name);
        }

        problems.Add($"{value.Path} is '{value.Value}'; use one of: {string.Join(", ", rule.Names)}.");
        return null;
    }

    /// <summary>The rule's range, with the largest value an <see cref="int"/> holds when the rule sets no maximum.</summary>
    private static string WithinInt(IntSettingRule rule)
        => rule.Maximum == int.MaxValue ? rule.Requirement + " and at most " + SettingText.Number(int.MaxValue) : rule.Requirement;

    /// <summary>True for a whole number too large (or too small) for an <see cref="int"/>: <c>2147483648</c>.</summary>
    private static bool IsWholeNumber(string text) => decimal.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// A whole number; for a duration, whole milliseconds or <see cref="TimeSpan"/> text under its own key, and
    /// <see cref="TimeSpan"/> text only under its alias. A duration out of range is reported here, in the form it was
    /// written, and not set.
    /// </summary>
    private static int? ReadInt(IntSettingRule rule, bool alias, IConfigurationSection value, string text, List<string> problems)
    {
        if (!rule.IsDuration)
        {
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
            {
                return number;
            }

            problems.Add(IsWholeNumber(text)
                ? $"{value.Path} is '{value.Value}', a number beyond what a setting holds; it must be {WithinInt(rule)}."
                : $"{value.Path} is '{value.Value}'; it must be a whole number.");
            return null;
        }

        if (!alias && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int milliseconds))
        {
            return milliseconds;
        }

        if (!alias && IsWholeNumber(text))
        {
            problems.Add($"{value.Path} is '{value.Value}' ms, beyond what a duration holds; it must be {WithinInt(rule)} ms (at most about 24.20:31:23.647).");
            return null;
        }

        // TimeSpan text always has a colon: without one, TimeSpan would read "30" as 30 days.
        if (text.IndexOf(':') < 0 || !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan duration))
        {
            problems.Add(alias
                ? $"{value.Path} is '{value.Value}'; it must be TimeSpan text, [d.]hh:mm:ss[.fff] such as \"00:00:30\" for 30 seconds, or give whole milliseconds as {rule.Name} instead."
                : $"{value.Path} is '{value.Value}'; it must be whole milliseconds (30000) or TimeSpan text, [d.]hh:mm:ss[.fff] such as \"00:00:30\".");
            return null;
        }

        if (duration.Ticks % TimeSpan.TicksPerMillisecond != 0 || duration.Ticks / TimeSpan.TicksPerMillisecond is > int.MaxValue or < int.MinValue)
        {
            problems.Add($"{value.Path} is '{value.Value}'; it must be a whole number of milliseconds, at most {SettingText.Number(int.MaxValue)} (about 24.20:31:23.647).");
            return null;
        }

        int fromText = (int)(duration.Ticks / TimeSpan.TicksPerMillisecond);
        if (!rule.Allows(fromText))
        {
            problems.Add($"{value.Path} is '{value.Value}' ({SettingText.Number(fromText)} ms); it must be {rule.Requirement} ms.");
            return null;
        }

        return fromText;
    }
}
