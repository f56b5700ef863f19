// Linked into the runtime, where it is public, and into the generator and analyzers, which read attribute values as it.
#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>How a <see cref="RateLimitAttribute"/> counts permits.</summary>
#if RESILIENCE_ROSLYN_COMPONENT
internal
#else
public
#endif
enum RateLimitAlgorithm
{
    /// <summary>
    /// A bucket of <c>Permits</c> tokens that refills continuously at <c>Permits</c> per <c>WindowMs</c>:
    /// bursts up to <c>Permits</c> are allowed, and the average rate never exceeds the limit. The default.
    /// </summary>
    TokenBucket = 0,

    /// <summary>At most <c>Permits</c> calls in each consecutive, non-overlapping window of <c>WindowMs</c>.</summary>
    FixedWindow = 1,

    /// <summary>
    /// At most <c>Permits</c> calls in any window of <c>WindowMs</c>, tracked in ten segments, so the
    /// burst at a fixed window's boundary cannot happen.
    /// </summary>
    SlidingWindow = 2,
}
