using System;

namespace Resilience;

/// <summary>
/// Marks an operation as safe to repeat: running it twice has the same effect as running it once.
/// </summary>
/// <remarks>
/// Retrying an operation that creates, sends or charges something can do it twice. The analyzer warns
/// (RES0100) when <see cref="RetryAttribute"/> is on a method whose name or HTTP verb says it changes
/// state; this attribute says you made the operation idempotent (an idempotency key, an upsert, ...).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class IdempotentAttribute : Attribute
{
}
