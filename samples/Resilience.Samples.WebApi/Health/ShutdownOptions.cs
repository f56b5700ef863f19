using System.ComponentModel.DataAnnotations;

namespace Resilience.Samples.WebApi.Health;

/// <summary>How the application stops (section <c>Shutdown</c>).</summary>
public sealed class ShutdownOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long, once shutdown begins, the server keeps taking requests while <c>/health/ready</c> answers 503,
    /// so that load balancers take the instance out before it stops listening. Milliseconds; 0 stops at once.
    /// </summary>
    [Range(0, 600_000)]
    public int ReadinessDelayMs { get; set; } = 5_000;

    /// <summary>How long the requests still running after that delay may take to finish. Milliseconds.</summary>
    [Range(0, 600_000)]
    public int DrainTimeoutMs { get; set; } = 10_000;
}
