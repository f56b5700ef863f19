using System;
using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace Resilience;

/// <summary>
/// The text of a cached fallback's key, for a shared store: each argument in an invariant, round-trip form, length
/// prefixed so that no two sets of arguments give the same text (<c>("a|b", "c")</c> and <c>("a", "b|c")</c> differ).
/// Generated code calls it only when a shared store is registered.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CachedFallbackKey
{
    /// <summary>The arguments' texts as one key: each as its length, a colon and the text; a null argument as <c>~</c>.</summary>
    /// <param name="parts">The arguments' texts, from the <c>Part</c> methods.</param>
    public static string Join(params string?[] parts)
    {
        if (parts is null)
        {
            throw new ArgumentNullException(nameof(parts));
        }

        var text = new StringBuilder();
        foreach (string? part in parts)
        {
            if (part is null)
            {
                text.Append('~');
            }
            else
            {
                text.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
            }
        }

        return text.ToString();
    }

    /// <summary>A string argument as it is.</summary>
    public static string? Part(string? value) => value;

    /// <summary>A Boolean argument: <c>true</c> or <c>false</c>.</summary>
    public static string Part(bool value) => value ? "true" : "false";

    /// <summary>A character argument as it is.</summary>
    public static string Part(char value) => value.ToString();

    /// <summary>A number argument in the invariant culture.</summary>
    public static string Part(sbyte value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(byte value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(short value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(ushort value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A floating-point argument in its round-trip form.</summary>
    public static string Part(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(float)"/>
    public static string Part(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Part(sbyte)"/>
    public static string Part(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A <see cref="Guid"/> argument, as 32 digits with hyphens.</summary>
    public static string Part(Guid value) => value.ToString("D");

    /// <summary>A <see cref="DateTime"/> argument in the round-trip form, which keeps its kind.</summary>
    public static string Part(DateTime value) => value.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A <see cref="DateTimeOffset"/> argument in the round-trip form, offset included.</summary>
    public static string Part(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A <see cref="TimeSpan"/> argument in the constant form.</summary>
    public static string Part(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>An enum argument as its number, so that renaming a member keeps the key.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    public static string Enum<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => value.ToString("D");
}
