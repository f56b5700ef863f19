using System;

namespace Resilience;

/// <summary>
/// Runs more than one attempt of <c>{Name}Core</c> side by side, and returns the first acceptable outcome: a
/// second attempt starts when the first has not answered within <see cref="DelayMs"/>, and so on up to
/// <see cref="MaxAttempts"/>. The attempts still running when one wins are cancelled through their
/// <see cref="System.Threading.CancellationToken"/>, and what they return afterwards is disposed when it is disposable:
/// with <see cref="IDisposable.Dispose"/>, or, when it is only <see cref="IAsyncDisposable"/>, with a
/// <see cref="IAsyncDisposable.DisposeAsync"/> that nobody waits for (its failure is observed and ignored).
/// </summary>
/// <remarks>
/// <para>Three modes, chosen by <see cref="DelayMs"/>:</para>
/// <list type="bullet">
/// <item><description>latency (<c>DelayMs</c> &gt; 0): a new attempt after <c>DelayMs</c> while none has answered, or at once when one fails;</description></item>
/// <item><description>parallel (<c>DelayMs = 0</c>): every attempt at once;</description></item>
/// <item><description>fallback (<c>DelayMs = Timeout.Infinite</c>, that is -1): a new attempt only when one fails.</description></item>
/// </list>
/// <para>
/// An attempt fails with any exception, or with a result <see cref="HandleResult"/> names a failure (an
/// <c>HttpResponseMessage</c> with 408, 429 or 5xx when it names none). When every attempt fails the caller gets
/// the last failure: its exception, or its result. The caller's cancellation cancels every attempt and surfaces as
/// <see cref="OperationCanceledException"/>. Only asynchronous methods can hedge (RES0003 otherwise), and only an
/// operation that is safe to repeat should (RES0100); without a <see cref="System.Threading.CancellationToken"/>
/// parameter the losing attempts cannot be stopped (RES0107).
/// </para>
/// <para>
/// Hedging sits outside <c>[Retry]</c>: each hedged attempt runs the retry, the breaker, the bulkhead and the
/// per-attempt timeout of its own, inside the total timeout and the rate limit of the call.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class HedgingAttribute : Attribute
{
    /// <summary>Hedges the method.</summary>
    /// <param name="maxAttempts">Total attempts, the first one included: between 2 and 10. Default 2.</param>
    public HedgingAttribute(int maxAttempts = HedgingRules.DefaultMaxAttempts) => MaxAttempts = maxAttempts;

    /// <summary>Total attempts, the first one included: between 2 and 10.</summary>
    public int MaxAttempts { get; }

    /// <summary>
    /// How long to wait for an answer before starting the next attempt, in milliseconds. Default 2 000. 0 starts every
    /// attempt at once; -1 (<see cref="System.Threading.Timeout.Infinite"/>) starts the next one only when one fails.
    /// </summary>
    public int DelayMs { get; set; } = HedgingRules.DefaultDelayMs;

    /// <summary>
    /// The name of a <c>bool M(T result)</c> method of the same type that returns true for a result that is a failure:
    /// another attempt may still win. Default: none (an <c>HttpResponseMessage</c> is judged by its status).
    /// </summary>
    public string? HandleResult { get; set; }
}
