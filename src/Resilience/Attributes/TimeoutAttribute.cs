using System;

namespace Resilience;

/// <summary>
/// Cancels <c>{Name}Core</c>'s <see cref="System.Threading.CancellationToken"/> when it runs longer than
/// <see cref="Milliseconds"/>, and throws <see cref="TimeoutRejectedException"/>.
/// </summary>
/// <remarks>
/// <para>
/// The timeout is cooperative: the method must take a <see cref="System.Threading.CancellationToken"/>
/// and pass it on. The token <c>{Name}Core</c> receives is linked to the caller's, so it is cancelled by
/// whichever comes first; a caller's cancellation surfaces as <see cref="OperationCanceledException"/>,
/// a timeout as <see cref="TimeoutRejectedException"/>, which the circuit breaker counts as a failure.
/// </para>
/// <para>
/// With <see cref="TimeoutScope.PerAttempt"/> (the default) each attempt gets the whole timeout;
/// with <see cref="TimeoutScope.Total"/> it covers every attempt and the delays between them.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TimeoutAttribute : Attribute
{
    /// <summary>Gives the method a timeout.</summary>
    /// <param name="milliseconds">The timeout in milliseconds; at least 1.</param>
    public TimeoutAttribute(int milliseconds) => Milliseconds = milliseconds;

    /// <summary>The timeout in milliseconds; at least 1.</summary>
    public int Milliseconds { get; }

    /// <summary>Whether the timeout covers each attempt or all of them. Default <see cref="TimeoutScope.PerAttempt"/>.</summary>
    public TimeoutScope Scope { get; set; } = TimeoutRules.DefaultScope;
}
