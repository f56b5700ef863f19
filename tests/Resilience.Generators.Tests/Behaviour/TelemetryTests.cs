using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.CodeAnalysis;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Resilience.Generators.Tests.Behaviour;

public partial class TelemetrySubject
{
    public const string BreakerName = "behaviour-telemetry-breaker";
    public const string BulkheadName = "behaviour-telemetry-bulkhead";
    public const string LimitName = "behaviour-telemetry-limit";

    public CoreScript Script { get; } = new();

    [CircuitBreaker(100, Name = BreakerName)]
    public partial Task<int> GuardedAsync(CancellationToken cancellationToken);

    private Task<int> GuardedAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Timeout(10_000)]
    public partial Task<int> CancellableAsync(CancellationToken cancellationToken);

    private Task<int> CancellableAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [RateLimit(1, 60_000)]
    public partial Task<int> LimitedAsync();

    private Task<int> LimitedAsyncCore() => Script.RunAsync();

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    public partial int Fragile();

    private int FragileCore() => Script.Run();

    [CircuitBreaker(1, BreakDurationMs = 60_000)]
    [Fallback(nameof(Recover))]
    public partial int WithFallback();

    private int WithFallbackCore() => Script.Run();

    private int Recover(Exception error) => -1;

    [Retry(3, DelayMs = 0)]
    public partial int Retried();

    private int RetriedCore() => Script.Run();

    [Retry(3, DelayMs = 0, HandleResult = nameof(IsNegative))]
    public partial int RetriedOnResult();

    private int RetriedOnResultCore() => Script.Run();

    private static bool IsNegative(int value) => value < 0;

    [Timeout(100)]
    public partial Task<int> PerAttemptAsync(CancellationToken cancellationToken);

    private Task<int> PerAttemptAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(3, DelayMs = 0)]
    [Timeout(100, Scope = TimeoutScope.Total)]
    public partial Task<int> TotalAsync(CancellationToken cancellationToken);

    private Task<int> TotalAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Bulkhead(4, Name = BulkheadName)]
    [RateLimit(1_000, 1_000, Name = LimitName)]
    public partial int BulkheadAndLimit();

    private int BulkheadAndLimitCore() => Script.Run();

    [RateLimit(1_000, 1_000, Name = LimitName)]
    public partial int LimitOnly();

    private int LimitOnlyCore() => Script.Run();
}

/// <summary>
/// What generated methods record on the <c>Resilience</c> meter and tell the registry's listeners. The meter is
/// process-wide, so each assertion reads only the measurements tagged with the method's policy.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class TelemetryTests : RegistryTest
{
    private const string Method = "Resilience.Generators.Tests.Behaviour.TelemetrySubject.";

    private readonly TelemetrySubject _subject = new();

    // ---- resilience.calls and resilience.call.duration --------------------------------------------

    [Fact]
    public async Task A_success_is_counted_and_timed_with_the_policy_the_method_and_the_outcome()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");

        Assert.Equal(1, await _subject.GuardedAsync(CancellationToken.None).WaitAsync(HangGuard));

        CollectedMeasurement<long> call = Assert.Single(For(calls, TelemetrySubject.BreakerName));
        Assert.Equal(1, call.Value);
        Assert.Equal(Method + nameof(TelemetrySubject.GuardedAsync), call.Tags["resilience.method"]);
        Assert.Equal("success", call.Tags["resilience.outcome"]);
        CollectedMeasurement<double> duration = Assert.Single(For(durations, TelemetrySubject.BreakerName));
        Assert.True(duration.Value >= 0, $"The duration is {duration.Value} s.");
        Assert.Equal(Method + nameof(TelemetrySubject.GuardedAsync), duration.Tags["resilience.method"]);
        Assert.Equal("success", duration.Tags["resilience.outcome"]);
    }

    [Fact]
    public async Task A_failure_is_counted_and_timed_as_failure()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        _subject.Script.Async = static (_, _) => throw new IOException("down");

        await Assert.ThrowsAsync<IOException>(() => _subject.GuardedAsync(CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal("failure", Assert.Single(For(calls, TelemetrySubject.BreakerName)).Tags["resilience.outcome"]);
        Assert.Equal("failure", Assert.Single(For(durations, TelemetrySubject.BreakerName)).Tags["resilience.outcome"]);
    }

    [Fact]
    public async Task The_callers_cancellation_is_counted_as_canceled_and_not_as_a_timeout()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<long> timeouts = Collect<long>("resilience.timeouts");
        using var caller = new CancellationTokenSource();
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        string policy = Method + nameof(TelemetrySubject.CancellableAsync);

        Task<int> call = _subject.CancellableAsync(caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(HangGuard));
        Assert.Equal("canceled", Assert.Single(For(calls, policy)).Tags["resilience.outcome"]);
        Assert.Empty(For(timeouts, policy));
    }

    [Fact]
    public async Task A_rate_limit_rejection_without_a_fallback_is_counted_as_rejected()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<long> rejections = Collect<long>("resilience.rate_limit.rejections");
        string policy = Method + nameof(TelemetrySubject.LimitedAsync);

        Assert.Equal(1, await _subject.LimitedAsync().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => _subject.LimitedAsync().WaitAsync(HangGuard));

        Assert.Equal(new object?[] { "success", "rejected" }, For(calls, policy).Select(m => m.Tags["resilience.outcome"]));
        Assert.Single(For(rejections, policy));
    }

    [Fact]
    public void An_open_breaker_without_a_fallback_is_counted_as_a_failure_then_a_rejection()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<long> transitions = Collect<long>("resilience.circuit_breaker.transitions");
        using MetricCollector<long> rejections = Collect<long>("resilience.circuit_breaker.rejections");
        _subject.Script.Sync = static (_, _) => throw new IOException("down");
        string policy = Method + nameof(TelemetrySubject.Fragile);

        Assert.Throws<IOException>(() => _subject.Fragile());
        Assert.Throws<BrokenCircuitException>(() => _subject.Fragile());

        Assert.Equal(new object?[] { "failure", "rejected" }, For(calls, policy).Select(m => m.Tags["resilience.outcome"]));
        Assert.Equal("open", Assert.Single(For(transitions, policy)).Tags["resilience.circuit_breaker.state"]);
        Assert.Single(For(rejections, policy));
    }

    [Fact]
    public void A_call_answered_by_the_fallback_is_counted_as_fallback_whether_it_failed_or_was_rejected()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        _subject.Script.Sync = static (_, _) => throw new IOException("down");
        string policy = Method + nameof(TelemetrySubject.WithFallback);

        Assert.Equal(-1, _subject.WithFallback());   // failed: the breaker opens
        Assert.Equal(-1, _subject.WithFallback());   // rejected by the open breaker

        Assert.Equal(1, _subject.Script.Calls);
        Assert.Equal(new object?[] { "fallback", "fallback" }, For(calls, policy).Select(m => m.Tags["resilience.outcome"]));
        Assert.Equal(new object?[] { "fallback", "fallback" }, For(durations, policy).Select(m => m.Tags["resilience.outcome"]));
    }

    [Fact]
    public void The_calls_of_a_method_are_counted_under_its_breakers_else_its_bulkheads_else_its_rate_limits_else_its_own_name()
    {
        using MetricCollector<long> calls = Collect<long>("resilience.calls");

        _subject.BulkheadAndLimit();
        _subject.LimitOnly();
        _subject.Retried();

        Assert.Equal(Method + nameof(TelemetrySubject.BulkheadAndLimit), Assert.Single(For(calls, TelemetrySubject.BulkheadName)).Tags["resilience.method"]);
        Assert.Equal(Method + nameof(TelemetrySubject.LimitOnly), Assert.Single(For(calls, TelemetrySubject.LimitName)).Tags["resilience.method"]);
        Assert.Equal(Method + nameof(TelemetrySubject.Retried), Assert.Single(For(calls, Method + nameof(TelemetrySubject.Retried))).Tags["resilience.method"]);
    }

    // ---- retries and timeouts ---------------------------------------------------------------------

    [Fact]
    public void Each_retry_is_counted_with_the_type_of_the_exception_that_caused_it_and_told_to_listeners()
    {
        using MetricCollector<long> retries = Collect<long>("resilience.retry.attempts");
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        var listener = new Recorder();
        using IDisposable registration = Registry.AddListener(listener);
        _subject.Script.Sync = static (call, _) => call switch
        {
            1 => throw new IOException("down"),
            2 => throw new TimeoutException("slow"),
            _ => 42,
        };
        string policy = Method + nameof(TelemetrySubject.Retried);

        Assert.Equal(42, _subject.Retried());

        IReadOnlyList<CollectedMeasurement<long>> measured = For(retries, policy);
        Assert.Equal(new object?[] { "System.IO.IOException", "System.TimeoutException" }, measured.Select(m => m.Tags["error.type"]));
        Assert.All(measured, m => Assert.Equal(1, m.Value));
        Assert.All(measured, m => Assert.Equal(policy, m.Tags["resilience.method"]));
        Assert.Equal("success", Assert.Single(For(calls, policy)).Tags["resilience.outcome"]);
        Assert.Equal(new[] { 1, 2 }, listener.Retries.Select(r => r.Attempt));
        Assert.All(listener.Retries, r =>
        {
            Assert.Equal(policy, r.PolicyName);
            Assert.Equal(policy, r.MethodName);
            Assert.Equal(TimeSpan.Zero, r.Delay);
        });
        Assert.IsType<IOException>(listener.Retries.First().Exception);
    }

    [Fact]
    public void A_retry_on_a_failed_result_is_counted_as_such_and_the_call_that_ends_on_one_as_a_failure()
    {
        using MetricCollector<long> retries = Collect<long>("resilience.retry.attempts");
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        var listener = new Recorder();
        using IDisposable registration = Registry.AddListener(listener);
        _subject.Script.Sync = static (call, _) => call < 3 ? -call : 42;
        string policy = Method + nameof(TelemetrySubject.RetriedOnResult);

        Assert.Equal(42, _subject.RetriedOnResult());
        _subject.Script.Sync = static (_, _) => -7;
        Assert.Equal(-7, _subject.RetriedOnResult());

        Assert.All(For(retries, policy), m => Assert.Equal("_result", m.Tags["error.type"]));
        Assert.Equal(4, For(retries, policy).Count);
        Assert.Equal(new object?[] { "success", "failure" }, For(calls, policy).Select(m => m.Tags["resilience.outcome"]));
        RetryEventArgs first = listener.Retries.First();
        Assert.Null(first.Exception);
        Assert.Equal(-1, first.Result);
        Assert.Equal("-1", first.Failure);
    }

    [Fact]
    public async Task Retried_calls_are_counted_by_outcome_with_their_delays_and_calls_that_were_not_retried_are_not()
    {
        using MetricCollector<long> retried = Collect<long>("resilience.retry.calls");
        using MetricCollector<double> delays = Collect<double>("resilience.retry.delay");
        string sync = Method + nameof(TelemetrySubject.Retried);
        string onResult = Method + nameof(TelemetrySubject.RetriedOnResult);
        string total = Method + nameof(TelemetrySubject.TotalAsync);

        _subject.Script.Sync = static (call, _) => call == 1 ? throw new IOException("down") : 42;
        Assert.Equal(42, _subject.Retried());                                  // retried once, then succeeded
        _subject.Script.Sync = static (_, _) => throw new IOException("down");
        Assert.Throws<IOException>(() => _subject.Retried());                  // retried twice, then failed
        _subject.Script.Sync = static (_, _) => -7;
        Assert.Equal(-7, _subject.RetriedOnResult());                          // retried on its result, failed
        _subject.Script.Sync = static (_, _) => 5;
        Assert.Equal(5, _subject.RetriedOnResult());                           // never retried
        int asyncCalls = 0;
        _subject.Script.Async = (_, _) => ++asyncCalls == 1 ? Task.FromException<int>(new IOException("down")) : Task.FromResult(1);
        Assert.Equal(1, await _subject.TotalAsync(CancellationToken.None).WaitAsync(HangGuard));   // async: retried once

        Assert.Equal(new object?[] { "success", "failure" }, For(retried, sync).Select(m => m.Tags["resilience.outcome"]));
        Assert.Equal(new object?[] { "failure" }, For(retried, onResult).Select(m => m.Tags["resilience.outcome"]));
        Assert.Equal(new object?[] { "success" }, For(retried, total).Select(m => m.Tags["resilience.outcome"]));
        Assert.Equal(3, For(delays, sync).Count);
        Assert.Equal(2, For(delays, onResult).Count);
        Assert.All(For(delays, sync), m => Assert.Equal(0.0, m.Value));
    }

    [Fact]
    public async Task A_per_attempt_timeout_is_counted_with_its_scope_and_told_to_listeners()
    {
        using MetricCollector<long> timeouts = Collect<long>("resilience.timeouts");
        using MetricCollector<long> calls = Collect<long>("resilience.calls");
        var listener = new Recorder();
        using IDisposable registration = Registry.AddListener(listener);
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        string policy = Method + nameof(TelemetrySubject.PerAttemptAsync);

        Task<int> call = _subject.PerAttemptAsync(CancellationToken.None);
        Clock.Advance(Ms(99));
        Assert.Empty(For(timeouts, policy));
        Clock.Advance(Ms(1));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));

        CollectedMeasurement<long> timeout = Assert.Single(For(timeouts, policy));
        Assert.Equal("per_attempt", timeout.Tags["resilience.timeout.scope"]);
        Assert.Equal(policy, timeout.Tags["resilience.method"]);
        Assert.Equal("failure", Assert.Single(For(calls, policy)).Tags["resilience.outcome"]);
        TimeoutEventArgs told = Assert.Single(listener.Timeouts);
        Assert.Equal((policy, Ms(100), TimeoutScope.PerAttempt), (told.MethodName, told.Timeout, told.Scope));
    }

    [Fact]
    public async Task The_duration_is_measured_on_the_registrys_clock()
    {
        using MetricCollector<double> durations = Collect<double>("resilience.call.duration");
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        string policy = Method + nameof(TelemetrySubject.PerAttemptAsync);

        Task<int> call = _subject.PerAttemptAsync(CancellationToken.None);
        Clock.Advance(Ms(100));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));

        // The fake clock moved 100 ms and the real one hardly at all: the measurement follows the fake one.
        Assert.Equal(0.1, Assert.Single(For(durations, policy)).Value, precision: 3);
    }

    [Fact]
    public async Task A_total_timeout_is_counted_once_with_its_scope()
    {
        using MetricCollector<long> timeouts = Collect<long>("resilience.timeouts");
        using MetricCollector<long> retries = Collect<long>("resilience.retry.attempts");
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        string policy = Method + nameof(TelemetrySubject.TotalAsync);

        Task<int> call = _subject.TotalAsync(CancellationToken.None);
        Clock.Advance(Ms(100));
        TimeoutRejectedException error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));

        Assert.Equal(TimeoutScope.Total, error.Scope);
        CollectedMeasurement<long> timeout = Assert.Single(For(timeouts, policy));
        Assert.Equal("total", timeout.Tags["resilience.timeout.scope"]);
        Assert.Empty(For(retries, policy));
    }

    // ---- allocation -------------------------------------------------------------------------------

    [Fact]
    public void A_synchronous_int_method_with_all_six_policies_allocates_nothing_while_a_meter_listener_listens()
    {
        const int WarmUpCalls = 10_000;
        const int Calls = 100_000;
        Registry.TimeProvider = TimeProvider.System; // see AllocationTests: the fake clock's timers allocate
        var subject = new AllocationSubject();
        long measurements = 0;
        using MeterListener listener = ListenToEveryResilienceInstrument(() => measurements++);

        CallSync(subject, WarmUpCalls);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = CallSync(subject, Calls);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(43L * Calls, sum);
        Assert.Equal(0, bytes);
        Assert.True(measurements >= 2L * (WarmUpCalls + Calls), $"{measurements} measurements: a count and a duration per call were expected.");
    }

    [Fact]
    public void A_synchronously_completed_ValueTask_of_int_method_with_all_six_policies_allocates_nothing_while_a_meter_listener_listens()
    {
        Registry.TimeProvider = TimeProvider.System;
        long measurements = 0;
        using MeterListener listener = ListenToEveryResilienceInstrument(() => measurements++);

        var measured = (long[])ConsumerBuild.Call(s_consumer.Value, "TelemetryConsumer.Measure", "ValueTaskOfInt", 10_000, 100_000)!;

        Assert.Equal(43L * 100_000, measured[1]);
        Assert.Equal(0, measured[0]);
        Assert.True(measurements >= 2L * 110_000, $"{measurements} measurements: a count and a duration per call were expected.");
    }

    private const string Consumer = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace TelemetryConsumer;

        public partial class Subject
        {
            [Retry(3)]
            [CircuitBreaker(5)]
            [Timeout(1_000)]
            [Bulkhead(4)]
            [RateLimit(int.MaxValue, 1_000)]
            [Fallback(nameof(Recover))]
            public partial ValueTask<int> GetValueTaskAsync(int x, CancellationToken cancellationToken);

            private ValueTask<int> GetValueTaskAsyncCore(int x, CancellationToken cancellationToken) => new(x + 1);

            private int Recover(int x, CancellationToken cancellationToken) => -1;
        }

        public static class Measure
        {
            private static readonly Subject s_subject = new();

            /// <summary>Bytes allocated by <paramref name="calls"/> calls after <paramref name="warmUp"/> calls, and the sum of their results.</summary>
            public static long[] ValueTaskOfInt(int warmUp, int calls)
            {
                Call(warmUp);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long sum = Call(calls);
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                return new[] { bytes, sum };
            }

            private static long Call(int calls)
            {
                long sum = 0;
                for (int i = 0; i < calls; i++)
                {
                    ValueTask<int> pending = s_subject.GetValueTaskAsync(42, CancellationToken.None);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("The call did not complete synchronously.");
                    }

                    sum += pending.Result;
                }

                return sum;
            }
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_consumer = new(() => ConsumerBuild.Build(Consumer, OptimizationLevel.Release));

    private static long CallSync(AllocationSubject subject, int calls)
    {
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            sum += subject.Get(42, CancellationToken.None);
        }

        return sum;
    }

    /// <summary>Collects one instrument of the <c>Resilience</c> meter, found by name as an exporter finds it.</summary>
    private static MetricCollector<T> Collect<T>(string instrument)
        where T : struct
        => new(meterScope: null, "Resilience", instrument);

    /// <summary>The measurements taken so far for the policy <paramref name="policy"/>.</summary>
    private static IReadOnlyList<CollectedMeasurement<T>> For<T>(MetricCollector<T> collector, string policy)
        where T : struct
        => collector.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue("resilience.policy", out object? value) && Equals(value, policy)).ToArray();

    /// <summary>A meter listener enabled on every instrument of the <c>Resilience</c> meter, whose callbacks only call <paramref name="onMeasurement"/>.</summary>
    private static MeterListener ListenToEveryResilienceInstrument(Action onMeasurement)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Resilience")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => onMeasurement());
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => onMeasurement());
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => onMeasurement());
        listener.Start();
        return listener;
    }

    /// <summary>A listener that keeps the retries and timeouts it is told of.</summary>
    private sealed class Recorder : ResilienceListener
    {
        private readonly ConcurrentQueue<RetryEventArgs> _retries = new();
        private readonly ConcurrentQueue<TimeoutEventArgs> _timeouts = new();

        public IReadOnlyList<RetryEventArgs> Retries => _retries.ToArray();

        public IReadOnlyList<TimeoutEventArgs> Timeouts => _timeouts.ToArray();

        public override void OnRetry(RetryEventArgs e) => _retries.Enqueue(e);

        public override void OnTimeout(TimeoutEventArgs e) => _timeouts.Enqueue(e);
    }
}
