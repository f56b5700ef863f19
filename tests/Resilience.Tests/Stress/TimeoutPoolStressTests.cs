using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Stress;

// Many threads renting and returning timeout sources from the pool while a fake clock moves and callers cancel.
// A source is never shared by two calls at once, a fresh token is never already cancelled, and a token is
// cancelled only for a reason: the caller cancelled, or the clock reached the deadline.
public sealed class TimeoutPoolStressTests
{
    private const int Threads = 8;
    private const int CallsEach = 2_000;

    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public TimeoutPoolStressTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public async Task Pooled_sources_are_never_shared_and_only_cancel_for_the_caller_or_the_deadline()
    {
        var inUse = new ConcurrentDictionary<TimeoutCancellationSource, int>(ReferenceEqualityComparer.Instance);
        long timedOut = 0, callerCancelled = 0, completed = 0;

        using var workersDone = new CancellationTokenSource();
        Task ticking = Task.Run(async () =>
        {
            while (!workersDone.IsCancellationRequested)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(3));
                await Task.Yield();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            var random = new Random(thread);
            for (int i = 0; i < CallsEach; i++)
            {
                using var caller = new CancellationTokenSource();
                var timeout = TimeSpan.FromMilliseconds(1 + random.Next(20));
                DateTimeOffset rentedAt = _clock.GetUtcNow();
                TimeoutCancellationSource source = _registry.StartTimeout(timeout, caller.Token);
                Assert.True(inUse.TryAdd(source, thread), "A source was handed to a second call while the first still held it.");
                // The clock moves on another thread, so a short timeout may already have elapsed; nothing else may have
                // cancelled a fresh token (a cancellation left over from the source's last call, say).
                Assert.True(!source.Token.IsCancellationRequested || source.HasTimedOut, "A fresh source came with its token cancelled.");
                Assert.Equal(timeout, source.Timeout);

                bool cancels = random.Next(4) == 0;
                if (cancels)
                {
                    caller.Cancel();
                }
                else if (random.Next(3) == 0)
                {
                    await Task.Yield(); // hold it while the clock moves
                }

                // The token first, then the state: the timer writes the state before it cancels the token.
                bool cancelled = source.Token.IsCancellationRequested;
                if (source.HasTimedOut)
                {
                    TestSupport.SpinUntil(() => source.Token.IsCancellationRequested, "the timed-out token is cancelled");
                    Assert.True(_clock.GetUtcNow() - rentedAt >= timeout, "The token timed out before its deadline.");
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
        workersDone.Cancel();
        await ticking;

        Assert.Equal(Threads * CallsEach, timedOut + callerCancelled + completed);
        Assert.True(timedOut > 0 && completed > 0, $"{timedOut} timed out and {completed} completed: the run did not mix both.");

        // The pool still works: a source rented now times out on its deadline, not before.
        TimeoutCancellationSource after = _registry.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.False(after.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(after.HasTimedOut);
        after.Return();
    }
}
