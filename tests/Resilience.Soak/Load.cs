using Resilience;

namespace Resilience.Soak;

/// <summary>One caller of the soak: picks a method at random, sometimes with a token it cancels, until stopped.</summary>
internal static class Load
{
    public static async Task RunAsync(SoakTargets targets, int worker, OutcomeCounts outcomes, CancellationToken stop)
    {
        var random = new Random(worker);
        long call = 0;
        while (!stop.IsCancellationRequested)
        {
            call++;
            using var caller = new CancellationTokenSource();
            int cancellation = random.Next(10);
            if (cancellation == 0)
            {
                caller.Cancel(); // cancelled before the call
            }
            else if (cancellation == 1)
            {
                caller.CancelAfter(random.Next(1, 30)); // cancelled during it, if it lasts
            }

            try
            {
                int value = random.Next(1, 1_000);
                switch (random.Next(10))
                {
                    case 0: await targets.FullAsync(value, caller.Token).ConfigureAwait(false); break;
                    case 1: await targets.RetriedAsync(value, caller.Token).ConfigureAwait(false); break;
                    case 2: await targets.BulkheadAsync(value, caller.Token).ConfigureAwait(false); break;
                    case 3: await targets.TokenBucketAsync(value, caller.Token).ConfigureAwait(false); break;
                    case 4: await targets.FixedWindowAsync(value, caller.Token).ConfigureAwait(false); break;
                    case 5: await targets.SlidingWindowAsync(value, caller.Token).ConfigureAwait(false); break;
                    // Callers and hosts that come and go: a new one every few calls, never seen again.
                    case 6: await targets.PerCallerAsync($"caller-{worker}-{call / 8}", caller.Token).ConfigureAwait(false); break;
                    case 7: await targets.PerHostAsync($"host-{worker}-{call / 16}.example", caller.Token).ConfigureAwait(false); break;
                    case 8: await targets.HedgedAsync(value, caller.Token).ConfigureAwait(false); break;
                    default: targets.Compute(value, caller.Token); break;
                }

                outcomes.Count(Outcome.Success);
            }
            catch (OperationCanceledException) when (caller.IsCancellationRequested)
            {
                outcomes.Count(Outcome.Cancelled);
            }
            catch (TimeoutRejectedException)
            {
                outcomes.Count(Outcome.TimedOut);
            }
            catch (ResilienceRejectedException)
            {
                outcomes.Count(Outcome.Rejected);
            }
            catch (InvalidOperationException)
            {
                outcomes.Count(Outcome.Failed);
            }
        }
    }
}

internal enum Outcome
{
    Success,
    Failed,
    TimedOut,
    Rejected,
    Cancelled,
}

/// <summary>How the calls ended, counted across the workers.</summary>
internal sealed class OutcomeCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];

    public long Total => _counts.Sum(count => Interlocked.Read(ref count));

    public void Count(Outcome outcome) => Interlocked.Increment(ref _counts[(int)outcome]);

    public override string ToString()
        => $"Calls: {Total:N0} ({string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{o.ToString().ToLowerInvariant()} {Interlocked.Read(ref _counts[(int)o]):N0}"))}).";
}
