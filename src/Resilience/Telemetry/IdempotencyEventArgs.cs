using System;

namespace Resilience;

/// <summary>What became of a call with an idempotency key, for <see cref="ResilienceListener.OnIdempotency"/>.</summary>
public enum IdempotencyOutcome
{
    /// <summary>A stored result answered the call; the method did not run.</summary>
    Hit,

    /// <summary>No result was stored: the call ran, and its result is stored if it succeeds.</summary>
    Miss,

    /// <summary>Another call with the key was running (here or in another process): this one waited for it and got its result.</summary>
    Shared,

    /// <summary>The call ran and succeeded, but the store could not keep its result (see the exception): a repeat runs it again.</summary>
    NotStored,
}

/// <summary>Describes a call with an idempotency key, for <see cref="ResilienceListener.OnIdempotency"/>.</summary>
public sealed class IdempotencyEventArgs : EventArgs
{
    internal IdempotencyEventArgs(string policyName, IdempotencyOutcome outcome, Exception? exception)
    {
        PolicyName = policyName;
        Outcome = outcome;
        Exception = exception;
    }

    /// <summary>The policy the key belongs to: the method's policy name, <c>Namespace.Type.Method</c>.</summary>
    public string PolicyName { get; }

    /// <summary>What became of the call.</summary>
    public IdempotencyOutcome Outcome { get; }

    /// <summary>Why the result was not stored, for <see cref="IdempotencyOutcome.NotStored"/>; null otherwise.</summary>
    public Exception? Exception { get; }
}
