using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>
/// The types the generator and the analyzers recognise, resolved once per compilation and compared as symbols,
/// never by name: the policy attributes, the rejections, and the framework's Task, ValueTask, CancellationToken
/// and Exception. The generator and the analyzers compile this same file; the analyzers add the types of HTTP.
/// </summary>
internal sealed partial class KnownTypeSymbols
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypeSymbols> s_byCompilation = new();

    private const int Unknown = 0, No = 1, Yes = 2;
    private int _canHaveModuleInitializer;

    private KnownTypeSymbols(Compilation compilation)
    {
        Compilation = compilation;
        PolicyAttributes = new INamedTypeSymbol?[AttributeNames.Policies.Length];
        for (int i = 0; i < PolicyAttributes.Length; i++)
        {
            PolicyAttributes[i] = compilation.GetTypeByMetadataName(AttributeNames.Policies[i]);
        }

        RateLimitKeyAttribute = compilation.GetTypeByMetadataName(AttributeNames.RateLimitKey);
        IdempotentAttribute = compilation.GetTypeByMetadataName(AttributeNames.Idempotent);
        ResilienceRejectedException = compilation.GetTypeByMetadataName("Resilience.ResilienceRejectedException");
        BrokenCircuitException = compilation.GetTypeByMetadataName("Resilience.BrokenCircuitException");
        BulkheadRejectedException = compilation.GetTypeByMetadataName("Resilience.BulkheadRejectedException");
        RateLimitRejectedException = compilation.GetTypeByMetadataName("Resilience.RateLimitRejectedException");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        AsyncEnumerableOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        AddMore(compilation);
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol? RetryAttribute => PolicyAttribute(AttributeNames.Retry);

    public INamedTypeSymbol? CircuitBreakerAttribute => PolicyAttribute(AttributeNames.CircuitBreaker);

    public INamedTypeSymbol? TimeoutAttribute => PolicyAttribute(AttributeNames.Timeout);

    public INamedTypeSymbol? RateLimitKeyAttribute { get; }

    public INamedTypeSymbol? IdempotentAttribute { get; }

    public INamedTypeSymbol? ResilienceRejectedException { get; }

    public INamedTypeSymbol? BrokenCircuitException { get; }

    public INamedTypeSymbol? BulkheadRejectedException { get; }

    public INamedTypeSymbol? RateLimitRejectedException { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? AsyncEnumerableOfT { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Exception { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    /// <summary>The policy attributes, in the order of <see cref="AttributeNames.Policies"/>.</summary>
    public INamedTypeSymbol?[] PolicyAttributes { get; }

    /// <summary>The policy attribute of metadata name <paramref name="metadataName"/>, one of <see cref="AttributeNames.Policies"/>.</summary>
    public INamedTypeSymbol? PolicyAttribute(string metadataName) => PolicyAttributes[System.Array.IndexOf(AttributeNames.Policies, metadataName)];

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
                bool can = Compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ModuleInitializerAttribute") is { } attribute
                    && (attribute.DeclaredAccessibility == Accessibility.Public || Compilation.IsSymbolAccessibleWithin(attribute, Compilation.Assembly));
                answer = can ? Yes : No;
                Volatile.Write(ref _canHaveModuleInitializer, answer);
            }

            return answer == Yes;
        }
    }

    /// <summary>The known types of <paramref name="compilation"/>, resolved on its first use.</summary>
    public static KnownTypeSymbols For(Compilation compilation) => s_byCompilation.GetValue(compilation, static c => new KnownTypeSymbols(c));

    /// <summary>The index in <see cref="PolicyAttributes"/> of <paramref name="attributeClass"/>; -1 when it is not a policy attribute.</summary>
    public int PolicyIndex(INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null)
        {
            return -1;
        }

        for (int i = 0; i < PolicyAttributes.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(attributeClass, PolicyAttributes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public bool IsCancellationToken(ITypeSymbol? type) => Is(type, CancellationToken);

    public bool IsException(ITypeSymbol? type) => Is(type, Exception);

    /// <summary>True when <paramref name="type"/> is <paramref name="expected"/> (which may be missing from the compilation).</summary>
    public static bool Is(ITypeSymbol? type, ITypeSymbol? expected)
        => type is not null && expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);

    /// <summary>True when <paramref name="type"/> is a constructed <paramref name="definition"/> (Task&lt;int&gt; of Task&lt;T&gt;).</summary>
    public static bool IsConstructedFrom(ITypeSymbol? type, INamedTypeSymbol? definition)
        => type is INamedTypeSymbol { IsGenericType: true } named && Is(named.OriginalDefinition, definition);

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

    /// <summary>Resolves the types a part of this class declared elsewhere needs (the analyzers' HTTP types).</summary>
    partial void AddMore(Compilation compilation);
}
