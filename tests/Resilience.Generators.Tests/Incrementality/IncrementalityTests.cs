using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Incrementality;

/// <summary>The generator's steps are cached: a second run does no work, an unrelated edit regenerates nothing, a changed attribute regenerates its own file only.</summary>
public sealed class IncrementalityTests
{
    private const string Orders = """
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;
        namespace Shop;
        public partial class Orders
        {
            [Retry(3)] [CircuitBreaker(5)]
            public partial Task<int> CountAsync(CancellationToken ct);
            private Task<int> CountAsyncCore(CancellationToken ct) => Task.FromResult(1);
        }
        """;

    private const string Payments = """
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;
        namespace Shop;
        public partial class Payments
        {
            [Timeout(1_000)] [Bulkhead(4)]
            public partial Task PayAsync(decimal amount, CancellationToken ct);
            private Task PayAsyncCore(decimal amount, CancellationToken ct) => Task.CompletedTask;
        }
        """;

    private static readonly string[] s_steps = AttributeNames.Policies.Select(StepNames.OfPolicy)
        .Concat(new[] { StepNames.Methods, StepNames.Diagnostics, StepNames.Types, StepNames.Registrations })
        .ToArray();

    [Fact]
    public void Every_step_has_a_tracking_name()
    {
        GeneratorRunResult run = Run(GeneratorHarness.Compilation(Orders, Payments), out _).GetRunResult().Results.Single();

        Assert.All(new[] { StepNames.OfPolicy(AttributeNames.Retry), StepNames.OfPolicy(AttributeNames.Timeout), StepNames.Methods, StepNames.Diagnostics, StepNames.Types }, step => Assert.Contains(step, run.TrackedSteps.Keys));
    }

    [Fact]
    public void A_second_run_without_changes_is_all_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Orders, Payments);
        GeneratorDriver driver = Run(compilation, out _);

        GeneratorRunResult second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        AssertAllCached(second, s_steps);
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void An_unrelated_edit_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Orders, Payments);
        GeneratorDriver driver = Run(compilation, out _);

        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Shop; public class Unrelated { public int Value => 42; }", GeneratorHarness.ParseOptions));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllCached(second, s_steps);
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Changing_an_attribute_value_regenerates_that_type_only()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(Orders, Payments);
        GeneratorDriver driver = Run(compilation, out _);

        SyntaxTree old = compilation.SyntaxTrees.First();
        SyntaxTree changed = CSharpSyntaxTree.ParseText(Orders.Replace("[Retry(3)]", "[Retry(4)]"), GeneratorHarness.ParseOptions, path: old.FilePath);
        GeneratorRunResult second = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, changed)).GetRunResult().Results.Single();

        var types = second.TrackedSteps[StepNames.Types].SelectMany(s => s.Outputs).ToArray();
        Assert.Equal(2, types.Length);
        Assert.Equal(1, types.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(1, types.Count(o => o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached));
        var modified = (ResilientTypeSpec)types.Single(o => o.Reason == IncrementalStepRunReason.Modified).Value;
        Assert.Equal("Shop.Orders.g.cs", modified.HintName);
        Assert.Equal(4, modified.Methods.Single().Retry!.MaxAttempts);
        Assert.Equal(IncrementalStepRunReason.Cached, second.TrackedSteps[StepNames.OfPolicy(AttributeNames.Timeout)].Single().Outputs.Single().Reason);
    }

    [Fact]
    public void No_step_holds_a_symbol_a_syntax_node_or_a_compilation()
    {
        GeneratorRunResult run = Run(GeneratorHarness.Compilation(Orders, Payments), out _).GetRunResult().Results.Single();

        foreach ((string step, var runs) in run.TrackedSteps.Where(s => s_steps.Contains(s.Key)))
        {
            foreach (object value in runs.SelectMany(r => r.Outputs).Select(o => o.Value))
            {
                AssertPlainData(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static GeneratorDriver Run(CSharpCompilation compilation, out Compilation output)
        => GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out output, out _);

    private static void AssertAllCached(GeneratorRunResult run, IEnumerable<string> steps)
    {
        foreach (string step in steps.Where(run.TrackedSteps.ContainsKey))
        {
            foreach (var output in run.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step {step} ran again ({output.Reason}).");
            }
        }
    }

    private static readonly Type[] s_forbidden = { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location) };

    private static void AssertPlainData(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(s_forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.Name}, which defeats caching.");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertPlainData(item, $"{path}[{i++}]", seen);
            }

            return;
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertPlainData(property.GetValue(value), $"{path}.{property.Name}", seen);
        }
    }
}
