// Linked into the runtime, where it is public, and into the generator and analyzers, which read attribute values as it.
#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>What a <see cref="TimeoutAttribute"/> covers.</summary>
#if RESILIENCE_ROSLYN_COMPONENT
internal
#else
public
#endif
enum TimeoutScope
{
    /// <summary>Each attempt gets the whole timeout; it sits innermost, around <c>{Name}Core</c>. The default.</summary>
    PerAttempt = 0,

    /// <summary>The timeout covers every attempt and every delay between them; it sits outside the retry.</summary>
    Total = 1,
}
