using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The shared state of one named rate limit (or one partition of a limit kept per key): permits counted by
/// the configured <see cref="RateLimitAlgorithm"/> on the registry's clock, and a bounded queue of calls
/// waiting for the next permit.
/// </summary>
/// <remarks>
/// Thread-safe. Taking a permit reads the clock once and, for the token bucket and fixed window, is a single
/// compare-and-swap; the sliding window takes a short lock. Nothing is allocated unless a call has to wait.
/// Queued calls are served in the order they arrived: a permit freed while calls wait goes to the one that waited
/// longest, and a new call does not take one while others wait (it joins the queue, or is rejected when the queue is
/// full). A queued call whose token is cancelled leaves the queue without taking a permit.
/// <para>
/// A limit marked <see cref="RateLimitOptions.Distributed"/> takes each permit from
/// <see cref="ResilienceRegistry.DistributedStore"/>, which every instance shares; when there is none, or it cannot be
/// reached in time, the call is decided on this instance's own count instead (and
/// <c>resilience.distributed.fallbacks</c> counts it). With a <see cref="RateLimitOptions.DistributedBatch"/>, it takes
/// that many permits in one round trip and hands them out itself for at most <see cref="BatchLease"/> (and, for a fixed
/// window, not past the window's end); meanwhile a call takes its permit without a round trip or an allocation. Its
/// queued calls each wait for the time the store says a permit will be free, then ask again: they are bounded by
/// <see cref="RateLimitOptions.QueueLimit"/> but not served in a strict order, since the store serves every instance.
/// </para>
/// </remarks>
public sealed class RateLimiterState : IRegisteredRateLimit, IRetirablePartition
{
    private readonly ResilienceRegistry _registry;
    private readonly RateLimitOptions _defaults;
    private readonly KeyValuePair<string, object?> _policyTag;

    // The settings and the counter built for them, replaced together when the settings change.
    private Settings _settings;
    // For a partition of a keyed limit: whether a sweep dropped it, and the key's partition to take permits from instead.
    private PartitionRetirement<RateLimiterState> _retirement;

    // The calls waiting for a local permit, in order; made when the first call has to wait.
    private PermitQueue? _queue;

    // The calls of a distributed limit waiting to ask the store again.
    private int _sharedWaiting;
    private long _rejections;

    // The last answer of the distributed store, for GetLimitInfo and rejections; null before the first one.
    private SharedAnswer? _sharedAnswer;

    // A distributed limit with a DistributedBatch: the permits taken from the store and not handed out yet (null when
    // none was taken), and whether a call is asking the store for the next batch (1), while the others ask for one permit.
    private PermitBatch? _batch;
    private int _batchAsked;

    internal RateLimiterState(ResilienceRegistry registry, string name, RateLimitOptions options, PolicySettings? settings = null, string? key = null)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        _registry = registry;
        Name = name;
        Key = key;
        _policyTag = ResilienceMetrics.Policy(name);
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _settings = new Settings(EffectiveOptions(settings));
    }

    /// <summary>
    /// The longest a batch of permits taken from the distributed store (<see cref="RateLimitOptions.DistributedBatch"/>)
    /// is handed out for, or the window if it is shorter: the permits left then are dropped.
    /// </summary>
    public static TimeSpan BatchLease { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The rate limit's name: the attribute's <c>Name</c>, or <c>Namespace.Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The key this limit is kept for, as text, when it is a partition of a <see cref="KeyedRateLimiterState{TKey}"/>;
    /// null for a limit without a key.
    /// </summary>
    public string? Key { get; }

    /// <summary>True when the settings in force mark the limit <see cref="RateLimitOptions.Distributed"/>.</summary>
    public bool IsDistributed => Volatile.Read(ref _settings).Options.Distributed;

    /// <summary>
    /// The settings in force: the attribute's, with any given to <see cref="ResilienceRegistry.Configure"/> laid
    /// over them (a copy; changing it has no effect).
    /// </summary>
    public RateLimitOptions Options => Volatile.Read(ref _settings).Options.Copy();

    /// <summary>Calls waiting for a permit now.</summary>
    public int QueuedCount => LocalQueued + Volatile.Read(ref _sharedWaiting);

    /// <summary>Calls rejected since the limit was created or the registry was reset.</summary>
    public long RejectionCount => Volatile.Read(ref _rejections);

    /// <summary>How long until a permit is expected to be free; <see cref="TimeSpan.Zero"/> when one is free now.</summary>
    public TimeSpan RetryAfter => TimeSpan.FromTicks(Counter.TicksUntilPermit(NowTicks));

    /// <summary>The registry's clock now, in ticks (<see cref="Clock.NowTicks"/>).</summary>
    internal long NowTicks => Clock.NowTicks(_registry.TimeProvider);

    /// <summary>The registry's clock, which the queue's timer runs on.</summary>
    internal TimeProvider TimeProvider => _registry.TimeProvider;

    private PermitCounter Counter => Volatile.Read(ref _settings).Counter;

    /// <summary>The calls waiting in the local queue now.</summary>
    private int LocalQueued => Volatile.Read(ref _queue) is { } queue ? queue.Count : 0;

    /// <summary>
    /// Where the limit stands now: its permits per window, those left, when it is whole again and how long until the next
    /// permit. For a distributed limit, as the store last answered this instance (the times moved on by the time since),
    /// or, before any answer or while the store cannot be reached, as this instance counts.
    /// </summary>
    public RateLimitInfo GetLimitInfo()
    {
        Settings settings = Volatile.Read(ref _settings);
        long now = NowTicks;
        DateTimeOffset utcNow = _registry.TimeProvider.GetUtcNow();
        if (settings.Options.Distributed && Volatile.Read(ref _sharedAnswer) is { } answer && ReferenceEquals(answer.Settings, settings))
        {
            TimeSpan elapsed = TimeSpan.FromTicks(Math.Max(0, now - answer.At));
            RateLimitInfo info = answer.Info;
            return utcNow >= info.ResetAt
                ? new RateLimitInfo(info.Limit, info.Limit, info.ResetAt, TimeSpan.Zero)
                : new RateLimitInfo(info.Limit, info.Remaining, info.ResetAt, info.RetryAfter > elapsed ? info.RetryAfter - elapsed : TimeSpan.Zero);
        }

        PermitCounter counter = settings.Counter;
        return new RateLimitInfo(
            settings.Options.Permits,
            Math.Max(0, Math.Min(settings.Options.Permits, counter.Remaining(now))),
            utcNow + TimeSpan.FromTicks(counter.TicksUntilFull(now)),
            TimeSpan.FromTicks(counter.TicksUntilPermit(now)));
    }

    /// <summary>
    /// Takes a permit if one is free now, without waiting and without counting a rejection. A distributed limit answers
    /// false while a store is registered, unless a batch taken from the store has a permit left: its permits are taken
    /// by <see cref="AcquireAsync"/>, which asks the store.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool TryAcquire()
    {
        if (InScope() is { } scoped)
        {
            return scoped.TryAcquire();
        }

        Settings settings = Volatile.Read(ref _settings);
        if (settings.Options.Distributed)
        {
            if (_registry.DistributedStore is not null)
            {
                return TryTakeFromBatch(settings);
            }

            _registry.ReportDistributedFallback(Name, PolicyKind.RateLimit, _policyTag);
        }

        // Calls waiting have the next permits: a new one does not overtake them.
        return LocalQueued == 0 && settings.Counter.TryAcquire(NowTicks) && (_retirement.SuccessorOf(this) is not { } successor || successor.TryAcquire());
    }

    /// <summary>
    /// Takes a permit, waiting in the queue, behind the calls already there, if there is room in it. False when the call is
    /// rejected (see <see cref="CreateRejection"/>). Completes synchronously, without allocating, when a permit is free and
    /// no call waits.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the call waited.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        if (InScope() is { } scoped)
        {
            return scoped.AcquireAsync(cancellationToken);
        }

        Settings settings = Volatile.Read(ref _settings);
        if (settings.Options.Distributed)
        {
            return TryTakeFromBatch(settings) ? new ValueTask<bool>(true) : AcquireSharedAsync(settings, cancellationToken);
        }

        if (LocalQueued == 0 && settings.Counter.TryAcquire(NowTicks))
        {
            return _retirement.SuccessorOf(this) is { } successor ? successor.AcquireAsync(cancellationToken) : new ValueTask<bool>(true);
        }

        return WaitInQueueAsync(settings, cancellationToken);
    }

    /// <summary>The blocking form of <see cref="AcquireAsync"/>, for synchronous methods.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the call waited.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool Acquire(CancellationToken cancellationToken)
    {
        if (InScope() is { } scoped)
        {
            return scoped.Acquire(cancellationToken);
        }

        Settings settings = Volatile.Read(ref _settings);
        if (settings.Options.Distributed)
        {
            if (TryTakeFromBatch(settings))
            {
                return true;
            }

            // The store's client has its own operation timeout, which bounds this wait.
            ValueTask<bool> shared = AcquireSharedAsync(settings, cancellationToken);
            return shared.IsCompleted ? shared.Result : shared.AsTask().GetAwaiter().GetResult();
        }

        if (LocalQueued == 0 && settings.Counter.TryAcquire(NowTicks))
        {
            return _retirement.SuccessorOf(this) is not { } successor || successor.Acquire(cancellationToken);
        }

        ValueTask<bool> waiting = WaitInQueueAsync(settings, cancellationToken);
        return waiting.IsCompleted ? waiting.GetAwaiter().GetResult() : waiting.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Creates the exception that explains why <see cref="AcquireAsync"/> or <see cref="Acquire"/> returned false, with
    /// its retry-after and the permits the limit allows per window.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public RateLimitRejectedException CreateRejection()
    {
        if (InScope() is { } scoped)
        {
            return scoped.CreateRejection();
        }

        RateLimitInfo info = GetLimitInfo();
        return new(Name, info);
    }

    /// <inheritdoc />
    void IRegisteredRateLimit.RegisterLikeIn(ResilienceRegistry registry) => registry.GetOrAddRateLimiter(Name, _defaults);

    /// <summary>
    /// The limit of the same name in the <see cref="ResilienceScope"/> this call runs in, when this is a limit of
    /// <see cref="ResilienceRegistry.Default"/> (not a partition of a keyed one: its keyed limit routes it); null otherwise,
    /// and at the cost of one static read until a scope is first begun.
    /// </summary>
    private RateLimiterState? InScope() => ResilienceScope.AnyBegun ? InScopeSlow() : null;

    private RateLimiterState? InScopeSlow()
        => Key is null && ResilienceScope.RegistryInsteadOf(_registry) is { } scoped ? scoped.GetOrAddRateLimiter(Name, _defaults) : null;

    /// <summary>Refills the limit and clears its counters.</summary>
    void IRegisteredRateLimit.Reset()
    {
        Counter.Reset();
        Interlocked.Exchange(ref _batch, null)?.Discard();
        Volatile.Write(ref _sharedAnswer, null);
        Volatile.Write(ref _rejections, 0);

        // Refilled: the calls waiting take the permits first.
        Volatile.Read(ref _queue)?.Serve();
    }

    /// <summary>
    /// Lays <paramref name="settings"/> over the attribute's settings; see <see cref="ResilienceRegistry.Configure"/>.
    /// Changed settings start from a full limit.
    /// </summary>
    void IRegisteredRateLimit.Apply(PolicySettings? settings) => Apply(EffectiveOptions(settings));

    /// <summary>Takes <paramref name="options"/> (already checked) unless they are the ones in force.</summary>
    internal void Apply(RateLimitOptions options)
    {
        Settings current = Volatile.Read(ref _settings);
        if (!current.Options.SameAs(options) && Interlocked.CompareExchange(ref _settings, new Settings(options), current) == current)
        {
            // A new counter starts full: the calls waiting take the permits first.
            Volatile.Read(ref _queue)?.Serve();
        }
    }

    internal bool IsIdle() => Volatile.Read(ref _sharedWaiting) == 0 && LocalQueued == 0 && Counter.IsIdle(NowTicks);

    /// <summary>For the queue: takes a permit for the call at its front, if one is free at <paramref name="now"/>.</summary>
    internal bool TryTakeLocalPermit(long now) => Counter.TryAcquire(now);

    /// <summary>For the queue: ticks from <paramref name="now"/> until the next permit is expected.</summary>
    internal long TicksUntilLocalPermit(long now) => Counter.TicksUntilPermit(now);

    /// <summary>
    /// For a partition of a keyed limit: where a caller that fetched this partition just before a sweep dropped it takes
    /// its permit instead, the key's partition now (see <see cref="TryRetire"/>).
    /// </summary>
    internal void FollowWhenRetired(Func<RateLimiterState> successor) => _retirement.FollowWhenRetired(successor);

    /// <summary>
    /// Marks the partition as dropped if it is idle, and says whether it was. A caller taking a permit here afterwards
    /// takes it from the key's new partition instead, so that a permit taken on a dropped partition is never lost
    /// while the key starts again full (see <see cref="PartitionRetirement{TPartition}"/>): a caller takes its permit, or
    /// joins the queue, before it reads the mark.
    /// </summary>
    internal bool TryRetire()
    {
        _retirement.Mark();
        if (IsIdle())
        {
            return true;
        }

        _retirement.Unmark();
        return false;
    }

    bool IRetirablePartition.TryRetire() => TryRetire();

    void IRetirablePartition.OnDropped()
    {
    }

    /// <summary>
    /// Takes a permit of a distributed limit: from the store, or, when there is none or it does not answer in time, from
    /// this instance's count. Waits in the queue like a local limit when there is room in it.
    /// </summary>
    private async ValueTask<bool> AcquireSharedAsync(Settings settings, CancellationToken cancellationToken)
    {
        bool queued = false;
        bool askingForBatch = false;
        try
        {
            while (true)
            {
                TimeSpan wait;
                IDistributedResilienceStore? store = _registry.DistributedStore;
                DistributedAcquireResult answer = DistributedAcquireResult.Unavailable;
                if (store is not null)
                {
                    // One call at a time asks for the next batch; the others ask for their own permit meanwhile.
                    int batch = settings.Options.DistributedBatch;
                    askingForBatch = askingForBatch || (batch > 1 && Interlocked.CompareExchange(ref _batchAsked, 1, 0) == 0);
                    try
                    {
                        answer = await store.TryAcquireAsync(Name, Key, settings.Options, askingForBatch && batch > 1 ? batch : 1, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception)
                    {
                        // The store failed: this call is decided locally, as when it cannot be reached.
                        answer = DistributedAcquireResult.Unavailable;
                    }
                }

                if (answer.IsAvailable)
                {
                    Volatile.Write(ref _sharedAnswer, new SharedAnswer(settings, answer.Info, NowTicks));
                    if (answer.Acquired)
                    {
                        if (askingForBatch && answer.Granted > 1)
                        {
                            KeepBatch(settings, answer, answer.Granted - 1);
                        }

                        return true;
                    }

                    wait = answer.Info.RetryAfter;
                }
                else
                {
                    _registry.ReportDistributedFallback(Name, PolicyKind.RateLimit, _policyTag);
                    if (settings.Counter.TryAcquire(NowTicks))
                    {
                        return true;
                    }

                    wait = TimeSpan.FromTicks(settings.Counter.TicksUntilPermit(NowTicks));
                }

                if (!queued)
                {
                    if (!TryJoinSharedWait())
                    {
                        return false;
                    }

                    queued = true;
                }

                await _registry.DelayAsync(wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1), cancellationToken).ConfigureAwait(false);
                settings = Volatile.Read(ref _settings);
                if (!settings.Options.Distributed)
                {
                    // The limit was made local while this call waited: from now on it takes its permit from this
                    // instance's count, where the calls made since are counted too, not from the store.
                    break;
                }
            }
        }
        finally
        {
            if (askingForBatch)
            {
                Volatile.Write(ref _batchAsked, 0);
            }

            if (queued)
            {
                Interlocked.Decrement(ref _sharedWaiting);
            }
        }

        return await AcquireAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a permit from the batch taken for <paramref name="settings"/>, if it has one left and its lease runs.</summary>
    /// <remarks>
    /// The take that leaves <see cref="PermitBatch.RefillAt"/> permits asks for the next batch in the background, so that
    /// under steady load it arrives before this one runs out and no call waits for the store.
    /// </remarks>
    private bool TryTakeFromBatch(Settings settings)
    {
        if (Volatile.Read(ref _batch) is not { } batch || !ReferenceEquals(batch.Owner, settings) || !batch.TryTake(NowTicks, out int left))
        {
            return false;
        }

        if (left == batch.RefillAt && left > 0 && _registry.DistributedStore is { } store && Interlocked.CompareExchange(ref _batchAsked, 1, 0) == 0)
        {
            _ = RefillAheadAsync(store, settings);
        }

        return true;
    }

    /// <summary>Asks for the next batch while the current one still has permits; they are carried into the new one.</summary>
    private async Task RefillAheadAsync(IDistributedResilienceStore store, Settings settings)
    {
        try
        {
            DistributedAcquireResult answer = await store.TryAcquireAsync(Name, Key, settings.Options, settings.Options.DistributedBatch, CancellationToken.None).ConfigureAwait(false);

            // The ask is over before the new batch is handed out, so that the take reaching its refill point asks again.
            Volatile.Write(ref _batchAsked, 0);
            if (answer.IsAvailable)
            {
                Volatile.Write(ref _sharedAnswer, new SharedAnswer(settings, answer.Info, NowTicks));
                if (answer.Acquired)
                {
                    KeepBatch(settings, answer, answer.Granted);
                }
            }
        }
        catch (Exception)
        {
            // Nothing is lost: the calls ask the store themselves once this batch runs out.
        }
        finally
        {
            Volatile.Write(ref _batchAsked, 0);
        }
    }

    /// <summary>
    /// Keeps <paramref name="keep"/> permits of <paramref name="answer"/> to hand out, until <see cref="BatchLease"/> (or
    /// the window) ends, and for a fixed window not past the window's end, where the store's count starts again. The
    /// permits still left in the batch it replaces are carried into it if its lease has not ended (for a fixed window,
    /// only within one window), so that this instance hands out one batch at a time and asking ahead wastes nothing.
    /// </summary>
    private void KeepBatch(Settings settings, DistributedAcquireResult answer, int keep)
    {
        long now = NowTicks;
        long lease = Math.Min(BatchLease.Ticks, TimeSpan.FromMilliseconds(settings.Options.WindowMs).Ticks);
        long window = 0;
        if (settings.Options.Algorithm == RateLimitAlgorithm.FixedWindow)
        {
            long untilReset = (answer.Info.ResetAt - _registry.TimeProvider.GetUtcNow()).Ticks;
            lease = Math.Min(lease, untilReset);
            window = answer.Info.ResetAt.UtcTicks / TimeSpan.TicksPerMillisecond;
        }

        if (lease <= 0)
        {
            return;
        }

        int size = settings.Options.DistributedBatch;
        var batch = new PermitBatch(settings, keep, now + lease, refillAt: size >= 4 ? size / 4 : 0, window);
        if (Interlocked.Exchange(ref _batch, batch) is { } previous)
        {
            int carried = previous.Discard();
            // Two answers of one fixed window give its end to within the round trip's time: half a window tells them apart.
            bool sameWindow = Math.Abs(previous.Window - window) < settings.Options.WindowMs / 2.0;
            if (carried > 0 && ReferenceEquals(previous.Owner, settings) && !previous.HasExpired(now) && sameWindow)
            {
                batch.Add(carried);
            }
        }
    }

    /// <summary>Counts a distributed limit's call as waiting, unless the queue is full (a rejection, counted).</summary>
    private bool TryJoinSharedWait()
    {
        if (Interlocked.Increment(ref _sharedWaiting) + LocalQueued <= Volatile.Read(ref _settings).Options.QueueLimit)
        {
            return true;
        }

        Interlocked.Decrement(ref _sharedWaiting);
        RecordRejection();
        return false;
    }

    /// <summary>Counts a rejection, on the limit, on the meter and for the listeners.</summary>
    private void RecordRejection()
    {
        Interlocked.Increment(ref _rejections);
        if (ResilienceMetrics.RateLimitRejections.Enabled)
        {
            ResilienceMetrics.RateLimitRejections.Add(1, _policyTag);
        }

        if (_registry.HasListeners)
        {
            _registry.Notify(new RejectionEventArgs(Name, PolicyKind.RateLimit, RetryAfter));
        }
    }

    /// <summary>The attribute's settings with <paramref name="settings"/> laid over them, checked; the attribute's alone when none are given.</summary>
    private RateLimitOptions EffectiveOptions(PolicySettings? settings)
        => settings is { HasRateLimitSettings: true } ? settings.ApplyTo(_defaults).ValidatedCopy() : _defaults;

    /// <summary>
    /// Queues the call behind those already waiting (it is served at once if a permit is free and nobody is ahead of it);
    /// false, with the rejection counted, when the queue is full.
    /// </summary>
    private ValueTask<bool> WaitInQueueAsync(Settings settings, CancellationToken cancellationToken)
    {
        int room = settings.Options.QueueLimit - Volatile.Read(ref _sharedWaiting);
        if (room <= LocalQueued)
        {
            // Full (or no queue at all): rejected without allocating; TryEnqueue checks again under its lock.
            RecordRejection();
            return new ValueTask<bool>(false);
        }

        PermitQueue queue = Volatile.Read(ref _queue) ?? CreateQueue();
        Task<bool>? waiting = queue.TryEnqueue(room, cancellationToken, out object? ticket);
        if (waiting is null)
        {
            RecordRejection();
            return new ValueTask<bool>(false);
        }

        // Queued (a full fence), then the mark read: a sweep that dropped this partition meanwhile is seen here.
        if (ticket is not null && _retirement.SuccessorOf(this) is { } successor)
        {
            return queue.TryWithdraw(ticket)
                ? successor.AcquireAsync(cancellationToken)
                : ThenFromSuccessorAsync(waiting, successor, cancellationToken);
        }

        return new ValueTask<bool>(waiting);
    }

    /// <summary>A call handed a permit by a partition a sweep dropped also takes one from the key's partition now.</summary>
    private static async ValueTask<bool> ThenFromSuccessorAsync(Task<bool> waiting, RateLimiterState successor, CancellationToken cancellationToken)
        => await waiting.ConfigureAwait(false) && await successor.AcquireAsync(cancellationToken).ConfigureAwait(false);

    private PermitQueue CreateQueue()
    {
        Interlocked.CompareExchange(ref _queue, new PermitQueue(this), null);
        return _queue!;
    }

    /// <summary>The distributed store's last answer, for the settings it was given, and when it came (<see cref="Clock.NowTicks"/>).</summary>
    private sealed class SharedAnswer
    {
        public SharedAnswer(Settings settings, RateLimitInfo info, long at)
        {
            Settings = settings;
            Info = info;
            At = at;
        }

        public Settings Settings { get; }

        public RateLimitInfo Info { get; }

        public long At { get; }
    }

    /// <summary>One consistent set of settings and the counter built for them.</summary>
    private sealed class Settings
    {
        public Settings(RateLimitOptions options)
        {
            Options = options;
            Counter = PermitCounter.Create(options);
        }

        public RateLimitOptions Options { get; }

        public PermitCounter Counter { get; }
    }
}
