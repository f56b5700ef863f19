using System.Numerics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Internal;

public sealed class ClockTests
{
    [Theory]
    [InlineData(1_000L, 1L)]                        // a millisecond clock
    [InlineData(1_000L, 123_456_789_012L)]
    [InlineData(1_000_000_000L, 1L)]                // a nanosecond clock: less than a tick is no tick
    [InlineData(1_000_000_000L, 99L)]
    [InlineData(1_000_000_000L, 1_234_567_890_123L)]
    [InlineData(1_000_000_000L, 4_611_686_018_427_387_903L)] // too large for a double to hold every nanosecond
    [InlineData(3_579_545L, 3_579_544L)]            // a frequency that is not a multiple of 10 MHz, just under a second
    [InlineData(3_579_545L, 9_007_199_254_740_993L)]
    [InlineData(10_000_000L, 9_007_199_254_740_993L)] // TimeSpan ticks already
    public void A_timestamp_is_converted_to_whole_TimeSpan_ticks_exactly(long frequency, long timestamp)
    {
        var clock = new SteppedClock(frequency) { Timestamp = timestamp };
        long expected = (long)(new BigInteger(timestamp) * TimeSpan.TicksPerSecond / frequency);

        Assert.Equal(expected, Clock.NowTicks(clock));
    }

    [Fact]
    public void The_system_clock_is_read_from_the_tick_count_its_timers_run_on()
    {
        long before = Environment.TickCount64;
        long now = Clock.NowTicks(TimeProvider.System);
        long after = Environment.TickCount64;

        // Environment.TickCount64 in TimeSpan ticks: a whole number of milliseconds, between the two readings.
        Assert.Equal(0, now % TimeSpan.TicksPerMillisecond);
        Assert.InRange(now, before * TimeSpan.TicksPerMillisecond, after * TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public async Task A_timeout_on_a_clock_of_another_frequency_fires_at_its_deadline_not_before()
    {
        // A fake clock whose timestamps count microseconds: the timeout is measured in its ticks, converted.
        var clock = new MicrosecondFakeClock();
        var registry = new ResilienceRegistry { TimeProvider = clock };
        TimeoutCancellationSource source = registry.StartTimeout(TimeSpan.FromMilliseconds(250), CancellationToken.None);

        clock.Advance(TimeSpan.FromMilliseconds(249.999));
        Assert.False(source.Token.IsCancellationRequested);
        clock.Advance(TimeSpan.FromMilliseconds(0.001));
        await Task.Yield();
        Assert.True(source.HasTimedOut);
        source.Return();
    }

    [Fact]
    public void DelayAsync_with_a_cancelled_token_is_cancelled_even_for_no_delay()
    {
        Task delay = Clock.DelayAsync(new FakeTimeProvider(), TimeSpan.Zero, new CancellationToken(canceled: true));

        Assert.True(delay.IsCanceled);
    }

    [Fact]
    public void DelayAsync_of_zero_or_less_completes_at_once()
    {
        var clock = new FakeTimeProvider();

        Assert.True(Clock.DelayAsync(clock, TimeSpan.Zero, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(Clock.DelayAsync(clock, TimeSpan.FromTicks(-1), CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void DelayAsync_waits_for_the_clock()
    {
        var clock = new FakeTimeProvider();

        Task delay = Clock.DelayAsync(clock, TimeSpan.FromSeconds(1), CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void DelayAsync_of_less_than_a_millisecond_waits_a_whole_millisecond()
    {
        var clock = new FakeTimeProvider();

        Task delay = Clock.DelayAsync(clock, TimeSpan.FromTicks(1), CancellationToken.None);

        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1) - TimeSpan.FromTicks(1));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void DelayAsync_of_a_fraction_of_a_millisecond_more_does_not_end_before_it()
    {
        var clock = new FakeTimeProvider();

        Task delay = Clock.DelayAsync(clock, TimeSpan.FromMilliseconds(2) + TimeSpan.FromTicks(1), CancellationToken.None);

        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void DelayAsync_rounds_a_fraction_of_a_millisecond_up_to_the_next_millisecond_only()
    {
        var clock = new FakeTimeProvider();

        Task delay = Clock.DelayAsync(clock, TimeSpan.FromMilliseconds(2.6), CancellationToken.None);

        clock.Advance(TimeSpan.FromMilliseconds(3) - TimeSpan.FromTicks(1));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void DelayAsync_longer_than_a_timer_can_wait_is_refused_as_by_Task_Delay()
    {
        var clock = new FakeTimeProvider();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Clock.DelayAsync(clock, TimeSpan.MaxValue, CancellationToken.None); });

        Assert.Equal("delay", e.ParamName);
    }

    private sealed class SteppedClock(long frequency) : TimeProvider
    {
        public long Timestamp { get; set; }

        public override long TimestampFrequency => frequency;

        public override long GetTimestamp() => Timestamp;
    }

    /// <summary>A fake clock whose timestamps count microseconds instead of TimeSpan ticks.</summary>
    private sealed class MicrosecondFakeClock : FakeTimeProvider
    {
        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => base.GetTimestamp() / 10;
    }
}
