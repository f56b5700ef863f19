using System.Collections.Generic;

namespace Resilience;

/// <summary>
/// Replaces the <see cref="HedgingAttribute"/> settings of the methods of one policy name while the application runs:
/// the <c>Hedging</c> section of the name in configuration (<c>"payments": { "Hedging": { "DelayMs": 150 } }</c>), kept
/// apart from the retry's settings of the same names. A setting left null keeps the attribute's.
/// </summary>
public sealed class HedgingSettings
{
    /// <summary>Replaces <see cref="HedgingAttribute.MaxAttempts"/>; between 2 and 10.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>
    /// Replaces <see cref="HedgingAttribute.DelayMs"/>: the wait before the next attempt while none has answered; 0 starts
    /// them all at once, -1 (<c>Timeout.Infinite</c>) starts one only when an attempt fails.
    /// </summary>
    public int? DelayMs { get; set; }

    /// <summary>True when a setting is given.</summary>
    internal bool HasSettings => MaxAttempts is not null || DelayMs is not null;

    /// <summary>Adds a message for every value out of range, naming it <c>{prefix}{Setting}</c>.</summary>
    /// <param name="prefix">The settings' path with its separator: <c>payments:Hedging:</c>.</param>
    /// <param name="problems">Where the messages go.</param>
    internal void Validate(string prefix, List<string> problems)
    {
        if (MaxAttempts is { } maxAttempts && HedgingRules.MaxAttempts.ProblemWith(maxAttempts, prefix + HedgingRules.MaxAttempts.Name) is { } problem)
        {
            problems.Add(problem + ".");
        }

        if (DelayMs is { } delayMs && !HedgingRules.DelayMs.Allows(delayMs))
        {
            problems.Add($"{prefix}{HedgingRules.DelayMs.Name} is {SettingText.Number(delayMs)}; it must be {HedgingRules.DelayRequirement}.");
        }
    }
}
