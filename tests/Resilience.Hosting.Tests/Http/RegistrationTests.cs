using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Hosting.Tests.Http;

/// <summary>What <c>AddResilientHandler</c> registers, and where it puts the handler in a client's chain.</summary>
public sealed class RegistrationTests : HttpClientTest
{
    [Fact]
    public void Two_clients_with_the_same_resilient_handler_register_it_once_as_transient()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("first").AddResilientHandler<CatalogHandler>();
        services.AddHttpClient<CatalogClient>().AddResilientHandler<CatalogHandler>();

        ServiceDescriptor registration = Assert.Single(services, d => d.ServiceType == typeof(CatalogHandler));
        Assert.Equal(ServiceLifetime.Transient, registration.Lifetime);
        Assert.Equal(typeof(CatalogHandler), registration.ImplementationType);
    }

    [Fact]
    public void A_handler_the_application_registered_itself_keeps_its_registration()
    {
        var services = new ServiceCollection();
        services.AddTransient(_ => new CatalogHandler());
        services.AddHttpClient("first").AddResilientHandler<CatalogHandler>();

        ServiceDescriptor registration = Assert.Single(services, d => d.ServiceType == typeof(CatalogHandler));
        Assert.NotNull(registration.ImplementationFactory);
    }

    [Fact]
    public void A_null_builder_throws_ArgumentNullException()
    {
        ArgumentNullException thrown = Assert.Throws<ArgumentNullException>(() => ResilienceHttpClientBuilderExtensions.AddResilientHandler<CatalogHandler>(null!));

        Assert.Equal("builder", thrown.ParamName);
    }

    [Fact]
    public async Task The_replayable_content_handler_sits_right_in_front_of_the_resilient_handler_in_each_clients_chain()
    {
        await using ServiceProvider services = Build(s =>
        {
            s.AddHttpClient("first").AddResilientHandler<CatalogHandler>();
            s.AddHttpClient("second").AddResilientHandler<CatalogHandler>();
        });
        var factory = services.GetRequiredService<IHttpMessageHandlerFactory>();

        foreach (string name in new[] { "first", "second" })
        {
            IReadOnlyList<HttpMessageHandler> chain = Chain(factory.CreateHandler(name));
            int replayable = chain.ToList().FindIndex(h => h is ReplayableContentHandler);
            Assert.True(replayable >= 0, $"The client '{name}' has no ReplayableContentHandler: {string.Join(" -> ", chain.Select(h => h.GetType().Name))}.");
            Assert.IsType<CatalogHandler>(chain[replayable + 1]);
            Assert.Single(chain, h => h is CatalogHandler);
        }
    }

    [Fact]
    public async Task In_front_of_a_handler_marked_Idempotent_the_replayable_content_handler_buffers_every_request()
    {
        ReplayableContentHandler replayable = await ReplayableInFrontOfAsync<IdempotentHandler>();

        Assert.True(replayable.EveryRequestMayBeRetried);
    }

    [Fact]
    public async Task In_front_of_a_handler_not_marked_Idempotent_the_replayable_content_handler_buffers_only_requests_that_may_be_retried()
    {
        ReplayableContentHandler replayable = await ReplayableInFrontOfAsync<CatalogHandler>();

        Assert.False(replayable.EveryRequestMayBeRetried);
    }

    /// <summary>The <see cref="ReplayableContentHandler"/> of a client with <c>AddResilientHandler&lt;THandler&gt;()</c>.</summary>
    private static async Task<ReplayableContentHandler> ReplayableInFrontOfAsync<THandler>()
        where THandler : DelegatingHandler
    {
        await using ServiceProvider services = Build(s => s.AddHttpClient(ClientName).AddResilientHandler<THandler>());
        HttpMessageHandler outermost = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ClientName);
        return Chain(outermost).OfType<ReplayableContentHandler>().Single();
    }

    /// <summary>The handlers a request goes through, outermost first.</summary>
    private static IReadOnlyList<HttpMessageHandler> Chain(HttpMessageHandler outermost)
    {
        var chain = new List<HttpMessageHandler>();
        for (HttpMessageHandler? handler = outermost; handler is not null; handler = (handler as DelegatingHandler)?.InnerHandler)
        {
            chain.Add(handler);
        }

        return chain;
    }
}
