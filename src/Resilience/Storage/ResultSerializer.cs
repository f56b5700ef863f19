using System;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Resilience;

/// <summary>
/// Turns the results that outlive a call (an idempotency key's result, a cached fallback's last good result, a
/// checkpoint's data) into UTF-8 JSON and back, with System.Text.Json and the registry's
/// <see cref="ResilienceRegistry.JsonSerializerOptions"/>. Stores that keep bytes (Redis) use it; in-memory stores keep
/// the objects themselves but check the type with <see cref="EnsureSerializable{T}"/> so that a type only a shared
/// store would refuse is refused from the start.
/// </summary>
/// <remarks>
/// Every failure is a <see cref="ResultSerializationException"/> naming the type, the policy and the fix; nothing is
/// stored when one is thrown. Thread-safe.
/// </remarks>
public static class ResultSerializer
{
    /// <summary>
    /// The type's contract in <paramref name="options"/>; throws a <see cref="ResultSerializationException"/> when the
    /// options' resolver does not know <typeparamref name="T"/> or cannot serialize it.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="options">The serializer options, usually <see cref="ResilienceRegistry.JsonSerializerOptions"/>.</param>
    /// <param name="owner">The policy or store asking, for the message.</param>
    /// <returns>The contract, cached by <paramref name="options"/>.</returns>
    public static JsonTypeInfo<T> GetTypeInfo<T>(JsonSerializerOptions options, string owner)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        try
        {
            return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ResultSerializationException(typeof(T), owner, e);
        }
    }

    /// <summary>
    /// Checks that <typeparamref name="T"/> can be written and read with <paramref name="options"/>; throws a
    /// <see cref="ResultSerializationException"/> otherwise.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="options">The serializer options.</param>
    /// <param name="owner">The policy or store asking, for the message.</param>
    public static void EnsureSerializable<T>(JsonSerializerOptions options, string owner) => GetTypeInfo<T>(options, owner);

    /// <summary>Writes <paramref name="value"/> as UTF-8 JSON.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="value">The value; null is written as <c>null</c>.</param>
    /// <param name="options">The serializer options.</param>
    /// <param name="owner">The policy or store asking, for the message.</param>
    /// <returns>The JSON bytes.</returns>
    /// <exception cref="ResultSerializationException">The type, or this value of it, cannot be serialized.</exception>
    public static byte[] Serialize<T>(T value, JsonSerializerOptions options, string owner)
    {
        JsonTypeInfo<T> info = GetTypeInfo<T>(options, owner);
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, info);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
        {
            throw new ResultSerializationException(typeof(T), owner, e);
        }
    }

    /// <summary>Reads a value written by <see cref="Serialize{T}"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="utf8Json">The JSON bytes.</param>
    /// <param name="options">The serializer options.</param>
    /// <param name="owner">The policy or store asking, for the message.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ResultSerializationException">The bytes are not a <typeparamref name="T"/> (written by another version of the type, or damaged).</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonSerializerOptions options, string owner)
    {
        JsonTypeInfo<T> info = GetTypeInfo<T>(options, owner);
        try
        {
            return JsonSerializer.Deserialize(utf8Json, info)!;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
        {
            throw new ResultSerializationException(typeof(T), owner, e);
        }
    }
}
