using System;
using System.Globalization;

namespace Resilience.Analyzers;

/// <summary>Numbers as messages show them: a space between thousands, as the generator writes them.</summary>
internal static class Numbers
{
    public static string Format(int value) => value.ToString("N0", CultureInfo.InvariantCulture).Replace(",", " ");

    /// <summary>A duration in whole milliseconds, rounded up, so that a bound is never understated.</summary>
    public static string Format(double value)
        => value >= long.MaxValue ? "∞" : ((long)Math.Ceiling(value)).ToString("N0", CultureInfo.InvariantCulture).Replace(",", " ");

    public static string Ratio(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>"attempt 5" or "attempts 2–5".</summary>
    public static string Attempts(int first, int last)
        => first == last
            ? "attempt " + first.ToString(CultureInfo.InvariantCulture)
            : "attempts " + first.ToString(CultureInfo.InvariantCulture) + "–" + last.ToString(CultureInfo.InvariantCulture);
}
