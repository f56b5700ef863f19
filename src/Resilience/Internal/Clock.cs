using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>Reads a <see cref="TimeProvider"/>'s monotonic clock in <see cref="TimeSpan"/> ticks, and waits on it.</summary>
internal static class Clock
{
#if !NET8_0_OR_GREATER
    // Stopwatch timestamps per TimeSpan tick (100 on Linux, 1 on Windows); 0 when the frequency is not a multiple
    // of 10 MHz. A static readonly value, so the JIT divides by a constant.
    private static readonly long s_systemTimestampsPerTick = Stopwatch.Frequency % TimeSpan.TicksPerSecond == 0 ? Stopwatch.Frequency / TimeSpan.TicksPerSecond : 0;
#endif

    /// <summary>The provider's monotonic clock in <see cref="TimeSpan"/> ticks (100 ns), whatever its frequency.</summary>
    /// <remarks>
    /// <para>
    /// On .NET 8 and later the system clock is read from <c>Environment.TickCount64</c>: the clock its timers run
    /// on, and a few nanoseconds to read where a timestamp costs tens. Its resolution is the system's tick
    /// (1 to 16 ms), which is the resolution of every system timer anyway.
    /// </para>
    /// <para>
    /// Other clocks (a fake one in tests) are read through their timestamps, in integer arithmetic, whole seconds
    /// and the rest apart: a timestamp can be too large for a double to hold every tick, and a rounded "now"
    /// moves window boundaries.
    /// </para>
    /// </remarks>
    public static long NowTicks(TimeProvider timeProvider)
    {
        if (ReferenceEquals(timeProvider, TimeProvider.System))
        {
#if NET8_0_OR_GREATER
            return Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
#else
            if (s_systemTimestampsPerTick != 0)
            {
                return Stopwatch.GetTimestamp() / s_systemTimestampsPerTick;
            }
#endif
        }

        long timestamp = timeProvider.GetTimestamp();
        long frequency = timeProvider.TimestampFrequency;
        // Stryker disable once Conditional : at 10 MHz the general formula gives the timestamp itself (the branch only skips two divisions); taking the shortcut at other frequencies is the Equality mutant, which the clock tests kill
        return frequency == TimeSpan.TicksPerSecond
            ? timestamp
            : (timestamp / frequency * TimeSpan.TicksPerSecond) + (timestamp % frequency * TimeSpan.TicksPerSecond / frequency);
    }

    public static Task DelayAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        // Stryker disable once Equality : Task.Delay answers a zero delay with a completed task as well; the check only skips the call
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        // Task.Delay counts whole milliseconds and drops the rest, so a wait under a millisecond would not wait at all (a
        // call waiting for a permit would ask again at once, over and over) and a longer one would end early: rounded up.
        long partial = delay.Ticks % TimeSpan.TicksPerMillisecond;
        if (partial != 0 && delay.Ticks <= TimeSpan.MaxValue.Ticks - TimeSpan.TicksPerMillisecond)
        {
            delay = TimeSpan.FromTicks(delay.Ticks - partial + TimeSpan.TicksPerMillisecond);
        }
#if NET8_0_OR_GREATER
        return Task.Delay(delay, timeProvider, cancellationToken);
#else
        return timeProvider.Delay(delay, cancellationToken);
#endif
    }
}
