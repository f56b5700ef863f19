using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>[Idempotent] with an [IdempotencyKey] parameter: the key (RES0004, RES0007), the TTL (RES0004) and the result (RES0008).</summary>
internal sealed partial class PolicyReader
{
    /// <summary>
    /// The method's idempotency keys; null when it has no [IdempotencyKey] parameter ([Idempotent] alone only says the
    /// operation is safe to repeat). Reports a key without [Idempotent] or on more than one parameter (RES0004), a key
    /// without a stable text (RES0007), a TTL out of range (RES0004) and a result that cannot be stored (RES0008).
    /// </summary>
    /// <param name="policyName">The method's default policy name, which its keys are kept under.</param>
    public IdempotencySpec? Idempotency(string policyName)
    {
        List<IParameterSymbol>? keys = null;
        foreach (IParameterSymbol parameter in _method.Parameters)
        {
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                if (_known.IdempotencyKeyAttribute.Is(attribute.AttributeClass))
                {
                    (keys ??= new List<IParameterSymbol>()).Add(parameter);
                    break;
                }
            }
        }

        if (keys is null)
        {
            return null;
        }

        AttributeReader? idempotent = null;
        foreach (AttributeData attribute in _method.GetAttributes())
        {
            if (_known.IdempotentAttribute.Is(attribute.AttributeClass))
            {
                idempotent = new AttributeReader(attribute, _cancellationToken);
                break;
            }
        }

        if (idempotent is null)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, FirstLocation(keys[0]), "IdempotencyKeyAttribute", $"on '{keys[0].Name}' of a method without [Idempotent]", "used together with [Idempotent] on the method, which says its stored result may answer a repeat");
            return null;
        }

        if (keys.Count > 1)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, FirstLocation(keys[1]), "IdempotencyKeyAttribute", $"on {keys.Count} parameters", "on one parameter only; combine the values into one key (a string, or a record)");
        }

        IParameterSymbol key = keys[0];
        if (UnstableKeyReason(key.Type) is { } unstable)
        {
            _diagnostics.Report(DiagnosticDescriptors.UnusableIdempotencyKey, FirstLocation(key), key.Name, _method.Name, unstable);
        }

        if (_companions.ResultType is { } result && UnstorableResultReason(result) is { } unstorable)
        {
            _diagnostics.Report(DiagnosticDescriptors.UnstorableIdempotentResult, _method.Locations.Length > 0 ? _method.Locations[0] : null, _method.Name, result.ToDisplayString(Names.ShortTypeFormat), unstorable);
        }

        return new IdempotencySpec
        {
            Name = policyName,
            TtlMs = Checked(idempotent, IdempotencyRules.TtlMs),
            KeyParameter = Names.EscapeIdentifier(key.Name),
            KeyParameterName = key.Name,
        };
    }

    /// <summary>Why a key of <paramref name="type"/> has no stable text ("a double", ...); null when it has one.</summary>
    private string? UnstableKeyReason(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { IsGenericType: true } nullable && SymbolEqualityComparer.Default.Equals(nullable.OriginalDefinition, _known.NullableOfT))
        {
            type = nullable.TypeArguments[0];
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
                return null;
        }

        if (_known.Guid.Is(type) || type.TypeKind == TypeKind.Enum)
        {
            return null;
        }

        string shown = "'" + type.ToDisplayString(Names.ShortTypeFormat) + "'";
        if (type is ITypeParameterSymbol)
        {
            return $"a type parameter ({shown}) that may stand for any type";
        }

        if (type.TypeKind is TypeKind.Interface or TypeKind.Array or TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Delegate or TypeKind.Dynamic)
        {
            return shown;
        }

        if (type.SpecialType == SpecialType.System_Object)
        {
            return "'object'";
        }

        // The framework's other types either keep ToString() from object (their type's name) or format lossily or by
        // culture (a DateTime to the second, a double); a type of the user's own that overrides ToString() says what its text is.
        if (IsFrameworkType(type))
        {
            return shown;
        }

        for (ITypeSymbol? t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            foreach (ISymbol member in t.GetMembers("ToString"))
            {
                if (member is IMethodSymbol { IsOverride: true, Parameters.Length: 0 })
                {
                    return null;
                }
            }
        }

        return $"{shown}, which does not override ToString() and so gives its type's name for every value";
    }

    private static bool IsFrameworkType(ITypeSymbol type)
    {
        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
        {
            if (ns.ContainingNamespace is { IsGlobalNamespace: true } && ns.Name is "System" or "Microsoft")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why a result of <paramref name="type"/> cannot be stored as JSON and read back; null when nothing says it cannot.</summary>
    private string? UnstorableResultReason(ITypeSymbol type)
    {
        if (type.IsRefLikeType)
        {
            return "is a ref struct, which cannot be kept";
        }

        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            return "is a pointer, which means nothing in another process";
        }

        if (type.TypeKind == TypeKind.Delegate || type.SpecialType is SpecialType.System_Delegate or SpecialType.System_MulticastDelegate)
        {
            return "is a delegate, which System.Text.Json cannot write";
        }

        if (type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
        {
            return "is a native-sized integer (a handle or an address), which System.Text.Json refuses to write";
        }

        if (IsReflectionMember(type))
        {
            return "is a reflection type (a Type or a member), which System.Text.Json refuses to write";
        }

        if (_known.HttpResponseMessage.IsBaseOf(type) || _known.HttpContent.IsBaseOf(type))
        {
            return "holds a connection's content, which System.Text.Json cannot write or read back";
        }

        if (_known.Stream.IsBaseOf(type))
        {
            return "is a stream, which System.Text.Json cannot write or read back";
        }

        if (_known.Task.IsBaseOf(type) || _known.ValueTask.Is(type) || _known.ValueTaskOfT.IsDefinitionOf(type))
        {
            return "is a task, which only this process can await";
        }

        if ((type.TypeKind == TypeKind.Interface || (type.TypeKind == TypeKind.Class && type.IsAbstract)) && !IsEnumerable(type) && !HasPolymorphism(type))
        {
            return $"is {(type.TypeKind == TypeKind.Interface ? "an interface" : "an abstract class")} without [JsonPolymorphic] or [JsonDerivedType], which System.Text.Json cannot create when it reads the result back";
        }

        return null;
    }

    /// <summary>True for <c>System.Reflection.MemberInfo</c> and what derives from it (<c>Type</c>, <c>MethodInfo</c>, ...).</summary>
    private static bool IsReflectionMember(ITypeSymbol type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == "MemberInfo" && t.ContainingNamespace is { Name: "Reflection", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEnumerable(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Collections_IEnumerable)
        {
            return true;
        }

        foreach (INamedTypeSymbol implemented in type.AllInterfaces)
        {
            if (implemented.SpecialType == SpecialType.System_Collections_IEnumerable)
            {
                return true;
            }
        }

        return false;
    }

    private bool HasPolymorphism(ITypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (_known.JsonPolymorphicAttribute.Is(attribute.AttributeClass) || _known.JsonDerivedTypeAttribute.Is(attribute.AttributeClass))
            {
                return true;
            }
        }

        return false;
    }
}
