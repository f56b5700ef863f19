#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>The settings of <c>[Timeout]</c>: names, defaults and ranges.</summary>
internal static class TimeoutRules
{
    public const TimeoutScope DefaultScope = TimeoutScope.PerAttempt;

    /// <summary>The timeout; the attribute's constructor requires it.</summary>
    public static readonly IntSettingRule Milliseconds = new(nameof(Milliseconds), defaultValue: null, minimum: 1, requiredByAttribute: true);

    public static readonly EnumSettingRule<TimeoutScope> Scope = new(nameof(Scope), DefaultScope);

    /// <summary>
    /// The timeout as configuration overrides it under a policy name, where a bare <c>Milliseconds</c> would not say
    /// what it is; its range is <see cref="Milliseconds"/>'.
    /// </summary>
    public static readonly IntSettingRule TimeoutMs = new(nameof(TimeoutMs), defaultValue: null, minimum: Milliseconds.Minimum);

    /// <summary>Every setting configuration can override while the application runs (the scope is compiled in: it places the timeout in the pipeline).</summary>
    public static readonly SettingRule[] Live = { TimeoutMs };
}
