using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Text.Json;
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
/// <see cref="Reset"/> between tests; or give each test a registry of its own with <see cref="ResilienceScope"/>,
/// so that tests can run in parallel.
/// </para>
/// </remarks>
public sealed class ResilienceRegistry
{
    // Between the policy name and the method name of a telemetry key. A method's name never contains it, so two
    // pairs of names never make the same key.
    private const string TelemetryKeySeparator = "\n";

    // Puts each of Configure's problems on a line of its own, indented under the first line of the message.
    private static readonly string ProblemSeparator = Environment.NewLine + "  ";

    private readonly ConcurrentDictionary<string, CircuitBreakerState> _breakers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KeyedCircuitBreakerState> _keyedBreakers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BulkheadState> _bulkheads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IRegisteredRateLimit> _rateLimiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RetryBudgetState> _retryBudgets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MethodTelemetry> _telemetry = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LivePolicySettings> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, Type Key, Type Result), CachedFallbackState> _cachedFallbacks = new();
    private readonly ConcurrentDictionary<string, IdempotencyState> _idempotency = new(StringComparer.Ordinal);

    // Creating a state and replacing the settings take this lock, so that a state is never created with a
    // table that Configure has already moved on from.
    private readonly object _settingsGate = new();
    private Dictionary<string, PolicySettings> _settings = new(StringComparer.Ordinal);
    private ResilienceListener[] _listeners = Array.Empty<ResilienceListener>();
    private TimeProvider _timeProvider = TimeProvider.System;
    private JsonSerializerOptions _jsonSerializerOptions = DefaultJsonSerializerOptions();
    private IDistributedResilienceStore? _distributedStore;
    private ICachedFallbackStore? _cachedFallbackStore;
    private IIdempotencyStore? _idempotencyStore;
    private bool _allowChaos = ChaosAllowedByEnvironment();

    // The distributed policies that decided on their local state while no store was registered, each told once to the
    // listeners there then, and to each listener added later.
    private readonly ConcurrentDictionary<string, PolicyKind> _decidedLocally = new(StringComparer.Ordinal);

    internal ResilienceRegistry()
    {
        ResilienceMetrics.EnsureCreated();
    }

    /// <summary>The registry that generated code uses.</summary>
    /// <remarks>Inside a <see cref="ResilienceScope"/>, its policies keep their state in the scope's registry instead.</remarks>
    public static ResilienceRegistry Default { get; } = new();

    /// <summary>
    /// The registry generated code's policies use here: the <see cref="ResilienceScope.Registry"/> of the innermost
    /// <see cref="ResilienceScope"/> this code runs in, or <see cref="Default"/> outside any.
    /// </summary>
    public static ResilienceRegistry Current => ResilienceScope.Current?.Registry ?? Default;

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

    /// <summary>
    /// How results that outlive a call (idempotency keys, cached fallback, checkpoints) are written to a shared store and
    /// read back, with System.Text.Json (see <see cref="ResultSerializer"/>). Default
    /// <see cref="JsonSerializerOptions.Default"/>, which reflects over the types; for trimmed or native AOT applications,
    /// or to keep the contracts explicit, give options whose <see cref="JsonSerializerOptions.TypeInfoResolver"/> is a
    /// source-generated <c>JsonSerializerContext</c> that lists the result types. <see cref="Reset"/> puts back the default.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public JsonSerializerOptions JsonSerializerOptions
    {
        get => Volatile.Read(ref _jsonSerializerOptions);
        set => Volatile.Write(ref _jsonSerializerOptions, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>
    /// System.Text.Json's default options. They reflect over the types only where the application leaves reflection-based
    /// serialization on; a trimmed or native AOT application has it off, and a result type then fails at first use with a
    /// <see cref="ResultSerializationException"/> that says to set <see cref="JsonSerializerOptions"/> to a
    /// source-generated context.
    /// </summary>
#if NET8_0_OR_GREATER
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection is used only where the application enables it; otherwise the options' resolver refuses the type with a clear exception.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reflection is used only where the application enables it; otherwise the options' resolver refuses the type with a clear exception.")]
#endif
    private static JsonSerializerOptions DefaultJsonSerializerOptions() => JsonSerializerOptions.Default;

    /// <summary>
    /// The environment variable that, set to <c>true</c>, makes <see cref="AllowChaos"/> start out true: chaos is
    /// allowed by whoever deploys the process, never by configuration alone. <c>true</c> is read in any case, with
    /// spaces around it ignored; any other value (<c>1</c>, <c>yes</c>, <c>on</c> included), or none, leaves chaos refused.
    /// </summary>
    public const string AllowChaosEnvironmentVariable = ChaosRules.AllowEnvironmentVariable;

    /// <summary>
    /// Whether <see cref="PolicySettings.Chaos"/> is honoured. False unless the environment variable
    /// <see cref="AllowChaosEnvironmentVariable"/> is <c>true</c> or code sets it: while false,
    /// <see cref="Configure"/> refuses settings that hold chaos, so that chaos left in a configuration file can never
    /// run by accident. Setting it false turns off at once any chaos configured before; setting it true does not
    /// turn chaos on by itself (configuration must still give it). <see cref="Reset"/> puts back the environment's value.
    /// </summary>
    public bool AllowChaos
    {
        get => Volatile.Read(ref _allowChaos);
        set
        {
            lock (_settingsGate)
            {
                Volatile.Write(ref _allowChaos, value);
                ApplyLiveSettingsLocked();
            }
        }
    }

    /// <summary>
    /// Where policies marked <c>Distributed</c> share their state; null when none is registered, and they run on their
    /// local state. Set with <see cref="UseDistributedStore"/> (the Redis package's <c>UseRedis</c> does).
    /// </summary>
    public IDistributedResilienceStore? DistributedStore => Volatile.Read(ref _distributedStore);

    /// <summary>
    /// The names of the policies marked <c>Distributed</c> that decide on their local state now: every one of them while
    /// no <see cref="DistributedStore"/> is registered, none otherwise (a store that cannot be reached reports itself
    /// through <see cref="IDistributedResilienceStore.IsAvailable"/>). Ordered.
    /// </summary>
    public IReadOnlyList<string> DistributedPoliciesRunningLocally
        => DistributedStore is not null
            ? Array.Empty<string>()
            : AllBreakerStates().Where(b => b.IsDistributed).Select(b => b.Name)
                .Concat(_rateLimiters.Values.Where(l => l.IsDistributed).Select(l => l.Name))
                .Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Registers where policies marked <c>Distributed</c> share their state, or, with null, makes them run on their local
    /// state again. Breakers already created start following the store at once.
    /// </summary>
    /// <param name="store">The store; null to stop sharing.</param>
    public void UseDistributedStore(IDistributedResilienceStore? store)
    {
        lock (_settingsGate)
        {
            Volatile.Write(ref _distributedStore, store);
            _decidedLocally.Clear();
            foreach (CircuitBreakerState breaker in AllBreakerStates())
            {
                breaker.UpdateDistribution();
            }
        }
    }

    /// <summary>
    /// Where cached fallbacks share their last good results with the other instances of the service; null when none is
    /// registered, and each instance answers from its own memory. Set with <see cref="UseCachedFallbackStore"/> (the Redis
    /// package's <c>UseRedis</c> does).
    /// </summary>
    public ICachedFallbackStore? CachedFallbackStore => Volatile.Read(ref _cachedFallbackStore);

    /// <summary>
    /// Registers where cached fallbacks share their results, or, with null, makes them keep results in this instance's
    /// memory only again (which they always do as well).
    /// </summary>
    /// <param name="store">The store; null to stop sharing.</param>
    public void UseCachedFallbackStore(ICachedFallbackStore? store) => Volatile.Write(ref _cachedFallbackStore, store);

    /// <summary>Every cached fallback created so far (one per method with <see cref="CachedFallbackAttribute"/> that was called), ordered by name.</summary>
    public IReadOnlyList<CachedFallbackState> CachedFallbacks => _cachedFallbacks.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The cache of the method <paramref name="name"/> for its key and result types, created with <paramref name="options"/>
    /// if it does not exist yet; its settings are read under <paramref name="policyName"/>.
    /// </summary>
    /// <typeparam name="TKey">The method's arguments as a value tuple.</typeparam>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="name">The method, as <c>Namespace.Type.Method</c>.</param>
    /// <param name="policyName">The name its calls are counted and configured under.</param>
    /// <param name="options">The attribute's settings.</param>
    /// <param name="keyText">The arguments as text, for a shared store (see <see cref="CachedFallbackKey"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CachedFallbackState<TKey, TResult> GetOrAddCachedFallback<TKey, TResult>(string name, string policyName, CachedFallbackOptions options, Func<TKey, string> keyText)
        where TKey : notnull
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        (string, Type, Type) id = (name, typeof(TKey), typeof(TResult));
        if (_cachedFallbacks.TryGetValue(id, out CachedFallbackState? existing))
        {
            return (CachedFallbackState<TKey, TResult>)existing;
        }

        lock (_settingsGate)
        {
            return (CachedFallbackState<TKey, TResult>)_cachedFallbacks.GetOrAdd(
                id, new CachedFallbackState<TKey, TResult>(this, name, policyName, options, keyText, SettingsForLocked(policyName)));
        }
    }

    /// <summary>
    /// Where the results of idempotency keys are kept (<see cref="IdempotencyKeyAttribute"/>): by default an
    /// <see cref="InMemoryIdempotencyStore"/> on this registry's clock; the Redis package's <c>UseRedis</c> puts a Redis
    /// store here, so that a repeat that lands on another instance is answered too. Read once a call. Set with
    /// <see cref="UseIdempotencyStore"/>.
    /// </summary>
    public IIdempotencyStore IdempotencyStore
    {
        get
        {
            IIdempotencyStore? store = Volatile.Read(ref _idempotencyStore);
            if (store is null)
            {
                Interlocked.CompareExchange(ref _idempotencyStore, new InMemoryIdempotencyStore(this), null);
                store = Volatile.Read(ref _idempotencyStore)!;
            }

            return store;
        }
    }

    /// <summary>
    /// Registers where the results of idempotency keys are kept, or, with null, goes back to a new
    /// <see cref="InMemoryIdempotencyStore"/> on this registry's clock (the results kept by the store replaced are not
    /// carried over).
    /// </summary>
    /// <param name="store">The store; null for the default in-memory one.</param>
    public void UseIdempotencyStore(IIdempotencyStore? store) => Volatile.Write(ref _idempotencyStore, store);

    /// <summary>Every method's idempotency keys created so far, ordered by name.</summary>
    public IReadOnlyList<IdempotencyState> IdempotencyStates => _idempotency.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The idempotency keys of the method of this policy name, created with <paramref name="options"/> if they do not
    /// exist yet.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IdempotencyState GetOrAddIdempotency(string name, IdempotencyOptions options)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (_idempotency.TryGetValue(name, out IdempotencyState? existing))
        {
            return existing;
        }

        lock (_settingsGate)
        {
            return _idempotency.GetOrAdd(name, new IdempotencyState(this, name, options, SettingsForLocked(name)));
        }
    }

    /// <summary>Every circuit breaker created so far, ordered by name.</summary>
    public IReadOnlyList<CircuitBreakerState> CircuitBreakers => _breakers.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Every circuit breaker kept per <see cref="CircuitBreakerKeyAttribute"/> created so far, ordered by name.</summary>
    public IReadOnlyList<KeyedCircuitBreakerState> KeyedCircuitBreakers => _keyedBreakers.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The name of every policy created so far, ordered: circuit breakers (kept per key or not), bulkheads, rate
    /// limits (kept per key or not), retry budgets, and the policy names of the generated methods used so far (whose
    /// retry, timeout and chaos settings live under them), and the methods with idempotency keys (their own
    /// <c>Namespace.Type.Method</c>, under which their <c>TtlMs</c> lives). These are the names <see cref="Configure"/> gives settings to.
    /// </summary>
    public IReadOnlyList<string> PolicyNames
        => _breakers.Keys.Concat(_keyedBreakers.Keys).Concat(_bulkheads.Keys).Concat(_rateLimiters.Keys).Concat(_retryBudgets.Keys).Concat(_live.Keys).Concat(_idempotency.Keys)
            .Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>Every bulkhead created so far, ordered by name.</summary>
    public IReadOnlyList<BulkheadState> Bulkheads => _bulkheads.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Every retry budget (<see cref="RetryAttribute.MaxRetryRatio"/>) created so far, ordered by name.</summary>
    public IReadOnlyList<RetryBudgetState> RetryBudgets => _retryBudgets.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Every rate limit without a <see cref="RateLimitKeyAttribute"/> created so far, ordered by name.</summary>
    public IReadOnlyList<RateLimiterState> RateLimiters => _rateLimiters.Values.OfType<RateLimiterState>().OrderBy(l => l.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Every rate limit kept per <see cref="RateLimitKeyAttribute"/> created so far, ordered by name.</summary>
    public IReadOnlyList<KeyedRateLimiterState> KeyedRateLimiters => _rateLimiters.Values.OfType<KeyedRateLimiterState>().OrderBy(l => l.Name, StringComparer.Ordinal).ToArray();

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

        if (_keyedBreakers.ContainsKey(name))
        {
            throw new KeyNotFoundException(
                $"The circuit breaker '{name}' is kept per [CircuitBreakerKey]: read it with KeyedCircuitBreaker(\"{name}\"), " +
                "whose partitions are one breaker per key.");
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

    /// <summary>The circuit breaker of this name kept per value of a <see cref="CircuitBreakerKeyAttribute"/> parameter.</summary>
    /// <param name="name">The breaker's name: the attribute's <c>Name</c>, or <c>Namespace.Type.Method</c>.</param>
    /// <exception cref="KeyNotFoundException">
    /// No breaker kept per key has this name. It is created by the first call of a method that uses it;
    /// <see cref="TryGetKeyedCircuitBreaker"/> does not throw.
    /// </exception>
    public KeyedCircuitBreakerState KeyedCircuitBreaker(string name)
    {
        if (TryGetKeyedCircuitBreaker(name, out KeyedCircuitBreakerState? breaker))
        {
            return breaker;
        }

        string hint = _breakers.ContainsKey(name)
            ? $"'{name}' is a circuit breaker without a [CircuitBreakerKey]: read it with CircuitBreaker(\"{name}\")."
            : "A breaker kept per key is created by the first call of a method that uses it; the names known so far are: "
                + (_keyedBreakers.IsEmpty ? "none yet" : string.Join(", ", _keyedBreakers.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => "'" + k + "'"))) + ".";
        throw new KeyNotFoundException($"No circuit breaker kept per [CircuitBreakerKey] is named '{name}'. {hint}");
    }

    /// <summary>Looks up the circuit breaker of this name kept per value of a <see cref="CircuitBreakerKeyAttribute"/> parameter.</summary>
    /// <param name="name">The breaker's name.</param>
    /// <param name="breaker">The breaker, when found.</param>
    /// <returns>True when a breaker kept per key has this name.</returns>
    public bool TryGetKeyedCircuitBreaker(string name, [NotNullWhen(true)] out KeyedCircuitBreakerState? breaker)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        return _keyedBreakers.TryGetValue(name, out breaker);
    }

    /// <summary>
    /// The circuit breaker of this name, created with <paramref name="options"/> if it does not exist yet.
    /// An existing breaker keeps the settings it was created with.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The name is already used by a breaker kept per key.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CircuitBreakerState GetOrAddCircuitBreaker(string name, CircuitBreakerOptions options)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (_breakers.TryGetValue(name, out CircuitBreakerState? existing))
        {
            return existing;
        }

        lock (_settingsGate)
        {
            if (_keyedBreakers.TryGetValue(name, out KeyedCircuitBreakerState? keyed))
            {
                throw BreakerKindConflict(name, keyed, typeof(CircuitBreakerState));
            }

            CircuitBreakerState breaker = _breakers.GetOrAdd(name, new CircuitBreakerState(this, name, options, SettingsForLocked(name)));
            breaker.UpdateDistribution();
            return breaker;
        }
    }

    /// <summary>
    /// The circuit breaker of this name kept per value of a <see cref="CircuitBreakerKeyAttribute"/> parameter,
    /// created with <paramref name="options"/> if it does not exist yet.
    /// </summary>
    /// <typeparam name="TKey">The key parameter's type.</typeparam>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The name is already used by a breaker without a key, or with a key of another type.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public KeyedCircuitBreakerState<TKey> GetOrAddKeyedCircuitBreaker<TKey>(string name, CircuitBreakerOptions options)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (!_keyedBreakers.TryGetValue(name, out KeyedCircuitBreakerState? existing))
        {
            lock (_settingsGate)
            {
                if (_breakers.TryGetValue(name, out CircuitBreakerState? plain))
                {
                    throw BreakerKindConflict(name, plain, typeof(KeyedCircuitBreakerState<TKey>));
                }

                existing = _keyedBreakers.GetOrAdd(name, new KeyedCircuitBreakerState<TKey>(this, name, options, SettingsForLocked(name)));
            }
        }

        return existing as KeyedCircuitBreakerState<TKey> ?? throw BreakerKindConflict(name, existing, typeof(KeyedCircuitBreakerState<TKey>));
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

        lock (_settingsGate)
        {
            return _bulkheads.GetOrAdd(name, new BulkheadState(this, name, options, SettingsForLocked(name)));
        }
    }

    /// <summary>
    /// The rate limit of this name, created with <paramref name="options"/> if it does not exist yet.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The name is already used by a rate limit kept per key.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public RateLimiterState GetOrAddRateLimiter(string name, RateLimitOptions options)
        => GetOrAddRateLimiterOfKind<RateLimiterState>(name, options, static (registry, n, o, s) => new RateLimiterState(registry, n, o, s));

    /// <summary>
    /// The rate limit of this name kept per value of a <see cref="RateLimitKeyAttribute"/> parameter, created
    /// with <paramref name="options"/> if it does not exist yet.
    /// </summary>
    /// <typeparam name="TKey">The key parameter's type.</typeparam>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The name is already used by a rate limit without a key, or with a key of another type.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public KeyedRateLimiterState<TKey> GetOrAddKeyedRateLimiter<TKey>(string name, RateLimitOptions options)
        => GetOrAddRateLimiterOfKind<KeyedRateLimiterState<TKey>>(name, options, static (registry, n, o, s) => new KeyedRateLimiterState<TKey>(registry, n, o, s));

    /// <summary>
    /// The settings configuration gives the generated code of the methods whose policy name is <paramref name="policyName"/>
    /// (their retry, timeout and chaos), created if it does not exist yet. Generated code keeps it in a static field.
    /// </summary>
    /// <param name="policyName">The name: the method's breaker's, bulkhead's or rate limit's, or <c>Namespace.Type.Method</c>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public LivePolicySettings GetLivePolicySettings(string policyName)
    {
        Guard.NotNullOrEmpty(policyName, nameof(policyName));
        if (_live.TryGetValue(policyName, out LivePolicySettings? existing))
        {
            return existing;
        }

        lock (_settingsGate)
        {
            return _live.GetOrAdd(policyName, new LivePolicySettings(this, policyName, PolicyOverrides.From(this, policyName, SettingsForLocked(policyName), AllowChaos)));
        }
    }

    /// <summary>
    /// The retry budget of this name (<see cref="RetryAttribute.MaxRetryRatio"/>), created with <paramref name="options"/>
    /// if it does not exist yet. An existing budget keeps the settings it was created with.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public RetryBudgetState GetOrAddRetryBudget(string name, RetryBudgetOptions options)
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (_retryBudgets.TryGetValue(name, out RetryBudgetState? existing))
        {
            return existing;
        }

        lock (_settingsGate)
        {
            return _retryBudgets.GetOrAdd(name, new RetryBudgetState(this, name, options, SettingsForLocked(name)));
        }
    }

    /// <summary>
    /// Resets every policy in place, and restores <see cref="TimeProvider.System"/> and the default
    /// <see cref="JsonSerializerOptions"/>: settings given to
    /// <see cref="Configure"/> are dropped (each policy goes back to its attribute's), breakers close and
    /// forget their counts, rate limits refill, retry budgets forget their calls and retries, and
    /// <see cref="AllowChaos"/> goes back to the environment's value. Meant for tests, between them; calls in flight keep
    /// the bulkhead slots they hold. Listeners stay registered.
    /// </summary>
    public void Reset()
    {
        TimeProvider = TimeProvider.System;
        JsonSerializerOptions = DefaultJsonSerializerOptions();
        Configure(new Dictionary<string, PolicySettings>());
        AllowChaos = ChaosAllowedByEnvironment();
        foreach (CircuitBreakerState breaker in _breakers.Values)
        {
            breaker.ResetAll();
        }

        foreach (KeyedCircuitBreakerState breaker in _keyedBreakers.Values)
        {
            breaker.Reset();
        }

        foreach (BulkheadState bulkhead in _bulkheads.Values)
        {
            bulkhead.ResetCounters();
        }

        foreach (IRegisteredRateLimit limiter in _rateLimiters.Values)
        {
            limiter.Reset();
        }

        foreach (RetryBudgetState budget in _retryBudgets.Values)
        {
            budget.Reset();
        }

        foreach (CachedFallbackState cache in _cachedFallbacks.Values)
        {
            cache.Reset();
        }

        foreach (IdempotencyState idempotency in _idempotency.Values)
        {
            idempotency.Reset();
        }

        // A store put in place (Redis) stays; the default one forgets its results.
        (Volatile.Read(ref _idempotencyStore) as InMemoryIdempotencyStore)?.Clear();
        _decidedLocally.Clear();
    }

    /// <summary>
    /// Replaces the settings given by name: each entry's non-null values replace the attribute settings of the
    /// circuit breaker, bulkhead, rate limit and retry budget of that name, now for those that exist and at creation for the
    /// others. Names missing from <paramref name="settings"/> go back to their attribute's settings.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every value is checked before anything changes: either all apply or none does. Each policy then takes its
    /// new settings in one step, so that no call sees half of them. A breaker keeps its state and its counts (its
    /// failure window starts again when its sampling or mode changes); a bulkhead keeps the calls it holds
    /// (a lower limit takes effect as they finish); a rate limit whose settings changed starts full. Policies
    /// whose settings end up the same are left untouched.
    /// </para>
    /// <para>
    /// Retry, timeout, hedging and chaos settings apply from the next call of the methods whose policy name it is; a call
    /// under way keeps those it started with. Chaos is refused while <see cref="AllowChaos"/> is false.
    /// </para>
    /// <para>A retry budget's ratio applies from the next call.</para>
    /// </remarks>
    /// <param name="settings">The settings by policy name; this call keeps a copy of the table, not of the values.</param>
    /// <exception cref="ArgumentException">
    /// A value is out of range, or chaos is given while <see cref="AllowChaos"/> is false; the message lists each
    /// problem as <c>name:Setting</c> with its allowed range.
    /// </exception>
    public void Configure(IReadOnlyDictionary<string, PolicySettings> settings)
    {
        if (settings is null)
        {
            throw new ArgumentNullException(nameof(settings));
        }

        var problems = new List<string>();
        var table = new Dictionary<string, PolicySettings>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, PolicySettings> entry in settings.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrEmpty(entry.Key))
            {
                problems.Add("A policy name is empty; give the name of a circuit breaker, bulkhead or rate limit.");
                continue;
            }

            if (entry.Value is null)
            {
                problems.Add($"{entry.Key} has no settings; remove it or give at least one setting.");
                continue;
            }

            entry.Value.Validate(entry.Key, problems);
            if (entry.Value.Chaos is not null && !AllowChaos)
            {
                problems.Add(ChaosRules.NotAllowed(entry.Key + ":" + ChaosRules.SectionName));
            }

            table[entry.Key] = entry.Value;
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "The policy settings are not valid; nothing was changed:" + ProblemSeparator + string.Join(ProblemSeparator, problems),
                nameof(settings));
        }

        lock (_settingsGate)
        {
            _settings = table;
            foreach (CircuitBreakerState breaker in _breakers.Values)
            {
                breaker.Apply(SettingsForLocked(breaker.Name));
            }

            foreach (KeyedCircuitBreakerState breaker in _keyedBreakers.Values)
            {
                breaker.Apply(SettingsForLocked(breaker.Name));
            }

            foreach (BulkheadState bulkhead in _bulkheads.Values)
            {
                bulkhead.Apply(SettingsForLocked(bulkhead.Name));
            }

            foreach (KeyValuePair<string, IRegisteredRateLimit> limiter in _rateLimiters)
            {
                limiter.Value.Apply(SettingsForLocked(limiter.Key));
            }

            ApplyLiveSettingsLocked();
            foreach (RetryBudgetState budget in _retryBudgets.Values)
            {
                budget.Apply(SettingsForLocked(budget.Name));
            }

            foreach (CachedFallbackState cache in _cachedFallbacks.Values)
            {
                cache.Apply(SettingsForLocked(cache.PolicyName));
            }

            foreach (IdempotencyState idempotency in _idempotency.Values)
            {
                idempotency.Apply(SettingsForLocked(idempotency.Name));
            }
        }
    }

    /// <summary>
    /// Registers a listener that is told of changes of circuit state, retries, timeouts, rejections and fallbacks.
    /// Dispose the result to unregister it.
    /// </summary>
    /// <exception cref="ArgumentNullException">The listener is null.</exception>
    public IDisposable AddListener(ResilienceListener listener)
    {
        if (listener is null)
        {
            throw new ArgumentNullException(nameof(listener));
        }

        ResilienceListener[] current, updated;
        do
        {
            current = Volatile.Read(ref _listeners);
            updated = new ResilienceListener[current.Length + 1];
            current.CopyTo(updated, 0);
            updated[current.Length] = listener;
        }
        while (Interlocked.CompareExchange(ref _listeners, updated, current) != current);

        // A host's logging listener is added when the host starts, after calls may have been made: it is told of the
        // distributed policies that have been deciding locally, as the listeners there then were.
        foreach (KeyValuePair<string, PolicyKind> decided in _decidedLocally)
        {
            if (DistributedStore is null)
            {
                Tell(listener, RunningLocally(decided.Key, decided.Value), static (l, args) => l.OnDistributedFallback(args));
            }
        }

        return new ListenerRegistration(this, listener);
    }

    /// <summary>
    /// The recorder of one generated method's metrics and events.
    /// </summary>
    /// <param name="policyName">The name its calls are counted under: its breaker's, bulkhead's or rate limit's, or <paramref name="methodName"/>.</param>
    /// <param name="methodName">The method, as <c>Namespace.Type.Method</c>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public MethodTelemetry GetTelemetry(string policyName, string methodName)
    {
        Guard.NotNullOrEmpty(policyName, nameof(policyName));
        Guard.NotNullOrEmpty(methodName, nameof(methodName));
        string key = policyName + TelemetryKeySeparator + methodName;
        return _telemetry.TryGetValue(key, out MethodTelemetry? existing)
            ? existing
            : _telemetry.GetOrAdd(key, new MethodTelemetry(this, policyName, methodName));
    }

    /// <summary>
    /// True when at least one listener is registered, or the <c>Resilience</c> activity source is listened to while an
    /// activity records: events are built only then.
    /// </summary>
    internal bool HasListeners => Volatile.Read(ref _listeners).Length != 0 || ResilienceTracing.IsRecording;

    internal void Notify(CircuitStateChangedEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnCircuitStateChanged(args));
    }

    internal void Notify(RetryEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnRetry(args));
    }

    internal void Notify(TimeoutEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnTimeout(args));
    }

    internal void Notify(RejectionEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnRejected(args));
    }

    internal void Notify(ChaosEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnChaosInjected(args));
    }

    internal void Notify(CachedFallbackEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnCachedFallback(args));
    }

    internal void Notify(IdempotencyEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnIdempotency(args));
    }

    internal void Notify(FallbackEventArgs e)
    {
        ResilienceTracing.Record(e);
        Notify(e, static (listener, args) => listener.OnFallback(args));
    }

    /// <summary>
    /// Counts a decision a distributed policy took on its local state, and, the first time for this name while no store is
    /// registered, tells the listeners why. A listener added later is told when it is added (see <see cref="AddListener"/>),
    /// so that a host's logs say it whenever the host starts. A listener added at the very moment a policy first decides
    /// locally may be told of it twice.
    /// </summary>
    internal void ReportDistributedFallback(string policyName, PolicyKind kind, KeyValuePair<string, object?> policyTag)
    {
        ResilienceMetrics.RecordDistributedFallback(policyTag, kind == PolicyKind.RateLimit ? "rate_limit" : "circuit_breaker");

        if (DistributedStore is null && !_decidedLocally.ContainsKey(policyName) && _decidedLocally.TryAdd(policyName, kind))
        {
            Notify(RunningLocally(policyName, kind), static (listener, args) => listener.OnDistributedFallback(args));
        }
    }

    /// <summary>What a listener is told of a distributed policy deciding locally because no store is registered.</summary>
    private static DistributedFallbackEventArgs RunningLocally(string policyName, PolicyKind kind)
    {
        string what = kind == PolicyKind.RateLimit ? "rate limit" : "circuit breaker";
        return new DistributedFallbackEventArgs(
            policyName,
            kind,
            $"The {what} '{policyName}' is marked Distributed, but no distributed store is registered, so it counts on this instance only. " +
            "Call ResilienceRegistry.Default.UseRedis(connection) or services.AddResilienceRedis(...) from the Resilience.Generators.Redis package.");
    }

    /// <summary>
    /// Waits <paramref name="delay"/> on <see cref="TimeProvider"/>'s clock, rounded up to a whole millisecond (the
    /// resolution of the timers behind it); zero or less completes at once.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the wait.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        => Clock.DelayAsync(ClockHere, delay, cancellationToken);

    /// <summary>
    /// Blocks the thread for <paramref name="delay"/> on <see cref="TimeProvider"/>'s clock, rounded up to a whole
    /// millisecond, for synchronous methods.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the wait.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // A delay of zero or less is a completed task, without a timer.
        Clock.DelayAsync(ClockHere, delay, cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Starts a timeout on <see cref="TimeProvider"/>'s clock whose token is also cancelled with
    /// <paramref name="cancellationToken"/>. Return it with <see cref="TimeoutCancellationSource.Return"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeoutCancellationSource StartTimeout(TimeSpan timeout, CancellationToken cancellationToken)
        => TimeoutCancellationSource.Rent(timeout, cancellationToken, ClockHere);

    /// <summary>
    /// The clock of this registry, or, for <see cref="Default"/> inside a <see cref="ResilienceScope"/>, of the scope's
    /// registry: what generated code's delays and timeouts run on.
    /// </summary>
    private TimeProvider ClockHere
        => (ResilienceScope.AnyBegun ? ResilienceScope.RegistryInsteadOf(this) : null)?.TimeProvider ?? TimeProvider;

    /// <summary>
    /// Registers a fresh copy of every policy <paramref name="source"/> holds, with its attribute settings: what a
    /// <see cref="ResilienceScope"/>'s registry starts with.
    /// </summary>
    internal void RegisterPoliciesOf(ResilienceRegistry source)
    {
        foreach (CircuitBreakerState breaker in source._breakers.Values)
        {
            GetOrAddCircuitBreaker(breaker.Name, breaker.AttributeOptions);
        }

        foreach (KeyedCircuitBreakerState breaker in source._keyedBreakers.Values)
        {
            breaker.RegisterLikeIn(this);
        }

        foreach (BulkheadState bulkhead in source._bulkheads.Values)
        {
            GetOrAddBulkhead(bulkhead.Name, bulkhead.AttributeOptions);
        }

        foreach (IRegisteredRateLimit limiter in source._rateLimiters.Values)
        {
            limiter.RegisterLikeIn(this);
        }

        foreach (RetryBudgetState budget in source._retryBudgets.Values)
        {
            GetOrAddRetryBudget(budget.Name, budget.AttributeOptions);
        }

        foreach (LivePolicySettings live in source._live.Values)
        {
            GetLivePolicySettings(live.PolicyName);
        }
    }

    /// <summary>Every circuit breaker, those kept per key included (each of their partitions).</summary>
    private IEnumerable<CircuitBreakerState> AllBreakerStates()
        => _breakers.Values.Concat(_keyedBreakers.Values.SelectMany(k => k.AllPartitions()));

    /// <summary>Gives every generated method's settings holder the overrides of its name. Call under the settings lock.</summary>
    private void ApplyLiveSettingsLocked()
    {
        bool allowChaos = AllowChaos;
        foreach (LivePolicySettings live in _live.Values)
        {
            live.Apply(PolicyOverrides.From(this, live.PolicyName, SettingsForLocked(live.PolicyName), allowChaos));
        }
    }

    private static bool ChaosAllowedByEnvironment()
        => string.Equals(Environment.GetEnvironmentVariable(AllowChaosEnvironmentVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The settings given for <paramref name="name"/>, if any. Call under the settings lock.</summary>
    private PolicySettings? SettingsForLocked(string name) => _settings.TryGetValue(name, out PolicySettings? settings) ? settings : null;

    /// <summary>Tells every listener; one that throws is skipped: observing must not change the call (see <see cref="ResilienceListener"/>).</summary>
    private void Notify<TArgs>(TArgs e, Action<ResilienceListener, TArgs> tell)
    {
        foreach (ResilienceListener listener in Volatile.Read(ref _listeners))
        {
            Tell(listener, e, tell);
        }
    }

    private static void Tell<TArgs>(ResilienceListener listener, TArgs e, Action<ResilienceListener, TArgs> tell)
    {
        try
        {
            tell(listener, e);
        }
        catch (Exception)
        {
            // Dropped on purpose.
        }
    }

    private void RemoveListener(ResilienceListener listener)
    {
        ResilienceListener[] current, updated;
        do
        {
            current = Volatile.Read(ref _listeners);
            int index = Array.IndexOf(current, listener);
            if (index < 0)
            {
                return;
            }

            updated = new ResilienceListener[current.Length - 1];
            Array.Copy(current, 0, updated, 0, index);
            Array.Copy(current, index + 1, updated, index, current.Length - index - 1);
        }
        while (Interlocked.CompareExchange(ref _listeners, updated, current) != current);
    }

    private T GetOrAddRateLimiterOfKind<T>(string name, RateLimitOptions options, Func<ResilienceRegistry, string, RateLimitOptions, PolicySettings?, T> create)
        where T : class, IRegisteredRateLimit
    {
        Guard.NotNullOrEmpty(name, nameof(name));
        if (!_rateLimiters.TryGetValue(name, out IRegisteredRateLimit? existing))
        {
            lock (_settingsGate)
            {
                existing = _rateLimiters.GetOrAdd(name, create(this, name, options, SettingsForLocked(name)));
            }
        }

        return existing as T ?? throw KindConflict("rate limit", "RateLimitKey", name, existing.GetType(), typeof(T));
    }

    /// <summary>The error for a breaker name used both with and without a key, or with keys of two types.</summary>
    private static InvalidOperationException BreakerKindConflict(string name, object existing, Type wanted)
        => KindConflict("circuit breaker", "CircuitBreakerKey", name, existing.GetType(), wanted);

    /// <summary>The error for a policy name used both with and without a key attribute, or with keys of two types.</summary>
    /// <param name="policy">What the policy is: "rate limit".</param>
    /// <param name="keyAttribute">The key attribute, without brackets: "RateLimitKey".</param>
    /// <param name="name">The policy's name.</param>
    /// <param name="existing">The type of the state registered under the name.</param>
    /// <param name="wanted">The type of the state asked for.</param>
    private static InvalidOperationException KindConflict(string policy, string keyAttribute, string name, Type existing, Type wanted)
    {
        return new InvalidOperationException(
            $"The {policy} '{name}' is already used {Describe(existing)}, so it cannot also be used {Describe(wanted)}. " +
            $"Give the two {policy}s different names.");

        string Describe(Type type) => type.IsGenericType
            ? $"with a [{keyAttribute}] of type {type.GetGenericArguments()[0].Name}"
            : $"without a [{keyAttribute}]";
    }

    private sealed class ListenerRegistration : IDisposable
    {
        private ResilienceRegistry? _registry;
        private readonly ResilienceListener _listener;

        public ListenerRegistration(ResilienceRegistry registry, ResilienceListener listener)
        {
            _registry = registry;
            _listener = listener;
        }

        public void Dispose() => Interlocked.Exchange(ref _registry, null)?.RemoveListener(_listener);
    }
}
