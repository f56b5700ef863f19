namespace Resilience.Tests;

/// <summary>
/// The timeout on the real system clock, whose time is read from Environment.TickCount64 rather than through the
/// provider's timestamps. These wait real time, but assert outcomes only, never durations.
/// </summary>
public sealed class SystemClockTimeoutTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_timeout_on_the_system_clock_cancels_the_token()
    {
        TimeoutCancellationSource source = TimeoutCancellationSource.Rent(TimeSpan.FromMilliseconds(20), CancellationToken.None, TimeProvider.System);
        try
        {
            await Task.Delay(Timeout.Infinite, source.Token).WaitAsync(Guard).ContinueWith(_ => { }, TaskScheduler.Default);

            Assert.True(source.Token.IsCancellationRequested);
            Assert.True(source.HasTimedOut);
        }
        finally
        {
            source.Return();
        }
    }

    [Fact]
    public async Task A_timer_left_armed_by_a_short_rent_does_not_cancel_a_long_one()
    {
        // Returned at once: its timer stays armed for 20 ms. The next rent on this thread reuses the source.
        TimeoutCancellationSource.Rent(TimeSpan.FromMilliseconds(20), CancellationToken.None, TimeProvider.System).Return();
        TimeoutCancellationSource source = TimeoutCancellationSource.Rent(TimeSpan.FromSeconds(30), CancellationToken.None, TimeProvider.System);
        try
        {
            // Long past the first rent's 20 ms: its timer has fired and found 30 s left, and re-armed.
            await Task.Delay(200);

            Assert.False(source.Token.IsCancellationRequested);
            Assert.False(source.HasTimedOut);
        }
        finally
        {
            source.Return();
        }
    }
}
