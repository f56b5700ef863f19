using Microsoft.CodeAnalysis;

namespace Resilience.Generators.Tests.Behaviour;

// The timeouts are a minute long so that no deadline's timer fires while calls are measured: a pooled source whose
// timer callback runs at the moment it is returned is replaced (an allocation), which a loaded machine, where the
// measured calls take longer than a second, would otherwise show now and then.
public partial class AllocationSubject
{
    [Retry(3)]
    [CircuitBreaker(5)]
    [Timeout(60_000)]
    [Bulkhead(4)]
    [RateLimit(int.MaxValue, 1_000)]
    [Fallback(nameof(Recover))]
    public partial int Get(int x, CancellationToken cancellationToken);

    private int GetCore(int x, CancellationToken cancellationToken) => x + 1;

    private int Recover(int x, CancellationToken cancellationToken) => -1;

    [Retry(3, MaxRetryRatio = 0.1)]
    [CircuitBreaker(5, SlowCallDurationMs = 60_000, MaxBreakDurationMs = 300_000)]
    [Timeout(60_000)]
    [Bulkhead(4)]
    [RateLimit(int.MaxValue, 1_000)]
    [Fallback(nameof(Recover))]
    public partial int GetTimed(int x, CancellationToken cancellationToken);

    private int GetTimedCore(int x, CancellationToken cancellationToken) => x + 1;
}

/// <summary>
/// Exact allocation measurements of the happy path (first attempt succeeds, breaker closed, no timeout fires),
/// each over 100 000 calls after a warm-up, with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
/// <remarks>
/// <para>
/// They run on the system clock: FakeTimeProvider's timer allocates a new waiter on every Change (56 bytes a call
/// through a [Timeout]), which is the fake's allocation, not the product's.
/// </para>
/// <para>
/// The asynchronous methods are measured in a consumer built in memory by the real generator, in Release and in
/// Debug: in a Debug build the C# compiler makes every async state machine a class, allocated on every call, so
/// a happy path that ran the generated async helper would allocate there. It does not: the method starts
/// synchronously and returns the core's completed task itself. The synchronous method is measured right here.
/// </para>
/// </remarks>
[Collection(RegistryCollection.Name)]
public sealed class AllocationTests : RegistryTest
{
    private const int Calls = 100_000;
    private const int WarmUpCalls = 10_000;

    private const string Consumer = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace AllocationConsumer;

        public partial class Subject
        {
            private static readonly Task<int> s_cachedResult = Task.FromResult(42);

            [Retry(3)]
            [CircuitBreaker(5)]
            [Timeout(60_000)]
            [Bulkhead(4)]
            [RateLimit(int.MaxValue, 1_000)]
            [Fallback(nameof(Recover))]
            public partial ValueTask<int> GetValueTaskAsync(int x, CancellationToken cancellationToken);

            private ValueTask<int> GetValueTaskAsyncCore(int x, CancellationToken cancellationToken) => new(x + 1);

            [Retry(3)]
            [CircuitBreaker(5)]
            [Timeout(60_000)]
            [Bulkhead(4)]
            [RateLimit(int.MaxValue, 1_000)]
            [Fallback(nameof(Recover))]
            public partial Task<int> GetTaskAsync(int x, CancellationToken cancellationToken);

            private Task<int> GetTaskAsyncCore(int x, CancellationToken cancellationToken) => s_cachedResult;

            private int Recover(int x, CancellationToken cancellationToken) => -1;

            [Retry(3, MaxRetryRatio = 0.1)]
            [CircuitBreaker(5, SlowCallDurationMs = 60_000, MaxBreakDurationMs = 300_000)]
            [Timeout(60_000)]
            [Bulkhead(4)]
            [RateLimit(int.MaxValue, 1_000)]
            [Fallback(nameof(Recover))]
            public partial ValueTask<int> GetTimedAsync(int x, CancellationToken cancellationToken);

            private ValueTask<int> GetTimedAsyncCore(int x, CancellationToken cancellationToken) => new(x + 1);

            private static readonly Task<System.Net.Http.HttpResponseMessage> s_ok = Task.FromResult(new System.Net.Http.HttpResponseMessage(System.Net.HttpStatusCode.OK));

            [Retry(3)]
            [CircuitBreaker(5)]
            [Timeout(60_000)]
            [Bulkhead(4)]
            [RateLimit(int.MaxValue, 1_000)]
            [Fallback(nameof(Unavailable))]
            public partial Task<System.Net.Http.HttpResponseMessage> GetResponseAsync(int x, CancellationToken cancellationToken);

            private Task<System.Net.Http.HttpResponseMessage> GetResponseAsyncCore(int x, CancellationToken cancellationToken) => s_ok;

            private System.Net.Http.HttpResponseMessage Unavailable(int x, CancellationToken cancellationToken, Outcome<System.Net.Http.HttpResponseMessage> outcome) => new(System.Net.HttpStatusCode.ServiceUnavailable);

            [Hedging(2, DelayMs = 100)]
            [Idempotent]
            public partial ValueTask<int> GetHedgedAsync(int x, CancellationToken cancellationToken);

            private ValueTask<int> GetHedgedAsyncCore(int x, CancellationToken cancellationToken) => new(x + 1);
        }

        public static class Measure
        {
            private static readonly Subject s_subject = new();

            /// <summary>Bytes allocated by <paramref name="calls"/> calls after <paramref name="warmUp"/> calls, and the sum of their results.</summary>
            public static long[] ValueTaskOfInt(int warmUp, int calls)
            {
                CallValueTask(warmUp);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long sum = CallValueTask(calls);
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                return new[] { bytes, sum };
            }

            public static long[] TaskOfInt(int warmUp, int calls)
            {
                CallTask(warmUp);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long sum = CallTask(calls);
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                return new[] { bytes, sum };
            }

            public static long[] TaskOfResponse(int warmUp, int calls)
            {
                CallResponse(warmUp);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long sum = CallResponse(calls);
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                return new[] { bytes, sum };
            }

            /// <summary>As <see cref="ValueTaskOfInt"/>, through [Hedging] whose first attempt answers at once; with a caller's token that can be cancelled when <paramref name="cancellable"/>.</summary>
            public static long[] HedgedValueTaskOfInt(int warmUp, int calls, bool cancellable)
            {
                using CancellationTokenSource caller = new();
                CancellationToken token = cancellable ? caller.Token : CancellationToken.None;
                CallHedged(warmUp, token);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long sum = CallHedged(calls, token);
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                return new[] { bytes, sum };
            }

            private static long CallHedged(int calls, CancellationToken token)
            {
                long sum = 0;
                for (int i = 0; i < calls; i++)
                {
                    ValueTask<int> pending = s_subject.GetHedgedAsync(42, token);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("The call did not complete synchronously.");
                    }

                    sum += pending.Result;
                }

                return sum;
            }

            private static long CallResponse(int calls)
            {
                long sum = 0;
                for (int i = 0; i < calls; i++)
                {
                    Task<System.Net.Http.HttpResponseMessage> pending = s_subject.GetResponseAsync(42, CancellationToken.None);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("The call did not complete synchronously.");
                    }

                    sum += (int)pending.Result.StatusCode;
                }

                return sum;
            }

            public static long[] TimedValueTaskOfInt(int warmUp, int calls)
            {
                CallTimed(warmUp);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long sum = CallTimed(calls);
                long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                return new[] { bytes, sum };
            }

            private static long CallTimed(int calls)
            {
                long sum = 0;
                for (int i = 0; i < calls; i++)
                {
                    ValueTask<int> pending = s_subject.GetTimedAsync(42, CancellationToken.None);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("The call did not complete synchronously.");
                    }

                    sum += pending.Result;
                }

                return sum;
            }

            private static long CallValueTask(int calls)
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

            private static long CallTask(int calls)
            {
                long sum = 0;
                for (int i = 0; i < calls; i++)
                {
                    Task<int> pending = s_subject.GetTaskAsync(42, CancellationToken.None);
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

    private static readonly Lazy<System.Reflection.Assembly> s_release = new(() => ConsumerBuild.Build(Consumer, OptimizationLevel.Release));
    private static readonly Lazy<System.Reflection.Assembly> s_debug = new(() => ConsumerBuild.Build(Consumer, OptimizationLevel.Debug));

    private readonly AllocationSubject _subject = new();

    public AllocationTests() => Registry.TimeProvider = TimeProvider.System;

    [Fact]
    public void A_synchronous_int_method_with_all_six_policies_allocates_nothing()
    {
        AssertAllocatesNothing(CallSync);
    }

    [Theory]
    [InlineData(OptimizationLevel.Release)]
    [InlineData(OptimizationLevel.Debug)]
    public void A_synchronously_completed_ValueTask_of_int_method_with_all_six_policies_allocates_nothing(OptimizationLevel build)
    {
        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(build), "AllocationConsumer.Measure", "ValueTaskOfInt", WarmUpCalls, Calls)!;

        Assert.Equal(43L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    [Theory]
    [InlineData(OptimizationLevel.Release)]
    [InlineData(OptimizationLevel.Debug)]
    public void A_Task_of_int_method_with_all_six_policies_whose_core_returns_a_cached_task_allocates_nothing(OptimizationLevel build)
    {
        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(build), "AllocationConsumer.Measure", "TaskOfInt", WarmUpCalls, Calls)!;

        Assert.Equal(42L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    [Theory]
    [InlineData(OptimizationLevel.Release)]
    [InlineData(OptimizationLevel.Debug)]
    public void A_Task_of_HttpResponseMessage_method_whose_responses_are_judged_by_status_allocates_nothing_for_a_200(OptimizationLevel build)
    {
        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(build), "AllocationConsumer.Measure", "TaskOfResponse", WarmUpCalls, Calls)!;

        Assert.Equal(200L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    [Fact]
    public void A_synchronous_int_method_allocates_nothing_while_chaos_and_overrides_are_configured_for_other_names()
    {
        Registry.AllowChaos = true;
        Registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["someone.else"] = new() { MaxAttempts = 5, TimeoutMs = 10, Chaos = new ChaosSettings { FaultRate = 1, LatencyMs = 10, LatencyRate = 1 } },
        });
        AssertAllocatesNothing(CallSync);
    }

    [Fact]
    public void A_synchronous_int_method_whose_retry_and_timeout_configuration_overrides_allocates_nothing()
    {
        // A timeout no run outlasts: when the pooled source's timer comes due while a call returns the source, the source
        // is replaced (272 B, once), which a busy machine's slow run showed here although no call allocates.
        Registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["Resilience.Generators.Tests.Behaviour.AllocationSubject.Get"] = new() { MaxAttempts = 5, TimeoutMs = 600_000 },
        });
        Assert.NotNull(Registry.GetLivePolicySettings("Resilience.Generators.Tests.Behaviour.AllocationSubject.Get").Overrides);
        AssertAllocatesNothing(CallSync);
    }

    [Theory]
    [InlineData(OptimizationLevel.Release)]
    [InlineData(OptimizationLevel.Debug)]
    public void A_ValueTask_of_int_method_allocates_nothing_while_chaos_is_configured_for_another_name(OptimizationLevel build)
    {
        Registry.AllowChaos = true;
        Registry.Configure(new Dictionary<string, PolicySettings> { ["someone.else"] = new() { Chaos = new ChaosSettings { FaultRate = 1 } } });

        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(build), "AllocationConsumer.Measure", "ValueTaskOfInt", WarmUpCalls, Calls)!;

        Assert.Equal(43L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    [Fact]
    public void A_ValueTask_of_int_method_whose_timeout_configuration_overrides_runs_its_helper_synchronously_and_allocates_nothing_in_Release()
    {
        // The helper completes synchronously: in Release its state machine stays on the stack.
        Registry.Configure(new Dictionary<string, PolicySettings> { ["AllocationConsumer.Subject.GetValueTaskAsync"] = new() { TimeoutMs = 600_000 } });

        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(OptimizationLevel.Release), "AllocationConsumer.Measure", "ValueTaskOfInt", WarmUpCalls, Calls)!;

        Assert.Equal(43L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    [Fact]
    public void A_Task_of_int_method_whose_timeout_configuration_overrides_hands_back_its_cores_task_and_allocates_nothing_in_Release()
    {
        // The helper completes synchronously and leaves the task its core returned under the call's number; the method
        // returns that task rather than a new one for the result (72 B a call).
        Registry.Configure(new Dictionary<string, PolicySettings> { ["AllocationConsumer.Subject.GetTaskAsync"] = new() { TimeoutMs = 600_000 } });

        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(OptimizationLevel.Release), "AllocationConsumer.Measure", "TaskOfInt", WarmUpCalls, Calls)!;

        Assert.Equal(42L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    /// <summary>
    /// Hedging cannot be free: the attempts race, so each needs a token the others' win can cancel. Its happy path (the
    /// first attempt answers before the delay) allocates the race (with its lock) and one CancellationTokenSource,
    /// linked to the caller's token when that can be cancelled: 216 bytes a call, 232 with a cancellable token, on
    /// .NET 10 x64 in Release. In Debug the two async state machines (the helper's and the attempt's) are classes: 512
    /// and 528. No timer, task or delegate is allocated until the call must wait.
    /// </summary>
    [Theory]
    [InlineData(OptimizationLevel.Release, false, 216)]
    [InlineData(OptimizationLevel.Release, true, 232)]
    [InlineData(OptimizationLevel.Debug, false, 512)]
    [InlineData(OptimizationLevel.Debug, true, 528)]
    public void Hedging_whose_first_attempt_answers_at_once_allocates_the_race_and_one_token_source(OptimizationLevel build, bool cancellable, long bytesPerCall)
    {
        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(build), "AllocationConsumer.Measure", "HedgedValueTaskOfInt", WarmUpCalls, Calls, cancellable)!;

        Assert.Equal(43L * Calls, measured[1]);

        // Exactly that much a call; the caller's token's callback list may grow a node once while the run lasts (48 B
        // seen once on a busy machine), which is not a cost of the call.
        Assert.Equal(bytesPerCall, measured[0] / Calls);
        Assert.InRange(measured[0] - (bytesPerCall * Calls), 0, 1_024);
    }

    private static System.Reflection.Assembly ConsumerBuiltIn(OptimizationLevel build) => build == OptimizationLevel.Release ? s_release.Value : s_debug.Value;

    [Fact]
    public void A_synchronous_method_with_a_retry_budget_and_a_breaker_that_times_its_calls_allocates_nothing()
    {
        AssertAllocatesNothing(CallTimedSync);
    }

    [Theory]
    [InlineData(OptimizationLevel.Release)]
    [InlineData(OptimizationLevel.Debug)]
    public void A_ValueTask_method_with_a_retry_budget_and_a_breaker_that_times_its_calls_allocates_nothing(OptimizationLevel build)
    {
        var measured = (long[])ConsumerBuild.Call(ConsumerBuiltIn(build), "AllocationConsumer.Measure", "TimedValueTaskOfInt", WarmUpCalls, Calls)!;

        Assert.Equal(43L * Calls, measured[1]);
        Assert.Equal(0, measured[0]);
    }

    private long CallTimedSync(int calls)
    {
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            sum += _subject.GetTimed(42, CancellationToken.None);
        }

        return sum;
    }

    /// <summary>Warms <paramref name="call"/> up, then runs it <see cref="Calls"/> times: every call answers 43 and nothing is allocated.</summary>
    private static void AssertAllocatesNothing(Func<int, long> call)
    {
        call(WarmUpCalls);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = call(Calls);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(43L * Calls, sum);
        Assert.Equal(0, bytes);
    }

    private long CallSync(int calls)
    {
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            sum += _subject.Get(42, CancellationToken.None);
        }

        return sum;
    }
}
