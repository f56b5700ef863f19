#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>
/// The settings of chaos injection, which only configuration gives (a policy name's <c>Chaos</c> section): names,
/// defaults and ranges.
/// </summary>
internal static class ChaosRules
{
    /// <summary>The configuration section under a policy name that holds these settings.</summary>
    public const string SectionName = "Chaos";

    /// <summary>The environment variable that, set to <c>true</c>, allows chaos in a process (<c>ResilienceRegistry.AllowChaos</c>).</summary>
    public const string AllowEnvironmentVariable = "RESILIENCE_ALLOW_CHAOS";

    public const bool DefaultEnabled = true;
    public const double DefaultRate = 0;
    public const int DefaultLatencyMs = 0;
    public const int DefaultOutcomeStatusCode = 500;

    /// <summary>Whether the section's injections run; false keeps the section but injects nothing.</summary>
    public static readonly BoolSettingRule Enabled = new(nameof(Enabled), DefaultEnabled);

    /// <summary>The share of attempts that fail with a <c>ChaosInjectedException</c> instead of calling the operation.</summary>
    public static readonly RatioSettingRule FaultRate = new(nameof(FaultRate), DefaultRate);

    /// <summary>The delay added before an attempt chosen by <see cref="LatencyRate"/>.</summary>
    public static readonly IntSettingRule LatencyMs = new(nameof(LatencyMs), DefaultLatencyMs, minimum: 0);

    /// <summary>The share of attempts delayed by <see cref="LatencyMs"/>.</summary>
    public static readonly RatioSettingRule LatencyRate = new(nameof(LatencyRate), DefaultRate);

    /// <summary>The share of attempts of a method returning <c>HttpResponseMessage</c> answered with <see cref="OutcomeStatusCode"/> instead of calling the operation.</summary>
    public static readonly RatioSettingRule OutcomeRate = new(nameof(OutcomeRate), DefaultRate);

    /// <summary>The HTTP status of an injected outcome.</summary>
    public static readonly IntSettingRule OutcomeStatusCode = new(nameof(OutcomeStatusCode), DefaultOutcomeStatusCode, minimum: 100, maximum: 599);

    /// <summary>Seeds the injections' random draws, so that a run can be repeated; any whole number.</summary>
    public static readonly IntSettingRule Seed = new(nameof(Seed), defaultValue: null, minimum: int.MinValue);

    /// <summary>The problem with chaos given while it is not allowed, naming where it was given and how to allow it.</summary>
    /// <param name="where">The chaos settings' name or configuration path: <c>payments:Chaos</c>.</param>
    public static string NotAllowed(string where)
        => where + " is given, but chaos is not allowed in this process, so no setting was applied. Remove the " + SectionName + " section, " +
            "or allow chaos where it is meant to run: set the environment variable " + AllowEnvironmentVariable + "=true for that deployment, " +
            "or ResilienceRegistry.Default.AllowChaos = true in code (tests).";

    /// <summary>Every setting of the <c>Chaos</c> section, in the order of <c>ChaosSettings</c>.</summary>
    public static readonly SettingRule[] All = { Enabled, FaultRate, LatencyMs, LatencyRate, OutcomeRate, OutcomeStatusCode, Seed };
}
