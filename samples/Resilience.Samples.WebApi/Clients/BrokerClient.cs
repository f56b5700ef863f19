using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>Publishes messages to the message broker.</summary>
public sealed partial class BrokerClient(HttpClient http)
{
    /// <summary>
    /// Publishes a message. Publishing twice is harmless here: the message's id is its idempotency key, and the
    /// broker keeps one message per id. So it is retried, up to 4 attempts, under a breaker of its own.
    /// </summary>
    [Retry(4, DelayMs = 200, MaxDelayMs = 2_000, Handle = [typeof(HttpRequestException), typeof(TimeoutRejectedException)])]
    [CircuitBreaker(5, BreakDurationMs = 10_000, Name = DownstreamServices.Broker)]
    [Timeout(1_000)]
    [Idempotent]
    public partial Task<Acceptance> PublishAsync(BrokerMessage message, CancellationToken cancellationToken);

    private async Task<Acceptance> PublishAsyncCore(BrokerMessage message, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("messages", message, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Acceptance>(cancellationToken)
            ?? throw new InvalidOperationException($"The broker answered nothing for message '{message.Id}'.");
    }
}
