using Microsoft.CodeAnalysis;
using Resilience.Generators.Tests.Infrastructure;

namespace Resilience.Generators.Tests.Diagnostics;

/// <summary>RES0001 to RES0006: reported where the problem is, with a message that says what to do, and alone.</summary>
public sealed class GeneratorDiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    [Fact]
    public void RES0001_a_method_that_is_not_partial_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public int Get() => 1; }",
            "RES0001", "Get");

        Assert.Equal("The method 'Get' is not partial: declare it 'partial' without a body, in types that are all 'partial', and implement 'GetCore' instead", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0001_names_the_containing_type_that_is_not_partial()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public class Outer { public partial class C { [Retry] public partial int Get(); private int GetCore() => 1; } }");

        Diagnostic diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("RES0001", diagnostic.Id);
        Assert.Contains("is in the type 'Outer', which is not partial", diagnostic.GetMessage());
        Assert.Empty(outcome.Sources);
    }

    [Fact]
    public void RES0002_a_missing_core_is_reported_alone_without_CS8795()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial Task<int> GetAsync(string id, CancellationToken ct); }",
            "RES0002", "GetAsync");

        Assert.Equal("The method 'GetAsync' needs an implementation with the same parameters and return type, 'Task<int> GetAsyncCore(string id, CancellationToken ct)', but no method 'GetAsyncCore' exists in 'C'; add it to the type", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0002_says_how_the_core_differs()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial int Get(string id); private int GetCore(int id) => id; }",
            "RES0002", "Get");

        Assert.Contains("'GetCore' takes 'int' as parameter 1, not 'string'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("#nullable enable")]
    [InlineData("#nullable disable")]
    public void A_generic_core_with_the_same_signature_matches_with_nullable_annotations_on_or_off(string context)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + context + """

            public partial class C
            {
                [Retry] public partial T Echo<T>(T value, System.Collections.Generic.List<T> all);
                private T EchoCore<T>(T value, System.Collections.Generic.List<T> all) => value;
                [Fallback(nameof(Default))] public partial Task<T> GetAsync<T>(T value);
                private Task<T> GetAsyncCore<T>(T value) => Task.FromResult(value);
                private T Default<T>(T value) => value;
            }
            """);

        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
    }

    [Fact]
    public void RES0003_a_ref_parameter_is_reported_on_the_parameter_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial int Get(ref int value); private int GetCore(ref int value) => value; }",
            "RES0003", "value");

        Assert.Contains("the parameter 'value' is 'ref'", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_a_span_in_an_async_method_is_reported()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial Task<int> GetAsync(ReadOnlySpan<byte> data); private Task<int> GetAsyncCore(ReadOnlySpan<byte> data) => Task.FromResult(0); }",
            "RES0003", "data");

        Assert.Contains("cannot keep across an await", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_a_method_in_an_interface_is_reported_and_nothing_is_generated()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial interface IClient { [Retry] public partial int Get(); }");

        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "RES0003" && d.GetMessage().Contains("declared in an interface", StringComparison.Ordinal));
        Assert.Empty(outcome.Sources);
    }

    [Theory]
    [InlineData("[Retry(0)]", "0", "RetryAttribute.MaxAttempts is 0; it must be at least 1")]
    [InlineData("[Retry(DelayMs = 5_000, MaxDelayMs = 1_000)]", "DelayMs = 5_000", "RetryAttribute.DelayMs is 5 000; it must be at most RetryAttribute.MaxDelayMs (1 000); raise MaxDelayMs or lower DelayMs")]
    [InlineData("[CircuitBreaker(FailureRatio = 1.5)]", "FailureRatio = 1.5", "CircuitBreakerAttribute.FailureRatio is 1.5; it must be 0 (off) or in (0, 1]")]
    [InlineData("[CircuitBreaker(BreakDurationMs = 0)]", "BreakDurationMs = 0", "CircuitBreakerAttribute.BreakDurationMs is 0; it must be at least 1")]
    [InlineData("[Timeout(-5)]", "-5", "TimeoutAttribute.Milliseconds is -5; it must be at least 1")]
    [InlineData("[Bulkhead(0)]", "0", "BulkheadAttribute.MaxConcurrency is 0; it must be at least 1")]
    [InlineData("[RateLimit(10, 0)]", "0", "RateLimitAttribute.WindowMs is 0; it must be at least 1")]
    [InlineData("[RateLimit(10, 1_000, Distributed = true, DistributedBatch = 20)]", "DistributedBatch = 20", "RateLimitAttribute.DistributedBatch is 20; it must be at most the permits of a window (10); lower DistributedBatch, or set it to 0 to take each permit from the store")]
    [InlineData("[RateLimit(10, 1_000, DistributedBatch = -1)]", "DistributedBatch = -1", "RateLimitAttribute.DistributedBatch is -1; it must be at least 0")]
    [InlineData("[CircuitBreaker(SlowCallDurationMs = -1)]", "SlowCallDurationMs = -1", "CircuitBreakerAttribute.SlowCallDurationMs is -1; it must be at least 0")]
    [InlineData("[CircuitBreaker(SlowCallDurationMs = 1_000, SlowCallRatio = 0)]", "SlowCallRatio = 0", "CircuitBreakerAttribute.SlowCallRatio is 0; it must be in (0, 1]")]
    [InlineData("[CircuitBreaker(SlowCallDurationMs = 1_000, SlowCallRatio = 1.2)]", "SlowCallRatio = 1.2", "CircuitBreakerAttribute.SlowCallRatio is 1.2; it must be in (0, 1]")]
    [InlineData("[CircuitBreaker(MaxBreakDurationMs = -1)]", "MaxBreakDurationMs = -1", "CircuitBreakerAttribute.MaxBreakDurationMs is -1; it must be at least 0")]
    [InlineData("[CircuitBreaker(BreakDurationMs = 30_000, MaxBreakDurationMs = 10_000)]", "MaxBreakDurationMs = 10_000", "CircuitBreakerAttribute.MaxBreakDurationMs is 10 000; it must be 0 (a break that does not grow) or at least CircuitBreakerAttribute.BreakDurationMs (30 000); raise it, or lower BreakDurationMs")]
    [InlineData("[Retry(MaxRetryRatio = -0.5)]", "MaxRetryRatio = -0.5", "RetryAttribute.MaxRetryRatio is -0.5; it must be 0 (off) or in (0, 1]")]
    [InlineData("[Retry(MaxRetryRatio = 2)]", "MaxRetryRatio = 2", "RetryAttribute.MaxRetryRatio is 2; it must be 0 (off) or in (0, 1]")]
    [InlineData("[Retry(Handle = new[] { typeof(string) })]", "Handle = new[] { typeof(string) }", "RetryAttribute.Handle is 'string'; it must be a list of exception types (deriving from System.Exception)")]
    [InlineData("[CachedFallback(0)]", "0", "CachedFallbackAttribute.DurationMs is 0; it must be at least 1")]
    [InlineData("[CachedFallback(300_000, MaxEntries = 0)]", "MaxEntries = 0", "CachedFallbackAttribute.MaxEntries is 0; it must be at least 1")]
    public void RES0004_an_invalid_value_is_reported_on_its_argument(string attribute, string argument, string message)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ {attribute} public partial int Get(CancellationToken ct); private int GetCore(CancellationToken ct) => 1; }}",
            "RES0004", argument);

        Assert.Equal(message, diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_hedging_on_a_synchronous_method_is_reported_on_the_attribute()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Hedging(2)] public partial int Get(CancellationToken ct); private int GetCore(CancellationToken ct) => 1; }",
            "RES0003", "Hedging(2)");

        Assert.Equal("The method 'Get' cannot be made resilient: it has [Hedging], which runs attempts side by side and needs an asynchronous method; return Task, Task<T>, ValueTask or ValueTask<T>, or remove [Hedging]", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[Hedging(1)]", "1", "HedgingAttribute.MaxAttempts is 1; it must be between 2 and 10")]
    [InlineData("[Hedging(11)]", "11", "HedgingAttribute.MaxAttempts is 11; it must be between 2 and 10")]
    [InlineData("[Hedging(DelayMs = -2)]", "DelayMs = -2", "HedgingAttribute.DelayMs is -2; it must be at least 0, or -1 (Timeout.Infinite) for a new attempt only when one fails")]
    public void RES0004_an_invalid_hedging_value_is_reported_on_its_argument(string attribute, string argument, string message)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ {attribute} public partial Task<int> GetAsync(CancellationToken ct); private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1); }}",
            "RES0004", argument);

        Assert.Equal(message, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[Hedging(DelayMs = -1)]")]
    [InlineData("[Hedging(DelayMs = Timeout.Infinite)]")]
    [InlineData("[Hedging(10, DelayMs = 0)]")]
    public void Hedging_values_at_the_ends_of_their_ranges_are_accepted(string attribute)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + $"public partial class C {{ {attribute} public partial Task<int> GetAsync(CancellationToken ct); private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1); }}");

        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.NotEmpty(outcome.Sources);
    }

    [Fact]
    public void RES0005_a_missing_fallback_is_reported_on_the_attribute_argument()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Fallback(\"Cached\")] public partial Task<int> GetAsync(string id); private Task<int> GetAsyncCore(string id) => Task.FromResult(1); }",
            "RES0005", "\"Cached\"");

        Assert.Equal("The fallback method 'Cached' of 'GetAsync' was not found in 'C'; declare it as 'int Cached(string id, Exception error)' (or returning 'Task<int>'; the Exception parameter is optional, or may be an Outcome<int>)", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0005_a_should_retry_of_the_wrong_signature_is_reported()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry(ShouldRetry = nameof(Check))] public partial int Get(); private int GetCore() => 1; private bool Check(string s) => true; }",
            "RES0005", "ShouldRetry = nameof(Check)");

        Assert.Equal("The ShouldRetry method 'Check' of 'Get' has the wrong signature; declare it as 'bool Check(Exception exception)'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[Retry(HandleResult = \"Missing\")]", "HandleResult = \"Missing\"", "The HandleResult method 'Missing' of 'Get' was not found in 'C'; declare it as 'bool Missing(int result)'")]
    [InlineData("[CircuitBreaker(HandleResult = nameof(Check))]", "HandleResult = nameof(Check)", "The HandleResult method 'Check' of 'Get' has the wrong signature; declare it as 'bool Check(int result)'")]
    [InlineData("[Fallback(nameof(Other), HandleResult = nameof(Check))]", "HandleResult = nameof(Check)", "The HandleResult method 'Check' of 'Get' has the wrong signature; declare it as 'bool Check(int result)'")]
    public void RES0005_a_HandleResult_that_cannot_judge_the_result_is_reported(string attribute, string argument, string message)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ {attribute} public partial int Get(); private int GetCore() => 1; private bool Check(string s) => true; private int Other() => 0; }}",
            "RES0005", argument);

        Assert.Equal(message, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("public partial Task<int> GetAsync(); private Task<int> GetAsyncCore() => Task.FromResult(1); private TimeSpan Wait(Outcome<int> o, int a) => default;", "'TimeSpan? Wait(Outcome<int> outcome, int attempt)'")]
    [InlineData("public partial Task RunAsync(); private Task RunAsyncCore() => Task.CompletedTask; private TimeSpan? Wait(Outcome<int> o, int a) => null;", "'TimeSpan? Wait(Exception exception, int attempt)'")]
    public void RES0005_a_DelayGenerator_of_the_wrong_signature_is_reported(string members, string expected)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ [Retry(DelayGenerator = nameof(Wait))] {members} }}",
            "RES0005", "DelayGenerator = nameof(Wait)");

        Assert.Contains("has the wrong signature; declare it as " + expected, diagnostic.GetMessage());
    }

    [Fact]
    public void RES0005_a_HandleResult_on_a_method_without_a_result_is_reported()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry(HandleResult = nameof(Check))] public partial Task RunAsync(); private Task RunAsyncCore() => Task.CompletedTask; private bool Check(int r) => true; }",
            "RES0005", "HandleResult = nameof(Check)");

        Assert.Contains("cannot judge a result: the method returns none", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0005_a_fallback_taking_the_outcome_of_another_type_is_reported()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Fallback(nameof(Other))] public partial Task<int> GetAsync(); private Task<int> GetAsyncCore() => Task.FromResult(1); private int Other(Outcome<string> outcome) => 0; }",
            "RES0005", "nameof(Other)");

        Assert.Contains("takes 'Outcome<string>' as its last parameter, where only an Exception or an Outcome<int> may follow the method's parameters", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0006_a_shared_name_with_other_settings_is_reported_on_the_second_method()
    {
        Diagnostic diagnostic = Single(
            """
            public partial class C
            {
                [CircuitBreaker(5, Name = "payments")] public partial int First();
                private int FirstCore() => 1;
                [CircuitBreaker(10, Name = "payments", BreakDurationMs = 5_000)] public partial int Second();
                private int SecondCore() => 2;
            }
            """,
            "RES0006", "Second");

        Assert.Equal("The circuit breaker 'payments' is shared by 'C.First' and 'C.Second' with different settings (FailureThreshold 5 and 10, BreakDurationMs 30000 and 5000); give them the same settings or different names", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0006_the_second_method_of_a_conflicting_shared_name_is_generated_as_a_stub_that_throws_the_diagnostic()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class C
            {
                [Bulkhead(2, Name = "shared"), CircuitBreaker(5, Name = "shared")] public partial int A();
                private int ACore() => 1;
                [Bulkhead(3, Name = "shared"), CircuitBreaker(10, Name = "shared")] public partial int B();
                private int BCore() => 1;
            }
            """);

        // B conflicts with A twice, and is reported twice; its stub names the first conflict, A is generated as usual.
        Assert.Equal(2, outcome.GeneratorDiagnostics.Count(d => d.Id == "RES0006"));
        string generated = Assert.Single(outcome.Sources, s => s.HintName == "C.g.cs").Text.ReplaceLineEndings("\n");
        Assert.DoesNotContain("public partial int A()\n        => throw", generated, StringComparison.Ordinal);
        Assert.Contains("public partial int B()\n        => throw new global::System.InvalidOperationException(\"RES0006: The circuit breaker 'shared' is shared by 'C.A' and 'C.B'", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void RES0006_a_retry_budget_shared_with_another_ratio_is_reported_on_the_second_method()
    {
        Diagnostic diagnostic = Single(
            """
            public partial class C
            {
                [Retry(MaxRetryRatio = 0.1), Bulkhead(4, Name = "orders")] public partial int First();
                private int FirstCore() => 1;
                [Retry(MaxRetryRatio = 0.2), Bulkhead(4, Name = "orders")] public partial int Second();
                private int SecondCore() => 2;
            }
            """,
            "RES0006", "Second");

        Assert.Equal("The retry budget 'orders' is shared by 'C.First' and 'C.Second' with different settings (MaxRetryRatio 0.1 and 0.2); give them the same settings or different names", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0006_a_rate_limit_shared_with_another_algorithm_names_both_algorithms()
    {
        Diagnostic diagnostic = Single(
            """
            public partial class C
            {
                [RateLimit(10, 1_000, Name = "search")] public partial int First();
                private int FirstCore() => 1;
                [RateLimit(10, 1_000, Name = "search", Algorithm = RateLimitAlgorithm.SlidingWindow)] public partial int Second();
                private int SecondCore() => 2;
            }
            """,
            "RES0006", "Second");

        Assert.Contains("(Algorithm TokenBucket and SlidingWindow)", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("RateLimitKey", "[RateLimit]")]
    [InlineData("CircuitBreakerKey", "[CircuitBreaker]")]
    public void RES0004_a_key_attribute_without_its_policy_is_reported_on_the_parameter(string key, string policy)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ [Retry] public partial int Get([{key}] string tenant); private int GetCore(string tenant) => 1; }}",
            "RES0004", "tenant");

        Assert.Equal($"{key}Attribute is on 'tenant' of a method without {policy}; it must be used together with {policy} on the method", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("RateLimitKey", "[RateLimit(5, 1_000)]")]
    [InlineData("CircuitBreakerKey", "[CircuitBreaker]")]
    public void RES0004_a_key_attribute_on_two_parameters_is_reported_on_the_second(string key, string policy)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ {policy} public partial int Get([{key}] string tenant, [{key}] string region); private int GetCore(string tenant, string region) => 1; }}",
            "RES0004", "region");

        Assert.Equal($"{key}Attribute is on 2 parameters; it must be on one parameter only; combine the values into one key (a tuple or a string)", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0006_a_breaker_name_used_with_and_without_a_key_is_reported()
    {
        Diagnostic diagnostic = Single(
            """
            public partial class C
            {
                [CircuitBreaker(Name = "inventory")] public partial int First(string sku);
                private int FirstCore(string sku) => 1;
                [CircuitBreaker(Name = "inventory")] public partial int Second([CircuitBreakerKey] string sku);
                private int SecondCore(string sku) => 2;
            }
            """,
            "RES0006", "Second");

        Assert.Contains("(CircuitBreakerKey none and string)", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[Bulkhead]", "BulkheadAttribute.MaxConcurrency is 0; it must be at least 1")]
    [InlineData("[RateLimit(5)]", "RateLimitAttribute.Permits is 0; it must be at least 1")]
    [InlineData("[Timeout]", "TimeoutAttribute.Milliseconds is 0; it must be at least 1")]
    public void A_value_the_attributes_constructor_requires_is_never_guessed(string attribute, string message)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + $"public partial class C {{ {attribute} public partial int Get(CancellationToken ct); private int GetCore(CancellationToken ct) => 1; }}");

        // The compiler reports the missing argument (with it, the attribute's constructor does not bind, so no value
        // of it is read); the generator reports a setting it cannot read and writes only a stub, no code from a guess.
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "RES0004" && d.GetMessage() == message);
        Assert.Contains("throw new global::System.InvalidOperationException(\"RES0004: " + message, Assert.Single(outcome.Sources).Text);
    }

    [Fact]
    public void Hooks_and_a_fallback_may_take_the_exception_as_nullable()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class C
            {
                [Retry(3, ShouldRetry = nameof(IsTransient), OnRetry = nameof(Log))]
                [Fallback(nameof(Cached))]
                public partial Task<int> GetAsync(string id, CancellationToken ct);
                private Task<int> GetAsyncCore(string id, CancellationToken ct) => Task.FromResult(1);
                private static bool IsTransient(Exception? error) => error is TimeoutException;
                private void Log(Exception? error, int attempt, TimeSpan delay) { }
                private int Cached(string id, CancellationToken ct, Exception? error) => 0;
            }
            """);

        Assert.Empty(outcome.AllDiagnostics);
    }

    [Fact]
    public void A_method_with_an_error_gets_a_stub_that_throws_and_no_other_code()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { [Retry(0)] public partial int Get(); private int GetCore() => 1; }");

        string source = Assert.Single(outcome.Sources).Text;
        Assert.Contains("=> throw new global::System.InvalidOperationException(\"RES0004: RetryAttribute.MaxAttempts is 0; it must be at least 1\");", source);
        Assert.DoesNotContain("GetCore(", source);
    }

    [Fact]
    public void Every_diagnostic_links_to_its_documentation_page()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { [Retry(0)] public partial int Get(); }");

        Assert.All(outcome.GeneratorDiagnostics, d =>
            Assert.Equal($"https://github.com/resilience-generators/resilience-generators/blob/main/docs/diagnostics/{d.Id}.md", d.Descriptor.HelpLinkUri));
    }

    /// <summary>Runs the generator, asserts that the only diagnostic of the whole build is <paramref name="id"/>, on <paramref name="spanText"/>.</summary>
    [Fact]
    public void RES0001_a_method_of_a_file_local_type_says_why_no_part_can_be_generated()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "file partial class C { [Retry] public partial int Get(); private int GetCore() => 1; }");

        Diagnostic diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("RES0001", diagnostic.Id);
        Assert.Contains("is in the file-local type 'C', whose parts must all be in one file", diagnostic.GetMessage());
        Assert.Empty(outcome.Sources);
    }

    [Theory]
    [InlineData("[Retry] int Inner() => 1; return Inner();", "Inner", "The method 'Inner' is a local function, which cannot be partial")]
    [InlineData("System.Func<int> inner = [Retry] () => 1; return inner();", "[Retry] () => 1", "The method '(lambda)' is a lambda, which cannot be partial")]
    public void RES0001_policy_attributes_on_a_local_function_or_lambda_are_reported_not_ignored(string body, string spanText, string message)
    {
        Diagnostic diagnostic = Single($"public class C {{ public int Run() {{ {body} }} }}", "RES0001", spanText);

        Assert.StartsWith(message, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public int Count { [Retry] get => 1; }", "get", "The method 'Count.get' is a property accessor, which the generator does not write (only partial methods are)")]
    [InlineData("public int Count { get; [Timeout(100)] set; }", "set", "The method 'Count.set' is a property accessor, which the generator does not write (only partial methods are)")]
    [InlineData("public int Count { get; [Retry] init; }", "init", "The method 'Count.init' is a property accessor, which the generator does not write (only partial methods are)")]
    [InlineData("public int this[int i] { [Retry] get => i; }", "get", "The method 'this[].get' is an indexer accessor, which the generator does not write (only partial methods are)")]
    [InlineData("public event System.Action Changed { [Retry] add { } remove { } }", "add", "The method 'Changed.add' is an event accessor, which the generator does not write (only partial methods are)")]
    [InlineData("[Retry] public static C operator +(C a, C b) => a;", "+", "The method 'operator +' is an operator, which cannot be partial")]
    [InlineData("[Retry] public static explicit operator int(C c) => 1;", "int", "The method 'explicit operator int' is a conversion operator, which cannot be partial")]
    [InlineData("[Retry] ~C() { }", "C", "The method '~C' is a finalizer, which cannot be partial")]
    public void RES0001_policy_attributes_on_an_accessor_an_operator_or_a_finalizer_are_reported_not_ignored(string member, string spanText, string message)
    {
        Diagnostic diagnostic = Single($"public partial class C {{ {member} }}", "RES0001", spanText);

        Assert.StartsWith(message, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void RES0002_a_core_that_constrains_a_type_parameter_more_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial T Get<T>(T value); private T GetCore<T>(T value) where T : class, System.IDisposable => value; }",
            "RES0002", "Get");

        Assert.Contains("'GetCore' constrains 'T' to 'class', which 'Get' does not; change it to match", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0002_an_async_void_core_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial void Fire(int x); private async void FireCore(int x) => await Task.Yield(); }",
            "RES0002", "Fire");

        Assert.Contains("'FireCore' is 'async void', whose failures no policy can see", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_an_asynchronous_instance_method_of_a_ref_struct_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "public ref partial struct S { [Retry] public partial Task<int> GetAsync(CancellationToken ct); private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1); }",
            "RES0003", "Task<int>");

        Assert.Contains("asynchronous instance method of the ref struct 'S'", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_a_ref_return_is_reported_alone_and_its_stub_returns_by_reference_too()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { private int _v; [Retry] public partial ref readonly int Get(); private ref readonly int GetCore() => ref _v; }");

        Diagnostic diagnostic = Assert.Single(outcome.AllDiagnostics);
        Assert.Equal("RES0003", diagnostic.Id);
        Assert.Contains("public partial ref readonly int Get()", Assert.Single(outcome.Sources).Text);
    }

    [Fact]
    public void RES0003_an_out_parameter_is_reported_on_the_parameter_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [Retry] public partial int Get(out int value); private int GetCore(out int value) { value = 1; return 1; } }",
            "RES0003", "value");

        Assert.Contains("'out'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("System.Collections.Generic.IAsyncEnumerable<int>", "IAsyncEnumerable")]
    [InlineData("System.Runtime.CompilerServices.YieldAwaitable", "YieldAwaitable")]
    [InlineData("ReadOnlySpan<byte>", "ReadOnlySpan")]
    public void RES0003_a_return_type_outside_the_supported_ones_is_reported_alone(string returnType, string named)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ [Retry] public partial {returnType} Get(); private {returnType} GetCore() => default!; }}",
            "RES0003", returnType);

        Assert.Contains(named, diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_an_arglist_is_reported_alone()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { [Retry] public partial int Get(__arglist); private int GetCore(__arglist) => 1; }");

        Diagnostic diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("RES0003", diagnostic.Id);
        Assert.Contains("__arglist", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0003_a_pointer_parameter_of_an_asynchronous_method_is_reported()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public unsafe partial class C { [Retry] public partial Task<int> GetAsync(int* source); private Task<int> GetAsyncCore(int* source) => Task.FromResult(*source); }");

        Diagnostic diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("RES0003", diagnostic.Id);
        Assert.Contains("'source'", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0004_a_rate_limit_key_that_is_a_ref_struct_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [RateLimit(5, 1_000)] public partial int Get([RateLimitKey] ReadOnlySpan<char> key); private int GetCore(ReadOnlySpan<char> key) => key.Length; }",
            "RES0004", "key");

        Assert.Contains("RateLimitKeyAttribute is on 'key', a ReadOnlySpan<char>; it must be on a parameter whose value can be kept", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0004_a_file_local_exception_type_in_Handle_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "file sealed class QuotaException : Exception { } public partial class C { [Retry(Handle = new[] { typeof(QuotaException) })] public partial int Get(); private int GetCore() => 1; }",
            "RES0004", "Handle = new[] { typeof(QuotaException) }");

        Assert.Contains("'QuotaException', a file-local type; it must be a list of exception types the generated file can name", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0004_a_circuit_breaker_key_that_is_a_ref_struct_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "public partial class C { [CircuitBreaker(5)] public partial int Get([CircuitBreakerKey] Span<byte> key); private int GetCore(Span<byte> key) => key.Length; }",
            "RES0004", "key");

        Assert.Contains("CircuitBreakerKeyAttribute is on 'key', a Span<byte>; it must be on a parameter whose value can be kept", diagnostic.GetMessage());
    }

    [Fact]
    public void RES0004_a_file_local_exception_type_in_Ignore_is_reported_alone()
    {
        Diagnostic diagnostic = Single(
            "file sealed class QuotaException : Exception { } public partial class C { [Retry(Ignore = new[] { typeof(QuotaException) })] public partial int Get(); private int GetCore() => 1; }",
            "RES0004", "Ignore = new[] { typeof(QuotaException) }");

        Assert.Contains("'QuotaException', a file-local type; it must be a list of exception types the generated file can name", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[Fallback(\"Cahced\")]", "Cahced", "'Cahced' of 'Get' was not found in 'C' (did you mean 'Cached'?)")]
    [InlineData("[Fallback(\"cached\")]", "cached", "(did you mean 'Cached'?)")]
    [InlineData("[Retry(ShouldRetry = \"IsTransent\")]", "IsTransent", "(did you mean 'IsTransient'?)")]
    public void A_misspelt_method_name_is_answered_with_the_near_match(string attribute, string name, string expected)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { " + attribute + " public partial int Get(); private int GetCore() => 1; private int Cached() => 0; private static bool IsTransient(Exception e) => true; }");

        Diagnostic diagnostic = Assert.Single(outcome.AllDiagnostics);
        Assert.Equal("RES0005", diagnostic.Id);
        Assert.Contains(name, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Fallback(nameof(Cahced))]", "Cahced", "Cached")]
    [InlineData("[Retry(ShouldRetry = nameof(IsTransent))]", "IsTransent", "IsTransient")]
    public void A_misspelt_name_in_nameof_is_answered_with_the_near_match_beside_the_compilers_error(string attribute, string name, string nearest)
    {
        // nameof of a missing member is still its name: the compiler says it does not exist, RES0005 which one was meant.
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { " + attribute + " public partial int Get(); private int GetCore() => 1; private int Cached() => 0; private static bool IsTransient(Exception e) => true; }");

        Assert.Equal(new[] { "CS0103", "RES0005" }, outcome.AllDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        Diagnostic diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Contains($"'{name}' of 'Get' was not found in 'C' (did you mean '{nearest}'?)", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_far_from_every_method_gets_no_suggestion()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + "public partial class C { [Fallback(\"Backup\")] public partial int Get(); private int GetCore() => 1; private int Cached() => 0; }");

        Diagnostic diagnostic = Assert.Single(outcome.AllDiagnostics);
        Assert.DoesNotContain("did you mean", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public partial Task GetAsync(string id); private Task GetAsyncCore(string id) => Task.CompletedTask;", "it returns no result to keep")]
    [InlineData("public partial void Get(string id); private void GetCore(string id) { }", "it returns no result to keep")]
    [InlineData("public partial Task<System.Net.Http.HttpResponseMessage> GetAsync(string id); private Task<System.Net.Http.HttpResponseMessage> GetAsyncCore(string id) => Task.FromResult(new System.Net.Http.HttpResponseMessage());", "its result, of type 'HttpResponseMessage', is disposable")]
    [InlineData("public partial System.IO.Stream Get(string id); private System.IO.Stream GetCore(string id) => System.IO.Stream.Null;", "its result, of type 'Stream', is disposable")]
    [InlineData("public partial Task<T> GetAsync<T>(string id); private Task<T> GetAsyncCore<T>(string id) => Task.FromResult(default(T)!);", "its result, of type 'T', uses a type parameter of the method")]
    public void RES0018_a_result_that_cannot_be_kept_is_reported_on_the_attribute(string method, string why)
    {
        Diagnostic diagnostic = Single($"public partial class C {{ [CachedFallback(1_000)] {method} }}", "RES0018", "CachedFallback(1_000)");

        Assert.Contains(why, diagnostic.GetMessage());
        Assert.EndsWith("remove [CachedFallback], or return a value that can be kept and given to another caller", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("object", "a class compares by reference")]
    [InlineData("int[]", "an array compares by reference")]
    [InlineData("System.Collections.Generic.List<int>", "a class compares by reference")]
    [InlineData("(int, string)", "a struct may hold references")]
    public void RES0019_a_parameter_that_cannot_be_a_key_is_reported_on_the_parameter(string type, string why)
    {
        Diagnostic diagnostic = Single(
            $"public partial class C {{ [CachedFallback(1_000)] public partial Task<int> GetAsync(string id, {type} filter, CancellationToken ct); private Task<int> GetAsyncCore(string id, {type} filter, CancellationToken ct) => Task.FromResult(1); }}",
            "RES0019", "filter");

        Assert.StartsWith("The parameter 'filter' of 'GetAsync' is of type '", diagnostic.GetMessage());
        Assert.Contains(why, diagnostic.GetMessage());
    }

    [Fact]
    public void RES0019_a_parameter_of_a_type_parameter_is_reported()
    {
        Diagnostic diagnostic = Single(
            "public partial class C<T> { [CachedFallback(1_000)] public partial int Get(T id); private int GetCore(T id) => 1; }",
            "RES0019", "id");

        Assert.Contains("a type parameter may stand for a type that compares by reference", diagnostic.GetMessage());
    }

    [Fact]
    public void Every_supported_key_type_and_a_generic_containing_type_generate_without_diagnostics()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public enum Kind { A, B }
            public partial class C<TResult>
            {
                [CachedFallback(1_000)]
                public partial Task<TResult> GetAsync(string? s, bool b, char c, sbyte sb, byte by, short sh, ushort us, int i, uint ui, long l, ulong ul,
                    float f, double d, decimal m, Guid g, DateTime dt, DateTimeOffset dto, TimeSpan ts, Kind k, Kind? nk, int? ni, CancellationToken ct);
                private Task<TResult> GetAsyncCore(string? s, bool b, char c, sbyte sb, byte by, short sh, ushort us, int i, uint ui, long l, ulong ul,
                    float f, double d, decimal m, Guid g, DateTime dt, DateTimeOffset dto, TimeSpan ts, Kind k, Kind? nk, int? ni, CancellationToken ct) => Task.FromResult(default(TResult)!);
            }
            """);

        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
    }

    [Fact]
    public void CachedFallback_beside_every_other_policy_and_shape_compiles_without_warnings()
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + """
            public partial class Outer<TItem> where TItem : class
            {
                public partial struct Inner
                {
                    [Hedging(2, DelayMs = 10)]
                    [Timeout(1_000, Scope = TimeoutScope.Total)]
                    [Bulkhead(2)]
                    [CachedFallback(1_000)]
                    [Idempotent]
                    public partial Task<TItem?> HedgedAsync(int id, CancellationToken ct);
                    private Task<TItem?> HedgedAsyncCore(int id, CancellationToken ct) => Task.FromResult<TItem?>(null);

                    [Retry(2, DelayMs = 0)]
                    [Timeout(100)]
                    [RateLimit(10, 1_000)]
                    [CircuitBreaker(3)]
                    [Bulkhead(1, MaxQueue = 1)]
                    [CachedFallback(1_000, HandleResult = nameof(IsEmpty))]
                    [Fallback(nameof(Nothing))]
                    public static partial string Everything(in int id, string? name = null);
                    private static string EverythingCore(in int id, string? name = null) => "";
                    private static string Nothing(in int id, string? name, Exception error) => "";
                    private static bool IsEmpty(string result) => result.Length == 0;
                }
            }
            """);

        Assert.True(outcome.AllDiagnostics.Count == 0, "Diagnostics:\n" + string.Join("\n", outcome.AllDiagnostics));
        Assert.Contains(outcome.Sources, s => s.Text.Contains("__Everything_CachedFallback.Store(__cacheKey, __result);", StringComparison.Ordinal));
    }

    private static Diagnostic Single(string source, string id, string spanText)
    {
        GeneratorOutcome outcome = GeneratorHarness.Run(Usings + source);

        Diagnostic diagnostic = Assert.Single(outcome.AllDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        SyntaxTree tree = outcome.Output.SyntaxTrees.First();
        Assert.Equal(tree.FilePath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(spanText, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        return diagnostic;
    }
}
