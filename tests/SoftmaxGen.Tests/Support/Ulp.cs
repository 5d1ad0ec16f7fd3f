using System;
using System.Numerics;

namespace SoftmaxGen.Tests;

/// <summary>
/// Units in the last place, the one definition every test uses: distances on a monotonic integer line of the bit
/// patterns, and the spacing of floats or doubles at a value. Checked against known values in <see cref="UlpTests"/>.
/// </summary>
internal static class Ulp
{
    /// <summary>The distance reported when exactly one of the two values is NaN.</summary>
    public const long NaNMismatch = long.MaxValue;

    /// <summary>Orders all non-NaN floats: -inf &lt; ... &lt; -epsilon &lt; -0 == +0 &lt; epsilon &lt; ... &lt; +inf.</summary>
    public static long Key(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits >= 0 ? bits : (long)int.MinValue - bits;
    }

    /// <inheritdoc cref="Key(float)"/>
    public static Int128 Key(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits >= 0 ? bits : (Int128)long.MinValue - bits;
    }

    /// <summary>How many floats apart <paramref name="a"/> and <paramref name="b"/> are (0 for +0 and -0, and for two NaNs; <see cref="NaNMismatch"/> for one NaN).</summary>
    public static long Distance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return float.IsNaN(a) && float.IsNaN(b) ? 0 : NaNMismatch;
        }

        return Math.Abs(Key(a) - Key(b));
    }

    /// <summary>How many doubles apart <paramref name="a"/> and <paramref name="b"/> are (see <see cref="Distance(float, float)"/>; at most <c>long.MaxValue - 1</c>).</summary>
    public static long Distance(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return double.IsNaN(a) && double.IsNaN(b) ? 0 : NaNMismatch;
        }

        Int128 d = Int128.Abs(Key(a) - Key(b));
        return d >= long.MaxValue ? long.MaxValue - 1 : (long)d;
    }

    /// <summary><see cref="Distance(float, float)"/> or <see cref="Distance(double, double)"/>.</summary>
    public static long Distance<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Distance(float.CreateTruncating(a), float.CreateTruncating(b));
        }

        return Distance(double.CreateTruncating(a), double.CreateTruncating(b));
    }

    /// <summary>
    /// <see cref="Distance{T}(T, T)"/>, except that +0 and -0 are 1 apart: for comparisons that must agree bit for bit,
    /// where a zero of the wrong sign is a difference (two NaNs are still the same value).
    /// </summary>
    public static long DistanceTellingZerosApart<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long distance = Distance(a, b);
        return distance == 0 && !T.IsNaN(a) && T.IsNegative(a) != T.IsNegative(b) ? 1 : distance;
    }

    /// <summary>
    /// The spacing of <typeparamref name="T"/> values just above |<paramref name="x"/>| (ulp(1) = 2^-23 or 2^-52; the
    /// smallest subnormal at 0 and below the normal range). At the largest finite value, the spacing below it (there is
    /// no finite value above); NaN for infinities and NaN.
    /// </summary>
    public static double Of<T>(double x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            float f = MathF.Abs((float)x);
            return f == float.MaxValue ? (double)f - MathF.BitDecrement(f) : (double)MathF.BitIncrement(f) - f;
        }

        double d = Math.Abs(x);
        return d == double.MaxValue ? d - Math.BitDecrement(d) : Math.BitIncrement(d) - d;
    }

    /// <summary>
    /// <see cref="Of{T}(double)"/> of max(|<paramref name="x"/>|, 1): the scale of the bounds that are relative for
    /// large values and absolute near zero, as "log-softmax within 4 ULP of max(|reference|, 1)".
    /// </summary>
    public static double OfAtLeastOne<T>(double x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Of<T>(Math.Max(Math.Abs(x), 1));
}
