using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>
/// A type of a given metadata name, as the compilation sees it: every definition of that name in it and in its
/// references. Usually one; more when two references define the same name (a polyfill beside the framework's
/// type), in which case any of them is the type. Compared as symbols, never by name.
/// The generator and the analyzers compile this same file.
/// </summary>
internal sealed class KnownType
{
    private readonly ImmutableArray<INamedTypeSymbol> _definitions;

    public KnownType(Compilation compilation, string metadataName) => _definitions = compilation.GetTypesByMetadataName(metadataName);

    /// <summary>True when the compilation has the type at all.</summary>
    public bool Exists => !_definitions.IsDefaultOrEmpty;

    /// <summary>True when <paramref name="type"/> is this type (its nullable annotation aside).</summary>
    public bool Is(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        foreach (INamedTypeSymbol definition in _definitions)
        {
            if (SymbolEqualityComparer.Default.Equals(type, definition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="type"/> is this generic type constructed (Task&lt;int&gt; of Task&lt;T&gt;).</summary>
    public bool IsDefinitionOf(ITypeSymbol? type) => type is INamedTypeSymbol { IsGenericType: true } named && Is(named.OriginalDefinition);

    /// <summary>True when this type is <paramref name="baseType"/> or derives from it.</summary>
    public bool DerivesFrom(ITypeSymbol baseType)
    {
        foreach (INamedTypeSymbol definition in _definitions)
        {
            if (KnownTypeSymbols.IsOrDerivesFrom(definition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="type"/> is this type or derives from it.</summary>
    public bool IsBaseOf(ITypeSymbol? type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (Is(t))
            {
                return true;
            }
        }

        return false;
    }
}
