using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// The calls of one <see cref="RateLimiterState"/> waiting for a permit, served in the order they arrived: a permit
/// freed while calls wait goes to the one that waited longest, and no call behind it takes one first.
/// </summary>
/// <remarks>
/// Thread-safe, under a lock that only waiting calls and the queue's timer take. One timer on the registry's clock
/// wakes the queue when the limiter expects its next permit. A permit is taken only for the call it is handed to, under
/// the lock, so a call that leaves the queue (its token cancelled) takes none with it.
/// </remarks>
internal sealed class PermitQueue
{
    private static readonly TimerCallback s_onTimer = static state => ((PermitQueue)state!).Serve();

    private readonly RateLimiterState _owner;
    private readonly Queue<Waiter> _waiters = new();

    // The calls waiting now; the queue also holds calls that left it and are dropped when they reach the front.
    private int _count;
    private ITimer? _timer;
    private TimeProvider? _timerClock;

    public PermitQueue(RateLimiterState owner) => _owner = owner;

    /// <summary>The calls waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Queues a call behind those already waiting, unless <paramref name="queueLimit"/> calls wait already: null then.
    /// The task completes with true once a permit is handed to the call (at once, when one is free and nobody is ahead
    /// of it), or as cancelled when <paramref name="cancellationToken"/> is cancelled first.
    /// </summary>
    public Task<bool>? TryEnqueue(int queueLimit, CancellationToken cancellationToken, out object? ticket)
    {
        var waiter = new Waiter(this);

        // Armed before the call is queued, so that serving it never races with its registration being written.
        waiter.Arm(cancellationToken);
        Waiter? served = null;
        bool turnedAway = false;
        lock (_waiters)
        {
            if (waiter.Claimed)
            {
                // Cancelled already: the registration ended the call.
                ticket = null;
                return waiter.Task;
            }

            if (_count >= queueLimit)
            {
                waiter.Claimed = true;
                turnedAway = true;
            }
            else
            {
                _waiters.Enqueue(waiter);
                waiter.Queued = true;

                // A full fence: a sweep that marks the partition dropped after this reads it busy (see RateLimiterState.TryRetire).
                Interlocked.Increment(ref _count);
                served = ServeLocked();
            }
        }

        if (!ReferenceEquals(served, null))
        {
            GrantAll(served);
        }

        if (turnedAway)
        {
            waiter.Disarm();
            ticket = null;
            return null;
        }

        ticket = waiter;
        return waiter.Task;
    }

    /// <summary>
    /// Takes a call queued by <see cref="TryEnqueue"/> out of the queue without completing it; false when it was handed
    /// a permit (or cancelled) already.
    /// </summary>
    public bool TryWithdraw(object ticket)
    {
        var waiter = (Waiter)ticket;
        if (!TryLeave(waiter))
        {
            return false;
        }

        waiter.Disarm();
        return true;
    }

    /// <summary>Hands free permits to the calls at the front, in order; called by the timer, and when the limiter is refilled.</summary>
    public void Serve()
    {
        Waiter? served;
        lock (_waiters)
        {
            served = ServeLocked();
        }

        if (!ReferenceEquals(served, null))
        {
            GrantAll(served);
        }
    }

    private static void GrantAll(Waiter served)
    {
        // Outside the lock: disposing a registration waits for a cancellation callback running meanwhile, which takes it.
        for (Waiter? next = served; next is not null;)
        {
            Waiter granted = next;
            next = granted.NextServed;
            granted.NextServed = null;
            granted.Grant();
        }
    }

    /// <summary>
    /// Takes permits for the calls at the front while the limiter has some, and returns them (linked by
    /// <see cref="Waiter.NextServed"/>, in order) to be completed outside the lock; sets the timer for the next permit when
    /// calls still wait.
    /// </summary>
    private Waiter? ServeLocked()
    {
        Waiter? first = null;
        Waiter? last = null;
        long now = _owner.NowTicks;
        while (_waiters.Count > 0)
        {
            Waiter head = _waiters.Peek();
            if (head.Claimed)
            {
                _waiters.Dequeue();
                continue;
            }

            if (!_owner.TryTakeLocalPermit(now))
            {
                break;
            }

            _waiters.Dequeue();
            head.Claimed = true;
            Interlocked.Decrement(ref _count);
            if (last is null)
            {
                first = head;
            }
            else
            {
                last.NextServed = head;
            }

            last = head;
        }

        if (_count > 0)
        {
            WakeForNextPermitLocked(now);
        }

        return first;
    }

    /// <summary>Sets the timer for when the limiter expects its next permit, at least a tick away, on the registry's clock now.</summary>
    private void WakeForNextPermitLocked(long now)
    {
        TimeSpan due = TimeSpan.FromTicks(Math.Max(1, _owner.TicksUntilLocalPermit(now)));
        TimeProvider clock = _owner.TimeProvider;
        if (_timer is not null && ReferenceEquals(clock, _timerClock))
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
            return;
        }

        _timer?.Dispose();
        _timerClock = clock;

        // The timer serves every waiter: it must not carry the context (a test's scope, an activity) of the one that started it.
        bool suppress = !ExecutionContext.IsFlowSuppressed();
        AsyncFlowControl flow = suppress ? ExecutionContext.SuppressFlow() : default;
        try
        {
            _timer = clock.CreateTimer(s_onTimer, this, due, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (suppress)
            {
                flow.Undo();
            }
        }
    }

    /// <summary>Takes a waiting call out of the queue (its wait ended without a permit); false when it was dealt with already.</summary>
    private bool TryLeave(Waiter waiter)
    {
        lock (_waiters)
        {
            if (waiter.Claimed)
            {
                return false;
            }

            waiter.Claimed = true;
            if (!waiter.Queued)
            {
                // Cancelled while it was being queued: it was never counted.
                return true;
            }

            Interlocked.Decrement(ref _count);

            // It stays in the queue, marked, until it reaches the front; those at the front already go now.
            while (_waiters.Count > 0 && _waiters.Peek().Claimed)
            {
                _waiters.Dequeue();
            }

            return true;
        }
    }

    private sealed class Waiter : TaskCompletionSource<bool>
    {
        private static readonly Action<object?> s_onCancelled = static state => ((Waiter)state!).OnCancelled();

        private readonly PermitQueue _queue;
        private CancellationToken _cancellationToken;
        private CancellationTokenRegistration _registration;

        public Waiter(PermitQueue queue)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _queue = queue;
        }

        /// <summary>True once the call was dealt with: handed a permit, turned away, or gone. Read and written under the queue's lock.</summary>
        public bool Claimed { get; set; }

        /// <summary>True once the call is in the queue (and counted). Read and written under the queue's lock.</summary>
        public bool Queued { get; set; }

        /// <summary>The next call served in the same pass, to be completed after this one.</summary>
        public Waiter? NextServed { get; set; }

        public void Arm(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellationToken = cancellationToken;
                _registration = cancellationToken.Register(s_onCancelled, this);
            }
        }

        public void Disarm() => _registration.Dispose();

        public void Grant()
        {
            _registration.Dispose();
            TrySetResult(true);
        }

        private void OnCancelled()
        {
            if (_queue.TryLeave(this))
            {
                TrySetCanceled(_cancellationToken);
            }
        }
    }
}
