using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Generators;

/// <summary>
/// Reads the declaration of a resilient method: the types around it, its return and parameters, modifiers and
/// constraints, and reports what cannot be generated (RES0001, RES0003).
/// </summary>
internal sealed class SignatureParser
{
    private readonly IMethodSymbol _method;
    private readonly MethodDeclarationSyntax _syntax;
    private readonly KnownTypeSymbols _known;
    private readonly MethodDiagnostics _diagnostics;

    // Set by ContainingTypes: the file-local type around the method, if any.
    private string? _fileLocalType;

    public SignatureParser(IMethodSymbol method, MethodDeclarationSyntax syntax, KnownTypeSymbols known, MethodDiagnostics diagnostics)
    {
        _method = method;
        _syntax = syntax;
        _known = known;
        _diagnostics = diagnostics;
    }

    /// <summary>The types containing the method, outermost first; <paramref name="notPartialType"/> names the first that is not partial.</summary>
    public EquatableArray<ContainingTypeSpec> ContainingTypes(out string? notPartialType)
    {
        notPartialType = null;
        _fileLocalType = null;
        var types = new List<ContainingTypeSpec>();
        for (SyntaxNode? node = _syntax.Parent; node is TypeDeclarationSyntax declaration; node = node.Parent)
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword) && notPartialType is null)
            {
                notPartialType = declaration.Identifier.ValueText;
            }

            if (declaration.Modifiers.Any(SyntaxKind.FileKeyword))
            {
                _fileLocalType = declaration.Identifier.ValueText;
            }

            string name = Names.EscapeTypeName(declaration.Identifier.ValueText) + TypeParameterList(declaration.TypeParameterList);
            types.Insert(0, new ContainingTypeSpec(Keyword(declaration), name));
        }

        return types.ToEquatableArray();
    }

    /// <summary>Why nothing can be generated for the method (RES0001): what keeps it from being a bodiless partial declaration in partial types; null when it is one.</summary>
    public string? NotPartialReason(string? notPartialType)
        => notPartialType is not null ? $"is in the type '{notPartialType}', which is not partial"
            : _fileLocalType is not null ? $"is in the file-local type '{_fileLocalType}', whose parts must all be in one file, where the generated part cannot go (make the type internal)"
            : !_syntax.Modifiers.Any(SyntaxKind.PartialKeyword) ? "is not partial"
            : _syntax.Body is not null || _syntax.ExpressionBody is not null ? "has a body"
            : _method.PartialImplementationPart is not null ? "already has an implementation"
            : null;

    /// <summary>What the method returns; <paramref name="resultType"/> is T of Task&lt;T&gt;, ValueTask&lt;T&gt; or a plain T.</summary>
    public ReturnKind ClassifyReturn(out string? resultType)
    {
        resultType = null;
        ITypeSymbol returnType = _method.ReturnType;
        if (_method.ReturnsVoid)
        {
            return ReturnKind.Void;
        }

        if (_known.Task.Is(returnType))
        {
            return ReturnKind.Task;
        }

        if (_known.ValueTask.Is(returnType))
        {
            return ReturnKind.ValueTask;
        }

        if (_known.TaskOfT.IsDefinitionOf(returnType))
        {
            resultType = Names.TypeName(((INamedTypeSymbol)returnType).TypeArguments[0], _known);
            return ReturnKind.TaskOfT;
        }

        if (_known.ValueTaskOfT.IsDefinitionOf(returnType))
        {
            resultType = Names.TypeName(((INamedTypeSymbol)returnType).TypeArguments[0], _known);
            return ReturnKind.ValueTaskOfT;
        }

        resultType = Names.TypeName(returnType, _known);
        return ReturnKind.Value;
    }

    /// <summary>The return type's name, built on <paramref name="resultType"/>, the name <see cref="ClassifyReturn"/> gave its result.</summary>
    public string ReturnTypeName(ReturnKind returnKind, string? resultType) => returnKind switch
    {
        ReturnKind.Value => resultType!,
        ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT => Names.TypeName(_method.ReturnType, _known, resultType),
        _ => Names.TypeName(_method.ReturnType, _known),
    };

    /// <summary>Reports RES0003 for every part of the signature that cannot be made resilient.</summary>
    public void CheckSignature(ReturnKind returnKind)
    {
        Location returnLocation = _syntax.ReturnType.GetLocation();
        if (_method.ReturnsByRef || _method.ReturnsByRefReadonly)
        {
            Unsupported(returnLocation, "it returns by reference; return the value instead");
        }

        if (_method.ReturnType is { IsRefLikeType: true })
        {
            Unsupported(returnLocation, $"it returns the ref struct '{Short(_method.ReturnType)}', which cannot be kept across attempts");
        }

        if (returnKind == ReturnKind.Value && IsAwaitable(_method.ReturnType))
        {
            Unsupported(returnLocation, $"it returns '{Short(_method.ReturnType)}', an awaitable other than Task, Task<T>, ValueTask and ValueTask<T>; return one of those");
        }

        if (_known.AsyncEnumerableOfT.IsDefinitionOf(_method.ReturnType))
        {
            Unsupported(returnLocation, "it returns IAsyncEnumerable<T>, whose items are produced after the method returns, outside any policy; return Task<T> or ValueTask<T>");
        }

        bool isAsync = returnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
        if (isAsync && !_method.IsStatic && _method.ContainingType.IsRefLikeType)
        {
            Unsupported(returnLocation, $"it is an asynchronous instance method of the ref struct '{_method.ContainingType.Name}', which cannot be kept across an await; make it static and pass it what it needs");
        }

        IParameterSymbol? firstToken = null;
        foreach (IParameterSymbol parameter in _method.Parameters)
        {
            Location? location = parameter.Locations.Length > 0 ? parameter.Locations[0] : null;
            if (_known.IsCancellationToken(parameter.Type))
            {
                if (firstToken is null)
                {
                    firstToken = parameter;
                }
                else
                {
                    // Retries, timeouts and the fallback would heed one and not the other.
                    Unsupported(location, $"it takes two CancellationToken parameters, '{firstToken.Name}' and '{parameter.Name}', and only one can stop its retries and timeouts; "
                        + "pass one, linked from both with CancellationTokenSource.CreateLinkedTokenSource");
                }
            }

            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                Unsupported(location, $"the parameter '{parameter.Name}' is '{RefKinds.Declaration(parameter.RefKind).TrimEnd()}', which a retry or fallback cannot handle; return the value instead");
            }
            else if (isAsync && parameter.Type.IsRefLikeType)
            {
                Unsupported(location, $"the parameter '{parameter.Name}' is the ref struct '{Short(parameter.Type)}', which an asynchronous method cannot keep across an await; pass a Memory<T> or an array");
            }
            else if (isAsync && parameter.Type.TypeKind == TypeKind.Pointer)
            {
                Unsupported(location, $"the parameter '{parameter.Name}' is a pointer, which an asynchronous method cannot take");
            }
        }

        if (_method.IsVararg)
        {
            Unsupported(null, "it takes __arglist");
        }
    }

    /// <summary>The parameters as the implementation repeats them.</summary>
    public EquatableArray<ParameterSpec> Parameters()
    {
        var parameters = new ParameterSpec[_method.Parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            IParameterSymbol parameter = _method.Parameters[i];
            string modifier = RefKinds.Declaration(parameter.RefKind);
            if (parameter.ScopedKind == ScopedKind.ScopedValue)
            {
                modifier = "scoped " + modifier;
            }

            if (parameter.IsParams)
            {
                modifier = "params " + modifier;
            }

            // IsThis is the implicit receiver of an instance method; the first parameter of an extension method is
            // the one declared with 'this'.
            if (i == 0 && _method.IsExtensionMethod)
            {
                modifier = "this " + modifier;
            }

            parameters[i] = new ParameterSpec
            {
                Name = Names.EscapeIdentifier(parameter.Name),
                Type = Names.TypeName(parameter.Type, _known),
                Modifier = modifier,
                PassModifier = RefKinds.Argument(parameter.RefKind),
                IsCancellationToken = _known.IsCancellationToken(parameter.Type),
                IsDynamic = parameter.Type.TypeKind == TypeKind.Dynamic,
            };
        }

        return new EquatableArray<ParameterSpec>(parameters);
    }

    /// <summary>
    /// The declaration's <c>[Obsolete]</c> and <c>[Experimental]</c> as attribute text, for the asynchronous helper,
    /// which would otherwise be warned or stopped (CS0618, CS0619, the experimental id) for calling what they mark.
    /// </summary>
    public EquatableArray<string> HelperAttributes()
    {
        List<string>? attributes = null;
        foreach (AttributeData attribute in _method.GetAttributes())
        {
            if (attribute.AttributeClass is not { } type
                || !(_known.ObsoleteAttribute.Is(type) || _known.ExperimentalAttribute.Is(type)))
            {
                continue;
            }

            var arguments = new List<string>();
            foreach (TypedConstant argument in attribute.ConstructorArguments)
            {
                arguments.Add(argument.ToCSharpString());
            }

            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                arguments.Add(named.Key + " = " + named.Value.ToCSharpString());
            }

            (attributes ??= new List<string>()).Add($"[{type.ToDisplayString(Names.TypeFormat)}({string.Join(", ", arguments)})]");
        }

        return attributes is null ? EquatableArray<string>.Empty : attributes.ToEquatableArray();
    }

    /// <summary>The declaration's modifiers without "partial", e.g. "public static".</summary>
    public string Modifiers()
    {
        string? modifiers = null;
        foreach (SyntaxToken modifier in _syntax.Modifiers)
        {
            if (!modifier.IsKind(SyntaxKind.PartialKeyword))
            {
                modifiers = modifiers is null ? modifier.Text : modifiers + " " + modifier.Text;
            }
        }

        return modifiers ?? string.Empty;
    }

    /// <summary>
    /// The "where" clauses the implementing part repeats: those of <see cref="Constraints"/>, except for an override
    /// or explicit implementation, which repeats what it wrote.
    /// </summary>
    public EquatableArray<string> DeclaredConstraints()
    {
        var clauses = new List<string>();
        if (_method.IsOverride || _method.ExplicitInterfaceImplementations.Length > 0)
        {
            // An override or explicit implementation inherits its constraints and may only write 'class', 'struct'
            // or 'default' (CS0460), which name no type: its clauses are repeated as written.
            foreach (TypeParameterConstraintClauseSyntax clause in _syntax.ConstraintClauses)
            {
                clauses.Add(clause.WithoutTrivia().NormalizeWhitespace().ToString());
            }

            return clauses.ToEquatableArray();
        }

        return Constraints();
    }

    /// <summary>
    /// The "where" clauses that hold for the method's type parameters, inherited ones included: what a method of the
    /// generator's (the asynchronous helper) declares to call <c>{Name}Core</c> with them.
    /// </summary>
    public EquatableArray<string> Constraints()
    {
        var clauses = new List<string>();
        foreach (ITypeParameterSymbol parameter in _method.TypeParameters)
        {
            var parts = new List<string>();
            if (parameter.HasReferenceTypeConstraint)
            {
                parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (parameter.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (parameter.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (parameter.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            foreach (ITypeSymbol constraint in parameter.ConstraintTypes)
            {
                parts.Add(constraint.ToDisplayString(Names.TypeFormat));
            }

            if (parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint)
            {
                parts.Add("new()");
            }

            if (AllowsRefStruct(parameter.Name))
            {
                parts.Add("allows ref struct");
            }

            if (parts.Count > 0)
            {
                clauses.Add($"where {Names.EscapeTypeName(parameter.Name)} : {string.Join(", ", parts)}");
            }
        }

        return clauses.ToEquatableArray();
    }

    /// <summary>
    /// True when the declaration lets <paramref name="typeParameter"/> be a ref struct (C# 13). Read from the syntax:
    /// the Roslyn the generator is built against has no symbol API for it.
    /// </summary>
    private bool AllowsRefStruct(string typeParameter)
    {
        foreach (TypeParameterConstraintClauseSyntax clause in _syntax.ConstraintClauses)
        {
            if (clause.Name.Identifier.ValueText != typeParameter)
            {
                continue;
            }

            foreach (TypeParameterConstraintSyntax constraint in clause.Constraints)
            {
                if (constraint.ToString().StartsWith("allows", System.StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Keyword(TypeDeclarationSyntax declaration)
    {
        // 'unsafe' is carried so that members with pointers in their signatures compile in the generated part too.
        string prefix = (declaration.Modifiers.Any(SyntaxKind.UnsafeKeyword) ? "unsafe " : string.Empty)
            + (declaration.Modifiers.Any(SyntaxKind.ReadOnlyKeyword) ? "readonly " : string.Empty)
            + (declaration.Modifiers.Any(SyntaxKind.RefKeyword) ? "ref " : string.Empty);
        return prefix + declaration switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "partial record struct",
            RecordDeclarationSyntax => "partial record",
            StructDeclarationSyntax => "partial struct",
            InterfaceDeclarationSyntax => "partial interface",
            _ => "partial class",
        };
    }

    private static string TypeParameterList(TypeParameterListSyntax? list)
    {
        if (list is null)
        {
            return string.Empty;
        }

        var names = new string[list.Parameters.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Names.EscapeTypeName(list.Parameters[i].Identifier.ValueText);
        }

        return "<" + string.Join(", ", names) + ">";
    }

    private static bool IsAwaitable(ITypeSymbol type)
    {
        foreach (ISymbol member in type.GetMembers("GetAwaiter"))
        {
            if (member is IMethodSymbol { Parameters.Length: 0, IsStatic: false })
            {
                return true;
            }
        }

        return false;
    }

    private static string Short(ITypeSymbol type) => type.ToDisplayString(Names.ShortTypeFormat);

    private void Unsupported(Location? location, string reason) => _diagnostics.Report(DiagnosticDescriptors.UnsupportedSignature, location, _method.Name, reason);
}
