namespace Resilience.Tests.Internal;

// The draws are random (seeded from the process' tick count), so each statistical bound below is one that a good
// generator breaks with a probability under one in a billion; a broken one breaks it at once.
public sealed class ThreadSafeRandomTests
{
    private const int Draws = 100_000;

    [Fact]
    public void The_generator_is_xorshift64_star_as_published()
    {
        // From state 1, by the published definition (x ^= x >> 12; x ^= x << 25; x ^= x >> 27; output x * M32): a
        // generator whose statistical quality is documented, not one that merely looks random over a test's draws.
        ulong state = 1;
        var outputs = new ulong[4];
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = ThreadSafeRandom.Next(ref state);
        }

        Assert.Equal(new[] { 0x47E4CE4B896CDD1DUL, 0xABCFA6A8E079651DUL, 0xB9D10D8FEB731F57UL, 0x4DB418A0BB1B019DUL }, outputs);
        Assert.Equal(0x200340A005480E81UL, state);
    }

    [Fact]
    public void Threads_are_seeded_by_SplitMix64_as_published()
    {
        // The first outputs of SplitMix64 seeded with 1234567 (Rosetta Code, "Pseudo-random numbers/Splitmix64", and
        // the reference splitmix64.c): each is the output function of the seed advanced by the golden gamma k times.
        ulong[] published = [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL];

        ulong[] seeds = Enumerable.Range(1, published.Length)
            .Select(k => ThreadSafeRandom.Mix(unchecked(1234567UL + ((ulong)k * 0x9E3779B97F4A7C15UL))))
            .ToArray();

        Assert.Equal(published, seeds);
    }

    [Fact]
    public void The_top_53_bits_of_an_output_make_the_draw()
    {
        Assert.Equal(0.0, ThreadSafeRandom.ToUnitInterval(0));
        Assert.Equal(0.0, ThreadSafeRandom.ToUnitInterval((1UL << 11) - 1));     // below the 53 bits kept
        Assert.Equal(Math.Pow(2, -53), ThreadSafeRandom.ToUnitInterval(1UL << 11));
        Assert.Equal(0.5, ThreadSafeRandom.ToUnitInterval(1UL << 63));
        Assert.Equal(Math.BitDecrement(1.0), ThreadSafeRandom.ToUnitInterval(ulong.MaxValue));
        Assert.Equal(0.28083505005035947, ThreadSafeRandom.ToUnitInterval(0x47E4CE4B896CDD1DUL));
    }

    [Fact]
    public void Draws_lie_in_zero_to_one_and_spread_evenly_over_it()
    {
        const int Buckets = 64;
        var counts = new int[Buckets];
        double smallest = 1, largest = 0;
        for (int i = 0; i < Draws; i++)
        {
            double value = ThreadSafeRandom.NextDouble();
            Assert.InRange(value, 0.0, Math.BitDecrement(1.0));
            counts[(int)(value * Buckets)]++;
            smallest = Math.Min(smallest, value);
            largest = Math.Max(largest, value);
        }

        // Chi-squared with 63 degrees of freedom: above 150 has a probability under 1e-9.
        double expected = (double)Draws / Buckets;
        double chiSquared = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquared < 150, $"The draws are not uniform: chi-squared {chiSquared:0.0} over {Buckets} buckets.");
        Assert.True(smallest < 0.001 && largest > 0.999, $"The draws cover only [{smallest}, {largest}].");
    }

    [Fact]
    public void Every_bit_of_a_draw_is_set_about_half_the_time()
    {
        // The 53 bits of the fraction, from the coarsest to the finest.
        var ones = new int[53];
        for (int i = 0; i < Draws; i++)
        {
            ulong bits = (ulong)(ThreadSafeRandom.NextDouble() * (1UL << 53));
            for (int bit = 0; bit < 53; bit++)
            {
                ones[bit] += (int)((bits >> bit) & 1);
            }
        }

        // Each count is binomial(100 000, 1/2): standard deviation 158; 7 of them (1 100) is beyond 1e-11.
        for (int bit = 0; bit < 53; bit++)
        {
            Assert.True(Math.Abs(ones[bit] - (Draws / 2)) < 1_100, $"Bit {bit} was set in {ones[bit]} of {Draws} draws.");
        }
    }

    [Fact]
    public void Consecutive_draws_neither_repeat_nor_follow_one_another()
    {
        var seen = new HashSet<double>();
        double previous = ThreadSafeRandom.NextDouble();
        int rising = 0;
        double sumOfProducts = 0, sum = 0;
        for (int i = 0; i < Draws; i++)
        {
            double value = ThreadSafeRandom.NextDouble();
            Assert.True(seen.Add(value), $"Draw {i} repeated an earlier one: {value}.");
            rising += value > previous ? 1 : 0;
            sumOfProducts += value * previous;
            sum += value;
            previous = value;
        }

        // Half the draws rise above the one before; and a draw says nothing of the next (correlation near 0).
        Assert.InRange(rising, (Draws / 2) - 1_100, (Draws / 2) + 1_100);
        double mean = sum / Draws;
        double covariance = (sumOfProducts / Draws) - (mean * mean);
        Assert.InRange(covariance / (1.0 / 12), -0.02, 0.02);
    }

    [Fact]
    public void Threads_started_together_draw_unrelated_sequences()
    {
        const int Threads = 8;
        const int Length = 1_000;
        var sequences = new double[Threads][];
        TestSupport.RunOnThreads(Threads, thread =>
        {
            var sequence = new double[Length];
            for (int i = 0; i < Length; i++)
            {
                sequence[i] = ThreadSafeRandom.NextDouble();
            }

            sequences[thread] = sequence;
        });

        // No value is drawn by two threads: sequences that merely start apart would still share their values.
        var all = new HashSet<double>();
        foreach (double[] sequence in sequences)
        {
            foreach (double value in sequence)
            {
                Assert.True(all.Add(value), "Two threads drew the same value.");
            }
        }
    }
}
