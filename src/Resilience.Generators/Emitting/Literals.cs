using System;
using System.Globalization;
using System.Reflection;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>The names and values generated code writes: runtime types, C# literals, and the attribute every generated member carries.</summary>
internal static class Literals
{
    /// <summary>The runtime's namespace, qualified: types are written <c>global::Resilience.Name</c>.</summary>
    public const string Runtime = "global::Resilience.";

    public const string Registry = Runtime + "ResilienceRegistry.Default";
    public const string Exception = "global::System.Exception";
    public const string OperationCanceled = "global::System.OperationCanceledException";
    public const string NoToken = "global::System.Threading.CancellationToken.None";
    public const string Tasks = "global::System.Threading.Tasks.";
    public const string CancellationToken = "global::System.Threading.CancellationToken";
    public const string InfiniteTimeSpan = "global::System.Threading.Timeout.InfiniteTimeSpan";

    /// <summary>
    /// Marks, in the emitter's templates, the start of a name the generator makes (<c>§attempt</c>, <c>§{MemberKey}_Telemetry</c>).
    /// No identifier can hold it, and <see cref="String"/> escapes it in text the user wrote, so that
    /// <see cref="GeneratedNames"/> can replace every mark in a type's file with that type's prefix: <c>__</c>, or one
    /// that none of the user's names starts with.
    /// </summary>
    public const char GeneratedName = '\u00A7';

    /// <summary>On the members the generator adds (fields, helpers, classes), never on the implementing part of a partial method.</summary>
    public static readonly string GeneratedCode =
        $"[global::System.CodeDom.Compiler.GeneratedCode(\"Resilience.Generators\", \"{typeof(Literals).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0"}\")]";

    public static string String(string text)
        => "\"" + EscapeMarks(text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "\\r").Replace("\n", "\\n")) + "\"";

    /// <summary>
    /// <paramref name="code"/>, a literal's text, with <see cref="GeneratedName"/> written as its escape sequence, so
    /// that a mark in the user's text is never taken for the emitter's.
    /// </summary>
    public static string EscapeMarks(string code) => code.Replace(GeneratedName.ToString(), "\\u00A7");

    /// <summary>A <see cref="TimeSpan"/> of <paramref name="milliseconds"/>, built from its ticks so that nothing is computed at run time.</summary>
    public static string TimeSpan(int milliseconds)
        => $"new global::System.TimeSpan({(milliseconds * System.TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture)}L)";

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A runtime enum's member: <c>global::Resilience.BackoffKind.Exponential</c>.</summary>
    public static string Enum(System.Enum value) => Runtime + value.GetType().Name + "." + value;

    /// <summary>A setting's value as an initializer writes it.</summary>
    public static string Setting(SettingValue setting) => setting.Value switch
    {
        int number => Number(number),
        double ratio => SettingText.Number(ratio) + "d",
        bool flag => Bool(flag),
        System.Enum member => Enum(member),
        _ => throw new ArgumentException($"The setting {setting.Rule.Name} has a value of type {setting.Value.GetType().Name}, which no initializer writes.", nameof(setting)),
    };

    /// <summary>An options object initialized with <paramref name="settings"/>: <c>new global::Resilience.BulkheadOptions { MaxConcurrency = 4, ... }</c>.</summary>
    public static string Options(string type, System.Collections.Generic.IReadOnlyList<SettingValue> settings)
    {
        var assignments = new string[settings.Count];
        for (int i = 0; i < assignments.Length; i++)
        {
            assignments[i] = settings[i].Rule.Name + " = " + Setting(settings[i]);
        }

        return $"new {Runtime}{type} {{ {string.Join(", ", assignments)} }}";
    }
}
