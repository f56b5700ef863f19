using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>
/// Reads one attribute's values by property name, whether given to the constructor or as named arguments, and
/// finds where each is written, so that a diagnostic points at the argument at fault. The generator and the
/// analyzers compile this same file.
/// </summary>
internal sealed class AttributeReader
{
    private readonly AttributeData _data;
    private readonly CancellationToken _cancellationToken;
    private AttributeSyntax? _syntax;
    private bool _syntaxRead;

    public AttributeReader(AttributeData data, CancellationToken cancellationToken)
    {
        _data = data;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The attribute class's name, <c>RetryAttribute</c>: how messages name a property, <c>RetryAttribute.DelayMs</c>.</summary>
    public string Name => _data.AttributeClass!.Name;

    /// <summary>The attribute as written; null when it has no source (it comes from metadata).</summary>
    public AttributeSyntax? Syntax
    {
        get
        {
            if (!_syntaxRead)
            {
                _syntax = _data.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
                _syntaxRead = true;
            }

            return _syntax;
        }
    }

    /// <summary>Where the attribute is written.</summary>
    public Location Location => Syntax?.GetLocation() ?? Location.None;

    /// <summary>True when the source sets <paramref name="property"/>, by constructor or by name.</summary>
    public bool IsWritten(string property) => Argument(property) is not null;

    /// <summary>The value of an <c>int</c> (or int-based enum) property; null when it is not given or not a constant of that type.</summary>
    public int? Int(string property) => Value(property) is { Value: int value } ? value : null;

    /// <summary>The value of a <c>double</c> property; null when it is not given or not a constant of that type.</summary>
    public double? Double(string property) => Value(property) is { Value: double value } ? value : null;

    public bool? Bool(string property) => Value(property) is { Value: bool value } ? value : null;

    public string? String(string property) => Value(property)?.Value as string;

    /// <summary>
    /// The setting's value, or the attribute's default for it. A value the attribute's constructor requires and the
    /// code omits (which does not compile) reads as 0, below every such setting's minimum, so that RES0004 names it
    /// and nothing is generated from a guess.
    /// </summary>
    public int Read(IntSettingRule rule) => Int(rule.Name) ?? rule.AttributeDefault ?? 0;

    /// <summary>The setting's value, or its default.</summary>
    public double Read(RatioSettingRule rule) => Double(rule.Name) ?? rule.Default;

    /// <summary>The setting's value, or its default.</summary>
    public bool Read(BoolSettingRule rule) => Bool(rule.Name) ?? rule.Default;

    /// <summary>The setting's value, or its default; a number outside the enum is returned as it is, for its rule to reject.</summary>
    public TEnum Read<TEnum>(EnumSettingRule<TEnum> rule)
        where TEnum : struct, Enum
        => Int(rule.Name) is { } value ? (TEnum)Enum.ToObject(typeof(TEnum), value) : rule.Default;

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
        if (Syntax?.ArgumentList is not { } list)
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
            if (parameterName is not null && IsParameterOf(parameterName, property))
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>True when the constructor parameter <paramref name="parameterName"/> sets <paramref name="property"/> (<c>maxAttempts</c> sets <c>MaxAttempts</c>).</summary>
    private static bool IsParameterOf(string parameterName, string property) => string.Equals(parameterName, property, StringComparison.OrdinalIgnoreCase);

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
                if (IsParameterOf(constructor.Parameters[i].Name, property))
                {
                    return _data.ConstructorArguments[i];
                }
            }
        }

        return null;
    }
}
