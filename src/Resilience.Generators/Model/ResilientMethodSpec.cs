namespace Resilience.Generators;

/// <summary>Everything the emitter needs to write one resilient method.</summary>
internal sealed record ResilientMethodSpec
{
    /// <summary>The user's names around the method that start with "__", which the generated names must not (see <c>GeneratedNames</c>).</summary>
    public EquatableArray<string> ReservedNames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The method's name, escaped with @ when it is a keyword.</summary>
    public required string Name { get; init; }

    /// <summary>A name unique among the type's resilient methods, from which the generated members are named.</summary>
    public required string MemberKey { get; init; }

    /// <summary>The declaration's modifiers without "partial" (accessibility, static, ...), e.g. "public static".</summary>
    public required string Modifiers { get; init; }

    /// <summary>"ref " or "ref readonly " for a method that returns by reference (refused with RES0003, but its error stub must match); empty otherwise.</summary>
    public string RefReturn { get; init; } = string.Empty;

    /// <summary>The fully qualified return type.</summary>
    public required string ReturnType { get; init; }

    public required ReturnKind ReturnKind { get; init; }

    /// <summary>T for Task&lt;T&gt;, ValueTask&lt;T&gt; and a plain T; null otherwise.</summary>
    public string? ResultType { get; init; }

    /// <summary>True when T is an <c>HttpResponseMessage</c>, which is judged by its status where no <c>HandleResult</c> is named.</summary>
    public bool ResultIsHttpResponse { get; init; }

    /// <summary>True when a T may be <c>IDisposable</c>, so that a failed result nobody returns is disposed: false for a value type or sealed class that is not.</summary>
    public bool ResultMayBeDisposable { get; init; }

    /// <summary>"&lt;T, U&gt;" or empty; a name that is a keyword is escaped with @.</summary>
    public required string TypeParameters { get; init; }

    /// <summary>The "where" clauses the implementing part repeats: for an override, only what it wrote ('class', 'struct', 'default').</summary>
    public required EquatableArray<string> Constraints { get; init; }

    /// <summary>The "where" clauses that hold for the method's type parameters, inherited ones included, which the asynchronous helper declares.</summary>
    public required EquatableArray<string> HelperConstraints { get; init; }

    public required EquatableArray<ParameterSpec> Parameters { get; init; }

    public required bool IsStatic { get; init; }

    /// <summary>True for a <c>readonly</c> member of a struct that is not itself readonly: its helper is readonly too.</summary>
    public bool IsReadOnly { get; init; }

    /// <summary>
    /// The declaration's <c>[Obsolete]</c> and <c>[Experimental]</c>, written out for the asynchronous helper: a member
    /// so marked may call <c>{Name}Core</c> marked alike, which the helper does.
    /// </summary>
    public EquatableArray<string> HelperAttributes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>
    /// The diagnostic ids that <c>[Experimental]</c>, or an <c>[Obsolete]</c> with a <c>DiagnosticId</c> of its own, give
    /// the methods the generated code calls (<c>{Name}Core</c>, the fallback, the hooks), which the generated file
    /// disables, as it does CS0612 and CS0618 for a plain <c>[Obsolete]</c>: the attributes ask for those calls.
    /// </summary>
    public EquatableArray<string> CalleeDiagnosticIds { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The default name of the method's policies, and the name its metrics carry: Namespace.Type.Method.</summary>
    public required string PolicyName { get; init; }

    /// <summary>The CancellationToken parameter's name, or null.</summary>
    public string? CancellationToken { get; init; }

    /// <summary>The name of the implementation the generated code calls, <c>{Name}Core</c>.</summary>
    public required string CoreName { get; init; }

    public RetrySpec? Retry { get; init; }

    public CircuitBreakerSpec? CircuitBreaker { get; init; }

    public TimeoutSpec? Timeout { get; init; }

    public BulkheadSpec? Bulkhead { get; init; }

    public RateLimitSpec? RateLimit { get; init; }

    public FallbackSpec? Fallback { get; init; }

    public HedgingSpec? Hedging { get; init; }

    /// <summary>[CachedFallback]: the last good result per arguments, which answers a failure just inside the fallback.</summary>
    public CachedFallbackSpec? CachedFallback { get; init; }

    /// <summary>[Idempotent] with an [IdempotencyKey] parameter; null when the method has no idempotency key.</summary>
    public IdempotencySpec? Idempotency { get; init; }

    /// <summary>When set, the method could not be generated: the implementation only throws with this message.</summary>
    public string? Error { get; init; }

    /// <summary>True for Task, Task&lt;T&gt;, ValueTask and ValueTask&lt;T&gt;.</summary>
    public bool IsAsync => ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;

    /// <summary>True when the method produces a value: T, Task&lt;T&gt; or ValueTask&lt;T&gt;.</summary>
    public bool HasResult => ReturnKind is ReturnKind.Value or ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;

    /// <summary>The name the method's calls are counted under: its breaker's, bulkhead's or rate limit's, or its own.</summary>
    public string TelemetryPolicy => CircuitBreaker?.Name ?? Bulkhead?.Name ?? RateLimit?.Name ?? PolicyName;
}
