using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

using Resilience.Generators;

namespace Resilience.Analyzers;

/// <summary>An HTTP request whose method is not idempotent (POST, PATCH), and the call that sends it.</summary>
internal sealed class UnsafeHttpCall
{
    public UnsafeHttpCall(string verb, string call, Location location)
    {
        Verb = verb;
        Call = call;
        Location = location;
    }

    /// <summary>POST or PATCH.</summary>
    public string Verb { get; }

    /// <summary>The method called, <c>HttpClient.PostAsync</c>.</summary>
    public string Call { get; }

    public Location Location { get; }
}

/// <summary>Finds, in a method body, an <c>HttpClient</c> call that sends a POST or PATCH request.</summary>
/// <remarks>
/// Recognised: <c>PostAsync</c>, <c>PatchAsync</c>, <c>PostAsJsonAsync</c>, <c>PatchAsJsonAsync</c>, and
/// <c>Send</c>/<c>SendAsync</c> of a request created in the method (directly, or in a local) with
/// <c>HttpMethod.Post</c>/<c>Patch</c>, <c>new HttpMethod("POST")</c> or a <c>Method</c> assignment. A request made
/// elsewhere is not followed: the rule stays silent rather than guess.
/// </remarks>
internal sealed class HttpRequests
{
    private readonly KnownTypeSymbols _types;
    private readonly Dictionary<ILocalSymbol, List<IOperation>> _requestValues = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ILocalSymbol, List<IOperation>> _methodValues = new(SymbolEqualityComparer.Default);

    private HttpRequests(KnownTypeSymbols types) => _types = types;

    /// <summary>The first call in <paramref name="blocks"/> that sends a POST or PATCH; null when there is none.</summary>
    public static UnsafeHttpCall? FindUnsafeCall(ImmutableArray<IOperation> blocks, KnownTypeSymbols types)
    {
        if (types.HttpClient is null)
        {
            return null;
        }

        var requests = new HttpRequests(types);
        var invocations = new List<IInvocationOperation>();
        foreach (IOperation block in blocks)
        {
            foreach (IOperation operation in block.DescendantsAndSelf())
            {
                requests.Record(operation, invocations);
            }
        }

        foreach (IInvocationOperation invocation in invocations)
        {
            if (requests.VerbOf(invocation) is { } verb && verb is "POST" or "PATCH")
            {
                IMethodSymbol method = invocation.TargetMethod;
                return new UnsafeHttpCall(verb, method.ContainingType.Name + "." + method.Name, invocation.Syntax.GetLocation());
            }
        }

        return null;
    }

    private void Record(IOperation operation, List<IInvocationOperation> invocations)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                invocations.Add(invocation);
                break;
            case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when IsRequest(declarator.Symbol.Type):
                Add(_requestValues, declarator.Symbol, value);
                break;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment when IsRequest(local.Local.Type):
                Add(_requestValues, local.Local, assignment.Value);
                break;
            case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Method", Instance: ILocalReferenceOperation local } } assignment when IsRequest(local.Local.Type):
                Add(_methodValues, local.Local, assignment.Value);
                break;
        }
    }

    /// <summary>The HTTP method <paramref name="invocation"/> sends, upper case; null when it sends no request or the method cannot be told.</summary>
    private string? VerbOf(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        INamedTypeSymbol type = method.ContainingType;
        if (KnownTypeSymbols.IsOrDerivesFrom(type, _types.HttpClient))
        {
            switch (method.Name)
            {
                case "PostAsync":
                    return "POST";
                case "PatchAsync":
                    return "PATCH";
            }
        }

        if (_types.HttpClientJsonExtensions is not null && SymbolEqualityComparer.Default.Equals(type, _types.HttpClientJsonExtensions))
        {
            switch (method.Name)
            {
                case "PostAsJsonAsync":
                    return "POST";
                case "PatchAsJsonAsync":
                    return "PATCH";
            }
        }

        if (method.Name is "Send" or "SendAsync" && KnownTypeSymbols.IsOrDerivesFrom(type, _types.HttpMessageInvoker))
        {
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (IsRequest(argument.Parameter?.Type))
                {
                    return RequestVerb(argument.Value);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The method of the request <paramref name="request"/> when it is POST or PATCH, or any value a local holding it
    /// may have is one; null otherwise (including GET, the default, and a method that cannot be told).
    /// </summary>
    private string? RequestVerb(IOperation request)
    {
        request = Unwrap(request);
        if (request is not ILocalReferenceOperation local)
        {
            return Unsafe(request is IObjectCreationOperation created ? CreatedVerb(created) : null);
        }

        foreach (IOperation value in Values(_requestValues, local.Local))
        {
            if (Unsafe(Unwrap(value) is IObjectCreationOperation creation ? CreatedVerb(creation) : null) is { } verb)
            {
                return verb;
            }
        }

        foreach (IOperation value in Values(_methodValues, local.Local))
        {
            if (Unsafe(MethodVerb(value)) is { } verb)
            {
                return verb;
            }
        }

        return null;
    }

    /// <summary>The method <c>new HttpRequestMessage(...) { Method = ... }</c> names; null when it names none (GET).</summary>
    private string? CreatedVerb(IObjectCreationOperation creation)
    {
        if (!IsRequest(creation.Type))
        {
            return null;
        }

        string? verb = null;
        foreach (IArgumentOperation argument in creation.Arguments)
        {
            if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.Type, _types.HttpMethod))
            {
                verb = MethodVerb(argument.Value);
            }
        }

        if (creation.Initializer is { } initializer)
        {
            foreach (IOperation member in initializer.Initializers)
            {
                if (member is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Method" } } assignment)
                {
                    verb = MethodVerb(assignment.Value);
                }
            }
        }

        return verb;
    }

    /// <summary>The verb of an <c>HttpMethod</c> value: <c>HttpMethod.Post</c>, <c>new HttpMethod("POST")</c>, <c>HttpMethod.Parse("POST")</c>.</summary>
    private string? MethodVerb(IOperation value)
    {
        switch (Unwrap(value))
        {
            case IPropertyReferenceOperation { Property: { IsStatic: true } property } when SymbolEqualityComparer.Default.Equals(property.ContainingType, _types.HttpMethod):
                return property.Name.ToUpperInvariant();
            case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, _types.HttpMethod) && creation.Arguments.Length == 1:
                return Constant(Unwrap(creation.Arguments[0].Value));
            case IInvocationOperation { TargetMethod: { Name: "Parse", IsStatic: true } method } invocation
                when SymbolEqualityComparer.Default.Equals(method.ContainingType, _types.HttpMethod) && invocation.Arguments.Length == 1:
                return Constant(Unwrap(invocation.Arguments[0].Value));
            default:
                return null;
        }

        static string? Constant(IOperation operation) => operation.ConstantValue is { HasValue: true, Value: string text } ? text.Trim().ToUpperInvariant() : null;
    }

    private bool IsRequest(ITypeSymbol? type) => _types.HttpRequestMessage.Is(type);

    private static string? Unsafe(string? verb) => verb is "POST" or "PATCH" ? verb : null;

    private static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    private static void Add(Dictionary<ILocalSymbol, List<IOperation>> map, ILocalSymbol local, IOperation value)
    {
        if (!map.TryGetValue(local, out List<IOperation>? values))
        {
            values = new List<IOperation>();
            map.Add(local, values);
        }

        values.Add(value);
    }

    private static IEnumerable<IOperation> Values(Dictionary<ILocalSymbol, List<IOperation>> map, ILocalSymbol local)
        => map.TryGetValue(local, out List<IOperation>? values) ? values : (IEnumerable<IOperation>)System.Array.Empty<IOperation>();
}
