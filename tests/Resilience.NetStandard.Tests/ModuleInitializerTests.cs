using Resilience.NetStandard.Library;

namespace Resilience.NetStandard.Tests;

/// <summary>
/// A library on netstandard2.0 has no <c>ModuleInitializerAttribute</c>; getting-started.md tells it to declare one,
/// which the generator then uses to register the library's named policies when the library loads.
/// </summary>
public sealed class ModuleInitializerTests
{
    [Fact]
    public void A_netstandard_library_that_declares_the_attribute_registers_its_policies_when_it_loads()
    {
        // Loading the library through another of its types runs its module initializer, and not InventoryClient's
        // static constructor: the policies are there before any of its methods is called.
        Assert.Equal("Resilience.NetStandard.Library", LibraryInfo.Name);

        Assert.Equal(CircuitState.Closed, ResilienceRegistry.Default.CircuitBreaker(InventoryClient.BreakerName).State);
        Assert.Contains(ResilienceRegistry.Default.RateLimiters, limiter => limiter.Name == InventoryClient.LimitName);
    }
}
