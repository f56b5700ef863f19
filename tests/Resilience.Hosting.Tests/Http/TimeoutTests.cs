using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>
/// A server that does not answer: the handler's timeout cancels the attempt (the server sees the client leave), and
/// either a later attempt succeeds or the call ends in <see cref="TimeoutRejectedException"/>.
/// </summary>
/// <remarks>
/// A held response lasts until the client gives up, never a guessed duration, and the timeouts are a second or more,
/// far above what a loopback answer takes: the outcome does not depend on how loaded the machine is.
/// </remarks>
public sealed class TimeoutTests : HttpClientTest
{
    [Fact]
    public async Task An_attempt_that_outlasts_its_timeout_is_cancelled_and_the_next_one_answers()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, number) =>
            number == 1 ? LoopbackServer.HoldUntilClientLeavesAsync(context) : Task.CompletedTask);
        await using ServiceProvider services = ClientServices<PerAttemptTimeoutHandler>(server);

        using HttpResponseMessage response = await Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Arrivals);
    }

    [Fact]
    public async Task Attempts_that_all_outlast_their_timeout_end_in_TimeoutRejectedException_after_three_requests()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, _) => LoopbackServer.HoldUntilClientLeavesAsync(context));
        await using ServiceProvider services = ClientServices<PerAttemptTimeoutHandler>(server);

        TimeoutRejectedException rejection = await Assert.ThrowsAsync<TimeoutRejectedException>(
            () => Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(TimeoutScope.PerAttempt, rejection.Scope);
        Assert.Equal(TimeSpan.FromMilliseconds(PerAttemptTimeoutHandler.TimeoutMs), rejection.Timeout);
        Assert.Equal(3, server.Arrivals);
    }

    [Fact]
    public async Task A_total_timeout_ends_a_held_call_in_TimeoutRejectedException_without_another_attempt()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, _) => LoopbackServer.HoldUntilClientLeavesAsync(context));
        await using ServiceProvider services = ClientServices<TotalTimeoutHandler>(server);

        TimeoutRejectedException rejection = await Assert.ThrowsAsync<TimeoutRejectedException>(
            () => Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(TimeoutScope.Total, rejection.Scope);
        Assert.Equal(TimeSpan.FromMilliseconds(TotalTimeoutHandler.TimeoutMs), rejection.Timeout);
        Assert.Equal(1, server.Arrivals);
    }

    [Fact]
    public async Task A_total_timeout_covers_the_retries_a_503_then_a_held_attempt_end_in_TimeoutRejectedException()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            return LoopbackServer.HoldUntilClientLeavesAsync(context);
        });
        await using ServiceProvider services = ClientServices<TotalTimeoutHandler>(server);

        TimeoutRejectedException rejection = await Assert.ThrowsAsync<TimeoutRejectedException>(
            () => Client(services).GetAsync("items", CancellationToken.None).WaitAsync(HangGuard));

        Assert.Equal(TimeoutScope.Total, rejection.Scope);
        Assert.Equal(2, server.Arrivals);
    }
}
