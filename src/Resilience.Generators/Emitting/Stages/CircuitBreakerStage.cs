using System;

namespace Resilience.Generators;

/// <summary>
/// [CircuitBreaker]: a permit per attempt from the shared breaker (or its partition for the call's [CircuitBreakerKey]),
/// and the attempt's outcome reported to it.
/// </summary>
internal sealed class CircuitBreakerStage : StartStage
{
    /// <summary>What the breaker's field is named after.</summary>
    public const string Role = "CircuitBreaker";

    private const string Permit = "§permit";

    /// <summary>The local that holds the call's partition of a breaker kept per key.</summary>
    private const string Partition = "§breaker";

    // Named in full, never 'var': a type named 'var' in the user's scope would take its place.
    private const string PermitType = Literals.Runtime + "CircuitBreakerPermit";

    private readonly CircuitBreakerSpec _breaker;

    public CircuitBreakerStage(CircuitBreakerSpec breaker)
    {
        _breaker = breaker;
        State = SharedState.PerKey("CircuitBreaker", Role, breaker.Name, breaker.Key, Literals.Options("CircuitBreakerOptions", breaker.Settings));
    }

    public override string StartDescription => "the breaker";

    public override Carried Carried { get; } = new($"{Literals.Runtime}CircuitBreakerPermit", "§firstPermit", Permit);

    public override SharedState State { get; }

    /// <summary>A breaker kept per key is left to its first call: its key type may not be visible outside the type that uses it.</summary>
    public override bool RegistersAtLoad => _breaker.Key is null;

    /// <summary>The permit is given back in the breaker's handler, which a jump to the fallback from inside it skips.</summary>
    public override bool GivesBackInHandler => true;

    public override bool GoesToFallback(FallbackSpec fallback) => fallback.HandlesBrokenCircuit;

    public override bool GoesToCachedFallback(CachedFallbackSpec cache) => cache.HandlesBrokenCircuit;

    /// <summary>Whether <paramref name="result"/> counts as a failure; null when the breaker judges no result.</summary>
    public string? ResultJudge(MethodContext m, string result) => m.ResultJudge(_breaker.HandleResult, result);

    public override string WriteStart(MethodContext m, SynchronousStart start, string token)
    {
        WritePartition(m);
        string field = Breaker(m);
        m.Writer.Line($"if (!{field}.TryEnter(out {PermitType} {Permit}))");
        // A cached fallback answers an open circuit first, in the helper, where its look-up may wait.
        if (m.Pipeline.Fallback is { AnswersOpenCircuitAtOnce: true } fallback && m.Pipeline.CachedFallback is null)
        {
            fallback.WriteAnswerAtOnce(m, $"{field}.CreateRejection()", () => start.GiveBackBefore(this));
        }
        else
        {
            start.HandOffRefused(this);
        }

        m.Writer.Blank();
        return token;
    }

    public override void WriteStartSuccess(MethodContext m) => WriteRecord(m, "RecordSuccess");

    /// <summary>Reports that the attempt ended in a way the breaker does not count, which frees a probe's slot.</summary>
    public override void WriteGiveBack(MethodContext m) => WriteRecord(m, "RecordIgnored");

    /// <summary>Finds the call's partition of a breaker kept per key once, before the attempts.</summary>
    public override void WriteLocals(MethodContext m) => WritePartition(m);

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        string field = Breaker(m);
        if (m.ResumesStart)
        {
            // A refusal in the synchronous start was counted there; the breaker is not asked again.
            w.Line($"{PermitType} {Permit} = {Carried.Parameter};");
            w.Line($"if (§resume == {Literals.Number(m.Pipeline.BreakerRefused)} || ({m.UnlessStarted(this)}!{field}.TryEnter(out {Permit})))");
        }
        else
        {
            w.Line($"if (!{field}.TryEnter(out {PermitType} {Permit}))");
        }

        m.WriteRejection(this, field);
        w.Blank();
        w.Open("try");
        inner(token);
        w.Close();
        w.Line($"catch ({Literals.Exception} §breakerError)");
        w.Open();

        // Only the caller's cancellation is neutral: a total timeout cutting an attempt short is a timeout, and a timeout is a failure.
        string counts = ExceptionFilter.Condition("§breakerError", m.Method.CancellationToken, rejections: true, _breaker.Handle, _breaker.Ignore);
        if (m.Pipeline.TotalTimeout is { } total)
        {
            counts = $"(§breakerError is {Literals.OperationCanceled} && {total.Source}.HasTimedOut) || ({counts})";
        }

        w.Line($"if ({counts})");
        w.Open();
        WriteRecord(m, "RecordFailure");
        w.Close();
        w.Open("else");
        WriteGiveBack(m);
        w.Close();
        w.Blank();
        w.Line("throw;");
        w.Close();
        w.Blank();
        if (ResultJudge(m, CoreStage.Result) is { } judge)
        {
            w.Line($"if ({judge})");
            w.Open();

            // A failed response may ask, by its Retry-After, for the breaker to stay open longer (HonorRetryAfter).
            WriteRecord(m, "RecordFailure", m.Method.ResultIsHttpResponse ? CoreStage.Result : null);
            w.Close();
            w.Open("else");
            WriteRecord(m, "RecordSuccess");
            w.Close();
        }
        else
        {
            WriteRecord(m, "RecordSuccess");
        }

        w.Blank();
    }

    private void WriteRecord(MethodContext m, string outcome, string? response = null)
        => m.Writer.Line($"{Breaker(m)}.{outcome}(in {Permit}{(response is null ? string.Empty : ", " + response)});");

    /// <summary>The breaker the call goes through: the shared one, or the local holding its partition.</summary>
    private string Breaker(MethodContext m) => _breaker.Key is null ? m.MemberName(Role) : Partition;

    /// <summary>Declares the local holding the call's partition, for a breaker kept per key.</summary>
    private void WritePartition(MethodContext m)
    {
        if (_breaker.Key is { } key)
        {
            m.Writer.Line($"{Literals.Runtime}CircuitBreakerState {Partition} = {PartitionOf(m.MemberName(Role), key)};");
        }
    }
}
