using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>
/// Finds and checks the methods a resilient method names or implies: <c>{Name}Core</c>, the fallback, the
/// <c>HandleResult</c> judges, and the <c>ShouldRetry</c>, <c>OnRetry</c> and <c>DelayGenerator</c> hooks. Says why a candidate does not fit, in words a message can use.
/// The generator and the analyzers compile this same file, so both agree on what a <c>{Name}Core</c> is.
/// </summary>
internal sealed class CompanionMethods
{
    private readonly IMethodSymbol _method;
    private readonly KnownTypeSymbols _known;

    public CompanionMethods(IMethodSymbol method, KnownTypeSymbols known)
    {
        _method = method;
        _known = known;
        ResultType = method.ReturnsVoid || known.Task.Is(method.ReturnType) || known.ValueTask.Is(method.ReturnType) ? null
            : known.TaskOfT.IsDefinitionOf(method.ReturnType) || known.ValueTaskOfT.IsDefinitionOf(method.ReturnType) ? ((INamedTypeSymbol)method.ReturnType).TypeArguments[0]
            : method.ReturnType;
    }

    /// <summary>T of a method returning T, Task&lt;T&gt; or ValueTask&lt;T&gt;: what a result judge, a fallback's outcome and a hook's outcome are about; null when the method has no result.</summary>
    public ITypeSymbol? ResultType { get; }

    /// <summary>The implementation the generated code calls: the method's name + "Core".</summary>
    public string CoreName => _method.Name + "Core";

    /// <summary>The methods of the containing type named <paramref name="name"/>, in declaration order.</summary>
    public IMethodSymbol[] MethodsNamed(string name)
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

    /// <summary>
    /// The diagnostic ids of <c>[Experimental]</c>, and the <c>DiagnosticId</c> of <c>[Obsolete]</c> (which replaces
    /// CS0612/CS0618), on the methods the generated code may call: <c>{Name}Core</c> and every method named by a string
    /// of <paramref name="policies"/> (the fallback, the hooks), each once, in ordinal order. An id that is not an
    /// identifier, which <c>#pragma warning</c> cannot name, is left out.
    /// </summary>
    public string[] CalleeDiagnosticIds(AttributeData?[] policies)
    {
        var names = new HashSet<string> { CoreName };
        foreach (AttributeData? policy in policies)
        {
            if (policy is null)
            {
                continue;
            }

            foreach (TypedConstant argument in policy.ConstructorArguments)
            {
                AddName(argument);
            }

            foreach (KeyValuePair<string, TypedConstant> argument in policy.NamedArguments)
            {
                AddName(argument.Value);
            }
        }

        SortedSet<string>? ids = null;
        foreach (string name in names)
        {
            foreach (IMethodSymbol method in MethodsNamed(name))
            {
                foreach (AttributeData attribute in method.GetAttributes())
                {
                    string? id = null;
                    if (_known.ExperimentalAttribute.Is(attribute.AttributeClass) && attribute.ConstructorArguments.Length == 1)
                    {
                        id = attribute.ConstructorArguments[0].Value as string;
                    }
                    else if (_known.ObsoleteAttribute.Is(attribute.AttributeClass))
                    {
                        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                        {
                            if (named.Key == "DiagnosticId")
                            {
                                id = named.Value.Value as string;
                            }
                        }
                    }

                    if (id is not null && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(id))
                    {
                        (ids ??= new SortedSet<string>(System.StringComparer.Ordinal)).Add(id);
                    }
                }
            }
        }

        return ids is null ? System.Array.Empty<string>() : System.Linq.Enumerable.ToArray(ids);

        void AddName(TypedConstant argument)
        {
            if (argument.Kind == TypedConstantKind.Primitive && argument.Value is string name)
            {
                names.Add(name);
            }
        }
    }

    /// <summary>True when <paramref name="candidate"/> is this method's <c>{Name}Core</c>: its name, type, parameters and return type.</summary>
    public bool IsCore(IMethodSymbol candidate)
        => candidate.Name == CoreName
            && SymbolEqualityComparer.Default.Equals(candidate.ContainingType, _method.ContainingType)
            && CoreMismatch(candidate) is null;

    /// <summary>Why no <c>{Name}Core</c> fits, as RES0002 says it; null when one does.</summary>
    public string? MissingCoreReason()
    {
        IMethodSymbol[] candidates = MethodsNamed(CoreName);
        if (candidates.Length == 0)
        {
            return $"no method '{CoreName}' exists in '{_method.ContainingType.Name}'; add it to the type";
        }

        string? mismatch = null;
        foreach (IMethodSymbol candidate in candidates)
        {
            mismatch = CoreMismatch(candidate);
            if (mismatch is null)
            {
                return null;
            }
        }

        return candidates.Length == 1
            ? $"'{CoreName}' {mismatch}; change it to match"
            : $"none of the {candidates.Length} methods named '{CoreName}' matches; change one of them to match";
    }

    /// <summary>
    /// "was not found in 'Type'", and the type's method whose name is nearest to <paramref name="name"/> when one
    /// is near enough to be a typo (a different case, or a letter or two off): a misspelt name is then named, not
    /// taken for a method to add.
    /// </summary>
    private string NotFound(string name)
    {
        string? nearest = null;
        int best = name.Length < 6 ? 1 : 2;
        foreach (string member in _method.ContainingType.MemberNames)
        {
            if (member == name || !MethodsNamedAny(member))
            {
                continue;
            }

            int distance = string.Equals(member, name, System.StringComparison.OrdinalIgnoreCase) ? 0 : EditDistance(member, name, best);
            if (distance <= best && (nearest is null || distance < best || string.CompareOrdinal(member, nearest) < 0))
            {
                nearest = member;
                best = distance;
            }
        }

        string notFound = $"was not found in '{_method.ContainingType.Name}'";
        return nearest is null ? notFound : $"{notFound} (did you mean '{nearest}'?)";

        bool MethodsNamedAny(string member)
        {
            foreach (ISymbol symbol in _method.ContainingType.GetMembers(member))
            {
                if (symbol is IMethodSymbol { MethodKind: MethodKind.Ordinary })
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The edit distance between <paramref name="a"/> and <paramref name="b"/>, or more than <paramref name="limit"/> once it is clearly beyond.</summary>
    private static int EditDistance(string a, string b, int limit)
    {
        if (System.Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMinimum = current[0];
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = System.Math.Min(substitution, System.Math.Min(previous[j], current[j - 1]) + 1);
                rowMinimum = System.Math.Min(rowMinimum, current[j]);
            }

            if (rowMinimum > limit)
            {
                return limit + 1;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The signature <c>{Name}Core</c> must have, as a message shows it.</summary>
    public string ExpectedCoreSignature() => ExpectedSignature(CoreName, _method.ReturnType, withException: false);

    /// <summary>
    /// The method named <paramref name="name"/> that can answer as the fallback, and how its result is turned
    /// into the method's; null with <paramref name="problem"/> (why, and what is expected) when none can.
    /// </summary>
    public IMethodSymbol? FindFallback(string name, ReturnKind returnKind, out FallbackReturn fallbackReturn, out FailureParameter failure, out (string Why, string Expected)? problem)
    {
        ITypeSymbol? result = returnKind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT ? ((INamedTypeSymbol)_method.ReturnType).TypeArguments[0] : null;
        IMethodSymbol[] candidates = MethodsNamed(name);
        bool obsolete = false;
        foreach (IMethodSymbol candidate in candidates)
        {
            if (Mismatch(candidate, allowsFailure: true, r => ClassifyFallback(r, returnKind, result) is not null) is null)
            {
                if (CannotBeCalled(candidate))
                {
                    obsolete = true;
                    continue;
                }

                fallbackReturn = ClassifyFallback(candidate.ReturnType, returnKind, result)!.Value;
                failure = candidate.Parameters.Length == _method.Parameters.Length ? FailureParameter.None
                    : _known.IsException(candidate.Parameters[_method.Parameters.Length].Type) ? FailureParameter.Exception
                    : FailureParameter.Outcome;
                problem = null;
                return candidate;
            }
        }

        string why = candidates.Length == 0
            ? NotFound(name)
            : obsolete ? ObsoleteAsErrorReason()
            : "has the wrong signature: it " + Mismatch(candidates[0], allowsFailure: true, r => ClassifyFallback(r, returnKind, result) is not null);
        string optional = ResultType is null
            ? "the Exception parameter is optional"
            : $"the Exception parameter is optional, or may be an Outcome<{ResultType.ToDisplayString(Names.ShortTypeFormat)}>";
        string expected = $"'{ExpectedSignature(name, result ?? _method.ReturnType, withException: true)}'"
            + (result is not null ? $" (or returning '{_method.ReturnType.ToDisplayString(Names.ShortTypeFormat)}'; {optional})" : $" ({optional})");
        fallbackReturn = default;
        failure = default;
        problem = (why, expected);
        return null;
    }

    /// <summary>
    /// Why no method named <paramref name="name"/> can judge the method's results, <c>bool M(T result)</c> (static
    /// when the method is); null when one can.
    /// </summary>
    public string? ResultJudgeMismatch(string name)
    {
        if (ResultType is null)
        {
            return "cannot judge a result: the method returns none";
        }

        IMethodSymbol[] candidates = MethodsNamed(name);
        if (candidates.Length == 0)
        {
            return NotFound(name);
        }

        bool allInstance = true;
        foreach (IMethodSymbol candidate in candidates)
        {
            allInstance &= !candidate.IsStatic;
            if (!candidate.IsGenericMethod
                && candidate.ReturnType.SpecialType == SpecialType.System_Boolean
                && candidate.Parameters.Length == 1
                && candidate.Parameters[0].RefKind is RefKind.None or RefKind.In
                && Accepts(candidate.Parameters[0].Type, ResultType)
                && (candidate.IsStatic || !_method.IsStatic))
            {
                return CannotBeCalled(candidate) ? ObsoleteAsErrorReason() : null;
            }
        }

        return "has the wrong signature" + (_method.IsStatic && allInstance ? " (it must be static, as the method is)" : string.Empty);
    }

    /// <summary>The signature a result judge must have, as a message shows it: <c>bool IsFailure(HttpResponseMessage result)</c>.</summary>
    public string ExpectedResultJudge(string name)
        => (_method.IsStatic ? "static " : string.Empty) + $"bool {name}({ResultType?.ToDisplayString(Names.ShortTypeFormat) ?? "T"} result)";

    /// <summary>True when <paramref name="type"/> is <c>Outcome&lt;T&gt;</c> of the method's result type.</summary>
    public bool IsOutcomeOfResult(ITypeSymbol type)
        => ResultType is not null && _known.OutcomeOfT.IsDefinitionOf(type) && Accepts(((INamedTypeSymbol)type).TypeArguments[0], ResultType) && Accepts(ResultType, ((INamedTypeSymbol)type).TypeArguments[0]);

    /// <summary>
    /// Why no method named <paramref name="name"/> fits a hook whose return <paramref name="returnType"/> accepts, taking
    /// parameters that <paramref name="parameterTypes"/> accept, by value (static when the method is); null when one does,
    /// and it is <paramref name="match"/>.
    /// </summary>
    public string? HookMismatch(string name, System.Func<CompanionMethods, ITypeSymbol, bool> returnType, System.Func<CompanionMethods, ITypeSymbol, bool>[] parameterTypes, out IMethodSymbol? match)
    {
        match = null;
        IMethodSymbol[] candidates = MethodsNamed(name);
        if (candidates.Length == 0)
        {
            return NotFound(name);
        }

        bool allInstance = true;
        foreach (IMethodSymbol candidate in candidates)
        {
            allInstance &= !candidate.IsStatic;
            if (!candidate.IsGenericMethod
                && returnType(this, candidate.ReturnType)
                && ParametersAre(candidate, parameterTypes)
                && (candidate.IsStatic || !_method.IsStatic))
            {
                if (CannotBeCalled(candidate))
                {
                    return ObsoleteAsErrorReason();
                }

                match = candidate;
                return null;
            }
        }

        return "has the wrong signature" + (_method.IsStatic && allInstance ? " (it must be static, as the method is)" : string.Empty);
    }

    /// <summary>The types the generator and the analyzers know, of the method's compilation.</summary>
    public KnownTypeSymbols Known => _known;

    /// <summary>The method's signature under another name and return type, as a message shows it.</summary>
    public string ExpectedSignature(string name, ITypeSymbol returnType, bool withException)
    {
        var parameters = new List<string>(_method.Parameters.Length + 1);
        foreach (IParameterSymbol parameter in _method.Parameters)
        {
            parameters.Add(RefKinds.Declaration(parameter.RefKind) + parameter.Type.ToDisplayString(Names.ShortTypeFormat) + " " + parameter.Name);
        }

        if (withException)
        {
            parameters.Add("Exception error");
        }

        string typeParameters = string.Empty;
        if (_method.TypeParameters.Length > 0)
        {
            var typeParameterNames = new List<string>(_method.TypeParameters.Length);
            foreach (ITypeParameterSymbol typeParameter in _method.TypeParameters)
            {
                typeParameterNames.Add(typeParameter.Name);
            }

            typeParameters = "<" + string.Join(", ", typeParameterNames) + ">";
        }

        return $"{(_method.IsStatic ? "static " : string.Empty)}{returnType.ToDisplayString(Names.ShortTypeFormat)} {name}{typeParameters}({string.Join(", ", parameters)})";
    }

    /// <summary>
    /// True when a value of <paramref name="candidate"/> (a type in the signature of {Name}Core or of the
    /// fallback) passes to or from <paramref name="expected"/> (the resilient method's) without a conversion or a
    /// nullable warning. The candidate's method type parameters stand for the method's, by position; an
    /// oblivious type (nullable annotations off) is taken as not annotated.
    /// </summary>
    public static bool TypesMatch(ITypeSymbol expected, ITypeSymbol candidate)
    {
        // An annotation tells apart 'string?' and 'string'; a type in a context where nullable annotations are off
        // (oblivious) agrees with either, as the compiler has it.
        if (expected.NullableAnnotation != NullableAnnotation.None && candidate.NullableAnnotation != NullableAnnotation.None
            && IsAnnotated(expected) != IsAnnotated(candidate))
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

    /// <summary>
    /// True when a value of type <paramref name="argument"/> passes to a parameter of type <paramref name="parameter"/>
    /// without a conversion or a nullable warning: the same type, where only a parameter may be annotated when the
    /// value is not.
    /// </summary>
    private static bool Accepts(ITypeSymbol parameter, ITypeSymbol argument)
        => SymbolEqualityComparer.Default.Equals(parameter, argument)
            && !(argument.NullableAnnotation == NullableAnnotation.Annotated && parameter.NullableAnnotation == NullableAnnotation.NotAnnotated);

    private string? CoreMismatch(IMethodSymbol candidate)
        => Mismatch(candidate, allowsFailure: false, r => TypesMatch(_method.ReturnType, r))
            ?? ConstraintMismatch(candidate)
            ?? (candidate.IsAsync && candidate.ReturnsVoid ? "is 'async void', whose failures no policy can see (make both return Task)" : null)
            ?? (CannotBeCalled(candidate) ? ObsoleteAsErrorReason() : null);

    /// <summary>
    /// True when the generated code could not call <paramref name="candidate"/>: it is <c>[Obsolete]</c> as an error and
    /// the method is not in an obsolete context (where the compiler reports no use of an obsolete member).
    /// </summary>
    private bool CannotBeCalled(IMethodSymbol candidate) => IsObsoleteAsError(candidate) && !InObsoleteContext(_method);

    private string ObsoleteAsErrorReason()
        => $"is [Obsolete] as an error, which the generated call to it cannot compile past (remove the error, or mark '{_method.Name}' [Obsolete] too)";

    /// <summary>True when <paramref name="symbol"/> is marked <c>[Obsolete(message, true)]</c>: a use of it is an error.</summary>
    private bool IsObsoleteAsError(ISymbol symbol)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (_known.ObsoleteAttribute.Is(attribute.AttributeClass)
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[1].Value is true)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="symbol"/> or a type containing it is marked <c>[Obsolete]</c>: the compiler reports no
    /// use of an obsolete member there, an error or not.
    /// </summary>
    private bool InObsoleteContext(ISymbol symbol)
    {
        for (ISymbol? current = symbol; current is not null; current = current.ContainingType)
        {
            foreach (AttributeData attribute in current.GetAttributes())
            {
                if (_known.ObsoleteAttribute.Is(attribute.AttributeClass))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Why <paramref name="candidate"/>'s type parameters ask more than the method's, which the generated call could
    /// then not satisfy; null when each of its constraints is one the method has too.
    /// </summary>
    private string? ConstraintMismatch(IMethodSymbol candidate)
    {
        for (int i = 0; i < candidate.TypeParameters.Length && i < _method.TypeParameters.Length; i++)
        {
            ITypeParameterSymbol mine = _method.TypeParameters[i], theirs = candidate.TypeParameters[i];
            string? missing =
                theirs.HasReferenceTypeConstraint && !mine.HasReferenceTypeConstraint ? "class"
                // Before "struct", which an unmanaged type parameter also has: the message names what the code says.
                : theirs.HasUnmanagedTypeConstraint && !mine.HasUnmanagedTypeConstraint ? "unmanaged"
                : theirs.HasValueTypeConstraint && !mine.HasValueTypeConstraint ? "struct"
                : theirs.HasNotNullConstraint && !(mine.HasNotNullConstraint || mine.HasValueTypeConstraint || (mine.HasReferenceTypeConstraint && mine.ReferenceTypeConstraintNullableAnnotation != NullableAnnotation.Annotated)) ? "notnull"
                : theirs.HasConstructorConstraint && !(mine.HasConstructorConstraint || mine.HasValueTypeConstraint) ? "new()"
                : null;
            if (missing is null)
            {
                foreach (ITypeSymbol constraint in theirs.ConstraintTypes)
                {
                    bool found = false;
                    foreach (ITypeSymbol own in mine.ConstraintTypes)
                    {
                        found |= TypesMatch(own, constraint);
                    }

                    if (!found)
                    {
                        missing = constraint.ToDisplayString(Names.ShortTypeFormat);
                        break;
                    }
                }
            }

            if (missing is not null)
            {
                return $"constrains '{theirs.Name}' to '{missing}', which '{_method.Name}' does not";
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="candidate"/> cannot stand for the method's parameters and return; null when it can.
    /// <paramref name="allowsFailure"/>: true lets one more parameter follow, an Exception or an Outcome of the result.
    /// </summary>
    private string? Mismatch(IMethodSymbol candidate, bool allowsFailure, System.Func<ITypeSymbol, bool> returnMatches)
    {
        if (candidate.TypeParameters.Length != _method.TypeParameters.Length)
        {
            return $"has {candidate.TypeParameters.Length} type parameter(s), not {_method.TypeParameters.Length}";
        }

        int count = _method.Parameters.Length;
        bool hasExtra = candidate.Parameters.Length == count + 1;
        if (candidate.Parameters.Length != count && !(allowsFailure && hasExtra))
        {
            return $"takes {candidate.Parameters.Length} parameter(s), not {count}";
        }

        for (int i = 0; i < count; i++)
        {
            IParameterSymbol expected = _method.Parameters[i];
            IParameterSymbol actual = candidate.Parameters[i];
            if (!TypesMatch(expected.Type, actual.Type))
            {
                return $"takes '{actual.Type.ToDisplayString(Names.ShortTypeFormat)}' as parameter {i + 1}, not '{expected.Type.ToDisplayString(Names.ShortTypeFormat)}'";
            }

            if (!RefKinds.PassAlike(expected.RefKind, actual.RefKind))
            {
                return $"passes parameter {i + 1} ('{actual.Name}') differently ({RefKinds.Describe(actual.RefKind)} instead of {RefKinds.Describe(expected.RefKind)})";
            }
        }

        if (hasExtra && allowsFailure && !_known.IsException(candidate.Parameters[count].Type) && !IsOutcomeOfResult(candidate.Parameters[count].Type))
        {
            string allowed = ResultType is null ? "an Exception" : $"an Exception or an Outcome<{ResultType.ToDisplayString(Names.ShortTypeFormat)}>";
            return $"takes '{candidate.Parameters[count].Type.ToDisplayString(Names.ShortTypeFormat)}' as its last parameter, where only {allowed} may follow the method's parameters";
        }

        if (!returnMatches(candidate.ReturnType))
        {
            return $"returns '{candidate.ReturnType.ToDisplayString(Names.ShortTypeFormat)}'";
        }

        if (_method.IsStatic && !candidate.IsStatic)
        {
            // The message goes on with what to do ("change it to match", "declare it as 'static ...'").
            return $"is an instance method, but '{_method.Name}' is static";
        }

        return null;
    }

    /// <summary>How a fallback returning <paramref name="candidate"/> answers for the method; null when it cannot.</summary>
    /// <param name="result">T of the method's Task&lt;T&gt; or ValueTask&lt;T&gt;; null otherwise.</param>
    private FallbackReturn? ClassifyFallback(ITypeSymbol candidate, ReturnKind returnKind, ITypeSymbol? result)
    {
        switch (returnKind)
        {
            case ReturnKind.Void:
                return candidate.SpecialType == SpecialType.System_Void ? FallbackReturn.Direct : null;
            case ReturnKind.Value:
                return TypesMatch(candidate, _method.ReturnType) ? FallbackReturn.Direct : null;
            case ReturnKind.Task or ReturnKind.ValueTask:
                return candidate.SpecialType == SpecialType.System_Void ? FallbackReturn.Direct
                    : _known.Task.Is(candidate) || _known.ValueTask.Is(candidate) ? FallbackReturn.Awaitable
                    : null;
            default:
                if (TypesMatch(candidate, result!))
                {
                    return FallbackReturn.Direct;
                }

                return (_known.TaskOfT.IsDefinitionOf(candidate) || _known.ValueTaskOfT.IsDefinitionOf(candidate))
                    && TypesMatch(((INamedTypeSymbol)candidate).TypeArguments[0], result!)
                    ? FallbackReturn.Awaitable
                    : null;
        }
    }

    private bool ParametersAre(IMethodSymbol candidate, System.Func<CompanionMethods, ITypeSymbol, bool>[] types)
    {
        if (candidate.Parameters.Length != types.Length)
        {
            return false;
        }

        for (int i = 0; i < types.Length; i++)
        {
            IParameterSymbol parameter = candidate.Parameters[i];
            if (parameter.RefKind != RefKind.None || !types[i](this, parameter.Type))
            {
                return false;
            }
        }

        return true;
    }
}
