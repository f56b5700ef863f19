using System;

namespace Resilience;

/// <summary>Describes a timeout that fired, for <see cref="ResilienceListener.OnTimeout"/>.</summary>
public sealed class TimeoutEventArgs : EventArgs
{
    internal TimeoutEventArgs(string policyName, string methodName, TimeSpan timeout, TimeoutScope scope)
    {
        PolicyName = policyName;
        MethodName = methodName;
        Timeout = timeout;
        Scope = scope;
    }

    /// <summary>The name the method's calls are counted under (see <see cref="MethodTelemetry.PolicyName"/>).</summary>
    public string PolicyName { get; }

    /// <summary>The method, as <c>Namespace.Type.Method</c>.</summary>
    public string MethodName { get; }

    /// <summary>The timeout that ran out.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether it covered one attempt or all of them.</summary>
    public TimeoutScope Scope { get; }
}
