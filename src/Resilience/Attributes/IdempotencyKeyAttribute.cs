using System;

namespace Resilience;

/// <summary>
/// On one parameter of a method marked <see cref="IdempotentAttribute"/>: the idempotency key. The first successful
/// result of a call with a key is stored for <see cref="IdempotentAttribute.TtlMs"/> and returned to every later
/// call with the same key without running the method again; calls with one key that overlap share one execution.
/// </summary>
/// <remarks>
/// <para>
/// The parameter must have a stable string form: a <see cref="string"/>, a <see cref="char"/>, a <see cref="Guid"/>, an integer type, an enum (each of these
/// also nullable), or a type that overrides <see cref="object.ToString"/> (a record, say). Anything else is refused when the code is
/// built (RES0007). A null or empty key throws an <see cref="ArgumentException"/> naming the parameter, before
/// anything runs or is stored.
/// </para>
/// <para>
/// Keys are kept per method (its policy name), so two methods never answer each other's keys. See
/// <c>docs/idempotency.md</c>.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class IdempotencyKeyAttribute : Attribute
{
}
