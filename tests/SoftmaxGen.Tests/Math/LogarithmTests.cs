using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The double logarithm every normaliser and loss takes of its row total (<c>SoftmaxMath.LogAtLeastOne</c>):
/// within 1 ULP of the platform's <see cref="Math.Log(double)"/> (an independent implementation, itself within
/// about half an ULP of the exact value) on every kind of total a row can have, and the same bits at every vector
/// width as in the scalar lane, since the block layouts and the row layouts must agree on each row's loss.
/// </summary>
public sealed class LogarithmTests
{
    /// <summary>Totals of every kind: 1 and its neighbours, both sides of sqrt(2) and of each power of two, and random ones.</summary>
    private static double[] Totals()
    {
        var values = new List<double> { 1.0, Math.BitIncrement(1.0), 1.0 + Math.Pow(2, -30), 1.0 + 1e-9, 1.5, 2.0, 3.0, 10.0, 1000.0, 1e15, 1e300, double.MaxValue };
        foreach (double edge in new[] { Math.Sqrt(2.0), Math.Sqrt(0.5) })
        {
            for (int e = 0; e < 60; e++)
            {
                double scaled = Math.ScaleB(edge, e);
                if (scaled >= 1.0)
                {
                    values.Add(Math.BitDecrement(scaled));
                    values.Add(scaled);
                    values.Add(Math.BitIncrement(scaled));
                }
            }
        }

        for (int e = 0; e < 1023; e += 7)
        {
            values.Add(Math.ScaleB(1.0, e));
            values.Add(Math.BitDecrement(Math.ScaleB(1.0, e + 1)));
        }

        var random = new Random(20261201);
        for (int i = 0; i < 20000; i++)
        {
            values.Add(1.0 + random.NextDouble());                       // [1, 2): the whole mantissa range
            values.Add(Math.Exp(random.NextDouble() * 23.0));            // totals of rows up to 10^10 classes
            values.Add(1.0 + Math.Exp(-random.NextDouble() * 40.0));     // one class dominates: ln(total) tiny
        }

        for (int c = 1; c <= 1000; c++)
        {
            values.Add(c);
        }

        return values.ToArray();
    }

    [Fact]
    public void Scalar_IsWithinOneUlpOfMathLog()
    {
        long worst = 0;
        double worstAt = 0;
        foreach (double x in Totals())
        {
            long ulp = Ulp.Distance(SoftmaxMath.LogAtLeastOne(x), Math.Log(x));
            if (ulp > worst)
            {
                worst = ulp;
                worstAt = x;
            }
        }

        Assert.True(worst <= 1, $"ln(x) is {worst} ULP from Math.Log at x = {worstAt:R}");
    }

    /// <summary>
    /// Fast's logarithm (<c>SoftmaxMath.LogAtLeastOneFast</c>, the float log-softmax's normaliser, rounded to float
    /// afterwards): within 2^-30 of <see cref="Math.Log(double)"/> plus the rounding of k ln2 for large totals, and
    /// still exact at 1.
    /// </summary>
    [Fact]
    public void Fast_IsWithinTwoToTheMinus30OfMathLog()
    {
        double worst = 0, worstAt = 0;
        foreach (double x in Totals())
        {
            double expected = Math.Log(x);
            double roundingOfLargeTotals = 4 * (Math.BitIncrement(expected) - expected);
            double error = Math.Abs(SoftmaxMath.LogAtLeastOneFast<ScalarD, double>(x) - expected) - roundingOfLargeTotals;
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(worst <= Math.Pow(2, -30), $"Fast ln(x) is {worst:E3} (beyond 4 ULP) from Math.Log at x = {worstAt:R}");
        Assert.Equal(0.0, SoftmaxMath.LogAtLeastOneFast<ScalarD, double>(1.0));
        Assert.True(double.IsNaN(SoftmaxMath.LogAtLeastOneFast<ScalarD, double>(double.NaN)));
    }

    [Fact]
    public void EveryWidth_GivesTheScalarBits()
    {
        double[] totals = Totals();
        Array.Resize(ref totals, totals.Length - totals.Length % 8);
        for (int i = 0; i < totals.Length; i += 8)
        {
            Vector512<double> v512 = SoftmaxMath.LogAtLeastOne<Simd512D, Vector512<double>>(Vector512.Create(totals.AsSpan(i, 8)));
            Vector256<double> v256 = SoftmaxMath.LogAtLeastOne<Simd256D, Vector256<double>>(Vector256.Create(totals.AsSpan(i, 4)));
            Vector128<double> v128 = SoftmaxMath.LogAtLeastOne<Simd128D, Vector128<double>>(Vector128.Create(totals.AsSpan(i, 2)));
            for (int j = 0; j < 8; j++)
            {
                double scalar = SoftmaxMath.LogAtLeastOne(totals[i + j]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(scalar), BitConverter.DoubleToInt64Bits(v512[j]));
                if (j < 4)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(scalar), BitConverter.DoubleToInt64Bits(v256[j]));
                }

                if (j < 2)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(scalar), BitConverter.DoubleToInt64Bits(v128[j]));
                }
            }
        }
    }

    [Fact]
    public void ExactPoints_AndNaN()
    {
        Assert.Equal(0.0, SoftmaxMath.LogAtLeastOne(1.0));
        Assert.Equal(Math.Log(2.0), SoftmaxMath.LogAtLeastOne(2.0));
        Assert.True(double.IsNaN(SoftmaxMath.LogAtLeastOne(double.NaN)));
        Assert.True(double.IsNaN(SoftmaxMath.LogAtLeastOne<Simd512D, Vector512<double>>(Vector512.Create(double.NaN))[3]));
    }
}
