using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Analyzers;

/// <summary>
/// One policy attribute on a method: its values by property name, whether given to the constructor or as named
/// arguments, and where each is written, so that a diagnostic points at the argument at fault.
/// </summary>
internal sealed class PolicyAttribute
{
    private readonly AttributeData _data;
    private readonly AttributeSyntax? _syntax;

    public PolicyAttribute(AttributeData data, CancellationToken cancellationToken)
    {
        _data = data;
        _syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
    }

    /// <summary>The attribute class's name, <c>RetryAttribute</c>: how messages name a property, <c>RetryAttribute.DelayMs</c>.</summary>
    public string Name => _data.AttributeClass!.Name;

    /// <summary>The attribute as written.</summary>
    public Location Location => _syntax?.GetLocation() ?? Location.None;

    public AttributeSyntax? Syntax => _syntax;

    /// <summary>True when the source sets <paramref name="property"/>, by constructor or by name.</summary>
    public bool IsWritten(string property) => Argument(property) is not null;

    public int Int(string property, int defaultValue)
        => Value(property) is { Value: { } value } && value is not string ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : defaultValue;

    public double Double(string property, double defaultValue)
        => Value(property) is { Value: { } value } && value is not string ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : defaultValue;

    public bool Bool(string property, bool defaultValue) => Value(property) is { Value: bool value } ? value : defaultValue;

    /// <summary>The types listed in a <c>Type[]</c> property; an entry that is not a type is null. Empty when unset.</summary>
    public IReadOnlyList<ITypeSymbol?> Types(string property)
    {
        if (Value(property) is not { Kind: TypedConstantKind.Array, IsNull: false } array)
        {
            return Array.Empty<ITypeSymbol?>();
        }

        var types = new ITypeSymbol?[array.Values.Length];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = array.Values[i].Value as ITypeSymbol;
        }

        return types;
    }

    /// <summary>Where <paramref name="property"/> is written; the attribute when it is not.</summary>
    public Location LocationOf(string property) => Argument(property)?.GetLocation() ?? Location;

    /// <summary>Where entry <paramref name="index"/> of the array <paramref name="property"/> is written; the argument when it cannot be told.</summary>
    public Location LocationOf(string property, int index)
    {
        if (Elements(property) is { } elements && index < elements.Count)
        {
            return elements[index].GetLocation();
        }

        return LocationOf(property);
    }

    /// <summary>The entries of the array written for <paramref name="property"/>, when they match its values one to one.</summary>
    public IReadOnlyList<ExpressionSyntax>? Elements(string property)
    {
        IReadOnlyList<ExpressionSyntax>? elements = Argument(property)?.Expression switch
        {
            ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
            ImplicitArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
            CollectionExpressionSyntax collection => ExpressionElements(collection),
            _ => null,
        };

        return elements is not null && elements.Count == Types(property).Count ? elements : null;
    }

    /// <summary>The argument that sets <paramref name="property"/>: a named argument, or a constructor argument of that parameter name.</summary>
    public AttributeArgumentSyntax? Argument(string property)
    {
        if (_syntax?.ArgumentList is not { } list)
        {
            return null;
        }

        IMethodSymbol? constructor = _data.AttributeConstructor;
        int position = 0;
        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            if (argument.NameEquals is { } nameEquals)
            {
                if (nameEquals.Name.Identifier.ValueText == property)
                {
                    return argument;
                }

                continue;
            }

            string? parameterName = argument.NameColon?.Name.Identifier.ValueText
                ?? (constructor is not null && position < constructor.Parameters.Length ? constructor.Parameters[position].Name : null);
            position++;
            if (parameterName is not null && string.Equals(parameterName, property, StringComparison.OrdinalIgnoreCase))
            {
                return argument;
            }
        }

        return null;
    }

    private static IReadOnlyList<ExpressionSyntax>? ExpressionElements(CollectionExpressionSyntax collection)
    {
        var expressions = new List<ExpressionSyntax>(collection.Elements.Count);
        foreach (CollectionElementSyntax element in collection.Elements)
        {
            if (element is not ExpressionElementSyntax expression)
            {
                return null;
            }

            expressions.Add(expression.Expression);
        }

        return expressions;
    }

    private TypedConstant? Value(string property)
    {
        foreach (KeyValuePair<string, TypedConstant> named in _data.NamedArguments)
        {
            if (named.Key == property)
            {
                return named.Value;
            }
        }

        IMethodSymbol? constructor = _data.AttributeConstructor;
        if (constructor is not null)
        {
            for (int i = 0; i < constructor.Parameters.Length && i < _data.ConstructorArguments.Length; i++)
            {
                if (string.Equals(constructor.Parameters[i].Name, property, StringComparison.OrdinalIgnoreCase))
                {
                    return _data.ConstructorArguments[i];
                }
            }
        }

        return null;
    }
}
