namespace Resilience;

/// <summary>
/// The settings of a method's idempotency keys. Generated code fills them from <see cref="IdempotentAttribute"/>;
/// they are copied when the state is created. <see cref="ResilienceRegistry.Configure"/> replaces them by name.
/// </summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a key's first successful result is kept, in milliseconds; at least 1. Default 86 400 000 (24 hours).</summary>
    public int TtlMs { get; set; } = IdempotencyRules.DefaultTtlMs;

    /// <summary>Checks every setting and returns an independent copy.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">A setting is outside its range; the message names it and the range.</exception>
    internal IdempotencyOptions ValidatedCopy()
    {
        Guard.Setting(IdempotencyRules.TtlMs, TtlMs, nameof(IdempotencyOptions));
        return Copy();
    }

    /// <summary>An independent copy, for a state to hand out without exposing its own.</summary>
    internal IdempotencyOptions Copy() => (IdempotencyOptions)MemberwiseClone();
}
