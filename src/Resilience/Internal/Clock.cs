using System;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>Conversions and waits on a <see cref="TimeProvider"/>'s timestamps.</summary>
internal static class Clock
{
    /// <summary>The provider's monotonic timestamp in <see cref="TimeSpan"/> ticks (100 ns), whatever its frequency.</summary>
    /// <remarks>
    /// Integer arithmetic, whole seconds and the rest apart: a timestamp can be too large for a double to hold
    /// every tick (a clock counting ticks since year 1 is), and a rounded "now" moves window boundaries.
    /// </remarks>
    public static long NowTicks(TimeProvider timeProvider)
    {
        long timestamp = timeProvider.GetTimestamp();
        long frequency = timeProvider.TimestampFrequency;
        return frequency == TimeSpan.TicksPerSecond
            ? timestamp
            : (timestamp / frequency * TimeSpan.TicksPerSecond) + (timestamp % frequency * TimeSpan.TicksPerSecond / frequency);
    }

    /// <summary>A duration in the provider's timestamp ticks, rounded down.</summary>
    public static long ToTimestampTicks(TimeProvider timeProvider, TimeSpan duration)
        => (long)(duration.Ticks * ((double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond));

    /// <summary>A number of the provider's timestamp ticks as a duration, rounded up to the next 100 ns tick.</summary>
    public static TimeSpan FromTimestampTicks(TimeProvider timeProvider, long ticks)
        => ticks <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Ceiling(ticks * ((double)TimeSpan.TicksPerSecond / timeProvider.TimestampFrequency)));

    public static Task DelayAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }
#if NET8_0_OR_GREATER
        return Task.Delay(delay, timeProvider, cancellationToken);
#else
        return timeProvider.Delay(delay, cancellationToken);
#endif
    }
}
