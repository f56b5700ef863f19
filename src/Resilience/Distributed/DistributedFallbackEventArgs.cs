using System;

namespace Resilience;

/// <summary>
/// A policy marked <c>Distributed</c> decided on its local state instead of the shared one. Listeners are told once per
/// policy and reason until the registry is reset or a store is registered.
/// </summary>
public sealed class DistributedFallbackEventArgs : EventArgs
{
    internal DistributedFallbackEventArgs(string policyName, PolicyKind kind, string reason)
    {
        PolicyName = policyName;
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The rate limit's or circuit breaker's name.</summary>
    public string PolicyName { get; }

    /// <summary>Whether it is a rate limit or a circuit breaker.</summary>
    public PolicyKind Kind { get; }

    /// <summary>Why it runs locally, and what to do about it.</summary>
    public string Reason { get; }
}
