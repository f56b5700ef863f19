using System;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>Numbers as the design warnings show them, in the product's one way of writing values (<see cref="SettingText"/>).</summary>
internal static class Numbers
{
    public static string Format(int value) => SettingText.Number(value);

    /// <summary>A duration in whole milliseconds, rounded up, so that a bound is never understated.</summary>
    public static string Format(double value) => value >= long.MaxValue ? "∞" : SettingText.Number((long)Math.Ceiling(value));

    public static string Ratio(double value) => SettingText.Number(value);

    /// <summary>"attempt 5" or "attempts 2–5".</summary>
    public static string Attempts(int first, int last)
        => first == last
            ? "attempt " + Format(first)
            : "attempts " + Format(first) + "–" + Format(last);
}
