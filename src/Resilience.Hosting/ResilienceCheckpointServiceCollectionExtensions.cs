using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Resilience;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a checkpoint store for resumable jobs.</summary>
public static class ResilienceCheckpointServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="InMemoryCheckpointStore"/> as the application's <see cref="ICheckpointStore"/> (replacing
    /// one registered before). Its checkpoints live as long as the process; for checkpoints that survive a crash, register
    /// the Redis store with <c>AddResilienceRedisCheckpoints</c> (package Resilience.Generators.Redis) instead.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets how many checkpoints are kept, how long and how often; null for the defaults (10, 24 h, 30 s).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public static IServiceCollection AddResilienceCheckpoints(this IServiceCollection services, Action<CheckpointOptions>? configure = null)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        var options = new CheckpointOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton<ICheckpointStore>(new InMemoryCheckpointStore(options));
        return services;
    }

    /// <summary>
    /// Registers an <see cref="InMemoryCheckpointStore"/> as <see cref="AddResilienceCheckpoints(IServiceCollection, Action{CheckpointOptions}?)"/>
    /// does, with the settings of <paramref name="configuration"/>:
    /// <c>"Checkpoints": { "TimeToLive": "12:00:00", "MaxKeptPerJob": 20, "MinSaveInterval": "00:01:00" }</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section, usually <c>configuration.GetSection("Checkpoints")</c>; a missing key keeps its default.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A key is unknown or its value is not valid; the message names every one.</exception>
    public static IServiceCollection AddResilienceCheckpoints(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        CheckpointOptions options = ReadCheckpointOptions(configuration);
        return services.AddResilienceCheckpoints(o =>
        {
            o.TimeToLive = options.TimeToLive;
            o.MaxKeptPerJob = options.MaxKeptPerJob;
            o.MinSaveInterval = options.MinSaveInterval;
        });
    }

    /// <summary>
    /// Reads <see cref="CheckpointOptions.TimeToLive"/>, <see cref="CheckpointOptions.MaxKeptPerJob"/> and
    /// <see cref="CheckpointOptions.MinSaveInterval"/> from a configuration section (durations as <see cref="TimeSpan"/>
    /// text), for a store registered another way (the Redis one).
    /// </summary>
    /// <param name="configuration">The section; a missing key keeps its default.</param>
    /// <returns>The options, checked.</returns>
    /// <exception cref="InvalidOperationException">A key is unknown or its value is not valid; the message names every one.</exception>
    public static CheckpointOptions ReadCheckpointOptions(IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        var options = new CheckpointOptions();
        var problems = new List<string>();
        foreach (IConfigurationSection value in configuration.GetChildren())
        {
            switch (value.Key)
            {
                case nameof(CheckpointOptions.TimeToLive):
                    options.TimeToLive = Duration(value, problems) ?? options.TimeToLive;
                    break;
                case nameof(CheckpointOptions.MinSaveInterval):
                    options.MinSaveInterval = Duration(value, problems) ?? options.MinSaveInterval;
                    break;
                case nameof(CheckpointOptions.MaxKeptPerJob):
                    if (int.TryParse(value.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int kept))
                    {
                        options.MaxKeptPerJob = kept;
                    }
                    else
                    {
                        problems.Add($"{value.Path} is '{value.Value}'; it must be a whole number, at least 1.");
                    }

                    break;
                default:
                    problems.Add($"{value.Path} is not a checkpoint setting; the settings are TimeToLive, MaxKeptPerJob and MinSaveInterval.");
                    break;
            }
        }

        if (problems.Count == 0)
        {
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                // The message without the " (Parameter 'name')" that .NET adds.
                string message = e.Message;
                int parameter = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
                problems.Add(parameter < 0 ? message : message.Substring(0, parameter));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The checkpoint settings are not valid: " + string.Join(" ", problems));
        }

        return options;
    }

    private static TimeSpan? Duration(IConfigurationSection value, List<string> problems)
    {
        // TimeSpan text always has a colon: without one, TimeSpan would read "30" as 30 days.
        if (value.Value is { } text && text.IndexOf(':') >= 0 && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan duration))
        {
            return duration;
        }

        problems.Add($"{value.Path} is '{value.Value}'; it must be TimeSpan text, [d.]hh:mm:ss[.fff] such as \"00:00:30\" for 30 seconds.");
        return null;
    }
}
