using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Resilience.Generators;

/// <summary>
/// Names as the generated code writes them: identifiers and types escaped and fully qualified, the namespace, the
/// file's hint name, the default policy name and the key the generated members are named after.
/// </summary>
internal static class Names
{
    /// <summary>How types are written in generated code: <c>global::</c>-qualified, with nullable annotations.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>How types are written in messages: as the user writes them.</summary>
    public static readonly SymbolDisplayFormat ShortTypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>
    /// A member's name (a method's, a parameter's) as code writes it: escaped with @ when it is a reserved keyword,
    /// or 'await', which cannot name a parameter inside the asynchronous helpers the emitter writes.
    /// </summary>
    public static string EscapeIdentifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || name == "await" ? "@" + name : name;

    /// <summary>
    /// The name of a namespace, a type or a type parameter as code declares it: escaped with @ when it is of lower-case
    /// ASCII letters only, or a keyword. The compiler warns about any lower-case name (CS8981) and warns about or rejects
    /// several contextual keywords as the name of a type or type parameter unless they are escaped (record, file,
    /// required, scoped, ...); every contextual keyword, and every reserved one but the few with underscores
    /// (__arglist, ...), is of lower-case letters, so the first test covers them; escaping the others too is harmless.
    /// </summary>
    public static string EscapeTypeName(string name)
        => IsLowercaseAscii(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>
    /// True for a name of lower-case ASCII letters only, which the language may take as a keyword one day: a type so
    /// named is declared with @, or the compiler warns (CS8981) in the generated file.
    /// </summary>
    private static bool IsLowercaseAscii(string name)
    {
        foreach (char c in name)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return name.Length > 0;
    }

    /// <summary>"&lt;T, U&gt;" with each name escaped, or empty.</summary>
    public static string TypeParameterList(ImmutableArray<ITypeParameterSymbol> typeParameters)
    {
        if (typeParameters.Length == 0)
        {
            return string.Empty;
        }

        var names = new string[typeParameters.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = EscapeTypeName(typeParameters[i].Name);
        }

        return "<" + string.Join(", ", names) + ">";
    }

    /// <summary>
    /// The namespace as code refers to it, each part escaped with @ when it is a keyword ("Shop.@event.Api"), and
    /// as <paramref name="name"/> its plain name ("Shop.event.Api"); both null for the global namespace.
    /// </summary>
    public static string? Namespace(INamespaceSymbol ns, out string? name)
    {
        name = null;
        string? code = null;
        for (INamespaceSymbol n = ns; !n.IsGlobalNamespace; n = n.ContainingNamespace)
        {
            name = name is null ? n.Name : n.Name + "." + name;
            code = code is null ? EscapeTypeName(n.Name) : EscapeTypeName(n.Name) + "." + code;
        }

        return code;
    }

    /// <summary>
    /// The file name of the type's generated source, "Namespace.Outer.Type_1.g.cs", made of plain names (no @)
    /// with any character AddSource does not accept in a hint name replaced by '_'. Two types whose names differ
    /// only there get the same name here; the generator numbers the later ones.
    /// </summary>
    /// <param name="ns">The type's namespace as its plain name, null for the global one.</param>
    public static string HintName(INamedTypeSymbol type, string? ns)
    {
        var parts = new List<string>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            parts.Insert(0, t.Arity > 0 ? t.Name + "_" + t.Arity.ToString(CultureInfo.InvariantCulture) : t.Name);
        }

        if (ns is not null)
        {
            parts.Insert(0, ns);
        }

        char[] name = (string.Join(".", parts) + HintNameSuffix).ToCharArray();
        for (int i = 0; i < name.Length; i++)
        {
            if (!IsValidInHintName(name[i]))
            {
                name[i] = '_';
            }
        }

        return new string(name);
    }

    /// <summary>How every hint name ends.</summary>
    public const string HintNameSuffix = ".g.cs";

    /// <summary>
    /// The method's default policy name, <c>Namespace.Type.Method</c>, of plain names, that keeps distinct methods
    /// distinct: a generic type adds its arity as the runtime does (<c>Shop.Box`1.Get</c>, apart from
    /// <c>Shop.Box.Get</c>), and a method of a name the type gives several methods adds its type parameters and
    /// parameter types (<c>Shop.Client.Get(int)</c>, <c>Shop.Client.Get&lt;T&gt;(T)</c>).
    /// </summary>
    /// <param name="ns">The type's namespace as its plain name, null for the global one.</param>
    public static string DefaultPolicyName(IMethodSymbol method, string? ns)
    {
        var parts = new List<string> { IsOverloaded(method) ? method.ToDisplayString(OverloadFormat) : method.Name };
        for (INamedTypeSymbol? t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            parts.Insert(0, t.Arity == 0 ? t.Name : t.Name + "`" + t.Arity.ToString(CultureInfo.InvariantCulture));
        }

        if (ns is not null)
        {
            parts.Insert(0, ns);
        }

        return string.Join(".", parts);
    }

    /// <summary>A method as an overload's default name ends: <c>Get&lt;T&gt;(int, string?)</c>, types by their short names.</summary>
    private static readonly SymbolDisplayFormat OverloadFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static bool IsOverloaded(IMethodSymbol method)
    {
        int methods = 0;
        foreach (ISymbol member in method.ContainingType.GetMembers(method.Name))
        {
            if (member is IMethodSymbol && ++methods > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The method's name, followed by "_{n}" for the n-th overload of that name (n from 1), and by as many "_" as it
    /// takes to differ from every member of the type: unique among the type's resilient methods (an overload of
    /// <c>Get</c> and a method named <c>Get_1</c> do not share generated fields).
    /// </summary>
    public static string MemberKey(IMethodSymbol method)
    {
        int index = 0;
        foreach (ISymbol member in method.ContainingType.GetMembers(method.Name))
        {
            if (member is not IMethodSymbol)
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(member, method))
            {
                break;
            }

            index++;
        }

        if (index == 0)
        {
            return method.Name;
        }

        // "Name_n" ends with a digit, a method's own name is a member's, and a key lengthened with '_' is neither.
        string key = method.Name + "_" + index.ToString(CultureInfo.InvariantCulture);
        while (!method.ContainingType.GetMembers(key).IsEmpty)
        {
            key += "_";
        }

        return key;
    }

    /// <summary>
    /// The names the user chose that start with "__", the prefix of the generator's own: the method's, its parameters'
    /// and type parameters', and those of the types around it and their members, inherited ones included. The
    /// generated file then takes a prefix none of them starts with (see <c>GeneratedNames</c>).
    /// </summary>
    public static string[] ReservedNames(IMethodSymbol method)
    {
        List<string>? names = null;
        void Add(string name)
        {
            if (name.StartsWith("__", System.StringComparison.Ordinal))
            {
                (names ??= new List<string>()).Add(name);
            }
        }

        Add(method.Name);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            Add(parameter.Name);
        }

        foreach (ITypeParameterSymbol typeParameter in method.TypeParameters)
        {
            Add(typeParameter.Name);
        }

        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            Add(type.Name);
            foreach (ITypeParameterSymbol typeParameter in type.TypeParameters)
            {
                Add(typeParameter.Name);
            }

            for (INamedTypeSymbol? declaring = type; declaring is not null; declaring = declaring.BaseType)
            {
                foreach (string member in declaring.MemberNames)
                {
                    Add(member);
                }
            }
        }

        return names is null ? System.Array.Empty<string>() : names.ToArray();
    }

    /// <summary>
    /// <paramref name="type"/> as <see cref="TypeFormat"/> displays it. The types most signatures are made of (the
    /// C# keyword types, CancellationToken, Task and ValueTask) are written here as the display would write them:
    /// the display visitor costs up to a microsecond a type, and the parse runs for every method on every change
    /// of the compilation. <paramref name="typeArgument"/> is the name of a Task's or ValueTask's type argument,
    /// when it is already known.
    /// </summary>
    public static string TypeName(ITypeSymbol type, KnownTypeSymbols known, string? typeArgument = null)
    {
        // As the display does with IncludeNullableReferenceTypeModifier: '?' on annotated reference types only.
        string annotation = type.NullableAnnotation == NullableAnnotation.Annotated && !type.IsValueType ? "?" : string.Empty;
        if (Keyword(type.SpecialType) is { } keyword)
        {
            return keyword + annotation;
        }

        if (known.IsCancellationToken(type))
        {
            return "global::System.Threading.CancellationToken" + annotation;
        }

        if (known.Task.Is(type) || known.ValueTask.Is(type))
        {
            return "global::System.Threading.Tasks." + type.Name + annotation;
        }

        if (known.TaskOfT.IsDefinitionOf(type) || known.ValueTaskOfT.IsDefinitionOf(type))
        {
            return "global::System.Threading.Tasks." + type.Name + "<" + (typeArgument ?? TypeName(((INamedTypeSymbol)type).TypeArguments[0], known)) + ">" + annotation;
        }

        return type.ToDisplayString(TypeFormat);
    }

    /// <summary>True for the characters AddSource accepts in a hint name: letters, digits and a few punctuation marks.</summary>
    private static bool IsValidInHintName(char c)
        => char.IsLetterOrDigit(c) || c is '_' or '.' or ',' or '-' or '+' or '`' or '(' or ')' or '[' or ']' or '{' or '}';

    /// <summary>The C# keyword the display writes for a special type (as UseSpecialTypes does); null for the others.</summary>
    private static string? Keyword(SpecialType type) => type switch
    {
        SpecialType.System_Object => "object",
        SpecialType.System_Void => "void",
        SpecialType.System_Boolean => "bool",
        SpecialType.System_Char => "char",
        SpecialType.System_SByte => "sbyte",
        SpecialType.System_Byte => "byte",
        SpecialType.System_Int16 => "short",
        SpecialType.System_UInt16 => "ushort",
        SpecialType.System_Int32 => "int",
        SpecialType.System_UInt32 => "uint",
        SpecialType.System_Int64 => "long",
        SpecialType.System_UInt64 => "ulong",
        SpecialType.System_Decimal => "decimal",
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        SpecialType.System_String => "string",
        _ => null,
    };
}
