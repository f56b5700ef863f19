using System;
using Resilience.Shared;

namespace Resilience.Analyzers;

/// <summary>Numbers as the design warnings show them, in the product's one way of writing values (<see cref="SettingText"/>).</summary>
internal static class Numbers
{
    public static string Format(int value) => SettingText.Number(value);

    /// <summary>A sum of whole milliseconds, exact where a double would round it (beyond 2^53).</summary>
    public static string Format(long value) => SettingText.Number(value);

    /// <summary>A duration in whole milliseconds, rounded up, so that a bound is never understated.</summary>
    /// <remarks>
    /// Always within a long: the durations shown are sums of fewer than <see cref="int.MaxValue"/> delays of at most
    /// <see cref="int.MaxValue"/> ms each (under 2^62).
    /// </remarks>
    public static string Format(double value) => SettingText.Number((long)Math.Ceiling(value));

    public static string Ratio(double value) => SettingText.Number(value);

    /// <summary>"attempt 5" or "attempts 2–5".</summary>
    public static string Attempts(int first, int last)
        => first == last
            ? "attempt " + Format(first)
            : "attempts " + Format(first) + "–" + Format(last);
}
