namespace Resilience.Monitoring.Tests;

/// <summary>How a test that needs a real component behaves when the component is missing.</summary>
public sealed class RealComponentTests
{
    private const string Missing = "resilience-no-such-command";

    [Fact]
    public void A_missing_component_skips_with_the_command_that_installs_it_unless_it_is_required()
    {
        var fact = new RealComponentFactAttribute(Missing, "some-package");

        if (RealComponent.Required)
        {
            Assert.Null(fact.Skip);
        }
        else
        {
            Assert.Contains("apt-get install some-package", fact.Skip, StringComparison.Ordinal);
            Assert.Contains(RealComponent.RequireVariable + "=1", fact.Skip, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Requiring_a_missing_component_fails_with_the_command_that_installs_it()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => RealComponent.Require(Missing, "some-package"));

        Assert.Contains("apt-get install some-package", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_component_on_PATH_is_found_and_not_skipped()
    {
        Assert.NotNull(RealComponent.Find("sh"));
        Assert.Null(new RealComponentFactAttribute("sh", "dash").Skip);
    }
}
