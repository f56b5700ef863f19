using Microsoft.Extensions.DependencyInjection.Extensions;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>Registers the typed clients of the simulated services.</summary>
public static class DownstreamClientsServiceCollectionExtensions
{
    /// <summary>Adds one typed <see cref="HttpClient"/> client per service, each with the base address of its service.</summary>
    public static IServiceCollection AddDownstreamClients(this IServiceCollection services)
    {
        services.TryAddSingleton<DownstreamAddress>();
        AddClient<OrdersClient>(services, DownstreamServices.OrdersDb);
        AddClient<VideoApiClient>(services, DownstreamServices.VideoApi);
        AddClient<RecommendationsCacheClient>(services, DownstreamServices.Cache);
        AddClient<BrokerClient>(services, DownstreamServices.Broker);
        AddClient<EmailClient>(services, DownstreamServices.Email);
        return services;
    }

    private static void AddClient<TClient>(IServiceCollection services, string service)
        where TClient : class
        => services.AddHttpClient<TClient>((provider, http) => http.BaseAddress = provider.GetRequiredService<DownstreamAddress>().For(service));
}
