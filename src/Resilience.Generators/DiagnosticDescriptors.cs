using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>Every diagnostic the generator reports: "cannot generate" errors, RES0001 to RES0006.</summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/resilience-generators/resilience-generators/blob/main/docs/diagnostics/";

    private const string Declaration = "Resilience.Declaration";
    private const string Configuration = "Resilience.Configuration";

    public static readonly DiagnosticDescriptor MustBePartial = Error(
        "RES0001",
        Declaration,
        "Resilient method must be a partial declaration in partial types",
        "The method '{0}' {1}: declare it 'partial' without a body, in types that are all 'partial', and implement '{0}Core' instead");

    public static readonly DiagnosticDescriptor MissingCore = Error(
        "RES0002",
        Declaration,
        "No matching {Name}Core implementation",
        "The method '{0}' needs an implementation with the same parameters and return type, '{1}', but {2}; add it to the type");

    public static readonly DiagnosticDescriptor UnsupportedSignature = Error(
        "RES0003",
        Declaration,
        "Unsupported signature for a resilient method",
        "The method '{0}' cannot be made resilient: {1}");

    public static readonly DiagnosticDescriptor InvalidAttributeValue = Error(
        "RES0004",
        Configuration,
        "Invalid resilience attribute value",
        "{0} is {1}; it must be {2}");

    public static readonly DiagnosticDescriptor InvalidPolicyMethod = Error(
        "RES0005",
        Configuration,
        "Fallback, ShouldRetry or OnRetry method missing or of the wrong signature",
        "The {0} method '{1}' of '{2}' {3}; declare it as {4}");

    public static readonly DiagnosticDescriptor ConflictingSharedName = Error(
        "RES0006",
        Configuration,
        "Methods sharing a policy name have different settings",
        "The {0} '{1}' is shared by '{2}' and '{3}' with different settings ({4}); give them the same settings or different names");

    public static DiagnosticDescriptor? ById(string id) => id switch
    {
        "RES0001" => MustBePartial,
        "RES0002" => MissingCore,
        "RES0003" => UnsupportedSignature,
        "RES0004" => InvalidAttributeValue,
        "RES0005" => InvalidPolicyMethod,
        "RES0006" => ConflictingSharedName,
        _ => null,
    };

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) => new(
        id,
        title,
        message,
        category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + id + ".md");
}
