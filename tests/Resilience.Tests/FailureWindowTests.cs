namespace Resilience.Tests;

/// <summary>
/// The sliding window behind a ratio breaker and the slow-call rule: which calls it still counts at each moment. Times
/// are in ticks, as the breaker gives them.
/// </summary>
public sealed class FailureWindowTests
{
    [Fact]
    public void A_window_sees_between_nine_tenths_and_all_of_its_duration()
    {
        var window = new FailureWindow(samplingTicks: 100);
        window.Record(0, failure: true);
        window.Record(95, failure: false);

        Assert.Equal((2, 1), window.Sum(99));
        Assert.Equal((1, 0), window.Sum(100));
        Assert.Equal((1, 0), window.Sum(189));
        Assert.Equal((0, 0), window.Sum(190));
    }

    [Fact]
    public void A_window_shorter_than_ten_ticks_has_a_bucket_per_tick_and_sees_exactly_its_duration()
    {
        var window = new FailureWindow(samplingTicks: 5);
        window.Record(0, failure: true);
        window.Record(4, failure: false);

        Assert.Equal((2, 1), window.Sum(4));
        Assert.Equal((1, 0), window.Sum(5));
        Assert.Equal((1, 0), window.Sum(8));
        Assert.Equal((0, 0), window.Sum(9));
    }

    [Fact]
    public void A_cleared_window_forgets_every_call()
    {
        var window = new FailureWindow(samplingTicks: 100);
        window.Record(10, failure: true);
        window.Record(20, failure: false);

        window.Clear();

        Assert.Equal((0, 0), window.Sum(20));
        window.Record(20, failure: true);
        Assert.Equal((1, 1), window.Sum(20));
    }
}
