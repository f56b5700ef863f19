namespace Resilience.Tests;

/// <summary>
/// A distributed store in memory, for one registry: it remembers the breakers it watches and what it is asked to
/// publish, and counts each rate limit's permits per fixed window on the registry's clock, granting as many of those
/// asked for as are free. Thread-safe.
/// </summary>
internal sealed class FakeDistributedStore : IDistributedResilienceStore
{
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly Dictionary<string, (long Window, int Taken)> _limits = new(StringComparer.Ordinal);
    private readonly List<int> _asked = new();
    private readonly Queue<TimeSpan> _resetsOff = new();
    private int _probeLeaseRequests;
    private int _probeLeaseReleases;

    public FakeDistributedStore(TimeProvider clock) => _clock = clock;

    public List<DistributedCircuit> Watched { get; } = new();

    /// <summary>The breakers whose watch was disposed, in order.</summary>
    public List<DistributedCircuit> Unwatched { get; } = new();

    public List<CircuitState> Published { get; } = new();

    /// <summary>Each published state with the break it was published with, in order.</summary>
    public List<(CircuitState State, TimeSpan BreakDuration)> PublishedBreaks { get; } = new();

    /// <summary>The number of permits each rate-limit request asked for, in order.</summary>
    public IReadOnlyList<int> Asked
    {
        get
        {
            lock (_gate)
            {
                return _asked.ToArray();
            }
        }
    }

    /// <summary>While set, a rate-limit request waits for it to complete before it is answered.</summary>
    public Task? Hold { get; set; }

    /// <summary>
    /// Has the next answer (of those still to come, in the order these calls were made) report its window's end off by
    /// <paramref name="by"/>, the permits counted as usual: a store that reports the time left in its window, rather than
    /// its end, reports an end late by the time its answer took to come back, or, when it rounds the time left down to
    /// whole milliseconds, none left just before the end. A rejection's retry-after is the time until the end reported (none once it is past).
    /// </summary>
    public void ReportNextResetOff(TimeSpan by)
    {
        lock (_gate)
        {
            _resetsOff.Enqueue(by);
        }
    }

    public string Description => "in-memory test store";

    public bool IsAvailable => true;

    public async ValueTask<DistributedAcquireResult> TryAcquireAsync(string policyName, string? partitionKey, RateLimitOptions options, int permits, CancellationToken cancellationToken)
    {
        if (Hold is { } hold)
        {
            await hold.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        DateTimeOffset now = _clock.GetUtcNow();
        long window = now.ToUnixTimeMilliseconds() / options.WindowMs;
        DateTimeOffset resetAt = DateTimeOffset.FromUnixTimeMilliseconds((window + 1) * options.WindowMs);
        lock (_gate)
        {
            _asked.Add(permits);
            string key = policyName + "|" + partitionKey;
            (long storedWindow, int taken) = _limits.TryGetValue(key, out var stored) && stored.Window == window ? stored : (window, 0);
            int granted = Math.Max(0, Math.Min(permits, options.Permits - taken));
            _limits[key] = (storedWindow, taken + granted);
            DateTimeOffset reportedResetAt = resetAt + (_resetsOff.Count > 0 ? _resetsOff.Dequeue() : TimeSpan.Zero);
            TimeSpan retryAfter = granted > 0 || reportedResetAt <= now ? TimeSpan.Zero : reportedResetAt - now;
            var info = new RateLimitInfo(options.Permits, options.Permits - taken - granted, reportedResetAt, retryAfter);
            return granted > 0 ? DistributedAcquireResult.Admitted(info, granted) : DistributedAcquireResult.Rejected(info);
        }
    }

    public IDisposable Watch(DistributedCircuit circuit)
    {
        lock (_gate)
        {
            Watched.Add(circuit);
        }

        return new Unwatch(this, circuit);
    }

    public void Publish(DistributedCircuit circuit, CircuitState state, TimeSpan breakDuration)
    {
        lock (_gate)
        {
            Published.Add(state);
            PublishedBreaks.Add((state, breakDuration));
        }
    }

    /// <summary>How the store answers a request for the probe lease: granted (the default), refused, or failing.</summary>
    public LeaseAnswer ProbeLeaseAnswer { get; set; } = LeaseAnswer.Granted;

    /// <summary>While set, a request for the probe lease is answered when this task completes, with its result.</summary>
    public Task<bool>? PendingLease { get; set; }

    /// <summary>How many times the probe lease was asked for.</summary>
    public int ProbeLeaseRequests => Volatile.Read(ref _probeLeaseRequests);

    /// <summary>How many times the probe lease was given back.</summary>
    public int ProbeLeaseReleases => Volatile.Read(ref _probeLeaseReleases);

    public Task<bool> TryTakeProbeLeaseAsync(DistributedCircuit circuit, TimeSpan lease)
    {
        Interlocked.Increment(ref _probeLeaseRequests);
        if (PendingLease is { } pending)
        {
            return pending;
        }

        return ProbeLeaseAnswer switch
        {
            LeaseAnswer.Granted => Task.FromResult(true),
            LeaseAnswer.Refused => Task.FromResult(false),
            _ => Task.FromException<bool>(new InvalidOperationException("The test store is down.")),
        };
    }

    public void ReleaseProbeLease(DistributedCircuit circuit) => Interlocked.Increment(ref _probeLeaseReleases);

    /// <summary>How <see cref="TryTakeProbeLeaseAsync"/> answers.</summary>
    public enum LeaseAnswer
    {
        Granted,
        Refused,
        Fails,
    }

    private sealed class Unwatch : IDisposable
    {
        private readonly FakeDistributedStore _store;
        private readonly DistributedCircuit _circuit;

        public Unwatch(FakeDistributedStore store, DistributedCircuit circuit)
        {
            _store = store;
            _circuit = circuit;
        }

        public void Dispose()
        {
            lock (_store._gate)
            {
                _store.Unwatched.Add(_circuit);
            }
        }
    }
}
