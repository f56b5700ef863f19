using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Tests.Idempotency;

public sealed class IdempotencyStateTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly ResilienceRegistry _registry;

    public IdempotencyStateTests() => _registry = new ResilienceRegistry { TimeProvider = _clock };

    [Fact]
    public async Task The_first_call_runs_and_a_repeat_gets_a_copy_of_its_result()
    {
        IdempotencyState state = Create();
        IdempotentCall<List<int>> first = await state.BeginAsync<List<int>>("k", default);
        Assert.False(first.IsAnswered);
        var result = new List<int> { 1, 2 };
        await first.CompleteAsync(result);

        IdempotentCall<List<int>> repeat = await state.BeginAsync<List<int>>("k", default);

        Assert.True(repeat.IsAnswered);
        Assert.Equal(result, repeat.Result);
        Assert.NotSame(result, repeat.Result);
    }

    [Fact]
    public async Task An_abandoned_call_stores_nothing()
    {
        IdempotencyState state = Create();
        (await state.BeginAsync<int>("k", default)).Abandon();

        Assert.False((await state.BeginAsync<int>("k", default)).IsAnswered);
    }

    [Fact]
    public async Task A_call_ends_once()
    {
        IdempotencyState state = Create();
        IdempotentCall<int> call = await state.BeginAsync<int>("k", default);
        await call.CompleteAsync(1);
        call.Abandon();
        Assert.False(call.Fail(new InvalidOperationException(), default));

        Assert.Equal(1, (await state.BeginAsync<int>("k", default)).Result);
    }

    [Fact]
    public async Task A_store_that_cannot_save_leaves_the_result_to_the_caller_and_counts_it_not_stored()
    {
        _registry.UseIdempotencyStore(new FailingSaveStore());
        var seen = new List<IdempotencyEventArgs>();
        using IDisposable listening = _registry.AddListener(new Listener(seen));
        IdempotencyState state = Create();

        await (await state.BeginAsync<int>("k", default)).CompleteAsync(1);

        Assert.Equal(new[] { IdempotencyOutcome.Miss, IdempotencyOutcome.NotStored }, seen.Select(e => e.Outcome));
        Assert.IsType<InvalidOperationException>(seen[1].Exception);
        Assert.Equal("orders.charge", seen[1].PolicyName);
    }

    [Fact]
    public void Settings_are_checked_by_the_shared_rule()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => _registry.GetOrAddIdempotency("x", new IdempotencyOptions { TtlMs = 0 }));
        Assert.Contains("TtlMs", error.Message);
        Assert.Contains("at least 1", error.Message);
    }

    [Fact]
    public void The_time_to_live_defaults_to_24_hours_and_configuration_replaces_it()
    {
        IdempotencyState state = Create();
        Assert.Equal(TimeSpan.FromHours(24), state.TimeToLive);
        Assert.Equal(24 * 60 * 60 * 1000, new IdempotentAttribute().TtlMs);

        _registry.Configure(new Dictionary<string, PolicySettings> { ["orders.charge"] = new() { TtlMs = 1_000 } });
        Assert.Equal(TimeSpan.FromSeconds(1), state.TimeToLive);

        ArgumentException error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings> { ["orders.charge"] = new() { TtlMs = -1 } }));
        Assert.Contains("orders.charge:TtlMs is -1; it must be at least 1", error.Message);
    }

    [Theory]
    [InlineData(null, "null")]
    [InlineData("", "empty")]
    public void A_null_or_empty_key_names_its_parameter(string? key, string what)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => IdempotencyKeys.Require(key, "requestId"));

        Assert.Equal("requestId", error.ParamName);
        Assert.StartsWith($"The idempotency key 'requestId' is {what}; pass the value that identifies the request", error.Message);
    }

    [Fact]
    public void Key_texts_do_not_depend_on_the_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("ar-SA");
            Guid id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

            Assert.Equal("-1234567", IdempotencyKeys.Text(-1_234_567L));
            Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", IdempotencyKeys.Text(id));
            Assert.Equal("order-1", IdempotencyKeys.Text("order-1"));
            Assert.Null(IdempotencyKeys.Text((int?)null));
            Assert.Equal("Friday", IdempotencyKeys.Text(DayOfWeek.Friday));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    private IdempotencyState Create() => _registry.GetOrAddIdempotency("orders.charge", new IdempotencyOptions());

    private sealed class FailingSaveStore : IIdempotencyStore
    {
        public ValueTask<IdempotencyClaim> TryClaimAsync(string policy, string key, CancellationToken cancellationToken) => new(IdempotencyClaim.Claimed);

        public ValueTask SaveAsync(string policy, string key, byte[] result, TimeSpan timeToLive, CancellationToken cancellationToken)
            => throw new InvalidOperationException("the store is read-only");

        public ValueTask ReleaseAsync(string policy, string key, CancellationToken cancellationToken) => default;
    }

    private sealed class Listener(List<IdempotencyEventArgs> seen) : ResilienceListener
    {
        public override void OnIdempotency(IdempotencyEventArgs e) => seen.Add(e);
    }
}
