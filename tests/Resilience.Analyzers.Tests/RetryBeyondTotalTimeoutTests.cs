using Microsoft.CodeAnalysis.Testing;
using Resilience.Generators;
using V = Resilience.Analyzers.Tests.Infrastructure.Verify<Resilience.Analyzers.RetryBeyondTotalTimeoutAnalyzer>;

namespace Resilience.Analyzers.Tests;

/// <summary>RES0102: the retries' delays alone outlast the total timeout, so later attempts can never run.</summary>
public sealed class RetryBeyondTotalTimeoutTests
{
    private static DiagnosticResult Budget(int attempts, string gap, string need, string total, string outcome)
        => V.Diagnostic(DiagnosticDescriptors.RetryBeyondTotalTimeout).WithLocation(0).WithLocation(1).WithArguments(Numbers.Format(attempts), gap, need, total, outcome);

    private static string Method(string attributes) => $$"""
        public partial class C
        {
            {{attributes}}
            public partial Task<int> GetAsync(CancellationToken ct);
            private Task<int> GetAsyncCore(CancellationToken ct) => Task.FromResult(1);
        }
        """;

    [Fact]
    public Task Five_attempts_a_second_apart_under_half_a_second_is_reported_on_MaxAttempts_naming_the_attempts()
        => V.AnalyzerAsync(
            Method("[Retry({|#0:5|}, DelayMs = 1_000, Backoff = BackoffKind.Constant)] [Timeout({|#1:500|}, Scope = TimeoutScope.Total)]"),
            Budget(5, "1 000", "4 000", "500", "attempts 2–5 can never run").WithMessage(
                "5 attempts with up to 1 000 ms between them need up to 4 000 ms, but the total timeout is 500 ms: attempts 2–5 can never run; "
                + "raise the timeout, or lower MaxAttempts, DelayMs or MaxDelayMs"));

    [Fact]
    public Task With_jitter_an_attempt_that_may_start_in_time_is_told_apart_from_one_that_never_can()
        => V.AnalyzerAsync(
            // Exponential from 200 ms: 200, 400, 800, 1 600, 3 200. Attempt 5 starts between 1 500 and 3 000 ms, attempt 6 at 3 100 ms at the earliest.
            Method("[Retry({|#0:6|})] [Timeout({|#1:2_000|}, Scope = TimeoutScope.Total)]"),
            Budget(6, "3 200", "6 200", "2 000", "attempt 5 runs only when the jitter draws short delays, and attempt 6 can never run"));

    [Fact]
    public Task When_jitter_alone_decides_the_message_says_so()
        => V.AnalyzerAsync(
            Method("[Retry({|#0:4|}, DelayMs = 1_000, Backoff = BackoffKind.Constant)] [Timeout({|#1:2_500|}, Scope = TimeoutScope.Total)]"),
            Budget(4, "1 000", "3 000", "2 500", "attempt 4 runs only when the jitter draws short delays"));

    [Fact]
    public Task Linear_backoff_without_jitter()
        => V.AnalyzerAsync(
            Method("[Retry({|#0:3|}, DelayMs = 1_000, Backoff = BackoffKind.Linear, Jitter = false)] [Timeout({|#1:2_000|}, Scope = TimeoutScope.Total)]"),
            Budget(3, "2 000", "3 000", "2 000", "attempt 3 can never run"));

    [Fact]
    public Task MaxDelayMs_caps_every_delay()
        => V.AnalyzerAsync(
            // 1 000, then 2 000 for each later retry: attempts 7 to 10 start at 11 000 to 17 000 ms, or half that with jitter.
            Method("[Retry({|#0:10|}, DelayMs = 1_000, MaxDelayMs = 2_000)] [Timeout({|#1:10_000|}, Scope = TimeoutScope.Total)]"),
            Budget(10, "2 000", "17 000", "10 000", "attempts 7–10 run only when the jitter draws short delays"));

    [Fact]
    public Task An_attempt_that_would_start_as_the_timeout_fires_can_never_run()
        => V.AnalyzerAsync(
            Method("[Retry({|#0:2|}, DelayMs = 500, Jitter = false)] [Timeout({|#1:500|}, Scope = TimeoutScope.Total)]"),
            Budget(2, "500", "500", "500", "attempt 2 can never run"));

    [Fact]
    public Task Defaults_unwritten_point_at_the_attribute()
        => V.AnalyzerAsync(
            Method("[{|#0:Retry|}] [Timeout({|#1:milliseconds: 300|}, Scope = TimeoutScope.Total)]"),
            Budget(3, "400", "600", "300", "attempt 3 can never run"));

    [Fact]
    public Task A_million_attempts_are_counted_not_walked()
        => V.AnalyzerAsync(
            // 1 000 ms apart without jitter: attempt 11 would start at 10 000 ms, when the timeout fires.
            Method("[Retry({|#0:1_000_000|}, DelayMs = 1_000, Backoff = BackoffKind.Constant, Jitter = false)] [Timeout({|#1:10_000|}, Scope = TimeoutScope.Total)]"),
            Budget(1_000_000, "1 000", "999 999 000", "10 000", "attempts 11–1 000 000 can never run"));

    [Fact]
    public Task Capped_exponential_delays_are_counted_past_the_cap()
        => V.AnalyzerAsync(
            // 100, 200, 400, 800, then 1 000 each: attempt 6 starts at 2 500 ms at the latest; at the earliest (half
            // with jitter) attempt 9 is the first at 2 500 ms or later (50 + 100 + 200 + 400 + 4 × 500 = 2 750 at 9, 2 250 at 8).
            Method("[Retry({|#0:100_000|}, DelayMs = 100, MaxDelayMs = 1_000)] [Timeout({|#1:2_500|}, Scope = TimeoutScope.Total)]"),
            Budget(100_000, "1 000", "99 996 500", "2 500", "attempts 6–8 run only when the jitter draws short delays, and attempts 9–100 000 can never run"));

    [Fact]
    public Task Counting_past_the_cap_keeps_an_attempt_found_while_the_delays_still_grew()
        => V.AnalyzerAsync(
            // 100, 200, 400, 800, 800, 800: attempt 3 starts at 300 ms, past the 250 ms; attempts 6 and 7 are counted.
            Method("[Retry({|#0:7|}, DelayMs = 100, MaxDelayMs = 800, Jitter = false)] [Timeout({|#1:250|}, Scope = TimeoutScope.Total)]"),
            Budget(7, "800", "3 100", "250", "attempts 3–7 can never run"));

    [Fact]
    public Task Growing_exponential_delays_after_the_last_attempt_found_are_summed_up_to_their_cap_and_past_it()
        => V.AnalyzerAsync(
            // 100, 200, 400 and 800 ms: attempt 5 starts at 1 500 ms. Then 1 600 to 51 200 ms, and 100 000 (102 400 capped).
            Method("[Retry({|#0:12|}, DelayMs = 100, MaxDelayMs = 100_000, Jitter = false)] [Timeout({|#1:1_000|}, Scope = TimeoutScope.Total)]"),
            Budget(12, "100 000", "202 300", "1 000", "attempts 5–12 can never run"));

    [Fact]
    public Task Growing_linear_delays_after_the_last_attempt_found_are_summed_up_to_their_cap_and_past_it()
        => V.AnalyzerAsync(
            // 1 000 and 2 000 ms: attempt 3 starts at 3 000 ms. Then 3 000 ms, and 3 500 (the cap) for the six retries after it.
            Method("[Retry({|#0:10|}, DelayMs = 1_000, MaxDelayMs = 3_500, Backoff = BackoffKind.Linear, Jitter = false)] [Timeout({|#1:2_500|}, Scope = TimeoutScope.Total)]"),
            Budget(10, "3 500", "27 000", "2 500", "attempts 3–10 can never run"));

    [Fact]
    public async Task Linear_delays_of_a_millisecond_without_a_cap_are_worked_out_not_walked()
    {
        // Linear from 1 ms, capped at int.MaxValue: the delays grow for all of the 2 147 483 645 retries. Attempt k starts
        // after (k - 1)k / 2 ms at the latest (142 is the first at 10 000 ms or later), a half of that at the earliest (201).
        Task analysis = V.AnalyzerAsync(
            Method("[Retry({|#0:int.MaxValue - 1|}, DelayMs = 1, MaxDelayMs = int.MaxValue, Backoff = BackoffKind.Linear)] [Timeout({|#1:10_000|}, Scope = TimeoutScope.Total)]"),
            Budget(int.MaxValue - 1, "2 147 483 645", "2 305 843 003 844 984 835", "10 000", "attempts 142–200 run only when the jitter draws short delays, and attempts 201–2 147 483 646 can never run"));

        // A guard only, generous for a busy machine (a TimeoutException fails the test): walked attempt by attempt, the
        // delays would take billions of steps to reach their cap.
        await analysis.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("[Retry(int.MaxValue, DelayMs = 100)] [Timeout(10_000, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(int.MaxValue, DelayMs = 0)] [Timeout(10_000, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(int.MaxValue - 1, DelayMs = 0)] [Timeout(10_000, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(5, DelayMs = 1_000)] [Timeout(500)]")]
    [InlineData("[Retry(3)] [Timeout(10_000, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(3, DelayMs = 100, Backoff = BackoffKind.Constant)] [Timeout(201, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(1)] [Timeout(10, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(5, DelayMs = 0)] [Timeout(10, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(5, DelayMs = 5_000, MaxDelayMs = 1_000)] [Timeout(10, Scope = TimeoutScope.Total)]")]
    [InlineData("[Retry(5)] [Timeout(0, Scope = TimeoutScope.Total)]")]
    [InlineData("[Timeout(10, Scope = TimeoutScope.Total)]")]
    public Task A_budget_that_fits_a_per_attempt_timeout_or_an_invalid_value_is_not_reported(string attributes)
        => V.AnalyzerAsync(Method(attributes));
}
