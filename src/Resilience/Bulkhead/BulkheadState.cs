using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The shared state of one named bulkhead: at most <see cref="BulkheadOptions.MaxConcurrency"/> calls run at
/// once, up to <see cref="BulkheadOptions.MaxQueue"/> more wait their turn in order, the rest are rejected.
/// </summary>
/// <remarks>
/// Thread-safe. Taking a free slot is one compare-and-swap; only a call that has to wait, and a release
/// while calls wait, take a lock. Waiting calls honour their cancellation token and
/// <see cref="BulkheadOptions.MaxWaitMs"/>; a slot freed while calls wait goes to the one that waited longest.
/// </remarks>
public sealed class BulkheadState
{
    private readonly ResilienceRegistry _registry;
    private readonly BulkheadOptions _defaults;
    private readonly KeyValuePair<string, object?> _policyTag;
    private readonly object _gate = new();
    private BulkheadOptions _options;
    private readonly Queue<Waiter> _queue = new();
    private int _active;
    private int _waiting;
    private long _rejections;

    // The calls in the queue waiting for a slot: counted when queued, not when announced (see Enqueue).
    private int _queued;

    internal BulkheadState(ResilienceRegistry registry, string name, BulkheadOptions options, PolicySettings? settings = null)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        _registry = registry;
        Name = name;
        _policyTag = ResilienceMetrics.Policy(name);
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _options = EffectiveOptions(settings);
    }

    /// <summary>The bulkhead's name: the attribute's <c>Name</c>, or <c>Namespace.Type.Method</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The settings in force: the attribute's, with any given to <see cref="ResilienceRegistry.Configure"/> laid
    /// over them (a copy; changing it has no effect).
    /// </summary>
    public BulkheadOptions Options => Volatile.Read(ref _options).Copy();

    /// <summary>Calls running now.</summary>
    public int ActiveCount => Volatile.Read(ref _active);

    /// <summary>Calls waiting for a slot now.</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>Calls rejected since the bulkhead was created or the registry was reset.</summary>
    public long RejectionCount => Volatile.Read(ref _rejections);

    /// <summary>Takes a slot if one is free, without waiting. A true result must be followed by exactly one <see cref="Release"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool TryEnter()
    {
        if (InScope() is { } scoped)
        {
            return scoped.TryEnter();
        }

        int max = Volatile.Read(ref _options).MaxConcurrency;
        int active = Volatile.Read(ref _active);
        while (active < max)
        {
            int seen = Interlocked.CompareExchange(ref _active, active + 1, active);
            if (seen == active)
            {
                return true;
            }

            active = seen;
        }

        return false;
    }

    /// <summary>
    /// Takes a slot, waiting in the queue if there is room in it. True when a slot was taken (follow it with
    /// exactly one <see cref="Release"/>); false when the call is rejected (see <see cref="CreateRejection"/>).
    /// Completes synchronously, without allocating, when a slot is free.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the call waited.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<bool> EnterAsync(CancellationToken cancellationToken)
    {
        if (InScope() is { } scoped)
        {
            return scoped.EnterAsync(cancellationToken);
        }

        if (TryEnter())
        {
            return new ValueTask<bool>(true);
        }

        Waiter? waiter = Enqueue(cancellationToken);
        return waiter is null ? new ValueTask<bool>(NoWaiterResult(cancellationToken)) : new ValueTask<bool>(waiter.Completion.Task);
    }

    /// <summary>The blocking form of <see cref="EnterAsync"/>, for synchronous methods.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the call waited.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool Enter(CancellationToken cancellationToken)
    {
        if (InScope() is { } scoped)
        {
            return scoped.Enter(cancellationToken);
        }

        if (TryEnter())
        {
            return true;
        }

        Waiter? waiter = Enqueue(cancellationToken);
        return waiter is null ? NoWaiterResult(cancellationToken) : waiter.Completion.Task.GetAwaiter().GetResult();
    }

    /// <summary>Gives back a slot taken by <see cref="TryEnter"/>, <see cref="EnterAsync"/> or <see cref="Enter"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Release()
    {
        if (InScope() is { } scoped)
        {
            scoped.Release();
            return;
        }

        if (Volatile.Read(ref _waiting) == 0)
        {
            if (Interlocked.Decrement(ref _active) < 0)
            {
                Interlocked.Increment(ref _active);
                throw new InvalidOperationException($"The bulkhead '{Name}' was released more often than entered.");
            }

            // A call may have queued after the check above; it either saw the freed slot or is handed one now.
            if (Volatile.Read(ref _waiting) == 0)
            {
                return;
            }

            HandOverFreeSlots();
            return;
        }

        Waiter? next;
        lock (_gate)
        {
            // Above a limit lowered by Configure, the slot is not passed on: the bulkhead shrinks as calls finish.
            next = Volatile.Read(ref _active) > _options.MaxConcurrency ? null : DequeueLocked();
            if (next is null)
            {
                Interlocked.Decrement(ref _active);
            }
        }

        // The slot passes to the waiter as it is: the active count does not change.
        next?.Complete(true);
    }

    /// <summary>Creates the exception that explains why <see cref="EnterAsync"/> or <see cref="Enter"/> returned false.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public BulkheadRejectedException CreateRejection()
    {
        if (InScope() is { } scoped)
        {
            return scoped.CreateRejection();
        }

        BulkheadOptions options = Volatile.Read(ref _options);
        return new(Name, options.MaxConcurrency, options.MaxQueue, options.MaxWaitMs);
    }

    /// <summary>The attribute's settings, checked: what the bulkhead was created with, before any <see cref="ResilienceRegistry.Configure"/>.</summary>
    internal BulkheadOptions AttributeOptions => _defaults;

    internal void ResetCounters() => Volatile.Write(ref _rejections, 0);

    /// <summary>The entries of the queue, abandoned ones included (those not yet dropped): what the queue holds in memory.</summary>
    internal int QueueEntries
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>
    /// Lays <paramref name="settings"/> over the attribute's settings; see <see cref="ResilienceRegistry.Configure"/>.
    /// A higher limit lets queued calls in at once; a lower one takes effect as running calls finish.
    /// </summary>
    internal void Apply(PolicySettings? settings)
    {
        BulkheadOptions next = EffectiveOptions(settings);
        lock (_gate)
        {
            if (_options.SameAs(next))
            {
                return;
            }

            Volatile.Write(ref _options, next);
        }

        if (Volatile.Read(ref _waiting) != 0)
        {
            HandOverFreeSlots();
        }
    }

    /// <summary>
    /// The bulkhead of the same name in the <see cref="ResilienceScope"/> this call runs in, when this is a bulkhead of
    /// <see cref="ResilienceRegistry.Default"/>; null otherwise, and at the cost of one static read until a scope is first begun.
    /// </summary>
    private BulkheadState? InScope() => ResilienceScope.AnyBegun ? InScopeSlow() : null;

    private BulkheadState? InScopeSlow()
        => ResilienceScope.RegistryInsteadOf(_registry) is { } scoped ? scoped.GetOrAddBulkhead(Name, _defaults) : null;

    /// <summary>The attribute's settings with <paramref name="settings"/> laid over them, checked; the attribute's alone when none are given.</summary>
    private BulkheadOptions EffectiveOptions(PolicySettings? settings)
        => settings is { HasBulkheadSettings: true } ? settings.ApplyTo(_defaults).ValidatedCopy() : _defaults;

    /// <summary>Counts a rejection, on the bulkhead, on the meter and for the listeners.</summary>
    private void RecordRejection()
    {
        Interlocked.Increment(ref _rejections);
        if (ResilienceMetrics.BulkheadRejections.Enabled)
        {
            ResilienceMetrics.BulkheadRejections.Add(1, _policyTag);
        }

        if (_registry.HasListeners)
        {
            _registry.Notify(new RejectionEventArgs(Name, PolicyKind.Bulkhead, retryAfter: null));
        }
    }

    private bool NoWaiterResult(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    /// <summary>Queues the call, or returns null when it took a slot after all (true) or must be rejected (false: see the caller).</summary>
    private Waiter? Enqueue(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter? waiter;
        BulkheadOptions options;
        lock (_gate)
        {
            // Announce the wait before the last look at the slots, so that a concurrent Release sees one or the other.
            Interlocked.Increment(ref _waiting);
            if (TryEnter())
            {
                Interlocked.Decrement(ref _waiting);
                return Waiter.Entered;
            }

            // _waiting counts the calls really waiting, this one included; the queue also holds abandoned ones.
            options = _options;
            if (_waiting > options.MaxQueue)
            {
                Interlocked.Decrement(ref _waiting);
                waiter = null;
            }
            else
            {
                waiter = new Waiter(this);
                _queue.Enqueue(waiter);
                Interlocked.Increment(ref _queued);
            }
        }

        if (waiter is null)
        {
            // A caller that cancelled meanwhile ends as a cancellation (see NoWaiterResult), not as a rejection.
            if (!cancellationToken.IsCancellationRequested)
            {
                RecordRejection();
            }

            return null;
        }

        waiter.Arm(cancellationToken, options.MaxWaitMs, _registry.TimeProvider);
        return waiter;
    }

    private void HandOverFreeSlots()
    {
        var granted = new List<Waiter>();
        lock (_gate)
        {
            while (_queue.Count > 0 && TryEnter())
            {
                Waiter? next = DequeueLocked();
                if (next is null)
                {
                    Interlocked.Decrement(ref _active);
                    break;
                }

                granted.Add(next);
            }
        }

        foreach (Waiter waiter in granted)
        {
            waiter.Complete(true);
        }
    }

    /// <summary>The longest-waiting call still waiting, taken out of the queue; null if none.</summary>
    private Waiter? DequeueLocked()
    {
        while (_queue.Count > 0)
        {
            Waiter candidate = _queue.Dequeue();
            if (candidate.TryClaimLocked())
            {
                Interlocked.Decrement(ref _waiting);
                Interlocked.Decrement(ref _queued);
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Called by a waiter whose wait ended (cancelled or timed out) before it was given a slot.</summary>
    private bool TryAbandon(Waiter waiter)
    {
        lock (_gate)
        {
            if (!waiter.TryClaimLocked())
            {
                return false;
            }

            // It stays in the queue, marked, and is skipped when it reaches the front; abandoned calls already
            // at the front go now, so that waits that keep running out do not pile up behind a stuck slot.
            Interlocked.Decrement(ref _waiting);
            Interlocked.Decrement(ref _queued);
            while (_queue.Count > 0 && _queue.Peek().IsClaimed)
            {
                _queue.Dequeue();
            }

            return true;
        }
    }

    private sealed class Waiter
    {
        public static readonly Waiter Entered = CreateEntered();

        private static readonly Action<object?> s_onCancelled = static state => ((Waiter)state!).OnCancelled();
        private static readonly TimerCallback s_onTimeout = static state => ((Waiter)state!).OnTimedOut();

        private readonly BulkheadState? _owner;
        private bool _claimed;
        private CancellationToken _cancellationToken;
        private CancellationTokenRegistration _registration;
        private ITimer? _timer;

        public Waiter(BulkheadState? owner) => _owner = owner;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arm(CancellationToken cancellationToken, int maxWaitMs, TimeProvider timeProvider)
        {
            _cancellationToken = cancellationToken;
            if (maxWaitMs > 0)
            {
                _timer = timeProvider.CreateTimer(s_onTimeout, this, TimeSpan.FromMilliseconds(maxWaitMs), System.Threading.Timeout.InfiniteTimeSpan);
            }

            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.Register(s_onCancelled, this);
            }

            if (Completion.Task.IsCompleted)
            {
                // Handed a slot before it was armed: the timer and registration are not needed.
                _timer?.Dispose();
                _registration.Dispose();
            }
        }

        /// <summary>True once the waiter was dealt with (given a slot or abandoned). Read under the owner's lock.</summary>
        public bool IsClaimed => _claimed;

        /// <summary>Marks the waiter as dealt with; only the first claim succeeds. Call under the owner's lock.</summary>
        public bool TryClaimLocked()
        {
            if (_claimed)
            {
                return false;
            }

            _claimed = true;
            return true;
        }

        public void Complete(bool entered)
        {
            // Outside the owner's lock: disposing a registration waits for its callback, which takes that lock.
            _timer?.Dispose();
            _registration.Dispose();
            Completion.TrySetResult(entered);
        }

        private void OnCancelled()
        {
            if (_owner!.TryAbandon(this))
            {
                _timer?.Dispose();
                Completion.TrySetCanceled(_cancellationToken);
            }
        }

        private void OnTimedOut()
        {
            if (_owner!.TryAbandon(this))
            {
                _registration.Dispose();
                _timer?.Dispose();
                _owner.RecordRejection();
                Completion.TrySetResult(false);
            }
        }

        private static Waiter CreateEntered()
        {
            var entered = new Waiter(null);
            entered.Completion.SetResult(true);
            return entered;
        }
    }
}
