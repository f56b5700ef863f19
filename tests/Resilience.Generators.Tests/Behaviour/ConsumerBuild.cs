using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Builds a consumer assembly in memory, as a user's project would be built: the source, the real generator, the
/// runtime assembly this test process has loaded, and the chosen optimisation level; then loads it so its code can
/// be run. For what the test project itself cannot compile (a generator error fails its build) or compiles only
/// one way (the test project is built in Debug, a consumer ships in Release).
/// </summary>
internal static class ConsumerBuild
{
    /// <summary>Runs the generator on <paramref name="source"/> and compiles the result, every warning wave on; fails the test on any error or warning.</summary>
    public static Assembly Build(string source, OptimizationLevel optimization)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Consumer_" + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(source, parseOptions, path: "Consumer.cs") },
            Infrastructure.GeneratorHarness.References,
            Infrastructure.GeneratorHarness.CompilationOptions.WithOptimizationLevel(optimization).WithAllowUnsafe(true));

        CSharpGeneratorDriver.Create(new[] { new ResilienceGenerator().AsSourceGenerator() }, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        string[] generatorErrors = generatorDiagnostics.Select(d => d.ToString()).ToArray();
        Assert.True(generatorErrors.Length == 0, "The generator reported:\n" + string.Join("\n", generatorErrors));

        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        string[] compilerErrors = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToArray();
        Assert.True(compilerErrors.Length == 0 && emitted.Success, "The compiler reported:\n" + string.Join("\n", compilerErrors));

        image.Position = 0;
        return new AssemblyLoadContext(output.AssemblyName, isCollectible: true).LoadFromStream(image);
    }

    /// <summary>Calls the public static method <paramref name="type"/>.<paramref name="method"/> of the consumer.</summary>
    public static object? Call(Assembly assembly, string type, string method, params object?[] arguments)
        => assembly.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);
}
