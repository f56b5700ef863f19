namespace Resilience.Tests;

/// <summary>
/// How a distributed breaker takes the changes a store hands it: another instance's messages as they come, and the state
/// the store held only when nothing newer has been applied since it was read.
/// </summary>
public sealed class DistributedCircuitTests
{
    private readonly ResilienceRegistry _registry;
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock;
    private readonly FakeDistributedStore _store;

    public DistributedCircuitTests()
    {
        _registry = TestSupport.CreateRegistry(out _clock);
        _store = new FakeDistributedStore(_clock);
        _registry.UseDistributedStore(_store);
    }

    [Fact]
    public void A_break_grown_by_a_failed_probe_is_the_break_published_to_the_other_instances()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(
            "growing", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 8_000, Distributed = true });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(breaker.TryEnter(out _));                          // asks the store for the probe lease
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));  // holds it: probes
        breaker.RecordFailure(probe);

        Assert.Equal(
            new[] { (CircuitState.Open, TimeSpan.FromSeconds(1)), (CircuitState.Open, TimeSpan.FromSeconds(2)) },
            _store.PublishedBreaks);
    }

    [Fact]
    public void A_remote_break_longer_than_the_local_one_is_kept_whole()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(
            "remote", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, MaxBreakDurationMs = 8_000, Distributed = true });
        DistributedCircuit circuit = Assert.Single(_store.Watched);

        circuit.ApplyRemote(CircuitState.Open, TimeSpan.FromSeconds(4));
        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.False(breaker.TryEnter(out _));
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.CreateRejection().RetryAfter);
    }

    [Fact]
    public void A_stored_state_read_before_a_remote_change_is_not_applied_after_it()
    {
        CircuitBreakerState breaker = Breaker();
        DistributedCircuit circuit = Assert.Single(_store.Watched);

        // The read leaves while the breaker is closed; isolation and then a reset arrive before its answer.
        long version = circuit.Version;
        circuit.ApplyRemote(CircuitState.Isolated, TimeSpan.Zero);
        circuit.ApplyRemote(CircuitState.Closed, TimeSpan.Zero);

        Assert.False(circuit.ApplyStored(CircuitState.Isolated, TimeSpan.Zero, version));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_stored_state_read_before_a_local_transition_is_not_applied_after_it()
    {
        CircuitBreakerState breaker = Breaker();
        DistributedCircuit circuit = Assert.Single(_store.Watched);

        long version = circuit.Version;
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);

        Assert.False(circuit.ApplyStored(CircuitState.Isolated, TimeSpan.Zero, version));
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void A_stored_state_is_applied_when_nothing_changed_since_it_was_read()
    {
        CircuitBreakerState breaker = Breaker();
        DistributedCircuit circuit = Assert.Single(_store.Watched);

        long version = circuit.Version;

        Assert.True(circuit.ApplyStored(CircuitState.Open, TimeSpan.FromSeconds(30), version));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.InRange(breaker.CreateRejection().RetryAfter ?? TimeSpan.Zero, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
        Assert.NotEqual(version, circuit.Version);
        Assert.Empty(_store.Published);
    }

    [Fact]
    public void While_another_instance_holds_the_probe_lease_this_one_keeps_rejecting_and_asks_again()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak();
        _store.ProbeLeaseAnswer = FakeDistributedStore.LeaseAnswer.Refused;

        for (int i = 0; i < 3; i++)
        {
            Assert.False(breaker.TryEnter(out _));
        }

        Assert.Equal(3, _store.ProbeLeaseRequests);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(3, breaker.GetMetrics().Rejections);

        _store.ProbeLeaseAnswer = FakeDistributedStore.LeaseAnswer.Granted;
        Assert.False(breaker.TryEnter(out _));                          // asks once more, and is granted
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));  // probes
        Assert.True(probe.IsProbe);
    }

    [Fact]
    public void When_the_store_fails_to_answer_for_the_probe_lease_this_instance_probes_alone()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak();
        _store.ProbeLeaseAnswer = FakeDistributedStore.LeaseAnswer.Fails;

        Assert.False(breaker.TryEnter(out _));                          // asks: the store throws
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));  // decides alone
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        breaker.RecordSuccess(probe);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(1, _store.ProbeLeaseRequests);
    }

    [Fact]
    public void The_probe_lease_is_kept_while_half_open_and_given_back_once_when_the_probe_decides()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak();
        Assert.Equal(0, _store.ProbeLeaseReleases);                     // opening from closed held no lease

        Assert.False(breaker.TryEnter(out _));
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit probe));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(0, _store.ProbeLeaseReleases);                     // the probe still runs under it

        breaker.RecordSuccess(probe);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(1, _store.ProbeLeaseReleases);

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, _store.ProbeLeaseReleases);                     // nothing held, nothing given back
        Assert.Equal(1, _store.ProbeLeaseRequests);
    }

    [Fact]
    public void A_local_change_after_remote_ones_is_published()
    {
        CircuitBreakerState breaker = Breaker();
        DistributedCircuit circuit = Assert.Single(_store.Watched);
        circuit.ApplyRemote(CircuitState.Isolated, TimeSpan.Zero);
        circuit.ApplyRemote(CircuitState.Closed, TimeSpan.Zero);
        Assert.Empty(_store.Published);                                 // another instance's changes are not sent back

        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);

        Assert.Equal(new[] { CircuitState.Open }, _store.Published);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void A_breaker_opened_by_another_instance_before_any_call_here_reports_no_rates(bool ratioMode, bool slowCalls)
    {
        var options = new CircuitBreakerOptions { BreakDurationMs = 1_000, Distributed = true };
        if (ratioMode)
        {
            options.FailureRatio = 0.5;
        }

        if (slowCalls)
        {
            options.SlowCallDurationMs = 1_000;
        }

        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker("remote-" + ratioMode + slowCalls, options);
        CircuitStateChangedEventArgs? opened = null;
        breaker.StateChanged += (_, e) => opened = e;

        Assert.Single(_store.Watched).ApplyRemote(CircuitState.Open, TimeSpan.FromSeconds(1));

        Assert.NotNull(opened);
        Assert.Equal((CircuitState.Open, 0, 0.0, 0.0), (opened.State, opened.FailureCount, opened.ErrorRate, opened.SlowCallRate));
    }

    [Fact]
    public void A_probe_lease_granted_later_is_held_though_the_caller_that_asked_is_a_blocked_ui_thread()
    {
        CircuitBreakerState breaker = OpenAndWaitOutTheBreak();
        var lease = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.PendingLease = lease.Task;
        var ui = new BlockedSynchronizationContext();

        Assert.False(ui.Start(() => breaker.TryEnter(out _)));       // asks; the answer comes later
        lease.SetResult(true);

        TestSupport.SpinUntil(() => breaker.TryEnter(out _), "the granted lease lets this instance probe");
        Assert.Equal(0, ui.Posted);
    }

    private CircuitBreakerState OpenAndWaitOutTheBreak()
    {
        CircuitBreakerState breaker = _registry.GetOrAddCircuitBreaker(
            "probing", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 1_000, Distributed = true });
        Assert.True(breaker.TryEnter(out CircuitBreakerPermit permit));
        breaker.RecordFailure(permit);
        Assert.Equal(CircuitState.Open, breaker.State);
        _clock.Advance(TimeSpan.FromSeconds(1));
        return breaker;
    }

    private CircuitBreakerState Breaker()
        => _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000, Distributed = true });
}
