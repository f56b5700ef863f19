using System;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>Connects a <see cref="ResilienceRegistry"/> to Redis.</summary>
public static class RedisResilienceRegistryExtensions
{
    /// <summary>
    /// Shares the state of every policy marked <c>Distributed</c> through Redis: their rate limits' permits and their
    /// circuit breakers' state, with every instance that uses the same Redis and <see cref="RedisResilienceOptions.KeyPrefix"/>;
    /// the last good results of every <see cref="CachedFallbackAttribute"/> (a <see cref="RedisCachedFallbackStore"/>); and
    /// the results of idempotency keys (<see cref="ResilienceRegistry.IdempotencyStore"/> becomes a
    /// <see cref="RedisIdempotencyStore"/>). Replaces the stores registered before, if any (which are not disposed).
    /// </summary>
    /// <param name="registry">The registry, usually <see cref="ResilienceRegistry.Default"/>.</param>
    /// <param name="connection">
    /// An open connection, e.g. <c>ConnectionMultiplexer.Connect("redis:6379,password=...,ssl=true,abortConnect=false")</c>;
    /// it stays the caller's.
    /// </param>
    /// <param name="options">Key prefix and timeouts; null for the defaults.</param>
    /// <returns>The store now registered; dispose it (after <c>registry.UseDistributedStore(null)</c>) to stop listening.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> or <paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public static RedisResilienceStore UseRedis(this ResilienceRegistry registry, IConnectionMultiplexer connection, RedisResilienceOptions? options = null)
    {
        if (registry is null)
        {
            throw new ArgumentNullException(nameof(registry));
        }

        var store = new RedisResilienceStore(connection, options);
        store.GiveTimesOnClockOf(registry);
        registry.UseDistributedStore(store);
        registry.UseCachedFallbackStore(new RedisCachedFallbackStore(connection, options));
        registry.UseIdempotencyStore(new RedisIdempotencyStore(store, registry.IdempotencyStore as InMemoryIdempotencyStore));
        return store;
    }
}
