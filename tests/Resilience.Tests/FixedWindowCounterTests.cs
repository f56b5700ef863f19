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
    public void Threads_racing_a_moving_clock_get_exactly_the_permits_of_the_windows_they_saw()
    {
        // Four threads ask as fast as they can while a fifth moves the clock on a window each time the window is
        // full, 300 times. Callers that read the time just before a boundary another caller crossed must count in the
        // newer window, not reset it to a fresh quota: every window is filled, so exactly Permits a window are given.
        const int Permits = 3;
        const int Windows = 300;
        PermitCounter counter = PermitCounter.Create(new RateLimitOptions { Permits = Permits, WindowMs = 10, Algorithm = RateLimitAlgorithm.FixedWindow });
        long time = Window;
        long admitted = 0;
        bool moving = true;

        TestSupport.RunOnThreads(5, thread =>
        {
            if (thread == 4)
            {
                try
                {
                    for (int window = 0; window <= Windows; window++)
                    {
                        long now = Volatile.Read(ref time);
                        Assert.True(SpinWait.SpinUntil(() => counter.Remaining(now) == 0, TimeSpan.FromSeconds(10)), $"Window {window} was never filled.");
                        if (window < Windows)
                        {
                            Interlocked.Add(ref time, Window);
                        }
                    }
                }
                finally
                {
                    Volatile.Write(ref moving, false);
                }

                return;
            }

            // Callers often give way between reading the clock and asking, as a caller preempted there would.
            for (int i = 0; Volatile.Read(ref moving); i++)
            {
                long now = Volatile.Read(ref time);
                if (i % 4 == 0)
                {
                    Thread.Yield();
                }

                if (counter.TryAcquire(now))
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        });

        Assert.Equal(Permits * (Windows + 1), admitted);
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
