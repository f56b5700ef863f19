namespace Resilience.Tests.Stress;

/// <summary>
/// The stress tests run alone: each keeps many threads busy for a few seconds, which would starve the other test
/// classes' timers and continuations and make their own timing-sensitive checks fail for reasons of their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    public const string Name = "Stress";
}
