using System;

namespace Resilience;

/// <summary>
/// Marks an operation as safe to repeat: running it twice has the same effect as running it once. With an
/// <see cref="IdempotencyKeyAttribute"/> on one of its parameters, the generated code makes it so: the first
/// successful result for a key is kept for <see cref="TtlMs"/> and answers every later call with that key.
/// </summary>
/// <remarks>
/// Retrying an operation that creates, sends or charges something can do it twice. The analyzer warns
/// (RES0100) when <see cref="RetryAttribute"/> is on a method whose name or HTTP verb says it changes
/// state; this attribute says you made the operation idempotent (an idempotency key, an upsert, ...).
/// Without an <see cref="IdempotencyKeyAttribute"/> parameter it is only that statement, and changes no code.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class IdempotentAttribute : Attribute
{
    /// <summary>
    /// How long the first successful result for an idempotency key is kept, in milliseconds, from the moment it is
    /// stored; at least 1. Default 86 400 000 (24 hours). Used only with an <see cref="IdempotencyKeyAttribute"/>
    /// parameter; configuration can override it per policy name (<c>TtlMs</c>).
    /// </summary>
    public int TtlMs { get; set; } = IdempotencyRules.DefaultTtlMs;
}
