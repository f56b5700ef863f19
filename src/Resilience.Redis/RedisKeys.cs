using System;
using System.Security.Cryptography;
using System.Text;

namespace Resilience.Redis;

/// <summary>
/// The key layout: <c>{prefix}:rl:{algorithm}:{{policy}}</c> for a rate limit, <c>{prefix}:rl:{algorithm}:{{policy|key}}</c>
/// per key, <c>{prefix}:cb:{{policy|key}}:state</c> and <c>:lease</c> for a breaker, the channel <c>{prefix}:cb</c>,
/// <c>{prefix}:ckpt:{{job}}:list</c> and <c>:meta</c> for a job's checkpoints, <c>{prefix}:cf:{{method|arguments}}</c>
/// for a cached fallback's result, and <c>{prefix}:idem:{{policy|key}}:result</c> and <c>:claim</c> for an idempotency
/// key.
/// </summary>
/// <remarks>
/// The part in braces is the Redis Cluster hash tag: a breaker's two keys live in one slot, and so do a job's two. A
/// policy name, key or job id made only of letters, digits and <c>. _ -</c> (at most 64 of them) is written as it is; any
/// other is written as <c>~</c> and the hex of its SHA-256, so that no caller-provided value (a user id under
/// <c>[RateLimitKey]</c>) can close the hash tag, add a segment or collide with another policy's key: a written-as-is part
/// never contains <c>~</c> or <c>|</c>.
/// </remarks>
internal sealed class RedisKeys
{
    private const int LongestPlainPart = 64;

    private readonly string _prefix;

    public RedisKeys(string prefix)
    {
        _prefix = prefix;
        CircuitChannel = prefix + ":cb";
    }

    /// <summary>The pub/sub channel on which breakers' changes are published.</summary>
    public string CircuitChannel { get; }

    public static bool IsSafe(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';

    /// <summary>The hash tag's content for a policy and its key: <c>name</c> or <c>name|key</c>, each part escaped.</summary>
    public static string Identity(string name, string? key) => key is null ? Part(name) : Part(name) + "|" + Part(key);

    public string RateLimit(RateLimitAlgorithm algorithm, string name, string? key)
        => _prefix + ":rl:" + AlgorithmCode(algorithm) + ":{" + Identity(name, key) + "}";

    public string CachedFallback(string cacheName, string arguments) => _prefix + ":cf:{" + Identity(cacheName, arguments) + "}";

    public string CircuitState(string identity) => _prefix + ":cb:{" + identity + "}:state";

    public string CircuitLease(string identity) => _prefix + ":cb:{" + identity + "}:lease";

    /// <summary>A job's checkpoints: a sorted set scored by sequence, newest highest.</summary>
    public string CheckpointList(string jobId) => _prefix + ":ckpt:{" + Part(jobId) + "}:list";

    /// <summary>A job's last sequence and the time of its latest save: a hash.</summary>
    public string CheckpointMeta(string jobId) => _prefix + ":ckpt:{" + Part(jobId) + "}:meta";
    /// <summary>An idempotency key's stored result: <c>{prefix}:idem:{{policy|key}}:result</c>.</summary>
    public string IdempotencyResult(string identity) => _prefix + ":idem:{" + identity + "}:result";

    /// <summary>An idempotency key's claim, held by the instance running it: <c>{prefix}:idem:{{policy|key}}:claim</c>.</summary>
    public string IdempotencyClaim(string identity) => _prefix + ":idem:{" + identity + "}:claim";

    /// <summary>The part as it is when it is short and plain, else <c>~</c> and its SHA-256 in hex.</summary>
    public static string Part(string value)
    {
        if (value.Length > 0 && value.Length <= LongestPlainPart)
        {
            bool plain = true;
            foreach (char c in value)
            {
                if (!IsSafe(c))
                {
                    plain = false;
                    break;
                }
            }

            if (plain)
            {
                return value;
            }
        }

#if NET8_0_OR_GREATER
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
#else
        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(value));
#endif
        var text = new StringBuilder(1 + (hash.Length * 2)).Append('~');
        foreach (byte b in hash)
        {
            text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string AlgorithmCode(RateLimitAlgorithm algorithm) => algorithm switch
    {
        RateLimitAlgorithm.SlidingWindow => "sw",
        RateLimitAlgorithm.FixedWindow => "fw",
        _ => "tb",
    };
}
