using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Samples.WebApi.Clients;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Tests;

public sealed class ConfigurationTests : WebApiTest
{
    [Fact]
    public void The_orders_db_breaker_takes_its_settings_from_appsettings_over_the_attributes()
    {
        IConfiguration configuration = Factory.Services.GetRequiredService<IConfiguration>();
        int threshold = configuration.GetValue<int>("Resilience:orders-db:FailureThreshold");
        int breakMs = configuration.GetValue<int>("Resilience:orders-db:BreakDurationMs");
        CircuitBreakerAttribute attribute = typeof(OrdersClient).GetMethod(nameof(OrdersClient.GetOrderAsync))!.GetCustomAttribute<CircuitBreakerAttribute>()!;
        // Meaningful only while appsettings.json and the attribute disagree.
        Assert.NotEqual(attribute.FailureThreshold, threshold);
        Assert.NotEqual(attribute.BreakDurationMs, breakMs);

        CircuitBreakerOptions options = ResilienceRegistry.Default.CircuitBreaker(DownstreamServices.OrdersDb).Options;

        Assert.Equal(threshold, options.FailureThreshold);
        Assert.Equal(breakMs, options.BreakDurationMs);
    }

    [Fact]
    public void The_video_api_rate_limit_takes_its_permits_from_appsettings_over_the_attributes()
    {
        IConfiguration configuration = Factory.Services.GetRequiredService<IConfiguration>();
        int permits = configuration.GetValue<int>("Resilience:video-api:Permits");
        RateLimitAttribute attribute = typeof(VideoApiClient).GetMethod(nameof(VideoApiClient.GetVideoAsync))!.GetCustomAttribute<RateLimitAttribute>()!;
        Assert.NotEqual(attribute.Permits, permits);

        RateLimiterState limiter = Assert.Single(ResilienceRegistry.Default.RateLimiters, l => l.Name == DownstreamServices.VideoApi);

        Assert.Equal(permits, limiter.Options.Permits);
    }
}
