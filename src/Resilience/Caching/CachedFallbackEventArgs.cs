using System;

namespace Resilience;

/// <summary>
/// Describes a call that a <see cref="CachedFallbackAttribute"/> answered with the last good result for its arguments,
/// for <see cref="ResilienceListener.OnCachedFallback"/>.
/// </summary>
public sealed class CachedFallbackEventArgs : EventArgs
{
    internal CachedFallbackEventArgs(string policyName, string methodName, Exception? exception, bool fromSharedStore)
    {
        PolicyName = policyName;
        MethodName = methodName;
        Exception = exception;
        FromSharedStore = fromSharedStore;
    }

    /// <summary>The name the method's calls are counted under (see <see cref="MethodTelemetry.PolicyName"/>).</summary>
    public string PolicyName { get; }

    /// <summary>The method, as <c>Namespace.Type.Method</c>.</summary>
    public string MethodName { get; }

    /// <summary>
    /// The failure the cached result answered: the exception, or the rejection of an open circuit, a full bulkhead or an
    /// exhausted rate limit; null when it answered a result handled as a failure.
    /// </summary>
    public Exception? Exception { get; }

    /// <summary>True when the result came from the shared store (<see cref="ICachedFallbackStore"/>), false when from this instance's memory.</summary>
    public bool FromSharedStore { get; }
}
