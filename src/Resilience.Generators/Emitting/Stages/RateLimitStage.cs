using System;

namespace Resilience.Generators;

/// <summary>[RateLimit]: a permit per call, from the limit or from its partition for the call's key.</summary>
internal sealed class RateLimitStage : StartStage
{
    /// <summary>What the limit's field is named after.</summary>
    public const string Role = "RateLimit";

    private readonly RateLimitSpec _limit;

    public RateLimitStage(RateLimitSpec limit)
    {
        _limit = limit;
        State = SharedState.PerKey("RateLimiter", Role, limit.Name, limit.Key, Literals.Options("RateLimitOptions", limit.Settings));
    }

    public override string StartDescription => "the rate limit";

    public override SharedState State { get; }

    /// <summary>A limit kept per key is left to its first call: its key type may not be visible outside the type that uses it.</summary>
    public override bool RegistersAtLoad => _limit.Key is null;

    public override bool GoesToFallback(FallbackSpec fallback) => fallback.HandlesRateLimitRejection;

    public override bool GoesToCachedFallback(CachedFallbackSpec cache) => cache.HandlesRateLimitRejection;

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        m.Writer.Line($"{Literals.Runtime}RateLimiterState §limiter = {Limiter(m)};");
        m.Writer.Line("if (!§limiter.TryAcquire())");
        start.HandOff(done: Ordinal - 1);
        m.Writer.Blank();
        return token;
    }

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        m.Writer.Line($"{Literals.Runtime}RateLimiterState §limiter = {Limiter(m)};");
        m.Writer.Line($"if ({m.UnlessStarted(this)}!{m.Wait("§limiter", "Acquire", token)})");
        m.WriteRejection(this, "§limiter");
        m.Writer.Blank();
        inner(token);
    }

    /// <summary>The limit, or its partition for the call's key.</summary>
    private string Limiter(MethodContext m) => PartitionOf(m.MemberName(Role), _limit.Key);
}
