using System;

namespace Resilience;

/// <summary>
/// Answers with another method of the same type when the call fails or is rejected.
/// </summary>
/// <remarks>
/// <para>
/// The fallback method has the same parameters as the resilient method, optionally followed by one
/// <see cref="Exception"/> parameter that receives the failure, and returns the same type; where the
/// resilient method returns <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> it may also return plain <c>T</c>.
/// </para>
/// <para>
/// It is outermost: it sees what is left after every other policy. An open circuit, a full bulkhead or an
/// exhausted rate limit reach it without an exception being thrown. The caller's cancellation never does.
/// </para>
/// </remarks>
/// <example><code>
/// [Fallback(nameof(CachedReceipt))]
/// public partial Task&lt;Receipt&gt; GetReceiptAsync(string id, CancellationToken ct);
/// private Receipt CachedReceipt(string id, CancellationToken ct, Exception error) =&gt; _cache[id];
/// </code></example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FallbackAttribute : Attribute
{
    /// <summary>Names the fallback method.</summary>
    /// <param name="method">The name of a method of the same type; use <c>nameof</c>.</param>
    public FallbackAttribute(string method) => Method = method;

    /// <summary>The name of the fallback method, a method of the same type.</summary>
    public string Method { get; }

    /// <summary>Exception types (and subclasses) that go to the fallback. Empty or unset: every failure and rejection.</summary>
    public Type[]? Handle { get; set; }
}
