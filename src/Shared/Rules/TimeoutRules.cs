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
}
