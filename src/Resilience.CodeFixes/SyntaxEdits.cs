using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.CodeFixes;

/// <summary>Small syntax edits that keep the layout of the code around them.</summary>
internal static class SyntaxEdits
{
    /// <summary>
    /// Removes <paramref name="attribute"/> from <paramref name="method"/>: from its list, or with its list when it is
    /// alone there, handing the list's leading trivia (documentation comments, indentation) to what follows.
    /// </summary>
    public static MethodDeclarationSyntax RemoveAttribute(MethodDeclarationSyntax method, AttributeSyntax attribute)
    {
        var list = (AttributeListSyntax)attribute.Parent!;
        if (list.Attributes.Count > 1)
        {
            return method.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(attribute)));
        }

        SyntaxTriviaList leading = list.GetLeadingTrivia();
        if (list.GetTrailingTrivia().Any(SyntaxKind.EndOfLineTrivia))
        {
            // What follows is on the next line and has its own indentation: keep only what stands above the list.
            leading = TrimEndWhitespace(leading);
        }

        int index = method.AttributeLists.IndexOf(list);
        MethodDeclarationSyntax without = method.WithAttributeLists(method.AttributeLists.RemoveAt(index));
        SyntaxToken next = index < without.AttributeLists.Count ? without.AttributeLists[index].GetFirstToken() : FirstTokenAfterAttributes(without);
        return without.ReplaceToken(next, next.WithLeadingTrivia(leading.AddRange(next.LeadingTrivia)));
    }

    /// <summary>Adds <paramref name="added"/> as a list of its own right after the list of <paramref name="after"/>, laid out like it.</summary>
    public static MethodDeclarationSyntax AddAttributeAfter(MethodDeclarationSyntax method, AttributeSyntax after, AttributeSyntax added)
    {
        var list = (AttributeListSyntax)after.Parent!;
        bool ownLine = list.GetTrailingTrivia().Any(SyntaxKind.EndOfLineTrivia);
        SyntaxTriviaList indentation = ownLine ? Indentation(method.AttributeLists[0].GetLeadingTrivia()) : default;
        SyntaxTriviaList trailing = ownLine ? list.GetTrailingTrivia() : SyntaxFactory.TriviaList(SyntaxFactory.Space);
        // Tokens without elastic trivia: the layout is decided here, and no formatter run touches the lines around.
        AttributeListSyntax newList = SyntaxFactory.AttributeList(
            SyntaxFactory.Token(indentation, SyntaxKind.OpenBracketToken, default),
            target: null,
            SyntaxFactory.SingletonSeparatedList(added),
            SyntaxFactory.Token(default, SyntaxKind.CloseBracketToken, trailing));
        return method.WithAttributeLists(method.AttributeLists.Insert(method.AttributeLists.IndexOf(list) + 1, newList));
    }

    /// <summary>The name of another attribute written the way <paramref name="like"/> is: <c>Resilience.Retry</c> gives <c>Resilience.Idempotent</c>.</summary>
    public static NameSyntax SiblingAttributeName(NameSyntax like, string shortName)
    {
        SimpleNameSyntax right = like switch
        {
            QualifiedNameSyntax qualified => qualified.Right,
            AliasQualifiedNameSyntax alias => alias.Name,
            _ => (SimpleNameSyntax)like,
        };
        string name = right.Identifier.ValueText.EndsWith("Attribute", System.StringComparison.Ordinal) ? shortName + "Attribute" : shortName;
        return like.ReplaceNode(right, SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(right.GetLeadingTrivia(), name, right.GetTrailingTrivia())));
    }

    /// <summary>The whitespace after the last line break of <paramref name="trivia"/>: a line's indentation.</summary>
    public static SyntaxTriviaList Indentation(SyntaxTriviaList trivia)
    {
        int start = trivia.Count;
        while (start > 0 && trivia[start - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            start--;
        }

        return SyntaxFactory.TriviaList(trivia.Skip(start));
    }

    private static SyntaxTriviaList TrimEndWhitespace(SyntaxTriviaList trivia)
    {
        int end = trivia.Count;
        while (end > 0 && trivia[end - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            end--;
        }

        return SyntaxFactory.TriviaList(trivia.Take(end));
    }

    private static SyntaxToken FirstTokenAfterAttributes(MethodDeclarationSyntax method)
        => method.Modifiers.Count > 0 ? method.Modifiers[0] : method.ReturnType.GetFirstToken();
}
