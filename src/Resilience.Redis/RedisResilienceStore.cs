using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// The <see cref="IDistributedResilienceStore"/> on Redis: rate limits as atomic Lua scripts on Redis' clock, circuit
/// breakers' changes published on a channel and kept in a key whose time-to-live is the break, and a <c>SET NX PX</c>
/// lease for the one instance that probes a half-open breaker. Register it with
/// <see cref="RedisResilienceRegistryExtensions.UseRedis"/>.
/// </summary>
/// <remarks>
/// <para>
/// No call waits longer than <see cref="RedisResilienceOptions.OperationTimeout"/>, and no exception of Redis' leaves this
/// type: while the connection is down, or for <see cref="RedisResilienceOptions.RetryInterval"/> after an operation failed,
/// it answers <see cref="DistributedAcquireResult.Unavailable"/> at once and policies decide on their local state. When the
/// connection comes back it reads every watched breaker's state again.
/// </para>
/// <para>
/// Permits are counted on Redis' clock, so the instances' clocks may disagree. The times an answer gives
/// (<see cref="RateLimitInfo.ResetAt"/>) are on the clock of the registry that
/// <see cref="RedisResilienceRegistryExtensions.UseRedis"/> or <c>AddResilienceRedis</c> registered the store with (its
/// <see cref="ResilienceRegistry.TimeProvider"/>), on the machine's clock for a store registered by hand.
/// </para>
/// <para>Thread-safe. Dispose it to stop listening; the connection is the caller's and is not closed.</para>
/// </remarks>
public sealed class RedisResilienceStore : IDistributedResilienceStore, IDisposable
{
    private const string OpenValue = "open";
    private const string IsolatedValue = "isolated";
    private const char FieldSeparator = '\n';

    private const string ReleaseLeaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisResilienceOptions _options;
    private readonly RedisKeys _keys;
    private readonly RedisChannel _channel;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<DistributedCircuit, bool>> _circuits = new(StringComparer.Ordinal);

    // Breakers whose last change could not be published (the connection was down): published again on reconnect.
    private readonly ConcurrentDictionary<DistributedCircuit, bool> _unpublished = new();
    private long _requests;

    // The scripts loaded on the servers (SCRIPT LOAD) and run by their SHA-1; replaced after a reconnect.
    private Task<ScriptHashes>? _scripts;

    // Stopwatch timestamp before which operations are not tried (RetryInterval after a failure); 0 when they are.
    private long _unavailableUntil;
    private int _disposed;

    // The registry on whose clock the answers give their times (UseRedis and AddResilienceRedis set it); null for the
    // machine's clock. Redis counts on its own clock: this only turns its "from now" into a time the registry reads.
    private ResilienceRegistry? _clockOf;
    private long _failures;

    /// <summary>Creates a store on <paramref name="connection"/>, listening for other instances' breaker changes.</summary>
    /// <param name="connection">An open connection; it stays the caller's.</param>
    /// <param name="options">Key prefix and timeouts; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public RedisResilienceStore(IConnectionMultiplexer connection, RedisResilienceOptions? options = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _options = (options ?? new RedisResilienceOptions()).ValidatedCopy();
        _keys = new RedisKeys(_options.KeyPrefix);
        _channel = RedisChannel.Literal(_keys.CircuitChannel);
        // The endpoints only: the configuration string may hold a password.
        Description = $"Redis {string.Join(", ", connection.GetEndPoints().Select(e => e.ToString()))}, prefix '{_options.KeyPrefix}'";
        _connection.ConnectionRestored += OnConnectionRestored;
        try
        {
            _connection.GetSubscriber().Subscribe(_channel, (_, message) => OnMessage(message));
        }
        catch (Exception)
        {
            // Not connected yet: the client subscribes again when it connects.
            MarkUnavailable();
        }
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>
    /// The connection the store uses (the caller's), for the stores that share it (<see cref="RedisCachedFallbackStore"/>,
    /// and <see cref="RedisIdempotencyStore"/>, which also shares this one's availability).
    /// </summary>
    internal IConnectionMultiplexer Connection => _connection;

    /// <summary>The settings in force (a copy).</summary>
    public RedisResilienceOptions Options => _options.ValidatedCopy();

    /// <inheritdoc/>
    public bool IsAvailable => _connection.IsConnected && Stopwatch.GetTimestamp() >= Volatile.Read(ref _unavailableUntil);

    /// <summary>How many times an operation failed or timed out since the store was created.</summary>
    public long FailureCount => Volatile.Read(ref _failures);

    /// <inheritdoc/>
    public async ValueTask<DistributedAcquireResult> TryAcquireAsync(string policyName, string? partitionKey, RateLimitOptions options, int permits, CancellationToken cancellationToken)
    {
        if (policyName is null)
        {
            throw new ArgumentNullException(nameof(policyName));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (permits < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, "Ask for at least one permit.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!IsAvailable)
        {
            return DistributedAcquireResult.Unavailable;
        }

        RedisKey[] keys = { _keys.RateLimit(options.Algorithm, policyName, partitionKey) };
        int wanted = Math.Min(permits, options.Permits);
        RedisValue[] values = options.Algorithm == RateLimitAlgorithm.SlidingWindow
            ? new RedisValue[] { options.Permits, options.WindowMs, wanted, _instanceId + ":" + Interlocked.Increment(ref _requests).ToString(CultureInfo.InvariantCulture) }
            : new RedisValue[] { options.Permits, options.WindowMs, wanted };

        RedisResult? result;
        try
        {
            result = await WithinTimeoutAsync(EvaluateRateLimitAsync(options.Algorithm, keys, values), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            result = null;
        }

        if (result is null || result.Resp2Type != ResultType.Array || result.Length < 4)
        {
            MarkUnavailable();
            return DistributedAcquireResult.Unavailable;
        }

        int granted = (int)Math.Max(0, Math.Min(wanted, (long)result[0]));
        int remaining = (int)Math.Max(0, Math.Min(options.Permits, (long)result[1]));
        TimeSpan retryAfter = FromMicroseconds((long)result[2]);
        TimeSpan reset = FromMicroseconds((long)result[3]);
        var info = new RateLimitInfo(options.Permits, remaining, UtcNow() + reset, retryAfter);
        return granted > 0 ? DistributedAcquireResult.Admitted(info, granted) : DistributedAcquireResult.Rejected(info);
    }

    /// <summary>
    /// Gives the times of the answers (<see cref="RateLimitInfo.ResetAt"/>) on <paramref name="registry"/>'s
    /// <see cref="ResilienceRegistry.TimeProvider"/>, which its rate limits compare them with, whatever that clock says.
    /// </summary>
    internal void GiveTimesOnClockOf(ResilienceRegistry registry) => Volatile.Write(ref _clockOf, registry);

    /// <summary>Now, on the clock the answers' times are given on.</summary>
    private DateTimeOffset UtcNow() => Volatile.Read(ref _clockOf) is { } registry ? registry.TimeProvider.GetUtcNow() : DateTimeOffset.UtcNow;

    /// <inheritdoc/>
    public IDisposable Watch(DistributedCircuit circuit)
    {
        if (circuit is null)
        {
            throw new ArgumentNullException(nameof(circuit));
        }

        string identity = RedisKeys.Identity(circuit.Name, circuit.Key);
        _circuits.GetOrAdd(identity, static _ => new ConcurrentDictionary<DistributedCircuit, bool>())[circuit] = true;
        _ = LoadStateAsync(identity, circuit);
        return new Watching(this, identity, circuit);
    }

    /// <inheritdoc/>
    public void Publish(DistributedCircuit circuit, CircuitState state, TimeSpan breakDuration)
    {
        if (circuit is null)
        {
            throw new ArgumentNullException(nameof(circuit));
        }

        if (state == CircuitState.HalfOpen)
        {
            return;
        }

        if (!_connection.IsConnected)
        {
            _unpublished[circuit] = true;
            return;
        }

        _unpublished.TryRemove(circuit, out _);
        string identity = RedisKeys.Identity(circuit.Name, circuit.Key);
        try
        {
            IDatabase database = _connection.GetDatabase();
            RedisKey key = _keys.CircuitState(identity);
            switch (state)
            {
                case CircuitState.Open:
                    database.StringSet(key, OpenValue, breakDuration > TimeSpan.Zero ? breakDuration : TimeSpan.FromMilliseconds(1), flags: CommandFlags.FireAndForget);
                    break;
                case CircuitState.Isolated:
                    database.StringSet(key, IsolatedValue, (TimeSpan?)null, When.Always, CommandFlags.FireAndForget);
                    break;
                default:
                    database.KeyDelete(key, CommandFlags.FireAndForget);
                    break;
            }

            string message = string.Join(
                FieldSeparator.ToString(),
                _instanceId,
                ((int)state).ToString(CultureInfo.InvariantCulture),
                ((long)breakDuration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                identity);
            _connection.GetSubscriber().Publish(_channel, message, CommandFlags.FireAndForget);
        }
        catch (Exception)
        {
            _unpublished[circuit] = true;
            MarkUnavailable();
        }
    }

    /// <inheritdoc/>
    public async Task<bool> TryTakeProbeLeaseAsync(DistributedCircuit circuit, TimeSpan lease)
    {
        if (circuit is null)
        {
            throw new ArgumentNullException(nameof(circuit));
        }

        if (!IsAvailable)
        {
            return true;
        }

        RedisKey key = _keys.CircuitLease(RedisKeys.Identity(circuit.Name, circuit.Key));
        try
        {
            Task<bool> set = _connection.GetDatabase().StringSetAsync(key, _instanceId, lease > TimeSpan.Zero ? lease : TimeSpan.FromMilliseconds(1), When.NotExists);
            if (await WithinTimeoutAsync(BoxAsync(set), CancellationToken.None).ConfigureAwait(false) is { } granted)
            {
                return granted.Value;
            }
        }
        catch (Exception)
        {
            // Failed: decided alone below.
        }

        MarkUnavailable();
        return true;
    }

    /// <inheritdoc/>
    public void ReleaseProbeLease(DistributedCircuit circuit)
    {
        if (circuit is null)
        {
            throw new ArgumentNullException(nameof(circuit));
        }

        if (!_connection.IsConnected)
        {
            return;
        }

        try
        {
            RedisKey key = _keys.CircuitLease(RedisKeys.Identity(circuit.Name, circuit.Key));
            _connection.GetDatabase().ScriptEvaluate(ReleaseLeaseScript, new[] { key }, new RedisValue[] { _instanceId }, CommandFlags.FireAndForget);
        }
        catch (Exception)
        {
            // The lease runs out by itself.
        }
    }

    /// <summary>Stops listening for other instances' changes. The connection stays open.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.ConnectionRestored -= OnConnectionRestored;
        try
        {
            _connection.GetSubscriber().Unsubscribe(_channel, null, CommandFlags.FireAndForget);
        }
        catch (Exception)
        {
            // Closed already.
        }

        _circuits.Clear();
    }

    /// <summary>
    /// Runs the algorithm's script by its SHA-1 (<c>EVALSHA</c>, so that the script's text is not sent with every call),
    /// loading the scripts first on every primary server, and again when a server answers that it does not know them
    /// (after a restart).
    /// </summary>
    private async Task<RedisResult> EvaluateRateLimitAsync(RateLimitAlgorithm algorithm, RedisKey[] keys, RedisValue[] values)
    {
        Task<ScriptHashes> loading = Volatile.Read(ref _scripts) ?? LoadScripts(previous: null);
        ScriptHashes hashes = await loading.ConfigureAwait(false);
        try
        {
            return await _connection.GetDatabase().ScriptEvaluateAsync(hashes.For(algorithm), keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            hashes = await LoadScripts(loading).ConfigureAwait(false);
            return await _connection.GetDatabase().ScriptEvaluateAsync(hashes.For(algorithm), keys, values).ConfigureAwait(false);
        }
    }

    /// <summary>Starts loading the scripts, unless another caller has already replaced <paramref name="previous"/>.</summary>
    private Task<ScriptHashes> LoadScripts(Task<ScriptHashes>? previous)
    {
        Task<ScriptHashes> next = LoadScriptsAsync();
        Task<ScriptHashes>? seen = Interlocked.CompareExchange(ref _scripts, next, previous);
        if (seen != previous)
        {
            RedisTimeout.Observe(next);
            return seen!;
        }

        // A failed load is not kept: the next call tries again.
        next.ContinueWith(t => Interlocked.CompareExchange(ref _scripts, null, next), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
        return next;
    }

    private async Task<ScriptHashes> LoadScriptsAsync()
    {
        byte[]? sliding = null, fixedWindow = null, tokenBucket = null;
        foreach (IServer server in _connection.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            sliding = await server.ScriptLoadAsync(RateLimitScripts.SlidingWindow).ConfigureAwait(false);
            fixedWindow = await server.ScriptLoadAsync(RateLimitScripts.FixedWindow).ConfigureAwait(false);
            tokenBucket = await server.ScriptLoadAsync(RateLimitScripts.TokenBucket).ConfigureAwait(false);
        }

        if (sliding is null || fixedWindow is null || tokenBucket is null)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No primary server is connected to load the rate-limit scripts on.");
        }

        return new ScriptHashes(sliding, fixedWindow, tokenBucket);
    }

    private static TimeSpan FromMicroseconds(long microseconds) => TimeSpan.FromTicks(Math.Max(0, microseconds) * (TimeSpan.TicksPerMillisecond / 1000));

    /// <summary>The key layout.</summary>
    internal RedisKeys Keys => _keys;

    /// <summary>The settings in force.</summary>
    internal RedisResilienceOptions Settings => _options;

    /// <summary>True once <see cref="Dispose"/> was called.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Stops asking Redis for <see cref="RedisResilienceOptions.RetryInterval"/>.</summary>
    internal void MarkUnavailable()
    {
        Interlocked.Increment(ref _failures);
        long until = Stopwatch.GetTimestamp() + (long)(_options.RetryInterval.TotalSeconds * Stopwatch.Frequency);
        Volatile.Write(ref _unavailableUntil, until);
    }

    /// <summary>The task's result, or null when it does not complete within the operation timeout (or fails with a timeout).</summary>
    internal async Task<T?> WithinTimeoutAsync<T>(Task<T> task, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await RedisTimeout.WaitAsync(task, _options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private void OnMessage(RedisValue message)
    {
        try
        {
            string[] fields = ((string?)message ?? string.Empty).Split(FieldSeparator);
            if (fields.Length != 4 || fields[0] == _instanceId
                || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int state)
                || !long.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long breakMs)
                || !_circuits.TryGetValue(fields[3], out ConcurrentDictionary<DistributedCircuit, bool>? circuits))
            {
                return;
            }

            foreach (DistributedCircuit circuit in circuits.Keys)
            {
                circuit.ApplyRemote((CircuitState)state, TimeSpan.FromMilliseconds(breakMs));
            }
        }
        catch (Exception)
        {
            // A malformed message or a failing handler must not stop the subscription.
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (e.ConnectionType == ConnectionType.Subscription)
        {
            // Messages published while this instance was not subscribed are lost; the keys hold what they said. Read them
            // now, and once more a moment later: the subscription may be answered by the server after this event, and a
            // change published in between is in the key by the second read.
            ReloadStates();
            _ = ReloadStatesLaterAsync();
            return;
        }

        if (e.ConnectionType != ConnectionType.Interactive)
        {
            return;
        }

        Volatile.Write(ref _unavailableUntil, 0);

        // A restarted server has forgotten the scripts: load them before the next call runs one.
        Volatile.Write(ref _scripts, null);
        // A change made here while the connection was down is told to the others now (the last instance to come back with
        // one wins); every other breaker reads the state the store holds.
        foreach (var entry in _circuits)
        {
            foreach (DistributedCircuit circuit in entry.Value.Keys)
            {
                CircuitState state = circuit.State;
                TimeSpan remaining = circuit.RemainingBreak;
                if (_unpublished.TryRemove(circuit, out _) && state != CircuitState.HalfOpen && (state != CircuitState.Open || remaining > TimeSpan.Zero))
                {
                    Publish(circuit, state, remaining);
                }
                else
                {
                    _ = LoadStateAsync(entry.Key, circuit);
                }
            }
        }

        _ = ReloadStatesLaterAsync();
    }

    /// <summary>Reads every watched breaker's stored state, except one whose own change is still to be published.</summary>
    private void ReloadStates()
    {
        foreach (var entry in _circuits)
        {
            foreach (DistributedCircuit circuit in entry.Value.Keys)
            {
                if (!_unpublished.ContainsKey(circuit))
                {
                    _ = LoadStateAsync(entry.Key, circuit);
                }
            }
        }
    }

    /// <summary>
    /// Reads the stored states again after <see cref="RedisResilienceOptions.RetryInterval"/> (at least 250 ms): instances
    /// that come back together publish what they changed offline within that time, possibly before this one listens again.
    /// </summary>
    private async Task ReloadStatesLaterAsync()
    {
        try
        {
            TimeSpan delay = _options.RetryInterval > TimeSpan.FromMilliseconds(250) ? _options.RetryInterval : TimeSpan.FromMilliseconds(250);
            await Task.Delay(delay).ConfigureAwait(false);
            if (Volatile.Read(ref _disposed) == 0)
            {
                ReloadStates();
            }
        }
        catch (Exception)
        {
            // Never fails the caller; the next message or reconnect corrects the state.
        }
    }

    /// <summary>Applies the state the store holds for the breaker: a break in progress, or isolation. Never throws.</summary>
    private async Task LoadStateAsync(string identity, DistributedCircuit circuit)
    {
        try
        {
            if (!_connection.IsConnected)
            {
                return;
            }

            // A message or a transition that lands while the read is on its way is newer than what it returns.
            long version = circuit.Version;
            RedisValueWithExpiry stored = await WithinTimeoutAsync(
                BoxAsync(_connection.GetDatabase().StringGetWithExpiryAsync(_keys.CircuitState(identity))), CancellationToken.None).ConfigureAwait(false) is { } boxed
                ? boxed.Value
                : default;
            if (stored.Value == OpenValue && stored.Expiry is { } remaining)
            {
                circuit.ApplyStored(CircuitState.Open, remaining, version);
            }
            else if (stored.Value == IsolatedValue)
            {
                circuit.ApplyStored(CircuitState.Isolated, TimeSpan.Zero, version);
            }
        }
        catch (Exception)
        {
            MarkUnavailable();
        }
    }

    /// <summary>The SHA-1 of each rate-limit script as the servers know it.</summary>
    private sealed class ScriptHashes
    {
        private readonly byte[] _slidingWindow;
        private readonly byte[] _fixedWindow;
        private readonly byte[] _tokenBucket;

        public ScriptHashes(byte[] slidingWindow, byte[] fixedWindow, byte[] tokenBucket)
        {
            _slidingWindow = slidingWindow;
            _fixedWindow = fixedWindow;
            _tokenBucket = tokenBucket;
        }

        public byte[] For(RateLimitAlgorithm algorithm) => algorithm switch
        {
            RateLimitAlgorithm.SlidingWindow => _slidingWindow,
            RateLimitAlgorithm.FixedWindow => _fixedWindow,
            _ => _tokenBucket,
        };
    }

    private static async Task<Box<T>> BoxAsync<T>(Task<T> task) => new(await task.ConfigureAwait(false));

    private sealed class Box<T>
    {
        public Box(T value) => Value = value;

        public T Value { get; }
    }

    private sealed class Watching : IDisposable
    {
        private RedisResilienceStore? _store;
        private readonly string _identity;
        private readonly DistributedCircuit _circuit;

        public Watching(RedisResilienceStore store, string identity, DistributedCircuit circuit)
        {
            _store = store;
            _identity = identity;
            _circuit = circuit;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _store, null) is not { } store)
            {
                return;
            }

            store._unpublished.TryRemove(_circuit, out _);
            if (store._circuits.TryGetValue(_identity, out var circuits))
            {
                circuits.TryRemove(_circuit, out _);
            }
        }
    }
}
