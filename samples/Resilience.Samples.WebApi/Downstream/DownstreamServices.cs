namespace Resilience.Samples.WebApi.Downstream;

/// <summary>
/// The dependencies this application calls, each by the name its policies share: the circuit breaker, bulkhead
/// or rate limit of that name, its settings under <c>Resilience:{name}</c> in appsettings.json, and its
/// simulated service under <c>/downstream/{name}</c>.
/// </summary>
public static class DownstreamServices
{
    /// <summary>The orders database: reads are retried, a breaker stops calls while it is down.</summary>
    public const string OrdersDb = "orders-db";

    /// <summary>An external video API with a quota: a rate limit, a breaker, and a placeholder as fallback.</summary>
    public const string VideoApi = "video-api";

    /// <summary>A cache: a short timeout, and the defaults as fallback; the application works without it.</summary>
    public const string Cache = "cache";

    /// <summary>A message broker: publishing is retried (each message has an id the broker de-duplicates on).</summary>
    public const string Broker = "broker";

    /// <summary>An e-mail service: never retried (a retry could send twice), a bulkhead caps the calls in flight.</summary>
    public const string Email = "email";

    /// <summary>Every service, in the order their automatic schedules are staggered.</summary>
    public static IReadOnlyList<string> All { get; } = [OrdersDb, VideoApi, Cache, Broker, Email];
}
