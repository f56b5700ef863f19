using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Generators;

namespace Resilience.Docs.Tests;

/// <summary>
/// Every fenced <c>csharp</c> block of README.md and the pages of docs/ compiles as pasted: alone, as one file of a new project,
/// with the generator running. A block of top-level statements is the <c>Program.cs</c> of an ASP.NET Core project
/// (the Web SDK's implicit usings); any other block is a file of a class library (the SDK's implicit usings). Every
/// other <c>using</c> a block needs is in the block. A block whose first line is <c>// (continues the block above)</c>
/// is compiled with the one before it (as another file of the same project), as a reader builds them up. A block fenced <c>```csharp generated</c> quotes the generator's
/// output (which the snapshot tests check) and is not compiled.
/// </summary>
public sealed partial class SnippetTests
{
    /// <summary>
    /// The documents whose snippets are compiled: the README and every page of docs/. The pages of docs/diagnostics show
    /// code that triggers each diagnostic, some of it an error by design, and are not among them.
    /// </summary>
    public static IReadOnlyList<string> Documents
        => Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.TopDirectoryOnly)
            .Select(path => Path.GetRelativePath(Repository.Root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Prepend("README.md")
            .Order(StringComparer.Ordinal)
            .ToArray();

    private const string ContinuationMark = "// (continues the block above)";

    private static readonly string[] s_libraryUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] s_webUsings =
    [
        .. s_libraryUsings, "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (string document in Documents)
        {
            for (int i = 0; i < Extract(document).Count; i++)
            {
                data.Add(document, i + 1);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void The_snippet_compiles_as_pasted(string document, int number)
    {
        IReadOnlyList<(int Line, string Code)> blocks = Extract(document);
        (int line, string code) = blocks[number - 1];
        var files = new List<string> { code };
        for (int previous = number - 2; previous >= 0 && files[0].StartsWith(ContinuationMark, StringComparison.Ordinal); previous--)
        {
            files.Insert(0, blocks[previous].Code);
        }

        string[] errors = Compile([.. files]);

        Assert.True(errors.Length == 0, $"The csharp block {number} of {document} (line {line}) does not compile:\n{string.Join("\n", errors)}\n\n{code}");
    }

    [Fact]
    public void The_documents_are_found_and_have_snippets()
    {
        Assert.Contains("README.md", Documents);
        Assert.Contains("docs/operations.md", Documents);
        Assert.True(Documents.Sum(d => Extract(d).Count) >= 30, "Fewer csharp blocks than the documentation has were found.");
    }

    [Fact]
    public void A_snippet_that_does_not_compile_is_reported()
    {
        Assert.NotEmpty(Compile("public sealed partial class Client { [Retry(3)] public partial int Get(); }"));
        Assert.NotEmpty(Compile("using Resilience;\npublic sealed partial class Client { [Retry(3)] public partial int Get(); }"));
        Assert.Empty(Compile("using Resilience;\npublic sealed partial class Client { [Retry(3)] public partial int Get(); private int GetCore() => 1; }"));
    }

    /// <summary>The compiler's and the generator's errors for <paramref name="code"/>, compiled as described on the class.</summary>
    private static string[] Compile(params string[] code)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);
        SyntaxTree[] snippets = code.Select((c, i) => CSharpSyntaxTree.ParseText(c, parseOptions, path: $"Snippet{i + 1}.cs")).ToArray();
        bool program = snippets.Any(s => s.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any());
        string usings = string.Concat((program ? s_webUsings : s_libraryUsings).Select(u => $"global using global::{u};\n"));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Snippet_" + Guid.NewGuid().ToString("N"),
            [.. snippets, CSharpSyntaxTree.ParseText(usings, parseOptions, path: "ImplicitUsings.cs")],
            s_references.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        CSharpGeneratorDriver.Create([new ResilienceGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToArray();
    }

    /// <summary>The fenced csharp blocks of <paramref name="document"/>, with the line each starts on.</summary>
    private static IReadOnlyList<(int Line, string Code)> Extract(string document)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Repository.Root, document));
        var blocks = new List<(int, string)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            int start = i + 1;
            int end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            blocks.Add((start, string.Join("\n", lines[start..end])));
            i = end;
        }

        return blocks;
    }
}

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generators.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Resilience.Generators.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    });

    public static string Root => s_root.Value;
}
