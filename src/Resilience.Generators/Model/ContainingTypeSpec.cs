namespace Resilience.Generators;

/// <summary>The type that holds resilient methods, or one of the types containing it.</summary>
/// <param name="Keyword">The declaration's keywords, e.g. "partial class" or "readonly partial record struct".</param>
/// <param name="Name">The name with its type parameters, each escaped with @ when it is a keyword: "@event&lt;T&gt;".</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);
