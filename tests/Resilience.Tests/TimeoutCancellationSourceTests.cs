using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

// Rent and Return run on the test's own thread, one after the other, so a source returned here is the one
// the thread's pool hands out next: these tests exercise reuse, not just fresh sources.
public sealed class TimeoutCancellationSourceTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public TimeoutCancellationSourceTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void The_token_is_not_cancelled_one_tick_before_the_timeout()
    {
        TimeoutCancellationSource source = _registry.StartTimeout(TimeSpan.FromSeconds(2), CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(2) - OneTick);

        Assert.False(source.Token.IsCancellationRequested);
        Assert.False(source.HasTimedOut);
        source.Return();
    }

    [Fact]
    public void The_token_is_cancelled_when_the_clock_reaches_the_timeout()
    {
        TimeoutCancellationSource source = _registry.StartTimeout(TimeSpan.FromSeconds(2), CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.True(source.Token.IsCancellationRequested);
        Assert.True(source.HasTimedOut);
        Assert.Equal(TimeSpan.FromSeconds(2), source.Timeout);
        source.Return();
    }

    [Fact]
    public void The_callers_cancellation_cancels_the_token_without_timing_out()
    {
        using var caller = new CancellationTokenSource();
        TimeoutCancellationSource source = _registry.StartTimeout(TimeSpan.FromSeconds(2), caller.Token);

        caller.Cancel();

        Assert.True(source.Token.IsCancellationRequested);
        Assert.False(source.HasTimedOut);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(source.HasTimedOut);
        source.Return();
    }

    [Fact]
    public void An_already_cancelled_caller_token_gives_a_cancelled_token_at_once()
    {
        TimeoutCancellationSource source = _registry.StartTimeout(TimeSpan.FromSeconds(2), new CancellationToken(canceled: true));

        Assert.True(source.Token.IsCancellationRequested);
        Assert.False(source.HasTimedOut);
        source.Return();
    }

    [Fact]
    public void A_source_returned_after_timing_out_is_not_handed_out_again_cancelled()
    {
        TimeoutCancellationSource timedOut = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(timedOut.HasTimedOut);
        timedOut.Return();

        TimeoutCancellationSource next = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.False(next.Token.IsCancellationRequested);
        Assert.False(next.HasTimedOut);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(next.HasTimedOut);
        next.Return();
    }

    [Fact]
    public void A_source_returned_after_its_caller_cancelled_is_not_handed_out_again_cancelled()
    {
        using var caller = new CancellationTokenSource();
        TimeoutCancellationSource cancelled = _registry.StartTimeout(TimeSpan.FromSeconds(1), caller.Token);
        caller.Cancel();
        cancelled.Return();

        TimeoutCancellationSource next = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.False(next.Token.IsCancellationRequested);
        next.Return();
    }

    [Fact]
    public void A_callers_cancellation_after_return_does_not_reach_the_next_rent()
    {
        using var previousCaller = new CancellationTokenSource();
        TimeoutCancellationSource first = _registry.StartTimeout(TimeSpan.FromSeconds(1), previousCaller.Token);
        first.Return();
        TimeoutCancellationSource next = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Same(first, next); // reused: the case where a leftover registration could strike

        previousCaller.Cancel();

        Assert.False(next.Token.IsCancellationRequested);
        next.Return();
    }

    [Fact]
    public void Many_rents_in_a_row_never_start_cancelled()
    {
        using var caller = new CancellationTokenSource();
        for (int i = 0; i < 30; i++)
        {
            TimeoutCancellationSource source = _registry.StartTimeout(TimeSpan.FromSeconds(1), (i % 2 == 0) ? caller.Token : CancellationToken.None);
            Assert.False(source.Token.IsCancellationRequested, $"Rent {i} handed out a cancelled token.");
            switch (i % 3)
            {
                case 0: _clock.Advance(TimeSpan.FromSeconds(1)); break;  // times out
                case 1: _clock.Advance(TimeSpan.FromMilliseconds(500)); break; // completes in time
                default: break; // completes at once
            }

            source.Return();
        }
    }

    [Fact]
    public void A_reused_source_times_out_on_its_own_new_deadline()
    {
        TimeoutCancellationSource first = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        first.Return();

        TimeoutCancellationSource second = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Same(first, second);

        _clock.Advance(TimeSpan.FromMilliseconds(600)); // past the first rent's deadline
        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(400) - OneTick);
        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(OneTick);
        Assert.True(second.Token.IsCancellationRequested);
        Assert.True(second.HasTimedOut);
        second.Return();
    }

    [Fact]
    public void A_reused_source_with_a_shorter_timeout_times_out_on_time()
    {
        TimeoutCancellationSource first = _registry.StartTimeout(TimeSpan.FromSeconds(10), CancellationToken.None);
        first.Return();

        TimeoutCancellationSource second = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Same(first, second);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(second.HasTimedOut);
        second.Return();
    }

    [Fact]
    public void A_timer_left_from_a_returned_rent_does_not_cancel_the_pooled_source()
    {
        TimeoutCancellationSource first = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        first.Return();
        _clock.Advance(TimeSpan.FromSeconds(5));

        TimeoutCancellationSource second = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1) - OneTick);
        Assert.False(second.Token.IsCancellationRequested);
        second.Return();
    }

    [Fact]
    public void A_source_made_for_another_clock_is_not_reused_on_this_one()
    {
        var otherClock = new FakeTimeProvider();
        TimeoutCancellationSource other = TimeoutCancellationSource.Rent(TimeSpan.FromSeconds(1), CancellationToken.None, otherClock);
        other.Return();

        TimeoutCancellationSource mine = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(mine.HasTimedOut);
        mine.Return();
    }

    [Fact]
    public void A_source_returned_on_another_thread_is_rented_again_by_the_thread_that_rented_it()
    {
        TimeoutCancellationSource first = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        var returner = new Thread(first.Return);
        returner.Start();
        Assert.True(returner.Join(TimeSpan.FromSeconds(10)), "The returning thread did not finish.");

        TimeoutCancellationSource again = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Same(first, again);
        Assert.False(again.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(again.HasTimedOut);
        again.Return();
    }

    [Fact]
    public void A_nested_rent_gets_its_own_source_and_each_times_out_on_its_own_deadline()
    {
        TimeoutCancellationSource outer = _registry.StartTimeout(TimeSpan.FromSeconds(2), CancellationToken.None);
        TimeoutCancellationSource inner = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.NotSame(outer, inner);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(inner.HasTimedOut);
        Assert.False(outer.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(outer.HasTimedOut);
        inner.Return();
        outer.Return();
    }

    [Fact]
    public void After_its_source_timed_out_a_thread_gets_a_new_one_and_keeps_reusing_that()
    {
        TimeoutCancellationSource timedOut = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        timedOut.Return();

        TimeoutCancellationSource replacement = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        replacement.Return();
        TimeoutCancellationSource reused = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.NotSame(timedOut, replacement);
        Assert.Same(replacement, reused);
        Assert.False(reused.Token.IsCancellationRequested);
        reused.Return();
    }

    [Fact]
    public void LeavesTimeFor_is_true_only_for_a_wait_that_ends_before_the_deadline()
    {
        TimeoutCancellationSource source = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.True(source.LeavesTimeFor(TimeSpan.FromSeconds(1) - OneTick));
        Assert.False(source.LeavesTimeFor(TimeSpan.FromSeconds(1)));
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(source.LeavesTimeFor(TimeSpan.FromMilliseconds(600) - OneTick));
        Assert.False(source.LeavesTimeFor(TimeSpan.FromMilliseconds(600)));
        Assert.True(source.LeavesTimeFor(TimeSpan.Zero));
        source.Return();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-1_000)]
    public void Rent_rejects_a_timeout_that_is_not_positive(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.StartTimeout(TimeSpan.FromMilliseconds(milliseconds), CancellationToken.None));

        Assert.Equal("timeout", error.ParamName);
        Assert.Contains("it must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rent_rejects_a_null_clock()
        => Assert.Throws<ArgumentNullException>(() => TimeoutCancellationSource.Rent(TimeSpan.FromSeconds(1), CancellationToken.None, null!));
}
