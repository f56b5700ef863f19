using Microsoft.CodeAnalysis;

namespace Resilience.Analyzers;

/// <summary>The types the analyzers look for, resolved once per compilation.</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation, INamedTypeSymbol retry)
    {
        Retry = retry;
        CircuitBreaker = compilation.GetTypeByMetadataName("Resilience.CircuitBreakerAttribute");
        Timeout = compilation.GetTypeByMetadataName("Resilience.TimeoutAttribute");
        Bulkhead = compilation.GetTypeByMetadataName("Resilience.BulkheadAttribute");
        RateLimit = compilation.GetTypeByMetadataName("Resilience.RateLimitAttribute");
        Fallback = compilation.GetTypeByMetadataName("Resilience.FallbackAttribute");
        Idempotent = compilation.GetTypeByMetadataName("Resilience.IdempotentAttribute");
        ResilienceRejected = compilation.GetTypeByMetadataName("Resilience.ResilienceRejectedException");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
        HttpClient = compilation.GetTypeByMetadataName("System.Net.Http.HttpClient");
        HttpMessageInvoker = compilation.GetTypeByMetadataName("System.Net.Http.HttpMessageInvoker");
        HttpMethod = compilation.GetTypeByMetadataName("System.Net.Http.HttpMethod");
        HttpRequestMessage = compilation.GetTypeByMetadataName("System.Net.Http.HttpRequestMessage");
        HttpClientJsonExtensions = compilation.GetTypeByMetadataName("System.Net.Http.Json.HttpClientJsonExtensions");
    }

    public INamedTypeSymbol Retry { get; }

    public INamedTypeSymbol? CircuitBreaker { get; }

    public INamedTypeSymbol? Timeout { get; }

    public INamedTypeSymbol? Bulkhead { get; }

    public INamedTypeSymbol? RateLimit { get; }

    public INamedTypeSymbol? Fallback { get; }

    public INamedTypeSymbol? Idempotent { get; }

    public INamedTypeSymbol? ResilienceRejected { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Exception { get; }

    public INamedTypeSymbol? HttpClient { get; }

    public INamedTypeSymbol? HttpMessageInvoker { get; }

    public INamedTypeSymbol? HttpMethod { get; }

    public INamedTypeSymbol? HttpRequestMessage { get; }

    public INamedTypeSymbol? HttpClientJsonExtensions { get; }

    /// <summary>The known types of <paramref name="compilation"/>; null when it does not reference the Resilience runtime, so there is nothing to analyze.</summary>
    public static KnownTypes? From(Compilation compilation)
        => compilation.GetTypeByMetadataName("Resilience.RetryAttribute") is { } retry ? new KnownTypes(compilation, retry) : null;

    public bool IsCancellationToken(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, CancellationToken);

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
}
