// Linked into the runtime, where it is public, and into the generator and analyzers, which read attribute values as it.
#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>How the delay between retry attempts grows. See <see cref="RetryBackoff"/> for the formulas.</summary>
#if RESILIENCE_ROSLYN_COMPONENT
internal
#else
public
#endif
enum BackoffKind
{
    /// <summary>Every retry waits <c>DelayMs</c>.</summary>
    Constant = 0,

    /// <summary>Retry <c>n</c> (1-based) waits <c>n × DelayMs</c>.</summary>
    Linear = 1,

    /// <summary>Retry <c>n</c> (1-based) waits <c>DelayMs × 2^(n-1)</c>. The default.</summary>
    Exponential = 2,
}
