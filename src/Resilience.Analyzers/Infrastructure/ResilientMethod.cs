using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>A method carrying policy attributes, with each of them read as the generator reads them.</summary>
internal sealed class ResilientMethod
{
    private readonly CompanionMethods _companions;

    // The method's policy attributes, by their index in AttributeNames.Policies.
    private readonly AttributeReader?[] _policies = new AttributeReader?[AttributeNames.Policies.Length];

    private ResilientMethod(IMethodSymbol symbol, KnownTypeSymbols types)
    {
        Symbol = symbol;
        _companions = new CompanionMethods(symbol, types);
    }

    public IMethodSymbol Symbol { get; }

    public AttributeReader? Retry => Policy(AttributeNames.Retry);

    public AttributeReader? CircuitBreaker => Policy(AttributeNames.CircuitBreaker);

    public AttributeReader? Timeout => Policy(AttributeNames.Timeout);

    public AttributeReader? Bulkhead => Policy(AttributeNames.Bulkhead);

    public AttributeReader? RateLimit => Policy(AttributeNames.RateLimit);

    public AttributeReader? Fallback => Policy(AttributeNames.Fallback);

    public AttributeReader? Hedging => Policy(AttributeNames.Hedging);

    public bool IsIdempotent { get; private set; }

    /// <summary>The parameter the generated code gives the pipeline's token to: the first CancellationToken.</summary>
    public IParameterSymbol? CancellationTokenParameter { get; private set; }

    /// <summary>The name of the implementation the generated code calls.</summary>
    public string CoreName => _companions.CoreName;

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
        bool idempotent = false; // [Idempotent] is not a policy: alone, it makes no resilient method
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (types.IdempotentAttribute.Is(attribute.AttributeClass))
            {
                idempotent = true;
                continue;
            }

            int policy = types.PolicyIndex(attribute.AttributeClass);
            if (policy < 0)
            {
                continue;
            }

            result ??= new ResilientMethod(method, types);
            result._policies[policy] ??= new AttributeReader(attribute, cancellationToken);
        }

        if (result is null)
        {
            return null;
        }

        result.IsIdempotent = idempotent;

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

    /// <summary>The method's attribute of metadata name <paramref name="metadataName"/>, one of <see cref="AttributeNames.Policies"/>; null when it has none.</summary>
    public AttributeReader? Policy(string metadataName) => _policies[System.Array.IndexOf(AttributeNames.Policies, metadataName)];

    /// <summary>True when <paramref name="candidate"/> is this method's <c>{Name}Core</c>, by the generator's own matching.</summary>
    public bool IsCore(IMethodSymbol candidate) => _companions.IsCore(candidate);
}
