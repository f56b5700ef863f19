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
        RateLimitAlgorithm.SlidingWindow => new SlidingLogCounter(options),
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
/// At most <c>Permits</c> calls in any window of <c>WindowMs</c>, exactly, at any limit: the times of the calls admitted
/// within the last window are kept in order, in a ring grown as it fills, and a call is admitted when fewer than
/// <c>Permits</c> of them are younger than a window. Up to <see cref="ExactEntries"/> permits, each call's own time is
/// kept, and its permit comes back exactly a window after it. Above that, calls are kept by their time rounded up to a
/// <see cref="ExactEntries"/>th of the window (one entry and a count for all the calls of one such slice), so the log
/// never holds more than <see cref="ExactEntries"/> and two entries (12 bytes each) however high the limit, and a permit comes
/// back a window after its call, late by less than a <see cref="ExactEntries"/>th of the window, never early.
/// Guarded by a lock.
/// </summary>
internal sealed class SlidingLogCounter : PermitCounter
{
    /// <summary>The highest limit whose calls are each kept at their own time; and the slices of a window above it.</summary>
    public const int ExactEntries = 1_024;

    private const int InitialCapacity = 16;

    private readonly object _gate = new();
    private readonly long _sliceTicks;
    private readonly int _maxEntries;
    private long[] _times = Array.Empty<long>();
    private int[] _counts = Array.Empty<int>();
    private int _head;
    private int _entries;
    private int _taken;

    public SlidingLogCounter(RateLimitOptions options)
        : base(options)
    {
        _sliceTicks = Permits <= ExactEntries ? 1 : Math.Max(1, WindowTicks / ExactEntries);

        // Every entry holds at least one permit, and sliced entries are at least a slice apart within a window.
        _maxEntries = _sliceTicks == 1 ? Permits : (int)Math.Min(Permits, (WindowTicks / _sliceTicks) + 2);
    }

    public override bool TryAcquire(long now)
    {
        lock (_gate)
        {
            Expire(now);
            if (_taken >= Permits)
            {
                return false;
            }

            // A caller whose clock reading is older than the newest entry is counted at the newest time, which keeps
            // the log in order and expires the entry no earlier than it should. Rounding up never expires it early.
            long time = RoundUp(_entries > 0 ? Math.Max(now, _times[Newest]) : now);
            if (_entries > 0 && _times[Newest] == time)
            {
                _counts[Newest]++;
            }
            else
            {
                if (_entries == _times.Length)
                {
                    Resize(Math.Min(_maxEntries, Math.Max(InitialCapacity, _times.Length * 2)));
                }

                int slot = (_head + _entries) % _times.Length;
                _times[slot] = time;
                _counts[slot] = 1;
                _entries++;
            }

            _taken++;
            return true;
        }
    }

    public override long TicksUntilPermit(long now)
    {
        lock (_gate)
        {
            Expire(now);

            // The oldest calls leave the window first and give their permits back.
            return _taken < Permits ? 0 : Math.Max(0, _times[_head] + WindowTicks - now);
        }
    }

    public override bool IsIdle(long now)
    {
        lock (_gate)
        {
            Expire(now);
            return _taken == 0;
        }
    }

    public override int Remaining(long now)
    {
        lock (_gate)
        {
            Expire(now);
            return Math.Max(0, Permits - _taken);
        }
    }

    public override long TicksUntilFull(long now)
    {
        lock (_gate)
        {
            Expire(now);

            // The newest calls leave the window last.
            return _taken == 0 ? 0 : Math.Max(0, _times[Newest] + WindowTicks - now);
        }
    }

    public override void Reset()
    {
        lock (_gate)
        {
            _head = 0;
            _entries = 0;
            _taken = 0;
        }
    }

    /// <summary>Room in the log, for tests: it grows with the calls of a window and shrinks when they leave.</summary>
    internal int Capacity
    {
        get
        {
            lock (_gate)
            {
                return _times.Length;
            }
        }
    }

    private int Newest => (_head + _entries - 1) % _times.Length;

    private long RoundUp(long time)
    {
        if (_sliceTicks == 1)
        {
            return time;
        }

        long remainder = time % _sliceTicks;
        return remainder == 0 ? time : time - remainder + (remainder > 0 ? _sliceTicks : 0);
    }

    /// <summary>Drops the calls no longer within the window that ends at <paramref name="now"/>, and room no longer needed.</summary>
    private void Expire(long now)
    {
        while (_entries > 0 && _times[_head] <= now - WindowTicks)
        {
            _taken -= _counts[_head];
            _head = (_head + 1) % _times.Length;
            _entries--;
        }

        // After a burst, the room it took goes back once the log is down to a quarter of it.
        int capacity = _times.Length;
        while (capacity > InitialCapacity && _entries <= capacity / 4)
        {
            capacity /= 2;
        }

        if (capacity != _times.Length)
        {
            Resize(capacity);
        }
    }

    private void Resize(int capacity)
    {
        var times = new long[capacity];
        var counts = new int[capacity];
        for (int i = 0; i < _entries; i++)
        {
            int slot = (_head + i) % _times.Length;
            times[i] = _times[slot];
            counts[i] = _counts[slot];
        }

        _times = times;
        _counts = counts;
        _head = 0;
    }
}
