using System.Threading;

namespace Resilience;

/// <summary>
/// Successes and failures over a sliding window of time, in ten buckets (fewer for very short windows):
/// the window seen is between nine tenths and all of the sampling duration. Recording is an interlocked
/// increment; a bucket is cleared under its own lock only when the window moves on to it.
/// </summary>
internal sealed class FailureWindow
{
    private const int BucketCount = 10;

    private readonly Bucket[] _buckets;
    private readonly long _bucketTicks;

    /// <param name="samplingTicks">The window, in <see cref="System.TimeSpan"/> ticks; timestamps are in the same unit.</param>
    public FailureWindow(long samplingTicks)
    {
        int count = samplingTicks >= BucketCount ? BucketCount : (int)System.Math.Max(1, samplingTicks);
        _bucketTicks = System.Math.Max(1, samplingTicks / count);
        _buckets = new Bucket[count];
        for (int i = 0; i < count; i++)
        {
            _buckets[i] = new Bucket();
        }
    }

    public void Record(long timestamp, bool failure)
    {
        long id = timestamp / _bucketTicks;
        Bucket bucket = _buckets[(int)(id % _buckets.Length)];
        if (Volatile.Read(ref bucket.Id) != id)
        {
            lock (bucket)
            {
                if (bucket.Id != id)
                {
                    Volatile.Write(ref bucket.Successes, 0);
                    Volatile.Write(ref bucket.Failures, 0);
                    Volatile.Write(ref bucket.Id, id);
                }
            }
        }

        if (failure)
        {
            Interlocked.Increment(ref bucket.Failures);
        }
        else
        {
            Interlocked.Increment(ref bucket.Successes);
        }
    }

    /// <summary>Calls and failures in the window that ends at <paramref name="timestamp"/>.</summary>
    public (int Calls, int Failures) Sum(long timestamp)
    {
        long id = timestamp / _bucketTicks;
        int calls = 0, failures = 0;
        foreach (Bucket bucket in _buckets)
        {
            long bucketId = Volatile.Read(ref bucket.Id);
            if (bucketId <= id && bucketId > id - _buckets.Length)
            {
                int f = Volatile.Read(ref bucket.Failures);
                failures += f;
                calls += f + Volatile.Read(ref bucket.Successes);
            }
        }

        return (calls, failures);
    }

    public void Clear()
    {
        foreach (Bucket bucket in _buckets)
        {
            lock (bucket)
            {
                Volatile.Write(ref bucket.Id, long.MinValue);
                Volatile.Write(ref bucket.Successes, 0);
                Volatile.Write(ref bucket.Failures, 0);
            }
        }
    }

    private sealed class Bucket
    {
        public long Id = long.MinValue;
        public int Successes;
        public int Failures;
    }
}
