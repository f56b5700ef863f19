using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generators;

namespace Resilience.Benchmarks;

/// <summary>The generator on a compilation with 1 000 annotated methods: a full run, and a re-run after an unrelated edit.</summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const int Methods = 1_000;
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
            .Append(typeof(ResilienceRegistry).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var options = new CSharpParseOptions(LanguageVersion.CSharp12);
        // Ten methods a class, each with two or three attributes, over a hundred files.
        IEnumerable<SyntaxTree> trees = Enumerable.Range(0, Methods / 10).Select(c =>
        {
            var text = new StringBuilder("using System.Threading; using System.Threading.Tasks; using Resilience;\nnamespace Bench;\n");
            text.Append($"public partial class Client{c}\n{{\n");
            for (int m = 0; m < 10; m++)
            {
                text.Append($"    [Retry({2 + (m % 3)})] [CircuitBreaker(5, Name = \"b{c}\")] [Timeout({100 * (m + 1)})]\n");
                text.Append($"    public partial Task<int> Get{m}Async(string id, CancellationToken ct);\n");
                text.Append($"    private Task<int> Get{m}AsyncCore(string id, CancellationToken ct) => Task.FromResult({m});\n");
            }

            text.Append("}\n");
            return CSharpSyntaxTree.ParseText(text.ToString(), options, path: $"Client{c}.cs");
        });
        _compilation = CSharpCompilation.Create("Bench", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _edited = _compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Bench; public class Unrelated { public int Value => 1; }", options));
        _warm = CreateDriver().RunGenerators(_compilation);
    }

    [Benchmark]
    public GeneratorDriver FullRun() => CreateDriver().RunGenerators(_compilation);

    [Benchmark]
    public GeneratorDriver UnrelatedEdit() => _warm.RunGenerators(_edited);

    private static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(new[] { new ResilienceGenerator().AsSourceGenerator() }, parseOptions: new CSharpParseOptions(LanguageVersion.CSharp12));
}
