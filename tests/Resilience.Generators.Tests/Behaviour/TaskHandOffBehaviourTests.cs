namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// A Task&lt;T&gt; method whose helper finishes on whichever thread its core's continuation runs: each call's result
/// names the call, so a result handed to the wrong call is seen.
/// </summary>
public partial class HandOffSubject
{
    public const string Name = "hand-off";

    [CircuitBreaker(1_000_000, Name = Name)]
    [Fallback(nameof(Answer))]
    public partial Task<string> GetAsync(int call, bool fail);

    private async Task<string> GetAsyncCore(int call, bool fail)
    {
        await Task.Yield();
        return fail ? throw new InvalidOperationException($"HandOffSubject.GetAsyncCore: call {call} fails.") : "core " + call;
    }

    private static string Answer(int call, bool fail) => "fallback " + call;
}

[Collection(RegistryCollection.Name)]
public sealed class TaskHandOffBehaviourTests : RegistryTest
{
    [Fact]
    public async Task Calls_that_finish_on_other_threads_each_get_their_own_result()
    {
        const int Workers = 16;
        const int CallsEach = 20_000;
        var subject = new HandOffSubject();
        string? firstWrong = null;
        int wrong = 0;

        Task[] workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < CallsEach; i++)
            {
                int call = (worker * CallsEach) + i;
                bool fail = i % 2 == 1;
                string expected = (fail ? "fallback " : "core ") + call;
                string answer = await subject.GetAsync(call, fail);
                if (answer != expected && Interlocked.Increment(ref wrong) == 1)
                {
                    firstWrong = $"call {call} expected \"{expected}\" but got \"{answer}\"";
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(wrong == 0, $"{wrong} of {Workers * CallsEach} calls got another call's result; the first: {firstWrong}.");
    }
}
