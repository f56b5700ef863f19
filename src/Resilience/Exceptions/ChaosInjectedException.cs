using System;

namespace Resilience;

/// <summary>
/// A fault that chaos injection threw in place of an attempt (see <see cref="ChaosSettings.FaultRate"/>): the
/// dependency was not called. Retries, breakers and fallbacks handle it as they handle any failure of the
/// dependency; logs, traces and metrics name this type, so that it is never mistaken for one.
/// </summary>
/// <remarks>
/// A <c>Handle</c> list on <c>[Retry]</c>, <c>[CircuitBreaker]</c> or <c>[Fallback]</c> that does not name this type
/// (or a base of it) lets it through unhandled, as it would any other exception it does not name.
/// </remarks>
public sealed class ChaosInjectedException : Exception
{
    /// <summary>Creates the exception for a fault injected into the methods of <paramref name="policyName"/>.</summary>
    /// <param name="policyName">The policy name whose <c>Chaos</c> settings injected it.</param>
    public ChaosInjectedException(string policyName)
        : base($"Chaos injection failed this attempt of '{policyName}' on purpose (its Chaos settings' FaultRate); the dependency was not called. " +
            $"To stop it, set Chaos:Enabled to false under '{policyName}' in the resilience configuration, or remove that Chaos section.")
    {
        PolicyName = policyName ?? throw new ArgumentNullException(nameof(policyName));
    }

    /// <summary>The policy name whose <c>Chaos</c> settings injected the fault.</summary>
    public string PolicyName { get; }
}
