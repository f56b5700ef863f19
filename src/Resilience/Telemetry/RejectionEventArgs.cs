using System;

namespace Resilience;

/// <summary>Describes a call a policy rejected without running it, for <see cref="ResilienceListener.OnRejected"/>.</summary>
public sealed class RejectionEventArgs : EventArgs
{
    internal RejectionEventArgs(string policyName, PolicyKind kind, TimeSpan? retryAfter)
    {
        PolicyName = policyName;
        Kind = kind;
        RetryAfter = retryAfter;
    }

    /// <summary>The rejecting policy's name.</summary>
    public string PolicyName { get; }

    /// <summary>The kind of policy that rejected the call.</summary>
    public PolicyKind Kind { get; }

    /// <summary>When a new call may succeed, where the policy knows it (an open breaker, a rate limit); null otherwise.</summary>
    public TimeSpan? RetryAfter { get; }
}
