using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

/// <summary>What every test file needs: a private registry on a fake clock, and guards that turn a hang into a failure.</summary>
internal static class TestSupport
{
    /// <summary>How long a test waits for something that should happen at once before it fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    /// <summary>A fresh registry whose clock is a <see cref="FakeTimeProvider"/> (starting 2000-01-01T00:00:00Z, a whole second).</summary>
    public static ResilienceRegistry CreateRegistry(out FakeTimeProvider clock)
    {
        clock = new FakeTimeProvider();
        return new ResilienceRegistry { TimeProvider = clock };
    }

    /// <summary>Awaits the task, failing (rather than hanging) if it does not complete within <see cref="HangGuard"/>.</summary>
    public static Task<T> Guarded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(HangGuard);

    /// <summary>Awaits the task, failing (rather than hanging) if it does not complete within <see cref="HangGuard"/>.</summary>
    public static Task<T> Guarded<T>(this Task<T> task) => task.WaitAsync(HangGuard);

    /// <summary>The result of a call that must have completed at once, without waiting.</summary>
    public static T ResultNow<T>(this ValueTask<T> task)
    {
        Assert.True(task.IsCompletedSuccessfully, "The call did not complete at once.");
        return task.Result;
    }

    /// <summary>Spins until <paramref name="condition"/> holds (another thread is expected to make it true), failing after <see cref="HangGuard"/>.</summary>
    public static void SpinUntil(Func<bool> condition, string what)
    {
        if (!SpinWait.SpinUntil(condition, HangGuard))
        {
            Assert.Fail($"Timed out waiting until {what}.");
        }
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> dedicated threads released together, and waits for all of them.</summary>
    public static void RunOnThreads(int threads, Action<int> body)
    {
        using var start = new ManualResetEventSlim();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int index = i;
            workers[i] = new Thread(() =>
            {
                try
                {
                    start.Wait();
                    body(index);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            })
            { IsBackground = true };
            workers[i].Start();
        }

        start.Set();
        foreach (Thread worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromSeconds(30)), "A worker thread did not finish.");
        }

        if (!errors.IsEmpty)
        {
            throw new AggregateException(errors);
        }
    }

    /// <summary>
    /// Bytes allocated running <paramref name="operation"/> <paramref name="iterations"/> times after a warm-up of a
    /// thousand. Measured on a thread of its own, so that no state left on a test runner's thread by an earlier test
    /// (such as a timeout source still rented by a call of that test, which sends this thread's rents to the shared
    /// pool) makes the measurement allocate.
    /// </summary>
    public static long AllocatedBytes(Action operation, int iterations)
    {
        long allocated = 0;
        RunOnThreads(1, _ =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                operation();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                operation();
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        return allocated;
    }
}
