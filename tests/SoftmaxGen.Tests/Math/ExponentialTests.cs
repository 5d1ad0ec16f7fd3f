using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The exponential every kernel shares (<c>SoftmaxMath.ExpShifted</c>, e^(x - max) for x &lt;= max): within 1 ULP of
/// the float rounding of <see cref="Math.Exp(double)"/> of the exact difference, subnormal results included, and
/// the same bits at every vector width as in the scalar lane. The widths build p 2^k differently (with AVX-512 the
/// scaling instruction, elsewhere and in the scalar lane the exponent bits and a product with 2^-bias), so the
/// second test is what holds them to one set of bits; <c>.ci/run</c> repeats it with AVX-512 and AVX2 switched off.
/// </summary>
public sealed class ExponentialTests
{
    /// <summary>Pairs (x, max), x &lt;= max: every part of the range of x - max, large and small maxima, and the edges.</summary>
    private static (float X, float Max)[] FloatArguments()
    {
        var pairs = new List<(float, float)>();
        var random = new Random(20261202);
        foreach (float max in new[] { 0f, 1f, -1f, 5.5f, -37.25f, 88.5f, 1000f, -1e4f, 3e6f })
        {
            for (int i = 0; i < 4000; i++)
            {
                pairs.Add(((float)(max - random.NextDouble() * 110.0), max));   // results from 1 down to below the subnormals
                pairs.Add(((float)(max - random.NextDouble() * 20.0), max));    // results from 1 down to 2e-9
                pairs.Add(((float)(max - 87.0 - random.NextDouble() * 17.0), max)); // the subnormal results
            }

            pairs.Add((max, max));
            pairs.Add((MathF.BitDecrement(max), max));
            pairs.Add((max - 103.9f, max));
            pairs.Add((max - 104.1f, max));
        }

        for (int k = -150; k <= 0; k++)
        {
            float s = k * MathF.Log(2f);                                          // near the edges of the reduction
            pairs.Add((s, 0f));
            pairs.Add((MathF.BitIncrement(s), 0f));
            pairs.Add((s + 0.3465f, 0f));
            pairs.Add((s - 0.3465f, 0f));
        }

        return pairs.ToArray();
    }

    [Fact]
    public void Scalar_IsWithinOneUlpOfMathExp_SubnormalsIncluded()
    {
        long worst = 0;
        (float X, float Max) worstAt = default;
        int subnormals = 0;
        foreach ((float x, float max) in FloatArguments())
        {
            float expected = (float)Math.Exp((double)x - max);                  // the difference is exact in double
            float actual = SoftmaxMath.ExpShifted(x, -max);
            subnormals += expected != 0 && float.IsSubnormal(expected) ? 1 : 0;
            long ulp = float.IsNegative(actual) ? Ulp.NaNMismatch : Ulp.Distance(actual, expected); // e^x is never negative, not even -0
            if (ulp > worst)
            {
                worst = ulp;
                worstAt = (x, max);
            }
        }

        Assert.True(subnormals > 10000, $"only {subnormals} subnormal results were checked");
        Assert.True(worst <= 1, $"e^(x - max) is {worst} ULP from Math.Exp at x = {worstAt.X:R}, max = {worstAt.Max:R}");
    }

    [Fact]
    public void EveryWidth_GivesTheScalarBits()
    {
        (float X, float Max)[] pairs = FloatArguments();
        Array.Resize(ref pairs, pairs.Length - pairs.Length % 16);
        float[] xs = [.. pairs.Select(p => p.X)];
        float[] negatedMaxima = [.. pairs.Select(p => -p.Max)];

        // 8 (x - max) spans the double results down to the subnormals and past them.
        double[] xd = [.. xs.Select(x => x * 8.0)];
        double[] negatedMaximaD = [.. negatedMaxima.Select(m => m * 8.0)];
        for (int i = 0; i < xs.Length; i++)
        {
            int scalar = BitConverter.SingleToInt32Bits(SoftmaxMath.ExpShifted(xs[i], negatedMaxima[i]));
            int at512 = i - i % 16, at256 = i - i % 8, at128 = i - i % 4;
            Assert.Equal(scalar, BitConverter.SingleToInt32Bits(SoftmaxMath.ExpShifted(Vector512.Create(xs.AsSpan(at512, 16)), Vector512.Create(negatedMaxima.AsSpan(at512, 16)))[i % 16]));
            Assert.Equal(scalar, BitConverter.SingleToInt32Bits(SoftmaxMath.ExpShifted(Vector256.Create(xs.AsSpan(at256, 8)), Vector256.Create(negatedMaxima.AsSpan(at256, 8)))[i % 8]));
            Assert.Equal(scalar, BitConverter.SingleToInt32Bits(SoftmaxMath.ExpShifted(Vector128.Create(xs.AsSpan(at128, 4)), Vector128.Create(negatedMaxima.AsSpan(at128, 4)))[i % 4]));

            long scalarDouble = BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShifted(xd[i], negatedMaximaD[i]));
            int d512 = i - i % 8, d256 = i - i % 4, d128 = i - i % 2;
            Assert.Equal(scalarDouble, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShifted(Vector512.Create(xd.AsSpan(d512, 8)), Vector512.Create(negatedMaximaD.AsSpan(d512, 8)))[i % 8]));
            Assert.Equal(scalarDouble, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShifted(Vector256.Create(xd.AsSpan(d256, 4)), Vector256.Create(negatedMaximaD.AsSpan(d256, 4)))[i % 4]));
            Assert.Equal(scalarDouble, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShifted(Vector128.Create(xd.AsSpan(d128, 2)), Vector128.Create(negatedMaximaD.AsSpan(d128, 2)))[i % 2]));
        }
    }

    [Fact]
    public void Edges_ZeroBelowTheSubnormals_OneAtTheMaximum_NaNPropagates()
    {
        foreach (float max in new[] { 0f, 7f, -3e4f, 1e30f })
        {
            // Far below a maximum of 1e30 every float is the maximum itself or -inf or -float.MaxValue.
            float below = max == 1e30f ? -float.MaxValue : max - 104.5f;
            Vector512<float> lanes = SoftmaxMath.ExpShifted(Vector512.Create(float.NegativeInfinity, float.NaN, -float.MaxValue, max, below, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Vector512.Create(-max));
            float[] scalar = [.. new[] { float.NegativeInfinity, float.NaN, -float.MaxValue, max, below }.Select(x => SoftmaxMath.ExpShifted(x, -max))];
            foreach (float[] results in new[] { scalar, [lanes[0], lanes[1], lanes[2], lanes[3], lanes[4]] })
            {
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[0]));   // +0, not -0
                Assert.True(float.IsNaN(results[1]));
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[2]));
                Assert.Equal(1f, results[3]);
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[4]));
            }
        }

        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShifted(-746.0, 0.0)));
        Assert.Equal(double.Epsilon, SoftmaxMath.ExpShifted(-744.5, 0.0));          // e^-744.5 is 0.94 times the smallest subnormal
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShifted(Vector512.Create(double.NegativeInfinity), Vector512<double>.Zero)[0]));
        Assert.True(double.IsNaN(SoftmaxMath.ExpShifted(Vector512.Create(double.NaN), Vector512<double>.Zero)[5]));
    }
}
