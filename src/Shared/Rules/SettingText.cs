using System.Collections.Generic;
using System.Globalization;

#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>Values as every message of the product writes them, whatever the culture.</summary>
internal static class SettingText
{
    /// <summary>A whole number with a space between thousands: <c>30 000</c>.</summary>
    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture).Replace(",", " ");

    /// <summary>A ratio or other fraction as it round-trips: <c>0.5</c>.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>"A, B or C".</summary>
    public static string Choices(IReadOnlyList<string> names)
    {
        if (names.Count < 2)
        {
            return names.Count == 0 ? string.Empty : names[0];
        }

        return string.Join(", ", Take(names, names.Count - 1)) + " or " + names[names.Count - 1];

        static IEnumerable<string> Take(IReadOnlyList<string> names, int count)
        {
            for (int i = 0; i < count; i++)
            {
                yield return names[i];
            }
        }
    }
}
