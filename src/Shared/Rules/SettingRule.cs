using System;

#if RESILIENCE_ROSLYN_COMPONENT
namespace Resilience.Shared;
#else
namespace Resilience;
#endif

/// <summary>
/// One setting of a policy as every part of the product knows it: its name (the attribute's property, the options'
/// property and the configuration key alike), its default and what values it allows. The generator's RES0004, the
/// analyzers, the runtime's option checks and the configuration reader all ask these rules.
/// </summary>
internal abstract class SettingRule
{
    private protected SettingRule(string name) => Name = name;

    /// <summary>The setting's name: <c>MaxAttempts</c>.</summary>
    public string Name { get; }

    /// <summary>What a valid value is, as it completes "it must be ...": <c>at least 1</c>.</summary>
    public abstract string Requirement { get; }

    /// <summary>The one wording of a value out of range: <c>{subject} is {value}; it must be {Requirement}</c>.</summary>
    /// <param name="subject">How the setting is named where it was given: <c>RetryAttribute.MaxAttempts</c>, <c>payments:FailureThreshold</c>.</param>
    /// <param name="value">The value as <see cref="SettingText"/> writes it.</param>
    public string Describe(string subject, string value) => subject + " is " + value + "; it must be " + Requirement;
}

/// <summary>A whole-number setting with a lowest allowed value.</summary>
internal sealed class IntSettingRule : SettingRule
{
    /// <param name="name">The setting's name.</param>
    /// <param name="defaultValue">The value when none is given; null when there is none (the setting has no options object to default).</param>
    /// <param name="minimum">The lowest allowed value.</param>
    /// <param name="requiredByAttribute">True when the attribute's constructor takes the value, so that an attribute never goes without it.</param>
    /// <param name="maximum">The highest allowed value; <see cref="int.MaxValue"/> when only the minimum bounds it.</param>
    public IntSettingRule(string name, int? defaultValue, int minimum, bool requiredByAttribute = false, int maximum = int.MaxValue)
        : base(name)
    {
        Default = defaultValue;
        Minimum = minimum;
        Maximum = maximum;
        RequiredByAttribute = requiredByAttribute;
    }

    /// <summary>The value when none is given (an options object's default); null when there is none.</summary>
    public int? Default { get; }

    /// <summary>True when the attribute's constructor takes the value: the attribute has no default for it.</summary>
    public bool RequiredByAttribute { get; }

    /// <summary>The value an attribute has when it does not set this one; null when its constructor requires it.</summary>
    public int? AttributeDefault => RequiredByAttribute ? null : Default;

    public int Minimum { get; }

    public int Maximum { get; }

    /// <summary>
    /// True for a duration in milliseconds: every duration is named <c>...Ms</c> (DESIGN §2), and configuration also
    /// takes it as <see cref="System.TimeSpan"/> text.
    /// </summary>
    public bool IsDuration => Name.EndsWith("Ms", StringComparison.Ordinal);

    public override string Requirement => Maximum == int.MaxValue
        ? "at least " + SettingText.Number(Minimum)
        : "between " + SettingText.Number(Minimum) + " and " + SettingText.Number(Maximum);

    public bool Allows(int value) => value >= Minimum && value <= Maximum;

    /// <summary>The problem with <paramref name="value"/>, named <paramref name="subject"/>; null when it is allowed.</summary>
    public string? ProblemWith(int value, string subject) => Allows(value) ? null : Describe(subject, SettingText.Number(value));
}

/// <summary>A share in (0, 1]; where <see cref="ZeroTurnsOff"/>, 0 is allowed too and turns the mode it drives off.</summary>
internal sealed class RatioSettingRule : SettingRule
{
    /// <param name="name">The setting's name.</param>
    /// <param name="defaultValue">The value when none is given.</param>
    /// <param name="zeroTurnsOff">True when 0 is allowed and means "off"; false when the share must be above 0.</param>
    public RatioSettingRule(string name, double defaultValue, bool zeroTurnsOff = true)
        : base(name)
    {
        Default = defaultValue;
        ZeroTurnsOff = zeroTurnsOff;
    }

    public double Default { get; }

    /// <summary>True when 0 is allowed and turns the mode off.</summary>
    public bool ZeroTurnsOff { get; }

    public override string Requirement => ZeroTurnsOff ? "0 (off) or in (0, 1]" : "in (0, 1]";

    /// <summary>True for (0, 1], and for 0 when it turns the mode off; false for NaN.</summary>
    public bool Allows(double value) => (ZeroTurnsOff ? value >= 0 : value > 0) && value <= 1;

    /// <summary>True when the value turns its mode on: allowed and above 0.</summary>
    public bool IsOn(double value) => value > 0 && value <= 1;

    public string? ProblemWith(double value, string subject) => Allows(value) ? null : Describe(subject, SettingText.Number(value));
}

/// <summary>A setting whose value is one of the members of <typeparamref name="TEnum"/>.</summary>
internal sealed class EnumSettingRule<TEnum> : SettingRule
    where TEnum : struct, Enum
{
    public EnumSettingRule(string name, TEnum defaultValue)
        : base(name)
    {
        Default = defaultValue;
    }

    public TEnum Default { get; }

    /// <summary>The members' names, in declaration order.</summary>
    public string[] Names => Enum.GetNames(typeof(TEnum));

    public override string Requirement => "a " + typeof(TEnum).Name + " (" + SettingText.Choices(Names) + ")";

    public bool Allows(TEnum value) => Enum.IsDefined(typeof(TEnum), value);

    public string? ProblemWith(TEnum value, string subject) => Allows(value) ? null : Describe(subject, value.ToString());
}

/// <summary>A switch, which any value allows.</summary>
internal sealed class BoolSettingRule : SettingRule
{
    public BoolSettingRule(string name, bool defaultValue)
        : base(name)
    {
        Default = defaultValue;
    }

    public bool Default { get; }

    public override string Requirement => "true or false";
}
