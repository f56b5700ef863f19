using System;
using System.ComponentModel;
using System.Globalization;

namespace Resilience;

/// <summary>
/// Turns an <see cref="IdempotencyKeyAttribute"/> parameter into the key's text, which generated code calls: the text
/// is the same in every process and culture, so that a repeat that lands on another instance finds the key.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class IdempotencyKeys
{
    /// <summary>The key as it is: a string.</summary>
    /// <param name="value">The parameter's value.</param>
    /// <returns>The value.</returns>
    public static string? Text(string? value) => value;

    /// <summary>
    /// The key's text: a formattable value (a <see cref="Guid"/>, a number) in the invariant culture, anything else by
    /// its <see cref="object.ToString"/>; null for null.
    /// </summary>
    /// <typeparam name="T">The parameter's type.</typeparam>
    /// <param name="value">The parameter's value.</param>
    /// <returns>The text, or null.</returns>
    public static string? Text<T>(T value) => value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Returns <paramref name="key"/> when it holds a key; throws otherwise, before anything runs or is stored.</summary>
    /// <param name="key">The key's text.</param>
    /// <param name="parameterName">The parameter that gave it, for the message.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The key is null or empty.</exception>
    public static string Require(string? key, string parameterName)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException(
                $"The idempotency key '{parameterName}' is {(key is null ? "null" : "empty")}; pass the value that identifies the request (an order id, a request id), " +
                "so that a repeat of it is answered with the first result. Nothing was run or stored.",
                parameterName);
        }

        return key!;
    }
}
