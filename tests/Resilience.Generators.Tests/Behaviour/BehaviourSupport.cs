using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Generators.Tests.Behaviour;

/// <summary>
/// Every test that goes through <see cref="ResilienceRegistry.Default"/> (that is, every call of a generated method)
/// belongs to this collection: the registry and its clock are process-wide, so these tests run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RegistryCollection
{
    public const string Name = "Registry";
}

/// <summary>
/// The base of the behaviour tests: each test starts from a reset registry whose clock is a fresh
/// <see cref="TestClock"/>, and resets the registry (back to the system clock) when it ends.
/// </summary>
public abstract class RegistryTest : IDisposable
{
    /// <summary>How long a test waits for something that should happen promptly before it fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    protected RegistryTest()
    {
        ResilienceRegistry.Default.Reset();
        Clock = new TestClock();
        ResilienceRegistry.Default.TimeProvider = Clock;
    }

    protected TestClock Clock { get; }

    protected static ResilienceRegistry Registry => ResilienceRegistry.Default;

    public void Dispose()
    {
        ResilienceRegistry.Default.Reset();
        GC.SuppressFinalize(this);
    }

    protected static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>Spins until <paramref name="condition"/> holds (another thread or a timer makes it true), failing after <see cref="HangGuard"/>.</summary>
    protected static void WaitUntil(Func<bool> condition, string what)
        => Assert.True(SpinWait.SpinUntil(condition, HangGuard), $"Timed out waiting until {what}.");

    /// <summary>Waits until the clock has had <paramref name="count"/> timers created on it (a delay or a wait has started).</summary>
    protected void WaitForTimers(int count)
        => WaitUntil(() => Clock.TimersCreated >= count, $"{count} timer(s) were created on the fake clock (so far {Clock.TimersCreated})");

    /// <summary>
    /// Waits until a delay of <paramref name="dueTime"/> has started on the clock. Unlike <see cref="WaitForTimers"/>
    /// it cannot be satisfied early by a timeout's timer, whose creation depends on what the pool holds.
    /// </summary>
    protected void WaitForDelay(TimeSpan dueTime)
        => WaitUntil(() => Clock.TimersCreatedDue(dueTime) > 0, $"a delay of {dueTime.TotalMilliseconds} ms started on the fake clock");

    /// <summary>The bulkhead of this name, from the registry.</summary>
    protected static BulkheadState Bulkhead(string name) => Registry.Bulkheads.Single(b => b.Name == name);
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it, so that a test can wait until a call
/// running on another thread has started its delay before advancing the clock past it.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TimeSpan, int> _createdDue = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _dueTimes = new();
    private int _timersCreated;

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    /// <summary>The due time of every timer created so far, in order: the length of each delay started on the clock.</summary>
    public TimeSpan[] DueTimes => [.. _dueTimes];

    /// <summary>
    /// How many timers were created already due after <paramref name="dueTime"/> (a delay such as a retry's, as
    /// opposed to a timeout source's timer, which is created unarmed and armed later).
    /// </summary>
    public int TimersCreatedDue(TimeSpan dueTime) => _createdDue.TryGetValue(dueTime, out int count) ? count : 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _createdDue.AddOrUpdate(dueTime, 1, static (_, count) => count + 1);
        _dueTimes.Enqueue(dueTime);
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }
}

/// <summary>
/// Counts the <see cref="ResilienceRejectedException"/>s thrown (first-chance) by the code of the test that created
/// it, wherever its continuations run: the filter is an <see cref="AsyncLocal{T}"/> flag that flows with the test's
/// execution context, so exceptions thrown by other tests running in parallel are not counted.
/// </summary>
public sealed class FirstChanceRejections : IDisposable
{
    private static readonly AsyncLocal<FirstChanceRejections?> s_current = new();
    private int _count;

    public FirstChanceRejections()
    {
        s_current.Value = this;
        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
    }

    /// <summary>Rejections thrown since the counter was created or last cleared.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Clear() => Volatile.Write(ref _count, 0);

    public void Dispose()
    {
        AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
        s_current.Value = null;
    }

    private void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (e.Exception is ResilienceRejectedException && ReferenceEquals(s_current.Value, this))
        {
            Interlocked.Increment(ref _count);
        }
    }
}

/// <summary>What a test's <c>{Name}Core</c> does on each call: a counter and a replaceable body.</summary>
public sealed class CoreScript
{
    private int _calls;

    /// <summary>Calls of the core so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The body of an asynchronous core: (call number from 1, the token the core received) → result.</summary>
    public Func<int, CancellationToken, Task<int>> Async { get; set; } = static (call, _) => Task.FromResult(call);

    /// <summary>The body of a synchronous core: (call number from 1, the token the core received) → result.</summary>
    public Func<int, CancellationToken, int> Sync { get; set; } = static (call, _) => call;

    public Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        try
        {
            return Async(call, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<int>(e);
        }
    }

    public int Run(CancellationToken cancellationToken = default) => Sync(Interlocked.Increment(ref _calls), cancellationToken);

    /// <summary>Waits until <paramref name="cancellationToken"/> is cancelled, then throws the cancellation, as well-behaved I/O does.</summary>
    public static async Task<int> UntilCancelled(CancellationToken cancellationToken)
    {
        await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return -1;
    }

    /// <summary>Blocks the thread until <paramref name="cancellationToken"/> is cancelled, then throws the cancellation.</summary>
    public static int BlockUntilCancelled(CancellationToken cancellationToken)
    {
        cancellationToken.WaitHandle.WaitOne(RegistryTest.HangGuard);
        cancellationToken.ThrowIfCancellationRequested();
        return -1;
    }
}
