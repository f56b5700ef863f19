using Microsoft.CodeAnalysis.Testing;
using Resilience.CodeFixes;
using Resilience.Generators;
using Fix = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.IneffectiveSettingAnalyzer, Resilience.CodeFixes.RemoveSettingCodeFixProvider>;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.IneffectiveSettingAnalyzer>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0106: a setting that has no effect, and its fix, removing it.</summary>
public sealed class IneffectiveSettingTests
{
    private const string Key = "RES0106" + RemoveSettingCodeFixProvider.KeySuffix;
    private const string ConsecutiveMode = "FailureRatio and SlowCallDurationMs are 0, so the breaker opens on consecutive failures and measures no ratio";
    private const string ConsecutiveAdvice = "remove it, or set FailureRatio (or SlowCallDurationMs) to open on a ratio";

    private static DiagnosticResult Ineffective(int location, string setting, string why, string advice)
        => V.Diagnostic(DiagnosticDescriptors.IneffectiveSetting).WithLocation(location).WithArguments(setting, why, advice);

    private static string Method(string attributes) => $$"""
        public partial class C
        {
            {{attributes}}
            public partial Task<int> GetAsync(CancellationToken ct);
            private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1);
        }
        """;

    [Fact]
    public Task A_retry_of_one_attempt_is_reported_on_MaxAttempts()
        => V.AnalyzerAsync(
            Method("[Retry({|#0:1|}, DelayMs = 500)]"),
            Ineffective(0, "[Retry] with MaxAttempts 1", "the first attempt is the only one, so nothing is retried", "allow at least 2 attempts, or remove [Retry]")
                .WithMessage("[Retry] with MaxAttempts 1 has no effect: the first attempt is the only one, so nothing is retried; allow at least 2 attempts, or remove [Retry]"));

    [Fact]
    public Task A_failure_threshold_in_ratio_mode_is_reported()
        => V.AnalyzerAsync(
            Method("[CircuitBreaker({|#0:3|}, FailureRatio = 0.5)]"),
            Ineffective(0, "CircuitBreakerAttribute.FailureThreshold", "FailureRatio is 0.5, so the breaker opens on the failure ratio, not on consecutive failures", "remove it"));

    [Fact]
    public Task Ratio_settings_in_consecutive_mode_are_reported()
        => V.AnalyzerAsync(
            Method("[CircuitBreaker(5, {|#0:MinimumThroughput = 20|}, {|#1:SamplingDurationMs = 10_000|})]"),
            Ineffective(0, "CircuitBreakerAttribute.MinimumThroughput", ConsecutiveMode, ConsecutiveAdvice),
            Ineffective(1, "CircuitBreakerAttribute.SamplingDurationMs", ConsecutiveMode, ConsecutiveAdvice));

    [Fact]
    public Task A_slow_call_ratio_without_a_slow_call_duration_is_reported()
        => V.AnalyzerAsync(
            Method("[CircuitBreaker(5, {|#0:SlowCallRatio = 0.5|})]"),
            Ineffective(0, "CircuitBreakerAttribute.SlowCallRatio", "SlowCallDurationMs is 0, so no call is ever slow", "remove it, or set SlowCallDurationMs to the duration above which a call is slow"));

    [Fact]
    public Task A_slow_call_duration_no_shorter_than_the_per_attempt_timeout_is_reported()
        => V.AnalyzerAsync(
            Method("[CircuitBreaker(5, {|#0:SlowCallDurationMs = 2_000|})] [Timeout(2_000)]"),
            Ineffective(0, "CircuitBreakerAttribute.SlowCallDurationMs", "the per-attempt [Timeout] of 2 000 ms ends every attempt (as a failure) before it can be slow", "make it shorter than the timeout"));

    [Fact]
    public Task A_wait_without_a_queue_is_reported()
        => V.AnalyzerAsync(
            Method("[Bulkhead(4, {|#0:MaxWaitMs = 500|})]"),
            Ineffective(0, "BulkheadAttribute.MaxWaitMs", "MaxQueue is 0, so no call ever waits for a slot", "remove it, or let calls wait with MaxQueue"));

    [Fact]
    public Task Rejections_in_Handle_are_reported_on_their_entries()
        => V.AnalyzerAsync(
            Method("[Retry(Handle = new[] { typeof(TimeoutException), {|#0:typeof(BrokenCircuitException)|} })] [CircuitBreaker(Handle = new[] { {|#1:typeof(BulkheadRejectedException)|} })]"),
            Ineffective(0, "BrokenCircuitException in RetryAttribute.Handle", "a rejection by the circuit breaker, bulkhead or rate limit is never retried", "remove it"),
            Ineffective(1, "BulkheadRejectedException in CircuitBreakerAttribute.Handle", "a rejection by the circuit breaker, bulkhead or rate limit never counts as a failure", "remove it"));

    [Theory]
    [InlineData("[Retry(2)]")]
    [InlineData("[Retry]")]
    [InlineData("[CircuitBreaker(5, FailureRatio = 0.5)]")]
    [InlineData("[CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20, SamplingDurationMs = 10_000)]")]
    [InlineData("[CircuitBreaker(3, SamplingDurationMs = 30_000)]")]
    [InlineData("[CircuitBreaker(3, SlowCallDurationMs = 2_000, MinimumThroughput = 20, SamplingDurationMs = 10_000)]")]
    [InlineData("[CircuitBreaker(3, SlowCallDurationMs = 2_000, SlowCallRatio = 0.5)]")]
    [InlineData("[CircuitBreaker(3, SlowCallDurationMs = 1_000)] [Timeout(2_000)]")]
    [InlineData("[CircuitBreaker(3, SlowCallDurationMs = 2_000)] [Timeout(2_000, Scope = TimeoutScope.Total)]")]
    [InlineData("[CircuitBreaker(3, SlowCallDurationMs = 2_000)] [Timeout(2_000)] [Bulkhead(2, MaxQueue = 10)]")]
    [InlineData("[Bulkhead(4, MaxQueue = 0, MaxWaitMs = 0)]")]
    [InlineData("[Bulkhead(4, MaxQueue = 10, MaxWaitMs = 500)]")]
    [InlineData("[Fallback(nameof(Cached), Handle = new[] { typeof(BrokenCircuitException) })]")]
    [InlineData("[Retry(Ignore = new[] { typeof(BrokenCircuitException) })]")]
    public Task Settings_that_matter_and_defaults_written_out_are_not_reported(string attributes)
        => V.AnalyzerAsync(
            $$"""
            public partial class C
            {
                {{attributes}}
                public partial Task<int> GetAsync(CancellationToken ct);
                private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1);
                private int Cached(CancellationToken ct) => 0;
            }
            """);

    [Fact]
    public Task Fix_removes_a_constructor_argument()
        => Fix.CodeFixAsync(
            Method("[CircuitBreaker({|#0:3|}, FailureRatio = 0.5)]"),
            new[] { Ineffective(0, "CircuitBreakerAttribute.FailureThreshold", "FailureRatio is 0.5, so the breaker opens on the failure ratio, not on consecutive failures", "remove it") },
            Method("[CircuitBreaker(FailureRatio = 0.5)]"),
            Key);

    [Fact]
    public Task Fix_removes_a_named_argument()
        => Fix.CodeFixAsync(
            Method("[Bulkhead(4, {|#0:MaxWaitMs = 500|})]"),
            new[] { Ineffective(0, "BulkheadAttribute.MaxWaitMs", "MaxQueue is 0, so no call ever waits for a slot", "remove it, or let calls wait with MaxQueue") },
            Method("[Bulkhead(4)]"),
            Key);

    [Fact]
    public Task Fix_all_removes_every_argument_and_the_emptied_list()
        => Fix.CodeFixAsync(
            Method("[CircuitBreaker({|#0:MinimumThroughput = 20|}, {|#1:SamplingDurationMs = 10_000|})]"),
            new[]
            {
                Ineffective(0, "CircuitBreakerAttribute.MinimumThroughput", ConsecutiveMode, ConsecutiveAdvice),
                Ineffective(1, "CircuitBreakerAttribute.SamplingDurationMs", ConsecutiveMode, ConsecutiveAdvice),
            },
            Method("[CircuitBreaker]"),
            Key);

    [Fact]
    public Task Fix_removes_a_rejection_from_Handle()
        => Fix.CodeFixAsync(
            Method("[Retry(Handle = new[] { {|#0:typeof(RateLimitRejectedException)|}, typeof(TimeoutException) })]"),
            new[] { Ineffective(0, "RateLimitRejectedException in RetryAttribute.Handle", "a rejection by the circuit breaker, bulkhead or rate limit is never retried", "remove it") },
            Method("[Retry(Handle = new[] { typeof(TimeoutException) })]"),
            Key);

    [Fact]
    public Task No_fix_for_a_retry_of_one_attempt_nor_for_a_rejection_alone_in_Handle()
        => Fix.NoCodeFixAsync(
            Method("[Retry({|#0:1|}, Handle = new[] { {|#1:typeof(ResilienceRejectedException)|} })]"),
            new[]
            {
                Ineffective(0, "[Retry] with MaxAttempts 1", "the first attempt is the only one, so nothing is retried", "allow at least 2 attempts, or remove [Retry]"),
                Ineffective(1, "ResilienceRejectedException in RetryAttribute.Handle", "a rejection by the circuit breaker, bulkhead or rate limit is never retried", "remove it"),
            },
            Key);
}
