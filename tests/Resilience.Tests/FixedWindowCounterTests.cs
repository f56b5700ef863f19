namespace Resilience.Tests;

/// <summary>The fixed window's count, driven with explicit times (ticks), as callers racing a window boundary see them.</summary>
public sealed class FixedWindowCounterTests
{
    private const long Window = TimeSpan.TicksPerMillisecond * 10;

    [Fact]
    public void A_caller_whose_clock_read_falls_before_a_crossed_boundary_counts_in_the_newer_window()
    {
        PermitCounter counter = PermitCounter.Create(new RateLimitOptions { Permits = 3, WindowMs = 10, Algorithm = RateLimitAlgorithm.FixedWindow });

        // Three callers in the second window take its three permits...
        Assert.True(counter.TryAcquire(Window + 1));
        Assert.True(counter.TryAcquire(Window + 2));
        Assert.True(counter.TryAcquire(Window + 3));

        // ...then one that read the time a moment before that window began: no fresh quota for it, nor after it.
        Assert.False(counter.TryAcquire(Window - 1));
        Assert.False(counter.TryAcquire(Window + 4));
        Assert.True(counter.TryAcquire(2 * Window));
    }

    [Fact]
    public void A_late_caller_takes_a_permit_of_the_newer_window_when_one_is_left()
    {
        PermitCounter counter = PermitCounter.Create(new RateLimitOptions { Permits = 3, WindowMs = 10, Algorithm = RateLimitAlgorithm.FixedWindow });
        Assert.True(counter.TryAcquire(Window + 1));

        Assert.True(counter.TryAcquire(Window - 1));
        Assert.True(counter.TryAcquire(Window + 2));
        Assert.False(counter.TryAcquire(Window + 3));
    }
}
