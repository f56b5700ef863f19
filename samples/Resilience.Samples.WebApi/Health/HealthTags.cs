namespace Resilience.Samples.WebApi.Health;

/// <summary>The tags that choose which health checks a probe runs.</summary>
public static class HealthTags
{
    /// <summary>The checks of <c>/health/ready</c>: may this instance take traffic?</summary>
    public const string Ready = "ready";
}
