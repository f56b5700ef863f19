namespace Resilience.Tests;

/// <summary>
/// The timeout on the real system clock, whose time is read from Environment.TickCount64 rather than through the
/// provider's timestamps. These wait real time, but assert outcomes only, never durations.
/// </summary>
public sealed class SystemClockTimeoutTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_timeout_on_the_system_clock_cancels_the_token()
    {
        TimeoutCancellationSource source = TimeoutCancellationSource.Rent(TimeSpan.FromMilliseconds(20), CancellationToken.None, TimeProvider.System);
        try
        {
            await Task.Delay(Timeout.Infinite, source.Token).WaitAsync(Guard).ContinueWith(_ => { }, TaskScheduler.Default);

            Assert.True(source.Token.IsCancellationRequested);
            Assert.True(source.HasTimedOut);
        }
        finally
        {
            source.Return();
        }
    }

    [Fact]
    public async Task A_timer_left_armed_by_a_short_rent_does_not_cancel_a_long_one()
    {
        // Returned at once: its timer stays armed for 20 ms. The next rent on this thread reuses the source.
        TimeoutCancellationSource.Rent(TimeSpan.FromMilliseconds(20), CancellationToken.None, TimeProvider.System).Return();
        TimeoutCancellationSource source = TimeoutCancellationSource.Rent(TimeSpan.FromSeconds(30), CancellationToken.None, TimeProvider.System);
        try
        {
            // Long past the first rent's 20 ms: its timer has fired and found 30 s left, and re-armed.
            await Task.Delay(200);

            Assert.False(source.Token.IsCancellationRequested);
            Assert.False(source.HasTimedOut);
        }
        finally
        {
            source.Return();
        }
    }

    [Fact]
    public void Rents_racing_their_timers_never_start_cancelled_and_never_lose_a_timeout()
    {
        // Every thread rents short timeouts without pause, so that returns, re-rents and timer callbacks meet.
        // Most calls return at once; every eighth waits for its timeout, which must come (a lost arming would
        // leave it waiting until the guard).
        const int Threads = 4;
        const int RentsPerThread = 4_000;
        int startedCancelled = 0, lostTimeouts = 0, timedOut = 0;
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < RentsPerThread; i++)
            {
                var timeout = TimeSpan.FromMilliseconds(1 + ((i + t) % 3));
                long rentedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                TimeoutCancellationSource source = TimeoutCancellationSource.Rent(timeout, CancellationToken.None, TimeProvider.System);
                try
                {
                    // Cancelled well before its own timeout could have fired: the cancellation of an earlier rent. (A
                    // thread descheduled for longer than the timeout, as on a loaded machine, sees its own fire.)
                    if (source.Token.IsCancellationRequested && System.Diagnostics.Stopwatch.GetElapsedTime(rentedAt) < timeout / 2)
                    {
                        Interlocked.Increment(ref startedCancelled);
                    }
                    else if (i % 8 == 0)
                    {
                        if (source.Token.WaitHandle.WaitOne(Guard))
                        {
                            Interlocked.Increment(ref timedOut);
                        }
                        else
                        {
                            Interlocked.Increment(ref lostTimeouts);
                        }
                    }
                }
                finally
                {
                    source.Return();
                }
            }
        })).ToList();

        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());

        Assert.Equal(0, startedCancelled);
        Assert.Equal(0, lostTimeouts);
        Assert.Equal(Threads * RentsPerThread / 8, timedOut);
    }
}
