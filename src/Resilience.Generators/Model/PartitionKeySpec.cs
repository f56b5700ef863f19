namespace Resilience.Generators;

/// <summary>The parameter a shared policy is kept per value of ([RateLimitKey], [CircuitBreakerKey]).</summary>
/// <param name="Type">The type the partitions are keyed by: the parameter's, <c>object?</c> when it involves a type parameter, <c>string</c> for a request's authority.</param>
/// <param name="Parameter">The parameter's name, escaped.</param>
/// <param name="ByAuthority">True for an <c>HttpRequestMessage</c>, keyed by its request's authority rather than by the message.</param>
internal sealed record PartitionKeySpec(string Type, string Parameter, bool ByAuthority);
