using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>The types of HTTP the analyzers look for, beside the types the generator knows (the linked KnownTypeSymbols.cs, which has HttpRequestMessage and HttpResponseMessage).</summary>
internal sealed partial class KnownTypeSymbols
{
    public INamedTypeSymbol? HttpClient { get; private set; }

    public INamedTypeSymbol? HttpMessageInvoker { get; private set; }

    public INamedTypeSymbol? HttpMethod { get; private set; }

    public INamedTypeSymbol? HttpClientJsonExtensions { get; private set; }

    partial void AddMore(Compilation compilation)
    {
        HttpClient = compilation.GetTypeByMetadataName("System.Net.Http.HttpClient");
        HttpMessageInvoker = compilation.GetTypeByMetadataName("System.Net.Http.HttpMessageInvoker");
        HttpMethod = compilation.GetTypeByMetadataName("System.Net.Http.HttpMethod");
        HttpClientJsonExtensions = compilation.GetTypeByMetadataName("System.Net.Http.Json.HttpClientJsonExtensions");
    }
}
