using Microsoft.Extensions.Configuration;

namespace Resilience.Hosting;

/// <summary>What <see cref="Microsoft.Extensions.DependencyInjection.ResilienceServiceCollectionExtensions.AddResilience(Microsoft.Extensions.DependencyInjection.IServiceCollection, IConfiguration)"/> was given.</summary>
internal sealed class ResilienceHostingOptions
{
    public ResilienceHostingOptions(IConfiguration? configuration) => Configuration = configuration;

    /// <summary>The section holding the settings by policy name; null when none was given.</summary>
    public IConfiguration? Configuration { get; }
}
