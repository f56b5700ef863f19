using System;

namespace Resilience;

/// <summary>Argument checks whose messages name the setting and its allowed range.</summary>
internal static class Guard
{
    public static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; it must be at least {minimum}.");
        }
    }

    public static void AtLeast(int value, int minimum, string name, string minimumName)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; it must be at least {minimumName} ({minimum}).");
        }
    }

    public static void Ratio(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be 0 (off) or in (0, 1].");
        }
    }

    public static void Defined<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(typeof(TEnum), value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}, which is not a {typeof(TEnum).Name}; use one of: {string.Join(", ", Enum.GetNames(typeof(TEnum)))}.");
        }
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
}
