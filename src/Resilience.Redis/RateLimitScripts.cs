namespace Resilience.Redis;

/// <summary>
/// One atomic Lua script per algorithm. Each reads the time from Redis (<c>TIME</c>), so clients' clocks play no part,
/// takes one key (<c>KEYS[1]</c>) and the arguments limit, window in milliseconds, the most permits to take (1, or a
/// batch) and, for the sliding window, a member unique to the request, and returns
/// <c>{permits taken, remaining, retry after, reset}</c>, times in microseconds from now. It takes as many permits as
/// are free, up to the most asked for. Large numbers are written with <c>%.0f</c>: Lua's own conversion would write them
/// in exponent form and lose digits.
/// </summary>
internal static class RateLimitScripts
{
    /// <summary>
    /// A sorted set of the admitted requests' times: at most <c>limit</c> in any window. The permits of a batch are
    /// entries of one time, each with the request's member and its number.
    /// </summary>
    public const string SlidingWindow = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2]) * 1000
        local wanted = tonumber(ARGV[3])
        local spread = unpack or table.unpack
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
        local count = redis.call('ZCARD', KEYS[1])
        local admitted = math.max(0, math.min(wanted, limit - count))
        if admitted == 1 then
          redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[4])
        elseif admitted > 1 then
          local score = string.format('%.0f', now)
          local entries = {}
          for i = 1, admitted do
            entries[#entries + 1] = score
            entries[#entries + 1] = ARGV[4] .. '#' .. i
            if #entries >= 512 then
              redis.call('ZADD', KEYS[1], spread(entries))
              entries = {}
            end
          end
          if #entries > 0 then
            redis.call('ZADD', KEYS[1], spread(entries))
          end
        end
        count = count + admitted
        if count > 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        local retry = 0
        local reset = 0
        if count > 0 then
          local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
          reset = tonumber(newest[2]) + window - now
          if count >= limit then
            local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            retry = tonumber(oldest[2]) + window - now
          end
        end
        return {admitted, limit - count, retry, reset}
        """;

    /// <summary>A count per window aligned on Redis' clock, stored with the window's number as <c>window:count</c>.</summary>
    public const string FixedWindow = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local index = math.floor(now / window)
        local count = 0
        local stored = redis.call('GET', KEYS[1])
        if stored then
          local storedIndex, storedCount = string.match(stored, '^(%d+):(%d+)$')
          if storedIndex and tonumber(storedIndex) == index then
            count = tonumber(storedCount)
          end
        end
        local reset = (index + 1) * window - now
        local admitted = math.max(0, math.min(tonumber(ARGV[3]), limit - count))
        if admitted > 0 then
          count = count + admitted
          redis.call('SET', KEYS[1], string.format('%.0f:%d', index, count), 'PX', string.format('%.0f', reset))
        end
        local retry = 0
        if count >= limit then
          retry = reset
        end
        return {admitted, limit - count, retry * 1000, reset * 1000}
        """;

    /// <summary>
    /// A token bucket as a generic cell rate algorithm, as the local limiter counts it: the key holds the theoretical
    /// arrival time of the next request; a burst of <c>limit</c> is allowed, and <c>limit</c> per window on average.
    /// </summary>
    public const string TokenBucket = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limit = tonumber(ARGV[1])
        local interval = math.max(1, math.floor(tonumber(ARGV[2]) * 1000 / limit))
        local tolerance = interval * (limit - 1)
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        if tat < now then
          tat = now
        end
        local admitted = 0
        if tat - now <= tolerance then
          admitted = math.min(tonumber(ARGV[3]), math.floor((tolerance - (tat - now)) / interval) + 1)
          tat = tat + interval * admitted
          redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', string.format('%.0f', math.ceil((tat - now) / 1000) + 1))
        end
        local slack = tolerance - (tat - now)
        local remaining = 0
        if slack >= 0 then
          remaining = math.min(limit, math.floor(slack / interval) + 1)
        end
        return {admitted, remaining, math.max(0, tat - now - tolerance), tat - now}
        """;

    public static string For(RateLimitAlgorithm algorithm) => algorithm switch
    {
        RateLimitAlgorithm.SlidingWindow => SlidingWindow,
        RateLimitAlgorithm.FixedWindow => FixedWindow,
        _ => TokenBucket,
    };
}
