using System;

namespace Resilience;

/// <summary>
/// On one parameter of a method with <see cref="CircuitBreakerAttribute"/>: the breaker is kept separately for
/// each value of this parameter (per downstream host, per tenant, per shard), all under the breaker's name and
/// with its settings, so that one failing value does not break the calls for the others.
/// </summary>
/// <remarks>
/// <para>
/// Values are compared with <see cref="System.Collections.Generic.EqualityComparer{T}.Default"/>; a null value
/// has a breaker of its own. An <see cref="System.Net.Http.HttpRequestMessage"/> parameter is keyed by its
/// request's authority (<c>https://api.example.com:443</c>, see <see cref="HttpRequests.Authority"/>), not by the
/// message, so that a <see cref="System.Net.Http.DelegatingHandler"/> keeps one breaker per host it calls.
/// </para>
/// <para>
/// Closed partitions that have seen no failure for longer than their break and sampling window are dropped when
/// their number grows, so a large key space does not grow memory without bound. Read them with
/// <see cref="ResilienceRegistry.KeyedCircuitBreaker(string)"/>; the meter reports how many partitions are in each
/// state, and the state of at most <see cref="KeyedCircuitBreakerState.MaxReportedPartitions"/> that are not closed.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class CircuitBreakerKeyAttribute : Attribute
{
}
