using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace Resilience.Hosting;

/// <summary>
/// Reads per-name <see cref="PolicySettings"/> from a configuration section shaped as
/// <c>{ "payments": { "FailureThreshold": 10, "BreakDurationMs": 30000 } }</c>, and describes every problem by its
/// full configuration key: a value that is not a number, a setting that does not exist, a value out of range.
/// </summary>
internal static class ResilienceSettingsReader
{
    /// <summary>
    /// Every setting a name can be given: its circuit breaker's, bulkhead's, rate limit's and retry budget's. Their names do
    /// not overlap, except <c>Distributed</c>, which a breaker and a rate limit both have and which is read once for both.
    /// </summary>
    private static readonly SettingRule[] s_settings = CircuitBreakerRules.Shared.Concat(BulkheadRules.Shared).Concat(RateLimitRules.Shared).Concat(RetryRules.Budget)
        .GroupBy(r => r.Name, StringComparer.Ordinal).Select(g => g.First()).ToArray();

    /// <summary>The settings by policy name, and the problems found (the settings are only usable when there are none).</summary>
    public static (Dictionary<string, PolicySettings> Settings, List<string> Problems) Read(IConfiguration section)
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

            var policySettings = new PolicySettings();
            foreach (IConfigurationSection value in values)
            {
                Read(value, policySettings, problems);
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

    private static void Read(IConfigurationSection value, PolicySettings settings, List<string> problems)
    {
        SettingRule? rule = s_settings.FirstOrDefault(r => string.Equals(r.Name, value.Key, StringComparison.OrdinalIgnoreCase));
        if (rule is null)
        {
            problems.Add($"{value.Path} is not a setting; the settings are: {string.Join(", ", s_settings.Select(r => r.Name))}.");
            return;
        }

        if (value.Value is null)
        {
            if (value.GetChildren().Any())
            {
                problems.Add($"{value.Path} is a section; it must be a single value.");
            }

            return;
        }

        string text = value.Value.Trim();
        switch (rule)
        {
            case RatioSettingRule ratio:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double share))
                {
                    switch (rule.Name)
                    {
                        case nameof(PolicySettings.FailureRatio): settings.FailureRatio = share; break;
                        case nameof(PolicySettings.SlowCallRatio): settings.SlowCallRatio = share; break;
                        case nameof(PolicySettings.MaxRetryRatio): settings.MaxRetryRatio = share; break;
                        default: throw new InvalidOperationException($"The setting {rule.Name} has no property on PolicySettings.");
                    }
                }
                else
                {
                    problems.Add($"{value.Path} is '{value.Value}'; it must be a number: {ratio.Requirement}, e.g. 0.5.");
                }

                return;
            case BoolSettingRule:
                if (bool.TryParse(text, out bool flag))
                {
                    switch (rule.Name)
                    {
                        case nameof(PolicySettings.HonorRetryAfter): settings.HonorRetryAfter = flag; break;
                        case nameof(PolicySettings.Distributed): settings.Distributed = flag; break;
                        default: throw new InvalidOperationException($"The setting {rule.Name} has no property on PolicySettings.");
                    }
                }
                else
                {
                    problems.Add($"{value.Path} is '{value.Value}'; it must be true or false.");
                }

                return;
            case EnumSettingRule<RateLimitAlgorithm> algorithm:
                // By name only: Enum.TryParse would also take numbers and comma-separated lists.
                string? algorithmName = algorithm.Names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
                if (algorithmName is not null)
                {
                    settings.Algorithm = (RateLimitAlgorithm)Enum.Parse(typeof(RateLimitAlgorithm), algorithmName);
                }
                else
                {
                    problems.Add($"{value.Path} is '{value.Value}'; use one of: {string.Join(", ", algorithm.Names)}.");
                }

                return;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
        {
            problems.Add($"{value.Path} is '{value.Value}'; it must be a whole number.");
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
            default: throw new InvalidOperationException($"The setting {rule.Name} has no property on PolicySettings.");
        }
    }
}
