using System;

namespace Resilience;

/// <summary>
/// Describes a result that was handled as a failure (by a <c>HandleResult</c> method, or, for an
/// <c>HttpResponseMessage</c>, by its status code) to a fallback method that takes an <see cref="Exception"/>.
/// It is created for that fallback, never thrown: a failed result costs no exception on the way.
/// </summary>
/// <remarks>A fallback that takes an <see cref="Outcome{T}"/> instead receives the result itself.</remarks>
public sealed class HandledResultException : Exception
{
    /// <summary>Describes <paramref name="result"/>, handled as a failure of <paramref name="policyName"/>.</summary>
    /// <param name="policyName">The method's policy name, <c>Namespace.Type.Method</c> or its shared policy's name.</param>
    /// <param name="result">The result.</param>
    public HandledResultException(string policyName, object? result)
        : base($"'{policyName}' returned a result handled as a failure: {OutcomeText.Describe(result)}.")
    {
        PolicyName = policyName;
        Result = result;
    }

    /// <summary>The name of the method's policy.</summary>
    public string PolicyName { get; }

    /// <summary>The result handled as a failure.</summary>
    public object? Result { get; }
}
