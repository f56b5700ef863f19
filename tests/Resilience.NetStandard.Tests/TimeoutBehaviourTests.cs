using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.NetStandard.Tests;

/// <summary>
/// The netstandard2.0 build reuses a timeout's source and timer with a new cancellation source per call: a source given
/// back is never cancelled by what happened to the call before, and a timeout or the caller still cancels the call's token.
/// These tests set the default registry's clock, so they run one at a time.
/// </summary>
[Collection(DefaultRegistry.Name)]
public sealed class TimeoutBehaviourTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();

    public TimeoutBehaviourTests()
    {
        ResilienceRegistry.Default.Reset();
        ResilienceRegistry.Default.TimeProvider = _clock;
    }

    public void Dispose() => ResilienceRegistry.Default.Reset();

    [Fact]
    public void A_timeout_cancels_its_calls_token_and_the_next_call_starts_with_a_fresh_one()
    {
        TimeoutCancellationSource first = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(first.Token.IsCancellationRequested);
        Assert.True(first.HasTimedOut);
        first.Return();

        TimeoutCancellationSource second = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(second.HasTimedOut);
        second.Return();
    }

    [Fact]
    public void A_call_that_ended_in_time_leaves_its_token_uncancelled_and_the_next_call_gets_another()
    {
        TimeoutCancellationSource first = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        CancellationToken firstToken = first.Token;
        first.Return();

        TimeoutCancellationSource second = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.NotEqual(firstToken, second.Token);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(second.Token.IsCancellationRequested);
        Assert.False(firstToken.IsCancellationRequested); // the old call's token is not cancelled by a later timeout
        second.Return();
    }

    [Fact]
    public void The_callers_cancellation_reaches_the_token_and_not_the_next_call()
    {
        using var caller = new CancellationTokenSource();
        TimeoutCancellationSource first = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), caller.Token);
        first.Return();

        TimeoutCancellationSource second = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), CancellationToken.None);
        caller.Cancel();
        Assert.False(second.Token.IsCancellationRequested);
        second.Return();

        using var another = new CancellationTokenSource();
        TimeoutCancellationSource third = ResilienceRegistry.Default.StartTimeout(TimeSpan.FromSeconds(1), another.Token);
        another.Cancel();
        Assert.True(third.Token.IsCancellationRequested);
        Assert.False(third.HasTimedOut);
        third.Return();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultRegistry
{
    public const string Name = "Default registry";
}
