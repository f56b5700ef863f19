using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Resilience.Analyzers;

/// <summary>A method carrying policy attributes, with each of them read.</summary>
internal sealed class ResilientMethod
{
    private ResilientMethod(IMethodSymbol symbol)
    {
        Symbol = symbol;
    }

    public IMethodSymbol Symbol { get; }

    public PolicyAttribute? Retry { get; private set; }

    public PolicyAttribute? CircuitBreaker { get; private set; }

    public PolicyAttribute? Timeout { get; private set; }

    public PolicyAttribute? Bulkhead { get; private set; }

    public PolicyAttribute? RateLimit { get; private set; }

    public PolicyAttribute? Fallback { get; private set; }

    public bool IsIdempotent { get; private set; }

    /// <summary>The parameter the generated code gives the pipeline's token to: the first CancellationToken.</summary>
    public IParameterSymbol? CancellationTokenParameter { get; private set; }

    /// <summary>
    /// The policy attributes of <paramref name="method"/>; null when it has none, or when it is the implementing
    /// part of a partial method (its declaring part is analyzed, so nothing is reported twice).
    /// </summary>
    public static ResilientMethod? From(IMethodSymbol method, KnownTypes types, CancellationToken cancellationToken)
    {
        if (method.PartialDefinitionPart is not null || method.MethodKind != MethodKind.Ordinary)
        {
            return null;
        }

        ResilientMethod? result = null;
        foreach (AttributeData attribute in method.GetAttributes())
        {
            INamedTypeSymbol? type = attribute.AttributeClass;
            if (type is null)
            {
                continue;
            }

            if (Is(type, types.Idempotent))
            {
                (result ??= new ResilientMethod(method)).IsIdempotent = true;
                continue;
            }

            ResilientMethod Result() => result ??= new ResilientMethod(method);
            if (Is(type, types.Retry))
            {
                Result().Retry = new PolicyAttribute(attribute, cancellationToken);
            }
            else if (Is(type, types.CircuitBreaker))
            {
                Result().CircuitBreaker = new PolicyAttribute(attribute, cancellationToken);
            }
            else if (Is(type, types.Timeout))
            {
                Result().Timeout = new PolicyAttribute(attribute, cancellationToken);
            }
            else if (Is(type, types.Bulkhead))
            {
                Result().Bulkhead = new PolicyAttribute(attribute, cancellationToken);
            }
            else if (Is(type, types.RateLimit))
            {
                Result().RateLimit = new PolicyAttribute(attribute, cancellationToken);
            }
            else if (Is(type, types.Fallback))
            {
                Result().Fallback = new PolicyAttribute(attribute, cancellationToken);
            }
        }

        if (result is null || result.PolicyCount == 0)
        {
            return null;
        }

        result.CancellationTokenParameter = method.Parameters.FirstOrDefault(p => types.IsCancellationToken(p.Type));
        return result;
    }

    /// <summary>How many policy attributes the method carries ([Idempotent] is not a policy).</summary>
    public int PolicyCount
        => (Retry is null ? 0 : 1) + (CircuitBreaker is null ? 0 : 1) + (Timeout is null ? 0 : 1)
            + (Bulkhead is null ? 0 : 1) + (RateLimit is null ? 0 : 1) + (Fallback is null ? 0 : 1);

    /// <summary>The name of the implementation the generated code calls.</summary>
    public string CoreName => Symbol.Name + "Core";

    /// <summary>True when <paramref name="candidate"/> is this method's <c>{Name}Core</c>: the name, and the same parameter types.</summary>
    public bool IsCore(IMethodSymbol candidate)
    {
        if (candidate.Name != CoreName
            || candidate.Parameters.Length != Symbol.Parameters.Length
            || !SymbolEqualityComparer.Default.Equals(candidate.ContainingType, Symbol.ContainingType))
        {
            return false;
        }

        for (int i = 0; i < candidate.Parameters.Length; i++)
        {
            ITypeSymbol expected = Symbol.Parameters[i].Type;
            ITypeSymbol actual = candidate.Parameters[i].Type;
            if (expected is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } && actual is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method })
            {
                continue;
            }

            if (!SymbolEqualityComparer.Default.Equals(expected.OriginalDefinition, actual.OriginalDefinition))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Is(INamedTypeSymbol type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
}
