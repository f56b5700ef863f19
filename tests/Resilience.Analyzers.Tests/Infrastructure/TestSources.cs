using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Resilience.Analyzers.Tests.Infrastructure;

/// <summary>What every test compilation gets: the usings of a typical file, and references read from disk.</summary>
internal static class TestSources
{
    /// <summary>CS8795, "partial method must have an implementation part": the generator's part, which does not run in these tests.</summary>
    public const string MissingImplementation = "CS8795";

    /// <summary>Prepended to every test source (and fixed source), so the tests show only what matters.</summary>
    public const string Usings = """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;


        """;

    /// <summary>The source with <see cref="Usings"/> added, after its header comment if it has one (<c>// &lt;auto-generated/&gt;</c>).</summary>
    public static string WithUsings(string source)
    {
        int start = 0;
        while (source.AsSpan(start).StartsWith("//"))
        {
            start = source.IndexOf('\n', start) + 1;
        }

        return source.Substring(0, start) + Usings + source.Substring(start);
    }

    /// <summary>No reference package to download: the references below are on disk, so no test needs the network.</summary>
    public static ReferenceAssemblies ReferenceAssemblies { get; } = new("net8.0");

    /// <summary>The .NET 8 reference assemblies and the Resilience runtime, whose attributes the sources use.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = Basic.Reference.Assemblies.Net80.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(RetryAttribute).Assembly.Location))
        .ToImmutableArray();

    /// <summary>The .NET 9 reference assemblies and the Resilience runtime.</summary>
    public static ImmutableArray<MetadataReference> Net90References { get; } = Basic.Reference.Assemblies.Net90.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(RetryAttribute).Assembly.Location))
        .ToImmutableArray();
}
