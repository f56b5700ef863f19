using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// An <see cref="ICheckpointStore"/> on Redis: a job's checkpoints outlive the process that saved them, so a job restarted
/// after a crash, on this machine or another, resumes from its latest one.
/// </summary>
/// <remarks>
/// <para>
/// Layout, under <see cref="RedisResilienceOptions.KeyPrefix"/>: <c>{prefix}:ckpt:{{job}}:list</c>, a sorted set of the
/// job's kept checkpoints scored by sequence (each member is its sequence and its JSON), and <c>{prefix}:ckpt:{{job}}:meta</c>,
/// a hash of the job's last sequence (<c>seq</c>) and the time of its latest save in Unix milliseconds (<c>at</c>). The job
/// id is the hash tag, so both keys live in one Redis Cluster slot. A save is one Lua script: the interval check, the next
/// sequence, the new member, the trim to <see cref="CheckpointOptions.MaxKeptPerJob"/> and the time-to-live of both keys
/// (<c>PEXPIRE</c>, <see cref="CheckpointOptions.TimeToLive"/>) happen atomically, so parallel saves from any number of
/// instances get every sequence number once.
/// </para>
/// <para>
/// Times are the saving instance's (<see cref="CheckpointOptions.TimeProvider"/>); a save is skipped only when it comes
/// less than the interval after the stored time, so a clock that is behind never skips one. Expiry is Redis' own.
/// </para>
/// <para>
/// Redis down or slow: no call waits longer than <see cref="RedisResilienceOptions.OperationTimeout"/>, and none returns
/// as if it had worked. Every operation that cannot be done throws a <see cref="CheckpointStoreUnavailableException"/>
/// saying so; no exception of Redis' own reaches the caller. A save that timed out may still reach Redis later (as a
/// newer checkpoint; saving again only adds one more). Thread-safe; the connection stays the caller's.
/// </para>
/// </remarks>
public sealed class RedisCheckpointStore : CheckpointStore
{
    private const string SaveScript = """
        local last = redis.call('HGET', KEYS[2], 'at')
        if ARGV[3] == '0' and last then
          local elapsed = tonumber(ARGV[1]) - tonumber(last)
          if elapsed >= 0 and elapsed < tonumber(ARGV[2]) then
            return 0
          end
        end
        local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
        redis.call('HSET', KEYS[2], 'at', ARGV[1])
        redis.call('ZADD', KEYS[1], seq, string.format('%d', seq) .. ':' .. ARGV[6])
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        return seq
        """;

    private const byte SequenceSeparator = (byte)':';

    private static readonly JsonEncodedText StageName = JsonEncodedText.Encode("stage");
    private static readonly JsonEncodedText ProgressName = JsonEncodedText.Encode("progress");
    private static readonly JsonEncodedText SavedAtName = JsonEncodedText.Encode("savedAt");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisResilienceOptions _redisOptions;
    private readonly RedisKeys _keys;

    /// <summary>Creates a store on <paramref name="connection"/>.</summary>
    /// <param name="connection">
    /// An open connection, e.g. <c>ConnectionMultiplexer.Connect("redis:6379,abortConnect=false")</c>; it stays the caller's.
    /// </param>
    /// <param name="options">How many checkpoints, how long, how often; null for the defaults (10, 24 h, 30 s).</param>
    /// <param name="redisOptions">
    /// The key prefix and the operation timeout (the other settings are the distributed policies'); null for the defaults.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public RedisCheckpointStore(IConnectionMultiplexer connection, CheckpointOptions? options = null, RedisResilienceOptions? redisOptions = null)
        : base(options)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _redisOptions = (redisOptions ?? new RedisResilienceOptions()).ValidatedCopy();
        _keys = new RedisKeys(_redisOptions.KeyPrefix);
        // The endpoints only: the configuration string may hold a password.
        Description = $"Redis {string.Join(", ", connection.GetEndPoints().Select(e => e.ToString()))}, prefix '{_redisOptions.KeyPrefix}'";
    }

    /// <summary>Where the checkpoints are kept, for logs: the endpoints and the key prefix.</summary>
    public string Description { get; }

    /// <inheritdoc/>
    protected override async Task<SerializedCheckpoint?> SaveCoreAsync(SerializedCheckpoint checkpoint, bool force, CancellationToken cancellationToken)
    {
        RedisKey[] keys = { _keys.CheckpointList(checkpoint.JobId), _keys.CheckpointMeta(checkpoint.JobId) };
        RedisValue[] values =
        {
            checkpoint.SavedAt.ToUnixTimeMilliseconds(),
            (long)MinSaveInterval.TotalMilliseconds,
            force ? 1 : 0,
            MaxKeptPerJob,
            Math.Max(1L, (long)TimeToLive.TotalMilliseconds),
            Envelope(checkpoint),
        };

        string Failure(string reason) =>
            $"The checkpoint of job '{checkpoint.JobId}' at stage '{checkpoint.Stage}' was not saved: {Description} {reason}. The job's latest " +
            "saved checkpoint is unchanged and is the one it would resume from. Catch CheckpointStoreUnavailableException around SaveAsync " +
            "to go on without this checkpoint, or save again once Redis answers.";

        RedisResult result = await RunAsync(
            database => database.ScriptEvaluateAsync(SaveScript, keys, values), Failure, cancellationToken).ConfigureAwait(false);
        long sequence = (long)result;
        return sequence == 0 ? null : checkpoint.WithSequence(sequence);
    }

    /// <inheritdoc/>
    protected override async Task<SerializedCheckpoint?> GetLatestCoreAsync(string jobId, CancellationToken cancellationToken)
    {
        RedisValue[] members = await RunAsync(
            database => database.SortedSetRangeByRankAsync(_keys.CheckpointList(jobId), 0, 0, Order.Descending),
            reason => ReadFailure(jobId, reason),
            cancellationToken).ConfigureAwait(false);
        return members.Length == 0 ? null : Parse(jobId, members[0]);
    }

    /// <inheritdoc/>
    protected override async Task<IReadOnlyList<SerializedCheckpoint>> ListCoreAsync(string jobId, CancellationToken cancellationToken)
    {
        RedisValue[] members = await RunAsync(
            database => database.SortedSetRangeByRankAsync(_keys.CheckpointList(jobId), 0, -1, Order.Descending),
            reason => ReadFailure(jobId, reason),
            cancellationToken).ConfigureAwait(false);
        var checkpoints = new SerializedCheckpoint[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            checkpoints[i] = Parse(jobId, members[i]);
        }

        return checkpoints;
    }

    /// <inheritdoc/>
    protected override async Task<bool> DeleteCoreAsync(string jobId, CancellationToken cancellationToken)
    {
        RedisKey[] keys = { _keys.CheckpointList(jobId), _keys.CheckpointMeta(jobId) };
        long deleted = await RunAsync(
            database => database.KeyDeleteAsync(keys),
            reason => $"The checkpoints of job '{jobId}' were not deleted: {Description} {reason}. Delete them again once Redis answers, or let them expire.",
            cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    private string ReadFailure(string jobId, string reason)
        => $"The checkpoints of job '{jobId}' could not be read: {Description} {reason}. They are kept there until they expire; read them again once Redis answers.";

    /// <summary>
    /// Runs one operation within the operation timeout; anything but its result (Redis not connected, an error, no answer
    /// in time) becomes a <see cref="CheckpointStoreUnavailableException"/> worded by <paramref name="failure"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation, Func<string, string> failure, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_connection.IsConnected)
        {
            throw new CheckpointStoreUnavailableException(failure("is not connected"));
        }

        Task<T> task;
        try
        {
            task = operation(_connection.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new CheckpointStoreUnavailableException(failure("failed (" + e.Message + ")"), e);
        }

        try
        {
            return await RedisTimeout.WaitAsync(task, _redisOptions.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e) when (!task.IsCompleted)
        {
            throw new CheckpointStoreUnavailableException(
                failure($"did not answer within {_redisOptions.OperationTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms (RedisResilienceOptions.OperationTimeout)"), e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new CheckpointStoreUnavailableException(failure("failed (" + e.Message + ")"), e);
        }
    }

    /// <summary>The member's JSON: <c>{"stage":...,"progress":...,"savedAt":...,"data":...}</c>; the script puts the sequence before it.</summary>
    private static byte[] Envelope(SerializedCheckpoint checkpoint)
    {
        using var buffer = new MemoryStream(checkpoint.Data.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(StageName, checkpoint.Stage);
            writer.WriteNumber(ProgressName, checkpoint.Progress);
            writer.WriteString(SavedAtName, checkpoint.SavedAt);
            writer.WritePropertyName(DataName);
            writer.WriteRawValue(checkpoint.Data.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a member written by the save script: its sequence, a colon, its envelope.</summary>
    private static SerializedCheckpoint Parse(string jobId, RedisValue member)
    {
        byte[] bytes = (byte[])member!;
        int separator = Array.IndexOf(bytes, SequenceSeparator);
        try
        {
            long sequence = long.Parse(Encoding.ASCII.GetString(bytes, 0, separator), NumberStyles.None, CultureInfo.InvariantCulture);
            using JsonDocument envelope = JsonDocument.Parse(new ReadOnlyMemory<byte>(bytes, separator + 1, bytes.Length - separator - 1));
            JsonElement root = envelope.RootElement;
            return new SerializedCheckpoint(
                jobId,
                root.GetProperty(StageName.Value).GetString()!,
                root.GetProperty(ProgressName.Value).GetDouble(),
                Encoding.UTF8.GetBytes(root.GetProperty(DataName.Value).GetRawText()),
                root.GetProperty(SavedAtName.Value).GetDateTimeOffset(),
                sequence);
        }
        catch (Exception e) when (e is FormatException or OverflowException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"A stored checkpoint of job '{jobId}' is not in the form this store writes (written by something else under the same key prefix?). " +
                "Delete the job's checkpoints with DeleteAsync, or give this application a KeyPrefix of its own.", e);
        }
    }
}
