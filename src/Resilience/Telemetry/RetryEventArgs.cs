using System;

namespace Resilience;

/// <summary>Describes an attempt that failed and is about to be retried, for <see cref="ResilienceListener.OnRetry"/>.</summary>
public sealed class RetryEventArgs : EventArgs
{
    internal RetryEventArgs(string policyName, string methodName, int attempt, TimeSpan delay, Exception? exception, object? result = null)
    {
        PolicyName = policyName;
        MethodName = methodName;
        Attempt = attempt;
        Delay = delay;
        Exception = exception;
        Result = result;
    }

    /// <summary>The name the method's calls are counted under (see <see cref="MethodTelemetry.PolicyName"/>).</summary>
    public string PolicyName { get; }

    /// <summary>The method, as <c>Namespace.Type.Method</c>.</summary>
    public string MethodName { get; }

    /// <summary>The attempt that failed, from 1.</summary>
    public int Attempt { get; }

    /// <summary>The wait before the next attempt.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The exception the attempt failed with; null when it returned a result handled as a failure (see <see cref="Result"/>).</summary>
    public Exception? Exception { get; }

    /// <summary>The result the attempt returned, handled as a failure; null when it failed with an exception.</summary>
    public object? Result { get; }

    /// <summary>"HttpRequestException: {message}", or the failed result: "503 (Service Unavailable)".</summary>
    public string Failure => Exception is { } exception ? exception.GetType().Name + ": " + exception.Message : OutcomeText.Describe(Result);
}
