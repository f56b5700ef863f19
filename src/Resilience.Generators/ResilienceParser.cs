using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Generators;

/// <summary>Turns an annotated partial method into a <see cref="MethodResult"/>: the model to emit and the errors found. Builds no text.</summary>
internal static class ResilienceParser
{
    public const string RetryAttribute = "Resilience.RetryAttribute";
    public const string CircuitBreakerAttribute = "Resilience.CircuitBreakerAttribute";
    public const string TimeoutAttribute = "Resilience.TimeoutAttribute";
    public const string BulkheadAttribute = "Resilience.BulkheadAttribute";
    public const string RateLimitAttribute = "Resilience.RateLimitAttribute";
    public const string FallbackAttribute = "Resilience.FallbackAttribute";
    public const string RateLimitKeyAttribute = "Resilience.RateLimitKeyAttribute";

    /// <summary>The policy attributes, in the order that decides which attribute's provider reports a method, so each method is parsed once.</summary>
    public static readonly string[] PolicyAttributes =
    {
        RetryAttribute, CircuitBreakerAttribute, TimeoutAttribute, BulkheadAttribute, RateLimitAttribute, FallbackAttribute,
    };

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat s_shortTypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static bool IsMethodDeclaration(SyntaxNode node, CancellationToken _) => node is MethodDeclarationSyntax;

    /// <summary>Parses the method when <paramref name="attributeName"/> is the first policy attribute it carries; null otherwise.</summary>
    public static MethodResult? Parse(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax syntax)
        {
            return null;
        }

        // Every provider of an attribute the method carries runs this: all but one stop here, so this part allocates nothing.
        ImmutableArray<AttributeData> attributes = method.GetAttributes();
        if (FirstPolicyIndex(attributes) != Array.IndexOf(PolicyAttributes, attributeName))
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new MethodParser(method, syntax, attributes, context.SemanticModel.Compilation, cancellationToken).Parse();
    }

    /// <summary>The index in <see cref="PolicyAttributes"/> of the first policy attribute in <paramref name="attributes"/>; -1 when none is.</summary>
    private static int FirstPolicyIndex(ImmutableArray<AttributeData> attributes)
    {
        int first = int.MaxValue;
        foreach (AttributeData attribute in attributes)
        {
            int index = PolicyIndex(attribute.AttributeClass);
            if (index >= 0 && index < first)
            {
                first = index;
            }
        }

        return first == int.MaxValue ? -1 : first;
    }

    /// <summary>The index in <see cref="PolicyAttributes"/> of <paramref name="type"/>; -1 when it is not a policy attribute.</summary>
    private static int PolicyIndex(INamedTypeSymbol? type)
    {
        if (InResilienceNamespace(type))
        {
            for (int i = 0; i < PolicyAttributes.Length; i++)
            {
                if (HasFullName(type!, PolicyAttributes[i]))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>True when <paramref name="type"/> is <paramref name="fullName"/> ("Resilience.Name"), without building its name.</summary>
    private static bool Is(INamedTypeSymbol? type, string fullName) => InResilienceNamespace(type) && HasFullName(type!, fullName);

    private static bool InResilienceNamespace(INamedTypeSymbol? type)
        => type is { ContainingNamespace: { Name: "Resilience", ContainingNamespace.IsGlobalNamespace: true } };

    private static bool HasFullName(INamedTypeSymbol type, string fullName)
    {
        const string Prefix = "Resilience.";
        string name = type.Name;
        return fullName.Length == Prefix.Length + name.Length && string.CompareOrdinal(fullName, Prefix.Length, name, 0, name.Length) == 0;
    }

    private static bool IsSystemThreading(INamespaceSymbol? ns)
        => ns is { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    private static bool IsSystemThreadingTasks(INamespaceSymbol? ns) => ns is { Name: "Tasks" } && IsSystemThreading(ns.ContainingNamespace);

    /// <summary>
    /// True when <paramref name="type"/> is declared directly in System.Threading.Tasks, as Task, Task&lt;T&gt;,
    /// ValueTask and ValueTask&lt;T&gt; are: a type of the same name nested in another type of that namespace is not one of them.
    /// </summary>
    private static bool IsInSystemThreadingTasks(INamedTypeSymbol type) => type.ContainingType is null && IsSystemThreadingTasks(type.ContainingNamespace);

    /// <summary>The state of parsing one method.</summary>
    private sealed class MethodParser
    {
        private readonly IMethodSymbol _method;
        private readonly MethodDeclarationSyntax _syntax;
        private readonly AttributeData?[] _policies = new AttributeData?[PolicyAttributes.Length];
        private readonly Compilation _compilation;
        private readonly CancellationToken _cancellationToken;
        private readonly List<DiagnosticInfo> _diagnostics = new();
        private string? _firstError;

        public MethodParser(IMethodSymbol method, MethodDeclarationSyntax syntax, ImmutableArray<AttributeData> attributes, Compilation compilation, CancellationToken cancellationToken)
        {
            _method = method;
            _syntax = syntax;
            _compilation = compilation;
            _cancellationToken = cancellationToken;
            foreach (AttributeData attribute in attributes)
            {
                int index = PolicyIndex(attribute.AttributeClass);
                if (index >= 0 && _policies[index] is null)
                {
                    _policies[index] = attribute;
                }
            }
        }

        private LocationInfo? MethodLocation => LocationInfo.From(_syntax.Identifier.GetLocation());

        public MethodResult Parse()
        {
            INamedTypeSymbol type = _method.ContainingType;
            string? ns = Namespace(type.ContainingNamespace, out string? namespaceName);
            EquatableArray<ContainingTypeSpec> containingTypes = ContainingTypes(out string? notPartialType);
            string typeKey = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

            MethodResult Result(ResilientMethodSpec? spec) => new(
                typeKey, ns, containingTypes, HintName(type, namespaceName), spec, _diagnostics.ToEquatableArray(), MethodLocation, CanHaveModuleInitializer());

            // RES0001: nothing can be emitted for a method that is not a bodiless partial declaration in partial types.
            string? notPartial =
                notPartialType is not null ? $"is in the type '{notPartialType}', which is not partial"
                : !_syntax.Modifiers.Any(SyntaxKind.PartialKeyword) ? "is not partial"
                : _syntax.Body is not null || _syntax.ExpressionBody is not null ? "has a body"
                : _method.PartialImplementationPart is not null ? "already has an implementation"
                : null;
            if (notPartial is not null)
            {
                Report(DiagnosticDescriptors.MustBePartial, MethodLocation, _method.Name, notPartial);
                return Result(null);
            }

            if (type.TypeKind == TypeKind.Interface)
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, MethodLocation, _method.Name, "it is declared in an interface; declare it in a class, struct or record");
                return Result(null);
            }

            ReturnKind returnKind = ClassifyReturn(out string? resultType);
            EquatableArray<ParameterSpec> parameters = Parameters();
            CheckSignature(returnKind);
            string coreName = _method.Name + "Core";
            CheckCore(coreName);

            string policyName = DefaultPolicyName(type, namespaceName);
            RetrySpec? retry = ParseRetry();
            CircuitBreakerSpec? breaker = ParseCircuitBreaker(policyName);
            TimeoutSpec? timeout = ParseTimeout();
            BulkheadSpec? bulkhead = ParseBulkhead(policyName);
            RateLimitSpec? rateLimit = ParseRateLimit(policyName);
            FallbackSpec? fallback = ParseFallback(returnKind);

            var spec = new ResilientMethodSpec(
                EscapeIdentifier(_method.Name),
                MemberKey(),
                Modifiers(),
                ReturnTypeName(returnKind, resultType),
                returnKind,
                resultType,
                _method.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", _method.TypeParameters.Select(p => EscapeTypeName(p.Name))) + ">",
                Constraints(_method.TypeParameters),
                parameters,
                _method.IsStatic,
                policyName,
                CancellationTokenName(parameters),
                coreName,
                retry,
                breaker,
                timeout,
                bulkhead,
                rateLimit,
                fallback,
                _firstError);
            return Result(spec);
        }

        /// <summary>
        /// True when the compilation has ModuleInitializerAttribute (.NET 5 and later). Asked here, per method, rather
        /// than of the whole compilation in a step of its own, which would run again on every edit. A public type is
        /// accessible from anywhere, so only a non-public one (a polyfill) is put to the accessibility check, which
        /// first walks all of the compilation's references.
        /// </summary>
        private bool CanHaveModuleInitializer()
            => _compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ModuleInitializerAttribute") is { } attribute
                && (attribute.DeclaredAccessibility == Accessibility.Public || _compilation.IsSymbolAccessibleWithin(attribute, _compilation.Assembly));

        private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
        {
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location ?? MethodLocation, arguments));
            if (_firstError is null)
            {
                _firstError = descriptor.Id + ": " + string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), arguments);
            }
        }

        // ---- The containing types --------------------------------------------------------------

        private EquatableArray<ContainingTypeSpec> ContainingTypes(out string? notPartialType)
        {
            notPartialType = null;
            var types = new List<ContainingTypeSpec>();
            for (SyntaxNode? node = _syntax.Parent; node is TypeDeclarationSyntax declaration; node = node.Parent)
            {
                if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword) && notPartialType is null)
                {
                    notPartialType = declaration.Identifier.ValueText;
                }

                string name = EscapeTypeName(declaration.Identifier.ValueText) + (declaration.TypeParameterList is { } list
                    ? "<" + string.Join(", ", list.Parameters.Select(p => EscapeTypeName(p.Identifier.ValueText))) + ">"
                    : string.Empty);
                types.Insert(0, new ContainingTypeSpec(Keyword(declaration), name));
            }

            return types.ToEquatableArray();
        }

        private static string Keyword(TypeDeclarationSyntax declaration)
        {
            string prefix = (declaration.Modifiers.Any(SyntaxKind.ReadOnlyKeyword) ? "readonly " : string.Empty)
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

        /// <summary>
        /// The namespace as code refers to it, each part escaped with @ when it is a keyword ("Shop.@event.Api"), and
        /// as <paramref name="name"/> its plain name ("Shop.event.Api"); both null for the global namespace.
        /// </summary>
        private static string? Namespace(INamespaceSymbol ns, out string? name)
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
        private static string HintName(INamedTypeSymbol type, string? ns)
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

            char[] name = (string.Join(".", parts) + ".g.cs").ToCharArray();
            for (int i = 0; i < name.Length; i++)
            {
                if (!IsValidInHintName(name[i]))
                {
                    name[i] = '_';
                }
            }

            return new string(name);
        }

        /// <summary>True for the characters AddSource accepts in a hint name: letters, digits and a few punctuation marks.</summary>
        private static bool IsValidInHintName(char c)
            => char.IsLetterOrDigit(c) || c is '_' or '.' or ',' or '-' or '+' or '`' or '(' or ')' or '[' or ']' or '{' or '}';

        /// <param name="ns">The type's namespace as its plain name, null for the global one.</param>
        private string DefaultPolicyName(INamedTypeSymbol type, string? ns)
        {
            var parts = new List<string> { _method.Name };
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                parts.Insert(0, t.Name);
            }

            if (ns is not null)
            {
                parts.Insert(0, ns);
            }

            return string.Join(".", parts);
        }

        private string MemberKey()
        {
            IMethodSymbol[] sameName = MethodsNamed(_method.Name);
            int index = -1;
            for (int i = 0; i < sameName.Length; i++)
            {
                if (SymbolEqualityComparer.Default.Equals(sameName[i], _method))
                {
                    index = i;
                    break;
                }
            }

            return index <= 0 ? _method.Name : _method.Name + "_" + index.ToString(CultureInfo.InvariantCulture);
        }

        private string Modifiers()
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

        /// <summary>The methods of the containing type named <paramref name="name"/>, in declaration order.</summary>
        private IMethodSymbol[] MethodsNamed(string name)
        {
            ImmutableArray<ISymbol> members = _method.ContainingType.GetMembers(name);
            int count = 0;
            foreach (ISymbol member in members)
            {
                count += member is IMethodSymbol ? 1 : 0;
            }

            var methods = new IMethodSymbol[count];
            int i = 0;
            foreach (ISymbol member in members)
            {
                if (member is IMethodSymbol method)
                {
                    methods[i++] = method;
                }
            }

            return methods;
        }

        // ---- The signature ---------------------------------------------------------------------

        private ReturnKind ClassifyReturn(out string? resultType)
        {
            resultType = null;
            ITypeSymbol returnType = _method.ReturnType;
            if (_method.ReturnsVoid)
            {
                return ReturnKind.Void;
            }

            if (returnType is INamedTypeSymbol named && IsInSystemThreadingTasks(named))
            {
                switch (named.MetadataName)
                {
                    case "Task":
                        return ReturnKind.Task;
                    case "ValueTask":
                        return ReturnKind.ValueTask;
                    case "Task`1":
                        resultType = TypeName(named.TypeArguments[0]);
                        return ReturnKind.TaskOfT;
                    case "ValueTask`1":
                        resultType = TypeName(named.TypeArguments[0]);
                        return ReturnKind.ValueTaskOfT;
                }
            }

            resultType = TypeName(returnType);
            return ReturnKind.Value;
        }

        /// <summary>The return type's name, built on <paramref name="resultType"/>, the name <see cref="ClassifyReturn"/> gave its result.</summary>
        private string ReturnTypeName(ReturnKind returnKind, string? resultType) => returnKind switch
        {
            ReturnKind.Value => resultType!,
            ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT => TypeName(_method.ReturnType, resultType),
            _ => TypeName(_method.ReturnType),
        };

        private bool IsAsync(ReturnKind kind) => kind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;

        private void CheckSignature(ReturnKind returnKind)
        {
            if (_method.ReturnsByRef || _method.ReturnsByRefReadonly)
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, LocationInfo.From(_syntax.ReturnType), _method.Name, "it returns by reference; return the value instead");
            }

            if (_method.ReturnType is { IsRefLikeType: true })
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, LocationInfo.From(_syntax.ReturnType), _method.Name, $"it returns the ref struct '{_method.ReturnType.ToDisplayString(s_shortTypeFormat)}', which cannot be kept across attempts");
            }

            if (returnKind == ReturnKind.Value && IsAwaitable(_method.ReturnType))
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, LocationInfo.From(_syntax.ReturnType), _method.Name, $"it returns '{_method.ReturnType.ToDisplayString(s_shortTypeFormat)}', an awaitable other than Task, Task<T>, ValueTask and ValueTask<T>; return one of those");
            }

            if (_method.ReturnType.OriginalDefinition is { Name: "IAsyncEnumerable" } definition && definition.ToDisplayString() == "System.Collections.Generic.IAsyncEnumerable<T>")
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, LocationInfo.From(_syntax.ReturnType), _method.Name, "it returns IAsyncEnumerable<T>, whose items are produced after the method returns, outside any policy; return Task<T> or ValueTask<T>");
            }

            foreach (IParameterSymbol parameter in _method.Parameters)
            {
                if (parameter.RefKind is RefKind.Ref or RefKind.Out)
                {
                    Report(DiagnosticDescriptors.UnsupportedSignature, Location(parameter), _method.Name, $"the parameter '{parameter.Name}' is '{(parameter.RefKind == RefKind.Ref ? "ref" : "out")}', which a retry or fallback cannot handle; return the value instead");
                }
                else if (IsAsync(returnKind) && parameter.Type.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedSignature, Location(parameter), _method.Name, $"the parameter '{parameter.Name}' is the ref struct '{parameter.Type.ToDisplayString(s_shortTypeFormat)}', which an asynchronous method cannot keep across an await; pass a Memory<T> or an array");
                }
                else if (parameter.Type.TypeKind == TypeKind.Pointer && IsAsync(returnKind))
                {
                    Report(DiagnosticDescriptors.UnsupportedSignature, Location(parameter), _method.Name, $"the parameter '{parameter.Name}' is a pointer, which an asynchronous method cannot take");
                }
            }

            if (_method.IsVararg)
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, MethodLocation, _method.Name, "it takes __arglist");
            }

            static LocationInfo? Location(IParameterSymbol parameter) => LocationInfo.From(parameter.Locations.FirstOrDefault());
        }

        private static bool IsAwaitable(ITypeSymbol type)
            => type.GetMembers("GetAwaiter").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && !m.IsStatic);

        private EquatableArray<ParameterSpec> Parameters()
        {
            ImmutableArray<IParameterSymbol> symbols = _method.Parameters;
            var parameters = new ParameterSpec[symbols.Length];
            for (int i = 0; i < symbols.Length; i++)
            {
                IParameterSymbol parameter = symbols[i];
                string modifier = parameter.RefKind switch
                {
                    RefKind.In => "in ",
                    RefKind.Ref => "ref ",
                    RefKind.Out => "out ",
                    (RefKind)4 => "ref readonly ", // RefKind.RefReadOnlyParameter, C# 12
                    _ => string.Empty,
                };
                if (parameter.ScopedKind == ScopedKind.ScopedValue)
                {
                    modifier = "scoped " + modifier;
                }

                if (parameter.IsParams)
                {
                    modifier = "params " + modifier;
                }

                if (parameter.IsThis)
                {
                    modifier = "this " + modifier;
                }

                string pass = parameter.RefKind switch
                {
                    RefKind.In or (RefKind)4 => "in ",
                    RefKind.Ref => "ref ",
                    RefKind.Out => "out ",
                    _ => string.Empty,
                };
                parameters[i] = new ParameterSpec(
                    EscapeIdentifier(parameter.Name),
                    TypeName(parameter.Type),
                    modifier,
                    pass,
                    IsCancellationToken(parameter.Type));
            }

            return new EquatableArray<ParameterSpec>(parameters);
        }

        /// <summary>
        /// <paramref name="type"/> as <see cref="s_typeFormat"/> displays it. The types most signatures are made of (the
        /// C# keyword types, CancellationToken, Task and ValueTask) are written here as the display would write them:
        /// the display visitor costs up to a microsecond a type, and the parse runs for every method on every change
        /// of the compilation. <paramref name="typeArgument"/> is the name of a Task's or ValueTask's type argument,
        /// when it is already known.
        /// </summary>
        private static string TypeName(ITypeSymbol type, string? typeArgument = null)
        {
            // As the display does with IncludeNullableReferenceTypeModifier: '?' on annotated reference types only.
            string annotation = type.NullableAnnotation == NullableAnnotation.Annotated && !type.IsValueType ? "?" : string.Empty;
            if (Keyword(type.SpecialType) is { } keyword)
            {
                return keyword + annotation;
            }

            if (type is INamedTypeSymbol { ContainingType: null, IsUnboundGenericType: false } named && named.TypeKind != TypeKind.Error)
            {
                if (named is { Name: "CancellationToken", Arity: 0 } && IsSystemThreading(named.ContainingNamespace))
                {
                    return "global::System.Threading.CancellationToken" + annotation;
                }

                if (named is { Name: "Task" or "ValueTask", Arity: <= 1 } && IsSystemThreadingTasks(named.ContainingNamespace))
                {
                    return named.Arity == 0
                        ? "global::System.Threading.Tasks." + named.Name + annotation
                        : "global::System.Threading.Tasks." + named.Name + "<" + (typeArgument ?? TypeName(named.TypeArguments[0])) + ">" + annotation;
                }
            }

            return type.ToDisplayString(s_typeFormat);
        }

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

        private static string? CancellationTokenName(EquatableArray<ParameterSpec> parameters)
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].IsCancellationToken)
                {
                    return parameters[i].Name;
                }
            }

            return null;
        }

        private static bool IsCancellationToken(ITypeSymbol type)
            => type is INamedTypeSymbol { Name: "CancellationToken", ContainingType: null } named && IsSystemThreading(named.ContainingNamespace);

        /// <summary>
        /// A member's name (a method's, a parameter's) as code writes it: escaped with @ when it is a reserved keyword,
        /// or 'await', which cannot name a parameter inside the asynchronous helpers the emitter writes.
        /// </summary>
        private static string EscapeIdentifier(string name)
            => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || name == "await" ? "@" + name : name;

        /// <summary>
        /// The name of a namespace, a type or a type parameter as code declares it: escaped with @ when it is a keyword,
        /// reserved or contextual. The compiler warns about or rejects several contextual keywords as the name of a
        /// type or type parameter unless they are escaped (record, file, required, scoped, ...); escaping the others
        /// too is harmless.
        /// </summary>
        private static string EscapeTypeName(string name)
            => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private static EquatableArray<string> Constraints(IEnumerable<ITypeParameterSymbol> typeParameters)
        {
            var clauses = new List<string>();
            foreach (ITypeParameterSymbol parameter in typeParameters)
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

                parts.AddRange(parameter.ConstraintTypes.Select(t => t.ToDisplayString(s_typeFormat)));
                if (parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint)
                {
                    parts.Add("new()");
                }

                if (parts.Count > 0)
                {
                    clauses.Add($"where {EscapeTypeName(parameter.Name)} : {string.Join(", ", parts)}");
                }
            }

            return clauses.ToEquatableArray();
        }

        // ---- {Name}Core ------------------------------------------------------------------------

        private void CheckCore(string coreName)
        {
            IMethodSymbol[] candidates = MethodsNamed(coreName);
            if (candidates.Length == 0)
            {
                Report(DiagnosticDescriptors.MissingCore, MethodLocation, _method.Name, Expected(), $"no method '{coreName}' exists in '{_method.ContainingType.Name}'");
                return;
            }

            string? mismatch = null;
            foreach (IMethodSymbol candidate in candidates)
            {
                mismatch = Mismatch(candidate, extraExceptionParameter: false, returnMatches: r => TypesMatch(_method.ReturnType, r));
                if (mismatch is null)
                {
                    return;
                }
            }

            Report(DiagnosticDescriptors.MissingCore, MethodLocation, _method.Name, Expected(), candidates.Length == 1 ? $"'{coreName}' {mismatch}" : $"none of the {candidates.Length} methods named '{coreName}' matches");

            // Only a report needs the signature written out.
            string Expected() => ExpectedSignature(coreName, _method.ReturnType, withException: false);
        }

        /// <summary>Why <paramref name="candidate"/> cannot stand for the method's parameters (plus an optional Exception); null when it can.</summary>
        private string? Mismatch(IMethodSymbol candidate, bool? extraExceptionParameter, Func<ITypeSymbol, bool> returnMatches)
        {
            if (candidate.TypeParameters.Length != _method.TypeParameters.Length)
            {
                return $"has {candidate.TypeParameters.Length} type parameter(s), not {_method.TypeParameters.Length}";
            }

            int count = _method.Parameters.Length;
            bool hasExtra = candidate.Parameters.Length == count + 1;
            if (candidate.Parameters.Length != count && !(extraExceptionParameter != false && hasExtra))
            {
                return $"takes {candidate.Parameters.Length} parameter(s), not {count}";
            }

            for (int i = 0; i < count; i++)
            {
                IParameterSymbol expected = _method.Parameters[i];
                IParameterSymbol actual = candidate.Parameters[i];
                if (!TypesMatch(expected.Type, actual.Type))
                {
                    return $"takes '{actual.Type.ToDisplayString(s_shortTypeFormat)}' as parameter {i + 1}, not '{expected.Type.ToDisplayString(s_shortTypeFormat)}'";
                }

                if (PassingGroup(expected.RefKind) != PassingGroup(actual.RefKind))
                {
                    return $"passes parameter {i + 1} ('{actual.Name}') differently ({Describe(actual.RefKind)} instead of {Describe(expected.RefKind)})";
                }
            }

            if (hasExtra && extraExceptionParameter != false && candidate.Parameters[count].Type.ToDisplayString() != "System.Exception")
            {
                return $"takes '{candidate.Parameters[count].Type.ToDisplayString(s_shortTypeFormat)}' as its last parameter, where only an Exception may follow the method's parameters";
            }

            if (!returnMatches(candidate.ReturnType))
            {
                return $"returns '{candidate.ReturnType.ToDisplayString(s_shortTypeFormat)}'";
            }

            if (_method.IsStatic && !candidate.IsStatic)
            {
                return $"is an instance method, but '{_method.Name}' is static; make it static";
            }

            return null;

            // 'in' and 'ref readonly' are passed alike.
            static int PassingGroup(RefKind kind) => kind switch
            {
                RefKind.In or (RefKind)4 => 1,
                RefKind.Ref => 2,
                RefKind.Out => 3,
                _ => 0,
            };

            static string Describe(RefKind kind) => kind switch
            {
                RefKind.In => "'in'",
                RefKind.Ref => "'ref'",
                RefKind.Out => "'out'",
                (RefKind)4 => "'ref readonly'",
                _ => "by value",
            };
        }

        /// <summary>
        /// True when a value of <paramref name="candidate"/> (a type in the signature of {Name}Core or of the
        /// fallback) passes to or from <paramref name="expected"/> (the resilient method's) without a conversion or a
        /// nullable warning. The candidate's method type parameters stand for the method's, by position; an
        /// oblivious type (nullable annotations off) is taken as not annotated.
        /// </summary>
        private static bool TypesMatch(ITypeSymbol expected, ITypeSymbol candidate)
        {
            if (IsAnnotated(expected) != IsAnnotated(candidate))
            {
                return false;
            }

            switch (expected, candidate)
            {
                case (ITypeParameterSymbol e, ITypeParameterSymbol c) when e.TypeParameterKind == TypeParameterKind.Method && c.TypeParameterKind == TypeParameterKind.Method:
                    return e.Ordinal == c.Ordinal;
                case (IArrayTypeSymbol e, IArrayTypeSymbol c):
                    return e.Rank == c.Rank && TypesMatch(e.ElementType, c.ElementType);
                case (INamedTypeSymbol e, INamedTypeSymbol c) when e.IsGenericType || c.IsGenericType:
                    return SymbolEqualityComparer.Default.Equals(e.OriginalDefinition, c.OriginalDefinition)
                        && e.TypeArguments.Length == c.TypeArguments.Length
                        && ArgumentsMatch(e.TypeArguments, c.TypeArguments)
                        && (e.ContainingType is null || SymbolEqualityComparer.Default.Equals(e.ContainingType, c.ContainingType));
                default:
                    return SymbolEqualityComparer.Default.Equals(expected, candidate);
            }

            static bool IsAnnotated(ITypeSymbol type) => type.NullableAnnotation == NullableAnnotation.Annotated;

            static bool ArgumentsMatch(ImmutableArray<ITypeSymbol> expected, ImmutableArray<ITypeSymbol> candidate)
            {
                for (int i = 0; i < expected.Length; i++)
                {
                    if (!TypesMatch(expected[i], candidate[i]))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        private string ExpectedSignature(string name, ITypeSymbol returnType, bool withException)
        {
            string typeParameters = _method.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", _method.TypeParameters.Select(p => p.Name)) + ">";
            IEnumerable<string> parameters = _method.Parameters.Select(p =>
                (p.RefKind switch { RefKind.In => "in ", RefKind.Ref => "ref ", RefKind.Out => "out ", (RefKind)4 => "ref readonly ", _ => string.Empty })
                + p.Type.ToDisplayString(s_shortTypeFormat) + " " + p.Name);
            if (withException)
            {
                parameters = parameters.Concat(new[] { "Exception error" });
            }

            return $"{(_method.IsStatic ? "static " : string.Empty)}{returnType.ToDisplayString(s_shortTypeFormat)} {name}{typeParameters}({string.Join(", ", parameters)})";
        }

        // ---- Attributes --------------------------------------------------------------------------

        /// <summary>The first of the method's attributes named <paramref name="fullName"/> (one of <see cref="PolicyAttributes"/>); null when there is none.</summary>
        private AttributeReader? Attribute(string fullName)
        {
            AttributeData? data = _policies[Array.IndexOf(PolicyAttributes, fullName)];
            return data is null ? null : new AttributeReader(data, _cancellationToken);
        }

        /// <summary>Reads an int setting (or its default) and reports RES0004 when it is below <paramref name="minimum"/>.</summary>
        private int ReadAtLeast(AttributeReader attribute, string property, int defaultValue, int minimum)
        {
            int value = attribute.Int(property, defaultValue);
            RequireAtLeast(attribute, property, value, minimum);
            return value;
        }

        private void RequireAtLeast(AttributeReader attribute, string property, int value, int minimum)
        {
            if (value < minimum)
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.Location(property), attribute.Name + "." + property, Format(value), $"at least {Format(minimum)}");
            }
        }

        private void RequireDefined(AttributeReader attribute, string property, int value, string enumName, params string[] names)
        {
            if (value < 0 || value >= names.Length)
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.Location(property), attribute.Name + "." + property, Format(value), $"a {enumName}: {string.Join(", ", names)}");
            }
        }

        private string PolicyNameOf(AttributeReader attribute, string defaultName)
        {
            string? name = attribute.String("Name");
            if (name is not null && name.Trim().Length == 0)
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.Location("Name"), attribute.Name + ".Name", "empty", "a non-empty name, or left unset for the default '" + defaultName + "'");
            }

            return string.IsNullOrWhiteSpace(name) ? defaultName : name!;
        }

        private EquatableArray<string> ExceptionTypes(AttributeReader attribute, string property)
        {
            IReadOnlyList<ITypeSymbol?> types = attribute.Types(property);
            if (types.Count == 0)
            {
                return EquatableArray<string>.Empty;
            }

            var names = new List<string>();
            foreach (ITypeSymbol? type in types)
            {
                if (type is null || type.TypeKind == TypeKind.Error || !DerivesFrom(type, "System.Exception") || type is INamedTypeSymbol { IsUnboundGenericType: true })
                {
                    Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.Location(property), attribute.Name + "." + property, $"'{type?.ToDisplayString(s_shortTypeFormat) ?? "null"}'", "a list of exception types (deriving from System.Exception)");
                    continue;
                }

                names.Add(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            }

            return names.ToEquatableArray();
        }

        private static bool DerivesFrom(ITypeSymbol type, string baseName)
        {
            for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                // The name check first: it is necessary for the display string to match, and far cheaper to make.
                if (baseName.EndsWith(t.Name, StringComparison.Ordinal) && t.ToDisplayString() == baseName)
                {
                    return true;
                }
            }

            return false;
        }

        private RetrySpec? ParseRetry()
        {
            if (Attribute(RetryAttribute) is not { } a)
            {
                return null;
            }

            int maxAttempts = ReadAtLeast(a, "MaxAttempts", 3, 1);
            int delayMs = ReadAtLeast(a, "DelayMs", 200, 0);
            int maxDelayMs = ReadAtLeast(a, "MaxDelayMs", 30_000, 0);
            int backoff = a.Int("Backoff", 2);
            if (delayMs >= 0 && maxDelayMs >= 0 && delayMs > maxDelayMs)
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, a.Location("DelayMs"), "RetryAttribute.DelayMs", Format(delayMs), $"at most RetryAttribute.MaxDelayMs ({Format(maxDelayMs)}); raise MaxDelayMs or lower DelayMs");
            }

            RequireDefined(a, "Backoff", backoff, "BackoffKind", "Constant", "Linear", "Exponential");

            string? shouldRetry = a.String("ShouldRetry");
            if (shouldRetry is not null)
            {
                CheckPolicyMethod(a, "ShouldRetry", shouldRetry, "bool", new[] { "System.Exception" }, "bool {0}(Exception exception)");
            }

            string? onRetry = a.String("OnRetry");
            if (onRetry is not null)
            {
                CheckPolicyMethod(a, "OnRetry", onRetry, "void", new[] { "System.Exception", "int", "System.TimeSpan" }, "void {0}(Exception exception, int attempt, TimeSpan delay)");
            }

            return new RetrySpec(maxAttempts, delayMs, maxDelayMs, backoff, a.Bool("Jitter", true), ExceptionTypes(a, "Handle"), ExceptionTypes(a, "Ignore"), shouldRetry is null ? null : EscapeIdentifier(shouldRetry), onRetry is null ? null : EscapeIdentifier(onRetry));
        }

        private void CheckPolicyMethod(AttributeReader attribute, string property, string name, string returnType, string[] parameterTypes, string expectedFormat)
        {
            string expected = "'" + (_method.IsStatic ? "static " : string.Empty) + string.Format(CultureInfo.InvariantCulture, expectedFormat, name) + "'";
            IMethodSymbol[] candidates = MethodsNamed(name);
            if (candidates.Length == 0)
            {
                Report(DiagnosticDescriptors.InvalidPolicyMethod, attribute.Location(property), property, name, _method.Name, $"was not found in '{_method.ContainingType.Name}'", expected);
                return;
            }

            bool matches = candidates.Any(c =>
                !c.IsGenericMethod
                && c.ReturnType.ToDisplayString() == returnType
                && c.Parameters.Length == parameterTypes.Length
                && c.Parameters.Select(p => p.Type.ToDisplayString()).SequenceEqual(parameterTypes)
                && c.Parameters.All(p => p.RefKind == RefKind.None)
                && (c.IsStatic || !_method.IsStatic));
            if (!matches)
            {
                Report(DiagnosticDescriptors.InvalidPolicyMethod, attribute.Location(property), property, name, _method.Name, "has the wrong signature" + (_method.IsStatic && candidates.All(c => !c.IsStatic) ? " (it must be static, as the method is)" : string.Empty), expected);
            }
        }

        private CircuitBreakerSpec? ParseCircuitBreaker(string defaultName)
        {
            if (Attribute(CircuitBreakerAttribute) is not { } a)
            {
                return null;
            }

            int failureThreshold = ReadAtLeast(a, "FailureThreshold", 5, 1);
            double failureRatio = a.Double("FailureRatio", 0);
            int minimumThroughput = ReadAtLeast(a, "MinimumThroughput", 10, 1);
            int samplingDurationMs = ReadAtLeast(a, "SamplingDurationMs", 30_000, 1);
            int breakDurationMs = ReadAtLeast(a, "BreakDurationMs", 30_000, 1);
            int successThreshold = ReadAtLeast(a, "SuccessThreshold", 1, 1);
            int halfOpenMaxCalls = ReadAtLeast(a, "HalfOpenMaxCalls", 1, 1);
            if (!(failureRatio >= 0 && failureRatio <= 1))
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, a.Location("FailureRatio"), "CircuitBreakerAttribute.FailureRatio", failureRatio.ToString("R", CultureInfo.InvariantCulture), "0 (ratio mode off) or in (0, 1]");
            }

            return new CircuitBreakerSpec(
                PolicyNameOf(a, defaultName), failureThreshold, failureRatio, minimumThroughput, samplingDurationMs, breakDurationMs,
                successThreshold, halfOpenMaxCalls, ExceptionTypes(a, "Handle"), ExceptionTypes(a, "Ignore"));
        }

        private TimeoutSpec? ParseTimeout()
        {
            if (Attribute(TimeoutAttribute) is not { } a)
            {
                return null;
            }

            int milliseconds = ReadAtLeast(a, "Milliseconds", 0, 1);
            int scope = a.Int("Scope", 0);
            RequireDefined(a, "Scope", scope, "TimeoutScope", "PerAttempt", "Total");
            return new TimeoutSpec(milliseconds, scope == 1);
        }

        private BulkheadSpec? ParseBulkhead(string defaultName)
        {
            if (Attribute(BulkheadAttribute) is not { } a)
            {
                return null;
            }

            int maxConcurrency = ReadAtLeast(a, "MaxConcurrency", 0, 1);
            int maxQueue = ReadAtLeast(a, "MaxQueue", 0, 0);
            int maxWaitMs = ReadAtLeast(a, "MaxWaitMs", 0, 0);
            return new BulkheadSpec(PolicyNameOf(a, defaultName), maxConcurrency, maxQueue, maxWaitMs);
        }

        private RateLimitSpec? ParseRateLimit(string defaultName)
        {
            IParameterSymbol[] keys = _method.Parameters.Where(p => p.GetAttributes().Any(x => Is(x.AttributeClass, RateLimitKeyAttribute))).ToArray();
            if (Attribute(RateLimitAttribute) is not { } a)
            {
                if (keys.Length > 0)
                {
                    Report(DiagnosticDescriptors.InvalidAttributeValue, LocationInfo.From(keys[0].Locations.FirstOrDefault()), "RateLimitKeyAttribute", $"on '{keys[0].Name}' of a method without [RateLimit]", "used together with [RateLimit] on the method");
                }

                return null;
            }

            int permits = ReadAtLeast(a, "Permits", 0, 1);
            int windowMs = ReadAtLeast(a, "WindowMs", 0, 1);
            int algorithm = a.Int("Algorithm", 0);
            int queueLimit = ReadAtLeast(a, "QueueLimit", 0, 0);
            RequireDefined(a, "Algorithm", algorithm, "RateLimitAlgorithm", "TokenBucket", "FixedWindow", "SlidingWindow");
            if (keys.Length > 1)
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, LocationInfo.From(keys[1].Locations.FirstOrDefault()), "RateLimitKeyAttribute", $"on {keys.Length} parameters", "on one parameter only; combine the values into one key (a tuple or a string)");
            }

            string? keyParameter = null, keyType = null;
            if (keys.Length >= 1)
            {
                IParameterSymbol key = keys[0];
                keyParameter = EscapeIdentifier(key.Name);
                // A key typed by a type parameter is boxed into object?: one static limiter per closed generic type
                // would otherwise register the same name with different key types.
                keyType = ContainsTypeParameter(key.Type) ? "object?" : key.Type.ToDisplayString(s_typeFormat);
            }

            return new RateLimitSpec(PolicyNameOf(a, defaultName), permits, windowMs, algorithm, queueLimit, keyParameter, keyType);
        }

        private static bool ContainsTypeParameter(ITypeSymbol type) => type switch
        {
            ITypeParameterSymbol => true,
            IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
            INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter) || (named.ContainingType is { } outer && ContainsTypeParameter(outer)),
            _ => false,
        };

        private FallbackSpec? ParseFallback(ReturnKind returnKind)
        {
            if (Attribute(FallbackAttribute) is not { } a)
            {
                return null;
            }

            string? name = a.String("Method");
            EquatableArray<string> handle = ExceptionTypes(a, "Handle");
            if (string.IsNullOrWhiteSpace(name))
            {
                Report(DiagnosticDescriptors.InvalidAttributeValue, a.Location("Method"), "FallbackAttribute.Method", "empty", "the name of a method of the same type; use nameof");
                return null;
            }

            ITypeSymbol? result = returnKind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT ? ((INamedTypeSymbol)_method.ReturnType).TypeArguments[0] : null;
            bool ReturnMatches(ITypeSymbol candidate) => Classify(candidate, returnKind, result) is not null;

            IMethodSymbol[] candidates = MethodsNamed(name!);
            IMethodSymbol? match = candidates.FirstOrDefault(c => Mismatch(c, extraExceptionParameter: null, ReturnMatches) is null);
            if (match is null)
            {
                string why = candidates.Length == 0
                    ? $"was not found in '{_method.ContainingType.Name}'"
                    : "has the wrong signature: it " + Mismatch(candidates[0], extraExceptionParameter: null, ReturnMatches);
                string expected = $"'{ExpectedSignature(name!, result ?? _method.ReturnType, withException: true)}'"
                    + (result is not null ? $" (or returning '{_method.ReturnType.ToDisplayString(s_shortTypeFormat)}'; the Exception parameter is optional)" : " (the Exception parameter is optional)");
                Report(DiagnosticDescriptors.InvalidPolicyMethod, a.Location("Method"), "fallback", name!, _method.Name, why, expected);
                return null;
            }

            FallbackReturn fallbackReturn = Classify(match.ReturnType, returnKind, result)!.Value;
            return new FallbackSpec(
                EscapeIdentifier(name!),
                match.Parameters.Length == _method.Parameters.Length + 1,
                fallbackReturn,
                handle,
                Handles(handle, "Resilience.BrokenCircuitException"),
                Handles(handle, "Resilience.BulkheadRejectedException"),
                Handles(handle, "Resilience.RateLimitRejectedException"));
        }

        /// <summary>How a fallback returning <paramref name="candidate"/> answers for the method; null when it cannot.</summary>
        private FallbackReturn? Classify(ITypeSymbol candidate, ReturnKind returnKind, ITypeSymbol? result)
        {
            bool Same(ITypeSymbol a, ITypeSymbol b) => TypesMatch(a, b);
            string Definition() => candidate.OriginalDefinition.ToDisplayString();
            switch (returnKind)
            {
                case ReturnKind.Void:
                    return candidate.SpecialType == SpecialType.System_Void ? FallbackReturn.Direct : null;
                case ReturnKind.Value:
                    return Same(candidate, _method.ReturnType) ? FallbackReturn.Direct : null;
                case ReturnKind.Task or ReturnKind.ValueTask:
                    return candidate.SpecialType == SpecialType.System_Void ? FallbackReturn.Direct
                        : Definition() is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask" ? FallbackReturn.Awaitable
                        : null;
                default:
                    if (Same(candidate, result!))
                    {
                        return FallbackReturn.Direct;
                    }

                    return Definition() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>"
                        && Same(((INamedTypeSymbol)candidate).TypeArguments[0], result!)
                        ? FallbackReturn.Awaitable
                        : null;
            }
        }

        /// <summary>True when a fallback with these Handle types takes the rejection <paramref name="rejection"/>.</summary>
        private bool Handles(EquatableArray<string> handle, string rejection)
        {
            if (handle.IsEmpty)
            {
                return true;
            }

            INamedTypeSymbol? type = _compilation.GetTypeByMetadataName(rejection);
            for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                if (handle.Contains(t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
                {
                    return true;
                }
            }

            return false;
        }

        private static string Format(int value) => value.ToString("N0", CultureInfo.InvariantCulture).Replace(",", " ");
    }

    /// <summary>Reads an attribute's values by property name, whether given to the constructor or as named arguments.</summary>
    private sealed class AttributeReader
    {
        private readonly AttributeData _data;
        private readonly CancellationToken _cancellationToken;

        public AttributeReader(AttributeData data, CancellationToken cancellationToken)
        {
            _data = data;
            _cancellationToken = cancellationToken;
        }

        public string Name => _data.AttributeClass!.Name;

        public int Int(string property, int defaultValue) => Value(property) is { Value: { } value } ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : defaultValue;

        public double Double(string property, double defaultValue) => Value(property) is { Value: { } value } ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : defaultValue;

        public bool Bool(string property, bool defaultValue) => Value(property) is { Value: bool value } ? value : defaultValue;

        public string? String(string property) => Value(property)?.Value as string;

        /// <summary>The types of a Type[] argument; null entries where a value is not a type.</summary>
        public IReadOnlyList<ITypeSymbol?> Types(string property)
            => Value(property) is { Kind: TypedConstantKind.Array, IsNull: false } array
                ? array.Values.Select(v => v.Value as ITypeSymbol).ToArray()
                : Array.Empty<ITypeSymbol?>();

        /// <summary>Where the value of <paramref name="property"/> is written; the attribute itself when it is not written.</summary>
        public LocationInfo? Location(string property)
        {
            if (_data.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax)
            {
                return null;
            }

            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = syntax.ArgumentList?.Arguments ?? default;
            IMethodSymbol? constructor = _data.AttributeConstructor;
            int position = 0;
            foreach (AttributeArgumentSyntax argument in arguments)
            {
                if (argument.NameEquals is { } nameEquals)
                {
                    if (nameEquals.Name.Identifier.ValueText == property)
                    {
                        return LocationInfo.From(argument);
                    }

                    continue;
                }

                string? parameterName = argument.NameColon?.Name.Identifier.ValueText
                    ?? (constructor is not null && position < constructor.Parameters.Length ? constructor.Parameters[position].Name : null);
                position++;
                if (parameterName is not null && string.Equals(parameterName, property, StringComparison.OrdinalIgnoreCase))
                {
                    return LocationInfo.From(argument);
                }
            }

            return LocationInfo.From(syntax);
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
}
