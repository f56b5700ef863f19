namespace Resilience;

/// <summary>What a <see cref="TimeoutAttribute"/> covers.</summary>
public enum TimeoutScope
{
    /// <summary>Each attempt gets the whole timeout; it sits innermost, around <c>{Name}Core</c>. The default.</summary>
    PerAttempt = 0,

    /// <summary>The timeout covers every attempt and every delay between them; it sits outside the retry.</summary>
    Total = 1,
}
