using System;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>Checks <see cref="Ulp"/> against values known by construction, so that a broken helper fails instead of passing every bound.</summary>
public sealed class UlpTests
{
    [Fact]
    public void Distance_Float()
    {
        Assert.Equal(0, Ulp.Distance(1f, 1f));
        Assert.Equal(1, Ulp.Distance(1f, MathF.BitIncrement(1f)));
        Assert.Equal(1, Ulp.Distance(MathF.BitIncrement(1f), 1f));
        Assert.Equal(1, Ulp.Distance(1f, MathF.BitDecrement(1f)));
        Assert.Equal(1L << 23, Ulp.Distance(1f, 2f));
        Assert.Equal(1, Ulp.Distance(-1f, MathF.BitDecrement(-1f)));
        Assert.Equal(1, Ulp.Distance(float.MaxValue, float.PositiveInfinity));
        Assert.Equal(1, Ulp.Distance(float.Epsilon, 0f));
    }

    [Fact]
    public void Distance_Double()
    {
        Assert.Equal(0, Ulp.Distance(1.0, 1.0));
        Assert.Equal(1, Ulp.Distance(1.0, Math.BitIncrement(1.0)));
        Assert.Equal(1, Ulp.Distance(1.0, Math.BitDecrement(1.0)));
        Assert.Equal(1L << 52, Ulp.Distance(1.0, 2.0));
        Assert.Equal(1, Ulp.Distance(-1.0, Math.BitDecrement(-1.0)));
        Assert.Equal(1, Ulp.Distance(double.MaxValue, double.PositiveInfinity));
        Assert.Equal(1, Ulp.Distance(double.Epsilon, 0.0));
    }

    [Fact]
    public void Distance_SignedZerosAreEqual_AndCrossingZeroCountsBothSides()
    {
        Assert.Equal(0, Ulp.Distance(0f, -0f));
        Assert.Equal(0, Ulp.Distance(0.0, -0.0));
        Assert.Equal(2, Ulp.Distance(-float.Epsilon, float.Epsilon));
        Assert.Equal(2, Ulp.Distance(-double.Epsilon, double.Epsilon));
        Assert.Equal(2L * BitConverter.SingleToInt32Bits(1f), Ulp.Distance(-1f, 1f));
        Assert.Equal(2L * BitConverter.DoubleToInt64Bits(1.0), Ulp.Distance(-1.0, 1.0));
        Assert.Equal(2L * BitConverter.SingleToInt32Bits(float.PositiveInfinity), Ulp.Distance(float.NegativeInfinity, float.PositiveInfinity));
        Assert.Equal(long.MaxValue - 1, Ulp.Distance(double.NegativeInfinity, double.PositiveInfinity));
    }

    [Fact]
    public void Distance_NaN()
    {
        Assert.Equal(0, Ulp.Distance(float.NaN, float.NaN));
        Assert.Equal(0, Ulp.Distance(float.NaN, BitConverter.Int32BitsToSingle(-1)));    // NaNs of different payloads and signs
        Assert.Equal(Ulp.NaNMismatch, Ulp.Distance(float.NaN, 1f));
        Assert.Equal(Ulp.NaNMismatch, Ulp.Distance(float.PositiveInfinity, float.NaN));
        Assert.Equal(0, Ulp.Distance(double.NaN, -double.NaN));
        Assert.Equal(Ulp.NaNMismatch, Ulp.Distance(double.NaN, 0.0));
        Assert.Equal(Ulp.NaNMismatch, Ulp.Distance(0.0, double.NaN));
    }

    [Fact]
    public void Distance_Generic_IsTheTypesOwn()
    {
        Assert.Equal(1, Ulp.Distance<float>(1f, MathF.BitIncrement(1f)));
        Assert.Equal(1, Ulp.Distance<double>(1.0, Math.BitIncrement(1.0)));
        Assert.Equal(Ulp.NaNMismatch, Ulp.Distance<float>(float.NaN, 0f));
        Assert.Equal(0, Ulp.Distance<double>(-0.0, 0.0));
    }

    [Fact]
    public void DistanceTellingZerosApart()
    {
        Assert.Equal(1, Ulp.DistanceTellingZerosApart(0f, -0f));
        Assert.Equal(1, Ulp.DistanceTellingZerosApart(-0.0, 0.0));
        Assert.Equal(0, Ulp.DistanceTellingZerosApart(-0f, -0f));
        Assert.Equal(0, Ulp.DistanceTellingZerosApart(float.NaN, -float.NaN));
        Assert.Equal(Ulp.NaNMismatch, Ulp.DistanceTellingZerosApart(double.NaN, 0.0));
        Assert.Equal(2, Ulp.DistanceTellingZerosApart(-float.Epsilon, float.Epsilon));
        Assert.Equal(3, Ulp.DistanceTellingZerosApart(1.0, Math.BitIncrement(Math.BitIncrement(Math.BitIncrement(1.0)))));
    }

    [Fact]
    public void Of_IsTheSpacingAboveTheMagnitude()
    {
        Assert.Equal(Math.ScaleB(1, -23), Ulp.Of<float>(1.0));
        Assert.Equal(Math.ScaleB(1, -52), Ulp.Of<double>(1.0));
        Assert.Equal(Math.ScaleB(1, -24), Ulp.Of<float>(MathF.BitDecrement(1f)));          // just below a power of two
        Assert.Equal(Math.ScaleB(1, -22), Ulp.Of<float>(-3.0));                          // the sign does not matter
        Assert.Equal(Math.ScaleB(1, -149), Ulp.Of<float>(0.0));
        Assert.Equal(Math.ScaleB(1, -149), Ulp.Of<float>(1e-40));                        // subnormal
        Assert.Equal(Math.ScaleB(1, -1074), Ulp.Of<double>(-0.0));
        Assert.Equal(Math.ScaleB(1, -100 - 23), Ulp.Of<float>(Math.ScaleB(1.5, -100)));
        Assert.Equal(Math.ScaleB(1, 127 - 23), Ulp.Of<float>(float.MaxValue));
        Assert.Equal(Math.ScaleB(1, 1023 - 52), Ulp.Of<double>(-double.MaxValue));
        Assert.True(double.IsNaN(Ulp.Of<float>(double.PositiveInfinity)));
        Assert.True(double.IsNaN(Ulp.Of<double>(double.NaN)));
    }

    [Fact]
    public void OfAtLeastOne_IsAbsoluteBelowOneAndRelativeAbove()
    {
        Assert.Equal(Math.ScaleB(1, -23), Ulp.OfAtLeastOne<float>(0.0));
        Assert.Equal(Math.ScaleB(1, -23), Ulp.OfAtLeastOne<float>(-1e-20));
        Assert.Equal(Math.ScaleB(1, -52), Ulp.OfAtLeastOne<double>(0.75));
        Assert.Equal(Math.ScaleB(1, 3 - 23), Ulp.OfAtLeastOne<float>(-10.0));
        Assert.Equal(Math.ScaleB(1, 6 - 52), Ulp.OfAtLeastOne<double>(100.0));
    }
}
