using System;
using System.ComponentModel;
using System.Threading;

namespace Resilience;

/// <summary>
/// A cancellation source for one timed-out-able call: its <see cref="Token"/> is cancelled when the timeout
/// elapses on the registry's <see cref="System.TimeProvider"/> or when the caller's token is cancelled,
/// whichever comes first. Sources are pooled, so a call that completes in time allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Generated code rents one with <see cref="ResilienceRegistry.StartTimeout"/> and gives it back with
/// <see cref="Return"/> exactly once, when the call has completed. After that the source and its token
/// belong to another call: work that outlives the call must not keep observing the token.
/// </para>
/// <para>
/// A source whose token was cancelled is never reused. On .NET 8 and later, other sources are reset with
/// <c>CancellationTokenSource.TryReset</c> and reused, and a call allocates nothing; on .NET Standard 2.0, which cannot
/// reset one, the source and its timer are reused with a new <see cref="CancellationTokenSource"/> for each call
/// (48 bytes on .NET 10 for x64).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TimeoutCancellationSource
{
    // _status packs a generation (bumped on every rent) with the state in the low two bits, so a timer
    // callback left over from an earlier rent can never cancel a later one.
    private const long StateMask = 3;
    private const long Idle = 0;
    private const long Running = 1;
    private const long TimedOut = 2;
    private const long CallerCancelled = 3;

    private static readonly TimerCallback s_onTimer = static state => ((TimeoutCancellationSource)state!).OnTimer();
    private static readonly Action<object?> s_onCallerCancelled = static state => ((TimeoutCancellationSource)state!).OnCallerCancelled();
    private static readonly TimeoutCancellationSource?[] s_shared = new TimeoutCancellationSource?[Math.Min(64, Math.Max(4, Environment.ProcessorCount * 2))];

    // Each thread has one source of its own, which stays in this slot whether it is rented or not: a rent and a
    // return only flip its _poolState (Free, Rented, Dead), so neither writes the thread-static slot. A source
    // rented on one thread may be returned on another; only its owner rents it again. Sources rented while the
    // thread's own is busy (nested timeouts, calls still running) come from and go back to s_shared.
    [ThreadStatic]
    private static TimeoutCancellationSource? t_own;

    private const int Free = 0;
    private const int Rented = 1;
    private const int Dead = 2;

    private readonly bool _owned;
    private int _poolState = Rented;

    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;
    // Replaced after each call on .NET Standard 2.0, which cannot reset it (see Return).
    private CancellationTokenSource _cancellation = new();
    private CancellationTokenRegistration _callerRegistration;
    private long _status;

    // The timer callbacks running now (a re-armed timer can fire again before the last callback is over). A
    // callback raises it, then fences every thread of the process at once (see Fence), then looks at _status;
    // the hot paths (Start, Return) only write, then read, with no fence of their own. So of a call and a timer
    // meeting, at least one sees the other.
    private int _firing;

    // Times are TimeSpan ticks on this source's clock (see Now). The timer is left armed when the source is
    // returned: re-arming it costs a lock on the timer queue, twice a call. A rent re-arms it only when it is
    // not armed or armed later than the new deadline; a timer that fires before the deadline re-arms itself.
    private long _deadline;
    private long _armedUntil = NotArmed;
    private const long NotArmed = long.MaxValue;

    private TimeoutCancellationSource(TimeProvider timeProvider, bool owned)
    {
        _timeProvider = timeProvider;
        _owned = owned;
        // A pooled timer must not keep alive the execution context (and its async locals) of the call that created it.
        bool suppress = !ExecutionContext.IsFlowSuppressed();
        AsyncFlowControl flow = suppress ? ExecutionContext.SuppressFlow() : default;
        try
        {
            _timer = timeProvider.CreateTimer(s_onTimer, this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (suppress)
            {
                flow.Undo();
            }
        }
    }

    /// <summary>The token to pass to the operation: cancelled on timeout or by the caller.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>The timeout this source was started with.</summary>
    public TimeSpan Timeout { get; private set; }

    /// <summary>True when the timeout elapsed (rather than the caller cancelling) and the token was cancelled for it.</summary>
    public bool HasTimedOut => (Volatile.Read(ref _status) & StateMask) == TimedOut;

    /// <summary>True when a wait of <paramref name="wait"/> starting now would end before the timeout fires.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool LeavesTimeFor(TimeSpan wait) => Volatile.Read(ref _deadline) - Now() > wait.Ticks;

    /// <summary>Starts a timeout. Prefer <see cref="ResilienceRegistry.StartTimeout"/>, which uses the registry's clock.</summary>
    /// <param name="timeout">How long the operation may run; positive.</param>
    /// <param name="cancellationToken">The caller's token; cancelling it cancels <see cref="Token"/>.</param>
    /// <param name="timeProvider">The clock the timeout runs on.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public static TimeoutCancellationSource Rent(TimeSpan timeout, CancellationToken cancellationToken, TimeProvider timeProvider)
    {
        Guard.Positive(timeout, nameof(timeout));
        if (timeProvider is null)
        {
            throw new ArgumentNullException(nameof(timeProvider));
        }

        TimeoutCancellationSource source = TakeFromPool(timeProvider);
        source.Start(timeout, cancellationToken);
        return source;
    }

    /// <summary>Stops the timeout and gives the source back to the pool. Call it exactly once, when the call has completed.</summary>
    public void Return()
    {
        // Waits for a caller-cancellation callback that is running, so none can arrive after this point.
        _callerRegistration.Dispose();
        _callerRegistration = default;

        long status = Volatile.Read(ref _status);
        if ((status & StateMask) != Running || !TryStop(status))
        {
            // Cancelled (by the timer or the caller), or the timer is deciding right now: not reused.
            Discard();
            return;
        }

#if NET6_0_OR_GREATER
        // The timer stays armed; when it fires it finds the source idle, or running a later deadline. TryReset
        // fails if the timer cancelled the source after all (it won the race before the status was written).
        if (_cancellation.TryReset())
        {
            ReturnToPool(this);
            return;
        }

        Discard();
#else
        // A source cannot be reset here: the next call gets a new one, and keeps this source and its timer. Stopped
        // above, the timer and the caller's registration can no longer cancel the old one (their status no longer
        // matches), and the pool publishes the new one with the source.
        _cancellation = new CancellationTokenSource();
        ReturnToPool(this);
#endif
    }

#if NET5_0_OR_GREATER
    /// <summary>
    /// Moves a running source to idle, unless the timer callback is running: then false, and the source must not
    /// be reused (the callback may still cancel it). A plain write and a plain read: the fence is the callback's.
    /// </summary>
    private bool TryStop(long running)
    {
        // The generation, state Idle (0).
        Volatile.Write(ref _status, running & ~StateMask);
        return Volatile.Read(ref _firing) == 0;
    }

    /// <summary>
    /// A full fence on every thread of the process. The timer callback, which runs at most once per timeout,
    /// pays for it, so that the calls do not have to fence themselves.
    /// </summary>
    private static void Fence() => Interlocked.MemoryBarrierProcessWide();
#else
    private bool TryStop(long running) => Interlocked.CompareExchange(ref _status, (running & ~StateMask) | Idle, running) == running;

    private static void Fence()
    {
    }
#endif

    private void Start(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeout = timeout;
        long deadline = Now() + timeout.Ticks;
        Volatile.Write(ref _deadline, deadline);
        // Announce the run, then read _armedUntil; OnTimer does the opposite with a fence between (see _firing), so
        // that of a rent and a timer firing at the same moment, at least one of them sees the other and arms the timer.
#if NET5_0_OR_GREATER
        // Stryker disable once Bitwise,Arithmetic : the generation (the high bits) only matters to the .NET Standard build's compare-exchange; on .NET 5 and later a source whose timer callback is running is discarded at Return (see _firing) and the caller's registration is disposed before the status changes, so no callback compares against a reused status
        long generation = ((_status >> 2) + 1) << 2;
        Volatile.Write(ref _status, generation | Running);
#else
        Interlocked.Exchange(ref _status, ((_status >> 2) + 1) << 2 | Running);
#endif
        if (cancellationToken.CanBeCanceled)
        {
            // Runs the callback at once if the token is already cancelled.
#if NET6_0_OR_GREATER
            _callerRegistration = cancellationToken.UnsafeRegister(s_onCallerCancelled, this);
#else
            _callerRegistration = cancellationToken.Register(s_onCallerCancelled, this);
#endif
        }

        if (Volatile.Read(ref _armedUntil) > deadline)
        {
            Volatile.Write(ref _armedUntil, deadline);
            _timer.Change(timeout, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Now, in <see cref="TimeSpan"/> ticks, on this source's clock (see <see cref="Clock.NowTicks"/>).</summary>
    private long Now() => Clock.NowTicks(_timeProvider);

    private void OnTimer()
    {
        // This arming has fired, and the callback is running; fence; then look at the state (see _firing).
        Interlocked.Exchange(ref _armedUntil, NotArmed);
        Interlocked.Increment(ref _firing);
        Fence();
        try
        {
            OnTimerFenced();
        }
        finally
        {
            Interlocked.Decrement(ref _firing);
        }
    }

    private void OnTimerFenced()
    {
        while (true)
        {
            long status = Volatile.Read(ref _status);
            if ((status & StateMask) != Running)
            {
                return;
            }

            // Armed for an earlier deadline than this rent's, or fired a little early: re-arm for the rest.
            long deadline = Volatile.Read(ref _deadline);
            long remaining = deadline - Now();
            if (remaining > 0)
            {
                Volatile.Write(ref _armedUntil, deadline);
                _timer.Change(TimeSpan.FromTicks(remaining), System.Threading.Timeout.InfiniteTimeSpan);
                return;
            }

            if (Interlocked.CompareExchange(ref _status, (status & ~StateMask) | TimedOut, status) == status)
            {
                _cancellation.Cancel();
                return;
            }
        }
    }

    private void OnCallerCancelled()
    {
        long status = Volatile.Read(ref _status);
        if ((status & StateMask) != Running)
        {
            return;
        }

        // Stryker disable once Bitwise,Unary : the generation (the high bits) only matters to the .NET Standard build's compare-exchange; on .NET 5 and later a source whose timer callback is running is discarded at Return (see _firing) and the caller's registration is disposed before the status changes, so no callback compares against a reused status
        long cancelled = (status & ~StateMask) | CallerCancelled;
        if (Interlocked.CompareExchange(ref _status, cancelled, status) == status)
        {
            _cancellation.Cancel();
        }
    }

    /// <summary>A source for this thread to rent: its own if that is free, else a shared one, else a new one.</summary>
    private static TimeoutCancellationSource TakeFromPool(TimeProvider timeProvider)
    {
        TimeoutCancellationSource? own = t_own;
        if (own is not null)
        {
            int state = Volatile.Read(ref own._poolState);
            if (state == Free && ReferenceEquals(own._timeProvider, timeProvider))
            {
                own._poolState = Rented;
                return own;
            }

            if (state != Rented)
            {
                // Dead, or made for another clock (the registry's TimeProvider was replaced): replaced below.
                if (state == Free)
                {
                    own._timer.Dispose();
                }

                own = null;
            }
        }

        if (own is null)
        {
            own = new TimeoutCancellationSource(timeProvider, owned: true);
            t_own = own;
            return own;
        }

        // This thread's own source is rented (a nested timeout, or a call still running): a shared one.
        for (int i = 0; i < s_shared.Length; i++)
        {
            if (Volatile.Read(ref s_shared[i]) is not null && Interlocked.Exchange(ref s_shared[i], null) is { } shared)
            {
                if (ReferenceEquals(shared._timeProvider, timeProvider))
                {
                    return shared;
                }

                shared._timer.Dispose();
            }
        }

        return new TimeoutCancellationSource(timeProvider, owned: false);
    }

    /// <summary>Makes a reset source available again: its owner's to rent, or the shared pool's.</summary>
    private static void ReturnToPool(TimeoutCancellationSource source)
    {
        if (source._owned)
        {
            // Everything written while it was in use is visible to the owner before it sees Free.
            Volatile.Write(ref source._poolState, Free);
            return;
        }

        for (int i = 0; i < s_shared.Length; i++)
        {
            if (Volatile.Read(ref s_shared[i]) is null && Interlocked.CompareExchange(ref s_shared[i], source, null) is null)
            {
                return;
            }
        }

        source._timer.Dispose();
    }

    /// <summary>Drops a source that cannot be reused; its owner replaces it at its next rent.</summary>
    private void Discard()
    {
        _timer.Dispose();
        if (_owned)
        {
            Volatile.Write(ref _poolState, Dead);
        }
    }
}
