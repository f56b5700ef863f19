using System.ComponentModel.DataAnnotations;

namespace Resilience.Samples.WebApi.Distributed;

/// <summary>
/// How the policies marked <c>Distributed</c> (in appsettings.json: the "orders-db" breaker, the "video-api" limit and
/// breaker) share their state with the other instances of the application: the section "Distributed".
/// </summary>
public sealed class DistributedOptions
{
    public const string SectionName = "Distributed";

    /// <summary>False: no Redis at all; the policies marked Distributed run on this instance's state, and say so.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// When no <c>ConnectionStrings:redis</c> is configured, the port of the embedded Garnet server this instance starts
    /// for development (on 127.0.0.1); 0 for any free port. Another instance shares it with
    /// <c>--ConnectionStrings:redis=127.0.0.1:{port}</c>.
    /// </summary>
    [Range(0, 65_535)]
    public int EmbeddedPort { get; set; } = 6390;

    /// <summary>The longest a call waits for Redis before deciding on this instance's state, in milliseconds.</summary>
    [Range(1, 60_000)]
    public int OperationTimeoutMs { get; set; } = 250;

    /// <summary>The prefix of the keys in Redis, one per application sharing a server.</summary>
    [Required]
    public string KeyPrefix { get; set; } = "resilience-sample";
}
