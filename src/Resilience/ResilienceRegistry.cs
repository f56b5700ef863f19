using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Resilience;

/// <summary>
/// Holds the shared state of every named policy (circuit breakers, bulkheads, rate limits) and the clock
/// they all read. Generated code uses <see cref="Default"/>.
/// </summary>
/// <remarks>
/// <para>
/// State is created on first use, with the settings the first user passes, and lives as long as the
/// process: generated code keeps it in static fields. <see cref="Reset"/> therefore resets every state in
/// place rather than dropping it.
/// </para>
/// <para>
/// In tests, replace <see cref="TimeProvider"/> with a fake one (for example <c>FakeTimeProvider</c>) to
/// drive break durations, retry delays, timeouts and rate-limit windows deterministically, and call
/// <see cref="Reset"/> between tests.
/// </para>
/// </remarks>
public sealed class ResilienceRegistry
{
    private readonly ConcurrentDictionary<string, CircuitBreakerState> _breakers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BulkheadState> _bulkheads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _rateLimiters = new(StringComparer.Ordinal);
    private TimeProvider _timeProvider = TimeProvider.System;

    internal ResilienceRegistry()
    {
    }

    /// <summary>The registry that generated code uses.</summary>
    public static ResilienceRegistry Default { get; } = new();

    /// <summary>
    /// The clock every policy reads: break durations, retry delays, timeouts, bulkhead waits and rate-limit
    /// windows. Default <see cref="TimeProvider.System"/>. Replace it in tests, right after <see cref="Reset"/>
    /// (which puts the system clock back and clears every time read from the previous clock).
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => Volatile.Read(ref _timeProvider);
        set => Volatile.Write(ref _timeProvider, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Every circuit breaker created so far, ordered by name.</summary>
    public IReadOnlyList<CircuitBreakerState> CircuitBreakers => _breakers.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Every bulkhead created so far, ordered by name.</summary>
    public IReadOnlyList<BulkheadState> Bulkheads => _bulkheads.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Every rate limit without a <see cref="RateLimitKeyAttribute"/> created so far, ordered by name.</summary>
    public IReadOnlyList<RateLimiterState> RateLimiters => _rateLimiters.Values.OfType<RateLimiterState>().OrderBy(l => l.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The circuit breaker of this name.</summary>
    /// <param name="name">The breaker's name: the attribute's <c>Name</c>, or <c>Namespace.Type.Method</c>.</param>
    /// <exception cref="KeyNotFoundException">
    /// No breaker has this name. Breakers are registered when the assembly that declares them is loaded, or, in a
    /// library built for .NET Standard, when the class whose method uses them is first used;
    /// <see cref="TryGetCircuitBreaker"/> does not throw.
    /// </exception>
    public CircuitBreakerState CircuitBreaker(string name)
    {
        if (TryGetCircuitBreaker(name, out CircuitBreakerState? breaker))
        {
            return breaker;
        }

        string known = _breakers.IsEmpty ? "none yet" : string.Join(", ", _breakers.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => "'" + k + "'"));
        throw new KeyNotFoundException(
            $"No circuit breaker is named '{name}'. Breakers are registered when the assembly that declares them is loaded " +
            "(in a library built for .NET Standard, when the class whose method uses them is first used); " +
            $"the names known so far are: {known}.");
    }

    /// <summary>Looks up the circuit breaker of this name.</summary>
    /// <param name="name">The breaker's name.</param>
    /// <param name="breaker">The breaker, when found.</param>
    /// <returns>True when a breaker of this name exists.</returns>
    public bool TryGetCircuitBreaker(string name, [NotNullWhen(true)] out CircuitBreakerState? breaker)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        return _breakers.TryGetValue(name, out breaker);
    }

    /// <summary>
    /// The circuit breaker of this name, created with <paramref name="options"/> if it does not exist yet.
    /// An existing breaker keeps the settings it was created with.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CircuitBreakerState GetOrAddCircuitBreaker(string name, CircuitBreakerOptions options)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (_breakers.TryGetValue(name, out CircuitBreakerState? existing))
        {
            return existing;
        }

        var created = new CircuitBreakerState(this, name, options);
        return _breakers.GetOrAdd(name, created);
    }

    /// <summary>
    /// The bulkhead of this name, created with <paramref name="options"/> if it does not exist yet.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public BulkheadState GetOrAddBulkhead(string name, BulkheadOptions options)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (_bulkheads.TryGetValue(name, out BulkheadState? existing))
        {
            return existing;
        }

        var created = new BulkheadState(this, name, options);
        return _bulkheads.GetOrAdd(name, created);
    }

    /// <summary>
    /// The rate limit of this name, created with <paramref name="options"/> if it does not exist yet.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The name is already used by a rate limit kept per key.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public RateLimiterState GetOrAddRateLimiter(string name, RateLimitOptions options)
        => GetOrAddRateLimiterOfKind<RateLimiterState>(name, options, static (registry, n, o) => new RateLimiterState(registry, n, o));

    /// <summary>
    /// The rate limit of this name kept per value of a <see cref="RateLimitKeyAttribute"/> parameter, created
    /// with <paramref name="options"/> if it does not exist yet.
    /// </summary>
    /// <typeparam name="TKey">The key parameter's type.</typeparam>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The name is already used by a rate limit without a key, or with a key of another type.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public KeyedRateLimiterState<TKey> GetOrAddKeyedRateLimiter<TKey>(string name, RateLimitOptions options)
        => GetOrAddRateLimiterOfKind<KeyedRateLimiterState<TKey>>(name, options, static (registry, n, o) => new KeyedRateLimiterState<TKey>(registry, n, o));

    /// <summary>
    /// Resets every policy in place, and restores <see cref="TimeProvider.System"/>: breakers close and
    /// forget their counts, rate limits refill. Meant for tests, between them; calls in flight keep the
    /// bulkhead slots they hold.
    /// </summary>
    public void Reset()
    {
        TimeProvider = TimeProvider.System;
        foreach (CircuitBreakerState breaker in _breakers.Values)
        {
            breaker.ResetAll();
        }

        foreach (BulkheadState bulkhead in _bulkheads.Values)
        {
            bulkhead.ResetCounters();
        }

        foreach (object limiter in _rateLimiters.Values)
        {
            ((IResettable)limiter).Reset();
        }
    }

    /// <summary>Waits <paramref name="delay"/> on <see cref="TimeProvider"/>'s clock; zero or less completes at once.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the wait.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        => Clock.DelayAsync(TimeProvider, delay, cancellationToken);

    /// <summary>Blocks the thread for <paramref name="delay"/> on <see cref="TimeProvider"/>'s clock, for synchronous methods.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the wait.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (delay > TimeSpan.Zero)
        {
            Clock.DelayAsync(TimeProvider, delay, cancellationToken).GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Starts a timeout on <see cref="TimeProvider"/>'s clock whose token is also cancelled with
    /// <paramref name="cancellationToken"/>. Return it with <see cref="TimeoutCancellationSource.Return"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeoutCancellationSource StartTimeout(TimeSpan timeout, CancellationToken cancellationToken)
        => TimeoutCancellationSource.Rent(timeout, cancellationToken, TimeProvider);

    private T GetOrAddRateLimiterOfKind<T>(string name, RateLimitOptions options, Func<ResilienceRegistry, string, RateLimitOptions, T> create)
        where T : class
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (!_rateLimiters.TryGetValue(name, out object? existing))
        {
            existing = _rateLimiters.GetOrAdd(name, create(this, name, options));
        }

        return existing as T ?? throw new InvalidOperationException(
            $"The rate limit '{name}' is already used {Describe(existing.GetType())}, so it cannot also be used {Describe(typeof(T))}. " +
            "Give the two rate limits different names.");

        static string Describe(Type type) => type.IsGenericType
            ? $"with a [RateLimitKey] of type {type.GetGenericArguments()[0].Name}"
            : "without a [RateLimitKey]";
    }
}
