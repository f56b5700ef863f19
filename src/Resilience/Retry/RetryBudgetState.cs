using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;

namespace Resilience;

/// <summary>
/// The shared retry budget of one name (<see cref="RetryAttribute.MaxRetryRatio"/>): the calls of the methods that
/// share it and the retries they made over the last ten seconds, and whether one more retry fits.
/// </summary>
/// <remarks>
/// <para>
/// A retry fits while the retries of the window stay within <see cref="RetryRules.BudgetMinRetriesPerSecond"/> a
/// second (a floor, so that a quiet service can still retry) plus <see cref="RetryBudgetOptions.MaxRetryRatio"/> of the
/// calls, as Finagle's <c>RetryBudget</c> and gRPC's retry throttling bound retries: when a dependency fails for
/// everyone, its callers add that share of load at most instead of multiplying it by their attempts.
/// </para>
/// <para>
/// Thread-safe. Counting a call is one clock read and one interlocked increment on the current second's bucket, and
/// allocates nothing; the window is read only when a retry is asked for. Two retries asked for at once may both fit
/// where only one was left: the bound holds to within the callers racing for its last retry.
/// </para>
/// <para>Obtain it from <see cref="ResilienceRegistry.RetryBudgets"/>; generated code keeps it in a static field.</para>
/// </remarks>
public sealed class RetryBudgetState
{
    private readonly ResilienceRegistry _registry;
    private readonly RetryBudgetOptions _defaults;

    // Calls are the window's successes, retries its failures: one bucket a second, over the budget's window.
    private readonly FailureWindow _window = new(TimeSpan.FromSeconds(RetryRules.BudgetWindowSeconds).Ticks);
    private readonly KeyValuePair<string, object?> _policyTag;
    private RetryBudgetOptions _options;
    private long _refusedRetries;

    internal RetryBudgetState(ResilienceRegistry registry, string name, RetryBudgetOptions options, PolicySettings? settings)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        _registry = registry;
        Name = name;
        _policyTag = ResilienceMetrics.Policy(name);
        _defaults = (options ?? throw new ArgumentNullException(nameof(options))).ValidatedCopy();
        _options = EffectiveOptions(settings);
    }

    /// <summary>The budget's name: the policy name of the methods that share it (their breaker's, bulkhead's or rate limit's, else <c>Namespace.Type.Method</c>).</summary>
    public string Name { get; }

    /// <summary>The settings the attribute gave, before configuration.</summary>
    internal RetryBudgetOptions AttributeOptions => _defaults;

    /// <summary>The settings in force (a copy; changing it has no effect).</summary>
    public RetryBudgetOptions Options => Volatile.Read(ref _options).Copy();

    /// <summary>Retries the budget refused since it was created or the registry last reset.</summary>
    public long RefusedRetries => Volatile.Read(ref _refusedRetries);

    /// <summary>The calls and the retries counted over the last ten seconds (the window moves a second at a time).</summary>
    public (int Calls, int Retries) GetRecentCounts()
    {
        (int total, int retries) = _window.Sum(NowTicks);
        return (total - retries, retries);
    }

    private long NowTicks => Clock.NowTicks(_registry.TimeProvider);

    /// <summary>Counts a call of a method that shares the budget; generated code calls it once a call, before its first attempt.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void RecordCall()
    {
        if (InScope() is { } scoped)
        {
            scoped.RecordCall();
            return;
        }

        _window.Record(NowTicks, failure: false);
    }

    /// <summary>
    /// Asks for one retry: true, and counted, when it fits the budget (or the budget is off); false, counted on the meter
    /// and in <see cref="RefusedRetries"/>, when it does not, and the caller gets the last outcome instead.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool TryRetry()
    {
        if (InScope() is { } scoped)
        {
            return scoped.TryRetry();
        }

        double ratio = Volatile.Read(ref _options).MaxRetryRatio;
        if (!RetryRules.MaxRetryRatio.IsOn(ratio))
        {
            return true;
        }

        long now = NowTicks;
        (int total, int retries) = _window.Sum(now);
        double allowed = (RetryRules.BudgetMinRetriesPerSecond * RetryRules.BudgetWindowSeconds) + (ratio * (total - retries));
        if (retries + 1 > allowed)
        {
            Interlocked.Increment(ref _refusedRetries);
            if (ResilienceMetrics.RetryBudgetRefusals.Enabled)
            {
                ResilienceMetrics.RetryBudgetRefusals.Add(1, _policyTag);
            }

            return false;
        }

        _window.Record(now, failure: true);
        return true;
    }

    /// <summary>Lays <paramref name="settings"/> over the attribute's settings; see <see cref="ResilienceRegistry.Configure"/>.</summary>
    internal void Apply(PolicySettings? settings) => Volatile.Write(ref _options, EffectiveOptions(settings));

    /// <summary>Forgets the calls, retries and refusals counted; the registry's <see cref="ResilienceRegistry.Reset"/> calls it.</summary>
    internal void Reset()
    {
        _window.Clear();
        Volatile.Write(ref _refusedRetries, 0);
    }

    /// <summary>
    /// The budget of the same name in the <see cref="ResilienceScope"/> this call runs in, when this is a budget of
    /// <see cref="ResilienceRegistry.Default"/>; null otherwise, and at the cost of one static read until a scope is first begun.
    /// </summary>
    private RetryBudgetState? InScope() => ResilienceScope.AnyBegun ? InScopeSlow() : null;

    private RetryBudgetState? InScopeSlow()
        => ResilienceScope.RegistryInsteadOf(_registry) is { } scoped ? scoped.GetOrAddRetryBudget(Name, _defaults) : null;

    private RetryBudgetOptions EffectiveOptions(PolicySettings? settings)
        => settings is { HasRetryBudgetSettings: true } ? settings.ApplyTo(_defaults).ValidatedCopy() : _defaults;
}
