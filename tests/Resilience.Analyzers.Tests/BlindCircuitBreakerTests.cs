using Microsoft.CodeAnalysis.Testing;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.BlindCircuitBreakerAnalyzer>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0104: a circuit breaker whose window or break is too short to see what it should.</summary>
public sealed class BlindCircuitBreakerTests
{
    private const string WindowTooShort = "a call that times out takes {0} ms before it counts as a failure, so the window holds too few of them to judge the failure ratio";
    private const string BreakTooShort = "the breaker is half-open again by the time the next attempt comes, so every retry goes through as a probe and the break never holds a retrying call back";

    private static DiagnosticResult Window(string sampling, string twice, string perAttempt)
        => V.Diagnostic(DiagnosticDescriptors.BlindCircuitBreaker).WithLocation(0).WithLocation(1)
            .WithArguments("SamplingDurationMs", sampling, "twice the per-attempt timeout", twice, string.Format(WindowTooShort, perAttempt));

    private static DiagnosticResult Break(string breakDuration, string delay)
        => V.Diagnostic(DiagnosticDescriptors.BlindCircuitBreaker).WithLocation(0).WithLocation(1)
            .WithArguments("BreakDurationMs", breakDuration, "the retry's first delay", delay, BreakTooShort);

    private static string Method(string attributes) => $$"""
        public partial class C
        {
            {{attributes}}
            public partial Task<int> GetAsync(CancellationToken ct);
            private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1);
        }
        """;

    [Fact]
    public Task A_sampling_window_shorter_than_twice_the_per_attempt_timeout_is_reported_on_SamplingDurationMs()
        => V.AnalyzerAsync(
            Method("[CircuitBreaker(FailureRatio = 0.5, {|#0:SamplingDurationMs = 1_000|})] [Timeout({|#1:800|})]"),
            Window("1 000", "1 600", "800").WithMessage(
                "CircuitBreakerAttribute.SamplingDurationMs is 1 000 ms, shorter than twice the per-attempt timeout (1 600 ms): a call that times out takes 800 ms "
                + "before it counts as a failure, so the window holds too few of them to judge the failure ratio; make it at least 1 600 ms"));

    [Fact]
    public Task The_default_window_is_reported_on_the_attribute()
        => V.AnalyzerAsync(
            Method("[{|#0:CircuitBreaker(FailureRatio = 0.2)|}] [Timeout({|#1:20_000|})]"),
            Window("30 000", "40 000", "20 000"));

    [Fact]
    public Task A_break_shorter_than_the_first_retry_delay_is_reported_on_BreakDurationMs()
        => V.AnalyzerAsync(
            Method("[Retry(3, {|#1:DelayMs = 500|})] [CircuitBreaker(5, {|#0:BreakDurationMs = 100|})]"),
            Break("100", "500").WithMessage(
                "CircuitBreakerAttribute.BreakDurationMs is 100 ms, shorter than the retry's first delay (500 ms): the breaker is half-open again by the time the next attempt comes, "
                + "so every retry goes through as a probe and the break never holds a retrying call back; make it at least 500 ms"));

    [Fact]
    public Task The_default_retry_delay_points_at_the_Retry_attribute()
        => V.AnalyzerAsync(
            Method("[{|#1:Retry|}] [CircuitBreaker({|#0:BreakDurationMs = 150|})]"),
            Break("150", "200"));

    [Fact]
    public Task Both_at_once()
        => V.AnalyzerAsync(
            Method("[Retry({|#3:DelayMs = 5_000|})] [CircuitBreaker(FailureRatio = 0.5, {|#0:SamplingDurationMs = 1_000|}, {|#2:BreakDurationMs = 1_000|})] [Timeout({|#1:1_000|})]"),
            Window("1 000", "2 000", "1 000"),
            V.Diagnostic(DiagnosticDescriptors.BlindCircuitBreaker).WithLocation(2).WithLocation(3).WithArguments("BreakDurationMs", "1 000", "the retry's first delay", "5 000", BreakTooShort));

    [Theory]
    [InlineData("[CircuitBreaker(FailureRatio = 0.5, SamplingDurationMs = 1_600)] [Timeout(800)]")]
    [InlineData("[CircuitBreaker(5, SamplingDurationMs = 1_000)] [Timeout(800)]")]
    [InlineData("[CircuitBreaker(FailureRatio = 0.5, SamplingDurationMs = 1_000)] [Timeout(800, Scope = TimeoutScope.Total)]")]
    [InlineData("[CircuitBreaker(FailureRatio = 0.5, SamplingDurationMs = 1_000)]")]
    [InlineData("[CircuitBreaker(FailureRatio = 1.5, SamplingDurationMs = 1_000)] [Timeout(800)]")]
    [InlineData("[Retry(3, DelayMs = 500)] [CircuitBreaker(BreakDurationMs = 500)]")]
    [InlineData("[Retry(1, DelayMs = 500)] [CircuitBreaker(BreakDurationMs = 100)]")]
    [InlineData("[Retry(3, DelayMs = 0)] [CircuitBreaker(BreakDurationMs = 100)]")]
    [InlineData("[CircuitBreaker(BreakDurationMs = 100)]")]
    [InlineData("[Retry(3, DelayMs = 200)] [CircuitBreaker(5, BreakDurationMs = 30_000)] [Timeout(2_000)]")]
    public Task A_breaker_that_sees_enough_is_not_reported(string attributes)
        => V.AnalyzerAsync(Method(attributes));
}
