using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Stress;

// Many threads on one rate limit, for each algorithm. The clock is a fake one, moved between rounds (or by a thread
// of its own), so what is checked is exact: the permits a window admits, and that every call is accounted for.
[Collection(StressCollection.Name)]
public sealed class RateLimiterStressTests
{
    private const int Threads = 8;
    private const int WindowMs = 1_000;

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public RateLimiterStressTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow, 50)]
    [InlineData(RateLimitAlgorithm.TokenBucket, 50)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 50)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 2_000)] // above 1 024: calls kept by slices of a 1 024th of the window
    public void Each_whole_window_admits_exactly_its_permits_however_many_threads_ask(RateLimitAlgorithm algorithm, int permits)
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("stress", new RateLimitOptions { Permits = permits, WindowMs = WindowMs, Algorithm = algorithm });
        const int Rounds = 6;

        for (int round = 0; round < Rounds; round++)
        {
            long admitted = Hammer(limiter, attemptsEach: permits);

            // Eight threads asked for eight times the permits; the clock stood still, so exactly the permits were given.
            Assert.Equal(permits, admitted);
            Assert.False(limiter.TryAcquire());
            _clock.Advance(TimeSpan.FromMilliseconds(WindowMs * (algorithm == RateLimitAlgorithm.SlidingWindow ? 2 : 1)));
        }
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow, 40)]
    [InlineData(RateLimitAlgorithm.TokenBucket, 40)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 40)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 2_000)]
    public void No_stretch_shorter_than_the_window_admits_more_than_the_permits(RateLimitAlgorithm algorithm, int permits)
    {
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("stress", new RateLimitOptions { Permits = permits, WindowMs = WindowMs, Algorithm = algorithm });
        // Steps of a tenth of a window, the clock starting on a whole second. A fixed window promises its permits per
        // window: per ten steps from the start. The sliding one promises them over any stretch shorter than a window:
        // any ten steps (nine tenths of a window from the first to the last). A token bucket may add, to its burst of
        // Permits, what it refills over a stretch: checked over any eight steps, a tenth of the permits for each of the
        // seven moves between them.
        const int Steps = 60;
        var admittedPerStep = new long[Steps];
        for (int step = 0; step < Steps; step++)
        {
            admittedPerStep[step] = Hammer(limiter, attemptsEach: Math.Max(4, permits / 4));
            _clock.Advance(TimeSpan.FromMilliseconds(WindowMs / 10));
        }

        bool fixedWindow = algorithm == RateLimitAlgorithm.FixedWindow;
        int span = algorithm == RateLimitAlgorithm.TokenBucket ? 8 : 10;
        long allowed = algorithm == RateLimitAlgorithm.TokenBucket ? permits + (permits * (span - 1) / 10) : permits;
        for (int start = 0; start + span <= Steps; start += fixedWindow ? span : 1)
        {
            long inSpan = admittedPerStep.Skip(start).Take(span).Sum();
            Assert.True(inSpan <= allowed, $"Steps {start}..{start + span - 1} admitted {inSpan} calls; at most {allowed} are allowed.");
        }

        // The limit is not stuck either: over the whole run, it gave more than one window's permits.
        Assert.True(admittedPerStep.Sum() > permits, $"Only {admittedPerStep.Sum()} calls were admitted in six windows.");
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task Every_queued_call_is_accounted_for_and_no_permit_is_lost_when_callers_cancel_at_every_point(RateLimitAlgorithm algorithm)
    {
        const int Permits = 10;
        const int CallsEach = 150;
        RateLimiterState limiter = _registry.GetOrAddRateLimiter("stress", new RateLimitOptions { Permits = Permits, WindowMs = WindowMs, Algorithm = algorithm, QueueLimit = 6 });
        long admitted = 0, rejected = 0, cancelled = 0;

        using var workersDone = new CancellationTokenSource();
        // The clock moves on its own while the callers run, so queued calls are served by the limiter's timers.
        Task ticking = Task.Run(async () =>
        {
            while (!workersDone.IsCancellationRequested)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(WindowMs / 20));
                await Task.Yield();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            for (int i = 0; i < CallsEach; i++)
            {
                using var caller = new CancellationTokenSource();
                int point = (i + thread) % 4;
                if (point == 0)
                {
                    caller.Cancel();
                }

                Task cancelling = point == 1 ? Task.Run(caller.Cancel) : Task.CompletedTask;
                try
                {
                    ValueTask<bool> acquiring = limiter.AcquireAsync(caller.Token);
                    if (point == 2)
                    {
                        caller.Cancel();
                    }

                    if (await acquiring)
                    {
                        Interlocked.Increment(ref admitted);
                    }
                    else
                    {
                        Interlocked.Increment(ref rejected);
                    }
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                }

                await cancelling;
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        workersDone.Cancel();
        await ticking;

        Assert.Equal(Threads * CallsEach, admitted + rejected + cancelled);
        Assert.Equal(rejected, limiter.RejectionCount);
        Assert.True(admitted > 0);
        Assert.Equal(0, limiter.QueuedCount);

        // Two windows later every permit is back: exactly the permits are admitted, one after another.
        _clock.Advance(TimeSpan.FromMilliseconds(2 * WindowMs));
        int refilled = 0;
        while (limiter.TryAcquire())
        {
            refilled++;
            Assert.True(refilled <= Permits, "The limit admitted more than its permits in one instant.");
        }

        Assert.Equal(Permits, refilled);
    }

    /// <summary>All threads ask at once, <paramref name="attemptsEach"/> times each, while the clock stands still; the calls admitted.</summary>
    private static long Hammer(RateLimiterState limiter, int attemptsEach)
    {
        long admitted = 0;
        TestSupport.RunOnThreads(Threads, _ =>
        {
            for (int i = 0; i < attemptsEach; i++)
            {
                if (limiter.TryAcquire())
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        });

        return admitted;
    }
}
