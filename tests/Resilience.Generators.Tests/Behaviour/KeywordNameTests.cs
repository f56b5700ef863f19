using System.Reflection;
using Microsoft.CodeAnalysis;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Namespaces, types, type parameters and parameters named with keywords escaped by '@': the generated files get
/// valid hint names, and the generated code escapes the names again so that it compiles, runs, and names its
/// policies after the plain names. Built in memory, as a consumer would build them.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class KeywordNameTests : RegistryTest
{
    private const string FileScopedNamespace = """
        using System;
        using Resilience;

        namespace @class;

        public partial class Client
        {
            private int _calls;

            [Retry(2, DelayMs = 0)]
            [CircuitBreaker(5)]
            public partial int Get(int value);

            private int GetCore(int value) => ++_calls == 1 ? throw new InvalidOperationException("first") : value + _calls;
        }

        public static class Program
        {
            public static int Run() => new Client().Get(40);
        }
        """;

    private const string DottedNamespace = """
        using System;
        using Resilience;

        namespace Foo.@event.Bar
        {
            public partial class Client
            {
                private int _calls;

                [Retry(2, DelayMs = 0)]
                [CircuitBreaker(5)]
                public partial int Get(int value);

                private int GetCore(int value) => ++_calls == 1 ? throw new InvalidOperationException("first") : value + _calls;
            }

            public static class Program
            {
                public static int Run() => new Client().Get(40);
            }
        }
        """;

    private const string KeywordTypes = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace Keywords;

        public partial class @event
        {
            public partial class @class<@int>
                where @int : IConvertible
            {
                private int _calls;

                [Retry(2, DelayMs = 0)]
                public partial string Describe<@bool>(@int number, @bool flag)
                    where @bool : struct;

                private string DescribeCore<@bool>(@int number, @bool flag)
                    where @bool : struct
                    => ++_calls == 1 ? throw new InvalidOperationException("first") : number.ToInt32(null) + ":" + flag + ":" + _calls;

                [Retry(2, DelayMs = 0)]
                [Timeout(10_000)]
                public partial Task<int> @await(int await, CancellationToken @in);

                private async Task<int> awaitCore(int await, CancellationToken @in)
                {
                    await Task.Yield();
                    return ++_calls == 1 ? throw new InvalidOperationException("first") : @await + _calls;
                }
            }
        }

        public partial record @record<@file>
        {
            [Retry(2, DelayMs = 0)]
            public partial int Twice(int value);

            private int TwiceCore(int value) => value * 2;
        }

        public partial struct @async
        {
            [Retry(2, DelayMs = 0)]
            public partial int @do(int @if);

            private int doCore(int @if) => @if + 1;
        }

        public static class Program
        {
            public static string Run()
                => string.Join(
                    "|",
                    new @event.@class<int>().Describe(7, true),
                    new @event.@class<int>().@await(40, CancellationToken.None).GetAwaiter().GetResult(),
                    new @record<string>().Twice(21),
                    new @async().@do(1));
        }
        """;

    public static TheoryData<string, string, string> Namespaces => new()
    {
        { FileScopedNamespace, "class.Program", "class.Client.Get" },
        { DottedNamespace, "Foo.event.Bar.Program", "Foo.event.Bar.Client.Get" },
    };

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void A_namespace_named_with_a_keyword_compiles_runs_and_names_its_policies_without_the_escape(string source, string program, string policy)
    {
        Assembly consumer = ConsumerBuild.Build(source, OptimizationLevel.Debug);

        Assert.Equal(42, ConsumerBuild.Call(consumer, program, "Run"));
        Assert.True(Registry.TryGetCircuitBreaker(policy, out _), $"No circuit breaker named '{policy}'.");
    }

    [Fact]
    public void A_namespace_named_with_a_keyword_gets_a_hint_name_without_the_escape()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run("""
            using Resilience;
            namespace @class { public partial class A { [Retry] public partial int M(); private int MCore() => 1; } }
            namespace Foo.@event.Bar { public partial class Api { [Retry] public partial int M(); private int MCore() => 1; } }
            """);

        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
        Assert.Equal(new[] { "Foo.event.Bar.Api.g.cs", "class.A.g.cs" }, outcome.Sources.Select(s => s.HintName));
        Assert.Contains("namespace @class\n", outcome.Sources[1].Text);
        Assert.Contains("namespace Foo.@event.Bar\n", outcome.Sources[0].Text);
    }

    [Fact]
    public void Characters_a_hint_name_cannot_hold_are_replaced_and_each_type_keeps_its_own_file()
    {
        // "Cafe\u0301" ends in a combining accent: a valid identifier character, but not a valid hint name one.
        GeneratorOutcome outcome = GeneratorHarness.Run("""
            using Resilience;
            namespace N
            {
                public partial class Cafe\u0301 { [Retry] public partial int M(); private int MCore() => 1; }
                public partial class Cafe_ { [Retry] public partial int M(); private int MCore() => 2; }
            }
            """);

        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
        Assert.Equal(new[] { "N.Cafe_.g.cs", "N.Cafe__2.g.cs" }, outcome.Sources.Select(s => s.HintName));
    }

    [Fact]
    public void Types_type_parameters_and_methods_named_with_keywords_compile_and_run()
    {
        Assembly consumer = ConsumerBuild.Build(KeywordTypes, OptimizationLevel.Debug);

        Assert.Equal("7:True:2|42|42|2", ConsumerBuild.Call(consumer, "Keywords.Program", "Run"));
    }
}
