using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// The exponential every kernel shares (<c>SoftmaxMath.ExpShifted</c>, e^(x - max) for x &lt;= max): within 1 ULP of
/// the float rounding of <see cref="Math.Exp(double)"/> of the exact difference, subnormal results included, and
/// the same bits at every vector width as in the scalar lane. The widths build p 2^k differently (with AVX-512 the
/// scaling instruction, elsewhere and in the scalar lane the exponent bits and a product with 2^-bias), so the
/// second test is what holds them to one set of bits; <c>.ci/run</c> repeats it with AVX-512 and AVX2 switched off.
/// The exponential of <see cref="SoftmaxPrecision.Fast"/> (<c>SoftmaxMath.ExpShiftedFast</c>) does not recover the rounding
/// of x - max, so it is held to the exponential of the rounded difference: within 3 ULP (float) or 2 ULP (double) of
/// float64 <see cref="Math.Exp(double)"/> (float) or the double-double <see cref="DoubleDouble.Exp"/> (double) of it, at
/// every width, with +0 at and below its clamp (x - max &lt;= -104 in float, -746 in double) and for -inf.
/// </summary>
public sealed class ExponentialTests(ITestOutputHelper output)
{
    private const long FastFloatMaxUlp = 3;
    private const long FastDoubleMaxUlp = 2;

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

    /// <summary>Pairs (x, max) for Fast: <see cref="FloatArguments"/> plus every float x - max from -103.9 to -104.1 and a step beyond.</summary>
    private static (float X, float Max)[] FastFloatArguments()
    {
        var pairs = new List<(float, float)>(FloatArguments());
        for (float s = -103.9f; s >= -104.1f; s = MathF.BitDecrement(s))
        {
            pairs.Add((s, 0f));
        }

        var random = new Random(20261204);
        for (int i = 0; i < 4000; i++)
        {
            // Differences that round: a small maximum against logits of other magnitudes.
            float max = (float)(random.NextDouble() * 2 - 1);
            pairs.Add(((float)(max - Math.Pow(2, random.NextDouble() * 7)), max));
        }

        pairs.Add((-104.5f, 0f));
        pairs.Add((-1e30f, 0f));
        pairs.Add((-float.MaxValue, float.MaxValue));                     // x - max overflows to -inf
        return pairs.ToArray();
    }

    [Fact]
    public void Fast_Float_EveryWidth_IsWithinThreeUlpOfTheExponentialOfTheRoundedDifference()
    {
        (float X, float Max)[] pairs = FastFloatArguments();
        Array.Resize(ref pairs, pairs.Length - pairs.Length % 16);
        float[] xs = [.. pairs.Select(p => p.X)];
        float[] negatedMaxima = [.. pairs.Select(p => -p.Max)];
        long worst = 0;
        string worstAt = "";
        var failures = new Failures();
        for (int i = 0; i < xs.Length; i++)
        {
            float s = xs[i] + negatedMaxima[i];                                  // the rounded difference Fast exponentiates
            float expected = (float)Math.Exp(s);
            int at512 = i - i % 16, at256 = i - i % 8, at128 = i - i % 4;
            float scalar = SoftmaxMath.ExpShiftedFast(xs[i], negatedMaxima[i]);
            float[] widths =
            [
                scalar,
                SoftmaxMath.ExpShiftedFast(Vector512.Create(xs.AsSpan(at512, 16)), Vector512.Create(negatedMaxima.AsSpan(at512, 16)))[i % 16],
                SoftmaxMath.ExpShiftedFast(Vector256.Create(xs.AsSpan(at256, 8)), Vector256.Create(negatedMaxima.AsSpan(at256, 8)))[i % 8],
                SoftmaxMath.ExpShiftedFast(Vector128.Create(xs.AsSpan(at128, 4)), Vector128.Create(negatedMaxima.AsSpan(at128, 4)))[i % 4],
            ];
            for (int w = 0; w < widths.Length; w++)
            {
                long ulp = float.IsNegative(widths[w]) ? Ulp.NaNMismatch : Ulp.Distance(widths[w], expected);
                if (ulp > worst)
                {
                    worst = ulp;
                    worstAt = $"x = {xs[i]:R}, max = {-negatedMaxima[i]:R}, s = {s:R}";
                }

                if (ulp > FastFloatMaxUlp || (s <= SoftmaxMath.SingleFastClamp && BitConverter.SingleToInt32Bits(widths[w]) != 0))
                {
                    failures.Add($"width {new[] { 1, 16, 8, 4 }[w]}: e^({s:R}) = {widths[w]:R}, expected {expected:R} ({ulp} ULP; +0 at and below -104)");
                }

                // The same bits at every width, as the Exact exponential: the kernels' batch invariance rests on it.
                if (BitConverter.SingleToInt32Bits(widths[w]) != BitConverter.SingleToInt32Bits(scalar))
                {
                    failures.Add($"width {new[] { 1, 16, 8, 4 }[w]}: e^({s:R}) = {widths[w]:R}, the scalar lane gives {scalar:R}");
                }
            }
        }

        output.WriteLine($"Fast float: {xs.Length} arguments at 4 widths, worst {worst} ULP ({worstAt})");
        failures.AssertNone();
    }

    [Fact]
    public void Fast_Double_EveryWidth_IsWithinTwoUlpOfTheExponentialOfTheRoundedDifference()
    {
        var pairs = new List<(double X, double Max)>();
        var random = new Random(20261205);
        foreach (double max in new[] { 0, 1, -1, 5.5, -37.25, 709.5, 1000, -1e4, 3e15 })
        {
            for (int i = 0; i < 3000; i++)
            {
                pairs.Add((max - (random.NextDouble() * 760), max));              // results from 1 down past the subnormals
                pairs.Add((max - (random.NextDouble() * 20), max));
                pairs.Add((max - 708 - (random.NextDouble() * 38), max));         // the subnormal results
            }
        }

        for (double s = -745.0; s >= -746.5; s -= 0.0625)
        {
            pairs.Add((s, 0));
        }

        pairs.Add((-746.0, 0));
        pairs.Add((Math.BitIncrement(-746.0), 0));
        pairs.Add((-double.MaxValue, double.MaxValue));
        pairs.Add((-1e300, 0));
        while (pairs.Count % 8 != 0)
        {
            pairs.Add((0, 0));
        }

        double[] xs = [.. pairs.Select(p => p.X)];
        double[] negatedMaxima = [.. pairs.Select(p => -p.Max)];
        long worst = 0;
        string worstAt = "";
        int subnormals = 0;
        var failures = new Failures();
        for (int i = 0; i < xs.Length; i++)
        {
            double s = xs[i] + negatedMaxima[i];
            double expected = double.IsNegativeInfinity(s) ? 0 : DoubleDouble.Exp(s).ToDouble();
            subnormals += double.IsSubnormal(expected) ? 1 : 0;
            int at512 = i - i % 8, at256 = i - i % 4, at128 = i - i % 2;
            double scalar = SoftmaxMath.ExpShiftedFast(xs[i], negatedMaxima[i]);
            double[] widths =
            [
                scalar,
                SoftmaxMath.ExpShiftedFast(Vector512.Create(xs.AsSpan(at512, 8)), Vector512.Create(negatedMaxima.AsSpan(at512, 8)))[i % 8],
                SoftmaxMath.ExpShiftedFast(Vector256.Create(xs.AsSpan(at256, 4)), Vector256.Create(negatedMaxima.AsSpan(at256, 4)))[i % 4],
                SoftmaxMath.ExpShiftedFast(Vector128.Create(xs.AsSpan(at128, 2)), Vector128.Create(negatedMaxima.AsSpan(at128, 2)))[i % 2],
            ];
            for (int w = 0; w < widths.Length; w++)
            {
                long ulp = double.IsNegative(widths[w]) ? Ulp.NaNMismatch : Ulp.Distance(widths[w], expected);
                if (ulp > worst)
                {
                    worst = ulp;
                    worstAt = $"x = {xs[i]:R}, max = {-negatedMaxima[i]:R}, s = {s:R}";
                }

                if (ulp > FastDoubleMaxUlp || (s <= SoftmaxMath.DoubleFastClamp && BitConverter.DoubleToInt64Bits(widths[w]) != 0))
                {
                    failures.Add($"width {new[] { 1, 8, 4, 2 }[w]}: e^({s:R}) = {widths[w]:R}, expected {expected:R} ({ulp} ULP; +0 at and below -746)");
                }

                if (BitConverter.DoubleToInt64Bits(widths[w]) != BitConverter.DoubleToInt64Bits(scalar))
                {
                    failures.Add($"width {new[] { 1, 8, 4, 2 }[w]}: e^({s:R}) = {widths[w]:R}, the scalar lane gives {scalar:R}");
                }
            }
        }

        output.WriteLine($"Fast double: {xs.Length} arguments at 4 widths ({subnormals} subnormal results), worst {worst} ULP ({worstAt})");
        Assert.True(subnormals > 1000, $"only {subnormals} subnormal results were checked");
        failures.AssertNone();
    }

    [Fact]
    public void Fast_Edges_ZeroAtAndBelowTheClamp_OneAtTheMaximum_NaNPropagates()
    {
        Assert.Equal(-104f, SoftmaxMath.SingleFastClamp);
        Assert.Equal(-746.0, SoftmaxMath.DoubleFastClamp);
        foreach (float max in new[] { 0f, 7f, -3e4f, 1e30f, float.MaxValue })
        {
            float below = max >= 1e30f ? -float.MaxValue : max - 104f;
            float[] xs = [float.NegativeInfinity, float.NaN, -float.MaxValue, max, below, MathF.BitDecrement(below)];
            Vector512<float> lanes = SoftmaxMath.ExpShiftedFast(Vector512.Create([.. xs, .. new float[16 - xs.Length]]), Vector512.Create(-max));
            Vector256<float> lanes256 = SoftmaxMath.ExpShiftedFast(Vector256.Create([.. xs, 0, 0]), Vector256.Create(-max));
            float[] scalar = [.. xs.Select(x => SoftmaxMath.ExpShiftedFast(x, -max))];
            foreach (float[] results in new[] { scalar, [.. Enumerable.Range(0, xs.Length).Select(i => lanes[i])], [.. Enumerable.Range(0, xs.Length).Select(i => lanes256[i])] })
            {
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[0]));   // -inf: +0, not -0
                Assert.True(float.IsNaN(results[1]));
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[2]));
                Assert.Equal(1f, results[3]);
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[4]));   // x - max = -104 (or -inf): at the clamp
                Assert.Equal(0, BitConverter.SingleToInt32Bits(results[5]));
            }
        }

        Assert.True(float.IsNaN(SoftmaxMath.ExpShiftedFast(0f, float.NaN)));   // a NaN maximum (a NaN row) too
        Assert.True(float.IsNaN(SoftmaxMath.ExpShiftedFast(Vector128.Create(1f), Vector128.Create(float.NaN))[2]));
        foreach (double s in new[] { -746.0, -746.5, -1e4, double.NegativeInfinity })
        {
            Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShiftedFast(s, 0.0)));
            Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShiftedFast(Vector512.Create(s), Vector512<double>.Zero)[3]));
            Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShiftedFast(Vector256.Create(s), Vector256<double>.Zero)[1]));
            Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SoftmaxMath.ExpShiftedFast(Vector128.Create(s), Vector128<double>.Zero)[0]));
        }

        Assert.Equal(double.Epsilon, SoftmaxMath.ExpShiftedFast(-744.5, 0.0));      // e^-744.5 is 0.94 times the smallest subnormal
        Assert.Equal(1.0, SoftmaxMath.ExpShiftedFast(3e15, -3e15));
        Assert.True(double.IsNaN(SoftmaxMath.ExpShiftedFast(Vector512.Create(double.NaN), Vector512<double>.Zero)[5]));
        Assert.True(double.IsNaN(SoftmaxMath.ExpShiftedFast(double.NaN, 0.0)));
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
