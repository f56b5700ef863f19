using System;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Where cached fallbacks keep their last good results so that every instance of a service shares them: a result one
/// instance stored answers a failure on another. The <c>Resilience.Generators.Redis</c> package implements it on Redis;
/// register one with <see cref="ResilienceRegistry.UseCachedFallbackStore"/>. Without one, each instance keeps its own
/// results in memory, which it always does as well.
/// </summary>
/// <remarks>
/// An implementation must be thread-safe, must return from <see cref="Set"/> at once (writing in the background), must
/// not make <see cref="GetAsync"/> wait longer than its own operation timeout, and reports a store that cannot be
/// reached by returning null (or throwing: the runtime takes any exception other than the caller's cancellation for a
/// miss). The cache then answers from this instance's memory.
/// </remarks>
public interface ICachedFallbackStore
{
    /// <summary>What the store is, for logs: <c>Redis 127.0.0.1:6379, prefix 'resilience'</c>.</summary>
    string Description { get; }

    /// <summary>Keeps <paramref name="value"/> for <paramref name="timeToLive"/>, replacing what the key held. Returns at once.</summary>
    /// <param name="cacheName">The cache's name: the method, as <c>Namespace.Type.Method</c>.</param>
    /// <param name="key">The arguments as text (see <see cref="CachedFallbackKey"/>); may hold any character.</param>
    /// <param name="value">The result as UTF-8 JSON.</param>
    /// <param name="timeToLive">How long it may answer: the cache's duration.</param>
    void Set(string cacheName, string key, byte[] value, TimeSpan timeToLive);

    /// <summary>The value kept for the key, or null when there is none, it expired, or the store cannot be reached.</summary>
    /// <param name="cacheName">The cache's name.</param>
    /// <param name="key">The arguments as text.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    ValueTask<byte[]?> GetAsync(string cacheName, string key, CancellationToken cancellationToken);
}
