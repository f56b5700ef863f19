namespace Resilience.Generators;

/// <summary>The metadata names of the attributes the generator and the analyzers look for.</summary>
internal static class AttributeNames
{
    public const string Retry = "Resilience.RetryAttribute";
    public const string CircuitBreaker = "Resilience.CircuitBreakerAttribute";
    public const string Timeout = "Resilience.TimeoutAttribute";
    public const string Bulkhead = "Resilience.BulkheadAttribute";
    public const string RateLimit = "Resilience.RateLimitAttribute";
    public const string Fallback = "Resilience.FallbackAttribute";
    public const string RateLimitKey = "Resilience.RateLimitKeyAttribute";
    public const string Idempotent = "Resilience.IdempotentAttribute";

    /// <summary>
    /// The policy attributes. The generator has one provider per entry; a method is parsed by the provider of the
    /// first of them it carries, so that it is parsed once.
    /// </summary>
    public static readonly string[] Policies = { Retry, CircuitBreaker, Timeout, Bulkhead, RateLimit, Fallback };
}
