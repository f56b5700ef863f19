using System;

namespace Resilience;

/// <summary>
/// Answers with another method of the same type when the call fails or is rejected.
/// </summary>
/// <remarks>
/// <para>
/// The fallback method has the same parameters as the resilient method, optionally followed by one
/// <see cref="Exception"/> parameter that receives the failure (or, for a method with a result, one
/// <see cref="Outcome{T}"/> parameter that receives the failed result or the exception), and returns the same
/// type; where the resilient method returns <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> it may also return
/// plain <c>T</c>.
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

    /// <summary>
    /// The name of a method of the same type, <c>bool M(T result)</c> (static or instance), that says whether a
    /// result the method returned is a failure for the fallback to answer. A method returning
    /// <c>HttpResponseMessage</c> without it answers 408, 429 and 5xx responses (see
    /// <see cref="HttpOutcomes.IsTransientFailure"/>). A fallback taking an <see cref="Outcome{T}"/> receives the
    /// result; one taking an <see cref="Exception"/> receives a <see cref="HandledResultException"/> describing it,
    /// and the result is disposed when it is <see cref="IDisposable"/>.
    /// </summary>
    public string? HandleResult { get; set; }
}
