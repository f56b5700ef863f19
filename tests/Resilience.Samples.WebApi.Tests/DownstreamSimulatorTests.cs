using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class DownstreamSimulatorTests
{
    private readonly FakeTimeProvider _clock = new();

    // 45 s healthy, 15 s failing, 10 s slow, 20 s recovering: a 90 s cycle.
    private DownstreamSimulator Create(DownstreamOptions? options = null) => new(_clock, Options.Create(options ?? new DownstreamOptions()));

    [Theory]
    [InlineData(0, DownstreamPhase.Healthy)]
    [InlineData(44_999, DownstreamPhase.Healthy)]
    [InlineData(45_000, DownstreamPhase.Failing)]
    [InlineData(59_999, DownstreamPhase.Failing)]
    [InlineData(60_000, DownstreamPhase.Slow)]
    [InlineData(70_000, DownstreamPhase.Recovering)]
    [InlineData(89_999, DownstreamPhase.Recovering)]
    [InlineData(90_000, DownstreamPhase.Healthy)]
    [InlineData(135_000, DownstreamPhase.Failing)]
    public void The_schedule_cycles_through_the_phases_on_the_clock(int elapsedMs, DownstreamPhase expected)
    {
        DownstreamSimulator simulator = Create();

        _clock.Advance(TimeSpan.FromMilliseconds(elapsedMs));

        Assert.Equal(expected, simulator.PhaseOf(DownstreamServices.OrdersDb));
    }

    [Fact]
    public void Every_service_starts_healthy_and_they_fail_in_turn()
    {
        DownstreamSimulator simulator = Create();
        Assert.All(DownstreamServices.All, service => Assert.Equal(DownstreamPhase.Healthy, simulator.PhaseOf(service)));

        // Each is a fifth of the healthy phase (9 s) ahead of the one before it: the last fails first.
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(
            [DownstreamPhase.Healthy, DownstreamPhase.Healthy, DownstreamPhase.Healthy, DownstreamPhase.Healthy, DownstreamPhase.Failing],
            DownstreamServices.All.Select(simulator.PhaseOf));
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(DownstreamPhase.Failing, simulator.PhaseOf(DownstreamServices.Broker));
    }

    [Fact]
    public void A_forced_mode_holds_until_the_service_is_set_back_to_auto()
    {
        DownstreamSimulator simulator = Create();

        simulator.SetMode(DownstreamServices.OrdersDb, DownstreamMode.Failing);
        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(DownstreamPhase.Failing, simulator.PhaseOf(DownstreamServices.OrdersDb));

        simulator.SetMode(DownstreamServices.OrdersDb, DownstreamMode.Auto);
        Assert.Equal(DownstreamPhase.Healthy, simulator.PhaseOf(DownstreamServices.OrdersDb)); // 100 s is 10 s into the second cycle
    }

    [Fact]
    public async Task A_failing_service_turns_every_request_away()
    {
        DownstreamSimulator simulator = Create(new DownstreamOptions { Mode = DownstreamMode.Failing });

        Assert.False(await simulator.AdmitAsync(DownstreamServices.Cache, CancellationToken.None));
        Assert.False(await simulator.AdmitAsync(DownstreamServices.Cache, CancellationToken.None));
        DownstreamStatus status = simulator.Describe(DownstreamServices.Cache);
        Assert.Equal((2, 2), (status.Requests, status.Failures));
    }

    [Fact]
    public async Task A_recovering_service_fails_one_request_in_three()
    {
        DownstreamSimulator simulator = Create(new DownstreamOptions { Mode = DownstreamMode.Recovering, RecoveringFailureEvery = 3 });

        var admitted = new List<bool>();
        for (int i = 0; i < 6; i++)
        {
            admitted.Add(await simulator.AdmitAsync(DownstreamServices.Broker, CancellationToken.None));
        }

        Assert.Equal([true, true, false, true, true, false], admitted);
    }

    [Fact]
    public async Task A_slow_service_answers_only_after_the_slow_response_time()
    {
        DownstreamSimulator simulator = Create(new DownstreamOptions { Mode = DownstreamMode.Slow, SlowResponseMs = 10_000 });

        Task<bool> admitted = simulator.AdmitAsync(DownstreamServices.Email, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(9_999));
        Assert.False(admitted.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await admitted.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_caller_that_gives_up_on_a_slow_service_is_not_kept_waiting()
    {
        DownstreamSimulator simulator = Create(new DownstreamOptions { Mode = DownstreamMode.Slow });
        using var cancellation = new CancellationTokenSource();

        Task<bool> admitted = simulator.AdmitAsync(DownstreamServices.Email, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => admitted.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
