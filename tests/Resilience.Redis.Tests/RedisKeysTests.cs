namespace Resilience.Redis.Tests;

/// <summary>The key layout: caller-provided parts cannot leave their hash tag, add a segment or collide.</summary>
public sealed class RedisKeysTests
{
    private readonly RedisKeys _keys = new("app");

    [Fact]
    public void Plain_names_and_keys_are_written_as_they_are_inside_one_hash_tag()
    {
        Assert.Equal("app:rl:sw:{transcribe|user-42}", _keys.RateLimit(RateLimitAlgorithm.SlidingWindow, "transcribe", "user-42"));
        Assert.Equal("app:rl:tb:{transcribe}", _keys.RateLimit(RateLimitAlgorithm.TokenBucket, "transcribe", null));
        Assert.Equal("app:cb:{payments}:state", _keys.CircuitState(RedisKeys.Identity("payments", null)));
        Assert.Equal("app:cb:{payments}:lease", _keys.CircuitLease(RedisKeys.Identity("payments", null)));
        Assert.Equal("app:cb", _keys.CircuitChannel);
    }

    [Fact]
    public void Every_key_has_its_documented_layout_with_the_identity_as_hash_tag()
    {
        string identity = RedisKeys.Identity("Shop.Payments.ChargeAsync", "order-1");

        Assert.Equal("app:rl:fw:{transcribe|user-42}", _keys.RateLimit(RateLimitAlgorithm.FixedWindow, "transcribe", "user-42"));
        Assert.Equal("app:cf:{Shop.Prices.Get|sku-1}", _keys.CachedFallback("Shop.Prices.Get", "sku-1"));
        Assert.Equal("app:idem:{Shop.Payments.ChargeAsync|order-1}:result", _keys.IdempotencyResult(identity));
        Assert.Equal("app:idem:{Shop.Payments.ChargeAsync|order-1}:claim", _keys.IdempotencyClaim(identity));
        Assert.Equal("app:ckpt:{job-7}:list", _keys.CheckpointList("job-7"));
        Assert.Equal("app:ckpt:{job-7}:meta", _keys.CheckpointMeta("job-7"));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("z")]
    [InlineData("A")]
    [InlineData("Z")]
    [InlineData("0")]
    [InlineData("9")]
    [InlineData("._-")]
    [InlineData("azAZ09")]
    public void Letters_digits_and_dot_underscore_dash_are_written_as_they_are(string part)
    {
        Assert.Equal(part, RedisKeys.Part(part));
    }

    [Theory]
    [InlineData("a}b")]
    [InlineData("{a}")]
    [InlineData("a|b")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("é")]
    [InlineData("~abc")]
    public void Any_other_part_is_hashed_into_hex_after_a_tilde(string part)
    {
        string written = RedisKeys.Part(part);

        Assert.Matches("^~[0-9a-f]{64}$", written);
    }

    [Fact]
    public void A_part_that_is_too_long_is_hashed_and_distinct_values_stay_distinct()
    {
        string longPart = new('x', 65);

        Assert.StartsWith("~", RedisKeys.Part(longPart));
        Assert.Equal(new string('x', 64), RedisKeys.Part(new string('x', 64)));
        Assert.NotEqual(RedisKeys.Identity("a|b", null), RedisKeys.Identity("a", "b"));
        Assert.NotEqual(RedisKeys.Identity("a", "b|c"), RedisKeys.Identity("a|b", "c"));
        Assert.NotEqual(RedisKeys.Identity("a", ""), RedisKeys.Identity("a", null));
    }

    [Theory]
    [InlineData("", "KeyPrefix is empty")]
    [InlineData("app{1}", "contains '{'")]
    [InlineData("my app", "contains ' '")]
    public void A_bad_prefix_is_refused_with_what_to_use(string prefix, string expected)
    {
        var options = new RedisResilienceOptions { KeyPrefix = prefix };

        ArgumentException error = Assert.Throws<ArgumentException>(() => options.ValidatedCopy());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Timeouts_of_exactly_one_millisecond_are_allowed()
    {
        RedisResilienceOptions copy = new RedisResilienceOptions
        {
            OperationTimeout = TimeSpan.FromMilliseconds(1),
            IdempotencyClaimTimeout = TimeSpan.FromMilliseconds(1),
            RetryInterval = TimeSpan.Zero,
        }.ValidatedCopy();

        Assert.Equal(TimeSpan.FromMilliseconds(1), copy.OperationTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1), copy.IdempotencyClaimTimeout);
        Assert.Equal(TimeSpan.Zero, copy.RetryInterval);
    }

    [Fact]
    public void A_claim_timeout_under_one_millisecond_is_refused_with_what_it_must_be()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new RedisResilienceOptions { IdempotencyClaimTimeout = TimeSpan.FromTicks(9_999) }.ValidatedCopy());

        Assert.Equal("IdempotencyClaimTimeout", error.ParamName);
        Assert.Contains("it must be at least 1 ms (the instance running a key renews its claim every third of it)", error.Message);
    }

    [Fact]
    public void Timeouts_out_of_range_are_refused()
    {
        Assert.Contains("OperationTimeout", Assert.Throws<ArgumentException>(() => new RedisResilienceOptions { OperationTimeout = TimeSpan.Zero }.ValidatedCopy()).Message);
        Assert.Contains("RetryInterval", Assert.Throws<ArgumentException>(() => new RedisResilienceOptions { RetryInterval = TimeSpan.FromSeconds(-1) }.ValidatedCopy()).Message);
        Assert.Equal("resilience", new RedisResilienceOptions().KeyPrefix);
    }
}
