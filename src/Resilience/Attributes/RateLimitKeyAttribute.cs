using System;

namespace Resilience;

/// <summary>
/// On one parameter of a method with <see cref="RateLimitAttribute"/>: the limit is kept separately for
/// each value of this parameter (per user, per tenant, per IP address).
/// </summary>
/// <remarks>
/// Values are compared with <see cref="System.Collections.Generic.EqualityComparer{T}.Default"/>; a null
/// value has a partition of its own. Partitions that have been idle for a whole window are dropped when
/// their number grows, so a key space such as IP addresses does not grow memory without bound.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class RateLimitKeyAttribute : Attribute
{
}
