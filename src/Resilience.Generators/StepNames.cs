namespace Resilience.Generators;

/// <summary>The tracking names of the generator's steps, read by the incrementality tests.</summary>
internal static class StepNames
{
    public const string Retry = nameof(Retry);
    public const string CircuitBreaker = nameof(CircuitBreaker);
    public const string Timeout = nameof(Timeout);
    public const string Bulkhead = nameof(Bulkhead);
    public const string RateLimit = nameof(RateLimit);
    public const string Fallback = nameof(Fallback);
    public const string Methods = nameof(Methods);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Types = nameof(Types);
    public const string Registrations = nameof(Registrations);
}
