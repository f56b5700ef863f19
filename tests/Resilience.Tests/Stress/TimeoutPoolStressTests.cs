using System.Collections.Concurrent;
using System.Diagnostics;

namespace Resilience.Tests.Stress;

// Many threads renting and returning timeout sources from the pool while their timers come due and callers cancel.
// A source is never shared by two calls at once, a fresh token is never already cancelled, and a token is
// cancelled only for a reason: the caller cancelled, or the deadline passed. The system clock runs here: a fake
// clock's timers cannot be disposed on one thread while another thread moves the clock (its waiter may be called after
// its callback is gone), and the pool disposes timers on the callers' threads.
[Collection(StressCollection.Name)]
public sealed class TimeoutPoolStressTests
{
    private const int Threads = 8;
    private const int CallsEach = 2_000;

    // On .NET 8 and later the system clock of the policies is Environment.TickCount64, whose resolution is the system's
    // tick (1 to 16 ms; see Clock.NowTicks): a deadline it sees pass may be up to one tick short as Stopwatch measures it.
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(16);

    private readonly ResilienceRegistry _registry = new();

    [Fact]
    public async Task Pooled_sources_are_never_shared_and_only_cancel_for_the_caller_or_the_deadline()
    {
        var inUse = new ConcurrentDictionary<TimeoutCancellationSource, int>(ReferenceEqualityComparer.Instance);
        long timedOut = 0, callerCancelled = 0, completed = 0;

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            var random = new Random(thread);
            for (int i = 0; i < CallsEach; i++)
            {
                using var caller = new CancellationTokenSource();
                var timeout = TimeSpan.FromMilliseconds(1 + random.Next(20));
                long rentedAt = Stopwatch.GetTimestamp();
                TimeoutCancellationSource source = _registry.StartTimeout(timeout, caller.Token);
                Assert.True(inUse.TryAdd(source, thread), "A source was handed to a second call while the first still held it.");
                // A short timeout may already have elapsed on a busy machine; nothing else may have cancelled a fresh
                // token (a cancellation left over from the source's last call, say).
                Assert.True(!source.Token.IsCancellationRequested || source.HasTimedOut, "A fresh source came with its token cancelled.");
                Assert.Equal(timeout, source.Timeout);

                bool cancels = random.Next(4) == 0;
                if (cancels)
                {
                    caller.Cancel();
                }
                else if (random.Next(8) == 0)
                {
                    await Task.Delay(random.Next(25)); // hold it while its timer may come due
                }

                // The token first, then the state: the timer writes the state before it cancels the token.
                bool cancelled = source.Token.IsCancellationRequested;
                if (source.HasTimedOut)
                {
                    TestSupport.SpinUntil(() => source.Token.IsCancellationRequested, "the timed-out token is cancelled");
                    Assert.True(Stopwatch.GetElapsedTime(rentedAt) >= timeout - TimerGranularity, "The token timed out before its deadline.");
                    Interlocked.Increment(ref timedOut);
                }
                else if (cancelled)
                {
                    Assert.True(cancels, "The token was cancelled although neither the caller nor the deadline did it.");
                    Interlocked.Increment(ref callerCancelled);
                }
                else
                {
                    Interlocked.Increment(ref completed);
                }

                Assert.True(inUse.TryRemove(source, out int holder) && holder == thread);
                source.Return();

                // A cancellation after the return must not reach whoever rents the source next.
                if (!cancels && random.Next(2) == 0)
                {
                    caller.Cancel();
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Threads * CallsEach, timedOut + callerCancelled + completed);
        Assert.True(timedOut > 0 && completed > 0, $"{timedOut} timed out and {completed} completed: the run did not mix both.");

        // The pool still works: a source rented now times out on its deadline, not before.
        long start = Stopwatch.GetTimestamp();
        TimeoutCancellationSource after = _registry.StartTimeout(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        TestSupport.SpinUntil(() => after.Token.IsCancellationRequested, "the last source times out");
        Assert.True(after.HasTimedOut);
        Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(200) - TimerGranularity);
        after.Return();
    }
}
