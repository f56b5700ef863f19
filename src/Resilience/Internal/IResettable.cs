namespace Resilience;

/// <summary>State the registry's <see cref="ResilienceRegistry.Reset"/> puts back to how it started.</summary>
internal interface IResettable
{
    void Reset();
}
