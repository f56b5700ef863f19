using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Resilience;
using Resilience.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Resilience.Generators with a <c>Microsoft.Extensions</c> host.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Connects <see cref="ResilienceRegistry.Default"/> to the host: logs of every change of circuit state,
    /// retry, timeout and rejection under the <c>Resilience</c> category, and the host's
    /// <see cref="TimeProvider"/> when one is registered. Settings from configuration: see the other overload.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddResilience(this IServiceCollection services)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        return AddCore(services, configuration: null);
    }

    /// <summary>
    /// Does what <see cref="AddResilience(IServiceCollection)"/> does, and lays the settings of
    /// <paramref name="configuration"/> over the attribute settings of the policies they name:
    /// <c>"Resilience": { "payments": { "FailureThreshold": 10, "BreakDurationMs": 30000 } }</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The settings are checked and applied here, so that they are in force before the first call, and again
    /// when the host starts (before the other hosted services). Settings that are not valid throw an
    /// <see cref="InvalidOperationException"/> naming every key at fault and its allowed range; nothing is applied.
    /// </para>
    /// <para>
    /// While the host runs, a reload of the configuration applies the new values to the running policies, each
    /// policy taking all of its new values at once; removed values go back to the attribute's. Reloaded values
    /// that are not valid are logged (event <see cref="ResilienceEventIds.SettingsRejected"/>) and ignored.
    /// </para>
    /// <para>
    /// The names of the settings are those of <see cref="PolicySettings"/>: a policy's, and the retry's and timeout's
    /// (<c>TimeoutMs</c>) of the methods whose policy name it is. A duration takes whole milliseconds or
    /// <see cref="TimeSpan"/> text (<c>"BreakDurationMs": "00:00:30"</c>), and its key without <c>Ms</c> takes
    /// <see cref="TimeSpan"/> text (<c>"BreakDuration": "00:00:30"</c>). A <c>Chaos</c> section
    /// (<see cref="ChaosSettings"/>) is refused unless <see cref="ResilienceRegistry.AllowChaos"/> is true, which the
    /// environment variable <c>RESILIENCE_ALLOW_CHAOS=true</c> makes it.
    /// </para>
    /// </remarks>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section holding the settings by policy name, usually <c>configuration.GetSection("Resilience")</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A setting is unknown, not a number, out of range, or chaos while it is not allowed.</exception>
    public static IServiceCollection AddResilience(this IServiceCollection services, IConfiguration configuration)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        ThrowIfAddedBefore(services);
        (Dictionary<string, PolicySettings> settings, List<string> problems) = ResilienceSettingsReader.Read(configuration, ResilienceRegistry.Default.AllowChaos);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(ResilienceSettingsReader.Describe(configuration, problems));
        }

        ResilienceRegistry.Default.Configure(settings);
        return AddCore(services, configuration);
    }

    private static void ThrowIfAddedBefore(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ResilienceHostingOptions)))
        {
            throw new InvalidOperationException(
                "AddResilience was called twice. Call it once, with the configuration section that holds every policy's settings.");
        }
    }

    private static IServiceCollection AddCore(IServiceCollection services, IConfiguration? configuration)
    {
        ThrowIfAddedBefore(services);

        services.TryAddSingleton(ResilienceRegistry.Default);
        services.AddSingleton(new ResilienceHostingOptions(configuration));
        services.AddSingleton<ResilienceHostedService>(sp => new ResilienceHostedService(
            sp.GetRequiredService<ResilienceRegistry>(),
            sp.GetRequiredService<ResilienceHostingOptions>(),
            sp.GetService<Logging.ILoggerFactory>() ?? Logging.Abstractions.NullLoggerFactory.Instance,
            sp.GetService<TimeProvider>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ResilienceHostedService>());
        return services;
    }
}
