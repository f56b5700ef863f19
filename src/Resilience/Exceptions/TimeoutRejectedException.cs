using System;

namespace Resilience;

/// <summary>
/// Thrown when a call ran longer than its <see cref="TimeoutAttribute"/> allows. Its token was cancelled;
/// the <see cref="OperationCanceledException"/> this caused, if any, is the inner exception.
/// </summary>
/// <remarks>A timeout counts as a circuit-breaker failure, and a per-attempt timeout is retried.</remarks>
public sealed class TimeoutRejectedException : TimeoutException
{
    /// <summary>Creates the exception for a call that timed out.</summary>
    /// <param name="policyName">The name of the timed-out operation (<c>Namespace.Type.Method</c>).</param>
    /// <param name="timeout">The timeout that elapsed.</param>
    /// <param name="scope">Whether the timeout covered one attempt or all of them.</param>
    /// <param name="innerException">The cancellation the timeout caused, if any.</param>
    public TimeoutRejectedException(string policyName, TimeSpan timeout, TimeoutScope scope = TimeoutScope.PerAttempt, Exception? innerException = null)
        : base(scope == TimeoutScope.Total
                ? $"'{policyName}' did not complete within its total timeout of {ResilienceRejectedException.FormatDuration(timeout)}, retries included."
                : $"'{policyName}' did not complete within its timeout of {ResilienceRejectedException.FormatDuration(timeout)}.",
            innerException)
    {
        PolicyName = policyName ?? throw new ArgumentNullException(nameof(policyName));
        Timeout = timeout;
        Scope = scope;
    }

    /// <summary>The name of the timed-out operation.</summary>
    public string PolicyName { get; }

    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the timeout covered one attempt or all of them.</summary>
    public TimeoutScope Scope { get; }
}
