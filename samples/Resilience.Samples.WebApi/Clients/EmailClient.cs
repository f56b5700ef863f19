using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>Sends e-mails through the e-mail service.</summary>
public sealed partial class EmailClient(HttpClient http)
{
    /// <summary>
    /// Sends an e-mail. Never retried: a send that failed on the way back may have gone out, and a retry would
    /// send it twice. The bulkhead lets 4 sends run at once and 16 wait, up to 5 s, so that a slow e-mail service
    /// cannot take every thread of the application with it; the calls beyond are rejected (503) at once.
    /// </summary>
    [Bulkhead(4, MaxQueue = 16, MaxWaitMs = 5_000, Name = DownstreamServices.Email)]
    [Timeout(3_000)]
    public partial Task<Acceptance> SendAsync(EmailMessage message, CancellationToken cancellationToken);

    private async Task<Acceptance> SendAsyncCore(EmailMessage message, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("messages", message, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Acceptance>(cancellationToken)
            ?? throw new InvalidOperationException($"The e-mail service answered nothing for the e-mail to '{message.To}'.");
    }
}
