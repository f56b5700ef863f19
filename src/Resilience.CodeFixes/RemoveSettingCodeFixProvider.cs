using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Analyzers;
using Resilience.Generators;

namespace Resilience.CodeFixes;

/// <summary>
/// RES0103 and RES0106: removes the attribute argument, or the entry of a <c>Handle</c> list, that the diagnostic
/// is on. The analyzer offers it only where removing cannot change what else is handled (an emptied Handle would
/// mean "every exception").
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveSettingCodeFixProvider)), Shared]
public sealed class RemoveSettingCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of the fix, per diagnostic id: <c>RES0103.Remove</c>.</summary>
    public const string KeySuffix = ".Remove";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.RetryOfPermanentFailure.Id, DiagnosticDescriptors.IneffectiveSetting.Id);

    /// <summary>Removes every flagged argument and entry of a document at once: removals in one list would overlap as separate text changes.</summary>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(async (fixAll, document, diagnostics) =>
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(fixAll.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        SyntaxNode[] targets = diagnostics.Select(d => Target(root, d)).OfType<SyntaxNode>().Distinct().ToArray();
        root = root.TrackNodes(targets);
        foreach (SyntaxNode target in targets)
        {
            if (root.GetCurrentNode(target) is { } current)
            {
                root = Remove(root, current);
            }
        }

        return document.WithSyntaxRoot(root);
    });

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root is null || Target(root, diagnostic) is not { } target)
            {
                continue;
            }

            string title = target is AttributeArgumentSyntax ? $"Remove '{target}'" : $"Remove '{target}' from Handle";
            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(document.WithSyntaxRoot(Remove(root, target))), diagnostic.Id + KeySuffix),
                diagnostic);
        }
    }

    /// <summary>The argument or entry the diagnostic offers to remove; null when it offers nothing.</summary>
    private static SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(Fixes.Property, out string? fix))
        {
            return null;
        }

        SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        return fix switch
        {
            Fixes.RemoveArgument => node.FirstAncestorOrSelf<AttributeArgumentSyntax>(),
            Fixes.RemoveEntry => node.FirstAncestorOrSelf<ExpressionSyntax>(e => e.Parent is InitializerExpressionSyntax or ExpressionElementSyntax),
            _ => null,
        };
    }

    private static SyntaxNode Remove(SyntaxNode root, SyntaxNode target) => target switch
    {
        AttributeArgumentSyntax argument => RemoveArgument(root, argument),
        ExpressionSyntax entry => RemoveEntry(root, entry),
        _ => root,
    };

    /// <summary>Removes the argument; an argument list left empty goes too, so <c>[Bulkhead(MaxWaitMs = 5)]</c> is not left <c>[Bulkhead()]</c>.</summary>
    private static SyntaxNode RemoveArgument(SyntaxNode root, AttributeArgumentSyntax argument)
    {
        var list = (AttributeArgumentListSyntax)argument.Parent!;
        if (list.Arguments.Count == 1)
        {
            var attribute = (AttributeSyntax)list.Parent!;
            return root.ReplaceNode(attribute, attribute.WithArgumentList(null));
        }

        return root.ReplaceNode(list, list.WithArguments(RemoveFrom(list.Arguments, argument)));
    }

    private static SyntaxNode RemoveEntry(SyntaxNode root, ExpressionSyntax entry) => entry.Parent switch
    {
        InitializerExpressionSyntax initializer => root.ReplaceNode(initializer, initializer.WithExpressions(RemoveFrom(initializer.Expressions, entry))),
        ExpressionElementSyntax { Parent: CollectionExpressionSyntax collection } element => root.ReplaceNode(collection, collection.WithElements(RemoveFrom(collection.Elements, (CollectionElementSyntax)element))),
        _ => root,
    };

    /// <summary>
    /// Removes <paramref name="node"/> with its comma; an item that moves to the front takes its leading trivia, one
    /// that becomes last its trailing trivia (the space before a closing brace).
    /// </summary>
    private static SeparatedSyntaxList<T> RemoveFrom<T>(SeparatedSyntaxList<T> list, T node)
        where T : SyntaxNode
    {
        int index = list.IndexOf(node);
        bool wasLast = index == list.Count - 1;
        list = list.RemoveAt(index);
        if (list.Count == 0)
        {
            return list;
        }

        if (index == 0)
        {
            list = list.Replace(list[0], list[0].WithLeadingTrivia(node.GetLeadingTrivia()));
        }

        if (wasLast)
        {
            list = list.Replace(list[list.Count - 1], list[list.Count - 1].WithTrailingTrivia(node.GetTrailingTrivia()));
        }

        return list;
    }
}
