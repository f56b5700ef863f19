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
                // A value no other call of this run has, so that a result handed to the wrong call is seen.
                int value = (worker * 10_000_000) + (int)(call % 10_000_000);
                string callerKey = $"caller-{worker}-{call / 8}";
                string hostKey = $"host-{worker}-{call / 16}.example";
                bool own;
                switch (random.Next(10))
                {
                    case 0:
                        int full = await targets.FullAsync(value, caller.Token).ConfigureAwait(false);
                        own = full == value || full == -value; // -value: the fallback's answer
                        break;
                    case 1: own = await targets.RetriedAsync(value, caller.Token).ConfigureAwait(false) == value; break;
                    case 2: own = await targets.BulkheadAsync(value, caller.Token).ConfigureAwait(false) == value; break;
                    case 3: own = await targets.TokenBucketAsync(value, caller.Token).ConfigureAwait(false) == value; break;
                    case 4: own = await targets.FixedWindowAsync(value, caller.Token).ConfigureAwait(false) == value; break;
                    case 5: own = await targets.SlidingWindowAsync(value, caller.Token).ConfigureAwait(false) == value; break;
                    // Callers and hosts that come and go: a new one every few calls, never seen again.
                    case 6: own = await targets.PerCallerAsync(callerKey, caller.Token).ConfigureAwait(false) == callerKey.Length; break;
                    case 7: own = await targets.PerHostAsync(hostKey, caller.Token).ConfigureAwait(false) == hostKey.Length; break;
                    case 8: own = await targets.HedgedAsync(value, caller.Token).ConfigureAwait(false) == value; break;
                    default: own = targets.Compute(value, caller.Token) == value; break;
                }

                if (!own)
                {
                    outcomes.Count(Outcome.WrongResult);
                    continue;
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

    /// <summary>A call that returned a result other than its own: a bug, which fails the soak.</summary>
    WrongResult,
}

/// <summary>How the calls ended, counted across the workers.</summary>
internal sealed class OutcomeCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];

    public long Total => _counts.Sum(count => Interlocked.Read(ref count));

    public long this[Outcome outcome] => Interlocked.Read(ref _counts[(int)outcome]);

    public void Count(Outcome outcome) => Interlocked.Increment(ref _counts[(int)outcome]);

    public override string ToString()
        => $"Calls: {Total:N0} ({string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{(o == Outcome.WrongResult ? "wrong result" : o.ToString().ToLowerInvariant())} {this[o]:N0}"))}).";
}
