using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// The <see cref="ICachedFallbackStore"/> on Redis: each cached fallback's last good result per arguments as one string
/// key (<c>{prefix}:cf:{{method|arguments}}</c>) whose time-to-live is the cache's duration, so that a result one instance
/// stored answers a failure on another. <see cref="RedisResilienceRegistryExtensions.UseRedis"/> and
/// <c>AddResilienceRedis</c> register it beside the <see cref="RedisResilienceStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// Writes are sent without waiting for the answer (<c>SET ... PX</c>, fire and forget), so that storing a result never
/// slows a successful call. A read waits at most <see cref="RedisResilienceOptions.OperationTimeout"/>. No exception of
/// Redis' leaves this type: while the connection is down, or for <see cref="RedisResilienceOptions.RetryInterval"/> after an
/// operation failed, reads answer "nothing kept" at once and writes are dropped, and each cache answers from its
/// instance's own memory.
/// </para>
/// <para>Thread-safe. It holds no subscription; the connection is the caller's and is not closed.</para>
/// </remarks>
public sealed class RedisCachedFallbackStore : ICachedFallbackStore
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisResilienceOptions _options;
    private readonly RedisKeys _keys;

    // Stopwatch timestamp before which operations are not tried (RetryInterval after a failure); 0 when they are.
    private long _unavailableUntil;
    private long _failures;

    /// <summary>Creates a store on <paramref name="connection"/>.</summary>
    /// <param name="connection">An open connection; it stays the caller's.</param>
    /// <param name="options">Key prefix and timeouts; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public RedisCachedFallbackStore(IConnectionMultiplexer connection, RedisResilienceOptions? options = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _options = (options ?? new RedisResilienceOptions()).ValidatedCopy();
        _keys = new RedisKeys(_options.KeyPrefix);
        Description = $"Redis {string.Join(", ", connection.GetEndPoints().Select(e => e.ToString()))}, prefix '{_options.KeyPrefix}'";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>True while Redis is reachable; false while caches answer from their instance's memory only.</summary>
    public bool IsAvailable => _connection.IsConnected && Stopwatch.GetTimestamp() >= Volatile.Read(ref _unavailableUntil);

    /// <summary>How many times an operation failed or timed out since the store was created.</summary>
    public long FailureCount => Volatile.Read(ref _failures);

    /// <inheritdoc/>
    public void Set(string cacheName, string key, byte[] value, TimeSpan timeToLive)
    {
        if (cacheName is null)
        {
            throw new ArgumentNullException(nameof(cacheName));
        }

        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        if (!IsAvailable)
        {
            return;
        }

        try
        {
            TimeSpan expiry = timeToLive > TimeSpan.Zero ? timeToLive : TimeSpan.FromMilliseconds(1);
            _connection.GetDatabase().StringSet(_keys.CachedFallback(cacheName, key), value, expiry, flags: CommandFlags.FireAndForget);
        }
        catch (Exception)
        {
            MarkUnavailable();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> GetAsync(string cacheName, string key, CancellationToken cancellationToken)
    {
        if (cacheName is null)
        {
            throw new ArgumentNullException(nameof(cacheName));
        }

        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!IsAvailable)
        {
            return null;
        }

        Task<RedisValue> read;
        try
        {
            read = _connection.GetDatabase().StringGetAsync(_keys.CachedFallback(cacheName, key));
        }
        catch (Exception)
        {
            MarkUnavailable();
            return null;
        }

        try
        {
            RedisValue value = await RedisTimeout.WaitAsync(read, _options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            return value.IsNull ? null : (byte[]?)value;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            MarkUnavailable();
            return null;
        }
    }

    /// <summary>Stops asking Redis for <see cref="RedisResilienceOptions.RetryInterval"/>.</summary>
    private void MarkUnavailable()
    {
        Interlocked.Increment(ref _failures);
        long until = Stopwatch.GetTimestamp() + (long)(_options.RetryInterval.TotalSeconds * Stopwatch.Frequency);
        Volatile.Write(ref _unavailableUntil, until);
    }
}
