using System.Collections.Generic;

namespace Resilience;

/// <summary>
/// Faults, latency and outcomes injected into the attempts of the methods of one policy name, to see how the
/// application and its policies behave when the dependency misbehaves. Given only through
/// <see cref="PolicySettings.Chaos"/> (the <c>Chaos</c> section of a name in configuration), and honoured only while
/// <see cref="ResilienceRegistry.AllowChaos"/> is true.
/// </summary>
/// <remarks>
/// <para>
/// An injection takes the place of the operation just inside the per-attempt timeout, where a real failure would
/// happen: retries retry it, the breaker counts it, the timeout can cut injected latency short, the fallback
/// answers it. Each attempt draws, in this order, whether it is delayed (<see cref="LatencyRate"/>), whether it
/// fails (<see cref="FaultRate"/>) and, for a method returning <c>HttpResponseMessage</c>, whether it is answered
/// with <see cref="OutcomeStatusCode"/> (<see cref="OutcomeRate"/>); a rate of 0 draws nothing.
/// </para>
/// <para>
/// An injected fault is a <see cref="ChaosInjectedException"/>, and every injection is counted by the
/// <c>resilience.chaos.injections</c> instrument, so that it is never mistaken for a failure of the dependency.
/// </para>
/// </remarks>
public sealed class ChaosSettings
{
    /// <summary>Whether the injections run; false keeps the settings but injects nothing. Default true.</summary>
    public bool Enabled { get; set; } = ChaosRules.DefaultEnabled;

    /// <summary>The share of attempts that throw a <see cref="ChaosInjectedException"/> instead of running; 0 (off) or in (0, 1].</summary>
    public double FaultRate { get; set; } = ChaosRules.DefaultRate;

    /// <summary>The delay added before an attempt that <see cref="LatencyRate"/> picks, in milliseconds; at least 0.</summary>
    public int LatencyMs { get; set; } = ChaosRules.DefaultLatencyMs;

    /// <summary>The share of attempts delayed by <see cref="LatencyMs"/>; 0 (off) or in (0, 1].</summary>
    public double LatencyRate { get; set; } = ChaosRules.DefaultRate;

    /// <summary>
    /// The share of attempts of a method returning <c>HttpResponseMessage</c> that are answered with
    /// <see cref="OutcomeStatusCode"/> instead of running; 0 (off) or in (0, 1]. Methods returning anything else
    /// are not affected.
    /// </summary>
    public double OutcomeRate { get; set; } = ChaosRules.DefaultRate;

    /// <summary>The status code of an injected response; between 100 and 599. Default 500.</summary>
    public int OutcomeStatusCode { get; set; } = ChaosRules.DefaultOutcomeStatusCode;

    /// <summary>Seeds the random draws, so that a run (or a test) sees the same injections again; null for an unpredictable seed.</summary>
    public int? Seed { get; set; }

    /// <summary>True when the settings inject something: enabled, with a rate above 0.</summary>
    internal bool InjectsAnything
        => Enabled && (ChaosRules.FaultRate.IsOn(FaultRate) || (ChaosRules.LatencyRate.IsOn(LatencyRate) && LatencyMs > 0) || ChaosRules.OutcomeRate.IsOn(OutcomeRate));

    /// <summary>Adds a message for every value out of range, naming it <c>{prefix}{Setting}</c>.</summary>
    /// <param name="prefix">The settings' path with its separator: <c>payments:Chaos:</c>.</param>
    /// <param name="problems">Where the messages go.</param>
    internal void Validate(string prefix, List<string> problems)
    {
        Add(ChaosRules.FaultRate.ProblemWith(FaultRate, prefix + ChaosRules.FaultRate.Name));
        Add(ChaosRules.LatencyMs.ProblemWith(LatencyMs, prefix + ChaosRules.LatencyMs.Name));
        Add(ChaosRules.LatencyRate.ProblemWith(LatencyRate, prefix + ChaosRules.LatencyRate.Name));
        Add(ChaosRules.OutcomeRate.ProblemWith(OutcomeRate, prefix + ChaosRules.OutcomeRate.Name));
        Add(ChaosRules.OutcomeStatusCode.ProblemWith(OutcomeStatusCode, prefix + ChaosRules.OutcomeStatusCode.Name));
        if (ChaosRules.LatencyRate.IsOn(LatencyRate) && LatencyMs == 0)
        {
            problems.Add(
                $"{prefix}{ChaosRules.LatencyRate.Name} is {SettingText.Number(LatencyRate)}, but {prefix}{ChaosRules.LatencyMs.Name} is 0: " +
                "give the latency to inject (in milliseconds, or as TimeSpan text such as \"00:00:00.500\"), or set the rate to 0.");
        }

        void Add(string? problem)
        {
            if (problem is not null)
            {
                problems.Add(problem + ".");
            }
        }
    }

    /// <summary>A copy, so that the registry keeps what it was given even if the caller changes this object later.</summary>
    internal ChaosSettings Clone() => (ChaosSettings)MemberwiseClone();
}
