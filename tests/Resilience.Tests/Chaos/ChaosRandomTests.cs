namespace Resilience.Tests.Chaos;

/// <summary>The seeded draws behind chaos injection: SplitMix64, so that a seed gives a run that can be repeated anywhere.</summary>
public sealed class ChaosRandomTests
{
    // The first outputs of SplitMix64 seeded with 1234567, as published with its definition (Rosetta Code,
    // "Pseudo-random numbers/Splitmix64", and the reference splitmix64.c).
    private const int PublishedSeed = 1234567;
    private static readonly ulong[] s_publishedOutputs =
    [
        6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL,
    ];

    [Fact]
    public void A_seeded_sequence_is_SplitMix64_as_published_each_output_making_a_draw_of_its_top_53_bits()
    {
        var random = new ChaosRandom(PublishedSeed);

        double[] draws = s_publishedOutputs.Select(_ => random.NextDouble()).ToArray();

        Assert.Equal(s_publishedOutputs.Select(Draw), draws);
        Assert.All(draws, d => Assert.InRange(d, 0.0, Math.BitDecrement(1.0)));
    }

    [Fact]
    public void A_rate_of_zero_draws_nothing_and_leaves_the_sequence_alone()
    {
        var random = new ChaosRandom(PublishedSeed);

        Assert.False(random.Chance(0));
        Assert.False(random.Chance(0));

        Assert.Equal(Draw(s_publishedOutputs[0]), random.NextDouble());
    }

    [Fact]
    public void A_chance_is_taken_when_the_draw_is_below_the_rate_and_not_when_it_equals_it()
    {
        // So that a rate r is taken with probability r exactly: the draws are the multiples of 2^-53 in [0, 1).
        double firstDraw = Draw(s_publishedOutputs[0]);

        Assert.False(new ChaosRandom(PublishedSeed).Chance(firstDraw));
        Assert.True(new ChaosRandom(PublishedSeed).Chance(Math.BitIncrement(firstDraw)));
    }

    private static double Draw(ulong output) => Math.ScaleB((double)(output >> 11), -53);
}
