using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using Resilience.Generators;

namespace Resilience.CodeFixes;

/// <summary>
/// RES0101 and RES0107: adds <c>CancellationToken cancellationToken = default</c> to the resilient method's declaration and to
/// its <c>{Name}Core</c>, at the same place (before a <c>params</c> parameter, else last), so that the signatures
/// still match and existing callers still compile.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddCancellationTokenCodeFixProvider)), Shared]
public sealed class AddCancellationTokenCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string Key = "RES0101.AddCancellationToken";

    private const string ParameterName = "cancellationToken";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.TimeoutWithoutCancellationToken.Id, DiagnosticDescriptors.HedgingWithoutCancellationToken.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
            {
                continue;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Add a CancellationToken parameter to '{method.Identifier.ValueText}' and '{method.Identifier.ValueText}Core'",
                    token => AddParameterAsync(document, method, token),
                    Key),
                diagnostic);
        }
    }

    private static async Task<Solution> AddParameterAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var symbol = model?.GetDeclaredSymbol(method, cancellationToken) as IMethodSymbol;
        MethodDeclarationSyntax? core = symbol is null || model is null ? null : FindCore(symbol, model.Compilation, cancellationToken);

        var taken = new HashSet<string>(method.ParameterList.Parameters.Select(p => p.Identifier.ValueText));
        if (core is not null)
        {
            taken.UnionWith(core.ParameterList.Parameters.Select(p => p.Identifier.ValueText));
        }

        string name = ParameterName;
        for (int i = 2; taken.Contains(name); i++)
        {
            name = ParameterName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var editor = new SolutionEditor(document.Project.Solution);
        DocumentEditor declaration = await editor.GetDocumentEditorAsync(document.Id, cancellationToken).ConfigureAwait(false);
        declaration.ReplaceNode(method, (node, _) => WithToken((MethodDeclarationSyntax)node, name));
        if (core is not null && document.Project.Solution.GetDocument(core.SyntaxTree) is { } coreDocument)
        {
            DocumentEditor implementation = await editor.GetDocumentEditorAsync(coreDocument.Id, cancellationToken).ConfigureAwait(false);
            implementation.ReplaceNode(core, (node, _) => WithToken((MethodDeclarationSyntax)node, name));
        }

        // 'using System.Threading;' where the file lacks it, then 'CancellationToken' without its namespace.
        Solution solution = editor.GetChangedSolution();
        foreach (DocumentId changed in solution.GetChanges(document.Project.Solution).GetProjectChanges().SelectMany(p => p.GetChangedDocuments()))
        {
            Document withImports = await ImportAdder.AddImportsAsync(solution.GetDocument(changed)!, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            Document simplified = await Simplifier.ReduceAsync(withImports, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
            solution = simplified.Project.Solution;
        }

        return solution;
    }

    /// <summary>The declaration of <c>{Name}Core</c>, matched as the generator matches it.</summary>
    private static MethodDeclarationSyntax? FindCore(IMethodSymbol method, Compilation compilation, CancellationToken cancellationToken)
    {
        var companions = new CompanionMethods(method, KnownTypeSymbols.For(compilation));
        foreach (IMethodSymbol candidate in companions.MethodsNamed(companions.CoreName))
        {
            if (companions.IsCore(candidate) && candidate.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration)
            {
                return declaration;
            }
        }

        return null;
    }

    /// <summary>Adds the parameter, laid out here: tokens without elastic trivia, so no formatter run touches the rest of the line.</summary>
    private static MethodDeclarationSyntax WithToken(MethodDeclarationSyntax method, string name)
    {
        bool defaultLiteral = ((CSharpParseOptions)method.SyntaxTree.Options).LanguageVersion >= LanguageVersion.CSharp7_1;
        TypeSyntax type = SyntaxFactory.ParseTypeName("global::System.Threading.CancellationToken")
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        ExpressionSyntax defaultValue = defaultLiteral
            ? SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression, SyntaxFactory.Token(default, SyntaxKind.DefaultKeyword, default))
            : SyntaxFactory.DefaultExpression(type);
        ParameterSyntax parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(default, name, default))
            .WithType(type.WithTrailingTrivia(SyntaxFactory.Space))
            .WithDefault(SyntaxFactory.EqualsValueClause(
                SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.EqualsToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                defaultValue));

        // Before a 'params' parameter, which must stay last; else last.
        SeparatedSyntaxList<ParameterSyntax> parameters = method.ParameterList.Parameters;
        var nodes = new List<ParameterSyntax>(parameters);
        var separators = new List<SyntaxToken>(parameters.GetSeparators());
        SyntaxToken comma = SyntaxFactory.Token(default, SyntaxKind.CommaToken, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        if (nodes.Count > 0 && nodes[nodes.Count - 1].Modifiers.Any(SyntaxKind.ParamsKeyword))
        {
            int index = nodes.Count - 1;
            ParameterSyntax moved = nodes[index];
            nodes[index] = moved.WithLeadingTrivia(default(SyntaxTriviaList));
            nodes.Insert(index, parameter.WithLeadingTrivia(moved.GetLeadingTrivia()));
            separators.Insert(index, comma);
        }
        else
        {
            if (nodes.Count > 0)
            {
                separators.Add(comma);
            }

            nodes.Add(parameter);
        }

        return method.WithParameterList(method.ParameterList.WithParameters(SyntaxFactory.SeparatedList(nodes, separators)));
    }
}
