namespace Resilience.Tests.Chaos;

/// <summary>
/// What <see cref="ResilienceRegistry.Configure"/> gives generated code through <see cref="LivePolicySettings"/>:
/// retry, timeout and chaos overrides, and the safeguard that keeps chaos off unless it is allowed.
/// </summary>
public sealed class LiveSettingsTests
{
    private readonly ResilienceRegistry _registry = TestSupport.CreateRegistry(out _);

    [Fact]
    public void Nothing_configured_reads_as_null_so_that_generated_code_runs_its_compiled_in_settings()
    {
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");

        Assert.Null(live.Overrides);
        _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { FailureThreshold = 3 } });
        Assert.Null(live.Overrides);
    }

    [Fact]
    public void Retry_and_timeout_overrides_apply_to_settings_obtained_before_and_after_Configure()
    {
        LivePolicySettings before = _registry.GetLivePolicySettings("before");
        _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["before"] = new() { MaxAttempts = 5, DelayMs = 10, MaxDelayMs = 20, Backoff = BackoffKind.Linear, Jitter = false, TimeoutMs = 250 },
            ["after"] = new() { TimeoutMs = 1_000 },
        });

        PolicyOverrides overrides = Assert.IsType<PolicyOverrides>(before.Overrides);
        Assert.Equal(5, overrides.MaxAttempts);
        Assert.Equal(10, overrides.DelayMs);
        Assert.Equal(20, overrides.MaxDelayMs);
        Assert.Equal(BackoffKind.Linear, overrides.Backoff);
        Assert.False(overrides.Jitter);
        Assert.Equal(TimeSpan.FromMilliseconds(250), overrides.Timeout);
        Assert.Null(overrides.Chaos);
        Assert.Equal(TimeSpan.FromSeconds(1), _registry.GetLivePolicySettings("after").Overrides?.Timeout);
        Assert.Contains("after", _registry.PolicyNames);
    }

    [Fact]
    public void A_name_left_out_of_the_next_Configure_goes_back_to_its_compiled_in_settings()
    {
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");
        _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { MaxAttempts = 5 } });

        _registry.Configure(new Dictionary<string, PolicySettings>());

        Assert.Null(live.Overrides);
    }

    [Theory]
    [InlineData(nameof(PolicySettings.MaxAttempts), "payments:MaxAttempts is 0; it must be at least 1.")]
    [InlineData(nameof(PolicySettings.DelayMs), "payments:DelayMs is -1; it must be at least 0.")]
    [InlineData(nameof(PolicySettings.TimeoutMs), "payments:TimeoutMs is 0; it must be at least 1.")]
    public void Retry_and_timeout_values_are_checked_against_the_attributes_ranges(string setting, string expected)
    {
        var settings = new PolicySettings();
        switch (setting)
        {
            case nameof(PolicySettings.MaxAttempts): settings.MaxAttempts = 0; break;
            case nameof(PolicySettings.DelayMs): settings.DelayMs = -1; break;
            default: settings.TimeoutMs = 0; break;
        }

        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = settings }));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Hedging_settings_alone_give_overrides_apart_from_the_retrys_of_the_same_names()
    {
        _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["parallel"] = new() { Hedging = new HedgingSettings { MaxAttempts = 4, DelayMs = 0 } },
            ["on-failure"] = new() { Hedging = new HedgingSettings { DelayMs = Timeout.Infinite } },
            ["latency"] = new() { MaxAttempts = 5, Hedging = new HedgingSettings { DelayMs = 150 } },
            ["empty"] = new() { Hedging = new HedgingSettings() },
        });

        PolicyOverrides parallel = Assert.IsType<PolicyOverrides>(_registry.GetLivePolicySettings("parallel").Overrides);
        Assert.Equal(4, parallel.HedgingMaxAttempts);
        Assert.Equal(TimeSpan.Zero, parallel.HedgingDelay);
        Assert.Null(parallel.MaxAttempts);
        PolicyOverrides onFailure = Assert.IsType<PolicyOverrides>(_registry.GetLivePolicySettings("on-failure").Overrides);
        Assert.Null(onFailure.HedgingMaxAttempts);
        Assert.Equal(Timeout.InfiniteTimeSpan, onFailure.HedgingDelay);
        PolicyOverrides latency = Assert.IsType<PolicyOverrides>(_registry.GetLivePolicySettings("latency").Overrides);
        Assert.Equal(5, latency.MaxAttempts);
        Assert.Null(latency.HedgingMaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(150), latency.HedgingDelay);
        Assert.Null(_registry.GetLivePolicySettings("empty").Overrides);
        Assert.Null(_registry.GetLivePolicySettings("unconfigured").Overrides);
    }

    [Theory]
    [InlineData(1, null, "payments:Hedging:MaxAttempts is 1; it must be between 2 and 10.")]
    [InlineData(11, null, "payments:Hedging:MaxAttempts is 11; it must be between 2 and 10.")]
    [InlineData(null, -2, "payments:Hedging:DelayMs is -2; it must be at least 0, or -1 (Timeout.Infinite) for a new attempt only when one fails.")]
    public void Hedging_values_are_checked_against_the_attributes_ranges(int? maxAttempts, int? delayMs, string expected)
    {
        var settings = new PolicySettings { Hedging = new HedgingSettings { MaxAttempts = maxAttempts, DelayMs = delayMs } };

        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = settings }));

        Assert.Contains(expected, error.Message);
        Assert.Equal([expected], settings.GetProblems("payments"));
    }

    [Theory]
    [InlineData(2, -1)]
    [InlineData(10, 0)]
    public void The_hedging_bounds_are_accepted(int maxAttempts, int delayMs)
        => Assert.Empty(new PolicySettings { Hedging = new HedgingSettings { MaxAttempts = maxAttempts, DelayMs = delayMs } }.GetProblems("payments"));

    [Fact]
    public void A_delay_above_the_maximum_given_with_it_is_a_problem()
    {
        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(
            new Dictionary<string, PolicySettings> { ["payments"] = new() { DelayMs = 500, MaxDelayMs = 100 } }));

        Assert.Contains("payments:DelayMs is 500; it must be at most payments:MaxDelayMs (100).", error.Message);
    }

    [Fact]
    public void Chaos_is_refused_while_it_is_not_allowed_and_nothing_is_applied()
    {
        Assert.False(_registry.AllowChaos);
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");

        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["payments"] = new() { MaxAttempts = 2, Chaos = new ChaosSettings { FaultRate = 0.1 } },
        }));

        Assert.Contains("payments:Chaos is given, but chaos is not allowed in this process", error.Message);
        Assert.Contains("RESILIENCE_ALLOW_CHAOS=true", error.Message);
        Assert.Null(live.Overrides);
    }

    [Fact]
    public void The_refusal_of_chaos_says_what_to_remove_and_every_way_to_allow_it()
    {
        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["payments"] = new() { Chaos = new ChaosSettings { FaultRate = 0.1 } },
        }));

        Assert.Contains(
            "payments:Chaos is given, but chaos is not allowed in this process, so no setting was applied. Remove the Chaos section, " +
            "or allow chaos where it is meant to run: set the environment variable RESILIENCE_ALLOW_CHAOS=true for that deployment, " +
            "or ResilienceRegistry.Default.AllowChaos = true in code (tests).",
            error.Message);
    }

    [Fact]
    public void A_latency_without_a_rate_injects_nothing_and_leaves_the_compiled_in_settings()
    {
        _registry.AllowChaos = true;
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");

        _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { Chaos = new ChaosSettings { LatencyMs = 500 } } });

        Assert.Null(live.Overrides);
    }

    [Fact]
    public void A_latency_rate_without_a_latency_is_a_problem_that_says_how_to_give_one()
    {
        _registry.AllowChaos = true;

        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["payments"] = new() { Chaos = new ChaosSettings { LatencyRate = 0.25 } },
        }));

        Assert.Contains(
            "payments:Chaos:LatencyRate is 0.25, but payments:Chaos:LatencyMs is 0: " +
            "give the latency to inject (in milliseconds, or as TimeSpan text such as \"00:00:00.500\"), or set the rate to 0.",
            error.Message);
    }

    [Fact]
    public void Disallowing_chaos_turns_configured_chaos_off_at_once_and_keeps_the_other_overrides()
    {
        _registry.AllowChaos = true;
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");
        _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["payments"] = new() { MaxAttempts = 2, Chaos = new ChaosSettings { FaultRate = 0.1 } },
        });
        Assert.NotNull(live.Overrides?.Chaos);

        _registry.AllowChaos = false;

        Assert.Null(live.Overrides?.Chaos);
        Assert.Equal(2, live.Overrides?.MaxAttempts);
    }

    [Fact]
    public void Chaos_that_injects_nothing_leaves_the_happy_path_on_its_compiled_in_settings()
    {
        _registry.AllowChaos = true;
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");

        _registry.Configure(new Dictionary<string, PolicySettings>
        {
            ["payments"] = new() { Chaos = new ChaosSettings { FaultRate = 1, Enabled = false } },
        });

        Assert.Null(live.Overrides);
    }

    [Fact]
    public void Chaos_settings_changed_after_Configure_change_nothing()
    {
        _registry.AllowChaos = true;
        var chaos = new ChaosSettings { FaultRate = 1 };
        _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { Chaos = chaos } });
        ChaosInjector injector = _registry.GetLivePolicySettings("payments").Overrides!.Chaos!;

        chaos.FaultRate = 0;

        Assert.Throws<ChaosInjectedException>(() => injector.Inject(_registry.GetTelemetry("payments", "Shop.Client.Pay"), CancellationToken.None));
    }

    [Fact]
    public void Reset_drops_the_overrides_and_puts_back_the_environments_chaos_allowance()
    {
        _registry.AllowChaos = true;
        LivePolicySettings live = _registry.GetLivePolicySettings("payments");
        _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { Chaos = new ChaosSettings { FaultRate = 1 } } });

        _registry.Reset();

        Assert.Null(live.Overrides);
        Assert.Equal(Environment.GetEnvironmentVariable(ResilienceRegistry.AllowChaosEnvironmentVariable) == "true", _registry.AllowChaos);
    }

    [Theory]
    [InlineData(nameof(ChaosSettings.FaultRate), "payments:Chaos:FaultRate is 1.5; it must be 0 (off) or in (0, 1].")]
    [InlineData(nameof(ChaosSettings.LatencyMs), "payments:Chaos:LatencyMs is -1; it must be at least 0.")]
    [InlineData(nameof(ChaosSettings.OutcomeStatusCode), "payments:Chaos:OutcomeStatusCode is 99; it must be between 100 and 599.")]
    public void Chaos_values_are_checked(string setting, string expected)
    {
        _registry.AllowChaos = true;
        var chaos = new ChaosSettings();
        switch (setting)
        {
            case nameof(ChaosSettings.FaultRate): chaos.FaultRate = 1.5; break;
            case nameof(ChaosSettings.LatencyMs): chaos.LatencyMs = -1; break;
            default: chaos.OutcomeStatusCode = 99; break;
        }

        var error = Assert.Throws<ArgumentException>(() => _registry.Configure(new Dictionary<string, PolicySettings> { ["payments"] = new() { Chaos = chaos } }));

        Assert.Contains(expected, error.Message);
    }
}
