using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>Registers Redis as the distributed store of <see cref="ResilienceRegistry.Default"/> in an application's services.</summary>
public static class RedisResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Connects <see cref="ResilienceRegistry.Default"/> to Redis when the host starts (and disconnects it when it stops):
    /// policies marked <c>Distributed</c> then share their state, cached fallbacks their last good results, and idempotency
    /// keys their results (see <see cref="RedisIdempotencyStore"/>), with every instance using the same Redis and prefix.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="connection">The connection to use, e.g. <c>sp =&gt; sp.GetRequiredService&lt;IConnectionMultiplexer&gt;()</c>; it is not closed.</param>
    /// <param name="configure">Sets the key prefix and timeouts; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="connection"/> is null.</exception>
    public static IServiceCollection AddResilienceRedis(
        this IServiceCollection services, Func<IServiceProvider, IConnectionMultiplexer> connection, Action<RedisResilienceOptions>? configure = null)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        var options = new RedisResilienceOptions();
        configure?.Invoke(options);
        RedisResilienceOptions checkedOptions = options.ValidatedCopy();
        services.AddSingleton(sp => new RedisResilienceStore(connection(sp), checkedOptions));
        services.AddSingleton(sp => new RedisCachedFallbackStore(sp.GetRequiredService<RedisResilienceStore>().Connection, checkedOptions));
        services.AddSingleton<IHostedService, RedisResilienceHostedService>();
        return services;
    }

    /// <summary>
    /// Connects to Redis with a StackExchange.Redis configuration string and uses it as
    /// <see cref="AddResilienceRedis(IServiceCollection, Func{IServiceProvider, IConnectionMultiplexer}, Action{RedisResilienceOptions}?)"/> does.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">
    /// E.g. <c>redis.internal:6380,user=orders,password=...,ssl=true,abortConnect=false</c>; <c>abortConnect=false</c> lets
    /// the application start while Redis is down (its policies decide locally until it is up).
    /// </param>
    /// <param name="configure">Sets the key prefix and timeouts; null for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="configuration"/> is empty.</exception>
    public static IServiceCollection AddResilienceRedis(this IServiceCollection services, string configuration, Action<RedisResilienceOptions>? configure = null)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new ArgumentException("The Redis configuration string is empty; give one such as \"localhost:6379,abortConnect=false\".", nameof(configuration));
        }

        services.AddSingleton<RedisConnectionOwner>(_ => new RedisConnectionOwner(ConnectionMultiplexer.Connect(configuration)));
        return services.AddResilienceRedis(sp => sp.GetRequiredService<RedisConnectionOwner>().Connection, configure);
    }

    /// <summary>A connection this package opened, closed with the service provider.</summary>
    private sealed class RedisConnectionOwner : IDisposable
    {
        public RedisConnectionOwner(IConnectionMultiplexer connection) => Connection = connection;

        public IConnectionMultiplexer Connection { get; }

        public void Dispose() => Connection.Dispose();
    }

    /// <summary>Registers the store with the default registry at start, and removes it at stop.</summary>
    private sealed class RedisResilienceHostedService : IHostedService
    {
        private readonly RedisResilienceStore _store;
        private readonly RedisCachedFallbackStore _cachedFallbackStore;
        private IIdempotencyStore? _localIdempotency;
        private RedisIdempotencyStore? _idempotency;

        public RedisResilienceHostedService(RedisResilienceStore store, RedisCachedFallbackStore cachedFallbackStore)
        {
            _store = store;
            _cachedFallbackStore = cachedFallbackStore;
        }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _store.GiveTimesOnClockOf(ResilienceRegistry.Default);
            ResilienceRegistry.Default.UseDistributedStore(_store);
            ResilienceRegistry.Default.UseCachedFallbackStore(_cachedFallbackStore);
            _localIdempotency = ResilienceRegistry.Default.IdempotencyStore;
            _idempotency = new RedisIdempotencyStore(_store, _localIdempotency as InMemoryIdempotencyStore);
            ResilienceRegistry.Default.UseIdempotencyStore(_idempotency);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            if (ReferenceEquals(ResilienceRegistry.Default.DistributedStore, _store))
            {
                ResilienceRegistry.Default.UseDistributedStore(null);
            }

            if (ReferenceEquals(ResilienceRegistry.Default.CachedFallbackStore, _cachedFallbackStore))
            {
                ResilienceRegistry.Default.UseCachedFallbackStore(null);
            }

            if (_localIdempotency is not null && ReferenceEquals(ResilienceRegistry.Default.IdempotencyStore, _idempotency))
            {
                ResilienceRegistry.Default.UseIdempotencyStore(_localIdempotency);
            }

            _store.Dispose();
            return Task.CompletedTask;
        }
    }
}
