using System;
using System.Collections.Generic;

namespace Resilience.Generators;

/// <summary>
/// [CachedFallback], just inside the fallback: each good result is kept per arguments, and a failure that passes its
/// filter (an exception, a handled result, a rejection that comes to it) is answered with the last good result for the
/// same arguments while it is young enough. A miss goes on as if the cache were not there.
/// </summary>
internal sealed class CachedFallbackStage : Stage
{
    /// <summary>What the cache's field is named after.</summary>
    public const string Role = "CachedFallback";

    /// <summary>The local holding the call's key.</summary>
    private const string Key = "§cacheKey";

    /// <summary>The local a synchronous look-up writes the result to.</summary>
    private const string Cached = "§cached";

    /// <summary>The local an asynchronous look-up writes its answer to.</summary>
    private const string Answer = "§cacheAnswer";

    private readonly ResilientMethodSpec _method;
    private readonly CachedFallbackSpec _cache;

    public CachedFallbackStage(ResilientMethodSpec method, CachedFallbackSpec cache)
    {
        _method = method;
        _cache = cache;
        State = new(
            $"CachedFallbackState<{KeyType}, {method.ResultType}>",
            Role,
            method.PolicyName,
            $"GetOrAddCachedFallback<{KeyType}, {method.ResultType}>({Literals.String(method.PolicyName)}, {Literals.String(method.TelemetryPolicy)}, "
                + $"{Literals.Options("CachedFallbackOptions", cache.Settings)}, {KeyText})");
    }

    public override SharedState State { get; }

    /// <summary>True when the cache answers the rejection of <paramref name="stage"/>.</summary>
    public bool Answers(Stage stage) => stage.GoesToCachedFallback(_cache);

    /// <summary>
    /// Whether a result is a failure the cache answers (and never keeps): its own <c>HandleResult</c>, else the one the
    /// pipeline judges results by (the fallback's, the hedging's, the retry's, the breaker's); null when none judges results.
    /// </summary>
    public string? ResultJudge(MethodContext m, string result)
        => m.ResultJudge(_cache.HandleResult, result)
            ?? m.Pipeline.Fallback?.ResultJudge(m, result)
            ?? m.Pipeline.Hedging?.ResultJudge(m, result)
            ?? m.Pipeline.Retry?.ResultJudge(m, result)
            ?? m.Pipeline.CircuitBreaker?.ResultJudge(m, result);

    public override void WriteLocals(MethodContext m)
    {
        m.Writer.Line($"{KeyType} {Key} = {KeyValue};");
        m.Writer.Line(m.IsAsync ? $"{AnswerType} {Answer};" : $"{_method.ResultType} {Cached} = default!;");
    }

    public override void WriteBody(MethodContext m, string token, Action<string> inner)
    {
        IndentedWriter w = m.Writer;
        w.Open("try");
        inner(token);
        w.Close();

        string filter = ExceptionFilter.Condition("§cacheError", _method.CancellationToken, rejections: false, _cache.Handle, EquatableArray<string>.Empty);
        w.Line(filter == "true" ? $"catch ({Literals.Exception} §cacheError)" : $"catch ({Literals.Exception} §cacheError) when ({filter})");
        w.Open();
        WriteAnswer(m, "§cacheError");
        w.Line("throw;");
        w.Close();
        w.Blank();

        string store = $"{m.MemberName(Role)}.Store({Key}, {CoreStage.Result});";
        if (ResultJudge(m, CoreStage.Result) is { } judge)
        {
            w.Line($"if ({judge})");
            w.Open();
            WriteAnswer(m, "null", discardResult: true);
            w.Close();
            w.Open("else");
            w.Line(store);
            w.Close();
        }
        else
        {
            w.Line(store);
        }

        w.Blank();
    }

    /// <summary>Keeps the result of the synchronous start's call, which completed successfully with a result no stage judges a failure.</summary>
    public void WriteStartStore(MethodContext m)
        => m.Writer.Line($"{m.MemberName(Role)}.Store({KeyValue}, {CoreStage.Call}.Result);");

    /// <summary>
    /// Answers <paramref name="failure"/> from the cache when it has a result for the call's arguments: the call returns
    /// it, after <paramref name="beforeReturn"/> gives back what the stages around hold. Nothing is written for a miss,
    /// after which the code that follows goes on with the failure.
    /// </summary>
    /// <param name="failure">The exception or rejection answered; <c>null</c> for a result handled as a failure.</param>
    /// <param name="discardResult">True when the failed result is let go of (disposed where it may be) once a kept one answers.</param>
    public void WriteAnswer(MethodContext m, string failure, bool discardResult = false, Action? beforeReturn = null)
    {
        IndentedWriter w = m.Writer;
        string field = m.MemberName(Role);
        string answered;
        if (m.IsAsync)
        {
            w.Line($"if (({Answer} = await {field}.TryAnswerAsync({Key}, {failure}, {m.CallerToken}).ConfigureAwait(false)).Found)");
            answered = Answer + ".Result";
        }
        else
        {
            w.Line($"if ({field}.TryAnswer({Key}, {failure}, out {Cached}))");
            answered = Cached;
        }

        w.Open();
        if (discardResult)
        {
            m.WriteDiscard(CoreStage.Result);
        }

        beforeReturn?.Invoke();
        w.Line($"{m.TelemetryField}.RecordCachedFallback(§started);");
        w.Line($"return {answered};");
        w.Close();
    }

    private string AnswerType => $"{Literals.Runtime}CachedFallbackAnswer<{_method.ResultType}>";

    /// <summary>The key's type: the key parameters as a value tuple (<c>ValueTuple</c> for none, <c>ValueTuple&lt;T&gt;</c> for one).</summary>
    private string KeyType => _cache.Key.Count switch
    {
        0 => "global::System.ValueTuple",
        1 => $"global::System.ValueTuple<{_cache.Key[0].Type}>",
        _ => "(" + string.Join(", ", Select(part => part.Type)) + ")",
    };

    /// <summary>The call's key.</summary>
    private string KeyValue => _cache.Key.Count switch
    {
        0 => "default(global::System.ValueTuple)",
        1 => $"new {KeyType}({_cache.Key[0].Value})",
        _ => "(" + string.Join(", ", Select(part => part.Value)) + ")",
    };

    /// <summary>The lambda that writes a key as text, for a shared store: each part by its kind, joined.</summary>
    private string KeyText
    {
        get
        {
            if (_cache.Key.Count == 0)
            {
                return "§key => string.Empty";
            }

            var parts = new List<string>(_cache.Key.Count);
            for (int i = 0; i < _cache.Key.Count; i++)
            {
                parts.Add(_cache.Key[i].Text.Replace("{0}", "§key.Item" + Literals.Number(i + 1)));
            }

            return $"§key => {Literals.Runtime}CachedFallbackKey.Join({string.Join(", ", parts)})";
        }
    }

    private IEnumerable<string> Select(Func<CacheKeyPart, string> part)
    {
        foreach (CacheKeyPart key in _cache.Key)
        {
            yield return part(key);
        }
    }
}
