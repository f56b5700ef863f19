using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Generators;

namespace Resilience.CodeFixes;

/// <summary>
/// RES0100: marks the method [Idempotent]; or adds an idempotency key ([Idempotent], and [IdempotencyKey] on a parameter
/// that names an id or a key, else on a new <c>string idempotencyKey</c> parameter added to the method and its
/// <c>{Name}Core</c> before any optional or CancellationToken parameter); or removes its [Retry]. When [Retry] was its only policy, the method
/// would be left a partial declaration that nothing implements, so it becomes a plain method calling <c>{Name}Core</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NonIdempotentRetryCodeFixProvider)), Shared]
public sealed class NonIdempotentRetryCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "add [Idempotent]".</summary>
    public const string AddIdempotentKey = "RES0100.AddIdempotent";

    /// <summary>The equivalence key of "add an idempotency key".</summary>
    public const string AddIdempotencyKeyKey = "RES0100.AddIdempotencyKey";

    /// <summary>The name of the parameter "add an idempotency key" adds when no parameter names an id or a key.</summary>
    public const string NewKeyParameter = "idempotencyKey";

    /// <summary>The equivalence key of "remove [Retry]".</summary>
    public const string RemoveRetryKey = "RES0100.RemoveRetry";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NonIdempotentRetry.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan) is not { } node
                || node.FirstAncestorOrSelf<AttributeSyntax>() is not { } retry
                || retry.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
            {
                continue;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark '{method.Identifier.ValueText}' [Idempotent]",
                    token => Replace(document, root, method, AddIdempotent(method, retry), token),
                    AddIdempotentKey),
                diagnostic);

            if (model is not null && model.GetDeclaredSymbol(method, context.CancellationToken) is IMethodSymbol declared && !HasIdempotencyKey(declared, model.Compilation))
            {
                RegisterAddKey(context, diagnostic, root, model, method, retry, declared);
            }

            // The warning is on the attribute that runs the operation again: [Retry], or [Hedging] when there is no retry.
            string removed = model?.GetSymbolInfo(retry, context.CancellationToken).Symbol?.ContainingType is { } attributeType
                && KnownTypeSymbols.For(model.Compilation).HedgingAttribute.Is(attributeType) ? "[Hedging]" : "[Retry]";
            bool onlyPolicy = model?.GetDeclaredSymbol(method, context.CancellationToken) is IMethodSymbol symbol && PolicyCount(symbol, model.Compilation) == 1;
            context.RegisterCodeFix(
                CodeAction.Create(
                    onlyPolicy ? $"Remove {removed} and call '{method.Identifier.ValueText}Core' directly" : "Remove " + removed,
                    token => Replace(document, root, method, RemoveRetry(method, retry, onlyPolicy), token),
                    RemoveRetryKey),
                diagnostic);
        }
    }

    /// <summary>Offers "add an idempotency key", on an existing parameter when one names an id or a key, else on a new one.</summary>
    private static void RegisterAddKey(CodeFixContext context, Diagnostic diagnostic, SyntaxNode root, SemanticModel model, MethodDeclarationSyntax method, AttributeSyntax retry, IMethodSymbol declared)
    {
        Document document = context.Document;
        string name = method.Identifier.ValueText;
        int existing = KeyCandidate(declared);
        if (existing >= 0)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Add an idempotency key: mark '{name}' [Idempotent] and '{declared.Parameters[existing].Name}' [IdempotencyKey]",
                    token => Replace(document, root, method, MarkKey(AddIdempotent(method, retry), existing, retry), token),
                    AddIdempotencyKeyKey),
                diagnostic);
            return;
        }

        // The new parameter goes into {Name}Core too, which must be in the same file for one edit to keep them alike.
        MethodDeclarationSyntax? core = null;
        foreach (ISymbol member in declared.ContainingType.GetMembers(name + "Core"))
        {
            if (member is IMethodSymbol { Parameters.Length: var count } && count == declared.Parameters.Length
                && member.DeclaringSyntaxReferences.Length == 1
                && member.DeclaringSyntaxReferences[0].SyntaxTree == method.SyntaxTree
                && member.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is MethodDeclarationSyntax found)
            {
                core = found;
                break;
            }
        }

        if (core is null || declared.Parameters.Any(p => p.Name == NewKeyParameter))
        {
            return;
        }

        int index = NewKeyIndex(declared, model.Compilation);
        MethodDeclarationSyntax coreDeclaration = core;
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Add an idempotency key: mark '{name}' [Idempotent] and add 'string {NewKeyParameter}' to '{name}' and '{name}Core'",
                token =>
                {
                    token.ThrowIfCancellationRequested();
                    SyntaxNode edited = root.ReplaceNodes(
                        new SyntaxNode[] { method, coreDeclaration },
                        (original, _) => original == method
                            ? WithKeyParameter(AddIdempotent(method, retry), index, KeyAttribute(retry))
                            : WithKeyParameter((MethodDeclarationSyntax)original, index, attribute: null));
                    return Task.FromResult(document.WithSyntaxRoot(edited));
                },
                AddIdempotencyKeyKey),
            diagnostic);
    }

    /// <summary>True when a parameter already carries [IdempotencyKey].</summary>
    private static bool HasIdempotencyKey(IMethodSymbol method, Compilation compilation)
    {
        KnownTypeSymbols known = KnownTypeSymbols.For(compilation);
        return method.Parameters.Any(p => p.GetAttributes().Any(a => known.IdempotencyKeyAttribute.Is(a.AttributeClass)));
    }

    /// <summary>
    /// The parameter to mark: the first string, Guid or integer whose name says it is an id or a key ("requestId",
    /// "orderKey", "id"); -1 when none does. Any other parameter may hold equal values for different requests.
    /// </summary>
    private static int KeyCandidate(IMethodSymbol method)
    {
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            IParameterSymbol parameter = method.Parameters[i];
            ITypeSymbol type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : parameter.Type;
            bool stable = type.SpecialType is SpecialType.System_String or SpecialType.System_Int32 or SpecialType.System_Int64
                || (type.Name == "Guid" && type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true });
            string parameterName = parameter.Name;
            bool named = parameterName.Equals("id", System.StringComparison.OrdinalIgnoreCase) || parameterName.Equals("key", System.StringComparison.OrdinalIgnoreCase)
                || parameterName.EndsWith("Id", System.StringComparison.Ordinal) || parameterName.EndsWith("Key", System.StringComparison.Ordinal);
            if (stable && named && parameter.RefKind == RefKind.None)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Where the new key goes: before the first optional, params or CancellationToken parameter, else last.</summary>
    private static int NewKeyIndex(IMethodSymbol method, Compilation compilation)
    {
        KnownTypeSymbols known = KnownTypeSymbols.For(compilation);
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            IParameterSymbol parameter = method.Parameters[i];
            if (parameter.IsOptional || parameter.IsParams || known.IsCancellationToken(parameter.Type))
            {
                return i;
            }
        }

        return method.Parameters.Length;
    }

    private static AttributeSyntax KeyAttribute(AttributeSyntax like)
        => SyntaxFactory.Attribute(SyntaxEdits.SiblingAttributeName(like.Name.WithoutTrivia(), "IdempotencyKey"));

    private static MethodDeclarationSyntax MarkKey(MethodDeclarationSyntax method, int index, AttributeSyntax like)
    {
        ParameterSyntax parameter = method.ParameterList.Parameters[index];
        ParameterSyntax marked = parameter
            .WithoutLeadingTrivia()
            .AddAttributeLists(SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(KeyAttribute(like))).WithTrailingTrivia(SyntaxFactory.Space))
            .WithLeadingTrivia(parameter.GetLeadingTrivia());
        return method.ReplaceNode(parameter, marked);
    }

    /// <summary>Adds <c>string idempotencyKey</c> at <paramref name="index"/>, with <paramref name="attribute"/> when given.</summary>
    private static MethodDeclarationSyntax WithKeyParameter(MethodDeclarationSyntax method, int index, AttributeSyntax? attribute)
    {
        ParameterSyntax parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(NewKeyParameter))
            .WithType(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.StringKeyword)).WithTrailingTrivia(SyntaxFactory.Space));
        if (attribute is not null)
        {
            parameter = parameter.AddAttributeLists(SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithTrailingTrivia(SyntaxFactory.Space));
        }

        SeparatedSyntaxList<ParameterSyntax> parameters = method.ParameterList.Parameters;
        if (index < parameters.Count)
        {
            // Takes the place of the parameter it goes before, whose comma the inserted one copies.
            parameters = parameters.Insert(index, parameter.WithLeadingTrivia(parameters[index].GetLeadingTrivia()));
        }
        else
        {
            parameters = parameters.Add(index == 0 ? parameter : parameter.WithLeadingTrivia(SyntaxFactory.Space));
        }

        return method.WithParameterList(method.ParameterList.WithParameters(parameters));
    }

    private static MethodDeclarationSyntax AddIdempotent(MethodDeclarationSyntax method, AttributeSyntax retry)
        => SyntaxEdits.AddAttributeAfter(method, retry, SyntaxFactory.Attribute(SyntaxEdits.SiblingAttributeName(retry.Name.WithoutTrivia(), "Idempotent")));

    private static MethodDeclarationSyntax RemoveRetry(MethodDeclarationSyntax method, AttributeSyntax retry, bool onlyPolicy)
    {
        MethodDeclarationSyntax without = SyntaxEdits.RemoveAttribute(method, retry);
        return onlyPolicy ? CallCoreDirectly(without) : without;
    }

    /// <summary><c>public partial Task&lt;T&gt; M(int a, CancellationToken ct);</c> becomes <c>public Task&lt;T&gt; M(int a, CancellationToken ct) =&gt; MCore(a, ct);</c>.</summary>
    private static MethodDeclarationSyntax CallCoreDirectly(MethodDeclarationSyntax method)
    {
        int partialIndex = method.Modifiers.IndexOf(SyntaxKind.PartialKeyword);
        if (partialIndex >= 0)
        {
            SyntaxToken partial = method.Modifiers[partialIndex];
            SyntaxTokenList modifiers = method.Modifiers.RemoveAt(partialIndex);
            method = partialIndex < modifiers.Count
                ? method.WithModifiers(modifiers.Replace(modifiers[partialIndex], modifiers[partialIndex].WithLeadingTrivia(partial.LeadingTrivia)))
                : method.WithModifiers(modifiers).WithReturnType(method.ReturnType.WithLeadingTrivia(partial.LeadingTrivia));
        }

        SimpleNameSyntax core = method.TypeParameterList is { } typeParameters
            ? SyntaxFactory.GenericName(
                SyntaxFactory.Identifier(method.Identifier.ValueText + "Core"),
                SyntaxFactory.TypeArgumentList(SyntaxFactory.SeparatedList<TypeSyntax>(typeParameters.Parameters.Select(p => SyntaxFactory.IdentifierName(p.Identifier.WithoutTrivia())))))
            : SyntaxFactory.IdentifierName(method.Identifier.ValueText + "Core");
        ArgumentListSyntax arguments = SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(method.ParameterList.Parameters.Select(Argument)));
        ArrowExpressionClauseSyntax body = SyntaxFactory.ArrowExpressionClause(SyntaxFactory.InvocationExpression(core, arguments))
            .WithArrowToken(SyntaxFactory.Token(SyntaxKind.EqualsGreaterThanToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space));

        if (method.ConstraintClauses.Count == 0)
        {
            method = method.WithParameterList(method.ParameterList.WithoutTrailingTrivia());
        }
        else
        {
            method = method.WithConstraintClauses(method.ConstraintClauses.Replace(method.ConstraintClauses.Last(), method.ConstraintClauses.Last().WithoutTrailingTrivia()));
        }

        return method.WithExpressionBody(body).WithSemicolonToken(method.SemicolonToken);

        static ArgumentSyntax Argument(ParameterSyntax parameter)
        {
            ArgumentSyntax argument = SyntaxFactory.Argument(SyntaxFactory.IdentifierName(parameter.Identifier.WithoutTrivia()));
            bool passedIn = parameter.Modifiers.Any(SyntaxKind.InKeyword)
                || (parameter.Modifiers.Any(SyntaxKind.RefKeyword) && parameter.Modifiers.Any(SyntaxKind.ReadOnlyKeyword));
            return passedIn ? argument.WithRefKindKeyword(SyntaxFactory.Token(SyntaxKind.InKeyword).WithTrailingTrivia(SyntaxFactory.Space)) : argument;
        }
    }

    /// <summary>How many policy attributes <paramref name="method"/> carries, recognised as the generator recognises them.</summary>
    private static int PolicyCount(IMethodSymbol method, Compilation compilation)
    {
        KnownTypeSymbols known = KnownTypeSymbols.For(compilation);
        int count = 0;
        foreach (AttributeData attribute in method.GetAttributes())
        {
            count += known.PolicyIndex(attribute.AttributeClass) >= 0 ? 1 : 0;
        }

        return count;
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode oldNode, SyntaxNode newNode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode)));
    }
}
