using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>
/// Every diagnostic of the product: the generator's "cannot generate" errors, RES0001 to RES0008 (and, taken from the
/// end of the range, RES0018 and RES0019 of [CachedFallback]), and the
/// analyzers' design warnings, RES0100 to RES0107. The analyzers compile this same file.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/resilience-generators/resilience-generators/blob/main/docs/diagnostics/";

    private const string Declaration = "Resilience.Declaration";
    private const string Configuration = "Resilience.Configuration";
    private const string Design = "Resilience.Design";

    public static readonly DiagnosticDescriptor MustBePartial = Error(
        "RES0001",
        Declaration,
        "Resilient method must be a partial declaration in partial types",
        "The method '{0}' {1}");

    public static readonly DiagnosticDescriptor MissingCore = Error(
        "RES0002",
        Declaration,
        "No matching {Name}Core implementation",
        "The method '{0}' needs an implementation with the same parameters and return type, '{1}', but {2}");

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
        "Fallback, ShouldRetry, OnRetry, HandleResult or DelayGenerator method missing or of the wrong signature",
        "The {0} method '{1}' of '{2}' {3}; declare it as {4}");

    public static readonly DiagnosticDescriptor ConflictingSharedName = Error(
        "RES0006",
        Configuration,
        "Methods sharing a policy name have different settings",
        "The {0} '{1}' is shared by '{2}' and '{3}' with different settings ({4}); give them the same settings or different names");

    public static readonly DiagnosticDescriptor UncacheableResult = Error(
        "RES0018",
        Configuration,
        "[CachedFallback] on a method whose result cannot be kept",
        "The method '{0}' has [CachedFallback], but {1}; remove [CachedFallback], or return a value that can be kept and given to another caller");

    public static readonly DiagnosticDescriptor UncacheableKey = Error(
        "RES0019",
        Configuration,
        "[CachedFallback] on a method whose arguments cannot be a cache key",
        "The parameter '{0}' of '{1}' is of type '{2}', which cannot be part of a [CachedFallback] key: {3}; pass a string, a number, a Guid, a DateTime, a DateTimeOffset, a TimeSpan, an enum or a bool (or a nullable one), or remove [CachedFallback]");

    public static readonly DiagnosticDescriptor UnusableIdempotencyKey = Error(
        "RES0007",
        Configuration,
        "Idempotency key without a stable string form",
        "The idempotency key '{0}' of '{1}' is {2}, which has no text that is the same in every process, so equal keys could miss each other or different keys could collide; make it a string, a Guid, an integer, an enum, or a type of yours that overrides ToString() (a record)");

    public static readonly DiagnosticDescriptor UnstorableIdempotentResult = Error(
        "RES0008",
        Configuration,
        "Idempotent result that cannot be stored",
        "'{0}' has an idempotency key, but its result type '{1}' {2}, so its first result cannot be stored and returned to a repeat; return the data the caller needs (a record, a DTO) instead");

    public static readonly DiagnosticDescriptor NonIdempotentRetry = Warning(
        "RES0100",
        "Retry on an operation that is not known to be idempotent",
        "'{0}' is {2}, but {1}: an attempt that failed after the work was done is run again, so the work can happen twice; make the operation idempotent and mark it [Idempotent], or remove {3}");

    public static readonly DiagnosticDescriptor HedgingWithoutCancellationToken = Warning(
        "RES0107",
        "Hedging on a method without a CancellationToken",
        "'{0}' is hedged but has no CancellationToken parameter, so the attempts that lose the race cannot be cancelled and run to the end, each loading the dependency; add a CancellationToken parameter to '{0}' and '{0}Core' and pass it on");

    public static readonly DiagnosticDescriptor TimeoutWithoutCancellationToken = Warning(
        "RES0101",
        "Timeout on a method without a CancellationToken",
        "'{0}' has a timeout but no CancellationToken parameter, so the timeout cannot cancel '{0}Core', which runs as long as it takes; add a CancellationToken parameter to '{0}' and '{0}Core' and pass it on");

    public static readonly DiagnosticDescriptor RetryBeyondTotalTimeout = Warning(
        "RES0102",
        "Retry delays exceed the total timeout",
        "{0} attempts with up to {1} ms between them need up to {2} ms, but the total timeout is {3} ms: {4}; raise the timeout, or lower MaxAttempts, DelayMs or MaxDelayMs");

    public static readonly DiagnosticDescriptor RetryOfPermanentFailure = Warning(
        "RES0103",
        "Retrying exceptions that never heal",
        "RetryAttribute.Handle {0}; {1}");

    public static readonly DiagnosticDescriptor BlindCircuitBreaker = Warning(
        "RES0104",
        "Circuit breaker that cannot see the failures it should",
        "CircuitBreakerAttribute.{0} is {1} ms, shorter than {2} ({3} ms): {4}; make it at least {3} ms");

    public static readonly DiagnosticDescriptor TimeoutTokenNotUsed = Warning(
        "RES0105",
        "The timeout's CancellationToken is never used",
        "'{0}' has a timeout, but '{1}' never uses its CancellationToken '{2}', so the timeout cannot cancel it; pass '{2}' on to the calls it makes");

    public static readonly DiagnosticDescriptor IneffectiveSetting = Warning(
        "RES0106",
        "Resilience setting that has no effect",
        "{0} has no effect: {1}; {2}");

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) => new(
        id,
        title,
        message,
        category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + id + ".md");

    private static DiagnosticDescriptor Warning(string id, string title, string message) => new(
        id,
        title,
        message,
        Design,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + id + ".md");
}
