using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static Resilience.Tests.Telemetry.TelemetryTesting;

namespace Resilience.Tests.Hedging;

/// <summary>
/// The race generated code drives for [Hedging], driven here the way generated code drives it (see <see cref="Run"/>),
/// with attempts that complete when the test says and delays on the fake clock.
/// </summary>
public sealed class HedgingRaceTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    // Rounds of each race between threads: enough for each ordering to come up on two busy cores.
    private const int Rounds = 200;

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;
    private readonly string _name = UniqueName("hedging");
    private readonly List<Attempt> _attempts = new();
    private int _waits;
    private Task? _lastWait;

    public HedgingRaceTests() => _registry = TestSupport.CreateRegistry(out _clock);

    /// <summary>What ends a race while an attempt answers.</summary>
    public enum Interruption
    {
        CallerCancels,
        RaceDisposed,
    }

    [Fact]
    public async Task A_first_attempt_that_answers_before_the_delay_wins_alone()
    {
        HedgingRace<Response> race = Race(3, Delay);
        Task<Response> call = Run(race);

        _clock.Advance(Delay - TimeSpan.FromMilliseconds(1));
        var response = new Response("first");
        _attempts[0].Answer(response);

        Assert.Same(response, await call.Guarded());
        Assert.Single(_attempts);
        Assert.Equal(1, race.Winner);
        Assert.False(response.Disposed);
    }

    [Theory]
    [InlineData(12_345L, -12_345L)]
    [InlineData(0L, long.MinValue)]         // a call measured without a timestamp
    [InlineData(-12_345L, -12_345L)]        // marked already
    public void A_race_whose_attempt_was_retried_marks_the_calls_token_and_one_without_leaves_it(long started, long marked)
    {
        using HedgingRace<Response> race = Race(2, Delay);
        Assert.Equal(started, race.CallToken(started));

        race.NoteRetried();

        Assert.Equal(marked, race.CallToken(started));
    }

    [Fact]
    public async Task A_second_attempt_starts_after_the_delay_and_its_answer_wins_while_the_first_is_cancelled()
    {
        HedgingRace<Response> race = Race(3, Delay);
        Task<Response> call = Run(race);
        Assert.Single(_attempts);

        _clock.Advance(Delay);
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");
        var second = new Response("second");
        _attempts[1].Answer(second);

        Assert.Same(second, await call.Guarded());
        Assert.Equal(2, race.Winner);
        Assert.True(_attempts[0].Token.IsCancellationRequested, "The losing attempt was not cancelled.");
        Assert.False(_attempts[1].Token.IsCancellationRequested);

        // The loser answers after all: what it returns is disposed, as nobody will.
        var late = new Response("late");
        _attempts[0].Answer(late);
        await _attempts[0].Reported.WaitAsync(TestSupport.HangGuard);
        Assert.True(late.Disposed);
        Assert.False(second.Disposed);
        Assert.Equal(2, Launched);
    }

    [Fact]
    public async Task Latency_mode_starts_the_next_attempt_after_each_delay_up_to_the_maximum()
    {
        HedgingRace<Response> race = Race(3, Delay);
        Task<Response> call = Run(race);

        _clock.Advance(Delay);
        TestSupport.SpinUntil(() => Volatile.Read(ref _waits) == 2, "the race waits again after the second attempt");
        Assert.Equal(2, Launched);
        _clock.Advance(Delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, Launched);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        TestSupport.SpinUntil(() => Launched == 3, "the third attempt starts");
        _clock.Advance(Delay * 10);
        Assert.Equal(3, Launched);

        _attempts[0].Answer(new Response("first, at last"));
        Assert.Equal("first, at last", (await call.Guarded()).Name);
        Assert.Equal(1, race.Winner);
        Assert.True(_attempts[1].Token.IsCancellationRequested && _attempts[2].Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_failure_starts_the_next_attempt_at_once_without_waiting_for_the_delay()
    {
        HedgingRace<Response> race = Race(2, Delay);
        Task<Response> call = Run(race);

        _attempts[0].Fail(new HttpRequestException("down"));
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");
        _attempts[1].Answer(new Response("second"));

        Assert.Equal("second", (await call.Guarded()).Name);
        Assert.Equal(2, race.Winner);
    }

    [Fact]
    public async Task Parallel_mode_starts_every_attempt_at_once()
    {
        HedgingRace<Response> race = Race(3, TimeSpan.Zero);
        Task<Response> call = Run(race);

        Assert.Equal(3, Launched);
        _attempts[2].Answer(new Response("third"));

        Assert.Equal("third", (await call.Guarded()).Name);
        Assert.Equal(3, race.Winner);
        Assert.True(_attempts[0].Token.IsCancellationRequested && _attempts[1].Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Fallback_mode_starts_a_new_attempt_only_when_one_fails()
    {
        HedgingRace<Response> race = Race(3, Timeout.InfiniteTimeSpan);
        Task<Response> call = Run(race);

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, Launched);
        _attempts[0].Fail(new TimeoutException());
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, Launched);
        _attempts[1].Answer(new Response("second"));

        Assert.Equal("second", (await call.Guarded()).Name);
        Assert.Equal(2, Launched);
    }

    [Fact]
    public async Task When_every_attempt_fails_the_caller_gets_the_last_failure()
    {
        HedgingRace<Response> race = Race(3, TimeSpan.Zero);
        Task<Response> call = Run(race);

        // Attempts report on the thread pool: each is let report before the next ends, so that the order is known.
        _attempts[1].Fail(new InvalidOperationException("second"));
        await _attempts[1].Reported.WaitAsync(TestSupport.HangGuard);
        _attempts[0].Fail(new InvalidOperationException("first"));
        await _attempts[0].Reported.WaitAsync(TestSupport.HangGuard);
        Assert.False(call.IsCompleted);
        _attempts[2].Fail(new TimeoutException("third, last to end"));

        TimeoutException thrown = await Assert.ThrowsAsync<TimeoutException>(() => call.Guarded());
        Assert.Equal("third, last to end", thrown.Message);
        Assert.Equal(0, race.Winner);
    }

    [Fact]
    public async Task When_every_attempt_returns_a_failed_result_the_caller_gets_the_last_one_and_the_others_are_disposed()
    {
        HedgingRace<Response> race = Race(2, TimeSpan.Zero);
        Task<Response> call = Run(race);
        var first = new Response("first", acceptable: false);
        var second = new Response("second", acceptable: false);

        _attempts[0].Answer(first);
        await _attempts[0].Reported.WaitAsync(TestSupport.HangGuard);
        _attempts[1].Answer(second);

        Assert.Same(second, await call.Guarded());
        Assert.True(first.Disposed);
        Assert.False(second.Disposed);
    }

    [Fact]
    public async Task A_failed_result_does_not_win_over_a_later_acceptable_one()
    {
        HedgingRace<Response> race = Race(2, Delay);
        Task<Response> call = Run(race);
        var failed = new Response("503", acceptable: false);

        _attempts[0].Answer(failed);
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");
        _attempts[1].Answer(new Response("200"));

        Assert.Equal("200", (await call.Guarded()).Name);
        Assert.True(failed.Disposed);
    }

    [Fact]
    public void A_losing_answer_that_is_only_async_disposable_is_disposed_asynchronously()
    {
        using var race = new HedgingRace<AsyncOnlyResult>(_registry.GetTelemetry(_name, _name), 2, TimeSpan.Zero, _clock, default);
        Assert.True(race.TryLaunch(out int first, out _));
        Assert.True(race.TryLaunch(out int second, out _));
        var winner = new AsyncOnlyResult(() => ValueTask.CompletedTask);
        var loser = new AsyncOnlyResult(() => ValueTask.CompletedTask);

        race.Succeed(second, winner, acceptable: true);
        race.Succeed(first, loser, acceptable: true);

        Assert.Same(winner, race.GetResult());
        Assert.Equal(1, loser.DisposeAsyncCalls);
        Assert.Equal(0, winner.DisposeAsyncCalls);
    }

    [Fact]
    public async Task The_callers_cancellation_mid_race_cancels_every_attempt_and_surfaces_as_cancellation()
    {
        using var caller = new CancellationTokenSource();
        HedgingRace<Response> race = Race(3, Delay, caller.Token);
        Task<Response> call = Run(race);
        _clock.Advance(Delay);
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");

        caller.Cancel();

        OperationCanceledException canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Guarded());
        Assert.Equal(caller.Token, canceled.CancellationToken);
        Assert.All(_attempts, a => Assert.True(a.Token.IsCancellationRequested));

        // The attempts end as cancelled ones do; each reports to the race, so no task is left with an unobserved exception.
        _attempts[0].Fail(new OperationCanceledException(_attempts[0].Token));
        var late = new Response("late");
        _attempts[1].Answer(late);
        await Task.WhenAll(_attempts.Select(a => a.Reported)).WaitAsync(TestSupport.HangGuard);
        Assert.All(_attempts, a => Assert.True(a.Reported.IsCompletedSuccessfully));
        Assert.True(late.Disposed);
        _clock.Advance(Delay * 10);
        Assert.Equal(2, Launched);
    }

    [Fact]
    public async Task A_caller_already_cancelled_starts_no_attempt()
    {
        HedgingRace<Response> race = Race(2, Delay, new CancellationToken(canceled: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(race).Guarded());
        Assert.Empty(_attempts);
    }

    [Fact]
    public async Task Attempts_that_end_on_many_threads_at_once_decide_the_race_once()
    {
        for (int round = 0; round < 50; round++)
        {
            _attempts.Clear();
            HedgingRace<Response> race = Race(4, TimeSpan.Zero);
            Task<Response> call = Run(race);
            Response[] responses = Enumerable.Range(0, 4).Select(i => new Response(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

            TestSupport.RunOnThreads(4, i => _attempts[i].Answer(responses[i]));

            Response winner = await call.Guarded();
            await Task.WhenAll(_attempts.Select(a => a.Reported)).WaitAsync(TestSupport.HangGuard);
            Assert.Equal(winner.Name, (race.Winner - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(3, responses.Count(r => r.Disposed));
            Assert.False(winner.Disposed);
        }
    }

    [Fact]
    public async Task Hedged_attempts_and_the_winner_are_counted_by_number()
    {
        using MetricCollector<long> attempts = Collect<long>("resilience.hedging.attempts");
        using MetricCollector<long> wins = Collect<long>("resilience.hedging.wins");
        HedgingRace<Response> race = Race(3, Delay);
        Task<Response> call = Run(race);

        _clock.Advance(Delay);
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");
        _attempts[1].Answer(new Response("second"));
        await call.Guarded();

        Assert.Equal(new object?[] { "2" }, attempts.For(_name).Select(m => m.Tag("resilience.hedging.attempt")));
        Assert.Equal(new object?[] { "2" }, wins.For(_name).Select(m => m.Tag("resilience.hedging.attempt")));
    }

    [Fact]
    public async Task A_hedged_attempt_and_the_winner_are_added_to_the_current_activity()
    {
        using var source = new System.Diagnostics.ActivitySource("hedging-race-tests");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name is "Resilience" or "hedging-race-tests",
            Sample = static (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using System.Diagnostics.Activity activity = source.StartActivity("call")!;

        HedgingRace<Response> race = Race(2, Delay);
        Task<Response> call = Run(race);
        _clock.Advance(Delay);
        TestSupport.SpinUntil(() => Launched == 2, "the second attempt starts");
        _attempts[1].Answer(new Response("second"));
        await call.Guarded();

        Assert.Equal(
            new[] { ("resilience.hedging.attempt", (object?)2), ("resilience.hedging.winner", (object?)2) },
            activity.Events.Select(e => (e.Name, e.Tags.Single(t => t.Key == "resilience.hedging.attempt").Value)));
        Assert.All(activity.Events, e => Assert.Contains(e.Tags, t => t.Key == "resilience.policy" && Equals(t.Value, _name)));
    }

    [Fact]
    public async Task A_race_of_one_attempt_runs_that_attempt_alone()
    {
        HedgingRace<Response> race = Race(1, Delay);
        Task<Response> call = Run(race);
        _clock.Advance(Delay * 3);

        var only = new Response("only");
        _attempts[0].Answer(only);

        Assert.Same(only, await call.Guarded());
        Assert.Single(_attempts);
    }

    [Fact]
    public void The_callers_cancellation_reaches_a_running_attempts_token_at_once()
    {
        using var caller = new CancellationTokenSource();
        using HedgingRace<Response> race = Race(2, Delay, caller.Token);
        Assert.True(race.TryLaunch(out _, out CancellationToken token));

        caller.Cancel();

        Assert.True(token.IsCancellationRequested, "the attempt's token follows the caller's before the race is disposed");
    }

    [Fact]
    public async Task Every_wait_for_the_next_attempt_ends_when_it_is_due()
    {
        using HedgingRace<Response> race = Race(2, Delay);
        Assert.True(race.TryLaunch(out _, out _));
        Task first = race.WaitAsync();
        Task second = race.WaitAsync();
        Assert.False(first.IsCompleted);

        _clock.Advance(Delay);

        await Task.WhenAll(first, second).WaitAsync(TestSupport.HangGuard);
    }

    [Fact]
    public void No_timer_is_started_in_fallback_mode_nor_once_every_attempt_has_started()
    {
        var clock = new CountingClock();
        MethodTelemetry telemetry = _registry.GetTelemetry(_name, _name);
        using (var fallback = new HedgingRace<Response>(telemetry, 2, Timeout.InfiniteTimeSpan, clock, default))
        {
            Assert.True(fallback.TryLaunch(out _, out _));
            Assert.False(fallback.WaitAsync().IsCompleted);
        }

        Assert.Equal(0, clock.Created);

        using var latency = new HedgingRace<Response>(telemetry, 2, Delay, clock, default);
        Assert.True(latency.TryLaunch(out _, out _));
        Assert.False(latency.WaitAsync().IsCompleted);
        clock.Advance(Delay);
        Assert.True(latency.TryLaunch(out _, out _));
        Assert.False(latency.WaitAsync().IsCompleted);

        Assert.Equal(1, clock.Created);
    }

    [Fact]
    public void The_race_refuses_values_it_cannot_run()
    {
        MethodTelemetry telemetry = _registry.GetTelemetry(_name, _name);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HedgingRace<int>(telemetry, 0, Delay, _clock, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HedgingRace<int>(telemetry, 2, TimeSpan.FromMilliseconds(-5), _clock, default));
        var race = new HedgingRace<int>(telemetry, 2, Delay, _clock, default);
        Assert.Throws<InvalidOperationException>(() => race.GetResult());
    }

    [Theory]
    [InlineData(Interruption.CallerCancels)]
    [InlineData(Interruption.RaceDisposed)]
    public async Task An_answer_racing_the_end_of_the_race_is_either_returned_or_disposed_never_both(Interruption interruption)
    {
        for (int round = 0; round < Rounds; round++)
        {
            using var caller = new CancellationTokenSource();
            HedgingRace<Response> race = Race(2, Delay, caller.Token);
            Assert.True(race.TryLaunch(out int attempt, out _));
            Task wait = race.WaitAsync();
            var answer = new Response("answer");

            // As generated code does, the attempt reports on its own thread; the caller's side ends the race on another.
            TestSupport.RunOnThreads(2, thread =>
            {
                if (thread == 0)
                {
                    race.Succeed(attempt, answer, acceptable: true);
                }
                else if (interruption == Interruption.CallerCancels)
                {
                    caller.Cancel();
                }
                else
                {
                    race.Dispose();
                }
            });

            await wait.WaitAsync(TestSupport.HangGuard);
            Assert.False(race.TryLaunch(out _, out _), "The race started an attempt after it was decided.");
            bool wasReturned = ReturnedOrCanceled(race, answer, caller.Token);
            race.Dispose();
            Assert.Equal(wasReturned, !answer.Disposed);
        }
    }

    [Fact]
    public async Task An_attempt_reported_through_the_generated_loop_as_the_caller_cancels_is_returned_or_disposed_and_its_report_never_throws()
    {
        for (int round = 0; round < Rounds; round++)
        {
            _attempts.Clear();
            using var caller = new CancellationTokenSource();
            HedgingRace<Response> race = Race(2, Delay, caller.Token);
            Task<Response> call = Run(race);
            var answer = new Response("answer");

            TestSupport.RunOnThreads(2, thread =>
            {
                if (thread == 0)
                {
                    _attempts[0].Answer(answer);
                }
                else
                {
                    caller.Cancel();
                }
            });

            bool wasReturned;
            try
            {
                Assert.Same(answer, await call.Guarded());
                wasReturned = true;
            }
            catch (OperationCanceledException canceled)
            {
                Assert.Equal(caller.Token, canceled.CancellationToken);
                wasReturned = false;
            }

            // Generated code never awaits an attempt's task: one that faulted would be an unobserved exception.
            await _attempts[0].Reported.WaitAsync(TestSupport.HangGuard);
            Assert.True(_attempts[0].Reported.IsCompletedSuccessfully, "The attempt's report threw.");
            Assert.Equal(wasReturned, !answer.Disposed);
            Assert.Single(_attempts);
        }
    }

    [Fact]
    public async Task A_failure_as_the_delay_fires_starts_the_next_attempt_once_and_never_more_than_the_maximum()
    {
        for (int round = 0; round < Rounds; round++)
        {
            _attempts.Clear();
            Volatile.Write(ref _waits, 0);
            HedgingRace<Response> race = Race(3, Delay);
            Task<Response> call = Run(race);
            TestSupport.SpinUntil(() => Volatile.Read(ref _waits) == 1, "the race waits for the delay");

            TestSupport.RunOnThreads(2, thread =>
            {
                if (thread == 0)
                {
                    race.Fail(1, new HttpRequestException("down"));
                }
                else
                {
                    _clock.Advance(Delay);
                }
            });

            // Once the loop waits again, only the clock or an attempt can start another: whatever fired above has run.
            // A failure and a delay: at most one attempt for each, numbered in turn (two when the race saw the delay
            // first, as the failure then ends a running attempt; one when it saw the failure first, which ended the wait).
            TestSupport.SpinUntil(() => IsWaiting, "the race waits again");
            int launched = Launched;
            Assert.InRange(launched, 2, 3);
            Assert.Equal(Enumerable.Range(1, launched), _attempts.Select(a => a.Number));
            if (launched == 2)
            {
                // The wait for the second attempt's delay is whole: the first delay ended nothing of it.
                _clock.Advance(Delay - TimeSpan.FromMilliseconds(1));
                Assert.Equal(2, Launched);
                _clock.Advance(TimeSpan.FromMilliseconds(1));
                TestSupport.SpinUntil(() => Launched == 3, "the third attempt starts");
            }

            _clock.Advance(Delay * 10);
            Assert.Equal(3, Launched);
            _attempts[1].Answer(new Response("second"));
            Assert.Equal("second", (await call.Guarded()).Name);
            Assert.Equal(3, Launched);
        }
    }

    [Fact]
    public async Task A_delay_whose_callback_reaches_the_race_after_a_failure_started_the_next_attempt_starts_nothing()
    {
        var clock = new HeldTimerClock();
        var race = new HedgingRace<Response>(_registry.GetTelemetry(_name, _name), 3, Delay, clock, default);
        Task<Response> call = Run(race);
        TestSupport.SpinUntil(() => Volatile.Read(ref _waits) == 1, "the race waits for the delay");

        // The delay's timer fires, and its callback is held before it reaches the race...
        var advance = new Thread(() => clock.Advance(Delay)) { IsBackground = true };
        advance.Start();
        Assert.True(clock.Fired.Wait(TestSupport.HangGuard), "The delay's timer did not fire.");

        // ...while the first attempt fails: the second starts at once, and the race waits for the second's delay.
        _attempts[0].Fail(new HttpRequestException("down"));
        TestSupport.SpinUntil(() => Volatile.Read(ref _waits) == 2, "the race waits again after the second attempt");
        clock.Release();
        Assert.True(advance.Join(TestSupport.HangGuard), "The held timer's callback did not end.");

        // The first delay's late callback ended nothing: the third attempt waits for the whole second delay.
        Assert.True(IsWaiting, "The first delay's late callback ended the wait for the second attempt's delay.");
        Assert.Equal(2, Launched);
        clock.Advance(Delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, Launched);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        TestSupport.SpinUntil(() => Launched == 3, "the third attempt starts");

        _attempts[1].Answer(new Response("second"));
        Assert.Equal("second", (await call.Guarded()).Name);
    }

    private int Launched
    {
        get
        {
            lock (_attempts)
            {
                return _attempts.Count;
            }
        }
    }

    /// <summary>Whether <see cref="Run"/> waits, after its last launch, for something still to come (the clock or an attempt).</summary>
    private bool IsWaiting
        => Volatile.Read(ref _waits) == Launched && Volatile.Read(ref _lastWait) is { IsCompleted: false };

    /// <summary>
    /// The race's only two outcomes once an answer met the end of the race: the answer returned and not disposed
    /// (true), or the caller's cancellation thrown and the answer disposed, as nobody will have it (false).
    /// </summary>
    private static bool ReturnedOrCanceled(HedgingRace<Response> race, Response answer, CancellationToken caller)
    {
        Response returned;
        try
        {
            returned = race.GetResult();
        }
        catch (OperationCanceledException canceled)
        {
            Assert.Equal(caller, canceled.CancellationToken);
            Assert.True(answer.Disposed, "The race ended cancelled, but the answer it refused was not disposed.");
            return false;
        }

        Assert.Same(answer, returned);
        Assert.False(answer.Disposed, "The answer returned to the caller was disposed.");
        return true;
    }

    private HedgingRace<Response> Race(int maxAttempts, TimeSpan delay, CancellationToken token = default)
        => new(_registry.GetTelemetry(_name, _name), maxAttempts, delay, _clock, token);

    /// <summary>What generated code does with the race: launch, wait, launch again, then take the result; the race is disposed at the end.</summary>
    private async Task<Response> Run(HedgingRace<Response> race)
    {
        try
        {
            while (race.TryLaunch(out int number, out CancellationToken token))
            {
                var attempt = new Attempt(token, number);
                lock (_attempts)
                {
                    _attempts.Add(attempt);
                }

                attempt.Reported = Report(race, number, attempt.Outcome.Task);
                Task wait = race.WaitAsync();
                Volatile.Write(ref _lastWait, wait);
                Interlocked.Increment(ref _waits); // the delay's timer, if any, exists from here
                await wait;
            }

            return race.GetResult();
        }
        finally
        {
            race.Dispose();
        }
    }

    /// <summary>The generated attempt's end: never throws, reports its outcome.</summary>
    private static async Task Report(HedgingRace<Response> race, int number, Task<Response> outcome)
    {
        try
        {
            Response response = await outcome;
            race.Succeed(number, response, response.Acceptable);
        }
        catch (Exception error)
        {
            race.Fail(number, error);
        }
    }

    private sealed class Attempt(CancellationToken token, int number)
    {
        public CancellationToken Token { get; } = token;

        /// <summary>The number the race gave it.</summary>
        public int Number { get; } = number;

        public TaskCompletionSource<Response> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reported { get; set; } = Task.CompletedTask;

        public void Answer(Response response) => Outcome.SetResult(response);

        public void Fail(Exception error) => Outcome.SetException(error);
    }

    private sealed class Response(string name, bool acceptable = true) : IDisposable
    {
        public string Name { get; } = name;

        public bool Acceptable { get; } = acceptable;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    /// <summary>A fake clock that holds the callback of the first timer it fires until the test releases it, as a busy thread pool may.</summary>
    private sealed class HeldTimerClock : FakeTimeProvider
    {
        private readonly ManualResetEventSlim _release = new();
        private int _held;

        /// <summary>Set when the held callback has been called, before it runs.</summary>
        public ManualResetEventSlim Fired { get; } = new();

        public void Release() => _release.Set();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => base.CreateTimer(
                s =>
                {
                    if (Interlocked.Exchange(ref _held, 1) == 0)
                    {
                        Fired.Set();
                        _release.Wait(TestSupport.HangGuard);
                    }

                    callback(s);
                },
                state,
                dueTime,
                period);
    }
}
