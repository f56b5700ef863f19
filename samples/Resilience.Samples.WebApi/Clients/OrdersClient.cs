using System.Net;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>Reads orders from the orders database (served over HTTP here, like a data API in front of it).</summary>
public sealed partial class OrdersClient(HttpClient http)
{
    /// <summary>
    /// Reads an order; null when there is none. A read is safe to repeat: up to 3 attempts, 2 s each. The breaker
    /// "orders-db" opens after consecutive failed attempts (5 here, 4 in appsettings.json) and keeps every caller
    /// away from the database for the break; readiness reports 503 while it is open.
    /// </summary>
    [Retry(3, DelayMs = 100, Handle = [typeof(HttpRequestException), typeof(TimeoutRejectedException)])]
    [CircuitBreaker(5, BreakDurationMs = 30_000, Name = DownstreamServices.OrdersDb)]
    [Timeout(2_000)]
    public partial Task<Order?> GetOrderAsync(int id, CancellationToken cancellationToken);

    private async Task<Order?> GetOrderAsyncCore(int id, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync($"orders/{id}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // An answer, not a failure: no retry, and the breaker counts a success.
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Order>(cancellationToken);
    }
}
