using System;

namespace Resilience;

/// <summary>
/// The base of the exceptions thrown when a policy refuses to run a call: an open circuit, a full
/// bulkhead, an exhausted rate limit. The call never reached <c>{Name}Core</c>.
/// </summary>
/// <remarks>A rejection is not a circuit-breaker failure and is not retried.</remarks>
public abstract class ResilienceRejectedException : Exception
{
    /// <summary>Creates a rejection.</summary>
    /// <param name="message">The message, naming the policy.</param>
    /// <param name="policyName">The name of the policy that rejected the call.</param>
    /// <param name="retryAfter">When the policy expects to accept calls again, if it knows.</param>
    /// <param name="innerException">The exception that caused the rejection, if any.</param>
    protected ResilienceRejectedException(string message, string policyName, TimeSpan? retryAfter, Exception? innerException = null)
        : base(message, innerException)
    {
        PolicyName = policyName ?? throw new ArgumentNullException(nameof(policyName));
        RetryAfter = retryAfter;
    }

    /// <summary>The name of the policy that rejected the call (the attribute's <c>Name</c>, or <c>Namespace.Type.Method</c>).</summary>
    public string PolicyName { get; }

    /// <summary>How long until the policy is expected to accept calls again; null when it cannot say.</summary>
    public TimeSpan? RetryAfter { get; }

    internal static string FormatDuration(TimeSpan duration)
    {
        double ms = duration.TotalMilliseconds;
        return ms < 1_000
            ? ms.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms"
            : (ms / 1_000).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";
    }
}
