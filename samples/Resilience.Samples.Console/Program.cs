using Resilience;
using Resilience.Samples;
using static Resilience.Samples.ScriptedService.Step;

var inventory = new ScriptedService();
var client = new InventoryClient(inventory);
CircuitBreakerState breaker;

Output.Section("Retry: two failures, then an answer");
inventory.Script(Fail, Fail, Succeed);
Output.Result($"stock = {await client.GetStockAsync("apple")} after {inventory.Calls} calls");

Output.Section("Timeout: an attempt that hangs is cancelled after 300 ms, and retried");
inventory.Script(Hang, Succeed);
Output.Result($"stock = {await client.GetStockAsync("pear")}");

Output.Section("Circuit breaker: three failures open it; the fallback answers without calling the service");
inventory.Script(Fail, Fail, Fail);
Output.Result($"stock = {await client.GetStockAsync("plum")}");
breaker = ResilienceRegistry.Default.CircuitBreaker("inventory");
Output.Note($"breaker '{breaker.Name}' is {breaker.State}");
int before = inventory.Calls;
Output.Result($"stock = {await client.GetStockAsync("plum")}, service calls made: {inventory.Calls - before}");

Output.Section("Half-open: after the 1 s break, one probe succeeds and closes the breaker");
await Task.Delay(1_100);
Output.Result($"stock = {await client.GetStockAsync("plum")}");
Output.Note($"breaker '{breaker.Name}' is {breaker.State}");

Output.Section("Bulkhead: two calls at once; the third is rejected");
Task<decimal>[] calls = Enumerable.Range(0, 3).Select(_ => client.GetPriceAsync("apple")).ToArray();
foreach (Task<decimal> call in calls)
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

Output.Section("Rate limit: five calls per second; the next must wait");
for (int i = 0; i < 4; i++)
{
    try
    {
        await client.GetPriceAsync("apple");
        Output.Result($"call {i + 1} passed");
    }
    catch (RateLimitRejectedException e)
    {
        Output.Rejected($"{e.Message} (RetryAfter = {e.RetryAfter?.TotalMilliseconds:0} ms)");
    }
}

Output.Section("Summary");
CircuitBreakerMetrics metrics = breaker.GetMetrics();
Output.Note($"breaker '{breaker.Name}': {metrics.Calls} calls, {metrics.Successes} succeeded, {metrics.Failures} failed, {metrics.Rejections} rejected, error rate {metrics.ErrorRate:P0}");
Output.Note($"service calls in all: {inventory.Calls}");
