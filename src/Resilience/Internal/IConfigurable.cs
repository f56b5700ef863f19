namespace Resilience;

/// <summary>A policy state whose settings <see cref="ResilienceRegistry.Configure"/> can replace while it runs.</summary>
internal interface IConfigurable
{
    /// <summary>Takes the attribute's settings with <paramref name="settings"/> laid over them (null: the attribute's alone).</summary>
    void Apply(PolicySettings? settings);
}
