namespace Resilience.Generators.Tests.Behaviour;

public partial class CachedFallbackAllocationSubject
{
    [Retry(3)]
    [CircuitBreaker(5)]
    [CachedFallback(60_000)]
    public partial int Get(int x, CancellationToken cancellationToken);

    private int GetCore(int x, CancellationToken cancellationToken) => x + 1;

    [Retry(3)]
    [CircuitBreaker(5)]
    [CachedFallback(60_000)]
    public partial ValueTask<int> GetAsync(int x, CancellationToken cancellationToken);

    private ValueTask<int> GetAsyncCore(int x, CancellationToken cancellationToken) => new(x + 1);
}

/// <summary>
/// What keeping each good result costs on the happy path: for arguments already kept, one entry of 32 bytes (a result and
/// its time; for an <c>int</c> or a reference) a call, whatever the method's shape; nothing else. Measured exactly over
/// 100 000 calls with <see cref="GC.GetAllocatedBytesForCurrentThread"/>, on the system clock as the other allocation tests.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class CachedFallbackAllocationTests : RegistryTest
{
    private const int Calls = 100_000;
    private const int WarmUpCalls = 10_000;
    private const long EntryBytes = 32;

    private readonly CachedFallbackAllocationSubject _subject = new();

    public CachedFallbackAllocationTests() => Registry.TimeProvider = TimeProvider.System;

    [Fact]
    public void Storing_the_result_of_a_synchronous_call_allocates_one_entry()
    {
        AssertAllocatesOneEntryPerCall(calls =>
        {
            long sum = 0;
            for (int i = 0; i < calls; i++)
            {
                sum += _subject.Get(42, CancellationToken.None);
            }

            return sum;
        });
    }

    [Fact]
    public void Storing_the_result_of_a_synchronously_completed_ValueTask_allocates_one_entry()
    {
        AssertAllocatesOneEntryPerCall(calls =>
        {
            long sum = 0;
            for (int i = 0; i < calls; i++)
            {
                ValueTask<int> pending = _subject.GetAsync(42, CancellationToken.None);
                Assert.True(pending.IsCompletedSuccessfully);
                sum += pending.Result;
            }

            return sum;
        });
    }

    private static void AssertAllocatesOneEntryPerCall(Func<int, long> call)
    {
        call(WarmUpCalls);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = call(Calls);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(43L * Calls, sum);
        Assert.Equal(EntryBytes * Calls, bytes);
    }
}
