using System.ComponentModel;
using System.Threading;

namespace Resilience;

/// <summary>
/// The settings configuration gives the generated code of one policy name while the application runs. Generated
/// code keeps it in a static field, obtained once from <see cref="ResilienceRegistry.GetLivePolicySettings"/>, and
/// reads <see cref="Overrides"/>: one field, null unless configuration overrides a retry or timeout setting or injects
/// chaos under that name.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LivePolicySettings
{
    private PolicyOverrides? _overrides;

    internal LivePolicySettings(string policyName, PolicyOverrides? overrides)
    {
        PolicyName = policyName;
        _overrides = overrides;
    }

    /// <summary>
    /// The name the settings are given under: the method's circuit breaker's, else its bulkhead's, else its rate
    /// limit's, else <c>Namespace.Type.Method</c>.
    /// </summary>
    public string PolicyName { get; }

    /// <summary>What configuration overrides now; null when nothing is, and the compiled-in settings apply.</summary>
    public PolicyOverrides? Overrides => Volatile.Read(ref _overrides);

    /// <summary>Replaces the overrides in one step: a call reads either the old ones or the new ones, never half of each.</summary>
    internal void Apply(PolicyOverrides? overrides) => Volatile.Write(ref _overrides, overrides);
}
