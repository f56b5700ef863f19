using System.ComponentModel.DataAnnotations;

namespace Resilience.Samples.WebApi.Downstream;

/// <summary>The simulated services: where the clients find them, and how they misbehave (section <c>Downstream</c>).</summary>
public sealed class DownstreamOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Downstream";

    /// <summary>
    /// The address under which the services are served, e.g. <c>http://localhost:5087/downstream/</c>. Empty: the
    /// first address this application listens on, followed by <c>/downstream/</c>.
    /// </summary>
    public string? BaseAddress { get; set; }

    /// <summary>The mode every service starts in; <see cref="DownstreamMode.Auto"/> follows the schedule.</summary>
    public DownstreamMode Mode { get; set; } = DownstreamMode.Auto;

    /// <summary>The schedule's healthy phase, in seconds.</summary>
    [Range(1, 86_400)]
    public int HealthySeconds { get; set; } = 45;

    /// <summary>The schedule's failing phase, in seconds.</summary>
    [Range(1, 86_400)]
    public int FailingSeconds { get; set; } = 15;

    /// <summary>The schedule's slow phase, in seconds.</summary>
    [Range(1, 86_400)]
    public int SlowSeconds { get; set; } = 10;

    /// <summary>The schedule's recovering phase, in seconds.</summary>
    [Range(1, 86_400)]
    public int RecoveringSeconds { get; set; } = 20;

    /// <summary>How long a slow service takes to answer, in milliseconds: longer than every client's timeout.</summary>
    [Range(1, 600_000)]
    public int SlowResponseMs { get; set; } = 10_000;

    /// <summary>While recovering, one request in this many fails.</summary>
    [Range(1, 1_000)]
    public int RecoveringFailureEvery { get; set; } = 3;
}
