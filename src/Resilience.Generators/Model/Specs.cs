namespace Resilience.Generators;

/// <summary>What a resilient method returns, which decides the shape of the generated code.</summary>
internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>How the fallback method's result is turned into the resilient method's.</summary>
internal enum FallbackReturn
{
    /// <summary>Returns the result directly (T, or nothing).</summary>
    Direct,

    /// <summary>Returns an awaitable (Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;) to await.</summary>
    Awaitable,
}

/// <summary>One parameter of the resilient method, as it must be repeated in the implementation.</summary>
/// <param name="Name">The name, escaped with @ when it is a keyword.</param>
/// <param name="Type">The fully qualified type, with nullable annotations.</param>
/// <param name="Modifier">"in ", "ref readonly ", "this " or "params ", with a trailing space; empty for none.</param>
/// <param name="PassModifier">"in " when the argument is passed by reference; empty otherwise.</param>
internal sealed record ParameterSpec(string Name, string Type, string Modifier, string PassModifier, bool IsCancellationToken);

/// <summary>The type that holds resilient methods, with the types containing it, outermost first.</summary>
/// <param name="Keyword">The declaration's keywords, e.g. "partial class" or "readonly partial record struct".</param>
/// <param name="Name">The name with its type parameters, each escaped with @ when it is a keyword: "@event&lt;T&gt;".</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

internal sealed record RetrySpec(
    int MaxAttempts,
    int DelayMs,
    int MaxDelayMs,
    int Backoff,
    bool Jitter,
    EquatableArray<string> Handle,
    EquatableArray<string> Ignore,
    string? ShouldRetry,
    string? OnRetry);

internal sealed record CircuitBreakerSpec(
    string Name,
    int FailureThreshold,
    double FailureRatio,
    int MinimumThroughput,
    int SamplingDurationMs,
    int BreakDurationMs,
    int SuccessThreshold,
    int HalfOpenMaxCalls,
    EquatableArray<string> Handle,
    EquatableArray<string> Ignore);

internal sealed record TimeoutSpec(int Milliseconds, bool IsTotal);

internal sealed record BulkheadSpec(string Name, int MaxConcurrency, int MaxQueue, int MaxWaitMs);

/// <param name="KeyParameter">The [RateLimitKey] parameter's name, or null.</param>
/// <param name="KeyType">The type the partitions are keyed by (the parameter's, or object? when it involves a type parameter).</param>
internal sealed record RateLimitSpec(string Name, int Permits, int WindowMs, int Algorithm, int QueueLimit, string? KeyParameter, string? KeyType);

/// <param name="PassesException">True when the fallback takes the failure as a last parameter.</param>
/// <param name="HandlesBrokenCircuit">True when an open circuit goes to the fallback (its Handle allows BrokenCircuitException).</param>
internal sealed record FallbackSpec(
    string Method,
    bool PassesException,
    FallbackReturn Return,
    EquatableArray<string> Handle,
    bool HandlesBrokenCircuit,
    bool HandlesBulkheadRejection,
    bool HandlesRateLimitRejection);

/// <summary>Everything the emitter needs to write one resilient method.</summary>
/// <param name="MemberKey">A name unique among the type's resilient methods, for the generated members.</param>
/// <param name="Modifiers">The declaration's modifiers without "partial" (accessibility, static, ...), e.g. "public static".</param>
/// <param name="ReturnType">The fully qualified return type.</param>
/// <param name="ResultType">T for Task&lt;T&gt;/ValueTask&lt;T&gt;/T; null otherwise.</param>
/// <param name="TypeParameters">"&lt;T, U&gt;" or empty; a name that is a keyword is escaped with @.</param>
/// <param name="Constraints">The "where" clauses of the method's type parameters.</param>
/// <param name="PolicyName">The default name of the method's policies: Namespace.Type.Method.</param>
/// <param name="CancellationToken">The CancellationToken parameter's name, or null.</param>
/// <param name="Error">When set, the method could not be generated: the implementation only throws with this message.</param>
internal sealed record ResilientMethodSpec(
    string Name,
    string MemberKey,
    string Modifiers,
    string ReturnType,
    ReturnKind ReturnKind,
    string? ResultType,
    string TypeParameters,
    EquatableArray<string> Constraints,
    EquatableArray<ParameterSpec> Parameters,
    bool IsStatic,
    string PolicyName,
    string? CancellationToken,
    string CoreName,
    RetrySpec? Retry,
    CircuitBreakerSpec? CircuitBreaker,
    TimeoutSpec? Timeout,
    BulkheadSpec? Bulkhead,
    RateLimitSpec? RateLimit,
    FallbackSpec? Fallback,
    string? Error);

/// <summary>The result of parsing one annotated method: its type, its spec (if anything can be emitted) and its diagnostics.</summary>
/// <param name="TypeKey">The containing type's fully qualified name: methods are grouped into one file per type by it.</param>
/// <param name="Namespace">The namespace as code refers to it, each part that is a keyword escaped with @ ("Shop.@event"); null for the global one.</param>
/// <param name="HintName">The generated file's name, made of the plain names (no @) and only of characters a hint name may hold.</param>
/// <param name="ModuleInitializers">True when the compilation can have a module initializer (.NET 5+); the same for every method of a compilation.</param>
internal sealed record MethodResult(
    string TypeKey,
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string HintName,
    ResilientMethodSpec? Method,
    EquatableArray<DiagnosticInfo> Diagnostics,
    LocationInfo? Location,
    bool ModuleInitializers);

/// <summary>One generated file: a type and its resilient methods.</summary>
/// <param name="Namespace">The namespace as code refers to it (see <see cref="MethodResult.Namespace"/>); null for the global one.</param>
/// <param name="HintName">The file's name, unique among the generated files.</param>
internal sealed record ResilientTypeSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string HintName,
    EquatableArray<ResilientMethodSpec> Methods);
