using System.Text;
using Microsoft.CodeAnalysis;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Declarations made by combining shapes (type kinds, nesting, generic types and methods with constraints, parameter
/// kinds and names, return types) with sets of policy attributes, from a fixed seed so that a failure reproduces. Each
/// is compiled with the generator: the generator never throws, nothing is reported inside a generated file, and a RES
/// diagnostic appears exactly for the declarations made outside the contract.
/// </summary>
/// <remarks>
/// <c>RESILIENCE_SHAPE_COUNT</c> and <c>RESILIENCE_SHAPE_SEED</c> run more combinations, or others, on demand.
/// </remarks>
public sealed class RandomShapeTests
{
    // Modifiers, then the keyword that follows 'partial'.
    private static readonly (string Modifiers, string Keyword)[] TypeKinds =
    {
        (string.Empty, "class"), ("sealed ", "class"), (string.Empty, "struct"), (string.Empty, "record"), (string.Empty, "record struct"), ("readonly ", "struct"),
    };
    private static readonly string[] ParameterNames = { "id", "value", "@event", "__attempt", "__result", "__started", "__delay", "items", "key", "var" };
    private static readonly string[] ParameterTypes = { "int", "string", "string?", "long", "int[]", "System.Collections.Generic.List<string>", "double?", "object", "Guid" };
    private static readonly string[] Returns = { "void", "int", "string?", "Task", "Task<int>", "ValueTask", "ValueTask<string?>", "Task<string>" };

    [Fact]
    public void Combined_shapes_compile_cleanly_or_get_exactly_their_RES_diagnostic()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_SHAPE_COUNT"), out int n) ? n : 300;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_SHAPE_SEED"), out int s) ? s : 20261129;
        var random = new Random(seed);
        var source = new StringBuilder("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            """);
        var invalid = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string ns = "Shape" + i;
            if (Write(source, ns, random))
            {
                invalid.Add(ns);
            }
        }

        GeneratorOutcome outcome = GeneratorHarness.Run(source.ToString());
        string text = source.ToString();

        // The generator never fails (CS8784/CS8785 would say so) and writes nothing the compiler objects to.
        string[] generatorFailures = outcome.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("RES", StringComparison.Ordinal)).Select(d => d.ToString()).ToArray();
        Assert.True(generatorFailures.Length == 0, $"Seed {seed}: the generator failed:\n" + string.Join("\n", generatorFailures));
        string[] inGenerated = outcome.AllDiagnostics
            .Where(d => d.Location.SourceTree is { } tree && tree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(inGenerated.Length == 0, $"Seed {seed}: the generated code has diagnostics:\n" + string.Join("\n", inGenerated.Take(20)));

        // A RES diagnostic in a namespace exactly when that namespace's declaration is outside the contract.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (Diagnostic diagnostic in outcome.GeneratorDiagnostics.Where(d => d.Id.StartsWith("RES", StringComparison.Ordinal)))
        {
            reported.Add(NamespaceAt(text, diagnostic.Location.SourceSpan.Start));
        }

        string[] missing = invalid.Except(reported).Order(StringComparer.Ordinal).ToArray();
        string[] spurious = reported.Except(invalid).Order(StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0, $"Seed {seed}: no RES diagnostic for {string.Join(", ", missing)}");
        Assert.True(spurious.Length == 0, $"Seed {seed}: RES diagnostics for legal shapes in {string.Join(", ", spurious)}:\n"
            + string.Join("\n", outcome.GeneratorDiagnostics.Where(d => spurious.Contains(NamespaceAt(text, d.Location.SourceSpan.Start))).Take(10)));

        // What the compiler says of the user's own code: only what the invalid declarations cause.
        string[] userErrors = outcome.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && !tree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal))
            .Where(d => !invalid.Contains(NamespaceAt(text, d.Location.SourceSpan.Start)))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(userErrors.Length == 0, $"Seed {seed}: legal declarations do not compile:\n" + string.Join("\n", userErrors.Take(20)));
    }

    /// <summary>Writes one declaration in namespace <paramref name="ns"/>; true when it is made outside the contract.</summary>
    private static bool Write(StringBuilder source, string ns, Random random)
    {
        (string typeModifiers, string keyword) = TypeKinds[random.Next(TypeKinds.Length)];
        bool genericType = random.Next(4) == 0;
        bool nested = random.Next(4) == 0;
        bool isStatic = random.Next(3) == 0;
        bool genericMethod = random.Next(4) == 0;
        string returns = Pick(random, Returns);
        bool isAsync = returns.StartsWith("Task", StringComparison.Ordinal) || returns.StartsWith("ValueTask", StringComparison.Ordinal);
        bool hasResult = returns is not ("void" or "Task" or "ValueTask");
        string result = returns switch
        {
            "int" or "Task<int>" => "int",
            "string?" or "ValueTask<string?>" => "string?",
            "Task<string>" => "string",
            _ => "void",
        };

        // Parameters: distinct names; a token for most asynchronous methods.
        var names = ParameterNames.OrderBy(_ => random.Next()).Take(random.Next(0, 4)).ToList();
        var parameters = new List<(string Modifier, string Type, string Name)>();
        foreach (string name in names)
        {
            string modifier = !isAsync && random.Next(6) == 0 ? "in " : string.Empty;
            parameters.Add((modifier, Pick(random, ParameterTypes), name));
        }

        if (genericMethod)
        {
            parameters.Add((string.Empty, "T", "generic"));
        }

        bool withToken = isAsync && random.Next(3) != 0;
        if (withToken)
        {
            parameters.Add((string.Empty, "CancellationToken", "cancellationToken"));
        }

        // Outside the contract, now and then: a ref parameter (RES0003, as an out parameter would be), or a body where none may be.
        int breakage = random.Next(12);
        bool invalid = breakage is 0 or 1;
        if (breakage == 0)
        {
            parameters.Insert(0, ("ref ", "int", "counter"));
        }

        string declared = string.Join(", ", parameters.Select(p => p.Modifier + p.Type + " " + p.Name));
        string passed = string.Join(", ", parameters.Select(p => p.Modifier + p.Type + " " + p.Name));
        string typeParameters = genericMethod ? "<T>" : string.Empty;
        string constraint = genericMethod ? Pick(random, new[] { string.Empty, " where T : class", " where T : struct", " where T : notnull", " where T : IComparable<T>" }) : string.Empty;

        var attributes = new List<string>();
        if (random.Next(2) == 0 || attributes.Count == 0)
        {
            attributes.Add($"[Retry({random.Next(1, 5)}, DelayMs = 0)]");
        }

        if (random.Next(2) == 0)
        {
            attributes.Add($"[CircuitBreaker({random.Next(1, 10)})]");
        }

        if (random.Next(3) == 0)
        {
            attributes.Add($"[Timeout({random.Next(100, 5_000)}{(random.Next(2) == 0 ? ", Scope = TimeoutScope.Total" : string.Empty)})]");
        }

        if (random.Next(4) == 0)
        {
            attributes.Add($"[Bulkhead({random.Next(1, 8)})]");
        }

        if (random.Next(4) == 0)
        {
            attributes.Add($"[RateLimit({random.Next(10, 100)}, 1_000)]");
        }

        bool fallback = random.Next(4) == 0;
        if (fallback)
        {
            attributes.Add("[Fallback(nameof(Backup))]");
        }

        // Hedging is for asynchronous methods only (RES0003 otherwise); latency, parallel and fallback modes.
        if (isAsync && random.Next(4) == 0)
        {
            attributes.Add($"[Hedging({random.Next(2, 5)}, DelayMs = {Pick(random, new[] { "0", "50", "Timeout.Infinite" })})]");
        }

        string staticModifier = isStatic ? "static " : string.Empty;
        string body = breakage == 1 ? " => throw new NotImplementedException();" : ";";
        string core = returns switch
        {
            "void" => "{ }",
            "Task" => "=> Task.CompletedTask;",
            "ValueTask" => "=> default;",
            "Task<int>" => "=> Task.FromResult(1);",
            "Task<string>" => "=> Task.FromResult(\"x\");",
            "ValueTask<string?>" => "=> new ValueTask<string?>((string?)null);",
            "int" => "=> 1;",
            _ => "=> null;",
        };
        string backup = !fallback ? string.Empty
            : hasResult ? $"private {staticModifier}{result} Backup{typeParameters}({declared}){constraint} => default!;"
            : $"private {staticModifier}void Backup{typeParameters}({declared}){constraint} {{ }}";
        if (fallback && isAsync && !hasResult)
        {
            backup = $"private {staticModifier}void Backup{typeParameters}({declared}){constraint} {{ }}";
        }

        string typeName = "Subject" + (genericType ? "<TOuter>" : string.Empty);
        source.AppendLine($"namespace {ns}");
        source.AppendLine("{");
        if (nested)
        {
            source.AppendLine("    public partial class Outer");
            source.AppendLine("    {");
        }

        source.AppendLine($"    public {typeModifiers}partial {keyword} {typeName}");
        source.AppendLine("    {");
        source.AppendLine($"        {string.Join(" ", attributes)}");
        source.AppendLine($"        public {staticModifier}partial {returns} Call{typeParameters}({declared}){constraint}{body}");
        source.AppendLine($"        private {staticModifier}{returns} CallCore{typeParameters}({passed}){constraint} {core}");
        if (backup.Length > 0)
        {
            source.AppendLine("        " + backup);
        }

        source.AppendLine("    }");
        if (nested)
        {
            source.AppendLine("    }");
        }

        source.AppendLine("}");
        return invalid;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    /// <summary>The namespace declared last before <paramref name="position"/> in <paramref name="text"/>.</summary>
    private static string NamespaceAt(string text, int position)
    {
        int start = text.LastIndexOf("namespace Shape", Math.Min(position, text.Length - 1), StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        int end = text.IndexOf('\n', start);
        return text[(start + "namespace ".Length)..end].Trim();
    }
}
