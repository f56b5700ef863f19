using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Generators;

/// <summary>
/// Turns an annotated partial method into a <see cref="MethodResult"/>: the model to emit and the errors found.
/// Builds no text. The work is split by role: <see cref="SignatureParser"/> (the declaration),
/// <see cref="CompanionMethods"/> (<c>{Name}Core</c>, the fallback, the hooks), <see cref="PolicyReader"/> (the
/// attributes) and <see cref="Names"/>.
/// </summary>
internal static class ResilienceParser
{
    /// <summary>
    /// The syntax predicate of every provider: a method, or anything else that can carry the attributes but never be
    /// partial (a local function, a lambda, an accessor, an operator, a conversion operator, a finalizer), which RES0001
    /// names rather than the attributes doing nothing. A constructor cannot carry them (they target methods only).
    /// </summary>
    public static bool IsMethodDeclaration(SyntaxNode node, CancellationToken _)
        => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax
            or AccessorDeclarationSyntax or OperatorDeclarationSyntax or ConversionOperatorDeclarationSyntax or DestructorDeclarationSyntax;

    /// <summary>Parses the method when <paramref name="policyIndex"/> is that of the first policy attribute it carries; null otherwise.</summary>
    /// <param name="policyIndex">The index in <see cref="AttributeNames.Policies"/> of the attribute whose provider asks.</param>
    public static MethodResult? Parse(GeneratorAttributeSyntaxContext context, int policyIndex, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return null;
        }

        // Every provider of an attribute the method carries runs this: all but one stop here, so this part allocates nothing.
        KnownTypeSymbols known = KnownTypeSymbols.For(context.SemanticModel.Compilation);
        ImmutableArray<AttributeData> attributes = method.GetAttributes();
        int first = int.MaxValue;
        foreach (AttributeData attribute in attributes)
        {
            int index = known.PolicyIndex(attribute.AttributeClass);
            if (index >= 0 && index < first)
            {
                first = index;
            }
        }

        if (first != policyIndex && !(first == int.MaxValue && policyIndex == AttributeNames.Policies.Length && HasIdempotencyKey(method, known)))
        {
            return null;
        }

        var policies = new AttributeData?[known.PolicyAttributes.Length];
        foreach (AttributeData attribute in attributes)
        {
            int index = known.PolicyIndex(attribute.AttributeClass);
            if (index >= 0 && policies[index] is null)
            {
                policies[index] = attribute;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return context.TargetNode is MethodDeclarationSyntax syntax
            ? Parse(method, syntax, known, policies, cancellationToken)
            : NeverPartial(method, context.TargetNode, known);
    }

    /// <summary>RES0001 for a declaration carrying policy attributes that cannot be partial, which nothing is generated for.</summary>
    private static MethodResult NeverPartial(IMethodSymbol method, SyntaxNode node, KnownTypeSymbols known)
    {
        const string CallPartial = "which cannot be partial, so its policy attributes would do nothing; call a partial method of the type that carries them";
        (string name, Location at, string reason) = node switch
        {
            LocalFunctionStatementSyntax function => (method.Name, function.Identifier.GetLocation(), "is a local function, which cannot be partial, so its policy attributes would do nothing; make it a partial method of the type, with its implementation in '" + method.Name + "Core'"),
            AccessorDeclarationSyntax accessor => (
                (method.AssociatedSymbol is IPropertySymbol { IsIndexer: true } ? "this[]" : method.AssociatedSymbol?.Name) + "." + accessor.Keyword.Text,
                accessor.Keyword.GetLocation(),
                (method.AssociatedSymbol is IEventSymbol ? "is an event accessor, " : method.AssociatedSymbol is IPropertySymbol { IsIndexer: true } ? "is an indexer accessor, " : "is a property accessor, ")
                    + "which the generator does not write (only partial methods are), so its policy attributes would do nothing; call a partial method of the type that carries them"),
            OperatorDeclarationSyntax op => ("operator " + op.OperatorToken.Text, op.OperatorToken.GetLocation(), "is an operator, " + CallPartial),
            ConversionOperatorDeclarationSyntax conversion => (conversion.ImplicitOrExplicitKeyword.Text + " operator " + conversion.Type.ToString(), conversion.Type.GetLocation(), "is a conversion operator, " + CallPartial),
            DestructorDeclarationSyntax finalizer => ("~" + finalizer.Identifier.Text, finalizer.Identifier.GetLocation(), "is a finalizer, " + CallPartial),
            _ => ("(lambda)", node.GetLocation(), "is a lambda, " + CallPartial),
        };

        LocationInfo? location = LocationInfo.From(at);
        var diagnostics = new MethodDiagnostics(location);
        diagnostics.Report(DiagnosticDescriptors.MustBePartial, null, name, reason);
        return new MethodResult
        {
            TypeKey = string.Empty,
            ContainingTypes = EquatableArray<ContainingTypeSpec>.Empty,
            HintName = string.Empty,
            Diagnostics = diagnostics.ToEquatableArray(),
            Location = location,
            ModuleInitializers = known.CanHaveModuleInitializer,
        };
    }

    private static MethodResult Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, KnownTypeSymbols known, AttributeData?[] policies, CancellationToken cancellationToken)
    {
        LocationInfo? location = LocationInfo.From(syntax.Identifier.GetLocation());
        var diagnostics = new MethodDiagnostics(location);
        var signature = new SignatureParser(method, syntax, known, diagnostics);
        INamedTypeSymbol type = method.ContainingType;
        string? ns = Names.Namespace(type.ContainingNamespace, out string? namespaceName);
        EquatableArray<ContainingTypeSpec> containingTypes = signature.ContainingTypes(out string? notPartialType);

        MethodResult Result(ResilientMethodSpec? spec) => new()
        {
            TypeKey = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Namespace = ns,
            ContainingTypes = containingTypes,
            HintName = Names.HintName(type, namespaceName),
            Method = spec,
            Diagnostics = diagnostics.ToEquatableArray(),
            Location = location,
            ModuleInitializers = known.CanHaveModuleInitializer,
        };

        // RES0001: nothing can be emitted for a method that is not a bodiless partial declaration in partial types.
        if (signature.NotPartialReason(notPartialType) is { } notPartial)
        {
            diagnostics.Report(DiagnosticDescriptors.MustBePartial, null, method.Name, $"{notPartial}: declare it 'partial' without a body, in types that are all 'partial', and implement '{method.Name}Core' instead");
            return Result(null);
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            diagnostics.Report(DiagnosticDescriptors.UnsupportedSignature, null, method.Name, "it is declared in an interface; declare it in a class, struct or record");
            return Result(null);
        }

        ReturnKind returnKind = signature.ClassifyReturn(out string? resultType);
        EquatableArray<ParameterSpec> parameters = signature.Parameters();
        signature.CheckSignature(returnKind);
        var companions = new CompanionMethods(method, known);
        if (companions.MissingCoreReason() is { } missingCore)
        {
            diagnostics.Report(DiagnosticDescriptors.MissingCore, null, method.Name, companions.ExpectedCoreSignature(), missingCore);
        }

        string policyName = Names.DefaultPolicyName(method, namespaceName);
        var policiesRead = new PolicyReader(method, known, companions, diagnostics, policies, cancellationToken);
        RetrySpec? retry = policiesRead.Retry();
        CircuitBreakerSpec? breaker = policiesRead.CircuitBreaker(policyName);
        TimeoutSpec? timeout = policiesRead.Timeout();
        BulkheadSpec? bulkhead = policiesRead.Bulkhead(policyName);
        RateLimitSpec? rateLimit = policiesRead.RateLimit(policyName);
        FallbackSpec? fallback = policiesRead.Fallback(returnKind);
        HedgingSpec? hedging = policiesRead.Hedging(returnKind);
        CachedFallbackSpec? cachedFallback = policiesRead.CachedFallback(returnKind);
        policiesRead.KeysWithoutPolicy();
        IdempotencySpec? idempotency = policiesRead.Idempotency(policyName);

        return Result(new ResilientMethodSpec
        {
            Name = Names.EscapeIdentifier(method.Name),
            MemberKey = Names.MemberKey(method),
            ReservedNames = new EquatableArray<string>(Names.ReservedNames(method)),
            Modifiers = signature.Modifiers(),
            ReturnType = signature.ReturnTypeName(returnKind, resultType),
            ReturnKind = returnKind,
            RefReturn = method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : string.Empty,
            ResultType = resultType,
            ResultIsHttpResponse = companions.ResultType is { } result && known.HttpResponseMessage.IsBaseOf(result),
            ResultMayBeDisposable = companions.ResultType is { } disposable && MayBeDisposable(disposable, known),
            TypeParameters = Names.TypeParameterList(method.TypeParameters),
            Constraints = signature.DeclaredConstraints(),
            HelperConstraints = signature.Constraints(),
            Parameters = parameters,
            IsStatic = method.IsStatic,
            IsReadOnly = method.IsReadOnly && method.ContainingType is { IsReadOnly: false },
            HelperAttributes = signature.HelperAttributes(),
            CalleeDiagnosticIds = new EquatableArray<string>(companions.CalleeDiagnosticIds(policies)),
            PolicyName = policyName,
            CancellationToken = CancellationTokenName(parameters),
            CoreName = companions.CoreName,
            Retry = retry,
            CircuitBreaker = breaker,
            Timeout = timeout,
            Bulkhead = bulkhead,
            RateLimit = rateLimit,
            Fallback = fallback,
            Hedging = hedging,
            CachedFallback = cachedFallback,
            Idempotency = idempotency,
            Error = diagnostics.FirstError,
        });
    }

    /// <summary>True when a parameter of <paramref name="method"/> carries [IdempotencyKey].</summary>
    private static bool HasIdempotencyKey(IMethodSymbol method, KnownTypeSymbols known)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                if (known.IdempotencyKeyAttribute.Is(attribute.AttributeClass))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// False for a value type or a sealed class that is neither <c>IDisposable</c> nor <c>IAsyncDisposable</c>: no
    /// instance of it can be disposed (<c>Outcome&lt;T&gt;.Discard</c> disposes either).
    /// </summary>
    private static bool MayBeDisposable(ITypeSymbol type, KnownTypeSymbols known)
    {
        if (type.SpecialType == SpecialType.System_IDisposable || known.AsyncDisposable.Is(type) || !(type.IsValueType || type.IsSealed) || type is ITypeParameterSymbol)
        {
            return true;
        }

        foreach (INamedTypeSymbol implemented in type.AllInterfaces)
        {
            if (implemented.SpecialType == SpecialType.System_IDisposable || known.AsyncDisposable.Is(implemented))
            {
                return true;
            }
        }

        return false;
    }

    private static string? CancellationTokenName(EquatableArray<ParameterSpec> parameters)
    {
        foreach (ParameterSpec parameter in parameters)
        {
            if (parameter.IsCancellationToken)
            {
                return parameter.Name;
            }
        }

        return null;
    }
}
