using System;

namespace Resilience;

/// <summary>Describes a call that a <see cref="FallbackAttribute"/> method answered, for <see cref="ResilienceListener.OnFallback"/>.</summary>
public sealed class FallbackEventArgs : EventArgs
{
    internal FallbackEventArgs(string policyName, string methodName, Exception? exception)
    {
        PolicyName = policyName;
        MethodName = methodName;
        Exception = exception;
    }

    /// <summary>The name the method's calls are counted under (see <see cref="MethodTelemetry.PolicyName"/>).</summary>
    public string PolicyName { get; }

    /// <summary>The method, as <c>Namespace.Type.Method</c>.</summary>
    public string MethodName { get; }

    /// <summary>
    /// The failure the fallback answered (an exception, or a rejection), when the fallback method takes it as a parameter
    /// (an <see cref="System.Exception"/> or an <c>Outcome&lt;T&gt;</c>); null when it takes none, and when it answered a
    /// result handled as a failure.
    /// </summary>
    public Exception? Exception { get; }
}
