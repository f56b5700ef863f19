namespace Resilience.Tests;

/// <summary>
/// The permit counters of the four algorithms, driven with explicit times (ticks): what each admits, and what it
/// answers about itself (remaining permits, the wait for the next permit and for a full window, idleness).
/// </summary>
public sealed class PermitCounterTests
{
    private static readonly long Ms = TimeSpan.TicksPerMillisecond;

    [Fact]
    public void A_token_buckets_remaining_permits_are_none_until_a_whole_interval_has_refilled_one()
    {
        // Ten permits a second: one comes back every 100 ms.
        PermitCounter bucket = Counter(RateLimitAlgorithm.TokenBucket, permits: 10, windowMs: 1_000);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(bucket.TryAcquire(0));
        }

        Assert.Equal(0, bucket.Remaining(0));
        Assert.Equal(0, bucket.Remaining(50 * Ms));
        Assert.Equal(0, bucket.Remaining((100 * Ms) - 1));
        Assert.Equal(1, bucket.Remaining(100 * Ms));
        Assert.Equal(10, bucket.Remaining(1_000 * Ms));
    }

    [Fact]
    public void A_fixed_window_is_idle_again_once_its_window_is_over_whatever_the_windows_number()
    {
        PermitCounter counter = Counter(RateLimitAlgorithm.FixedWindow, permits: 3, windowMs: 10);
        long fifthWindow = 5 * 10 * Ms;

        Assert.True(counter.IsIdle(fifthWindow));
        Assert.True(counter.TryAcquire(fifthWindow + 1));

        Assert.False(counter.IsIdle(fifthWindow + 2));
        Assert.True(counter.IsIdle(fifthWindow + (10 * Ms)));
    }

    [Fact]
    public void A_fixed_windows_count_does_not_carry_into_the_next_window()
    {
        PermitCounter counter = Counter(RateLimitAlgorithm.FixedWindow, permits: 3, windowMs: 10);
        long window = 10 * Ms;
        Assert.True(counter.TryAcquire(window + 1));
        Assert.True(counter.TryAcquire(window + 2));

        Assert.Equal(1, counter.Remaining(window + 3));
        Assert.Equal(window - 3, counter.TicksUntilFull(window + 3));
        Assert.Equal(3, counter.Remaining(2 * window));
        Assert.Equal(0, counter.TicksUntilFull(2 * window));
        Assert.Equal(0, counter.TicksUntilPermit(2 * window));
    }

    [Fact]
    public void A_sliding_window_of_the_largest_exact_limit_gives_a_permit_back_exactly_one_window_after_its_call()
    {
        // Counted in segments of 100 ms instead, the calls at 50 ms would come back with their segment, at 1,000 ms.
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: SlidingLogCounter.ExactEntries, windowMs: 1_000);
        for (int i = 0; i < SlidingLogCounter.ExactEntries; i++)
        {
            Assert.True(counter.TryAcquire(50 * Ms));
        }

        Assert.False(counter.TryAcquire(1_000 * Ms));
        Assert.Equal(50 * Ms, counter.TicksUntilPermit(1_000 * Ms));
        Assert.True(counter.TryAcquire(1_050 * Ms));
    }

    [Fact]
    public void A_sliding_log_counts_a_call_read_before_the_newest_at_the_newest_time()
    {
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: 2, windowMs: 1_000);
        Assert.True(counter.TryAcquire(100 * Ms));

        // A caller whose clock reading is older than the last admitted call's.
        Assert.True(counter.TryAcquire(50 * Ms));

        Assert.Equal(1_000 * Ms, counter.TicksUntilFull(100 * Ms));
        Assert.Equal(0, counter.Remaining(100 * Ms));
        Assert.Equal(2, counter.Remaining(1_100 * Ms));
    }

    [Fact]
    public void A_sliding_log_longer_than_its_first_ring_keeps_every_calls_time()
    {
        // More calls than the ring's first sizes hold: every permit comes back one window after its own call.
        const int Permits = 40;
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: Permits, windowMs: 1_000);
        for (int i = 0; i < Permits; i++)
        {
            Assert.True(counter.TryAcquire(i * Ms));
        }

        Assert.False(counter.TryAcquire(999 * Ms));
        for (int i = 0; i < Permits; i++)
        {
            long now = (1_000 + i) * Ms;
            Assert.Equal(1, counter.Remaining(now));
            Assert.True(counter.TryAcquire(now), $"The permit of the call at {i} ms did not come back at {1_000 + i} ms.");
            Assert.False(counter.TryAcquire(now), $"More than one permit came back at {1_000 + i} ms.");
        }
    }

    [Fact]
    public void A_sliding_log_grows_with_its_calls_instead_of_taking_room_for_every_permit_at_once()
    {
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: SlidingLogCounter.ExactEntries, windowMs: 1_000);
        Assert.True(counter.TryAcquire(0)); // warms the path up

        PermitCounter fresh = Counter(RateLimitAlgorithm.SlidingWindow, permits: SlidingLogCounter.ExactEntries, windowMs: 1_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(fresh.TryAcquire(0));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 1, 1_024); // a ring of 16 times, not of 1,024 (8 KB)
    }

    [Fact]
    public void Above_the_exact_limit_a_sliding_window_gives_each_permit_back_a_window_after_its_call_late_by_under_a_slice()
    {
        // 2,000 permits in 1,024 ms: calls are kept by their time rounded up to a 1,024th of the window, 1 ms.
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: 2_000, windowMs: 1_024);
        Assert.True(counter.IsIdle(0));
        Assert.Equal(0, counter.TicksUntilFull(50 * Ms));

        long call = (50 * Ms) + 300;                     // 50.03 ms, kept as 51 ms
        Assert.True(counter.TryAcquire(call));
        Assert.True(counter.TryAcquire(250 * Ms));       // on a slice's edge: kept as it is
        Assert.Equal(1_998, counter.Remaining(300 * Ms));
        Assert.Equal(0, counter.TicksUntilPermit(300 * Ms));
        Assert.Equal((1_274 - 300) * Ms, counter.TicksUntilFull(300 * Ms));

        // Never early: the first permit is still out a window after its call, and back within the slice after.
        Assert.Equal(1_998, counter.Remaining(call + (1_024 * Ms)));
        Assert.Equal(1_998, counter.Remaining((1_075 * Ms) - 1));
        Assert.Equal(1_999, counter.Remaining(1_075 * Ms));
        Assert.Equal(1_999, counter.Remaining((1_274 * Ms) - 1));
        Assert.Equal(2_000, counter.Remaining(1_274 * Ms));
        Assert.True(counter.IsIdle(1_274 * Ms));
    }

    [Fact]
    public void A_full_sliding_window_above_the_exact_limit_waits_for_its_oldest_calls()
    {
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: 2_000, windowMs: 1_024);
        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(counter.TryAcquire((150 * Ms) + 1 + i)); // just after 150 ms: one entry, at 151 ms
        }

        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(counter.TryAcquire(420 * Ms));
        }

        Assert.Equal(16, ((SlidingLogCounter)counter).Capacity);
        Assert.False(counter.TryAcquire(500 * Ms));
        Assert.Equal(0, counter.Remaining(500 * Ms));
        Assert.Equal(675 * Ms, counter.TicksUntilPermit(500 * Ms)); // 151 + 1,024 = 1,175 ms
        Assert.Equal(944 * Ms, counter.TicksUntilFull(500 * Ms));   // 420 + 1,024 = 1,444 ms
        Assert.False(counter.TryAcquire((1_175 * Ms) - 1));
        Assert.True(counter.TryAcquire(1_175 * Ms));
    }

    [Fact]
    public void A_sliding_window_of_a_high_limit_never_admits_more_than_its_permits_in_any_window()
    {
        // 2,000 permits in 50 ms, asked for every 10 µs for 300 ms: any 2,001 admissions span at least a window.
        const int Permits = 2_000;
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: Permits, windowMs: 50);
        var admitted = new List<long>();
        for (long now = 0; now < 300 * Ms; now += 100)
        {
            if (counter.TryAcquire(now))
            {
                admitted.Add(now);
            }
        }

        for (int i = Permits; i < admitted.Count; i++)
        {
            Assert.True(admitted[i] - admitted[i - Permits] >= 50 * Ms, $"{Permits + 1} admissions within {(admitted[i] - admitted[i - Permits]) / (double)Ms} ms.");
        }

        // Permits come back within a 1,024th of a window of being due: close to the 2,000 a window allowed.
        Assert.True(admitted.Count >= 5.8 * Permits, $"Only {admitted.Count} admitted in six windows.");
    }

    [Fact]
    public void A_sliding_window_of_a_million_permits_keeps_about_a_thousand_entries_and_gives_the_room_back()
    {
        // A million calls within one window, one every microsecond: one entry per slice of 1 ms, not one per call.
        PermitCounter counter = Counter(RateLimitAlgorithm.SlidingWindow, permits: 1_000_000, windowMs: 1_024);
        var log = (SlidingLogCounter)counter;
        for (long i = 0; i < 1_000_000; i++)
        {
            Assert.True(counter.TryAcquire(i * 10));
        }

        Assert.False(counter.TryAcquire(1_000 * Ms));
        Assert.InRange(log.Capacity, SlidingLogCounter.ExactEntries, SlidingLogCounter.ExactEntries + 2); // 12 KB at most

        // Once the calls have left the window the log is back to its first size.
        Assert.Equal(1_000_000, counter.Remaining(3_000 * Ms));
        Assert.Equal(16, log.Capacity);
    }

    private static PermitCounter Counter(RateLimitAlgorithm algorithm, int permits, int windowMs)
        => PermitCounter.Create(new RateLimitOptions { Permits = permits, WindowMs = windowMs, Algorithm = algorithm });
}
