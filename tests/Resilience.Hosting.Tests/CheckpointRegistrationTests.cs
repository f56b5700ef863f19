using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Hosting.Tests;

public sealed class CheckpointRegistrationTests
{
    [Fact]
    public async Task AddResilienceCheckpoints_registers_one_in_memory_store_with_the_options_given()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        using ServiceProvider services = new ServiceCollection()
            .AddResilienceCheckpoints(o =>
            {
                o.MaxKeptPerJob = 2;
                o.TimeProvider = clock;
            })
            .BuildServiceProvider();

        ICheckpointStore store = services.GetRequiredService<ICheckpointStore>();
        Assert.Same(store, services.GetRequiredService<ICheckpointStore>());
        InMemoryCheckpointStore inMemory = Assert.IsType<InMemoryCheckpointStore>(store);
        Assert.Equal(2, inMemory.Options.MaxKeptPerJob);

        for (int i = 1; i <= 3; i++)
        {
            await store.SaveAsync("job", "transcribe", i / 3.0, i, force: true);
        }

        Assert.Equal([3, 2], (await store.ListAsync<int>("job")).Select(c => c.Data));
        Assert.Equal(clock.GetUtcNow(), (await store.GetLatestAsync<int>("job"))!.SavedAt);
    }

    [Fact]
    public void A_bad_option_stops_the_registration_with_its_name()
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddResilienceCheckpoints(o => o.MaxKeptPerJob = 0));

        Assert.Contains("CheckpointOptions.MaxKeptPerJob is 0; it must be at least 1", refused.Message);
    }

    [Fact]
    public void The_settings_are_read_from_configuration_as_TimeSpan_text_and_a_number()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpoints:TimeToLive"] = "12:00:00",
            ["Checkpoints:MaxKeptPerJob"] = "20",
            ["Checkpoints:MinSaveInterval"] = "00:01:00",
        }).Build();

        using ServiceProvider services = new ServiceCollection().AddResilienceCheckpoints(configuration.GetSection("Checkpoints")).BuildServiceProvider();

        CheckpointOptions options = Assert.IsType<InMemoryCheckpointStore>(services.GetRequiredService<ICheckpointStore>()).Options;
        Assert.Equal(TimeSpan.FromHours(12), options.TimeToLive);
        Assert.Equal(20, options.MaxKeptPerJob);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MinSaveInterval);
    }

    [Fact]
    public void Bad_settings_in_configuration_are_named_all_at_once()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpoints:TimeToLive"] = "30",
            ["Checkpoints:MaxKeptPerJob"] = "ten",
            ["Checkpoints:KeepFor"] = "1",
        }).Build();

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(
            () => new ServiceCollection().AddResilienceCheckpoints(configuration.GetSection("Checkpoints")));

        Assert.Contains("Checkpoints:TimeToLive is '30'; it must be TimeSpan text", refused.Message);
        Assert.Contains("Checkpoints:MaxKeptPerJob is 'ten'; it must be a whole number", refused.Message);
        Assert.Contains("Checkpoints:KeepFor is not a checkpoint setting", refused.Message);
    }

    [Fact]
    public void A_value_out_of_range_in_configuration_is_named()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Checkpoints:MinSaveInterval"] = "-00:00:01",
        }).Build();

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(
            () => new ServiceCollection().AddResilienceCheckpoints(configuration.GetSection("Checkpoints")));

        Assert.Equal(
            "The checkpoint settings are not valid: CheckpointOptions.MinSaveInterval is -00:00:01; it must be zero (save every time) or more (the default is 00:00:30).",
            refused.Message);
    }
}
