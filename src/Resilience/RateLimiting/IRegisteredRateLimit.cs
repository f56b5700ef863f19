namespace Resilience;

/// <summary>
/// A rate limit as <see cref="ResilienceRegistry"/> holds it by name, kept per key or not: what the registry's
/// <see cref="ResilienceRegistry.Reset"/> and <see cref="ResilienceRegistry.Configure"/> do to it.
/// </summary>
internal interface IRegisteredRateLimit
{
    /// <summary>The rate limit's name.</summary>
    string Name { get; }

    /// <summary>True when its settings in force mark it <c>Distributed</c>.</summary>
    bool IsDistributed { get; }

    /// <summary>Puts the rate limit back to how it started: refilled, with its counts cleared.</summary>
    void Reset();

    /// <summary>Takes the attribute's settings with <paramref name="settings"/> laid over them (null: the attribute's alone).</summary>
    void Apply(PolicySettings? settings);

    /// <summary>Registers a rate limit of the same name, kind and attribute settings in <paramref name="registry"/> (see <see cref="ResilienceScope"/>).</summary>
    void RegisterLikeIn(ResilienceRegistry registry);
}
