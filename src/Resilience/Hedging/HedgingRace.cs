using System;
using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// One hedged call: starts attempts, each with a token of its own linked to the caller's, and keeps the first
/// acceptable outcome. Generated code drives it (see <c>[Hedging]</c>); it is not meant to be called by hand.
/// </summary>
/// <remarks>
/// <para>
/// The generated loop is: <see cref="TryLaunch"/> gives the next attempt its index and token, the attempt runs
/// and reports its end with <see cref="Succeed"/> or <see cref="Fail"/> (it never throws), and
/// <see cref="WaitAsync"/> returns when another attempt is due (the delay passed, or an attempt failed) or the race
/// is decided. Then <see cref="GetResult"/> returns the winner's result or throws the last failure, and
/// <see cref="Dispose"/> cancels the attempts still running; what they return later is disposed when disposable.
/// </para>
/// <para>
/// Costs: the race object and one <see cref="CancellationTokenSource"/> per attempt (linked to the caller's token
/// when it can be cancelled), and a slot array when a second attempt starts. A timer and a task to wait on are
/// created only when the call must wait. Thread-safe: attempts end on any thread, under a lock held to update the
/// race's state, and, so that the caller never sees an outcome before they are done, to let go of a failed result
/// kept until then and to count the winner.
/// </para>
/// </remarks>
/// <typeparam name="T">The attempts' result; <see cref="bool"/> for a method without one.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class HedgingRace<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly MethodTelemetry _telemetry;
    private readonly int _maxAttempts;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _callerToken;

    // The first attempt's source, then every attempt's once a second one starts (index = attempt - 1).
    private CancellationTokenSource? _first;
    private CancellationTokenSource?[]? _sources;
    private int _launched;
    private int _ended;
    private bool _launchDue;

    private RaceState _state;
    private T _result = default!;
    private bool _hasResult;
    private Exception? _lastError;
    private int _winner;

    // 1 once an attempt was retried by the retry inside the hedging: the call then counts as retried.
    private int _retried;

    private TaskCompletionSource<bool>? _waiter;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;
    private bool _disposed;

    /// <summary>Starts a race of at most <paramref name="maxAttempts"/> attempts.</summary>
    /// <param name="telemetry">The method's telemetry, which counts the hedged attempts and the winner.</param>
    /// <param name="maxAttempts">Total attempts, the first one included.</param>
    /// <param name="delay">The wait for an answer before the next attempt: zero starts them all at once, <see cref="Timeout.InfiniteTimeSpan"/> only after a failure.</param>
    /// <param name="timeProvider">The clock the delay is waited on.</param>
    /// <param name="cancellationToken">The caller's token: its cancellation cancels every attempt and ends the race.</param>
    public HedgingRace(MethodTelemetry telemetry, int maxAttempts, TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _telemetry = telemetry ?? throw new ArgumentNullException(nameof(telemetry));
        if (maxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "A race needs at least one attempt.");
        }

        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        _maxAttempts = maxAttempts;
        _delay = delay;
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _callerToken = cancellationToken;
        _launchDue = true;
    }

    private enum RaceState
    {
        Running,
        Won,
        AllFailed,
        Canceled,
    }

    /// <summary>How many attempts have started.</summary>
    public int Launched
    {
        get
        {
            lock (_gate)
            {
                return _launched;
            }
        }
    }

    /// <summary>The attempt that won, from 1; 0 while none has (or when none did).</summary>
    public int Winner
    {
        get
        {
            lock (_gate)
            {
                return _winner;
            }
        }
    }

    /// <summary>
    /// Starts the next attempt when one is due and the race is undecided: gives it its number and the token it must
    /// run with. False when the race is decided, or every attempt has started.
    /// </summary>
    /// <param name="attempt">The attempt's number, from 1, to pass to <see cref="Succeed"/> or <see cref="Fail"/>.</param>
    /// <param name="token">The attempt's token, cancelled when another attempt wins or the caller cancels.</param>
    public bool TryLaunch(out int attempt, out CancellationToken token)
    {
        lock (_gate)
        {
            if (_state == RaceState.Running && _callerToken.IsCancellationRequested)
            {
                OnCallerCanceled();
            }

            if (_state != RaceState.Running || !_launchDue || _launched == _maxAttempts)
            {
                attempt = 0;
                token = default;
                return false;
            }

            // Created under the lock, so that a decided race creates none; linking runs none of this race's callbacks.
            CancellationTokenSource source = _callerToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(_callerToken)
                : new CancellationTokenSource();
            attempt = ++_launched;
            if (attempt == 1)
            {
                _first = source;
            }
            else
            {
                if (_sources is null)
                {
                    _sources = new CancellationTokenSource?[_maxAttempts];
                    _sources[0] = _first;
                    _first = null;
                }

                _sources[attempt - 1] = source;
            }

            // At once, every attempt is due in turn (parallel mode); otherwise the next is due after the delay or a failure.
            _launchDue = _delay == TimeSpan.Zero && _launched < _maxAttempts;
            token = source.Token;
        }

        if (attempt > 1)
        {
            _telemetry.RecordHedgedAttempt(attempt);
        }

        return true;
    }

    /// <summary>
    /// Completes when another attempt is due or the race is decided: at once when it is already, else when the delay
    /// passes, an attempt ends, or the caller cancels.
    /// </summary>
    public Task WaitAsync()
    {
        lock (_gate)
        {
            if (_state == RaceState.Running && _callerToken.IsCancellationRequested)
            {
                OnCallerCanceled();
            }

            if (_state != RaceState.Running || (_launchDue && _launched < _maxAttempts))
            {
                return Task.CompletedTask;
            }

            // The race is the waiter's state, so that the timer's callback, given the waiter, finds both.
            TaskCompletionSource<bool> waiter = _waiter ??= new TaskCompletionSource<bool>(this, TaskCreationOptions.RunContinuationsAsynchronously);
            if (_launched < _maxAttempts && _delay > TimeSpan.Zero && _timer is null)
            {
                _timer = _timeProvider.CreateTimer(
                    static state =>
                    {
                        var elapsedFor = (TaskCompletionSource<bool>)state!;
                        ((HedgingRace<T>)elapsedFor.Task.AsyncState!).OnDelayElapsed(elapsedFor);
                    },
                    waiter,
                    _delay,
                    Timeout.InfiniteTimeSpan);
            }

            if (_callerToken.CanBeCanceled && _cancellation == default)
            {
                // Registered under the lock: a cancellation that comes now runs its callback at once, on this thread, and the lock is re-entrant.
                _cancellation = _callerToken.Register(static state => ((HedgingRace<T>)state!).OnCallerCanceled(), this);
            }

            return waiter.Task;
        }
    }

    /// <summary>Attempt <paramref name="attempt"/> returned <paramref name="result"/>, acceptable or (per the method's rules) a failure.</summary>
    /// <param name="attempt">The number <see cref="TryLaunch"/> gave it.</param>
    /// <param name="result">What it returned.</param>
    /// <param name="acceptable">False when the result is a failure: another attempt may still win.</param>
    public void Succeed(int attempt, T result, bool acceptable)
    {
        bool discard = false;
        T discarded = default!;
        lock (_gate)
        {
            EndAttemptLocked(attempt);
            if (_state != RaceState.Running)
            {
                discard = true;
                discarded = result;
            }
            else if (acceptable)
            {
                // A failed result kept in case every attempt failed is nobody's now; let go of it before the caller
                // can see the outcome (disposing a result calls no code of the race's, so the lock is safe to hold).
                DiscardKeptLocked();
                _result = result;
                _hasResult = true;
                _lastError = null;
                _winner = attempt;

                // Counted before the caller can see the result, so that a reader of the metrics after the call finds it.
                _telemetry.RecordHedgingWinner(attempt);
                DecideLocked(RaceState.Won);
            }
            else
            {
                // The last failure is what the caller gets if every attempt fails: an earlier failed result is let go of.
                DiscardKeptLocked();
                _result = result;
                _hasResult = true;
                _lastError = null;
                AttemptFailedLocked();
            }
        }

        if (discard)
        {
            Outcome<T>.Discard(discarded);
        }
    }

    /// <summary>Attempt <paramref name="attempt"/> ended with <paramref name="error"/>.</summary>
    public void Fail(int attempt, Exception error)
    {
        if (error is null)
        {
            throw new ArgumentNullException(nameof(error));
        }

        lock (_gate)
        {
            EndAttemptLocked(attempt);
            if (_state != RaceState.Running)
            {
                return;
            }

            DiscardKeptLocked();
            _lastError = error;
            AttemptFailedLocked();
        }
    }

    /// <summary>Lets go of the failed result kept as the last failure, if any.</summary>
    private void DiscardKeptLocked()
    {
        if (_hasResult)
        {
            T kept = _result;
            _result = default!;
            _hasResult = false;
            Outcome<T>.Discard(kept);
        }
    }

    /// <summary>
    /// Notes that an attempt was retried by the retry inside the hedging (which marks only the attempt's copy of the
    /// call token), so that the call counts as retried in <c>resilience.retry.calls</c> whichever attempt wins.
    /// </summary>
    public void NoteRetried() => Volatile.Write(ref _retried, 1);

    /// <summary>The call's token, marked as retried when an attempt was retried; read before <see cref="GetResult"/>.</summary>
    /// <param name="started">The call's token.</param>
    public long CallToken(long started) => Volatile.Read(ref _retried) != 0 ? MethodTelemetry.MarkRetried(started) : started;

    /// <summary>
    /// The winner's result, or, when every attempt failed, the last failure: its result, or its exception thrown
    /// again; <see cref="OperationCanceledException"/> when the caller canceled.
    /// </summary>
    public T GetResult()
    {
        lock (_gate)
        {
            switch (_state)
            {
                case RaceState.Won:
                    return _result;
                case RaceState.AllFailed when _lastError is { } error:
                    ExceptionDispatchInfo.Capture(error).Throw();
                    throw error;
                case RaceState.AllFailed:
                    return _result;
                case RaceState.Canceled:
                    throw new OperationCanceledException(_callerToken);
                default:
                    throw new InvalidOperationException("The hedging race is not decided yet: wait until TryLaunch returns false.");
            }
        }
    }

    /// <summary>Ends the race: cancels the attempts still running (their results are disposed as they come) and stops the timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // Disposed undecided (the caller's loop left early): nothing will return what was kept.
        OnCallerCanceled();

        _cancellation.Dispose();
        CancelRunning();
    }

    private void AttemptFailedLocked()
    {
        if (_launched < _maxAttempts)
        {
            _launchDue = true;
            StopWaitingLocked();
        }
        else if (_ended == _launched)
        {
            DecideLocked(RaceState.AllFailed);
        }
    }

    /// <summary>Counts the attempt's end and lets go of its source: nothing uses its token any more.</summary>
    private void EndAttemptLocked(int attempt)
    {
        _ended++;
        ref CancellationTokenSource? slot = ref _sources is null ? ref _first : ref _sources[attempt - 1];
        slot?.Dispose();
        slot = null;
    }

    private void DecideLocked(RaceState state)
    {
        _state = state;
        StopWaitingLocked();
    }

    private void StopWaitingLocked()
    {
        _timer?.Dispose();
        _timer = null;
        if (_waiter is { } waiter)
        {
            _waiter = null;
            waiter.TrySetResult(true);
        }
    }

    /// <summary>The delay of the wait <paramref name="elapsedFor"/> passed.</summary>
    /// <remarks>
    /// A disposed timer's callback may still come, late, when it had fired already (an attempt failed meanwhile, and
    /// the next one started): a wait that ended is not the current one, and its delay starts nothing.
    /// </remarks>
    private void OnDelayElapsed(TaskCompletionSource<bool> elapsedFor)
    {
        lock (_gate)
        {
            if (_state == RaceState.Running && _launched < _maxAttempts && ReferenceEquals(_waiter, elapsedFor))
            {
                _launchDue = true;
                StopWaitingLocked();
            }
        }
    }

    private void OnCallerCanceled()
    {
        lock (_gate)
        {
            if (_state == RaceState.Running)
            {
                DiscardKeptLocked();
                DecideLocked(RaceState.Canceled);
            }
        }
    }

    /// <summary>Cancels the sources of the attempts that have not ended; each is disposed when its attempt ends.</summary>
    private void CancelRunning()
    {
        CancellationTokenSource? first;
        CancellationTokenSource?[]? running;
        lock (_gate)
        {
            first = _first;
            running = _sources is null ? null : (CancellationTokenSource?[])_sources.Clone();
        }

        if (running is null)
        {
            Cancel(first);
            return;
        }

        foreach (CancellationTokenSource? source in running)
        {
            Cancel(source);
        }
    }

    private static void Cancel(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Its attempt ended between the copy and the cancellation.
        }
    }
}
