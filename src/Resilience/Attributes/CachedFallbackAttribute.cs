using System;

namespace Resilience;

/// <summary>
/// Keeps each successful result per arguments and answers a failed call with the last good result for the same
/// arguments, while it is younger than <see cref="DurationMs"/>.
/// </summary>
/// <remarks>
/// <para>
/// It answers just inside <see cref="FallbackAttribute"/>: a failure (an exception, a result handled as a failure, an
/// open circuit, a full bulkhead, an exhausted rate limit) is first answered from the cache, and only a miss goes on to the
/// fallback method, or to the caller. The caller's cancellation is never answered from the cache.
/// </para>
/// <para>
/// The key is the method's parameters except its <see cref="System.Threading.CancellationToken"/>: each must be a string,
/// a primitive, a <see cref="decimal"/>, a <see cref="Guid"/>, a <see cref="DateTime"/>, a <see cref="DateTimeOffset"/>,
/// a <see cref="TimeSpan"/>, an enum, or a nullable one of these (diagnostic RES0019 otherwise). At most
/// <see cref="MaxEntries"/> sets of arguments are kept; the oldest go first. With the <c>Resilience.Generators.Redis</c>
/// package connected, results are also kept in Redis (serialized with System.Text.Json), so that a result one instance
/// stored answers a failure on another.
/// </para>
/// </remarks>
/// <example><code>
/// [Retry(3)]
/// [CachedFallback(300_000)]   // the last good price answers for 5 minutes
/// public partial Task&lt;decimal&gt; GetPriceAsync(string sku, CancellationToken ct);
/// </code></example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CachedFallbackAttribute : Attribute
{
    /// <summary>Answers failures with the last good result for the same arguments.</summary>
    /// <param name="durationMs">How long a good result may answer a failure, in milliseconds; at least 1.</param>
    public CachedFallbackAttribute(int durationMs) => DurationMs = durationMs;

    /// <summary>How long a good result may answer a failure, in milliseconds; at least 1.</summary>
    public int DurationMs { get; }

    /// <summary>The most sets of arguments whose last good result is kept (on this instance); at least 1. Default 1 000.</summary>
    public int MaxEntries { get; set; } = CachedFallbackRules.DefaultMaxEntries;

    /// <summary>Exception types (and subclasses) the cache answers. Empty or unset: every failure and rejection.</summary>
    public Type[]? Handle { get; set; }

    /// <summary>
    /// The name of a method of the same type, <c>bool M(T result)</c>, that says whether a result is a failure to answer
    /// from the cache; such a result is never stored. A method returning <c>HttpResponseMessage</c> cannot have
    /// <c>[CachedFallback]</c> (a response can be read once).
    /// </summary>
    public string? HandleResult { get; set; }
}
