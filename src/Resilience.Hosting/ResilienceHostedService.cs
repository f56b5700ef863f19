using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Resilience.Hosting;

/// <summary>
/// Connects the registry to the host while it runs: the host's <see cref="TimeProvider"/>, logs through
/// <see cref="ILogger"/>, and the configuration section's settings, applied before the other hosted services
/// start and again whenever the configuration reloads.
/// </summary>
internal sealed partial class ResilienceHostedService : IHostedLifecycleService, IDisposable
{
    private readonly ResilienceRegistry _registry;
    private readonly IConfiguration? _section;
    private readonly TimeProvider? _timeProvider;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private IDisposable? _listener;
    private IDisposable? _reloadSubscription;
    private TimeProvider? _replacedTimeProvider;
    private bool _started;

    public ResilienceHostedService(ResilienceRegistry registry, ResilienceHostingOptions options, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
    {
        _registry = registry;
        _section = options.Configuration;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger("Resilience");
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    /// <summary>Hosts older than .NET 8's do not call <see cref="StartingAsync"/>: the work is done here then.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    private void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            if (_timeProvider is not null && !ReferenceEquals(_timeProvider, _registry.TimeProvider))
            {
                _replacedTimeProvider = _registry.TimeProvider;
                _registry.TimeProvider = _timeProvider;
            }

            _listener ??= _registry.AddListener(new ResilienceLoggingListener(_logger));
            if (_section is not null)
            {
                // At start-up, settings that are not valid stop the host, with every problem in the message.
                (Dictionary<string, PolicySettings> settings, List<string> problems) = ResilienceSettingsReader.Read(_section);
                if (problems.Count > 0)
                {
                    throw new InvalidOperationException(ResilienceSettingsReader.Describe(_section, problems));
                }

                Apply(settings);
                _reloadSubscription ??= ChangeToken.OnChange(_section.GetReloadToken, Reload);
            }

            _started = true;
        }
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _reloadSubscription?.Dispose();
            _reloadSubscription = null;
            _listener?.Dispose();
            _listener = null;
            if (_replacedTimeProvider is not null && ReferenceEquals(_registry.TimeProvider, _timeProvider))
            {
                _registry.TimeProvider = _replacedTimeProvider;
            }

            _replacedTimeProvider = null;
        }
    }

    /// <summary>On reload, settings that are not valid are logged and dropped; those in force stay.</summary>
    private void Reload()
    {
        lock (_gate)
        {
            if (_reloadSubscription is null || _section is null)
            {
                return;
            }

            (Dictionary<string, PolicySettings> settings, List<string> problems) = ResilienceSettingsReader.Read(_section);
            if (problems.Count > 0)
            {
                SettingsRejected(_logger, ResilienceSettingsReader.Describe(_section, problems));
                return;
            }

            Apply(settings);
        }
    }

    private void Apply(Dictionary<string, PolicySettings> settings)
    {
        _registry.Configure(settings);
        var known = new HashSet<string>(
            _registry.CircuitBreakers.Select(b => b.Name).Concat(_registry.Bulkheads.Select(b => b.Name)).Concat(_registry.RateLimiters.Select(l => l.Name)),
            StringComparer.Ordinal);
        foreach (string name in settings.Keys.Where(n => !known.Contains(n)))
        {
            UnknownPolicy(_logger, name);
        }

        SettingsApplied(_logger, settings.Count);
    }

    [LoggerMessage(EventId = ResilienceEventIds.SettingsApplied, EventName = "SettingsApplied", Level = LogLevel.Information,
        Message = "Resilience settings applied for {PolicyCount} policy names.")]
    private static partial void SettingsApplied(ILogger logger, int policyCount);

    [LoggerMessage(EventId = ResilienceEventIds.SettingsRejected, EventName = "SettingsRejected", Level = LogLevel.Error,
        Message = "{Problems} The settings in force are kept.")]
    private static partial void SettingsRejected(ILogger logger, string problems);

    [LoggerMessage(EventId = ResilienceEventIds.UnknownPolicy, EventName = "UnknownPolicy", Level = LogLevel.Warning,
        Message = "The configuration has settings for '{Policy}', but no circuit breaker, bulkhead or rate limit of that name is registered yet. Check the name; the settings apply if such a policy is created later (a rate limit kept per key is not listed and is always reported here).")]
    private static partial void UnknownPolicy(ILogger logger, string policy);
}
