using System.Diagnostics;
using Resilience;
using Resilience.Samples;
using static Resilience.Samples.ScriptedService.Step;

// A scripted inventory service that fails, stalls and gets overloaded, called through InventoryClient,
// whose methods are made resilient by attributes (see InventoryClient.cs). Each section shows one policy.
var inventory = new ScriptedService();
var client = new InventoryClient(inventory);
var summary = new List<string[]>();

await Run("Retry", "two failures, then an answer", "2 errors reach the caller", async () =>
{
    inventory.Script(Fail, Fail, Succeed);
    Output.Result($"stock = {await client.GetStockAsync("apple")}");
});

await Run("HTTP results", "a 503 and a 429 returned as responses; the 429 asks for one second", "the caller gets the 503", async () =>
{
    inventory.Script(Unavailable, Throttled, Succeed);
    using HttpResponseMessage response = await client.GetAvailabilityAsync("apple");
    Output.Result($"{(int)response.StatusCode} {response.ReasonPhrase}: {await response.Content.ReadAsStringAsync()}");
});

await Run("Timeout", "an attempt that stalls is cancelled after 300 ms, and retried", $"the caller waits {ScriptedService.StallTime.TotalSeconds:0} s", async () =>
{
    inventory.Script(Stall, Succeed);
    Output.Result($"stock = {await client.GetStockAsync("pear")}");
});

await Run("Circuit breaker", "three failures open it; then the fallback answers without calling the service", "4 errors, and 3 more calls to a failing service", async () =>
{
    inventory.Script(Fail, Fail, Fail);
    Output.Result($"stock = {await client.GetStockAsync("plum")}");
    CircuitBreakerState breaker = ResilienceRegistry.Default.CircuitBreaker("inventory");
    Output.Note($"breaker '{breaker.Name}' is {breaker.State}");
    for (int i = 0; i < 3; i++)
    {
        Output.Result($"stock = {await client.GetStockAsync("plum")}");
    }

    Output.Note("after the 1 s break, one probe call is let through; it succeeds and closes the breaker");
    await Task.Delay(1_100);
    Output.Result($"stock = {await client.GetStockAsync("plum")}");
    Output.Note($"breaker '{breaker.Name}' is {breaker.State}");
});

await Run("Bulkhead", "five calls at once; two run, the others are turned away at once", "5 calls pile on an overloaded service", async () =>
{
    Task<int>[] calls = Enumerable.Range(0, 5).Select(_ => client.GetPriceAsync("apple")).ToArray();
    foreach (Task<int> call in calls)
    {
        try
        {
            Output.Result($"price = {await call}");
        }
        catch (BulkheadRejectedException e)
        {
            Output.Rejected(e.Message);
        }
    }
});

await Run("Rate limit", "three calls a second; the next are refused with a retry-after", "the service takes all 5 calls", async () =>
{
    for (int i = 0; i < 5; i++)
    {
        try
        {
            Output.Result($"quote = {await client.GetQuoteAsync("apple")}");
        }
        catch (RateLimitRejectedException e)
        {
            Output.Rejected($"refused; retry after {e.RetryAfter?.TotalMilliseconds:0} ms");
        }
    }
});

Output.Section("Summary");
Output.Table(["policy", "calls", "successes", "retries", "rejections", "fallbacks", "time", "without the policies"], summary);

// Runs one section and records what it did: calls that reached the service, retries, rejections, fallbacks.
async Task Run(string policy, string title, string without, Func<Task> section)
{
    Output.Section($"{policy}: {title}");
    (int calls, int successes, int retries, int fallbacks, long rejections) = (inventory.Calls, inventory.Successes, client.Retries, client.Fallbacks, Rejections());
    var watch = Stopwatch.StartNew();
    await section();
    summary.Add([
        policy,
        (inventory.Calls - calls).ToString(),
        (inventory.Successes - successes).ToString(),
        (client.Retries - retries).ToString(),
        (Rejections() - rejections).ToString(),
        (client.Fallbacks - fallbacks).ToString(),
        $"{watch.Elapsed.TotalSeconds:0.0} s",
        without,
    ]);
}

// Rejections by every breaker, bulkhead and rate limit so far.
long Rejections()
    => ResilienceRegistry.Default.CircuitBreakers.Sum(b => b.GetMetrics().Rejections)
        + ResilienceRegistry.Default.Bulkheads.Sum(b => b.RejectionCount)
        + ResilienceRegistry.Default.RateLimiters.Sum(l => l.RejectionCount);
