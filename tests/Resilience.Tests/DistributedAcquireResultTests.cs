namespace Resilience.Tests;

/// <summary>What a distributed store answers to a request for permits.</summary>
public sealed class DistributedAcquireResultTests
{
    private static readonly RateLimitInfo s_info = new(5, 4, new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), TimeSpan.Zero);

    [Fact]
    public void An_admission_of_one_permit_is_an_answer_that_took_one()
    {
        DistributedAcquireResult result = DistributedAcquireResult.Admitted(s_info);

        Assert.True(result.IsAvailable);
        Assert.True(result.Acquired);
        Assert.Equal(1, result.Granted);
        Assert.Equal(s_info, result.Info);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void An_admission_takes_the_permits_it_names_from_one_up(int granted)
    {
        DistributedAcquireResult result = DistributedAcquireResult.Admitted(s_info, granted);

        Assert.True(result.IsAvailable);
        Assert.True(result.Acquired);
        Assert.Equal(granted, result.Granted);
    }

    [Fact]
    public void An_admission_of_no_permit_is_refused_in_favour_of_a_rejection()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DistributedAcquireResult.Admitted(s_info, 0));

        Assert.Equal("granted", error.ParamName);
        DistributedAcquireResult rejected = DistributedAcquireResult.Rejected(s_info);
        Assert.True(rejected.IsAvailable);
        Assert.False(rejected.Acquired);
        Assert.False(DistributedAcquireResult.Unavailable.IsAvailable);
    }
}
