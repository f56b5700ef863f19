using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Telemetry;

namespace Resilience.Tests;

public sealed class KeyedCircuitBreakerStateTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeTimeProvider _clock;

    public KeyedCircuitBreakerStateTests() => _registry = TestSupport.CreateRegistry(out _clock);

    [Fact]
    public void Each_key_has_its_own_breaker_and_one_failing_key_leaves_the_others_closed()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 2);

        breaker.GetPartition("https://down:443").Fail(times: 2);

        Assert.Equal(CircuitState.Open, breaker.GetPartition("https://down:443").State);
        Assert.Equal(CircuitState.Closed, breaker.GetPartition("https://up:443").State);
        Assert.True(breaker.GetPartition("https://up:443").TryEnter(out _));
        Assert.Equal(2, breaker.PartitionCount);
    }

    [Fact]
    public void A_partition_carries_the_breakers_name_and_its_key_as_text()
    {
        KeyedCircuitBreakerState<int> breaker = Create<int>();

        CircuitBreakerState partition = breaker.GetPartition(42);

        Assert.Equal("keyed", partition.Name);
        Assert.Equal("42", partition.Key);
        Assert.Same(partition, breaker.GetPartition(42));
        Assert.Null(_registry.GetOrAddCircuitBreaker("plain", new CircuitBreakerOptions()).Key);
    }

    [Fact]
    public void Null_is_a_key_of_its_own_shown_as_null_in_parentheses()
    {
        KeyedCircuitBreakerState<string?> breaker = Create<string?>(failureThreshold: 1);

        breaker.GetPartition(null).Fail();

        Assert.Equal(CircuitState.Open, breaker.GetPartition(null).State);
        Assert.Equal(CircuitState.Closed, breaker.GetPartition(string.Empty).State);
        Assert.Equal("(null)", breaker.GetPartition(null).Key);
    }

    [Fact]
    public void An_open_partition_rejects_with_an_exception_that_names_the_breaker_and_the_key()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 1, breakDurationMs: 5_000);
        CircuitBreakerState partition = breaker.GetPartition("tenant-7");
        partition.Fail();

        Assert.False(partition.TryEnter(out _));
        BrokenCircuitException rejection = partition.CreateRejection();

        Assert.Equal("keyed", rejection.PolicyName);
        Assert.Equal("tenant-7", rejection.Key);
        Assert.Equal(CircuitState.Open, rejection.State);
        Assert.Equal(TimeSpan.FromSeconds(5), rejection.RetryAfter);
        Assert.Contains("'keyed' for 'tenant-7' is open", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGetPartition_finds_existing_partitions_without_creating_any()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>();

        Assert.False(breaker.TryGetPartition("a", out _));
        CircuitBreakerState created = breaker.GetPartition("a");

        Assert.True(breaker.TryGetPartition("a", out CircuitBreakerState? found));
        Assert.Same(created, found);
        Assert.Equal(1, breaker.PartitionCount);
    }

    [Fact]
    public void Idle_partitions_are_swept_once_the_count_reaches_1024_and_busy_ones_are_kept()
    {
        KeyedCircuitBreakerState<int> breaker = Create<int>(failureThreshold: 2, breakDurationMs: 1_000);
        for (int key = 0; key < 1_023; key++)
        {
            breaker.GetPartition(key).Succeed();
        }

        breaker.GetPartition(7).Fail(times: 2);             // open: kept
        breaker.GetPartition(9).Fail();                     // closed, but failed just now: kept

        breaker.GetPartition(1_023);

        Assert.Equal(3, breaker.PartitionCount);
        Assert.True(breaker.TryGetPartition(7, out CircuitBreakerState? open));
        Assert.Equal(CircuitState.Open, open.State);
        Assert.True(breaker.TryGetPartition(9, out CircuitBreakerState? failed));
        Assert.Equal(1, failed.GetMetrics().ConsecutiveFailures);
        Assert.True(breaker.TryGetPartition(1_023, out _), "The partition being asked for was swept.");
    }

    [Fact]
    public void Partitions_a_sweep_drops_stop_following_the_distributed_store_and_those_it_keeps_go_on()
    {
        var store = new FakeDistributedStore(_clock);
        _registry.UseDistributedStore(store);
        KeyedCircuitBreakerState<int> breaker = _registry.GetOrAddKeyedCircuitBreaker<int>(
            "keyed-distributed", new CircuitBreakerOptions { FailureThreshold = 2, BreakDurationMs = 1_000, Distributed = true });
        for (int key = 0; key < 1_023; key++)
        {
            breaker.GetPartition(key).Succeed();
        }

        breaker.GetPartition(7).Fail();                     // failed just now: kept

        breaker.GetPartition(1_023);                        // the sweep

        Assert.Equal(2, breaker.PartitionCount);
        string?[] unwatched = store.Unwatched.Select(c => c.Key).ToArray();
        Assert.Equal(1_022, unwatched.Length);
        Assert.DoesNotContain("7", unwatched);
        Assert.DoesNotContain("1023", unwatched);
        Assert.Equal(1_022, unwatched.Distinct().Count());
    }

    [Fact]
    public void A_closed_partition_with_a_recent_failure_is_kept_until_its_break_and_window_have_passed()
    {
        KeyedCircuitBreakerState<int> breaker = Create<int>(failureThreshold: 5, breakDurationMs: 1_000, samplingDurationMs: 2_000);
        breaker.GetPartition(-1).Fail();                    // closed, one failure of five
        for (int key = 0; key < 1_022; key++)
        {
            breaker.GetPartition(key);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(1_500));   // past the break, not past the window
        breaker.GetPartition(1_022);
        Assert.True(breaker.TryGetPartition(-1, out CircuitBreakerState? kept));
        Assert.Equal(1, kept.GetMetrics().ConsecutiveFailures);

        for (int key = 2_000; key < 4_100 && breaker.TryGetPartition(-1, out _); key++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            breaker.GetPartition(key);
        }

        Assert.False(breaker.TryGetPartition(-1, out _), "The quiet partition was never swept.");
    }

    [Fact]
    public void Configure_changes_every_partition_and_those_made_later()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 5);
        CircuitBreakerState before = breaker.GetPartition("before");

        _registry.Configure(new Dictionary<string, PolicySettings> { ["keyed"] = new() { FailureThreshold = 1 } });

        Assert.Equal(1, breaker.Options.FailureThreshold);
        Assert.Equal(1, before.Options.FailureThreshold);
        Assert.Equal(1, breaker.GetPartition("after").Options.FailureThreshold);
        before.Fail();
        Assert.Equal(CircuitState.Open, before.State);

        _registry.Configure(new Dictionary<string, PolicySettings>());
        Assert.Equal(5, breaker.GetPartition("after").Options.FailureThreshold);
    }

    [Fact]
    public void Without_configuration_the_settings_are_the_attributes_as_a_copy_the_caller_cannot_change()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 5);

        CircuitBreakerOptions options = breaker.Options;
        options.FailureThreshold = 1;

        Assert.Equal(5, breaker.Options.FailureThreshold);
        Assert.Equal(5, breaker.GetPartition("a").Options.FailureThreshold);
    }

    [Fact]
    public void Reset_drops_every_partition_and_the_registrys_reset_does_too()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 1);
        breaker.GetPartition("a").Fail();
        breaker.GetPartition("b");

        breaker.Reset();
        Assert.Equal(0, breaker.PartitionCount);
        Assert.Equal(CircuitState.Closed, breaker.GetPartition("a").State);

        breaker.GetPartition("a").Fail();
        _registry.Reset();
        Assert.Equal(0, breaker.PartitionCount);
    }

    [Fact]
    public void The_counts_by_state_and_the_partitions_not_closed_describe_the_partitions_in_key_order()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 1);
        breaker.GetPartition("c").Fail();
        breaker.GetPartition("a").Fail();
        breaker.GetPartition("b");
        breaker.GetPartition("d").Isolate();

        IReadOnlyDictionary<CircuitState, int> counts = breaker.CountByState();

        Assert.Equal(1, counts[CircuitState.Closed]);
        Assert.Equal(2, counts[CircuitState.Open]);
        Assert.Equal(0, counts[CircuitState.HalfOpen]);
        Assert.Equal(1, counts[CircuitState.Isolated]);
        Assert.Equal(new[] { "a", "c", "d" }, breaker.NotClosedPartitions().Select(p => p.Key));
        Assert.Equal(new[] { "a", "c" }, breaker.NotClosedPartitions(limit: 2).Select(p => p.Key));
        Assert.Empty(breaker.NotClosedPartitions(limit: 0));
        Assert.Equal(new[] { "a", "b", "c", "d" }, breaker.Partitions.Select(p => p.Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.NotClosedPartitions(limit: -1));
    }

    [Fact]
    public void A_partitions_changes_of_state_are_reported_with_its_key()
    {
        var listener = new RecordingListener();
        using IDisposable registration = _registry.AddListener(listener);
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 1);

        breaker.GetPartition("eu").Fail();

        CircuitStateChangedEventArgs opened = Assert.Single(listener.StateChanges);
        Assert.Equal(("keyed", "eu", CircuitState.Open), (opened.Name, opened.Key, opened.State));
    }

    [Fact]
    public void The_registry_finds_a_keyed_breaker_by_name_and_says_which_lookup_to_use()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>();
        _registry.GetOrAddCircuitBreaker("plain", new CircuitBreakerOptions());

        Assert.Same(breaker, _registry.KeyedCircuitBreaker("keyed"));
        Assert.Same(breaker, Assert.Single(_registry.KeyedCircuitBreakers));
        Assert.Equal(new[] { "keyed", "plain" }, _registry.PolicyNames);

        KeyNotFoundException plainLookup = Assert.Throws<KeyNotFoundException>(() => _registry.CircuitBreaker("keyed"));
        Assert.Contains("KeyedCircuitBreaker(\"keyed\")", plainLookup.Message, StringComparison.Ordinal);
        KeyNotFoundException keyedLookup = Assert.Throws<KeyNotFoundException>(() => _registry.KeyedCircuitBreaker("plain"));
        Assert.Contains("CircuitBreaker(\"plain\")", keyedLookup.Message, StringComparison.Ordinal);
        Assert.False(_registry.TryGetKeyedCircuitBreaker("missing", out _));
    }

    [Fact]
    public void One_name_cannot_be_a_breaker_with_and_without_a_key_or_with_keys_of_two_types()
    {
        Create<string>();
        _registry.GetOrAddCircuitBreaker("plain", new CircuitBreakerOptions());

        InvalidOperationException plain = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddCircuitBreaker("keyed", new CircuitBreakerOptions()));
        InvalidOperationException otherType = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddKeyedCircuitBreaker<int>("keyed", new CircuitBreakerOptions()));
        InvalidOperationException keyed = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddKeyedCircuitBreaker<int>("plain", new CircuitBreakerOptions()));

        Assert.Contains("with a [CircuitBreakerKey] of type String, so it cannot also be used without a [CircuitBreakerKey]", plain.Message, StringComparison.Ordinal);
        Assert.Contains("of type String, so it cannot also be used with a [CircuitBreakerKey] of type Int32", otherType.Message, StringComparison.Ordinal);
        Assert.Contains("'plain' is already used without a [CircuitBreakerKey]", keyed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_settings_are_refused_when_the_keyed_breaker_is_created()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => _registry.GetOrAddKeyedCircuitBreaker<string>("bad", new CircuitBreakerOptions { FailureThreshold = 0 }));

        Assert.Contains("FailureThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_callers_of_one_key_share_one_partition()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>();
        var seen = new CircuitBreakerState[8];

        TestSupport.RunOnThreads(8, i => seen[i] = breaker.GetPartition("shared"));

        Assert.All(seen, partition => Assert.Same(seen[0], partition));
        Assert.Equal(1, breaker.PartitionCount);
    }

    [Fact]
    public void A_failure_recorded_on_a_partition_a_sweep_just_dropped_counts_in_the_keys_new_breaker()
    {
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 2);

        // A call enters its key's breaker, idle, and is still running...
        CircuitBreakerState fetched = breaker.GetPartition("tenant-1");
        Assert.True(fetched.TryEnter(out CircuitBreakerPermit permit));

        // ...while other keys fill the breaker up to its first sweep, which drops every idle partition, this one too.
        for (int i = 0; i < 1_100; i++)
        {
            breaker.GetPartition("other-" + i);
        }

        Assert.NotSame(fetched, breaker.GetPartition("tenant-1"));

        // The call fails: its failure must count where the key's next call looks.
        fetched.RecordFailure(permit);

        CircuitBreakerState current = breaker.GetPartition("tenant-1");
        Assert.Equal(1, current.GetMetrics().ConsecutiveFailures);
        current.Fail(times: 1);
        Assert.Equal(CircuitState.Open, current.State);
    }

    [Fact]
    public void Failures_recorded_while_sweeps_drop_idle_partitions_are_never_lost()
    {
        const int KeysPerWorker = 3_000;
        KeyedCircuitBreakerState<string> breaker = Create<string>(failureThreshold: 1);
        bool working = true;
        int workersLeft = 2;
        var failed = new List<string>[2] { new(), new() };

        // Two threads keep adding idle keys, so that sweeps run again and again; two others each fail one call on a key
        // of their own, with a pause between fetching the key's breaker and recording the failure. Every key that failed
        // must be open afterwards: a failure recorded on a breaker a sweep dropped meanwhile is counted by the key's new one.
        TestSupport.RunOnThreads(4, thread =>
        {
            if (thread >= 2)
            {
                for (int i = 0; Volatile.Read(ref working); i++)
                {
                    breaker.GetPartition($"idle-{thread}-{i}");
                }

                return;
            }

            try
            {
                for (int i = 0; i < KeysPerWorker; i++)
                {
                    string key = $"failing-{thread}-{i}";
                    CircuitBreakerState partition = breaker.GetPartition(key);
                    if (!partition.TryEnter(out CircuitBreakerPermit permit))
                    {
                        throw new InvalidOperationException($"The new breaker of {key} rejected its first call.");
                    }

                    Thread.SpinWait(50 * (i % 20));
                    partition.RecordFailure(permit);
                    failed[thread].Add(key);
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

        string[] lost = failed.SelectMany(keys => keys).Where(key => breaker.GetPartition(key).State != CircuitState.Open).ToArray();
        Assert.True(lost.Length == 0, $"{lost.Length} of {2 * KeysPerWorker} failures were lost to a sweep, such as {lost.FirstOrDefault()}'s.");
    }

    private KeyedCircuitBreakerState<TKey> Create<TKey>(int failureThreshold = 5, int breakDurationMs = 30_000, int samplingDurationMs = 30_000)
        => _registry.GetOrAddKeyedCircuitBreaker<TKey>("keyed", new CircuitBreakerOptions
        {
            FailureThreshold = failureThreshold,
            BreakDurationMs = breakDurationMs,
            SamplingDurationMs = samplingDurationMs,
        });
}
