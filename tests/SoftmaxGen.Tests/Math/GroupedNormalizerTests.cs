using System;
using System.Collections.Generic;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The log-softmax normalisers of a group of rows (<c>SoftmaxMath.LogNormalizers</c>, <c>LogNormalizersFast</c>), which
/// the generated row layouts call once per eight rows: every element must be the one-row normaliser's bits (the last
/// rows of a batch go row by row, and a row's output must not depend on where it sits), for every group length (the
/// vector loop and its scalar tail, which is the whole of it without AVX-512), and high + low must be max + ln(total)
/// against <see cref="Math.Log(double)"/>.
/// </summary>
public sealed class GroupedNormalizerTests
{
    private static readonly int[] Lengths = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 64];

    /// <summary>Row maxima and totals of every kind: small and huge maxima of both signs, totals from 1 to 1e300, NaN and +inf.</summary>
    private static (double[] Maxima, double[] Totals) Rows(int count, int seed)
    {
        var random = new Random(seed);
        double[] specialMaxima = [0.0, -0.0, 1.0, -1.0, 88.5, -103.0, 1e30, -1e30, 3e38, -3e38, float.Epsilon];
        double[] specialTotals = [1.0, Math.BitIncrement(1.0), 1.0 + 1e-9, Math.Sqrt(2.0), 2.0, 1000.0, 1e15, 1e300, double.NaN, double.PositiveInfinity];
        var maxima = new double[count];
        var totals = new double[count];
        for (int i = 0; i < count; i++)
        {
            maxima[i] = random.Next(4) == 0 ? specialMaxima[random.Next(specialMaxima.Length)] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 8));
            totals[i] = random.Next(4) == 0 ? specialTotals[random.Next(specialTotals.Length)] : Math.Exp(random.NextDouble() * 23.0);
        }

        return (maxima, totals);
    }

    [Fact]
    public void Float_EveryElementIsTheOneRowNormaliser()
    {
        foreach (int length in Lengths)
        {
            for (int seed = 0; seed < 40; seed++)
            {
                (double[] m, double[] totals) = Rows(length, seed);
                float[] maxima = Array.ConvertAll(m, v => (float)v);
                var high = new float[length];
                var low = new float[length];
                SoftmaxMath.LogNormalizers(maxima, totals, high, low);
                var fastHigh = new float[length];
                var fastLow = new float[length];
                SoftmaxMath.LogNormalizersFast(maxima, totals, fastHigh, fastLow);
                for (int i = 0; i < length; i++)
                {
                    SoftmaxMath.LogNormalizer(maxima[i], totals[i], out float h, out float l);
                    Assert.True(BitConverter.SingleToInt32Bits(h) == BitConverter.SingleToInt32Bits(high[i]) && BitConverter.SingleToInt32Bits(l) == BitConverter.SingleToInt32Bits(low[i]),
                        $"length {length}, seed {seed}, row {i} (max {maxima[i]:R}, total {totals[i]:R}): grouped {high[i]:R} + {low[i]:R}, one row {h:R} + {l:R}");
                    SoftmaxMath.LogNormalizerFast(maxima[i], totals[i], out float fh, out float fl);
                    Assert.True(BitConverter.SingleToInt32Bits(fh) == BitConverter.SingleToInt32Bits(fastHigh[i]) && BitConverter.SingleToInt32Bits(fl) == BitConverter.SingleToInt32Bits(fastLow[i]),
                        $"Fast, length {length}, seed {seed}, row {i} (max {maxima[i]:R}, total {totals[i]:R}): grouped {fastHigh[i]:R} + {fastLow[i]:R}, one row {fh:R} + {fl:R}");
                }
            }
        }
    }

    [Fact]
    public void Double_EveryElementIsTheOneRowNormaliser()
    {
        foreach (int length in Lengths)
        {
            for (int seed = 0; seed < 40; seed++)
            {
                (double[] maxima, double[] totals) = Rows(length, seed);
                var high = new double[length];
                var low = new double[length];
                SoftmaxMath.LogNormalizers(maxima, totals, high, low);
                for (int i = 0; i < length; i++)
                {
                    SoftmaxMath.LogNormalizer(maxima[i], totals[i], out double h, out double l);
                    Assert.True(BitConverter.DoubleToInt64Bits(h) == BitConverter.DoubleToInt64Bits(high[i]) && BitConverter.DoubleToInt64Bits(l) == BitConverter.DoubleToInt64Bits(low[i]),
                        $"length {length}, seed {seed}, row {i} (max {maxima[i]:R}, total {totals[i]:R}): grouped {high[i]:R} + {low[i]:R}, one row {h:R} + {l:R}");
                }
            }
        }
    }

    /// <summary>high + low against max + Math.Log(total) in double: within 2^-23 of max(|max + ln total|, 1) in float, 2^-51 in double.</summary>
    [Fact]
    public void HighPlusLow_IsMaxPlusTheLogarithm()
    {
        (double[] m, double[] totals) = Rows(4096, 7);
        float[] maxima = Array.ConvertAll(m, v => (float)v);
        var high = new float[maxima.Length];
        var low = new float[maxima.Length];
        SoftmaxMath.LogNormalizers(maxima, totals, high, low);
        var highD = new double[m.Length];
        var lowD = new double[m.Length];
        SoftmaxMath.LogNormalizers(m, totals, highD, lowD);
        int finite = 0;
        for (int i = 0; i < maxima.Length; i++)
        {
            if (!double.IsFinite(totals[i]))
            {
                Assert.True(float.IsNaN(high[i] + low[i]) || float.IsInfinity(high[i] + low[i]), $"row {i}: total {totals[i]} gave {high[i]} + {low[i]}");
                continue;
            }

            finite++;
            double expected = maxima[i] + Math.Log(totals[i]);
            double scale = Math.Max(Math.Abs(expected), 1.0);
            Assert.True(Math.Abs((double)high[i] + low[i] - expected) <= scale * Math.Pow(2, -23), $"row {i}: {high[i]:R} + {low[i]:R} against {expected:R}");
            double expectedD = m[i] + Math.Log(totals[i]);
            Assert.True(Math.Abs((highD[i] - expectedD) + lowD[i]) <= Math.Max(Math.Abs(expectedD), 1.0) * Math.Pow(2, -51), $"row {i}: {highD[i]:R} + {lowD[i]:R} against {expectedD:R}");
        }

        Assert.True(finite > 2000);
    }

    [Fact]
    public void SpansOfDifferentLengths_AreRejectedNamingTheParameter()
    {
        var maxima = new float[8];
        var totals = new double[8];
        var high = new float[8];
        Assert.Equal("totals", Assert.Throws<ArgumentException>(() => SoftmaxMath.LogNormalizers(maxima, new double[7], high, new float[8])).ParamName);
        Assert.Equal("high", Assert.Throws<ArgumentException>(() => SoftmaxMath.LogNormalizers(maxima, totals, new float[9], new float[8])).ParamName);
        ArgumentException fast = Assert.Throws<ArgumentException>(() => SoftmaxMath.LogNormalizersFast(maxima, totals, high, new float[4]));
        Assert.Equal("low", fast.ParamName);
        Assert.Contains("8, 8, 8 and 4", fast.Message);
        Assert.Equal("low", Assert.Throws<ArgumentException>(() => SoftmaxMath.LogNormalizers(new double[8], totals, new double[8], new double[3])).ParamName);
    }
}
