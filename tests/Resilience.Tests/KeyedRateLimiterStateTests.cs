using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests;

public sealed class KeyedRateLimiterStateTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public KeyedRateLimiterStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Each_key_has_its_own_limit()
    {
        KeyedRateLimiterState<string> limiter = Create<string>(permits: 2);

        Assert.True(limiter.GetPartition("alice").TryAcquire());
        Assert.True(limiter.GetPartition("alice").TryAcquire());
        Assert.False(limiter.GetPartition("alice").TryAcquire());

        Assert.True(limiter.GetPartition("bob").TryAcquire());
        Assert.True(limiter.GetPartition("bob").TryAcquire());
        Assert.False(limiter.GetPartition("bob").TryAcquire());
        Assert.Equal(2, limiter.PartitionCount);
    }

    [Fact]
    public void A_partitions_rejection_carries_the_permits_each_key_has()
    {
        KeyedRateLimiterState<string> limiter = Create<string>(permits: 2);

        RateLimitRejectedException rejection = limiter.GetPartition("alice").CreateRejection();

        Assert.Equal(2, rejection.PermitLimit);
    }

    [Fact]
    public void The_same_key_always_finds_the_same_partition()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 2);

        Assert.Same(limiter.GetPartition(42), limiter.GetPartition(42));
        Assert.NotSame(limiter.GetPartition(42), limiter.GetPartition(43));
    }

    [Fact]
    public void Null_is_a_key_of_its_own()
    {
        KeyedRateLimiterState<string?> limiter = Create<string?>(permits: 1);

        Assert.True(limiter.GetPartition(null).TryAcquire());
        Assert.False(limiter.GetPartition(null).TryAcquire());

        Assert.True(limiter.GetPartition(string.Empty).TryAcquire());
        Assert.True(limiter.GetPartition("null").TryAcquire());
        Assert.Equal(3, limiter.PartitionCount);
    }

    [Fact]
    public void A_null_nullable_value_is_not_the_same_key_as_its_default()
    {
        KeyedRateLimiterState<int?> limiter = Create<int?>(permits: 1);

        Assert.True(limiter.GetPartition(null).TryAcquire());

        Assert.True(limiter.GetPartition(0).TryAcquire());
        Assert.False(limiter.GetPartition(null).TryAcquire());
    }

    [Fact]
    public void Idle_partitions_are_swept_once_the_count_reaches_1024()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 1);
        for (int key = 0; key < 1_023; key++)
        {
            Assert.True(limiter.GetPartition(key).TryAcquire());
        }

        Assert.Equal(1_023, limiter.PartitionCount);
        _clock.Advance(TimeSpan.FromSeconds(1)); // every partition refilled: idle

        limiter.GetPartition(1_023);

        Assert.True(limiter.PartitionCount < 1_023, $"{limiter.PartitionCount} partitions left after the sweep.");
    }

    [Fact]
    public void The_limits_rejections_keep_those_of_keys_a_sweep_dropped_until_the_registry_resets()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 1);
        for (int key = 0; key < 1_023; key++)
        {
            Assert.True(limiter.GetPartition(key).TryAcquire());
            Assert.False(limiter.GetPartition(key).Acquire(CancellationToken.None)); // one rejection a key
        }

        KeyedRateLimiterState untyped = limiter;
        Assert.Equal(1_023, untyped.RejectionCount);
        _clock.Advance(TimeSpan.FromSeconds(1)); // every partition refilled: idle

        limiter.GetPartition(1_023);              // the sweep drops them
        Assert.True(limiter.PartitionCount < 1_023, "No sweep ran.");
        Assert.Equal(1_023, untyped.RejectionCount);

        Assert.True(limiter.GetPartition(1_023).Acquire(CancellationToken.None));
        Assert.False(limiter.GetPartition(1_023).Acquire(CancellationToken.None));
        Assert.Equal(1_024, untyped.RejectionCount);

        _registry.Reset();
        Assert.Equal(0, untyped.RejectionCount);
    }

    [Fact]
    public void After_a_sweep_the_next_runs_once_the_partitions_left_have_doubled()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 1);
        for (int key = 0; key < 1_023; key++)
        {
            Assert.True(limiter.GetPartition(key).TryAcquire());
        }

        limiter.GetPartition(1_023);                // the first sweep: every partition is in use, 1 024 are left
        Assert.Equal(1_024, limiter.PartitionCount);
        _clock.Advance(TimeSpan.FromSeconds(1));    // every partition refilled: idle

        for (int key = 1_024; key < 2_047; key++)
        {
            limiter.GetPartition(key);
        }

        Assert.Equal(2_047, limiter.PartitionCount); // no sweep before twice 1 024
        limiter.GetPartition(2_047);
        Assert.Equal(1, limiter.PartitionCount);      // the second sweep drops every idle partition but the new one
    }

    [Fact]
    public void Partitions_in_use_are_not_swept()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 1);
        for (int key = 0; key < 1_023; key++)
        {
            Assert.True(limiter.GetPartition(key).TryAcquire());
        }

        limiter.GetPartition(1_023);

        Assert.Equal(1_024, limiter.PartitionCount);
        Assert.False(limiter.GetPartition(0).TryAcquire()); // its spent permit is remembered
    }

    [Fact]
    public void The_partition_whose_creation_triggers_a_sweep_keeps_its_count()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 1);
        for (int key = 0; key < 1_023; key++)
        {
            limiter.GetPartition(key).TryAcquire();
        }

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(limiter.GetPartition(1_023).TryAcquire());
        Assert.False(limiter.GetPartition(1_023).TryAcquire());
    }

    [Fact]
    public void A_swept_key_starts_again_from_a_full_limit()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 1);
        for (int key = 0; key < 1_023; key++)
        {
            limiter.GetPartition(key).TryAcquire();
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        limiter.GetPartition(1_023);

        Assert.True(limiter.GetPartition(0).TryAcquire());
        Assert.False(limiter.GetPartition(0).TryAcquire());
    }

    [Fact]
    public void The_same_name_used_keyed_then_unkeyed_throws()
    {
        Create<string>(permits: 1, name: "per-user");

        var error = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddRateLimiter("per-user", new RateLimitOptions()));

        Assert.Contains("'per-user'", error.Message, StringComparison.Ordinal);
        Assert.Contains("without a [RateLimitKey]", error.Message, StringComparison.Ordinal);
        Assert.Contains("different names", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_name_used_unkeyed_then_keyed_throws()
    {
        _registry.GetOrAddRateLimiter("per-user", new RateLimitOptions());

        var error = Assert.Throws<InvalidOperationException>(() => Create<string>(permits: 1, name: "per-user"));

        Assert.Contains("'per-user'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[RateLimitKey] of type String", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_name_used_with_two_key_types_throws()
    {
        Create<string>(permits: 1, name: "per-user");

        var error = Assert.Throws<InvalidOperationException>(() => Create<int>(permits: 1, name: "per-user"));

        Assert.Contains("'per-user'", error.Message, StringComparison.Ordinal);
        Assert.Contains("of type String", error.Message, StringComparison.Ordinal);
        Assert.Contains("of type Int32", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void A_permit_taken_on_a_partition_a_sweep_just_dropped_counts_in_the_keys_new_partition(RateLimitAlgorithm algorithm)
    {
        KeyedRateLimiterState<string> limiter = _registry.GetOrAddKeyedRateLimiter<string>("swept-" + algorithm, new RateLimitOptions { Permits = 1, WindowMs = 60_000, Algorithm = algorithm });

        // A caller fetches its key's partition, idle, and is held up before taking its permit...
        RateLimiterState fetched = limiter.GetPartition("user-1");

        // ...while other keys fill the limit up to its first sweep, which drops every idle partition, the fetched one too.
        for (int i = 0; i < 1_100; i++)
        {
            limiter.GetPartition("other-" + i);
        }

        Assert.NotSame(fetched, limiter.GetPartition("user-1"));

        // The held-up caller takes its permit now: it must count where the key's next caller looks.
        Assert.True(fetched.TryAcquire());
        Assert.False(limiter.GetPartition("user-1").TryAcquire());
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void Permits_taken_while_sweeps_drop_idle_partitions_never_exceed_a_keys_limit(RateLimitAlgorithm algorithm)
    {
        const int Permits = 3;
        const int AttemptsPerKey = 5;
        const int KeysPerWorker = 1_500;
        KeyedRateLimiterState<string> limiter = _registry.GetOrAddKeyedRateLimiter<string>("swept-busy-" + algorithm, new RateLimitOptions { Permits = Permits, WindowMs = 60_000, Algorithm = algorithm });
        var admitted = new int[2, KeysPerWorker];
        bool working = true;
        int workersLeft = 2;

        // Two threads keep adding idle keys, so that sweeps run again and again; two others each ask five times for
        // every key of their own, fetching the key's partition each time and pausing before taking the permit. The
        // clock stands still: each key must be given exactly its three permits, wherever a sweep fell.
        TestSupport.RunOnThreads(4, thread =>
        {
            if (thread >= 2)
            {
                for (int i = 0; Volatile.Read(ref working); i++)
                {
                    limiter.GetPartition($"idle-{thread}-{i}");
                }

                return;
            }

            try
            {
                for (int key = 0; key < KeysPerWorker; key++)
                {
                    for (int attempt = 0; attempt < AttemptsPerKey; attempt++)
                    {
                        RateLimiterState partition = limiter.GetPartition($"busy-{thread}-{key}");
                        Thread.SpinWait(20 * ((key + attempt) % 10));
                        if (partition.TryAcquire())
                        {
                            admitted[thread, key]++;
                        }
                    }
                }
            }
            finally
            {
                if (Interlocked.Decrement(ref workersLeft) == 0)
                {
                    Volatile.Write(ref working, false);
                }
            }
        });

        var wrong = new List<string>();
        for (int thread = 0; thread < 2; thread++)
        {
            for (int key = 0; key < KeysPerWorker; key++)
            {
                if (admitted[thread, key] != Permits)
                {
                    wrong.Add($"busy-{thread}-{key}: {admitted[thread, key]}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} keys were not given exactly {Permits} permits, such as {string.Join(", ", wrong.Take(5))}.");
        Assert.True(limiter.PartitionCount < 2 * KeysPerWorker * 4, "No sweep ran: the test did not race anything.");
    }

    [Fact]
    public void The_registry_lists_the_limits_kept_per_key_by_name_apart_from_those_without_a_key()
    {
        KeyedRateLimiterState<string> b = Create<string>(permits: 1, name: "keyed.b");
        KeyedRateLimiterState<int> a = Create<int>(permits: 1, name: "keyed.a");
        _registry.GetOrAddRateLimiter("plain", new RateLimitOptions { Permits = 1, WindowMs = 1_000 });

        Assert.Equal<KeyedRateLimiterState>([a, b], _registry.KeyedRateLimiters);
        Assert.Equal(["plain"], _registry.RateLimiters.Select(l => l.Name));
    }

    [Fact]
    public void Partitions_are_a_snapshot_ordered_by_key_with_each_keys_standing()
    {
        KeyedRateLimiterState<int> limiter = Create<int>(permits: 2);
        Assert.True(limiter.GetPartition(20).TryAcquire());
        Assert.True(limiter.GetPartition(3).TryAcquire());
        Assert.True(limiter.GetPartition(3).TryAcquire());
        KeyedRateLimiterState keyed = limiter;

        IReadOnlyList<RateLimiterState> partitions = keyed.Partitions;
        limiter.GetPartition(1);

        Assert.Equal(["20", "3"], partitions.Select(p => p.Key));   // ordinal order of the key's text
        Assert.Equal([1, 0], partitions.Select(p => p.GetLimitInfo().Remaining));
        Assert.Equal(3, keyed.PartitionCount);
        Assert.Equal(2, keyed.Options.Permits);
        Assert.False(keyed.IsDistributed);
    }

    private KeyedRateLimiterState<TKey> Create<TKey>(int permits, string name = "test")
        => _registry.GetOrAddKeyedRateLimiter<TKey>(name, new RateLimitOptions { Permits = permits, WindowMs = 1_000 });
}
