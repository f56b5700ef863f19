using System;
using System.Threading;

namespace Resilience;

/// <summary>
/// Counts permits for one rate-limit partition. Times are <see cref="TimeSpan"/> ticks from the registry's
/// clock (<see cref="Clock.NowTicks"/>).
/// </summary>
internal abstract class PermitCounter
{
    protected PermitCounter(RateLimitOptions options)
    {
        Permits = options.Permits;
        WindowTicks = TimeSpan.FromMilliseconds(options.WindowMs).Ticks;
    }

    protected int Permits { get; }

    protected long WindowTicks { get; }

    public static PermitCounter Create(RateLimitOptions options) => options.Algorithm switch
    {
        RateLimitAlgorithm.FixedWindow => new FixedWindowCounter(options),
        RateLimitAlgorithm.SlidingWindow => options.Permits <= SlidingLogCounter.MaxPermits ? new SlidingLogCounter(options) : new SlidingWindowCounter(options),
        _ => new TokenBucketCounter(options),
    };

    /// <summary>Takes a permit if one is free at <paramref name="now"/>.</summary>
    public abstract bool TryAcquire(long now);

    /// <summary>Ticks from <paramref name="now"/> until a permit is expected to be free; 0 if one is free now.</summary>
    public abstract long TicksUntilPermit(long now);

    /// <summary>True when the counter is as if new: dropping it and creating another would change nothing.</summary>
    public abstract bool IsIdle(long now);

    /// <summary>Permits that could be taken at <paramref name="now"/>, one after another.</summary>
    public abstract int Remaining(long now);

    /// <summary>Ticks from <paramref name="now"/> until every permit is free again; 0 if they are now.</summary>
    public abstract long TicksUntilFull(long now);

    public abstract void Reset();
}

/// <summary>
/// A token bucket as a generic cell rate algorithm: one number, the theoretical arrival time of the next
/// call, moved on by one emission interval per permit with a compare-and-swap. A burst of up to
/// <c>Permits</c> calls is allowed; the average rate is <c>Permits</c> per window.
/// </summary>
internal sealed class TokenBucketCounter : PermitCounter
{
    private const long Empty = long.MinValue / 4;

    private readonly long _interval;
    private readonly long _tolerance;
    private long _theoreticalArrival = Empty;

    public TokenBucketCounter(RateLimitOptions options)
        : base(options)
    {
        _interval = Math.Max(1, WindowTicks / Permits);
        _tolerance = _interval * (Permits - 1);
    }

    public override bool TryAcquire(long now)
    {
        long arrival = Volatile.Read(ref _theoreticalArrival);
        while (true)
        {
            long start = Math.Max(arrival, now);
            if (start - now > _tolerance)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _theoreticalArrival, start + _interval, arrival);
            if (seen == arrival)
            {
                return true;
            }

            arrival = seen;
        }
    }

    public override long TicksUntilPermit(long now)
        => Math.Max(0, Math.Max(Volatile.Read(ref _theoreticalArrival), now) - now - _tolerance);

    public override bool IsIdle(long now) => Volatile.Read(ref _theoreticalArrival) <= now;

    public override int Remaining(long now)
    {
        long slack = _tolerance - (Math.Max(Volatile.Read(ref _theoreticalArrival), now) - now);
        return slack < 0 ? 0 : (int)Math.Min(Permits, (slack / _interval) + 1);
    }

    public override long TicksUntilFull(long now) => Math.Max(0, Volatile.Read(ref _theoreticalArrival) - now);

    public override void Reset() => Volatile.Write(ref _theoreticalArrival, Empty);
}

/// <summary>
/// At most <c>Permits</c> calls per fixed window: the window's number (its low 32 bits) and the count share one
/// 64-bit word, updated with a compare-and-swap.
/// </summary>
internal sealed class FixedWindowCounter : PermitCounter
{
    private long _state = long.MinValue;

    public FixedWindowCounter(RateLimitOptions options)
        : base(options)
    {
    }

    public override bool TryAcquire(long now)
    {
        uint window = WindowOf(now);
        long state = Volatile.Read(ref _state);
        while (true)
        {
            uint stored = StoredWindow(state);
            int storedCount = (int)(state & 0xFFFF_FFFF);
            int count;
            uint target = window;
            if (stored == window)
            {
                count = storedCount;
            }
            else if (storedCount > 0 && IsLater(stored, window))
            {
                // A caller that read the clock just before a boundary another caller has crossed: its call counts in
                // the newer window, which it must not reset to a fresh quota.
                target = stored;
                count = storedCount;
            }
            else
            {
                count = 0;
            }

            if (count >= Permits)
            {
                return false;
            }

            long next = unchecked((long)((ulong)target << 32)) | (uint)(count + 1);
            long seen = Interlocked.CompareExchange(ref _state, next, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }
    }

    public override long TicksUntilPermit(long now)
    {
        long state = Volatile.Read(ref _state);
        bool sameWindow = StoredWindow(state) == WindowOf(now);
        return sameWindow && (int)(state & 0xFFFF_FFFF) >= Permits ? WindowTicks - (now % WindowTicks) : 0;
    }

    public override bool IsIdle(long now) => StoredWindow(Volatile.Read(ref _state)) != WindowOf(now);

    public override int Remaining(long now) => Permits - CountIn(Volatile.Read(ref _state), now);

    public override long TicksUntilFull(long now) => CountIn(Volatile.Read(ref _state), now) > 0 ? WindowTicks - (now % WindowTicks) : 0;

    /// <summary>The permits <paramref name="state"/> has taken in the window of <paramref name="now"/>.</summary>
    private int CountIn(long state, long now) => StoredWindow(state) == WindowOf(now) ? (int)(state & 0xFFFF_FFFF) : 0;

    /// <summary>The number of the window <paramref name="now"/> falls in (its low 32 bits).</summary>
    private uint WindowOf(long now) => unchecked((uint)(now / WindowTicks));

    /// <summary>The window number kept in the high half of <paramref name="state"/>.</summary>
    private static uint StoredWindow(long state) => unchecked((uint)(state >> 32));

    /// <summary>True when window <paramref name="stored"/> comes after <paramref name="window"/>, across the numbers' wrap-around.</summary>
    private static bool IsLater(uint stored, uint window) => unchecked((int)(stored - window)) > 0;

    public override void Reset() => Volatile.Write(ref _state, long.MinValue);
}

/// <summary>
/// At most <c>Permits</c> calls in any window of <c>WindowMs</c>, exactly: the times of the calls admitted within the
/// last window are kept in order (a ring grown as it fills, to at most <c>Permits</c> entries of 8 bytes), and a call
/// is admitted when fewer than <c>Permits</c> of them are younger than a window. For limits up to
/// <see cref="MaxPermits"/>; a higher one is counted in segments (<see cref="SlidingWindowCounter"/>). Guarded by a lock.
/// </summary>
internal sealed class SlidingLogCounter : PermitCounter
{
    /// <summary>The highest limit counted exactly: its log is at most 8 KB a partition.</summary>
    public const int MaxPermits = 1_024;

    private const int InitialCapacity = 16;

    private readonly object _gate = new();
    private long[] _times = Array.Empty<long>();
    private int _head;
    private int _count;

    public SlidingLogCounter(RateLimitOptions options)
        : base(options)
    {
    }

    public override bool TryAcquire(long now)
    {
        lock (_gate)
        {
            Expire(now);
            if (_count >= Permits)
            {
                return false;
            }

            // A caller whose clock reading is older than the newest entry is counted at the newest time, which keeps
            // the log in order and expires the entry no earlier than it should.
            long time = _count > 0 ? Math.Max(now, Newest()) : now;
            if (_count == _times.Length)
            {
                Grow();
            }

            _times[(_head + _count) % _times.Length] = time;
            _count++;
            return true;
        }
    }

    public override long TicksUntilPermit(long now)
    {
        lock (_gate)
        {
            Expire(now);

            // The oldest call leaves the window first and gives its permit back.
            return _count < Permits ? 0 : Math.Max(0, _times[_head] + WindowTicks - now);
        }
    }

    public override bool IsIdle(long now)
    {
        lock (_gate)
        {
            Expire(now);
            return _count == 0;
        }
    }

    public override int Remaining(long now)
    {
        lock (_gate)
        {
            Expire(now);
            return Math.Max(0, Permits - _count);
        }
    }

    public override long TicksUntilFull(long now)
    {
        lock (_gate)
        {
            Expire(now);

            // The newest call leaves the window last.
            return _count == 0 ? 0 : Math.Max(0, Newest() + WindowTicks - now);
        }
    }

    public override void Reset()
    {
        lock (_gate)
        {
            _head = 0;
            _count = 0;
        }
    }

    private long Newest() => _times[(_head + _count - 1) % _times.Length];

    /// <summary>Drops the calls no longer within the window that ends at <paramref name="now"/>.</summary>
    private void Expire(long now)
    {
        while (_count > 0 && _times[_head] <= now - WindowTicks)
        {
            _head = (_head + 1) % _times.Length;
            _count--;
        }
    }

    private void Grow()
    {
        var grown = new long[Math.Min(Permits, Math.Max(InitialCapacity, _times.Length * 2))];
        for (int i = 0; i < _count; i++)
        {
            grown[i] = _times[(_head + i) % _times.Length];
        }

        _times = grown;
        _head = 0;
    }
}

/// <summary>
/// For limits above <see cref="SlidingLogCounter.MaxPermits"/>: at most <c>Permits</c> calls in any nine tenths of a
/// window, tracked in ten segments (fewer for windows under ten ticks):
/// a permit comes back when the segment that spent it slides out of the window. Guarded by a lock, since
/// the segments and their total change together.
/// </summary>
internal sealed class SlidingWindowCounter : PermitCounter
{
    private const long Unset = long.MinValue;

    private readonly object _gate = new();
    private readonly int[] _segments;
    private readonly long _segmentTicks;
    private long _current = Unset;
    private int _total;

    public SlidingWindowCounter(RateLimitOptions options)
        : base(options)
    {
        int count = (int)Math.Min(10, WindowTicks);
        _segments = new int[count];
        _segmentTicks = WindowTicks / count;
    }

    public override bool TryAcquire(long now)
    {
        lock (_gate)
        {
            Advance(now);
            if (_total >= Permits)
            {
                return false;
            }

            _segments[_current % _segments.Length]++;
            _total++;
            return true;
        }
    }

    public override long TicksUntilPermit(long now)
    {
        lock (_gate)
        {
            Advance(now);
            if (_total < Permits)
            {
                return 0;
            }

            // The oldest segment still holding permits gives them back when it leaves the window. Segments before the
            // clock's zero never held any (and would index the ring below zero): a clock that started less than a
            // window ago, such as the system's uptime on a machine booted within the window.
            for (long segment = Math.Max(0, _current - _segments.Length + 1); segment <= _current; segment++)
            {
                if (_segments[segment % _segments.Length] > 0)
                {
                    return ((segment + _segments.Length) * _segmentTicks) - now;
                }
            }

            return 0;
        }
    }

    public override bool IsIdle(long now)
    {
        lock (_gate)
        {
            Advance(now);
            return _total == 0;
        }
    }

    public override int Remaining(long now)
    {
        lock (_gate)
        {
            Advance(now);
            return Math.Max(0, Permits - _total);
        }
    }

    public override long TicksUntilFull(long now)
    {
        lock (_gate)
        {
            Advance(now);

            // The newest segment holding permits gives the last of them back when it leaves the window.
            for (long segment = _current; segment > Math.Max(-1, _current - _segments.Length); segment--)
            {
                if (_segments[segment % _segments.Length] > 0)
                {
                    return ((segment + _segments.Length) * _segmentTicks) - now;
                }
            }

            return 0;
        }
    }

    public override void Reset()
    {
        lock (_gate)
        {
            Array.Clear(_segments, 0, _segments.Length);
            _total = 0;
            _current = Unset;
        }
    }

    private void Advance(long now)
    {
        long segment = now / _segmentTicks;
        if (_current == Unset)
        {
            _current = segment;
            return;
        }

        long last = Math.Min(segment, _current + _segments.Length);
        for (long next = _current + 1; next <= last; next++)
        {
            int slot = (int)(next % _segments.Length);
            _total -= _segments[slot];
            _segments[slot] = 0;
        }

        if (segment > _current)
        {
            _current = segment;
        }
    }
}
