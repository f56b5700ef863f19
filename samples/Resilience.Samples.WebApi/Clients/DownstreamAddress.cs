using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Resilience.Samples.WebApi.Downstream;

namespace Resilience.Samples.WebApi.Clients;

/// <summary>
/// Where the typed clients find the simulated services: <see cref="DownstreamOptions.BaseAddress"/>, or this
/// application's own first listening address followed by <c>/downstream/</c>.
/// </summary>
public sealed class DownstreamAddress(IServer server, IOptions<DownstreamOptions> options)
{
    private Uri? _root;

    /// <summary>The base address of <paramref name="service"/>, e.g. <c>http://localhost:5087/downstream/orders-db/</c>.</summary>
    public Uri For(string service) => new(_root ??= Resolve(), Uri.EscapeDataString(service) + "/");

    private Uri Resolve()
    {
        string? configured = options.Value.BaseAddress;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Uri(configured.EndsWith('/') ? configured : configured + "/", UriKind.Absolute);
        }

        // The addresses are known once the server listens, which is before the first request comes in.
        string address = server.Features.Get<IServerAddressesFeature>()?.Addresses
                .OrderBy(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? 1 : 0)
                .FirstOrDefault()
            ?? throw new InvalidOperationException(
                $"The server reports no address to reach the simulated services at; set {DownstreamOptions.SectionName}:{nameof(DownstreamOptions.BaseAddress)}.");

        BindingAddress binding = BindingAddress.Parse(address);
        string host = binding.Host is "+" or "*" or "0.0.0.0" or "[::]" ? "localhost" : binding.Host;
        return new Uri($"{binding.Scheme}://{host}:{binding.Port}/downstream/", UriKind.Absolute);
    }
}
