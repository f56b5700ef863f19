using System;
using System.Net.Http;
using System.Reflection;
using System.Threading;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Resilience;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts a resilient <see cref="DelegatingHandler"/> on a client of <c>IHttpClientFactory</c>.</summary>
public static class ResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds <typeparamref name="THandler"/> to the client's handlers, behind a <see cref="ReplayableContentHandler"/>
    /// that makes request content readable again for a retry, and registers it as a transient service if it is not
    /// registered yet.
    /// </summary>
    /// <remarks>
    /// <typeparamref name="THandler"/> is a partial class deriving from <see cref="DelegatingHandler"/> whose
    /// <c>SendAsync</c> override is a resilient method:
    /// <code>
    /// public sealed partial class CatalogHandler : DelegatingHandler
    /// {
    ///     [Retry(3, DelayMs = 200)]
    ///     [CircuitBreaker(5, Name = "catalog")]
    ///     protected override partial Task&lt;HttpResponseMessage&gt; SendAsync([CircuitBreakerKey] HttpRequestMessage request, CancellationToken cancellationToken);
    ///
    ///     private Task&lt;HttpResponseMessage&gt; SendAsyncCore(HttpRequestMessage request, CancellationToken cancellationToken)
    ///         =&gt; base.SendAsync(request, cancellationToken);
    /// }
    ///
    /// services.AddHttpClient&lt;CatalogClient&gt;(c =&gt; c.BaseAddress = new Uri("https://catalog")).AddResilientHandler&lt;CatalogHandler&gt;();
    /// </code>
    /// Responses 408, 429 and 5xx are failures, <c>Retry-After</c> is honoured, a breaker is kept per host with
    /// <see cref="CircuitBreakerKeyAttribute"/> on the request, and a POST or PATCH is retried only when it carries an
    /// <c>Idempotency-Key</c> header. The client factory reuses handler instances across requests and clients: keep
    /// the handler free of per-request state.
    /// </remarks>
    /// <typeparam name="THandler">The resilient handler.</typeparam>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient(...)</c>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHttpClientBuilder AddResilientHandler<
#if NET
        [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(
            System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.NonPublicMethods)]
#endif
        THandler>(this IHttpClientBuilder builder)
        where THandler : DelegatingHandler
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        bool everyRequestMayBeRetried = IsMarkedIdempotent(typeof(THandler));
        builder.Services.TryAddTransient<THandler>();
        return builder
            .AddHttpMessageHandler(() => new ReplayableContentHandler(everyRequestMayBeRetried))
            .AddHttpMessageHandler<THandler>();
    }

    /// <summary>
    /// True when the handler's <c>SendAsync</c> is marked <see cref="IdempotentAttribute"/>: its retry then sends a POST
    /// or PATCH again without an <c>Idempotency-Key</c>, so the body of every request must be replayable. The
    /// generated code says so only through the attribute, read here once, when the client is registered.
    /// </summary>
    private static bool IsMarkedIdempotent(
#if NET
        [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.NonPublicMethods)]
#endif
        Type handlerType)
    {
        MethodInfo? send = handlerType.GetMethod(
            "SendAsync",
            BindingFlags.Instance | BindingFlags.NonPublic,
            binder: null,
            new[] { typeof(HttpRequestMessage), typeof(CancellationToken) },
            modifiers: null);
        return send is not null && send.IsDefined(typeof(IdempotentAttribute), inherit: false);
    }
}
