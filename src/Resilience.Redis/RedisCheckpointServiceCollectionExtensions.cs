using System;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>Registers the Redis checkpoint store in an application's services.</summary>
public static class RedisCheckpointServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="RedisCheckpointStore"/> as the application's <see cref="ICheckpointStore"/> (replacing one
    /// registered before): jobs' checkpoints survive the process and are seen by every instance on the same Redis and
    /// key prefix.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="connection">The connection to use, e.g. <c>sp =&gt; sp.GetRequiredService&lt;IConnectionMultiplexer&gt;()</c>; it is not closed.</param>
    /// <param name="configure">Sets how many checkpoints are kept, how long and how often; null for the defaults (10, 24 h, 30 s).</param>
    /// <param name="configureRedis">Sets the key prefix and the operation timeout; null for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public static IServiceCollection AddResilienceRedisCheckpoints(
        this IServiceCollection services,
        Func<IServiceProvider, IConnectionMultiplexer> connection,
        Action<CheckpointOptions>? configure = null,
        Action<RedisResilienceOptions>? configureRedis = null)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        var options = new CheckpointOptions();
        configure?.Invoke(options);
        options.Validate();
        var redisOptions = new RedisResilienceOptions();
        configureRedis?.Invoke(redisOptions);
        RedisResilienceOptions checkedRedisOptions = redisOptions.ValidatedCopy();
        services.AddSingleton<ICheckpointStore>(sp => new RedisCheckpointStore(connection(sp), options, checkedRedisOptions));
        return services;
    }
}
