using System;
using System.Globalization;

namespace Resilience;

/// <summary>
/// Argument checks whose messages name the setting and its allowed range. Each check also exists as a
/// <c>...Problem</c> function that returns the message instead of throwing, for validations that list every problem.
/// </summary>
internal static class Guard
{
    public static void AtLeast(int value, int minimum, string name)
    {
        if (AtLeastProblem(value, minimum, name) is { } problem)
        {
            throw new ArgumentOutOfRangeException(name, value, problem);
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
        if (RatioProblem(value, name) is { } problem)
        {
            throw new ArgumentOutOfRangeException(name, value, problem);
        }
    }

    public static void Defined<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum
    {
        if (DefinedProblem(value, name) is { } problem)
        {
            throw new ArgumentOutOfRangeException(name, value, problem);
        }
    }

    public static string? AtLeastProblem(int value, int minimum, string name)
        => value < minimum ? $"{name} is {value}; it must be at least {minimum}." : null;

    public static string? RatioProblem(double value, string name)
        => value >= 0 && value <= 1 ? null : $"{name} is {value.ToString(CultureInfo.InvariantCulture)}; it must be 0 (off) or in (0, 1].";

    public static string? DefinedProblem<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum
        => Enum.IsDefined(typeof(TEnum), value)
            ? null
            : $"{name} is {value}, which is not a {typeof(TEnum).Name}; use one of: {string.Join(", ", Enum.GetNames(typeof(TEnum)))}.";

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
