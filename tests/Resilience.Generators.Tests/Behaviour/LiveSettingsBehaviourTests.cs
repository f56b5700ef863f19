namespace Resilience.Generators.Tests.Behaviour;

public partial class LiveSettingsSubject
{
    public const string Name = "live.retried";
    public const string SyncName = "live.retried-sync";

    public CoreScript Script { get; } = new();

    [Retry(2, DelayMs = 0, Backoff = BackoffKind.Constant, Jitter = false)]
    [Timeout(1_000)]
    [Bulkhead(10, Name = Name)]
    public partial Task<int> GetAsync(CancellationToken cancellationToken);

    private Task<int> GetAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    [Retry(2, DelayMs = 0, Backoff = BackoffKind.Constant, Jitter = false)]
    [Bulkhead(10, Name = SyncName)]
    public partial int Get(CancellationToken cancellationToken);

    private int GetCore(CancellationToken cancellationToken) => Script.Run(cancellationToken);

    /// <summary>Its policy name is its own, as <see cref="TotalAsync"/>'s: a delay doubling from a second, without jitter, as compiled in.</summary>
    [Retry(5, DelayMs = 1_000, Backoff = BackoffKind.Exponential, Jitter = false)]
    public partial Task<int> BackOffAsync(CancellationToken cancellationToken);

    private Task<int> BackOffAsyncCore(CancellationToken cancellationToken) => Script.RunAsync(cancellationToken);

    /// <summary>Its policy name is its own, Namespace.Type.Method: it has no breaker, bulkhead or rate limit.</summary>
    [Timeout(1_000, Scope = TimeoutScope.Total)]
    public partial ValueTask<int> TotalAsync(CancellationToken cancellationToken);

    private ValueTask<int> TotalAsyncCore(CancellationToken cancellationToken) => new(Script.RunAsync(cancellationToken));
}

/// <summary>Retry and timeout settings of generated methods, replaced by configuration while the methods run.</summary>
[Collection(RegistryCollection.Name)]
public sealed class LiveSettingsBehaviourTests : RegistryTest
{
    private readonly LiveSettingsSubject _subject = new();

    [Fact]
    public async Task Configured_attempts_replace_the_attributes_and_removing_them_restores_it()
    {
        _subject.Script.Async = static (_, _) => throw new IOException("down");
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);

        Configure(LiveSettingsSubject.Name, new PolicySettings { MaxAttempts = 5 });
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(2 + 5, _subject.Script.Calls);

        Registry.Configure(new Dictionary<string, PolicySettings>());
        await Assert.ThrowsAsync<IOException>(() => _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(2 + 5 + 2, _subject.Script.Calls);
    }

    [Fact]
    public void Configured_attempts_apply_to_a_synchronous_method()
    {
        _subject.Script.Sync = static (_, _) => throw new IOException("down");
        Configure(LiveSettingsSubject.SyncName, new PolicySettings { MaxAttempts = 4 });

        Assert.Throws<IOException>(() => _subject.Get(CancellationToken.None));

        Assert.Equal(4, _subject.Script.Calls);
    }

    [Fact]
    public async Task A_configured_delay_and_backoff_replace_the_attributes()
    {
        _subject.Script.Async = static (call, _) => call < 3 ? throw new IOException("down") : Task.FromResult(call);
        Configure(LiveSettingsSubject.Name, new PolicySettings { MaxAttempts = 3, DelayMs = 100, Backoff = BackoffKind.Linear });
        // Linear: 100 ms before the second attempt, 200 ms before the third (no jitter, as compiled in). The delays are
        // waited for by their length: the per-attempt timeout creates a timer too, or not when its pool has one.
        Task<int> call = _subject.GetAsync(CancellationToken.None);
        WaitForDelay(Ms(100));
        Clock.Advance(Ms(99));
        Assert.Equal(1, _subject.Script.Calls);
        Clock.Advance(Ms(1));
        WaitUntil(() => _subject.Script.Calls == 2, "the second attempt ran");
        WaitForDelay(Ms(200));
        Clock.Advance(Ms(199));
        Assert.Equal(2, _subject.Script.Calls);
        Clock.Advance(Ms(1));

        Assert.Equal(3, await call.WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_configured_cap_below_the_backoff_and_jitter_shape_every_delay_waited()
    {
        _subject.Script.Async = static (call, _) => call < 5 ? throw new IOException("down") : Task.FromResult(call);
        Configure("Resilience.Generators.Tests.Behaviour.LiveSettingsSubject.BackOffAsync", new PolicySettings { MaxDelayMs = 300, Jitter = true });

        // Compiled in, the retries would wait 1, 2, 4 and 8 s. The configured cap makes each base 300 ms, and the
        // configured jitter draws each delay from [150, 300] ms (rounded up to a whole millisecond).
        Task<int> call = _subject.BackOffAsync(CancellationToken.None);
        var waited = new List<TimeSpan>();
        for (int retry = 1; retry <= 4; retry++)
        {
            WaitUntil(() => Clock.DueTimes.Length == retry, $"the delay before retry {retry} started");
            TimeSpan delay = Clock.DueTimes[retry - 1];
            Assert.InRange(delay, Ms(150), Ms(300));
            Clock.Advance(delay - Ms(1));
            Assert.Equal(retry, _subject.Script.Calls);
            Clock.Advance(Ms(1));
            WaitUntil(() => _subject.Script.Calls == retry + 1, $"retry {retry} ran");
            waited.Add(delay);
        }

        Assert.Equal(5, await call.WaitAsync(HangGuard));

        // Without jitter each delay would be the cap: a drawn one is below it (one in 150 rounds up to it, not four in a row).
        Assert.Contains(waited, d => d < Ms(300));
    }

    [Fact]
    public async Task A_configured_per_attempt_timeout_replaces_the_attributes()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        Configure(LiveSettingsSubject.Name, new PolicySettings { TimeoutMs = 50, MaxAttempts = 1 });

        Task<int> call = _subject.GetAsync(CancellationToken.None);
        Clock.Advance(Ms(49));
        Assert.False(call.IsCompleted);
        Clock.Advance(Ms(1));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.WaitAsync(HangGuard));
        Assert.Equal(Ms(50), timeout.Timeout);
        Assert.Equal(TimeoutScope.PerAttempt, timeout.Scope);
    }

    [Fact]
    public async Task A_configured_total_timeout_under_the_methods_own_name_replaces_the_attributes()
    {
        _subject.Script.Async = static (_, token) => CoreScript.UntilCancelled(token);
        Configure("Resilience.Generators.Tests.Behaviour.LiveSettingsSubject.TotalAsync", new PolicySettings { TimeoutMs = 20 });

        ValueTask<int> call = _subject.TotalAsync(CancellationToken.None);
        Clock.Advance(Ms(20));

        TimeoutRejectedException timeout = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.AsTask().WaitAsync(HangGuard));
        Assert.Equal(Ms(20), timeout.Timeout);
        Assert.Equal(TimeoutScope.Total, timeout.Scope);
    }

    [Fact]
    public async Task With_overrides_the_happy_path_runs_through_the_helper_and_returns_the_cores_result()
    {
        Configure(LiveSettingsSubject.Name, new PolicySettings { TimeoutMs = 5_000 });

        Assert.Equal(1, await _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(2, await _subject.GetAsync(CancellationToken.None).WaitAsync(HangGuard));
        Assert.Equal(2, _subject.Script.Calls);
    }

    private static void Configure(string name, PolicySettings settings)
        => Registry.Configure(new Dictionary<string, PolicySettings> { [name] = settings });
}
