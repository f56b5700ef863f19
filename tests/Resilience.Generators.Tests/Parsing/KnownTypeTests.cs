using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Parsing;

/// <summary>A known type is every definition of its metadata name, so that two references defining it (a polyfill beside the real one) do not hide it.</summary>
public sealed class KnownTypeTests
{
    [Fact]
    public void A_type_defined_by_two_references_is_known_by_either_definition()
    {
        MetadataReference first = Library("First", "namespace System.Collections.Generic { internal interface IAsyncEnumerable<out T> { } }");
        MetadataReference second = Library("Second", "namespace System.Collections.Generic { public interface IAsyncEnumerable<out T> { } }");
        CSharpCompilation compilation = GeneratorHarness.Compilation().WithReferences(GeneratorHarness.References.Add(first).Add(second));

        var known = new KnownType(compilation, "System.Collections.Generic.IAsyncEnumerable`1");

        Assert.True(known.Exists);
        INamedTypeSymbol[] definitions = compilation.GetTypesByMetadataName("System.Collections.Generic.IAsyncEnumerable`1").ToArray();
        Assert.True(definitions.Length >= 2);
        Assert.All(definitions, d => Assert.True(known.Is(d)));
        Assert.All(definitions, d => Assert.True(known.IsDefinitionOf(d.Construct(compilation.GetSpecialType(SpecialType.System_Int32)))));
    }

    [Fact]
    public void A_type_of_the_same_name_nested_elsewhere_is_not_the_known_type()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation("namespace System.Threading.Tasks { public class Outer { public class Task { } } }");

        var task = new KnownType(compilation, "System.Threading.Tasks.Task");
        INamedTypeSymbol lookalike = compilation.GetTypeByMetadataName("System.Threading.Tasks.Outer+Task")!;

        Assert.False(task.Is(lookalike));
        Assert.True(task.Is(compilation.GetTypeByMetadataName("System.Threading.Tasks.Task")));
    }

    private static MetadataReference Library(string name, string source)
    {
        CSharpCompilation library = CSharpCompilation.Create(
            name,
            new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions) },
            GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return library.ToMetadataReference();
    }
}
