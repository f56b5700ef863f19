using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>A method carrying policy attributes, with each of them read as the generator reads them.</summary>
internal sealed class ResilientMethod
{
    private readonly CompanionMethods _companions;

    private ResilientMethod(IMethodSymbol symbol, KnownTypeSymbols types)
    {
        Symbol = symbol;
        _companions = new CompanionMethods(symbol, types);
    }

    public IMethodSymbol Symbol { get; }

    public AttributeReader? Retry { get; private set; }

    public AttributeReader? CircuitBreaker { get; private set; }

    public AttributeReader? Timeout { get; private set; }

    public AttributeReader? Bulkhead { get; private set; }

    public AttributeReader? RateLimit { get; private set; }

    public AttributeReader? Fallback { get; private set; }

    public bool IsIdempotent { get; private set; }

    /// <summary>The parameter the generated code gives the pipeline's token to: the first CancellationToken.</summary>
    public IParameterSymbol? CancellationTokenParameter { get; private set; }

    /// <summary>The name of the implementation the generated code calls.</summary>
    public string CoreName => _companions.CoreName;

    /// <summary>How many policy attributes the method carries ([Idempotent] is not a policy).</summary>
    public int PolicyCount
        => (Retry is null ? 0 : 1) + (CircuitBreaker is null ? 0 : 1) + (Timeout is null ? 0 : 1)
            + (Bulkhead is null ? 0 : 1) + (RateLimit is null ? 0 : 1) + (Fallback is null ? 0 : 1);

    /// <summary>
    /// The policy attributes of <paramref name="method"/>; null when it has none, or when it is the implementing
    /// part of a partial method (its declaring part is analyzed, so nothing is reported twice).
    /// </summary>
    public static ResilientMethod? From(IMethodSymbol method, KnownTypeSymbols types, CancellationToken cancellationToken)
    {
        if (method.PartialDefinitionPart is not null || method.MethodKind != MethodKind.Ordinary)
        {
            return null;
        }

        ResilientMethod? result = null;
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (KnownTypeSymbols.Is(attribute.AttributeClass, types.IdempotentAttribute))
            {
                (result ??= new ResilientMethod(method, types)).IsIdempotent = true;
                continue;
            }

            int policy = types.PolicyIndex(attribute.AttributeClass);
            if (policy < 0)
            {
                continue;
            }

            result ??= new ResilientMethod(method, types);
            var reader = new AttributeReader(attribute, cancellationToken);
            switch (AttributeNames.Policies[policy])
            {
                case AttributeNames.Retry: result.Retry = reader; break;
                case AttributeNames.CircuitBreaker: result.CircuitBreaker = reader; break;
                case AttributeNames.Timeout: result.Timeout = reader; break;
                case AttributeNames.Bulkhead: result.Bulkhead = reader; break;
                case AttributeNames.RateLimit: result.RateLimit = reader; break;
                default: result.Fallback = reader; break;
            }
        }

        if (result is null || result.PolicyCount == 0)
        {
            return null;
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (types.IsCancellationToken(parameter.Type))
            {
                result.CancellationTokenParameter = parameter;
                break;
            }
        }

        return result;
    }

    /// <summary>True when <paramref name="candidate"/> is this method's <c>{Name}Core</c>, by the generator's own matching.</summary>
    public bool IsCore(IMethodSymbol candidate) => _companions.IsCore(candidate);
}
