using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators.Tests.Behaviour;

public readonly record struct LargeValue(long A, long B, long C, long D);

public sealed class Widget
{
    public string Name { get; set; } = "new widget";
}

public partial class SignatureSubject
{
    private readonly int _offset;

    public SignatureSubject(int offset = 0) => _offset = offset;

    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<CancellationToken> Tokens { get; } = new();

    // ---- Instance and static ----------------------------------------------------------------

    [Retry(2, DelayMs = 0)]
    public partial int InstanceSum(int a, int b);

    private int InstanceSumCore(int a, int b) => a + b + _offset;

    [Retry(2, DelayMs = 0)]
    public static partial string StaticGreet(string name);

    private static string StaticGreetCore(string name) => "hello " + name;

    // ---- Generic methods --------------------------------------------------------------------

    [Retry(2, DelayMs = 0)]
    public partial T Largest<T>(T a, T b)
        where T : IComparable<T>;

    private T LargestCore<T>(T a, T b)
        where T : IComparable<T> => a.CompareTo(b) >= 0 ? a : b;

    [CircuitBreaker(3)]
    public partial Task<TItem> CreateAsync<TItem>(CancellationToken cancellationToken)
        where TItem : class, new();

    private Task<TItem> CreateAsyncCore<TItem>(CancellationToken cancellationToken)
        where TItem : class, new() => Task.FromResult(new TItem());

    [Retry(2, DelayMs = 0)]
    public partial TValue FirstOrFallback<TValue>(TValue[] values, TValue fallback)
        where TValue : struct;

    private TValue FirstOrFallbackCore<TValue>(TValue[] values, TValue fallback)
        where TValue : struct => values.Length > 0 ? values[0] : fallback;

    [Timeout(100, Scope = TimeoutScope.Total)]
    [RateLimit(5, 1_000)]
    public static partial ValueTask<T> EchoAsync<T>(T value, [RateLimitKey] string? user, CancellationToken cancellationToken = default)
        where T : notnull;

    private static ValueTask<T> EchoAsyncCore<T>(T value, string? user, CancellationToken cancellationToken)
        where T : notnull => new(value);

    // ---- Return kinds -----------------------------------------------------------------------

    [Retry(2, DelayMs = 0)]
    public partial void Record(string entry);

    private void RecordCore(string entry) => Log.Enqueue(entry);

    [Retry(2, DelayMs = 0)]
    public partial Task RecordAsync(string entry);

    private Task RecordAsyncCore(string entry)
    {
        Log.Enqueue(entry);
        return Task.CompletedTask;
    }

    [Retry(2, DelayMs = 0)]
    public partial ValueTask RecordValueTaskAsync(string entry);

    private ValueTask RecordValueTaskAsyncCore(string entry)
    {
        Log.Enqueue(entry);
        return default;
    }

    [Retry(2, DelayMs = 0)]
    public partial Task<string> UpperAsync(string text);

    private Task<string> UpperAsyncCore(string text) => Task.FromResult(text.ToUpperInvariant());

    [Retry(2, DelayMs = 0)]
    public partial ValueTask<string> LowerAsync(string text);

    private async ValueTask<string> LowerAsyncCore(string text)
    {
        await Task.Yield();
        return text.ToLowerInvariant();
    }

    // ---- Parameters -------------------------------------------------------------------------

    [Retry(2, DelayMs = 0)]
    public partial long AddIn(in long a, in LargeValue b);

    private long AddInCore(in long a, in LargeValue b) => a + b.A + b.B + b.C + b.D;

    [Retry(2, DelayMs = 0)]
    public partial ValueTask<long> AddInAsync(in long a, in LargeValue b);

    private ValueTask<long> AddInAsyncCore(in long a, in LargeValue b) => new(a + b.A + b.B + b.C + b.D);

    [Retry(2, DelayMs = 0)]
    public partial int SumAll(params int[] values);

    private int SumAllCore(params int[] values) => values.Sum();

    [Retry(2, DelayMs = 0)]
    public partial string Describe(string name, int count = 3, string? suffix = null);

    private string DescribeCore(string name, int count, string? suffix) => $"{name} x{count}{suffix ?? "."}";

    [Retry(2, DelayMs = 0)]
    public partial string? Echo(string? text, int? number, Widget? widget);

    private string? EchoCore(string? text, int? number, Widget? widget) => text is null && number is null && widget is null ? null : $"{text}|{number}|{widget?.Name}";

    [Retry(2, DelayMs = 0)]
    public partial int Keywords(int @class, int @event);

    private int KeywordsCore(int @class, int @event) => @class - @event;

    [Retry(2, DelayMs = 0)]
    public partial int Overloaded(int value);

    private int OverloadedCore(int value) => value * 2;

    [Retry(2, DelayMs = 0)]
    public partial string Overloaded(string value);

    private string OverloadedCore(string value) => value + value;

    // ---- Cancellation tokens ----------------------------------------------------------------

    [Timeout(60_000)]
    public partial Task<string> TokenFirstAsync(CancellationToken cancellationToken, string a, int b);

    private async Task<string> TokenFirstAsyncCore(CancellationToken cancellationToken, string a, int b)
    {
        await WhenCancelled(cancellationToken).ConfigureAwait(false);
        return "first " + a + b;
    }

    [Timeout(60_000)]
    public partial Task<string> TokenMiddleAsync(string a, CancellationToken cancellationToken, int b);

    private async Task<string> TokenMiddleAsyncCore(string a, CancellationToken cancellationToken, int b)
    {
        await WhenCancelled(cancellationToken).ConfigureAwait(false);
        return "middle " + a + b;
    }

    [Timeout(60_000)]
    public partial Task<string> TokenLastAsync(string a, int b, CancellationToken cancellationToken);

    private async Task<string> TokenLastAsyncCore(string a, int b, CancellationToken cancellationToken)
    {
        await WhenCancelled(cancellationToken).ConfigureAwait(false);
        return "last " + a + b;
    }

    [Timeout(60_000)]
    public partial string TokenMiddleSync(string a, CancellationToken cancellationToken, int b);

    private string TokenMiddleSyncCore(string a, CancellationToken cancellationToken, int b)
    {
        Log.Enqueue("entered");
        return cancellationToken.WaitHandle.WaitOne(RegistryTest.HangGuard) ? "sync " + a + b : "not cancelled";
    }

    [Retry(2, DelayMs = 0)]
    public partial int PassThrough(int a, CancellationToken cancellationToken);

    private int PassThroughCore(int a, CancellationToken cancellationToken)
    {
        Tokens.Enqueue(cancellationToken);
        return a;
    }

    [Retry(2, DelayMs = 0)]
    [Timeout(100)]
    public partial int WithoutToken(int a);

    private int WithoutTokenCore(int a) => a + 1;

    private static async Task WhenCancelled(CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetResult()))
        {
            await cancelled.Task.WaitAsync(RegistryTest.HangGuard).ConfigureAwait(false);
        }
    }
}

public partial class AccessibilitySubject
{
    [Retry(2, DelayMs = 0)]
    public partial int PublicMethod(int x);

    private int PublicMethodCore(int x) => x + 1;

    [Retry(2, DelayMs = 0)]
    internal partial int InternalMethod(int x);

    private int InternalMethodCore(int x) => x + 2;

    [Retry(2, DelayMs = 0)]
    protected partial int ProtectedMethod(int x);

    private int ProtectedMethodCore(int x) => x + 3;

    [Retry(2, DelayMs = 0)]
    private partial int PrivateMethod(int x);

    private int PrivateMethodCore(int x) => x + 4;

    [Retry(2, DelayMs = 0)]
    private protected partial int PrivateProtectedMethod(int x);

    private int PrivateProtectedMethodCore(int x) => x + 5;

    [Retry(2, DelayMs = 0)]
    protected internal partial int ProtectedInternalMethod(int x);

    private int ProtectedInternalMethodCore(int x) => x + 6;

    public int[] CallAll() => new[]
    {
        PublicMethod(10), InternalMethod(10), ProtectedMethod(10), PrivateMethod(10), PrivateProtectedMethod(10), ProtectedInternalMethod(10),
    };
}

public partial class GenericHolder<T>
    where T : notnull
{
    [Retry(2, DelayMs = 0)]
    public partial T Identity(T value);

    private T IdentityCore(T value) => value;

    [CircuitBreaker(3)]
    public partial Task<T> IdentityAsync(T value);

    private Task<T> IdentityAsyncCore(T value) => Task.FromResult(value);
}

public partial class Outer
{
    public int CallPrivateNested(int x) => new PrivateNested().Triple(x);

    public partial class Inner
    {
        [Retry(2, DelayMs = 0)]
        public partial int Twice(int x);

        private int TwiceCore(int x) => x * 2;
    }

    private sealed partial class PrivateNested
    {
        [Retry(2, DelayMs = 0)]
        public partial int Triple(int x);

        private int TripleCore(int x) => x * 3;
    }
}

public static partial class StaticHolder
{
    [Retry(2, DelayMs = 0)]
    public static partial int Square(int x);

    private static int SquareCore(int x) => x * x;
}

public partial record RecordHolder(int Seed)
{
    [Retry(2, DelayMs = 0)]
    public partial int Next();

    private int NextCore() => Seed + 1;
}

public partial struct StructHolder
{
    public int Seed;

    [Retry(2, DelayMs = 0)]
    public partial int Next();

    private int NextCore() => Seed + 1;

    [Retry(2, DelayMs = 0)]
    public partial Task<int> NextAsync();

    private Task<int> NextAsyncCore() => Task.FromResult(Seed + 2);
}

public partial record struct PointHolder(int X, int Y)
{
    [Retry(2, DelayMs = 0)]
    public partial int Sum();

    private int SumCore() => X + Y;
}

[Collection(RegistryCollection.Name)]
public sealed class SignatureTests : RegistryTest
{
    private const string GenericConsumer = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Resilience;

        namespace GenericConsumer;

        public partial class Subject
        {
            [Retry(2, DelayMs = 0)]
            public partial T Echo<T>(T value);

            private T EchoCore<T>(T value) => value;

            [Retry(2, DelayMs = 0)]
            public partial Task<List<T>> WrapAsync<T>(T value);

            private Task<List<T>> WrapAsyncCore<T>(T value) => Task.FromResult(new List<T> { value });

            [Retry(2, DelayMs = 0)]
            public partial TOut Map<TIn, TOut>(TIn value, Func<TIn, TOut> convert);

            private TOut MapCore<TIn, TOut>(TIn value, Func<TIn, TOut> convert) => convert(value);
        }

        public partial class Holder<T>
            where T : notnull
        {
            [Retry(2, DelayMs = 0)]
            public partial TOut Convert<TOut>(T value, Func<T, TOut> convert);

            private TOut ConvertCore<TOut>(T value, Func<T, TOut> convert) => convert(value);
        }

        public static class Program
        {
            public static string Run()
            {
                var subject = new Subject();
                return string.Join(
                    "|",
                    subject.Echo(7),
                    "[" + string.Join(",", subject.WrapAsync("x").GetAwaiter().GetResult()) + "]",
                    subject.Map("ab", s => s.Length),
                    new Holder<string>().Convert("abc", s => s.Length));
            }
        }
        """;

    private readonly SignatureSubject _subject = new(offset: 100);

    [Fact]
    public void An_instance_method_runs_its_core_on_the_instance()
        => Assert.Equal(103, _subject.InstanceSum(1, 2));

    [Fact]
    public void A_static_method_runs_its_static_core()
        => Assert.Equal("hello ada", SignatureSubject.StaticGreet("ada"));

    [Fact]
    public void A_generic_method_with_an_interface_constraint()
    {
        Assert.Equal(7, _subject.Largest(3, 7));
        Assert.Equal("pear", _subject.Largest("apple", "pear"));
    }

    [Fact]
    public async Task A_generic_method_with_class_and_new_constraints()
    {
        Widget widget = await _subject.CreateAsync<Widget>(CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal("new widget", widget.Name);
    }

    [Fact]
    public void A_generic_method_with_a_struct_constraint()
    {
        Assert.Equal(4, _subject.FirstOrFallback(new[] { 4, 5 }, 9));
        Assert.Equal(9L, _subject.FirstOrFallback(Array.Empty<long>(), 9L));
    }

    [Fact]
    public async Task A_static_generic_ValueTask_method_with_a_rate_limit_key_and_an_optional_token()
    {
        Assert.Equal("value", await SignatureSubject.EchoAsync("value", "user").AsTask().WaitAsync(HangGuard));
        Assert.Equal(42, await SignatureSubject.EchoAsync(42, null, CancellationToken.None).AsTask().WaitAsync(HangGuard));
    }

    [Fact]
    public void Generic_methods_whose_signatures_use_unconstrained_type_parameters_compile_and_run()
    {
        // Built in memory: while the generator rejects these signatures (RES0002), they would fail this project's build.
        Assembly consumer = ConsumerBuild.Build(GenericConsumer, OptimizationLevel.Debug);

        Assert.Equal("7|[x]|2|3", ConsumerBuild.Call(consumer, "GenericConsumer.Program", "Run"));
    }

    [Fact]
    public async Task A_generic_containing_type()
    {
        var holder = new GenericHolder<string>();

        Assert.Equal("x", holder.Identity("x"));
        Assert.Equal("y", await holder.IdentityAsync("y").WaitAsync(HangGuard));
        Assert.Equal(5, await new GenericHolder<int>().IdentityAsync(5).WaitAsync(HangGuard));
    }

    [Fact]
    public void Nested_types_public_and_private()
    {
        Assert.Equal(8, new Outer.Inner().Twice(4));
        Assert.Equal(12, new Outer().CallPrivateNested(4));
    }

    [Fact]
    public void A_static_class()
        => Assert.Equal(49, StaticHolder.Square(7));

    [Fact]
    public void A_record()
        => Assert.Equal(11, new RecordHolder(10).Next());

    [Fact]
    public async Task A_struct()
    {
        var holder = new StructHolder { Seed = 20 };

        Assert.Equal(21, holder.Next());
        Assert.Equal(22, await holder.NextAsync().WaitAsync(HangGuard));
    }

    [Fact]
    public void A_record_struct()
        => Assert.Equal(7, new PointHolder(3, 4).Sum());

    [Fact]
    public void Every_accessibility()
        => Assert.Equal(new[] { 11, 12, 13, 14, 15, 16 }, new AccessibilitySubject().CallAll());

    [Fact]
    public void A_void_method()
    {
        _subject.Record("void");

        Assert.Equal(new[] { "void" }, _subject.Log);
    }

    [Fact]
    public async Task A_Task_method()
    {
        await _subject.RecordAsync("task").WaitAsync(HangGuard);

        Assert.Equal(new[] { "task" }, _subject.Log);
    }

    [Fact]
    public async Task A_ValueTask_method()
    {
        await _subject.RecordValueTaskAsync("value task").AsTask().WaitAsync(HangGuard);

        Assert.Equal(new[] { "value task" }, _subject.Log);
    }

    [Fact]
    public async Task A_Task_of_T_method()
        => Assert.Equal("ABC", await _subject.UpperAsync("abc").WaitAsync(HangGuard));

    [Fact]
    public async Task A_ValueTask_of_T_method_whose_core_completes_asynchronously()
        => Assert.Equal("abc", await _subject.LowerAsync("ABC").AsTask().WaitAsync(HangGuard));

    [Fact]
    public void In_parameters()
    {
        long a = 1;
        var b = new LargeValue(2, 3, 4, 5);

        Assert.Equal(15, _subject.AddIn(in a, in b));
    }

    [Fact]
    public async Task In_parameters_of_an_asynchronous_method()
    {
        long a = 10;
        var b = new LargeValue(2, 3, 4, 5);

        Assert.Equal(24, await _subject.AddInAsync(in a, in b).AsTask().WaitAsync(HangGuard));
    }

    [Fact]
    public void A_params_parameter()
    {
        Assert.Equal(6, _subject.SumAll(1, 2, 3));
        Assert.Equal(0, _subject.SumAll());
    }

    [Fact]
    public void Optional_parameters_keep_their_defaults()
    {
        Assert.Equal("bolt x3.", _subject.Describe("bolt"));
        Assert.Equal("nut x5!", _subject.Describe("nut", 5, "!"));
    }

    [Fact]
    public void Nullable_parameters_and_return()
    {
        Assert.Null(_subject.Echo(null, null, null));
        Assert.Equal("a|1|w", _subject.Echo("a", 1, new Widget { Name = "w" }));
    }

    [Fact]
    public void Parameters_named_with_keywords()
        => Assert.Equal(5, _subject.Keywords(8, 3));

    [Fact]
    public void Overloads_each_get_their_own_implementation()
    {
        Assert.Equal(8, _subject.Overloaded(4));
        Assert.Equal("abab", _subject.Overloaded("ab"));
    }

    [Fact]
    public async Task A_token_as_the_first_parameter_is_linked_to_the_callers()
    {
        using var caller = new CancellationTokenSource();
        Task<string> call = _subject.TokenFirstAsync(caller.Token, "a", 1);
        Assert.False(call.IsCompleted);

        caller.Cancel();

        Assert.Equal("first a1", await call.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_token_as_a_middle_parameter_is_linked_to_the_callers()
    {
        using var caller = new CancellationTokenSource();
        Task<string> call = _subject.TokenMiddleAsync("b", caller.Token, 2);
        Assert.False(call.IsCompleted);

        caller.Cancel();

        Assert.Equal("middle b2", await call.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_token_as_the_last_parameter_is_linked_to_the_callers()
    {
        using var caller = new CancellationTokenSource();
        Task<string> call = _subject.TokenLastAsync("c", 3, caller.Token);
        Assert.False(call.IsCompleted);

        caller.Cancel();

        Assert.Equal("last c3", await call.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_synchronous_methods_token_is_linked_to_the_callers()
    {
        using var caller = new CancellationTokenSource();
        Task<string> call = Task.Run(() => _subject.TokenMiddleSync("d", caller.Token, 4));
        WaitUntil(() => _subject.Log.Contains("entered"), "the core started");

        caller.Cancel();

        Assert.Equal("sync d4", await call.WaitAsync(HangGuard));
    }

    [Fact]
    public void Without_a_timeout_the_core_receives_the_callers_own_token()
    {
        using var caller = new CancellationTokenSource();

        Assert.Equal(5, _subject.PassThrough(5, caller.Token));

        Assert.Equal(caller.Token, Assert.Single(_subject.Tokens));
    }

    [Fact]
    public void A_method_without_a_token()
        => Assert.Equal(2, _subject.WithoutToken(1));
}
