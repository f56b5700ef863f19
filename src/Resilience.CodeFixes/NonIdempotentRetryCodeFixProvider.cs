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
/// RES0100: marks the method [Idempotent], or removes its [Retry]. When [Retry] was its only policy, the method
/// would be left a partial declaration that nothing implements, so it becomes a plain method calling <c>{Name}Core</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NonIdempotentRetryCodeFixProvider)), Shared]
public sealed class NonIdempotentRetryCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "add [Idempotent]".</summary>
    public const string AddIdempotentKey = "RES0100.AddIdempotent";

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
