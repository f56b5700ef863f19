using Resilience.Redis;

namespace Resilience.Samples.WebApi.Distributed;

/// <summary>Connects the policies marked <c>Distributed</c> to Redis: the configured one, or an embedded Garnet for development.</summary>
public static class DistributedServiceCollectionExtensions
{
    /// <summary>
    /// With <c>ConnectionStrings:redis</c>, uses that Redis. Without it, starts an <see cref="EmbeddedRedis"/> (and says
    /// so on the console) and uses it. With <c>Distributed:Enabled</c> false, does nothing.
    /// </summary>
    /// <returns>The embedded server this call started, for the application to stop; null when none was started.</returns>
    public static EmbeddedRedis? AddSampleDistributedMode(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DistributedOptions.SectionName).Get<DistributedOptions>() ?? new DistributedOptions();
        if (!options.Enabled)
        {
            return null;
        }

        string? configured = builder.Configuration.GetConnectionString("redis");
        EmbeddedRedis? embedded = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            embedded = EmbeddedRedis.Start(options.EmbeddedPort);
            configured = embedded.ConnectionString;
            Console.WriteLine(
                $"Distributed mode: no ConnectionStrings:redis is configured, so an embedded Garnet server (development only) listens on 127.0.0.1:{embedded.Port}. "
                + $"Start another instance sharing it with: --ConnectionStrings:redis=127.0.0.1:{embedded.Port}");
        }
        else
        {
            Console.WriteLine("Distributed mode: using the Redis of ConnectionStrings:redis.");
        }

        builder.Services.AddResilienceRedis(configured, redis =>
        {
            redis.KeyPrefix = options.KeyPrefix;
            redis.OperationTimeout = TimeSpan.FromMilliseconds(options.OperationTimeoutMs);
        });
        builder.Services.AddHealthChecks().AddResilienceRedisHealthCheck();
        return embedded;
    }
}
