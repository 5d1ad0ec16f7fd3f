using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// An unevaluated sum <c>Hi + Lo</c> of two doubles with <c>|Lo| &lt;= ulp(Hi)/2</c>: about 106 significant bits, enough
/// to check double results to a fraction of an ULP. Independent of the library: error-free transformations (TwoSum,
/// TwoProd through <see cref="Math.FusedMultiplyAdd"/>), an exponential by range reduction and a Taylor series, and a
/// logarithm by Newton's method on the exponential.
/// </summary>
internal readonly struct DoubleDouble
{
    /// <summary>ln 2 to about 107 bits.</summary>
    public static readonly DoubleDouble Ln2 = new(0.6931471805599453, 2.3190468138462996e-17);

    public static readonly DoubleDouble Zero = new(0, 0);
    public static readonly DoubleDouble One = new(1, 0);
    public static readonly DoubleDouble NaN = new(double.NaN, double.NaN);

    // 1/n! for n = 0..TaylorDegree, each to double-double precision (n! is exact in double up to 22!).
    private const int TaylorDegree = 14;
    private static readonly DoubleDouble[] s_inverseFactorials = CreateInverseFactorials();

    public DoubleDouble(double hi, double lo)
    {
        Hi = hi;
        Lo = lo;
    }

    public double Hi { get; }

    public double Lo { get; }

    public bool IsNaN => double.IsNaN(Hi);

    public static implicit operator DoubleDouble(double value) => new(value, 0);

    /// <summary>The nearest double (Hi, since a normalised pair has <c>|Lo| &lt;= ulp(Hi)/2</c>).</summary>
    public double ToDouble() => double.IsFinite(Hi) ? Hi + Lo : Hi;

    /// <summary>a + b exactly, as a normalised pair (Knuth).</summary>
    public static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        double err = (a - (s - bb)) + (b - bb);
        return new DoubleDouble(s, err);
    }

    /// <summary>a + b exactly, given |a| &gt;= |b| (Dekker).</summary>
    public static DoubleDouble QuickTwoSum(double a, double b)
    {
        double s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }

    /// <summary>a * b exactly (barring underflow), with the error from a fused multiply-add.</summary>
    public static DoubleDouble TwoProd(double a, double b)
    {
        double p = a * b;
        return new DoubleDouble(p, Math.FusedMultiplyAdd(a, b, -p));
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        DoubleDouble s = TwoSum(a.Hi, b.Hi);
        DoubleDouble t = TwoSum(a.Lo, b.Lo);
        DoubleDouble u = QuickTwoSum(s.Hi, s.Lo + t.Hi);
        return QuickTwoSum(u.Hi, u.Lo + t.Lo);
    }

    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        DoubleDouble p = TwoProd(a.Hi, b.Hi);
        return QuickTwoSum(p.Hi, p.Lo + ((a.Hi * b.Lo) + (a.Lo * b.Hi)));
    }

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        DoubleDouble r = a - (b * q1);
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return QuickTwoSum(q1, q2) + q3;
    }

    /// <summary>e^a to about 1e-30 relative (for results above the double underflow threshold).</summary>
    public static DoubleDouble Exp(DoubleDouble a)
    {
        if (double.IsNaN(a.Hi))
        {
            return NaN;
        }

        if (a.Hi > 709.8)
        {
            return new DoubleDouble(double.PositiveInfinity, 0);
        }

        if (a.Hi < -746)
        {
            return Zero; // below half the smallest subnormal double
        }

        // a = k ln2 + r, |r| <= ln2/2; k*ln2 is k*ln2.Hi (exact by TwoProd) + k*ln2.Lo.
        double k = Math.Round(a.Hi / Ln2.Hi);
        DoubleDouble r = a - (Ln2 * k);

        // e^r = (e^(r/512))^512: the Taylor series of e^t - 1 for |t| <= 7e-4, then 9 squarings in the form
        // (1 + m)^2 - 1 = m (2 + m), which keeps the small part m at full relative precision.
        const int Squarings = 9;
        DoubleDouble t = new(Math.ScaleB(r.Hi, -Squarings), Math.ScaleB(r.Lo, -Squarings));
        DoubleDouble p = s_inverseFactorials[TaylorDegree];
        for (int n = TaylorDegree - 1; n >= 1; n--)
        {
            p = (p * t) + s_inverseFactorials[n];
        }

        DoubleDouble m = p * t;
        for (int i = 0; i < Squarings; i++)
        {
            m *= m + 2.0;
        }

        DoubleDouble result = m + 1.0;
        return new DoubleDouble(Math.ScaleB(result.Hi, (int)k), Math.ScaleB(result.Lo, (int)k));
    }

    /// <summary>ln a for a &gt; 0, by Newton's method y += a e^-y - 1 from the double logarithm.</summary>
    public static DoubleDouble Log(DoubleDouble a)
    {
        if (double.IsNaN(a.Hi) || a.Hi < 0)
        {
            return NaN;
        }

        if (a.Hi == 0)
        {
            return new DoubleDouble(double.NegativeInfinity, 0);
        }

        if (double.IsPositiveInfinity(a.Hi))
        {
            return a;
        }

        DoubleDouble y = Math.Log(a.Hi);
        for (int i = 0; i < 3; i++)
        {
            DoubleDouble e = Exp(y);
            y += (a - e) / e;
        }

        return y;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"({Hi:R} + {Lo:R})");

    private static DoubleDouble[] CreateInverseFactorials()
    {
        var table = new DoubleDouble[TaylorDegree + 1];
        double factorial = 1;
        for (int n = 0; n <= TaylorDegree; n++)
        {
            if (n > 0)
            {
                factorial *= n;
            }

            table[n] = One / factorial;
        }

        return table;
    }
}

/// <summary>The reference results for a batch: near-exact values plus the expected argmax.</summary>
internal sealed class ReferenceResult
{
    public ReferenceResult(int rows, int classes)
    {
        Rows = rows;
        Classes = classes;
        Softmax = new DoubleDouble[rows * classes];
        LogSoftmax = new DoubleDouble[rows * classes];
        Losses = new DoubleDouble[rows];
        Argmax = new int[rows];
        RowIsNaN = new bool[rows];
    }

    public int Rows { get; }

    public int Classes { get; }

    /// <summary>Softmax to ~1e-16 relative (float inputs, computed in double) or ~1e-30 (double inputs, double-double).</summary>
    public DoubleDouble[] Softmax { get; }

    public DoubleDouble[] LogSoftmax { get; }

    /// <summary>Per-row cross-entropy (empty targets: all NaN).</summary>
    public DoubleDouble[] Losses { get; }

    public int[] Argmax { get; }

    /// <summary>Rows that contain NaN or +inf, or only -inf: every result is NaN (PyTorch semantics).</summary>
    public bool[] RowIsNaN { get; }

    /// <summary>The sum of the per-row losses rounded to the input type (as PyTorch reduces them).</summary>
    public DoubleDouble LossSum { get; set; }

    /// <summary>The mean of the per-row losses rounded to the input type (NaN for zero rows).</summary>
    public DoubleDouble LossMean { get; set; }
}

/// <summary>
/// Reference softmax, log-softmax, cross-entropy and argmax, written independently of the library. Float inputs are
/// computed in double and rounded to float (correctly rounded up to ~1e-16 relative); double inputs are computed in
/// double-double (<see cref="DoubleDouble"/>). Non-finite semantics are PyTorch's: a row with NaN or +inf, or only
/// -inf, gives NaN everywhere; a -inf logit in an otherwise finite row has probability 0 and log-probability -inf.
/// </summary>
internal static class Reference
{
    public static ReferenceResult Compute<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Compute(MemoryMarshal.Cast<T, float>(logits), targets, classes);
        }

        return Compute(MemoryMarshal.Cast<T, double>(logits), targets, classes);
    }

    /// <summary>The reference for float logits, computed in double.</summary>
    public static ReferenceResult Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes)
    {
        int rows = logits.Length / classes;
        var result = new ReferenceResult(rows, classes);
        Span<double> x = new double[classes];
        Span<double> e = new double[classes];
        double lossSum = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < classes; j++)
            {
                x[j] = logits[(r * classes) + j];
            }

            result.Argmax[r] = FirstMaxIndex<double>(x);
            double loss;
            if (IsNaNRow<double>(x))
            {
                result.RowIsNaN[r] = true;
                for (int j = 0; j < classes; j++)
                {
                    result.Softmax[(r * classes) + j] = double.NaN;
                    result.LogSoftmax[(r * classes) + j] = double.NaN;
                }

                loss = double.NaN;
            }
            else
            {
                double max = double.NegativeInfinity;
                foreach (double v in x)
                {
                    max = v > max ? v : max;
                }

                // sum = 1 + rest: the first maximum contributes exactly e^0 = 1, and rest (a Neumaier-compensated sum
                // of the other terms) is kept apart so that ln(sum) = log1p(rest) keeps its relative accuracy when
                // rest is tiny (a confident row's loss is about rest, far below the rounding of 1 + rest).
                int first = FirstMaxIndex<double>(x);
                double rest = 0, compensation = 0;
                for (int j = 0; j < classes; j++)
                {
                    e[j] = Math.Exp(x[j] - max);
                    if (j == first)
                    {
                        continue;
                    }

                    double t = rest + e[j];
                    compensation += Math.Abs(rest) >= Math.Abs(e[j]) ? (rest - t) + e[j] : (e[j] - t) + rest;
                    rest = t;
                }

                rest += compensation;
                double sum = 1 + rest;
                double logSum = Log1P(rest);
                for (int j = 0; j < classes; j++)
                {
                    result.Softmax[(r * classes) + j] = e[j] / sum;
                    result.LogSoftmax[(r * classes) + j] = (x[j] - max) - logSum;
                }

                loss = targets.IsEmpty ? double.NaN : (max - x[targets[r]]) + logSum;
            }

            result.Losses[r] = loss;

            // Mean and sum reduce the per-row losses as float (as PyTorch reduces its float32 per-row losses): a row
            // loss beyond float.MaxValue is +inf in the reduction too. The sum itself is exact enough in double.
            lossSum += (float)loss;
        }

        result.LossSum = lossSum;
        result.LossMean = lossSum / rows;
        return result;
    }

    /// <summary>The reference for double logits, computed in double-double.</summary>
    public static ReferenceResult Compute(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes)
    {
        int rows = logits.Length / classes;
        var result = new ReferenceResult(rows, classes);
        var shifted = new DoubleDouble[classes];
        var exps = new DoubleDouble[classes];
        DoubleDouble lossSum = DoubleDouble.Zero;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> x = logits.Slice(r * classes, classes);
            result.Argmax[r] = FirstMaxIndex(x);
            DoubleDouble loss;
            if (IsNaNRow(x))
            {
                result.RowIsNaN[r] = true;
                for (int j = 0; j < classes; j++)
                {
                    result.Softmax[(r * classes) + j] = DoubleDouble.NaN;
                    result.LogSoftmax[(r * classes) + j] = DoubleDouble.NaN;
                }

                loss = DoubleDouble.NaN;
            }
            else
            {
                double max = double.NegativeInfinity;
                foreach (double v in x)
                {
                    max = v > max ? v : max;
                }

                DoubleDouble sum = DoubleDouble.Zero;
                for (int j = 0; j < classes; j++)
                {
                    // x - max exactly; -inf (or a difference that overflows) means e^(x - max) = 0.
                    shifted[j] = DoubleDouble.TwoSum(x[j], -max);
                    if (double.IsInfinity(shifted[j].Hi))
                    {
                        shifted[j] = new DoubleDouble(double.NegativeInfinity, 0);
                        exps[j] = DoubleDouble.Zero;
                    }
                    else
                    {
                        exps[j] = DoubleDouble.Exp(shifted[j]);
                    }

                    sum += exps[j];
                }

                DoubleDouble logSum = DoubleDouble.Log(sum);
                for (int j = 0; j < classes; j++)
                {
                    result.Softmax[(r * classes) + j] = exps[j] / sum;
                    result.LogSoftmax[(r * classes) + j] = double.IsNegativeInfinity(shifted[j].Hi)
                        ? new DoubleDouble(double.NegativeInfinity, 0)
                        : shifted[j] - logSum;
                }

                if (targets.IsEmpty)
                {
                    loss = DoubleDouble.NaN;
                }
                else
                {
                    DoubleDouble s = shifted[targets[r]];
                    loss = double.IsNegativeInfinity(s.Hi) ? new DoubleDouble(double.PositiveInfinity, 0) : logSum - s;
                }
            }

            result.Losses[r] = loss;

            // Mean and sum reduce the per-row losses rounded to double (as PyTorch reduces its per-row losses).
            lossSum = AddSpecial(lossSum, loss.ToDouble());
        }

        result.LossSum = lossSum;
        // Near the overflow threshold the double-double division overflows in its product (q * rows): divide plainly.
        result.LossMean = rows == 0 || !(Math.Abs(lossSum.Hi) < double.MaxValue / 64) ? new DoubleDouble(lossSum.Hi / rows, 0) : lossSum / rows;
        return result;
    }

    /// <summary>torch.argmax semantics: the first NaN if there is one, otherwise the first index holding the maximum.</summary>
    public static int FirstMaxIndex<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (T.IsNaN(row[j]))
            {
                return j;
            }
        }

        T max = row[0];
        foreach (T v in row)
        {
            if (v > max)
            {
                max = v;
            }
        }

        for (int j = 0; j < row.Length; j++)
        {
            if (row[j] == max)
            {
                return j;
            }
        }

        throw new InvalidOperationException("unreachable: the maximum is in the row");
    }

    /// <summary>A row that contains NaN or +inf, or is all -inf.</summary>
    public static bool IsNaNRow<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool allNegativeInfinity = true;
        foreach (T v in row)
        {
            if (T.IsNaN(v) || T.IsPositiveInfinity(v))
            {
                return true;
            }

            allNegativeInfinity &= T.IsNegativeInfinity(v);
        }

        return allNegativeInfinity;
    }

    /// <summary>The reference value rounded to <typeparamref name="T"/> (for float, the double value rounded once).</summary>
    public static T Round<T>(DoubleDouble value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d = value.ToDouble();
        return T.CreateTruncating(d);
    }

    /// <summary>ln(1 + x) for x &gt;= 0, accurate to a few ULP also for tiny x (Goldberg's method).</summary>
    public static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * (x / (u - 1));
    }

    private static DoubleDouble AddSpecial(DoubleDouble a, DoubleDouble b)
    {
        DoubleDouble sum = double.IsFinite(a.Hi) && double.IsFinite(b.Hi) ? a + b : new DoubleDouble(a.Hi + b.Hi, 0);
        // A finite sum beyond double.MaxValue is +inf in double; the double-double addition makes it NaN.
        return double.IsNaN(sum.Hi) && !double.IsNaN(a.Hi + b.Hi) ? new DoubleDouble(a.Hi + b.Hi, 0) : sum;
    }
}

/// <summary>Checks the references themselves, so that a broken reference fails instead of passing everything.</summary>
public sealed class ReferenceTests
{
    private static void AssertClose(DoubleDouble actual, double expectedHi, double expectedLo, double relative)
    {
        DoubleDouble difference = actual - new DoubleDouble(expectedHi, expectedLo);
        double error = Math.Abs(difference.ToDouble()) / Math.Abs(expectedHi);
        Assert.True(error <= relative, $"got {actual}, expected ({expectedHi:R} + {expectedLo:R}); relative error {error:E3} > {relative:E1}");
    }

    [Fact]
    public void Exp_MatchesKnownDigits()
    {
        AssertClose(DoubleDouble.Exp(1.0), 2.718281828459045, 1.4456468917292502e-16, 1e-30);
        AssertClose(DoubleDouble.Exp(-1.0), 0.36787944117144233, -1.2428753672788363e-17, 1e-30);
        // The double nearest 0.001 is 0.001000000000000000020816681711721685..., and this is e to that value.
        AssertClose(DoubleDouble.Exp(0.001), 1.0010005001667084, -4.290842058948394e-17, 1e-30);
        AssertClose(DoubleDouble.Exp(-50.0), 1.9287498479639178e-22, -3.7546101071240096e-39, 1e-30);
        Assert.Equal(1.0, DoubleDouble.Exp(0.0).Hi);
        Assert.Equal(0.0, DoubleDouble.Exp(0.0).Lo);
        Assert.Equal(0.0, DoubleDouble.Exp(-1e300).Hi);
    }

    [Fact]
    public void Log_MatchesKnownDigits()
    {
        AssertClose(DoubleDouble.Log(2.0), DoubleDouble.Ln2.Hi, DoubleDouble.Ln2.Lo, 1e-30);
        AssertClose(DoubleDouble.Log(3.0), 1.0986122886681098, -9.07129723500153e-17, 1e-30);
        AssertClose(DoubleDouble.Log(10.0), 2.302585092994046, -2.1707562233822494e-16, 1e-30);
        AssertClose(DoubleDouble.Log(1000.0), 6.907755278982137, 2.369515526854504e-16, 1e-30);
        Assert.Equal(0.0, DoubleDouble.Log(1.0).Hi);
    }

    [Fact]
    public void ExpAndLog_AreInverse()
    {
        var random = new Random(12345);
        for (int i = 0; i < 200; i++)
        {
            // Above about -670 the low part of e^x is still a normal number.
            double x = (random.NextDouble() * 1300) - 650;
            DoubleDouble roundTrip = DoubleDouble.Log(DoubleDouble.Exp(x));
            double error = Math.Abs((roundTrip - x).ToDouble());
            Assert.True(error <= 1e-29 * Math.Max(1, Math.Abs(x)), $"log(exp({x:R})) = {roundTrip}, error {error:E3}");
            double y = Math.Exp((random.NextDouble() * 40) - 20);
            AssertClose(DoubleDouble.Exp(DoubleDouble.Log(y)), y, 0, 1e-29);
        }
    }

    [Fact]
    public void ErrorFreeTransformations_AreExact()
    {
        DoubleDouble s = DoubleDouble.TwoSum(1.0, 1e-20);
        Assert.Equal(1.0, s.Hi);
        Assert.Equal(1e-20, s.Lo);
        DoubleDouble p = DoubleDouble.TwoProd(1.0 + Math.ScaleB(1, -30), 1.0 + Math.ScaleB(1, -30));
        Assert.Equal(1.0 + Math.ScaleB(1, -29), p.Hi);
        Assert.Equal(Math.ScaleB(1, -60), p.Lo);
        DoubleDouble third = DoubleDouble.One / 3.0;
        AssertClose(third * 3.0, 1.0, 0, 1e-31);
    }

    [Fact]
    public void DoubleReference_MatchesKnownSoftmax()
    {
        ReferenceResult r = Reference.Compute(new double[] { 2.0, 1.0, 0.1 }, new int[] { 2 }, 3);
        AssertClose(r.Softmax[0], 0.6590011388859679, 1.0089871999480267e-17, 1e-30);
        AssertClose(r.Softmax[1], 0.24243297070471392, -2.3459475293010488e-18, 1e-30);
        AssertClose(r.Softmax[2], 0.09856589040931817, 6.133863337635239e-18, 1e-30);
        AssertClose(r.LogSoftmax[0], -0.4170300162778335, -1.3357235029363487e-18, 1e-30);
        AssertClose(r.LogSoftmax[1], -1.4170300162778335, 5.4175427728321476e-17, 1e-30);
        AssertClose(r.LogSoftmax[2], -2.3170300162778337, 1.9295330580646604e-16, 1e-30);
        AssertClose(r.Losses[0], 2.3170300162778337, -1.9295330580646604e-16, 1e-30);
        Assert.Equal(0, r.Argmax[0]);
    }

    [Fact]
    public void FloatReference_MatchesKnownSoftmax()
    {
        ReferenceResult r = Reference.Compute(new float[] { 2f, 1f, 0.1f }, new int[] { 0 }, 3);
        Assert.Equal(0.65900114f, Reference.Round<float>(r.Softmax[0]));
        Assert.Equal(0.24243297f, Reference.Round<float>(r.Softmax[1]));
        Assert.Equal(0.09856589f, Reference.Round<float>(r.Softmax[2]));
        Assert.Equal(0.41703, r.Losses[0].Hi, 5e-6);
    }

    [Fact]
    public void References_KeepTheRelativeAccuracyOfTinyLosses()
    {
        // log(1 + e^-27) = 1.8795288165373...e-12 and log(1 + e^-40) = 4.248354255291589e-18: a loss this small is lost
        // in the rounding of 1 + e^s, so both references must not compute it as log(sum).
        ReferenceResult f = Reference.Compute(new float[] { 0, -27 }, new int[] { 0 }, 2);
        Assert.Equal(1.8795288165373e-12, f.Losses[0].Hi, 1e-24);
        ReferenceResult d = Reference.Compute(new double[] { 0, -40 }, new int[] { 0 }, 2);
        AssertClose(d.Losses[0], 4.248354255291589e-18, 0, 1e-15);
        Assert.Equal(1e-20, Reference.Log1P(1e-20));
        Assert.Equal(Math.Log(2), Reference.Log1P(1), 1e-16);
    }

    [Fact]
    public void FloatAndDoubleReferences_Agree()
    {
        var random = new Random(777);
        foreach (int classes in new[] { 1, 3, 17, 100 })
        {
            var f = new float[classes * 20];
            for (int i = 0; i < f.Length; i++)
            {
                f[i] = (float)((random.NextDouble() * 60) - 30);
            }

            var targets = new int[20];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = random.Next(classes);
            }

            double[] d = Array.ConvertAll(f, v => (double)v);
            ReferenceResult rf = Reference.Compute(f, targets, classes);
            ReferenceResult rd = Reference.Compute(d, targets, classes);
            for (int i = 0; i < f.Length; i++)
            {
                Assert.Equal(rd.Softmax[i].ToDouble(), rf.Softmax[i].Hi, 1e-15 * rd.Softmax[i].Hi);
                Assert.Equal(rd.LogSoftmax[i].ToDouble(), rf.LogSoftmax[i].Hi, 1e-14 * Math.Max(1, Math.Abs(rd.LogSoftmax[i].Hi)));
            }

            for (int i = 0; i < targets.Length; i++)
            {
                Assert.Equal(rd.Losses[i].ToDouble(), rf.Losses[i].Hi, 1e-14 * Math.Max(1, rd.Losses[i].Hi));
                Assert.Equal(rd.Argmax[i], rf.Argmax[i]);
            }
        }
    }

    [Fact]
    public void Reference_NonFiniteSemantics()
    {
        ReferenceResult r = Reference.Compute(
            new double[] { 1.0, double.NegativeInfinity, 0.0, double.NaN, 5.0, 2.0, double.PositiveInfinity, 1.0, 0.0, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity },
            new int[] { 1, 0, 0, 2 },
            3);
        Assert.False(r.RowIsNaN[0]);
        Assert.Equal(0.0, r.Softmax[1].Hi);
        Assert.Equal(double.NegativeInfinity, r.LogSoftmax[1].Hi);
        Assert.Equal(double.PositiveInfinity, r.Losses[0].Hi);
        Assert.True(r.RowIsNaN[1] && r.RowIsNaN[2] && r.RowIsNaN[3]);
        Assert.True(double.IsNaN(r.Softmax[3].Hi) && double.IsNaN(r.LogSoftmax[6].Hi) && double.IsNaN(r.Losses[3].Hi));
        Assert.Equal(new[] { 0, 0, 0, 0 }, r.Argmax);
        Assert.Equal(2, Reference.FirstMaxIndex<float>([1f, 3f, float.NaN, 3f, float.NaN]));
        Assert.Equal(1, Reference.FirstMaxIndex<float>([1f, 3f, 2f, 3f]));
        Assert.Equal(0, Reference.FirstMaxIndex<double>([-0.0, 0.0]));
    }
}
