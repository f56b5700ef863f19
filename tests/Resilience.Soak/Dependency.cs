namespace Resilience.Soak;

/// <summary>
/// The work behind every soak method: answers at once, after a short wait, after a wait longer than the method's
/// timeout, or with a failure, at random. Waits honour the token, as real I/O does.
/// </summary>
internal static class Dependency
{
    public static async Task<int> CallAsync(int value, int failPercent, int slowPercent, int slowMs, CancellationToken ct)
    {
        int roll = Random.Shared.Next(100);
        if (roll < failPercent)
        {
            throw new InvalidOperationException("The dependency failed.");
        }

        if (roll < failPercent + slowPercent)
        {
            await Task.Delay(slowMs, ct).ConfigureAwait(false);
        }
        else if (roll % 4 == 0)
        {
            await Task.Delay(1, ct).ConfigureAwait(false);
        }
        else if (roll % 4 == 1)
        {
            await Task.Yield();
        }

        return value;
    }

    public static int Call(int value, int failPercent, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (Random.Shared.Next(100) < failPercent)
        {
            throw new InvalidOperationException("The dependency failed.");
        }

        return value;
    }
}
