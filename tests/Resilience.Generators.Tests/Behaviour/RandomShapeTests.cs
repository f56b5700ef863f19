using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Declarations made by combining shapes (type kinds, nesting, generic types and methods with constraints, extension
/// methods, parameter kinds and names, optional and <c>params</c> parameters, return types, nullable tasks among them)
/// with sets of policy attributes (keys, a shared name), from a fixed seed so that a failure reproduces. Each is
/// compiled with the generator, every warning wave on, and the project's analyzers run over the result: neither the
/// generator nor an analyzer throws, nothing is reported inside a generated file, and a RES diagnostic appears exactly
/// for the declarations made outside the contract, the one each of them is made to get.
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
    private static readonly string[] Returns = { "void", "int", "string?", "Task", "Task<int>", "ValueTask", "ValueTask<string?>", "Task<string>", "Task?", "Task<int>?" };

    /// <summary>Every analyzer the analyzers project ships.</summary>
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(Resilience.Analyzers.RetryBeyondTotalTimeoutAnalyzer).Assembly.GetTypes()
        .Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    [Fact]
    public async Task Combined_shapes_compile_cleanly_or_get_exactly_their_RES_diagnostic()
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
        // The namespaces of the declarations made outside the contract, each with the diagnostic it must get.
        var invalid = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string ns = "Shape" + i;
            if (Write(source, ns, random) is { } expected)
            {
                invalid.Add(ns, expected);
            }
        }

        GeneratorOutcome outcome = GeneratorHarness.Run(source.ToString());
        string text = source.ToString();

        // The generator never fails (CS8784/CS8785 would say so).
        string[] generatorFailures = outcome.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("RES", StringComparison.Ordinal)).Select(d => d.ToString()).ToArray();
        Assert.True(generatorFailures.Length == 0, $"Seed {seed}: the generator failed:\n" + string.Join("\n", generatorFailures));

        // A RES diagnostic in a namespace exactly when that namespace's declaration is outside the contract, and the one it was made to get.
        var reported = new HashSet<(string Namespace, string Id)>();
        foreach (Diagnostic diagnostic in outcome.GeneratorDiagnostics.Where(d => d.Id.StartsWith("RES", StringComparison.Ordinal)))
        {
            reported.Add((NamespaceAt(text, diagnostic.Location.SourceSpan.Start), diagnostic.Id));
        }

        string[] missing = invalid.Where(e => !reported.Contains((e.Key, e.Value))).Select(e => e.Key + " (" + e.Value + ")").Order(StringComparer.Ordinal).ToArray();
        string[] spurious = reported.Select(r => r.Namespace).Where(ns => !invalid.ContainsKey(ns)).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0, $"Seed {seed}: no RES diagnostic, or not the expected one, for {string.Join(", ", missing)}");
        Assert.True(spurious.Length == 0, $"Seed {seed}: RES diagnostics for legal shapes in {string.Join(", ", spurious)}:\n"
            + string.Join("\n", outcome.GeneratorDiagnostics.Where(d => spurious.Contains(NamespaceAt(text, d.Location.SourceSpan.Start))).Take(10)));

        // The compiler, every warning wave on, and the design warnings' analyzers, in one pass over the output.
        var thrown = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, diagnostic) => thrown.Add($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> compiled = await outcome.Output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync();

        // The analyzers read every declaration, legal or not, without throwing (AD0001 otherwise).
        string[] failures = thrown.Concat(compiled.Where(d => d.Id == "AD0001").Select(d => d.ToString())).ToArray();
        Assert.True(failures.Length == 0, $"Seed {seed}: an analyzer failed:\n" + string.Join("\n", failures.Take(5)));

        // Nothing in a generated file, from the compiler or an analyzer.
        string[] inGenerated = compiled
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && outcome.IsGenerated(d.Location.SourceTree))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(inGenerated.Length == 0, $"Seed {seed}: the generated code has diagnostics:\n" + string.Join("\n", inGenerated.Take(20)));

        // What the compiler says of the user's own code: only what the invalid declarations cause.
        string[] userErrors = compiled
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && !outcome.IsGenerated(tree))
            .Where(d => !invalid.ContainsKey(NamespaceAt(text, d.Location.SourceSpan.Start)))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(userErrors.Length == 0, $"Seed {seed}: legal declarations do not compile:\n" + string.Join("\n", userErrors.Take(20)));
    }

    /// <summary>Writes one declaration in namespace <paramref name="ns"/>; the diagnostic it must get when it is made outside the contract, null otherwise.</summary>
    private static string? Write(StringBuilder source, string ns, Random random)
    {
        (string typeModifiers, string keyword) = TypeKinds[random.Next(TypeKinds.Length)];
        bool genericType = random.Next(4) == 0;
        bool nested = random.Next(4) == 0;
        bool isStatic = random.Next(3) == 0;
        // An extension method, in a static class that is neither generic nor nested.
        bool extension = isStatic && keyword == "class" && !genericType && !nested && random.Next(3) == 0;
        if (extension)
        {
            typeModifiers = "static ";
        }

        bool genericMethod = random.Next(4) == 0;
        string returns = Pick(random, Returns);
        bool isAsync = returns.StartsWith("Task", StringComparison.Ordinal) || returns.StartsWith("ValueTask", StringComparison.Ordinal);
        bool hasResult = returns is not ("void" or "Task" or "ValueTask" or "Task?");
        string result = returns switch
        {
            "int" or "Task<int>" or "Task<int>?" => "int",
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

        // Optional parameters (their defaults kept), then a params array, last as they must be.
        if (random.Next(5) == 0)
        {
            parameters.Add((string.Empty, Pick(random, new[] { "int", "string?" }), "optional = default"));
        }

        if (random.Next(6) == 0)
        {
            parameters.Add(("params ", "int[]", "rest"));
        }

        if (extension)
        {
            parameters.Insert(0, ("this ", "int", "self"));
        }

        // Outside the contract, now and then: a ref parameter (RES0003, as an out parameter would be), a body where
        // none may be (RES0001), or a setting out of its range (RES0004).
        int breakage = random.Next(12);
        string? invalid = breakage switch { 0 => "RES0003", 1 => "RES0001", 2 => "RES0004", _ => null };
        if (breakage == 0)
        {
            parameters.Insert(extension ? 1 : 0, ("ref ", "int", "counter"));
        }

        string typeParameters = genericMethod ? "<T>" : string.Empty;
        string constraint = genericMethod ? Pick(random, new[] { string.Empty, " where T : class", " where T : struct", " where T : notnull", " where T : IComparable<T>" }) : string.Empty;

        var attributes = new List<string> { $"[Retry({(breakage == 2 ? 0 : random.Next(1, 5))}, DelayMs = 0)]" };
        bool breaker = random.Next(2) == 0;
        if (breaker)
        {
            attributes.Add($"[CircuitBreaker({random.Next(1, 10)})]");
        }

        if (random.Next(3) == 0)
        {
            attributes.Add($"[Timeout({random.Next(100, 5_000)}{(random.Next(2) == 0 ? ", Scope = TimeoutScope.Total" : string.Empty)})]");
        }

        // A bulkhead of its own, or one shared by name (its settings alike everywhere, as they must be).
        if (random.Next(4) == 0)
        {
            attributes.Add(random.Next(2) == 0 ? "[Bulkhead(4, Name = \"shapes-shared\")]" : $"[Bulkhead({random.Next(1, 8)})]");
        }

        bool rateLimit = random.Next(4) == 0;
        if (rateLimit)
        {
            attributes.Add($"[RateLimit({random.Next(10, 100)}, 1_000)]");
        }

        // A key on a plain parameter, for the breaker or the rate limit it partitions.
        int keyed = parameters.FindIndex(p => p.Modifier.Length == 0 && p.Type is not ("T" or "CancellationToken") && !p.Name.Contains('='));
        if (keyed >= 0 && (breaker || rateLimit) && random.Next(3) == 0)
        {
            string key = breaker && (!rateLimit || random.Next(2) == 0) ? "[CircuitBreakerKey] " : "[RateLimitKey] ";
            parameters[keyed] = (key + parameters[keyed].Modifier, parameters[keyed].Type, parameters[keyed].Name);
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

        // The companions take the parameters as declared, without the keys, which belong to the resilient method.
        string declared = string.Join(", ", parameters.Select(p => p.Modifier + p.Type + " " + p.Name));
        string passed = string.Join(", ", parameters.Select(p => p.Modifier[(p.Modifier.LastIndexOf(']') + 1)..].TrimStart() + p.Type + " " + p.Name));
        string staticModifier = isStatic ? "static " : string.Empty;
        string body = breakage == 1 ? " => throw new NotImplementedException();" : ";";
        string core = returns switch
        {
            "void" => "{ }",
            "Task" or "Task?" => "=> Task.CompletedTask;",
            "ValueTask" => "=> default;",
            "Task<int>" or "Task<int>?" => "=> Task.FromResult(1);",
            "Task<string>" => "=> Task.FromResult(\"x\");",
            "ValueTask<string?>" => "=> new ValueTask<string?>((string?)null);",
            "int" => "=> 1;",
            _ => "=> null;",
        };
        string backup = !fallback ? string.Empty
            : hasResult ? $"private {staticModifier}{result} Backup{typeParameters}({passed}){constraint} => default!;"
            : $"private {staticModifier}void Backup{typeParameters}({passed}){constraint} {{ }}";
        if (fallback && isAsync && !hasResult)
        {
            backup = $"private {staticModifier}void Backup{typeParameters}({passed}){constraint} {{ }}";
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
