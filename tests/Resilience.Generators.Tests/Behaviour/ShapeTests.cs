using System.Reflection;
using Microsoft.CodeAnalysis;

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

    private static Assembly Build(string source) => ConsumerBuild.Build(Usings + source, OptimizationLevel.Debug);
}
