using System.Reflection;
using Microsoft.CodeAnalysis;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Legal declarations that once gave generated code that did not compile or warned: each is built as a consumer
/// builds it, with every warning a failure, then run. One source per root cause, so that a failure names it.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ShapeTests : RegistryTest
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace Shapes;

        """;

    [Fact]
    public void A_partial_extension_method_keeps_its_this_and_is_called_as_an_extension()
    {
        Assembly consumer = Build("""
            public static partial class Numbers
            {
                private static int s_calls;

                [Retry(2, DelayMs = 0)]
                public static partial int Doubled(this int value);

                private static int DoubledCore(this int value) => ++s_calls == 1 ? throw new InvalidOperationException("first") : value * 2;
            }

            public static class Program
            {
                public static int Run() => 21.Doubled();
            }
            """);

        Assert.Equal(42, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_breaker_inside_hedging_throws_its_rejection_to_the_fallback_and_leaves_no_unused_label()
    {
        Assembly consumer = Build("""
            public partial struct Probe
            {
                [Hedging(2, DelayMs = 0)]
                [CircuitBreaker(1, Name = "shape-hedged-breaker")]
                [Fallback(nameof(Backup))]
                public partial Task<int> GetAsync(CancellationToken ct);

                private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromException<int>(new InvalidOperationException("down"));

                private int Backup(CancellationToken ct, Exception error) => error is BrokenCircuitException ? 2 : 1;
            }

            public static class Program
            {
                public static int Run() => new Probe().GetAsync(CancellationToken.None).GetAwaiter().GetResult() * 10 + new Probe().GetAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            """);

        // The attempts run one after the other here (each fails at once): the first opens the breaker, which rejects
        // the second, whose rejection is the last failure the fallback gets; the next call's attempts are both rejected.
        Assert.Equal(22, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_generic_override_repeats_only_the_constraints_it_wrote_and_its_helper_gets_the_inherited_ones()
    {
        Assembly consumer = Build("""
            public abstract class Store
            {
                public abstract Task<T> LoadAsync<T>(T seed, CancellationToken cancellationToken) where T : class;

                public abstract T? Find<T>(T value);
            }

            public sealed partial class CachedStore : Store
            {
                [Retry(2, DelayMs = 0)]
                public override partial Task<T> LoadAsync<T>(T seed, CancellationToken cancellationToken) where T : class;

                private async Task<T> LoadAsyncCore<T>(T seed, CancellationToken cancellationToken) where T : class
                {
                    await Task.Yield();
                    return seed;
                }

                [Retry(2, DelayMs = 0)]
                public override partial T? Find<T>(T value) where T : default;

                private T? FindCore<T>(T value) => default;
            }

            public static class Program
            {
                public static string Run()
                {
                    Store store = new CachedStore();
                    return store.LoadAsync("loaded", CancellationToken.None).GetAwaiter().GetResult() + ":" + store.Find(5) + ":" + (store.Find("x") ?? "null");
                }
            }
            """);

        Assert.Equal("loaded:0:null", ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_method_declared_to_return_a_nullable_task_compiles_without_warnings_and_runs()
    {
        Assembly consumer = Build("""
            public partial class Jobs
            {
                private int _calls;

                [Retry(2, DelayMs = 0)]
                public partial Task? RunAsync(int value);

                private Task? RunAsyncCore(int value) => ++_calls == 1 ? Task.FromException(new InvalidOperationException("first")) : Task.CompletedTask;

                [Retry(2, DelayMs = 0)]
                [Timeout(10_000)]
                public partial Task<int>? CountAsync(int value, CancellationToken cancellationToken);

                private async Task<int>? CountAsyncCore(int value, CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return ++_calls == 1 ? throw new InvalidOperationException("first") : value + _calls;
                }

                public int Calls => _calls;
            }

            public static class Program
            {
                public static int Run()
                {
                    var jobs = new Jobs();
                    jobs.RunAsync(1)!.GetAwaiter().GetResult();
                    return jobs.CountAsync(40, CancellationToken.None)!.GetAwaiter().GetResult();
                }
            }
            """);

        Assert.Equal(43, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_dynamic_parameter_of_an_asynchronous_method_is_passed_on_statically()
    {
        // The consumer does not reference Microsoft.CSharp: a call bound at run time would not compile (CS0656).
        Assembly consumer = Build("""
            public partial class Echo
            {
                private int _calls;

                [Retry(2, DelayMs = 0)]
                [Fallback(nameof(Fallback))]
                public partial Task<string> SayAsync(dynamic value, CancellationToken cancellationToken);

                private Task<string> SayAsyncCore(dynamic value, CancellationToken cancellationToken)
                    => ++_calls == 1 ? throw new InvalidOperationException("first") : Task.FromResult("said " + ((object)value).ToString());

                private string Fallback(dynamic value, CancellationToken cancellationToken) => "fallback";
            }

            public static class Program
            {
                public static string Run() => new Echo().SayAsync(42, CancellationToken.None).GetAwaiter().GetResult();
            }
            """);

        Assert.Equal("said 42", ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_method_with_a_pointer_parameter_in_an_unsafe_type_compiles_and_runs()
    {
        Assembly consumer = Build("""
            public unsafe partial class Reader
            {
                private int _calls;

                [Retry(2, DelayMs = 0)]
                public partial int Read(int* source);

                private int ReadCore(int* source) => ++_calls == 1 ? throw new InvalidOperationException("first") : *source + _calls;
            }

            public static class Program
            {
                public static unsafe int Run()
                {
                    int value = 40;
                    return new Reader().Read(&value);
                }
            }
            """);

        Assert.Equal(42, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void Synchronous_instance_methods_and_static_asynchronous_methods_of_a_ref_struct_compile_and_run()
    {
        Assembly consumer = Build("""
            public ref partial struct Reader
            {
                private static int s_loads;
                private int _calls;

                [Retry(2, DelayMs = 0)]
                public partial int Peek();

                private int PeekCore() => ++_calls == 1 ? throw new InvalidOperationException("first") : 40 + _calls;

                [Retry(2, DelayMs = 0)]
                public static partial Task<int> LoadAsync(CancellationToken cancellationToken);

                private static async Task<int> LoadAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return ++s_loads == 1 ? throw new InvalidOperationException("first") : 40;
                }
            }

            public static class Program
            {
                public static int Run() => new Reader().Peek() + Reader.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            """);

        Assert.Equal(82, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_generic_method_whose_type_parameter_allows_ref_structs_compiles_and_runs_with_a_span()
    {
        // Compiled with this project by the SDK's compiler (the harness' Roslyn 4.8 does not parse 'allows ref struct').
        Assert.Equal(9, RefStructShapes.Measure<ReadOnlySpan<char>>("forty-two".AsSpan(), static span => span.Length));
        Assert.Equal(2, RefStructShapes.Calls);
    }

    [Fact]
    public void Obsolete_and_experimental_methods_keep_their_marks_on_the_helper_and_an_obsolete_core_adds_no_warning()
    {
        Assembly consumer = Build("""
            public partial class Legacy
            {
                [Obsolete("Use V2.", error: true)]
                [Retry(2, DelayMs = 0)]
                public partial Task<int> OldAsync(CancellationToken cancellationToken);

                [Obsolete("Use V2.", error: true)]
                private async Task<int> OldAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return 1;
                }

                [System.Diagnostics.CodeAnalysis.Experimental("SHAPES001")]
                [Retry(2, DelayMs = 0)]
                public partial Task<int> TrialAsync(CancellationToken cancellationToken);

                [System.Diagnostics.CodeAnalysis.Experimental("SHAPES001")]
                private async Task<int> TrialAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return 2;
                }

                [Retry(2, DelayMs = 0)]
                public partial Task<int> CurrentAsync(CancellationToken cancellationToken);

                [Obsolete("Being replaced.")]
                private async Task<int> CurrentAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return 3;
                }
            }

            public static class Program
            {
            #pragma warning disable SHAPES001
                public static int Run() => new Legacy().TrialAsync(CancellationToken.None).GetAwaiter().GetResult() * 10
                    + new Legacy().CurrentAsync(CancellationToken.None).GetAwaiter().GetResult();
            #pragma warning restore SHAPES001
            }
            """);

        Assert.Equal(23, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
        MethodInfo helper = consumer.GetType("Shapes.Legacy")!.GetMethod("__OldAsync_Resilient", BindingFlags.NonPublic | BindingFlags.Instance)!;
        Assert.True(helper.GetCustomAttribute<ObsoleteAttribute>() is { IsError: true, Message: "Use V2." }, "The helper of an obsolete method is not marked obsolete alike.");
    }

    [Fact]
    public void A_core_and_a_fallback_marked_obsolete_with_a_diagnostic_id_of_their_own_add_no_warning()
    {
        // [Obsolete(DiagnosticId = ...)] is reported under that id instead of CS0618: the generated file disables it too.
        Assembly consumer = Build("""
            public partial class Legacy
            {
                [Retry(2, DelayMs = 0)]
                [Fallback(nameof(Backup))]
                public partial int Get();

                [Obsolete("Use the new client.", DiagnosticId = "LEGACY01")]
                private int GetCore() => throw new TimeoutException("down");

                [Obsolete("Use the new client.", DiagnosticId = "LEGACY02")]
                private int Backup() => 7;
            }

            public static class Program
            {
                public static int Run() => new Legacy().Get();
            }
            """);

        Assert.Equal(7, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_core_hooks_and_a_fallback_marked_obsolete_without_a_message_add_no_warning()
    {
        Assembly consumer = Build("""
            public partial class Legacy
            {
                private int _calls;

                [Retry(3, ShouldRetry = nameof(IsTransient), OnRetry = nameof(Log), HandleResult = nameof(IsNegative), DelayGenerator = nameof(Wait))]
                [Fallback(nameof(Backup))]
                public partial Task<int> GetAsync(CancellationToken cancellationToken);

                [Obsolete]
                private async Task<int> GetAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return ++_calls switch { 1 => throw new TimeoutException("first"), 2 => -1, _ => throw new TimeoutException("last") };
                }

                [Obsolete]
                private static bool IsTransient(Exception error) => error is TimeoutException;

                [Obsolete]
                private void Log(Exception error, int attempt, TimeSpan delay) { }

                [Obsolete]
                private static bool IsNegative(int value) => value < 0;

                [Obsolete]
                private static TimeSpan? Wait(Outcome<int> outcome, int attempt) => TimeSpan.Zero;

                [Obsolete]
                private int Backup(CancellationToken cancellationToken) => 40 + _calls;
            }

            public static class Program
            {
                public static int Run() => new Legacy().GetAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            """);

        Assert.Equal(43, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_core_and_a_hook_marked_experimental_alone_add_no_diagnostic_and_their_ids_still_hold_elsewhere()
    {
        const string Trial = """
            public partial class Trial
            {
                [Retry(2, DelayMs = 0, ShouldRetry = nameof(IsTransient))]
                public partial Task<int> GetAsync(CancellationToken cancellationToken);

                [System.Diagnostics.CodeAnalysis.Experimental("SHAPES002")]
                private async Task<int> GetAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return 42;
                }

                [System.Diagnostics.CodeAnalysis.Experimental("SHAPES003")]
                private static bool IsTransient(Exception error) => true;

                [Retry(2, DelayMs = 0)]
                public partial int Count();

                [System.Diagnostics.CodeAnalysis.Experimental("SHAPES004")]
                private int CountCore() => 1;
            }

            public static class Program
            {
                public static int Run() => new Trial().GetAsync(CancellationToken.None).GetAwaiter().GetResult() + new Trial().Count();
            }
            """;

        Assembly consumer = Build(Trial);

        Assert.Equal(43, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
        // The ids are disabled in the generated file only: the user's own use of one is still reported.
        GeneratorOutcome used = GeneratorHarness.Run(Usings + Trial + """

            public static class Elsewhere
            {
                [System.Diagnostics.CodeAnalysis.Experimental("SHAPES002")]
                public static int Trial() => 1;

                public static int Caller() => Trial();
            }
            """);
        Assert.Equal(new[] { "SHAPES002" }, used.AllDiagnostics.Select(d => d.Id));
    }

    [Fact]
    public void A_readonly_member_of_a_struct_gets_a_readonly_helper_and_no_defensive_copy_warning()
    {
        Assembly consumer = Build("""
            public partial struct Counter
            {
                public int Value;

                [Retry(2, DelayMs = 0)]
                public readonly partial Task<int> PeekAsync(CancellationToken cancellationToken);

                private readonly async Task<int> PeekAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return Value;
                }
            }

            public static class Program
            {
                public static int Run() => new Counter { Value = 42 }.PeekAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            """);

        Assert.Equal(42, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_lower_case_type_name_and_a_type_named_var_in_scope_do_not_change_the_generated_code()
    {
        Assembly consumer = Build("""
            #pragma warning disable CS8981 // The names are the point.
            public sealed class var
            {
            }

            public partial class orders
            {
                private int _calls;

                [Retry(3, DelayMs = 0)]
                [CircuitBreaker(5)]
                [Timeout(10_000)]
                [RateLimit(100, 1_000)]
                [Bulkhead(4)]
                [Fallback(nameof(Fallback))]
                public partial Task<int> CountAsync(CancellationToken cancellationToken);

                private async Task<int> CountAsyncCore(CancellationToken cancellationToken)
                {
                    await Task.Yield();
                    return ++_calls < 3 ? throw new InvalidOperationException("again") : 40 + _calls;
                }

                private int Fallback(CancellationToken cancellationToken) => -1;

                [Retry(2, DelayMs = 0)]
                [Timeout(10_000)]
                public partial int Count();

                private int CountCore() => 7;
            }
            #pragma warning restore CS8981

            public static class Program
            {
                public static int Run() => new orders().CountAsync(CancellationToken.None).GetAwaiter().GetResult() + new orders().Count() - 7;
            }
            """);

        Assert.Equal(43, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void Parameters_members_and_hooks_named_like_generated_names_do_not_collide_with_them()
    {
        Assembly consumer = Build("""
            public partial class Clashing
            {
                private int __CountAsync_Telemetry = 2;

                private static bool __delay(Exception error) => error is InvalidOperationException;

                [Retry(3, DelayMs = 0, ShouldRetry = nameof(__delay))]
                [CircuitBreaker(5)]
                [Timeout(10_000)]
                [Fallback(nameof(__fallback))]
                public partial Task<int> CountAsync(int __attempt, int __started, int __resume, int __result, int __handOff, CancellationToken __inflight);

                private async Task<int> CountAsyncCore(int __attempt, int __started, int __resume, int __result, int __handOff, CancellationToken __inflight)
                {
                    await Task.Yield();
                    return ++__CountAsync_Telemetry < 4 ? throw new InvalidOperationException("again") : __attempt + __started + __resume + __result + __handOff + __CountAsync_Telemetry;
                }

                private int __fallback(int __attempt, int __started, int __resume, int __result, int __handOff, CancellationToken __inflight) => -1;

                [Retry(2, DelayMs = 0)]
                public partial int Sum(int __delay, int __registry);

                private int SumCore(int __delay, int __registry) => __delay + __registry;
            }

            public static class Program
            {
                public static int Run() => new Clashing().CountAsync(10, 20, 30, 40, 50, CancellationToken.None).GetAwaiter().GetResult() + new Clashing().Sum(1, 2);
            }
            """);

        Assert.Equal(157, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void An_overload_and_a_method_named_like_its_key_keep_their_own_policies()
    {
        Assembly consumer = Build("""
            public partial class Overloads
            {
                [CircuitBreaker(1)]
                public partial int Get(int value);

                private int GetCore(int value) => value;

                [CircuitBreaker(1)]
                public partial int Get(string value);

                private int GetCore(string value) => throw new InvalidOperationException("down");

                [CircuitBreaker(1)]
                public partial int Get_1(int value);

                private int Get_1Core(int value) => value * 2;
            }

            public static class Program
            {
                public static string Run()
                {
                    var overloads = new Overloads();
                    try
                    {
                        overloads.Get("x");
                    }
                    catch (InvalidOperationException)
                    {
                    }

                    return overloads.Get(1) + ":" + overloads.Get_1(2);
                }
            }
            """);

        Assert.Equal("1:4", ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_generic_type_and_a_plain_one_of_the_same_name_keep_their_own_default_policies()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class Box { [CircuitBreaker(1, BreakDurationMs = 1_000)] public partial int Get(int v); private int GetCore(int v) => v; }
            public partial class Box<T> { [CircuitBreaker(2, BreakDurationMs = 2_000)] public partial int Get(int v); private int GetCore(int v) => v; }
            public partial class Outer { public partial class Inner { [Bulkhead(1)] public partial int Get(); private int GetCore() => 1; } }
            public partial class Outer<T> { public partial class Inner { [Bulkhead(2)] public partial int Get(); private int GetCore() => 2; } }
            """);

        // Different settings under one name would be RES0006; each default name is its own.
        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
        string generated = string.Join("\n", outcome.Sources.Select(s => s.Text));
        Assert.Contains("GetOrAddCircuitBreaker(\"Shapes.Box.Get\"", generated);
        Assert.Contains("GetOrAddCircuitBreaker(\"Shapes.Box`1.Get\"", generated);
        Assert.Contains("GetOrAddBulkhead(\"Shapes.Outer.Inner.Get\"", generated);
        Assert.Contains("GetOrAddBulkhead(\"Shapes.Outer`1.Inner.Get\"", generated);
    }

    [Fact]
    public void Overloads_are_named_with_their_parameter_types_and_a_single_method_by_its_name_alone()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class Client
            {
                [CircuitBreaker(1)] public partial int Get(int id);
                private int GetCore(int id) => id;
                [CircuitBreaker(2)] public partial int Get(string? name, params int[] ids);
                private int GetCore(string? name, params int[] ids) => 0;
                [CircuitBreaker(3)] public partial T Get<T>(T value);
                private T GetCore<T>(T value) => value;
                [CircuitBreaker(4)] public partial int Find(int id);
                private int FindCore(int id) => id;
            }
            """);

        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
        string generated = string.Join("\n", outcome.Sources.Select(s => s.Text));
        Assert.Contains("\"Shapes.Client.Get(int)\"", generated);
        Assert.Contains("\"Shapes.Client.Get(string?, params int[])\"", generated);
        Assert.Contains("\"Shapes.Client.Get<T>(T)\"", generated);
        Assert.Contains("\"Shapes.Client.Find\"", generated);
    }

    [Fact]
    public void Hooks_and_fallbacks_that_take_a_nullable_exception_and_a_core_in_another_nullable_context_are_accepted()
    {
        Assembly consumer = Build("""
            public partial class Tolerant
            {
                private int _calls;

                [Retry(3, DelayMs = 0, ShouldRetry = nameof(ShouldRetry), OnRetry = nameof(OnRetry))]
                [Fallback(nameof(Fallback))]
                public partial string Get(string? id);

                public int Retried { get; private set; }

                private static bool ShouldRetry(Exception? error) => error is InvalidOperationException;

                private void OnRetry(Exception? error, int attempt, TimeSpan delay) => Retried++;

                private string Fallback(string? id, Exception? error) => "fallback " + error?.Message;

            #nullable disable
                private string GetCore(string id) => ++_calls < 3 ? throw new InvalidOperationException("again") : "got " + id;
            #nullable restore
            }

            public static class Program
            {
                public static string Run()
                {
                    var tolerant = new Tolerant();
                    return tolerant.Get("a") + ":" + tolerant.Retried;
                }
            }
            """);

        Assert.Equal("got a:2", ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
    }

    [Fact]
    public void A_method_with_two_cancellation_tokens_is_refused_with_RES0003()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class Twice
            {
                [Retry(3, DelayMs = 0)]
                public partial Task<int> GetAsync(CancellationToken request, CancellationToken shutdown);

                private Task<int> GetAsyncCore(CancellationToken request, CancellationToken shutdown) => Task.FromResult(1);
            }
            """);

        Diagnostic error = Assert.Single(outcome.AllDiagnostics);
        Assert.Equal("RES0003", error.Id);
        Assert.Contains("'request' and 'shutdown'", error.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("CreateLinkedTokenSource", error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_name_holding_the_emitters_mark_keeps_it()
    {
        Assembly consumer = Build("""
            public partial class Marked
            {
                [CircuitBreaker(3, Name = "pay\u00A7ments")]
                public partial int Get(int value);

                private int GetCore(int value) => value;
            }

            public static class Program
            {
                public static int Run() => new Marked().Get(42);
            }
            """);

        Assert.Equal(42, ConsumerBuild.Call(consumer, "Shapes.Program", "Run"));
        Assert.True(Registry.TryGetCircuitBreaker("pay\u00A7ments", out _), "The breaker's name lost its mark.");
    }

    private static Assembly Build(string source) => ConsumerBuild.Build(Usings + source, OptimizationLevel.Debug);
}

/// <summary>A shape the harness' compiler cannot parse, so it is declared here, for the SDK's compiler and the generator.</summary>
public static partial class RefStructShapes
{
    private static int _calls;

    public static int Calls => _calls;

    [Retry(2, DelayMs = 0)]
    public static partial int Measure<T>(T value, Func<T, int> measure)
        where T : allows ref struct;

    private static int MeasureCore<T>(T value, Func<T, int> measure)
        where T : allows ref struct
        => Interlocked.Increment(ref _calls) == 1 ? throw new InvalidOperationException("first") : measure(value);
}
