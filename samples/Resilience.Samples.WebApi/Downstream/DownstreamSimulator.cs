using Microsoft.Extensions.Options;

namespace Resilience.Samples.WebApi.Downstream;

/// <summary>
/// Decides how each simulated service answers: by a schedule on the application's <see cref="TimeProvider"/>
/// (healthy, failing, slow, recovering, and again), or by a phase forced through the control endpoint.
/// </summary>
/// <remarks>
/// The schedules are staggered: every service starts healthy, and they fail one after the other rather than
/// all at once. Time comes from the injected clock, so a test can move it with a fake one.
/// </remarks>
public sealed class DownstreamSimulator
{
    private readonly TimeProvider _clock;
    private readonly DownstreamOptions _options;
    private readonly long _started;
    private readonly Dictionary<string, ServiceState> _services;

    /// <summary>Starts every service's schedule now, in the mode of <see cref="DownstreamOptions.Mode"/>.</summary>
    public DownstreamSimulator(TimeProvider clock, IOptions<DownstreamOptions> options)
    {
        _clock = clock;
        _options = options.Value;
        _started = clock.GetTimestamp();
        _services = DownstreamServices.All
            .Select((name, index) => new ServiceState(name, index, _options.Mode))
            .ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    private TimeSpan Cycle => TimeSpan.FromSeconds(_options.HealthySeconds + _options.FailingSeconds + _options.SlowSeconds + _options.RecoveringSeconds);

    /// <summary>True when <paramref name="service"/> is one of <see cref="DownstreamServices.All"/>.</summary>
    public bool IsKnown(string service) => _services.ContainsKey(service);

    /// <summary>Forces a phase on <paramref name="service"/>, or gives it back to its schedule with <see cref="DownstreamMode.Auto"/>.</summary>
    public void SetMode(string service, DownstreamMode mode) => Get(service).Mode = mode;

    /// <summary>The phase <paramref name="service"/> is in now.</summary>
    public DownstreamPhase PhaseOf(string service) => Describe(Get(service)).Phase;

    /// <summary>
    /// Plays the current phase for one request: waits while slow, and tells whether the request gets its answer
    /// (true) or fails with 503 (false).
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller gave up while the service was slow.</exception>
    public async Task<bool> AdmitAsync(string service, CancellationToken cancellationToken)
    {
        ServiceState state = Get(service);
        Interlocked.Increment(ref state.Requests);
        bool admitted;
        switch (PhaseOf(service))
        {
            case DownstreamPhase.Failing:
                admitted = false;
                break;
            case DownstreamPhase.Slow:
                await Task.Delay(TimeSpan.FromMilliseconds(_options.SlowResponseMs), _clock, cancellationToken);
                admitted = true;
                break;
            case DownstreamPhase.Recovering:
                admitted = Interlocked.Increment(ref state.RecoveringRequests) % _options.RecoveringFailureEvery != 0;
                break;
            default:
                admitted = true;
                break;
        }

        if (!admitted)
        {
            Interlocked.Increment(ref state.Failures);
        }

        return admitted;
    }

    /// <summary>Every service's mode, phase and counts.</summary>
    public IReadOnlyList<DownstreamStatus> Describe() => [.. DownstreamServices.All.Select(name => Describe(_services[name]))];

    /// <summary>One service's mode, phase and counts.</summary>
    public DownstreamStatus Describe(string service) => Describe(Get(service));

    private DownstreamStatus Describe(ServiceState state)
    {
        DownstreamMode mode = state.Mode;
        long requests = Interlocked.Read(ref state.Requests);
        long failures = Interlocked.Read(ref state.Failures);
        DownstreamPhase? forced = mode switch
        {
            DownstreamMode.Healthy => DownstreamPhase.Healthy,
            DownstreamMode.Failing => DownstreamPhase.Failing,
            DownstreamMode.Slow => DownstreamPhase.Slow,
            DownstreamMode.Recovering => DownstreamPhase.Recovering,
            _ => null,
        };
        if (forced is { } phaseForced)
        {
            return new DownstreamStatus(state.Name, mode, phaseForced, PhaseEndsInSeconds: null, requests, failures);
        }

        (DownstreamPhase phase, TimeSpan left) = Scheduled(state.Index);
        return new DownstreamStatus(state.Name, mode, phase, Math.Round(left.TotalSeconds, 1), requests, failures);
    }

    /// <summary>Where service number <paramref name="index"/> is in its schedule, and how long the phase lasts still.</summary>
    private (DownstreamPhase Phase, TimeSpan Left) Scheduled(int index)
    {
        // Service i starts i fifths of the healthy phase ahead, so that each starts healthy and they fail in turn.
        TimeSpan healthy = TimeSpan.FromSeconds(_options.HealthySeconds);
        TimeSpan head = healthy * index / DownstreamServices.All.Count;
        TimeSpan position = TimeSpan.FromTicks((_clock.GetElapsedTime(_started) + head).Ticks % Cycle.Ticks);

        (DownstreamPhase Phase, int Seconds)[] phases =
        [
            (DownstreamPhase.Healthy, _options.HealthySeconds),
            (DownstreamPhase.Failing, _options.FailingSeconds),
            (DownstreamPhase.Slow, _options.SlowSeconds),
            (DownstreamPhase.Recovering, _options.RecoveringSeconds),
        ];
        TimeSpan end = TimeSpan.Zero;
        foreach ((DownstreamPhase phase, int seconds) in phases)
        {
            end += TimeSpan.FromSeconds(seconds);
            if (position < end)
            {
                return (phase, end - position);
            }
        }

        return (DownstreamPhase.Healthy, TimeSpan.Zero);
    }

    private ServiceState Get(string service)
        => _services.TryGetValue(service, out ServiceState? state)
            ? state
            : throw new ArgumentException($"'{service}' is not a simulated service; the services are {string.Join(", ", DownstreamServices.All)}.", nameof(service));

    private sealed class ServiceState(string name, int index, DownstreamMode mode)
    {
        private int _mode = (int)mode;

        public long Requests;
        public long Failures;
        public long RecoveringRequests;

        public string Name { get; } = name;

        public int Index { get; } = index;

        public DownstreamMode Mode
        {
            get => (DownstreamMode)Volatile.Read(ref _mode);
            set => Volatile.Write(ref _mode, (int)value);
        }
    }
}

/// <summary>A simulated service's state, as <c>GET /downstream</c> shows it.</summary>
/// <param name="Service">The service's name.</param>
/// <param name="Mode">Auto (its schedule) or the phase forced on it.</param>
/// <param name="Phase">The phase it is in now.</param>
/// <param name="PhaseEndsInSeconds">In auto mode, when the schedule moves to the next phase.</param>
/// <param name="Requests">Requests it received.</param>
/// <param name="Failures">Requests it answered with 503.</param>
public sealed record DownstreamStatus(string Service, DownstreamMode Mode, DownstreamPhase Phase, double? PhaseEndsInSeconds, long Requests, long Failures);
