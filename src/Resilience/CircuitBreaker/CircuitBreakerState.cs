using System;
using System.ComponentModel;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The shared state of one named circuit breaker: its <see cref="State"/>, its counters, and the
/// transitions between <see cref="CircuitState.Closed"/>, <see cref="CircuitState.Open"/>,
/// <see cref="CircuitState.HalfOpen"/> and <see cref="CircuitState.Isolated"/>.
/// </summary>
/// <remarks>
/// <para>
/// Obtain it from <see cref="ResilienceRegistry.CircuitBreaker(string)"/>; generated code obtains it once,
/// with <see cref="ResilienceRegistry.GetOrAddCircuitBreaker"/>, and keeps it in a static field. A breaker kept
/// per value of a <see cref="CircuitBreakerKeyAttribute"/> parameter is one of these per key, held by a
/// <see cref="KeyedCircuitBreakerState"/>, with the key in <see cref="Key"/>.
/// </para>
/// <para>
/// Thread-safe. Letting a call through a closed breaker is one volatile read; recording its outcome is one
/// or two interlocked operations (plus a timestamp in ratio mode). A breaker that judges slow calls also reads its
/// clock when it lets a call through and at the outcome; one that does not reads no clock for them. Transitions take
/// a lock.
/// </para>
/// <para>
/// An open breaker turns half-open when the next call arrives after the break duration; the probes it
/// then lets through decide whether it closes (<see cref="CircuitBreakerOptions.SuccessThreshold"/>
/// successes) or opens again (one failure).
/// </para>
/// <para>
/// A breaker marked <see cref="CircuitBreakerOptions.Distributed"/> publishes its changes to open, isolated and closed
/// through <see cref="ResilienceRegistry.DistributedStore"/> and takes those of the other instances; when its break
/// ends, it probes only while it holds the store's probe lease, which it asks for in the background (the call that finds
/// the break over is rejected meanwhile). Letting a call through the closed breaker and recording
/// its outcome stay local.
/// </para>
/// </remarks>
public sealed partial class CircuitBreakerState : IRetirablePartition
{
    // This type is the state machine. How the closed breaker counts outcomes is its CircuitBehavior (one per
    // counting mode, held with the settings), its counts are kept by CircuitCounters, and the meter, the
    // StateChanged handlers and the registry's listeners are told by CircuitTelemetry.

    /// <summary>The longest the <c>Retry-After</c> of a 429 or 503 can hold the breaker open with <see cref="CircuitBreakerOptions.HonorRetryAfter"/>: one hour.</summary>
    public static readonly TimeSpan MaxRetryAfterHold = TimeSpan.FromHours(1);

    // _status packs the state (low two bits) with a generation number bumped on every transition, so one
    // volatile read gives both, and an outcome reported late (after the breaker moved on) is recognised.
    private const int StateBits = 2;
    private const long StateMask = (1 << StateBits) - 1;

    private readonly ResilienceRegistry _registry;
    private readonly object _gate = new();
    private readonly CircuitBreakerOptions _defaults;
    private readonly CircuitCounters _counters = new();
    private readonly StateDurations _durations;
    private readonly CircuitTelemetry _telemetry;

    // Replaced as a whole (under the lock) when the settings change, so that a call reads one consistent set.
    private Settings _settings;

    private long _status;

    // When the breaker last opened, in Clock.NowTicks of the registry's clock (the system tick's resolution on the
    // system clock). Written under the lock before _status, so that TryEnter can tell, without the lock, that an
    // open breaker's break has not ended; the locked path asks the same question of the same value.
    private long _openedAt;

    // The end of a hold asked for by the Retry-After of the failure that opened the breaker (HonorRetryAfter), in
    // the same ticks as _openedAt; 0 when none. Written under the lock before _status, like _openedAt.
    private long _holdUntil;

    // How many times in a row a failed (or slow) probe has opened the breaker again since it was last closed: the break
    // is BreakDuration grown that many times, up to MaxBreakDuration. Written under the lock before _status, like
    // _openedAt; it stops growing once the break reaches its cap.
    private int _reopenings;
    private int _probesInFlight;
    private int _probeSuccesses;

    // While the breaker is not closed: the failures it left the closed state with, and their share of the calls (the
    // figures its CircuitOpened event reports). Written under the lock.
    private (int Failures, double ErrorRate) _leftClosedWith;

    // Distributed mode: how the store sees this breaker, the store it watches and what stops the watch (under
    // _distributionGate); whether this instance holds the probe lease (1) or not (0); and, under _gate, whether the
    // transition being made came from another instance (and so is not published again); and a number bumped (under
    // _gate) by every transition and every remote change, so that a stored state read before one of them is not applied
    // after it.
    private readonly DistributedCircuit _distributed;
    private readonly object _distributionGate = new();
    private IDistributedResilienceStore? _watchedStore;
    private IDisposable? _watch;
    private int _probeLeaseHeld;
    private int _probeLeaseAsked;
    private bool _applyingRemote;
    private long _distributedVersion;

    // For a partition of a keyed breaker: whether a sweep dropped it, and the key's breaker to record failures in instead.
    private PartitionRetirement<CircuitBreakerState> _retirement;

    internal CircuitBreakerState(ResilienceRegistry registry, string name, CircuitBreakerOptions options, PolicySettings? settings = null, string? key = null)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        _registry = registry;
        Name = name;
        Key = key;
        _telemetry = new CircuitTelemetry(registry, name, key);
        _durations = new StateDurations(Clock.NowTicks(registry.TimeProvider));
        _distributed = new DistributedCircuit(this);
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _settings = CreateSettings(EffectiveOptions(settings), previous: null);
    }

    /// <summary>Raised after every change of state, synchronously and in order, on the thread that caused it.</summary>
    /// <remarks>
    /// Handlers run while the breaker holds its lock, so that no two changes are reported out of order:
    /// keep them short, and do not block on another call through the same breaker. An exception thrown by
    /// a handler reaches the call that caused the change.
    /// </remarks>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>The breaker's name: the attribute's <c>Name</c>, or <c>Namespace.Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The key this breaker is kept for, as text, when it is a partition of a <see cref="KeyedCircuitBreakerState"/>
    /// (a request authority such as <c>https://api.example.com</c>, a tenant); null for a breaker without a key.
    /// </summary>
    public string? Key { get; }

    /// <summary>
    /// The settings in force: the attribute's, with any given to <see cref="ResilienceRegistry.Configure"/> laid
    /// over them (a copy; changing it has no effect).
    /// </summary>
    public CircuitBreakerOptions Options => Volatile.Read(ref _settings).Options.Copy();

    /// <summary>
    /// The current state. An open breaker whose break has elapsed still reports <see cref="CircuitState.Open"/>
    /// until the next call arrives and turns it half-open.
    /// </summary>
    public CircuitState State => StateOf(Volatile.Read(ref _status));

    /// <summary>True when the settings in force mark the breaker <see cref="CircuitBreakerOptions.Distributed"/>.</summary>
    public bool IsDistributed => Volatile.Read(ref _settings).Options.Distributed;

    private TimeProvider TimeProvider => _registry.TimeProvider;

    /// <summary>The state packed in a status word (see <see cref="StateBits"/>).</summary>
    private static CircuitState StateOf(long status) => (CircuitState)(status & StateMask);

    /// <summary>Takes a snapshot of the breaker's counters.</summary>
    public CircuitBreakerMetrics GetMetrics()
    {
        TimeSpan inState;
        CircuitState state;
        (int Failures, double ErrorRate) recent;
        lock (_gate)
        {
            state = StateOf(_status);
            inState = _durations.CurrentPeriodLocked(Clock.NowTicks(TimeProvider));
            recent = state == CircuitState.Closed ? _settings.Behavior.OpeningFailuresLocked() : _leftClosedWith;
        }

        return _counters.Snapshot(state, inState, recent);
    }

    /// <summary>
    /// How long the breaker has spent in <paramref name="state"/> since its creation or the registry's last reset,
    /// the current period included.
    /// </summary>
    /// <param name="state">The state asked about.</param>
    public TimeSpan GetTimeInState(CircuitState state)
    {
        lock (_gate)
        {
            return _durations.InStateLocked(state, Clock.NowTicks(TimeProvider));
        }
    }

    /// <summary>Opens the breaker by hand: every call is rejected until <see cref="Reset"/>.</summary>
    public void Isolate()
    {
        lock (_gate)
        {
            TransitionLocked(CircuitState.Isolated);
        }
    }

    /// <summary>Closes the breaker by hand, whatever its state, and forgets the failures counted so far.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            ResetLocked();
        }
    }

    /// <summary>
    /// Asks to let a call through. True with a <paramref name="permit"/> the call must give back through
    /// exactly one <c>Record</c> method; false when the call is rejected (see <see cref="CreateRejection"/>).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool TryEnter(out CircuitBreakerPermit permit)
    {
        if (InScope() is { } scoped)
        {
            return scoped.TryEnter(out permit);
        }

        long status = Volatile.Read(ref _status);
        var state = StateOf(status);
        if (state == CircuitState.Closed)
        {
            permit = new CircuitBreakerPermit(status, isProbe: false, StartTimestamp());
            return true;
        }

        if (state == CircuitState.Isolated || (state == CircuitState.Open && IsBreaking()))
        {
            // Refused for certain: no lock needed.
            permit = default;
            _counters.CountRejection();
            ReportRejection();
            return false;
        }

        if (!TryHoldProbeLease())
        {
            // Another instance probes the dependency: this one keeps rejecting until it decides.
            permit = default;
            _counters.CountRejection();
            ReportRejection();
            return false;
        }

        return TryEnterSlow(out permit);
    }

    /// <summary>
    /// For a distributed breaker about to probe: true when this instance holds the store's probe lease. Otherwise asks the
    /// store for it in the background (once at a time) and answers false: the call is rejected, and a later one probes if
    /// the lease was granted. No caller waits for the store. Always true for a local breaker.
    /// </summary>
    private bool TryHoldProbeLease()
    {
        Settings settings = Volatile.Read(ref _settings);
        if (!settings.Options.Distributed || Volatile.Read(ref _probeLeaseHeld) != 0 || _registry.DistributedStore is not { } store)
        {
            return true;
        }

        if (Interlocked.CompareExchange(ref _probeLeaseAsked, 1, 0) == 0)
        {
            _ = AskForProbeLeaseAsync(store, TimeSpan.FromTicks(BreakTicks(settings, Volatile.Read(ref _reopenings))));
        }

        return false;
    }

    /// <summary>Asks the store for the probe lease, for one break; holds it when granted, or when the store failed.</summary>
    private async Task AskForProbeLeaseAsync(IDistributedResilienceStore store, TimeSpan lease)
    {
        bool taken;
        try
        {
            taken = await store.TryTakeProbeLeaseAsync(_distributed, lease).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The store failed: decide alone, as when it cannot be reached.
            _registry.ReportDistributedFallback(Name, PolicyKind.CircuitBreaker, ResilienceMetrics.Policy(Name));
            taken = true;
        }

        if (taken)
        {
            Volatile.Write(ref _probeLeaseHeld, 1);
        }

        Volatile.Write(ref _probeLeaseAsked, 0);
    }

    /// <summary>
    /// Follows <see cref="ResilienceRegistry.DistributedStore"/> when the settings in force mark the breaker distributed,
    /// and stops following it otherwise. Called when the breaker is registered, when its settings change and when the
    /// registry's store changes.
    /// </summary>
    internal void UpdateDistribution()
    {
        IDistributedResilienceStore? store = IsDistributed ? _registry.DistributedStore : null;
        lock (_distributionGate)
        {
            if (ReferenceEquals(store, _watchedStore))
            {
                return;
            }

            _watch?.Dispose();
            _watch = null;
            _watchedStore = store;
            if (store is not null)
            {
                try
                {
                    _watch = store.Watch(_distributed);
                }
                catch (Exception)
                {
                    _registry.ReportDistributedFallback(Name, PolicyKind.CircuitBreaker, ResilienceMetrics.Policy(Name));
                }
            }
        }
    }

    /// <summary>Stops following the store: the breaker is being dropped (an idle partition).</summary>
    internal void StopDistribution()
    {
        lock (_distributionGate)
        {
            _watch?.Dispose();
            _watch = null;
            _watchedStore = null;
        }
    }

    /// <summary>Changes whenever the breaker changes state or applies a remote change (see <see cref="DistributedCircuit.Version"/>).</summary>
    internal long DistributedVersion => Volatile.Read(ref _distributedVersion);

    /// <summary>
    /// Applies a change of state another instance made (see <see cref="DistributedCircuit.ApplyRemote"/>), or the state
    /// the store held when read, unless <see cref="DistributedVersion"/> moved past <paramref name="expectedVersion"/>
    /// since then (see <see cref="DistributedCircuit.ApplyStored"/>).
    /// </summary>
    /// <returns>False when a newer change made <paramref name="expectedVersion"/> stale.</returns>
    internal bool ApplyRemote(CircuitState state, TimeSpan remainingBreak, long? expectedVersion)
    {
        lock (_gate)
        {
            if (expectedVersion is { } expected && expected != _distributedVersion)
            {
                return false;
            }

            Volatile.Write(ref _distributedVersion, _distributedVersion + 1);
            _applyingRemote = true;
            try
            {
                switch (state)
                {
                    case CircuitState.Open:
                        TransitionLocked(CircuitState.Open);

                        // The break ends when it ends on the instance that opened it, whatever is left of it here.
                        long now = Clock.NowTicks(TimeProvider);
                        Volatile.Write(ref _holdUntil, 0);
                        Volatile.Write(ref _openedAt, now + Math.Max(0, remainingBreak.Ticks) - BreakTicks(_settings, _reopenings));
                        break;
                    case CircuitState.Isolated:
                        TransitionLocked(CircuitState.Isolated);
                        break;
                    case CircuitState.Closed:
                        ResetLocked();
                        break;
                }
            }
            finally
            {
                _applyingRemote = false;
            }
        }

        return true;
    }

    /// <summary>What is left of the break while the breaker is open; zero in other states (see <see cref="DistributedCircuit.RemainingBreak"/>).</summary>
    internal TimeSpan RemainingBreak => State == CircuitState.Open ? TimeSpan.FromTicks(Math.Max(0, BreakRemainingTicks())) : TimeSpan.Zero;

    /// <summary>True while an open breaker's break has not ended (see <see cref="BreakRemainingTicks"/>).</summary>
    private bool IsBreaking() => BreakRemainingTicks() > 0;

    /// <summary>
    /// What is left of the break of an open breaker, in ticks, a Retry-After hold included; zero or less once it has
    /// ended.
    /// </summary>
    private long BreakRemainingTicks()
    {
        long breakTicks = BreakTicks(Volatile.Read(ref _settings), Volatile.Read(ref _reopenings));
        long end = Math.Max(Volatile.Read(ref _openedAt) + breakTicks, Volatile.Read(ref _holdUntil));
        return end - Clock.NowTicks(TimeProvider);
    }

    /// <summary>
    /// The break after <paramref name="reopenings"/> consecutive re-openings, in ticks: the break duration multiplied by
    /// <see cref="CircuitBreakerRules.BreakGrowthFactor"/> that many times, capped by the longest break.
    /// </summary>
    private static long BreakTicks(Settings settings, int reopenings)
    {
        long ticks = settings.BreakDuration.Ticks;
        for (int i = 0; i < reopenings && ticks < settings.MaxBreakTicks; i++)
        {
            ticks = Math.Min(ticks * CircuitBreakerRules.BreakGrowthFactor, settings.MaxBreakTicks);
        }

        return ticks;
    }

    /// <summary>When a call enters, for a breaker that judges slow calls: now on the breaker's clock (never 0); 0 otherwise, without reading the clock.</summary>
    private long StartTimestamp()
    {
        if (Volatile.Read(ref _settings).SlowCallTicks == 0)
        {
            return 0;
        }

        long now = Clock.NowTicks(TimeProvider);
        return now == 0 ? 1 : now;
    }

    /// <summary>
    /// True when the call of <paramref name="permit"/> was timed and took longer than the slow-call duration of the
    /// settings in force, which it returns.
    /// </summary>
    private bool IsSlow(in CircuitBreakerPermit permit, out Settings settings)
    {
        settings = Volatile.Read(ref _settings);
        return permit.StartedAt != 0 && settings.SlowCallTicks != 0 && Clock.NowTicks(TimeProvider) - permit.StartedAt > settings.SlowCallTicks;
    }

    /// <summary>
    /// Records the outcome of a slow call: counted as slow, a probe opens the breaker again (a failure as much as a
    /// success: the dependency is not back), and a call of the closed breaker is judged by the slow-call rule as well as
    /// by the counting mode.
    /// </summary>
    private void RecordSlow(in CircuitBreakerPermit permit, Settings settings, bool failed, TimeSpan? requestedBreak)
    {
        _counters.CountSlowCall();
        _telemetry.MeterSlowCall();
        if (permit.IsProbe)
        {
            lock (_gate)
            {
                ReleaseProbeLocked();
                if (_status == permit.Status)
                {
                    if (failed)
                    {
                        _counters.CountConsecutiveFailure();
                    }

                    TransitionLocked(CircuitState.Open, requestedBreak);
                }
            }

            return;
        }

        if (Volatile.Read(ref _status) != permit.Status || settings.Behavior is not SlowCallBehavior slow)
        {
            // Entered before the breaker last changed state: it says nothing about the current period.
            return;
        }

        bool shouldOpen = failed ? slow.OnSlowFailure(_counters.CountConsecutiveFailure()) : slow.OnSlowSuccess();
        if (shouldOpen && Volatile.Read(ref _status) == permit.Status)
        {
            lock (_gate)
            {
                if (_status == permit.Status)
                {
                    TransitionLocked(CircuitState.Open, requestedBreak);
                }
            }
        }
    }

    /// <summary>Reports that a call let through by <see cref="TryEnter"/> succeeded.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void RecordSuccess(in CircuitBreakerPermit permit)
    {
        if (InScope() is { } scoped)
        {
            scoped.RecordSuccess(permit);
            return;
        }

        _counters.CountSuccess();
        if (permit.StartedAt != 0 && IsSlow(permit, out Settings settings))
        {
            RecordSlow(permit, settings, failed: false, requestedBreak: null);
            return;
        }

        if (permit.IsProbe)
        {
            lock (_gate)
            {
                ReleaseProbeLocked();
                if (_status == permit.Status && ++_probeSuccesses >= _settings.Options.SuccessThreshold)
                {
                    TransitionLocked(CircuitState.Closed);
                }
            }

            return;
        }

        if (Volatile.Read(ref _status) != permit.Status)
        {
            // Entered before the breaker last changed state: it says nothing about the current period.
            return;
        }

        CircuitBehavior behavior = Volatile.Read(ref _settings).Behavior;
        if (behavior is ConsecutiveFailuresBehavior consecutive)
        {
            // Tested for first so that the commonest outcome of the default mode is a type test and an inlined
            // read of the run of failures rather than a virtual call.
            consecutive.OnSuccess();
        }
        else
        {
            behavior.OnSuccess();
        }
    }

    /// <summary>Reports that a call let through by <see cref="TryEnter"/> failed with an exception the breaker handles.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void RecordFailure(in CircuitBreakerPermit permit)
    {
        if (InScope() is { } scoped)
        {
            scoped.RecordFailure(permit);
            return;
        }

        RecordFailure(permit, requestedBreak: null);
    }

    /// <summary>
    /// Reports that a call let through by <see cref="TryEnter"/> returned <paramref name="response"/>, a failure: with
    /// <see cref="CircuitBreakerOptions.HonorRetryAfter"/>, a breaker this failure opens stays open for the
    /// <c>Retry-After</c> of a 429 or 503 response when that is longer than the break; another status's
    /// <c>Retry-After</c> is not honoured.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void RecordFailure(in CircuitBreakerPermit permit, HttpResponseMessage? response)
    {
        if (InScope() is { } scoped)
        {
            scoped.RecordFailure(permit, response);
            return;
        }

        bool holds = Volatile.Read(ref _settings).Options.HonorRetryAfter && HttpOutcomes.SaysWhenServiceReturns(response);
        RecordFailure(permit, holds ? RequestedDelay.Of(response, TimeProvider) : null);
    }

    private void RecordFailure(in CircuitBreakerPermit permit, TimeSpan? requestedBreak)
    {
        RecordFailureHere(permit, requestedBreak);
        if (!permit.IsProbe)
        {
            // The failure is counted (and its time written) before the mark is read, with a full fence between: a sweep
            // marks a partition before it reads whether it is idle, so one of the two sees the other.
            Interlocked.MemoryBarrier();
            _retirement.SuccessorOf(this)?.RecordFailureOfDroppedPartition(requestedBreak);
        }
    }

    /// <summary>
    /// Counts the failure of a call let through by a partition a sweep dropped after the call fetched it: the key's
    /// breaker now counts it, as if the call had entered it. Nothing is counted when that breaker is not closed (the call
    /// entered before it opened, which says nothing about its current period).
    /// </summary>
    private void RecordFailureOfDroppedPartition(TimeSpan? requestedBreak)
    {
        long status = Volatile.Read(ref _status);
        if (StateOf(status) == CircuitState.Closed)
        {
            RecordFailure(new CircuitBreakerPermit(status, isProbe: false), requestedBreak);
        }
    }

    private void RecordFailureHere(in CircuitBreakerPermit permit, TimeSpan? requestedBreak)
    {
        _counters.CountFailure(TimeProvider.GetUtcNow());
        if (permit.StartedAt != 0 && IsSlow(permit, out Settings settings))
        {
            RecordSlow(permit, settings, failed: true, requestedBreak);
            return;
        }

        if (permit.IsProbe)
        {
            lock (_gate)
            {
                ReleaseProbeLocked();
                if (_status == permit.Status)
                {
                    _counters.CountConsecutiveFailure();
                    TransitionLocked(CircuitState.Open, requestedBreak);
                }
            }

            return;
        }

        if (Volatile.Read(ref _status) != permit.Status)
        {
            // Entered before the breaker last changed state: it must not count towards the current period.
            return;
        }

        int consecutive = _counters.CountConsecutiveFailure();

        bool shouldOpen = Volatile.Read(ref _settings).Behavior.OnFailure(consecutive);
        if (shouldOpen && Volatile.Read(ref _status) == permit.Status)
        {
            lock (_gate)
            {
                if (_status == permit.Status)
                {
                    TransitionLocked(CircuitState.Open, requestedBreak);
                }
            }
        }
    }

    /// <summary>
    /// Reports that a call let through by <see cref="TryEnter"/> ended in a way the breaker does not count:
    /// an ignored exception or the caller's cancellation. A probe's slot is freed.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void RecordIgnored(in CircuitBreakerPermit permit)
    {
        if (InScope() is { } scoped)
        {
            scoped.RecordIgnored(permit);
            return;
        }

        if (!permit.IsProbe)
        {
            return;
        }

        lock (_gate)
        {
            ReleaseProbeLocked();
        }
    }

    /// <summary>
    /// Frees the slot of a probe that ended, whatever state the breaker has moved to since: probes still running from
    /// an earlier half-open period count against the next one, so that no more than <c>HalfOpenMaxCalls</c> probes
    /// ever run at once. (After <see cref="Reset"/>, which forgets them, a late one finds nothing to free.)
    /// </summary>
    private void ReleaseProbeLocked()
    {
        if (_probesInFlight > 0)
        {
            _probesInFlight--;
        }
    }

    /// <summary>Creates the exception that explains why <see cref="TryEnter"/> just returned false.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public BrokenCircuitException CreateRejection()
    {
        if (InScope() is { } scoped)
        {
            return scoped.CreateRejection();
        }

        CircuitState state;
        TimeSpan? retryAfter;
        lock (_gate)
        {
            state = StateOf(_status);
            retryAfter = RetryAfterLocked();
        }

        return new BrokenCircuitException(Name, state, retryAfter, Key);
    }

    /// <summary>The attribute's settings, checked: what the breaker was created with, before any <see cref="ResilienceRegistry.Configure"/>.</summary>
    internal CircuitBreakerOptions AttributeOptions => _defaults;

    /// <summary>
    /// The breaker of the same name in the <see cref="ResilienceScope"/> this call runs in, when this is a breaker of
    /// <see cref="ResilienceRegistry.Default"/> (not a partition of a keyed one: its keyed breaker routes it); null otherwise,
    /// and at the cost of one static read until a scope is first begun.
    /// </summary>
    private CircuitBreakerState? InScope() => ResilienceScope.AnyBegun ? InScopeSlow() : null;

    private CircuitBreakerState? InScopeSlow()
        => Key is null && ResilienceScope.RegistryInsteadOf(_registry) is { } scoped ? scoped.GetOrAddCircuitBreaker(Name, _defaults) : null;

    /// <summary>Lays <paramref name="settings"/> over the attribute's settings; see <see cref="ResilienceRegistry.Configure"/>.</summary>
    internal void Apply(PolicySettings? settings)
    {
        CircuitBreakerOptions next = EffectiveOptions(settings);
        lock (_gate)
        {
            Settings current = _settings;
            if (!current.Options.SameAs(next))
            {
                Volatile.Write(ref _settings, CreateSettings(next, current.Behavior));
            }
        }

        UpdateDistribution();
    }

    /// <summary>
    /// True when dropping this breaker would lose nothing that matters: it is closed, no probe is in flight, and its
    /// last failure (if any) is older than both its break and its sampling window. A keyed breaker drops such
    /// partitions when their number grows.
    /// </summary>
    internal bool IsIdle()
    {
        if (State != CircuitState.Closed || Volatile.Read(ref _probesInFlight) != 0)
        {
            return false;
        }

        if (GetMetrics().LastFailureTime is not { } lastFailure)
        {
            return true;
        }

        CircuitBreakerOptions options = Volatile.Read(ref _settings).Options;
        TimeSpan quiet = TimeSpan.FromMilliseconds(Math.Max(options.BreakDurationMs, options.SamplingDurationMs));
        return TimeProvider.GetUtcNow() - lastFailure > quiet;
    }

    /// <summary>
    /// For a partition of a keyed breaker: where a failure recorded here after a sweep dropped this partition is counted
    /// instead, the key's breaker now (see <see cref="PartitionRetirement{TPartition}"/>).
    /// </summary>
    internal void FollowWhenRetired(Func<CircuitBreakerState> successor) => _retirement.FollowWhenRetired(successor);

    /// <summary>
    /// Marks the partition as dropped if it is idle (see <see cref="IsIdle"/>), and says whether it was. A failure recorded
    /// here afterwards is counted by the key's new breaker as well, so that a key never starts again closed and clean
    /// beside a failure that was lost: the mark comes before the idleness is read, and a failure is counted before the
    /// mark is read.
    /// </summary>
    bool IRetirablePartition.TryRetire()
    {
        _retirement.Mark();
        if (IsIdle())
        {
            return true;
        }

        _retirement.Unmark();
        return false;
    }

    /// <summary>The partition was dropped: it stops following the distributed store.</summary>
    void IRetirablePartition.OnDropped() => StopDistribution();

    /// <summary>Clears the counters as well as the state; the registry's <see cref="ResilienceRegistry.Reset"/> calls it.</summary>
    internal void ResetAll()
    {
        lock (_gate)
        {
            ResetLocked();
            _counters.ClearTotalsLocked();
            _durations.ClearLocked(Clock.NowTicks(TimeProvider));
        }
    }

    /// <summary>Closes the breaker, whatever its state, and forgets the failures counted so far.</summary>
    private void ResetLocked()
    {
        TransitionLocked(CircuitState.Closed);
        ForgetFailuresLocked(_settings);
        _probesInFlight = 0;
    }

    /// <summary>Ends the run of consecutive failures and clears what the behaviour sampled: the breaker closed or was reset.</summary>
    private void ForgetFailuresLocked(Settings settings)
    {
        _counters.EndFailureRun();
        settings.Behavior.Clear();
    }

    /// <summary>The attribute's settings with <paramref name="settings"/> laid over them, checked; the attribute's alone when none are given.</summary>
    private CircuitBreakerOptions EffectiveOptions(PolicySettings? settings)
        => settings is { HasCircuitBreakerSettings: true } ? settings.ApplyTo(_defaults).ValidatedCopy() : _defaults;

    /// <summary>The settings object for <paramref name="options"/>, with the behaviour of its mode.</summary>
    /// <param name="options">Checked settings.</param>
    /// <param name="previous">The behaviour of the settings being replaced, whose samples the new one may take over; null at creation.</param>
    private Settings CreateSettings(CircuitBreakerOptions options, CircuitBehavior? previous)
        => new(options, CircuitBehavior.Create(options, previous, _counters, _registry));

    /// <summary>How long an open breaker stays open still; null in other states. Call under the lock.</summary>
    private TimeSpan? RetryAfterLocked()
    {
        if (StateOf(_status) != CircuitState.Open)
        {
            return null;
        }

        return TimeSpan.FromTicks(Math.Max(0, BreakRemainingTicks()));
    }

    /// <summary>Counts a rejection on the meter and tells the listeners; called outside the lock.</summary>
    private void ReportRejection()
    {
        _telemetry.MeterRejection();
        if (_telemetry.HasListeners)
        {
            TimeSpan? retryAfter;
            lock (_gate)
            {
                retryAfter = RetryAfterLocked();
            }

            _telemetry.NotifyRejection(retryAfter);
        }
    }

    private bool TryEnterSlow(out CircuitBreakerPermit permit)
    {
        lock (_gate)
        {
            var state = StateOf(_status);
            if (state == CircuitState.Open && !IsBreaking())
            {
                state = TransitionLocked(CircuitState.HalfOpen);
            }

            switch (state)
            {
                case CircuitState.Closed:
                    permit = new CircuitBreakerPermit(_status, isProbe: false, StartTimestamp());
                    return true;
                case CircuitState.HalfOpen when _probesInFlight < _settings.Options.HalfOpenMaxCalls:
                    _probesInFlight++;
                    permit = new CircuitBreakerPermit(_status, isProbe: true, StartTimestamp());
                    return true;
                default:
                    _counters.CountRejection();
                    permit = default;
                    break;
            }
        }

        ReportRejection();
        return false;
    }

    /// <summary>Moves to <paramref name="next"/> (under the lock), resets what the new state counts, and raises the event.</summary>
    /// <param name="next">The state to enter.</param>
    /// <param name="requestedBreak">
    /// On opening: how long the failure that opens the breaker asked callers to wait (the <c>Retry-After</c> of a 429
    /// or 503), when <see cref="CircuitBreakerOptions.HonorRetryAfter"/> is on; the break lasts that long if it is longer, up to
    /// <see cref="MaxRetryAfterHold"/>.
    /// </param>
    private CircuitState TransitionLocked(CircuitState next, TimeSpan? requestedBreak = null)
    {
        var previous = StateOf(_status);
        if (previous == next)
        {
            return next;
        }

        Volatile.Write(ref _distributedVersion, _distributedVersion + 1);

        long generation = (_status >> StateBits) + 1;
        Settings settings = _settings;
        if (next == CircuitState.Closed)
        {
            Volatile.Write(ref _reopenings, 0);
        }
        else if (next == CircuitState.Open && previous == CircuitState.HalfOpen && BreakTicks(settings, _reopenings) < settings.MaxBreakTicks)
        {
            // A probe failed: the dependency is still down, so the next break is longer (MaxBreakDurationMs).
            Volatile.Write(ref _reopenings, _reopenings + 1);
        }

        TimeSpan grownBreak = TimeSpan.FromTicks(BreakTicks(settings, _reopenings));
        TimeSpan breakDuration = grownBreak;
        if (requestedBreak is { } hold)
        {
            TimeSpan capped = hold < MaxRetryAfterHold ? hold : MaxRetryAfterHold;
            breakDuration = capped > breakDuration ? capped : breakDuration;
        }

        (int Failures, double ErrorRate) opening = next == CircuitState.Open ? OpeningFailuresLocked(settings, previous) : default;
        if (next == CircuitState.Open)
        {
            _leftClosedWith = opening;
        }
        else if (previous == CircuitState.Closed)
        {
            _leftClosedWith = settings.Behavior.OpeningFailuresLocked();
        }
        _counters.StartPeriodLocked();
        _probeSuccesses = 0;
        long now = Clock.NowTicks(TimeProvider);
        _durations.EnterLocked(next, now);
        switch (next)
        {
            case CircuitState.Open:
                Volatile.Write(ref _openedAt, now);
                Volatile.Write(ref _holdUntil, breakDuration > grownBreak ? now + breakDuration.Ticks : 0);
                break;
            case CircuitState.Closed:
                ForgetFailuresLocked(settings);
                break;
        }

        Volatile.Write(ref _status, (generation << StateBits) | (long)next);
        if (settings.Options.Distributed)
        {
            ShareTransitionLocked(previous, next, breakDuration);
        }

        double slowCallRate = next == CircuitState.Open && previous == CircuitState.Closed && settings.Behavior is SlowCallBehavior slow ? slow.SlowCallsLocked().SlowCallRate : 0;
        _telemetry.ReportTransitionLocked(this, StateChanged, previous, next, opening, next == CircuitState.Open ? breakDuration : null, slowCallRate);
        return next;
    }

    /// <summary>
    /// Tells the other instances of a distributed breaker's change to open, isolated or closed (unless it came from one of
    /// them), and gives the probe lease back once the half-open breaker has decided. The store publishes in the background.
    /// </summary>
    private void ShareTransitionLocked(CircuitState previous, CircuitState next, TimeSpan breakDuration)
    {
        IDistributedResilienceStore? store = _registry.DistributedStore;
        if (store is null)
        {
            _registry.ReportDistributedFallback(Name, PolicyKind.CircuitBreaker, ResilienceMetrics.Policy(Name));
            return;
        }

        try
        {
            if (!_applyingRemote && next != CircuitState.HalfOpen)
            {
                store.Publish(_distributed, next, breakDuration);
            }

            if (next != CircuitState.HalfOpen && Interlocked.Exchange(ref _probeLeaseHeld, 0) != 0)
            {
                store.ReleaseProbeLease(_distributed);
            }
        }
        catch (Exception)
        {
            // The store failed: the change holds on this instance, as when the store cannot be reached.
            _registry.ReportDistributedFallback(Name, PolicyKind.CircuitBreaker, ResilienceMetrics.Policy(Name));
        }
    }

    /// <summary>
    /// The failures that are opening the breaker and their share of the calls: from closed, as the behaviour
    /// counts them; from half-open, the probes' failures and share.
    /// </summary>
    private (int Failures, double ErrorRate) OpeningFailuresLocked(Settings settings, CircuitState previous)
        => previous == CircuitState.Closed ? settings.Behavior.OpeningFailuresLocked() : _counters.PeriodFailuresLocked();

    /// <summary>One consistent set of settings, with what is derived from them.</summary>
    private sealed class Settings
    {
        public Settings(CircuitBreakerOptions options, CircuitBehavior behavior)
        {
            Options = options;
            BreakDuration = TimeSpan.FromMilliseconds(options.BreakDurationMs);
            MaxBreakTicks = Math.Max(options.MaxBreakDurationMs, options.BreakDurationMs) * TimeSpan.TicksPerMillisecond;
            SlowCallTicks = options.SlowCallDurationMs * TimeSpan.TicksPerMillisecond;
            Behavior = behavior;
        }

        public CircuitBreakerOptions Options { get; }

        /// <summary>The first break after the breaker closed.</summary>
        public TimeSpan BreakDuration { get; }

        /// <summary>The longest a break grows to, in ticks: at least <see cref="BreakDuration"/>.</summary>
        public long MaxBreakTicks { get; }

        /// <summary>How long a call may take before it is slow, in ticks; 0 when the breaker does not judge slow calls (nor time them).</summary>
        public long SlowCallTicks { get; }

        /// <summary>How the closed breaker counts outcomes under these settings.</summary>
        public CircuitBehavior Behavior { get; }
    }
}
