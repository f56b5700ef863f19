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
    public const string Hedging = "Resilience.HedgingAttribute";
    public const string CachedFallback = "Resilience.CachedFallbackAttribute";
    public const string RateLimitKey = "Resilience.RateLimitKeyAttribute";
    public const string CircuitBreakerKey = "Resilience.CircuitBreakerKeyAttribute";
    public const string Idempotent = "Resilience.IdempotentAttribute";
    public const string IdempotencyKey = "Resilience.IdempotencyKeyAttribute";

    /// <summary>
    /// The policy attributes. The generator has one provider per entry; a method is parsed by the provider of the
    /// first of them it carries, so that it is parsed once.
    /// </summary>
    public static readonly string[] Policies = { Retry, CircuitBreaker, Timeout, Bulkhead, RateLimit, Fallback, Hedging, CachedFallback };

    /// <summary>
    /// The attribute of each of the generator's providers: the <see cref="Policies"/>, then [Idempotent], whose provider
    /// parses a method only when it carries no policy attribute and has an [IdempotencyKey] parameter ([Idempotent]
    /// alone only says the operation is safe to repeat).
    /// </summary>
    public static string Provider(int index) => index < Policies.Length ? Policies[index] : Idempotent;

    /// <summary>The number of the generator's providers (see <see cref="Provider"/>).</summary>
    public static int ProviderCount => Policies.Length + 1;

    /// <summary>The names of the attributes' properties that are not policy settings (those are in the rules).</summary>
    public static class Properties
    {
        /// <summary>A shared policy's name.</summary>
        public const string Name = nameof(Name);

        /// <summary>The exception types a retry, breaker or fallback handles.</summary>
        public const string Handle = nameof(Handle);

        /// <summary>The exception types a retry or breaker ignores.</summary>
        public const string Ignore = nameof(Ignore);

        public const string ShouldRetry = nameof(ShouldRetry);

        public const string OnRetry = nameof(OnRetry);

        /// <summary>The fallback method's name.</summary>
        public const string Method = nameof(Method);

        /// <summary>The method that says whether a result is a failure, on a retry, a breaker, a fallback or a hedging.</summary>
        public const string HandleResult = nameof(HandleResult);

        /// <summary>The method a retry asks for its delay.</summary>
        public const string DelayGenerator = nameof(DelayGenerator);
    }
}
