namespace Resilience.AspNetCore.Tests.App;

/// <summary>
/// The resilient methods the test application's endpoints call, built by the real generator. Each test starts from a
/// reset registry; the switches below make the calls fail or wait.
/// </summary>
public sealed partial class Catalog
{
    private volatile bool _stockFails;
    private TaskCompletionSource _reportGate = NewGate();

    /// <summary>When true, <see cref="StockAsync"/>'s operation throws.</summary>
    public bool StockFails
    {
        get => _stockFails;
        set => _stockFails = value;
    }

    /// <summary>Lets the calls of <see cref="ReportAsync"/> waiting now finish.</summary>
    public void ReleaseReports() => Interlocked.Exchange(ref _reportGate, NewGate()).TrySetResult();

    [RateLimit(2, 60_000, Algorithm = RateLimitAlgorithm.FixedWindow, Name = Names.SearchLimit)]
    public partial Task<string> SearchAsync(string query, CancellationToken cancellationToken);

    [RateLimit(1, 60_000, Algorithm = RateLimitAlgorithm.FixedWindow, Name = Names.CallerLimit)]
    public partial Task<string> PerCallerAsync([RateLimitKey] string caller, CancellationToken cancellationToken);

    [CircuitBreaker(1, BreakDurationMs = 30_000, Name = Names.Inventory)]
    public partial Task<int> StockAsync(int id, CancellationToken cancellationToken);

    /// <summary>A breaker without a name: it is named after this method.</summary>
    [CircuitBreaker(1, BreakDurationMs = 30_000)]
    public partial Task<string> UnnamedAsync(CancellationToken cancellationToken);

    [Bulkhead(1, Name = Names.Reports)]
    public partial Task<string> ReportAsync(CancellationToken cancellationToken);

    [Timeout(100)]
    public partial Task<string> SlowAsync(CancellationToken cancellationToken);

    /// <summary>Fails when <paramref name="fail"/> is true; the fallback answers then, and while the breaker is open.</summary>
    [CircuitBreaker(1_000, BreakDurationMs = 30_000, Name = Names.Recommendations)]
    [Fallback(nameof(Popular))]
    public partial Task<string> RecommendAsync(bool fail, CancellationToken cancellationToken);

    [CircuitBreaker(1_000, Name = Names.IsolatedDependency)]
    public partial Task<string> IsolatedAsync(CancellationToken cancellationToken);

    /// <summary>A breaker whose name cannot go into a header as it is.</summary>
    [CircuitBreaker(1_000, Name = Names.NonAsciiBreaker)]
    public partial Task<string> CafeAsync(CancellationToken cancellationToken);

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<string> SearchAsyncCore(string query, CancellationToken cancellationToken) => Task.FromResult("results for " + query);

    private Task<string> PerCallerAsyncCore(string caller, CancellationToken cancellationToken) => Task.FromResult("hello " + caller);

    private async Task<int> StockAsyncCore(int id, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return StockFails ? throw new InvalidOperationException($"Catalog.StockAsyncCore failed for item {id}.") : id * 10;
    }

    private Task<string> UnnamedAsyncCore(CancellationToken cancellationToken) => Task.FromResult("unnamed");

    private async Task<string> ReportAsyncCore(CancellationToken cancellationToken)
    {
        await Volatile.Read(ref _reportGate).Task.WaitAsync(cancellationToken);
        return "report";
    }

    private async Task<string> SlowAsyncCore(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return "never";
    }

    private async Task<string> RecommendAsyncCore(bool fail, CancellationToken cancellationToken)
    {
        // Off the request's thread, as a real call would be: the event must still find the request.
        await Task.Yield();
        return fail ? throw new HttpRequestException("Catalog.RecommendAsyncCore: the recommender failed.") : "personal";
    }

    private static string Popular(bool fail, CancellationToken cancellationToken) => "popular";

    private Task<string> IsolatedAsyncCore(CancellationToken cancellationToken) => Task.FromResult("isolated");

    private Task<string> CafeAsyncCore(CancellationToken cancellationToken) => Task.FromResult("café");
}
