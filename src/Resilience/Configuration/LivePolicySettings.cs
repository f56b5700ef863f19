using System.ComponentModel;
using System.Threading;

namespace Resilience;

/// <summary>
/// The settings configuration gives the generated code of one policy name while the application runs. Generated
/// code keeps it in a static field, obtained once from <see cref="ResilienceRegistry.GetLivePolicySettings"/>, and
/// reads <see cref="Overrides"/>: one field, null unless configuration overrides a retry or timeout setting or injects
/// chaos under that name. Inside a <see cref="ResilienceScope"/>, the settings of <see cref="ResilienceRegistry.Default"/>
/// read the scope registry's, so that a test's <c>Configure</c> reaches only the code running in its scope.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LivePolicySettings
{
    private readonly ResilienceRegistry _registry;
    private PolicyOverrides? _overrides;

    internal LivePolicySettings(ResilienceRegistry registry, string policyName, PolicyOverrides? overrides)
    {
        _registry = registry;
        PolicyName = policyName;
        _overrides = overrides;
    }

    /// <summary>
    /// The name the settings are given under: the method's circuit breaker's, else its bulkhead's, else its rate
    /// limit's, else <c>Namespace.Type.Method</c>.
    /// </summary>
    public string PolicyName { get; }

    /// <summary>
    /// What configuration overrides now; null when nothing is, and the compiled-in settings apply. Inside a
    /// <see cref="ResilienceScope"/>, what the scope registry's configuration overrides under the same name.
    /// </summary>
    public PolicyOverrides? Overrides => ResilienceScope.AnyBegun ? OverridesInScope() : Volatile.Read(ref _overrides);

    /// <summary>Replaces the overrides in one step: a call reads either the old ones or the new ones, never half of each.</summary>
    internal void Apply(PolicyOverrides? overrides) => Volatile.Write(ref _overrides, overrides);

    private PolicyOverrides? OverridesInScope()
        => ResilienceScope.RegistryInsteadOf(_registry) is { } scoped
            ? scoped.GetLivePolicySettings(PolicyName).Overrides
            : Volatile.Read(ref _overrides);
}
