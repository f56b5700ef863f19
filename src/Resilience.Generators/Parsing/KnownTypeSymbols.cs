using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>
/// The types the generator and the analyzers recognise, resolved once per compilation and compared as symbols,
/// never by name (see <see cref="KnownType"/>): the policy attributes, the rejections, and the framework's Task, ValueTask, CancellationToken
/// and Exception. The generator and the analyzers compile this same file; the analyzers add the types of HTTP.
/// </summary>
internal sealed partial class KnownTypeSymbols
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypeSymbols> s_byCompilation = new();

    private const int Unknown = 0, No = 1, Yes = 2;
    private int _canHaveModuleInitializer;

    private readonly Compilation _compilation;

    private KnownTypeSymbols(Compilation compilation)
    {
        _compilation = compilation;
        PolicyAttributes = new KnownType[AttributeNames.Policies.Length];
        for (int i = 0; i < PolicyAttributes.Length; i++)
        {
            PolicyAttributes[i] = new KnownType(compilation, AttributeNames.Policies[i]);
        }

        RateLimitKeyAttribute = new KnownType(compilation, AttributeNames.RateLimitKey);
        CircuitBreakerKeyAttribute = new KnownType(compilation, AttributeNames.CircuitBreakerKey);
        IdempotentAttribute = new KnownType(compilation, AttributeNames.Idempotent);
        IdempotencyKeyAttribute = new KnownType(compilation, AttributeNames.IdempotencyKey);
        Guid = new KnownType(compilation, "System.Guid");
        Stream = new KnownType(compilation, "System.IO.Stream");
        HttpContent = new KnownType(compilation, "System.Net.Http.HttpContent");
        JsonPolymorphicAttribute = new KnownType(compilation, "System.Text.Json.Serialization.JsonPolymorphicAttribute");
        JsonDerivedTypeAttribute = new KnownType(compilation, "System.Text.Json.Serialization.JsonDerivedTypeAttribute");
        ResilienceRejectedException = new KnownType(compilation, "Resilience.ResilienceRejectedException");
        BrokenCircuitException = new KnownType(compilation, "Resilience.BrokenCircuitException");
        BulkheadRejectedException = new KnownType(compilation, "Resilience.BulkheadRejectedException");
        RateLimitRejectedException = new KnownType(compilation, "Resilience.RateLimitRejectedException");
        Task = new KnownType(compilation, "System.Threading.Tasks.Task");
        TaskOfT = new KnownType(compilation, "System.Threading.Tasks.Task`1");
        ValueTask = new KnownType(compilation, "System.Threading.Tasks.ValueTask");
        ValueTaskOfT = new KnownType(compilation, "System.Threading.Tasks.ValueTask`1");
        AsyncEnumerableOfT = new KnownType(compilation, "System.Collections.Generic.IAsyncEnumerable`1");
        CancellationToken = new KnownType(compilation, "System.Threading.CancellationToken");
        Exception = new KnownType(compilation, "System.Exception");
        OperationCanceledException = new KnownType(compilation, "System.OperationCanceledException");
        TimeSpan = new KnownType(compilation, "System.TimeSpan");
        DateTimeOffset = new KnownType(compilation, "System.DateTimeOffset");
        AsyncDisposable = new KnownType(compilation, "System.IAsyncDisposable");
        HttpResponseMessage = new KnownType(compilation, "System.Net.Http.HttpResponseMessage");
        HttpRequestMessage = new KnownType(compilation, "System.Net.Http.HttpRequestMessage");
        OutcomeOfT = new KnownType(compilation, "Resilience.Outcome`1");
        ObsoleteAttribute = new KnownType(compilation, "System.ObsoleteAttribute");
        ExperimentalAttribute = new KnownType(compilation, "System.Diagnostics.CodeAnalysis.ExperimentalAttribute");
        NullableOfT = compilation.GetSpecialType(SpecialType.System_Nullable_T);
        AddMore(compilation);
    }

    public KnownType RetryAttribute => PolicyAttribute(AttributeNames.Retry);

    public KnownType CircuitBreakerAttribute => PolicyAttribute(AttributeNames.CircuitBreaker);

    public KnownType TimeoutAttribute => PolicyAttribute(AttributeNames.Timeout);

    public KnownType HedgingAttribute => PolicyAttribute(AttributeNames.Hedging);

    public KnownType RateLimitKeyAttribute { get; }

    public KnownType CircuitBreakerKeyAttribute { get; }

    public KnownType IdempotentAttribute { get; }

    /// <summary><c>[IdempotencyKey]</c>, on the parameter whose value keys a method's stored results.</summary>
    public KnownType IdempotencyKeyAttribute { get; }

    /// <summary><c>System.Guid</c>, a key with a stable text (idempotency keys, cached fallback).</summary>
    public KnownType Guid { get; }

    /// <summary><c>System.IO.Stream</c>, a result that cannot be stored or kept.</summary>
    public KnownType Stream { get; }

    /// <summary><c>System.Net.Http.HttpContent</c>, a result that cannot be stored.</summary>
    public KnownType HttpContent { get; }

    /// <summary>System.Text.Json's <c>[JsonPolymorphic]</c>, which lets an interface or abstract result be read back.</summary>
    public KnownType JsonPolymorphicAttribute { get; }

    /// <summary>System.Text.Json's <c>[JsonDerivedType]</c>, which lets an interface or abstract result be read back.</summary>
    public KnownType JsonDerivedTypeAttribute { get; }

    public KnownType ResilienceRejectedException { get; }

    public KnownType BrokenCircuitException { get; }

    public KnownType BulkheadRejectedException { get; }

    public KnownType RateLimitRejectedException { get; }

    public KnownType Task { get; }

    public KnownType TaskOfT { get; }

    public KnownType ValueTask { get; }

    public KnownType ValueTaskOfT { get; }

    public KnownType AsyncEnumerableOfT { get; }

    public KnownType CancellationToken { get; }

    public KnownType Exception { get; }

    public KnownType OperationCanceledException { get; }

    public KnownType TimeSpan { get; }

    public KnownType DateTimeOffset { get; }

    public KnownType AsyncDisposable { get; }

    public KnownType HttpResponseMessage { get; }

    public KnownType HttpRequestMessage { get; }

    public KnownType OutcomeOfT { get; }

    /// <summary><c>[Obsolete]</c>, copied from a declaration to its asynchronous helper.</summary>
    public KnownType ObsoleteAttribute { get; }

    /// <summary><c>[Experimental]</c> (.NET 8), copied from a declaration to its asynchronous helper.</summary>
    public KnownType ExperimentalAttribute { get; }

    /// <summary><c>Nullable&lt;T&gt;</c>, whose definition is a special type.</summary>
    public INamedTypeSymbol NullableOfT { get; }

    /// <summary>True for <c>TimeSpan?</c>.</summary>
    public bool IsNullableTimeSpan(ITypeSymbol type)
        => type is INamedTypeSymbol { IsGenericType: true } named
            && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, NullableOfT)
            && TimeSpan.Is(named.TypeArguments[0]);

    /// <summary>The policy attributes, in the order of <see cref="AttributeNames.Policies"/>.</summary>
    public KnownType[] PolicyAttributes { get; }

    /// <summary>
    /// True when the compilation has ModuleInitializerAttribute (.NET 5 and later), asked on first use. A public type
    /// is accessible from anywhere, so only a non-public one (a polyfill) is put to the accessibility check, which
    /// first walks all of the compilation's references.
    /// </summary>
    public bool CanHaveModuleInitializer
    {
        get
        {
            int answer = Volatile.Read(ref _canHaveModuleInitializer);
            if (answer == Unknown)
            {
                bool can = _compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ModuleInitializerAttribute") is { } attribute
                    && (attribute.DeclaredAccessibility == Accessibility.Public || _compilation.IsSymbolAccessibleWithin(attribute, _compilation.Assembly));
                answer = can ? Yes : No;
                Volatile.Write(ref _canHaveModuleInitializer, answer);
            }

            return answer == Yes;
        }
    }

    /// <summary>True when <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool IsOrDerivesFrom(ITypeSymbol? type, ITypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, baseType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The known types of <paramref name="compilation"/>, resolved on its first use.</summary>
    public static KnownTypeSymbols For(Compilation compilation) => s_byCompilation.GetValue(compilation, static c => new KnownTypeSymbols(c));

    /// <summary>The policy attribute of metadata name <paramref name="metadataName"/>, one of <see cref="AttributeNames.Policies"/>.</summary>
    public KnownType PolicyAttribute(string metadataName) => PolicyAttributes[System.Array.IndexOf(AttributeNames.Policies, metadataName)];

    /// <summary>The index in <see cref="PolicyAttributes"/> of <paramref name="attributeClass"/>; -1 when it is not a policy attribute.</summary>
    public int PolicyIndex(INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null)
        {
            return -1;
        }

        for (int i = 0; i < PolicyAttributes.Length; i++)
        {
            if (PolicyAttributes[i].Is(attributeClass))
            {
                return i;
            }
        }

        return -1;
    }

    public bool IsCancellationToken(ITypeSymbol? type) => CancellationToken.Is(type);

    public bool IsException(ITypeSymbol? type) => Exception.Is(type);

    /// <summary>Resolves the types a part of this class declared elsewhere needs (the analyzers' HTTP types).</summary>
    partial void AddMore(Compilation compilation);
}
