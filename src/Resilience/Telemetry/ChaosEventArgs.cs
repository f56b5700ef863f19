using System;

namespace Resilience;

/// <summary>Describes what chaos injected into an attempt, for <see cref="ResilienceListener.OnChaosInjected"/>.</summary>
public sealed class ChaosEventArgs : EventArgs
{
    internal ChaosEventArgs(string policyName, string methodName, ChaosInjection injection)
    {
        PolicyName = policyName;
        MethodName = methodName;
        Injection = injection;
    }

    /// <summary>The policy name whose <see cref="ChaosSettings"/> injected it (see <see cref="MethodTelemetry.PolicyName"/>).</summary>
    public string PolicyName { get; }

    /// <summary>The method, as <c>Namespace.Type.Method</c>.</summary>
    public string MethodName { get; }

    /// <summary>What was injected.</summary>
    public ChaosInjection Injection { get; }
}
