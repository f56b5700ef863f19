using System;

namespace Resilience;

/// <summary>
/// A result that must outlive its call (idempotency key, cached fallback, checkpoint) cannot be written or read with
/// System.Text.Json under <see cref="ResilienceRegistry.JsonSerializerOptions"/>. Nothing was stored.
/// </summary>
public sealed class ResultSerializationException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="resultType"/>, seen by <paramref name="owner"/>.</summary>
    /// <param name="resultType">The type that could not be serialized.</param>
    /// <param name="owner">The policy or store that tried.</param>
    /// <param name="innerException">What System.Text.Json reported.</param>
    public ResultSerializationException(Type resultType, string owner, Exception innerException)
        : base($"'{owner}' cannot keep a result of type {resultType}: System.Text.Json cannot serialize it ({innerException.Message}). " +
            "Return a type System.Text.Json can write and read back (public properties or a constructor it can bind), or give " +
            "ResilienceRegistry.JsonSerializerOptions a TypeInfoResolver that knows it, for example a JsonSerializerContext " +
            $"with [JsonSerializable(typeof({resultType.Name}))].", innerException)
    {
        ResultType = resultType ?? throw new ArgumentNullException(nameof(resultType));
        Owner = owner ?? throw new ArgumentNullException(nameof(owner));
    }

    /// <summary>The type that could not be serialized.</summary>
    public Type ResultType { get; }

    /// <summary>The policy or store that tried.</summary>
    public string Owner { get; }
}
