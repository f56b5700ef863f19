using System;
using System.Diagnostics.CodeAnalysis;
using System.Net.Http;
using System.Threading;

namespace Resilience;

public sealed partial class CircuitBreakerState
{
    /// <summary>
    /// Starts a call through the breaker by hand, for code that cannot be a resilient method (a callback, a lambda, a
    /// third party's hook): the same admission, counting, events and metrics as the generated code's. Dispose the
    /// result when the call ends, after <see cref="CircuitBreakerCall.Complete"/> if it succeeded: a call disposed
    /// without it counts as a failure.
    /// </summary>
    /// <returns>The call, to complete and dispose.</returns>
    /// <exception cref="BrokenCircuitException">The breaker refuses the call: it is open, isolated, or half-open with its probes taken.</exception>
    /// <example>
    /// <code>
    /// using (CircuitBreakerCall call = breaker.Begin())
    /// {
    ///     Charge(order);
    ///     call.Complete();
    /// }
    /// </code>
    /// </example>
    public CircuitBreakerCall Begin()
    {
        if (!TryEnter(out CircuitBreakerPermit permit))
        {
            throw CreateRejection();
        }

        return new CircuitBreakerCall(this, permit);
    }

    /// <summary>
    /// Starts a call through the breaker by hand if it lets one through; false, counted as a rejection, when it does not.
    /// See <see cref="Begin"/>.
    /// </summary>
    /// <param name="call">The call, to complete and dispose; null when the breaker refused it.</param>
    /// <returns>True when the call may go ahead.</returns>
    public bool TryBegin([NotNullWhen(true)] out CircuitBreakerCall? call)
    {
        if (!TryEnter(out CircuitBreakerPermit permit))
        {
            call = null;
            return false;
        }

        call = new CircuitBreakerCall(this, permit);
        return true;
    }
}

/// <summary>
/// One call let through a <see cref="CircuitBreakerState"/> by hand (<see cref="CircuitBreakerState.Begin"/>,
/// <see cref="CircuitBreakerState.TryBegin"/>). Its outcome is recorded once: by <see cref="Complete"/>,
/// <see cref="Fail()"/> or <see cref="Ignore"/>, or, when none was called, as a failure when it is disposed.
/// </summary>
/// <remarks>
/// It is an object so that a <c>using</c> statement can carry it: one small allocation a call, where the generated
/// code allocates none. Its methods are thread-safe; the first outcome recorded wins, and recording another throws.
/// </remarks>
public sealed class CircuitBreakerCall : IDisposable
{
    private const int Pending = 0, Recorded = 1;

    private readonly CircuitBreakerPermit _permit;
    private int _outcome;

    internal CircuitBreakerCall(CircuitBreakerState breaker, CircuitBreakerPermit permit)
    {
        Breaker = breaker;
        _permit = permit;
    }

    /// <summary>The breaker the call went through.</summary>
    public CircuitBreakerState Breaker { get; }

    /// <summary>True when the call is a probe of a half-open breaker: its outcome decides whether the breaker closes.</summary>
    public bool IsProbe => _permit.IsProbe;

    /// <summary>True once an outcome was recorded.</summary>
    public bool IsRecorded => Volatile.Read(ref _outcome) == Recorded;

    /// <summary>Records that the call succeeded.</summary>
    /// <exception cref="InvalidOperationException">An outcome was recorded already.</exception>
    public void Complete()
    {
        Claim(nameof(Complete));
        Breaker.RecordSuccess(_permit);
    }

    /// <summary>Records that the call failed.</summary>
    /// <exception cref="InvalidOperationException">An outcome was recorded already.</exception>
    public void Fail()
    {
        Claim(nameof(Fail));
        Breaker.RecordFailure(_permit);
    }

    /// <summary>
    /// Records that the call failed with <paramref name="response"/>, whose <c>Retry-After</c>, on a 429 or 503, holds
    /// the breaker open longer when it opens it and the breaker honours it (<see cref="CircuitBreakerOptions.HonorRetryAfter"/>).
    /// </summary>
    /// <param name="response">The failed response.</param>
    /// <exception cref="InvalidOperationException">An outcome was recorded already.</exception>
    public void Fail(HttpResponseMessage? response)
    {
        Claim(nameof(Fail));
        Breaker.RecordFailure(_permit, response);
    }

    /// <summary>
    /// Records that the call ended in a way the breaker does not count, as the generated code does for the caller's
    /// cancellation or an ignored exception: neither a success nor a failure.
    /// </summary>
    /// <exception cref="InvalidOperationException">An outcome was recorded already.</exception>
    public void Ignore()
    {
        Claim(nameof(Ignore));
        Breaker.RecordIgnored(_permit);
    }

    /// <summary>Records a failure if no outcome was recorded: a call that did not say it succeeded did not.</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _outcome, Recorded, Pending) == Pending)
        {
            Breaker.RecordFailure(_permit);
        }
    }

    private void Claim(string outcome)
    {
        if (Interlocked.CompareExchange(ref _outcome, Recorded, Pending) != Pending)
        {
            throw new InvalidOperationException($"The call through the circuit breaker '{Breaker.Name}' already has its outcome; {outcome} can only be the first. Record one outcome per call.");
        }
    }
}
