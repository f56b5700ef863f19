using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The settings of [Timeout].</summary>
internal sealed record TimeoutSpec
{
    public required int Milliseconds { get; init; }

    public required TimeoutScope Scope { get; init; }
}
