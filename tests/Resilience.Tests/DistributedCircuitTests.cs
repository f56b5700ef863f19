namespace Resilience.Tests;

/// <summary>
/// How a distributed breaker takes the changes a store hands it: another instance's messages as they come, and the state
/// the store held only when nothing newer has been applied since it was read.
/// </summary>
public sealed class DistributedCircuitTests
{
    private readonly ResilienceRegistry _registry;
    private readonly FakeDistributedStore _store;

    public DistributedCircuitTests()
    {
        _registry = TestSupport.CreateRegistry(out Microsoft.Extensions.Time.Testing.FakeTimeProvider clock);
        _store = new FakeDistributedStore(clock);
        _registry.UseDistributedStore(_store);
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

    private CircuitBreakerState Breaker()
        => _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDurationMs = 60_000, Distributed = true });
}
