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
    private bool _started;

    // The configuration last read, applied or refused, as text: a reload that changes nothing (file watchers often signal
    // one save twice) is not read, applied or logged again.
    private string? _seenText;

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

            // At start-up, settings that are not valid stop the host, with every problem in the message, before
            // anything else is changed.
            Dictionary<string, PolicySettings>? settings = null;
            if (_section is not null)
            {
                _seenText = SectionText();
                (settings, List<string> problems) = ResilienceSettingsReader.Read(_section, _registry.AllowChaos);
                if (problems.Count > 0)
                {
                    throw new InvalidOperationException(ResilienceSettingsReader.Describe(_section, problems));
                }
            }

            if (_timeProvider is not null)
            {
                HostClocks.Push(_registry, this, _timeProvider);
            }

            // Start runs once (_started), so neither of these is set yet.
            _listener = _registry.AddListener(new ResilienceLoggingListener(_logger));
            if (settings is not null)
            {
                Apply(settings);
                _reloadSubscription = ChangeToken.OnChange(_section!.GetReloadToken, Reload);
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
            HostClocks.Pop(_registry, this);
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

            // Taken before reading: a change that lands while this reload reads is seen by the next one as a change.
            string text = SectionText();
            if (text == _seenText)
            {
                return;
            }

            (Dictionary<string, PolicySettings> settings, List<string> problems) = ResilienceSettingsReader.Read(_section, _registry.AllowChaos);
            if (problems.Count > 0)
            {
                _seenText = text;
                SettingsRejected(_logger, ResilienceSettingsReader.Describe(_section, problems));
                return;
            }

            Apply(settings);
            _seenText = text;
        }
    }

    /// <summary>
    /// Every key and value of the section, in order (a key without a value apart from an empty one), and whether chaos
    /// is allowed (which changes what the section means).
    /// </summary>
    private string SectionText()
        => _registry.AllowChaos + "\n" + string.Join("\n", _section!.AsEnumerable().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value));

    private void Apply(Dictionary<string, PolicySettings> settings)
    {
        _registry.Configure(settings);
        var known = new HashSet<string>(_registry.PolicyNames, StringComparer.Ordinal);
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
        Message = "The configuration has settings for '{Policy}', but no circuit breaker, bulkhead, rate limit or method uses that name yet. Check the name; the settings apply if such a policy is created later (a rate limit kept per key is not listed and is always reported here).")]
    private static partial void UnknownPolicy(ILogger logger, string policy);

    /// <summary>
    /// The clocks that running hosts put on the registry, in the order they started, and the clock found before
    /// the first: when a host stops, the registry gets the clock of the latest host still running, or that first
    /// clock. Several hosts run side by side in integration tests.
    /// </summary>
    private static class HostClocks
    {
        private static readonly List<(object Owner, TimeProvider Clock)> s_clocks = new();
        private static TimeProvider? s_before;

        public static void Push(ResilienceRegistry registry, object owner, TimeProvider clock)
        {
            lock (s_clocks)
            {
                if (s_clocks.Count == 0)
                {
                    s_before = registry.TimeProvider;
                }

                s_clocks.Add((owner, clock));
                registry.TimeProvider = clock;
            }
        }

        public static void Pop(ResilienceRegistry registry, object owner)
        {
            lock (s_clocks)
            {
                int index = s_clocks.FindIndex(entry => ReferenceEquals(entry.Owner, owner));
                if (index < 0)
                {
                    return;
                }

                TimeProvider removed = s_clocks[index].Clock;
                s_clocks.RemoveAt(index);
                // Put back only a clock a host set; a clock set by hand since then stays.
                if (ReferenceEquals(registry.TimeProvider, removed) || s_clocks.Exists(entry => ReferenceEquals(entry.Clock, registry.TimeProvider)))
                {
                    registry.TimeProvider = s_clocks.Count > 0 ? s_clocks[s_clocks.Count - 1].Clock : s_before ?? TimeProvider.System;
                }

                if (s_clocks.Count == 0)
                {
                    s_before = null;
                }
            }
        }
    }
}
