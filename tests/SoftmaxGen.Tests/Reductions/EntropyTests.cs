using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The softmax entropy and its gradient against a float64 reference written from the definition
/// (H = -sum p log p, dH/dx_j = -p_j (log p_j + H)), the gradient also against central finite differences of the
/// double entropy, and the special values: -inf logits contribute 0, a row with NaN or +inf or only -inf gives NaN.
/// </summary>
public sealed class EntropyTests
{
    public static TheoryData<int, SoftmaxPrecision> Shapes()
    {
        var data = new TheoryData<int, SoftmaxPrecision>();
        foreach (int classes in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 100, 1000, 32000 })
        {
            data.Add(classes, SoftmaxPrecision.Exact);
            data.Add(classes, SoftmaxPrecision.Fast);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Entropy_AndGradient_MatchTheFloat64Reference(int classes, SoftmaxPrecision precision)
    {
        Check<float>(classes, precision, entropyTolerance: precision == SoftmaxPrecision.Fast ? 2e-5 : 4e-6, gradientTolerance: 2e-6);
        Check<double>(classes, precision, entropyTolerance: precision == SoftmaxPrecision.Fast ? 1e-12 : 1e-13, gradientTolerance: 1e-13);
    }

    [Fact]
    public void Gradient_MatchesCentralFiniteDifferences()
    {
        var random = new Random(5);
        foreach (int classes in new[] { 2, 3, 10, 37 })
        {
            double[] x = new double[classes];
            for (int i = 0; i < classes; i++)
                x[i] = (random.NextDouble() * 6) - 3;
            double[] h = new double[1], g = new double[classes];
            SoftmaxPrimitives.EntropyWithGradient(x, h, g, classes);
            for (int j = 0; j < classes; j++)
            {
                const double step = 1e-5;
                double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                plus[j] += step;
                minus[j] -= step;
                double[] hp = new double[1], hm = new double[1];
                SoftmaxPrimitives.Entropy(plus, hp, classes);
                SoftmaxPrimitives.Entropy(minus, hm, classes);
                Assert.Equal((hp[0] - hm[0]) / (2 * step), g[j], 1e-8);
            }
        }
    }

    [Fact]
    public void SpecialValues_FollowCategoricalEntropy()
    {
        double inf = double.PositiveInfinity;
        // [0, 0, -inf, -inf]: two equal classes, ln 2; the -inf classes have zero gradient.
        double[] x = [0, 0, -inf, -inf, 1, -inf, -inf, -inf, double.NaN, 0, 0, 0, inf, 0, 0, 0, -inf, -inf, -inf, -inf];
        double[] h = new double[5], g = new double[x.Length];
        SoftmaxPrimitives.EntropyWithGradient(x, h, g, 4);
        Assert.Equal(Math.Log(2), h[0], 1e-15);
        Assert.Equal(0.0, h[1]);
        Assert.True(double.IsNaN(h[2]) && double.IsNaN(h[3]) && double.IsNaN(h[4]));
        Assert.All(g.AsSpan(0, 8).ToArray(), v => Assert.Equal(0.0, v, 1e-16));
        Assert.All(g.AsSpan(8).ToArray(), v => Assert.True(double.IsNaN(v)));

        float[] xf = Array.ConvertAll(x, v => (float)v);
        float[] hf = new float[5];
        SoftmaxPrimitives.Entropy(xf, hf, 4);
        Assert.Equal((float)Math.Log(2), hf[0], 1e-6f);
        Assert.True(float.IsNaN(hf[2]) && float.IsNaN(hf[4]));
    }

    [Fact]
    public void InPlaceGradient_EqualsTheSeparateOutput()
    {
        var random = new Random(9);
        foreach (int classes in new[] { 5, 17, 100 })
        {
            float[] x = new float[3 * classes];
            for (int i = 0; i < x.Length; i++)
                x[i] = (float)((random.NextDouble() * 10) - 5);
            float[] h = new float[3], g = new float[x.Length], h2 = new float[3];
            SoftmaxPrimitives.EntropyWithGradient(x, h, g, classes);
            SoftmaxPrimitives.EntropyWithGradient(x, h2, x, classes);
            Assert.Equal(g, x);
            Assert.Equal(h, h2);
        }
    }

    [Fact]
    public void BadArguments_ThrowAndWriteNothing()
    {
        float[] x = new float[12], h = [7, 7, 7, 7], g = new float[12];
        Array.Fill(g, 7);
        AssertThrows<ArgumentOutOfRangeException>("classes", () => SoftmaxPrimitives.Entropy(x, h, 0));
        AssertThrows<ArgumentException>("logits", () => SoftmaxPrimitives.Entropy(x, h, 5));
        AssertThrows<ArgumentException>("entropies", () => SoftmaxPrimitives.Entropy(x, h.AsSpan(0, 2), 4));
        AssertThrows<ArgumentException>("entropies", () => SoftmaxPrimitives.Entropy(x, x.AsSpan(0, 3), 4));
        AssertThrows<ArgumentOutOfRangeException>("precision", () => SoftmaxPrimitives.Entropy(x, h, 4, (SoftmaxPrecision)9));
        AssertThrows<ArgumentException>("logitsGradient", () => SoftmaxPrimitives.EntropyWithGradient(x, h, g.AsSpan(1), 4));
        AssertThrows<ArgumentException>("logitsGradient", () => SoftmaxPrimitives.EntropyWithGradient(x.AsSpan(0, 8), h, x.AsSpan(1, 8), 4));
        float[] shared = new float[14];
        AssertThrows<ArgumentException>("entropies", () => SoftmaxPrimitives.EntropyWithGradient(x, shared.AsSpan(0, 3), shared.AsSpan(2, 12), 4));
        Assert.All(h, v => Assert.Equal(7, v));
        Assert.All(g, v => Assert.Equal(7, v));
        Assert.All(shared, v => Assert.Equal(0, v));
    }

    private static void AssertThrows<TException>(string parameter, Action action)
        where TException : ArgumentException
    {
        TException e = Assert.Throws<TException>(action);
        Assert.Equal(parameter, e.ParamName);
    }

    private static void Check<T>(int classes, SoftmaxPrecision precision, double entropyTolerance, double gradientTolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = classes >= 1000 ? 3 : 9;
        var random = new Random(classes + (int)precision);
        T[] data = new T[(rows * classes) + 1];
        for (int i = 0; i < data.Length; i++)
        {
            // Row r spreads its logits over a range of 2^(r - 3): from nearly uniform to nearly one-hot.
            int row = i / classes;
            double spread = Math.Pow(2, row - 3);
            data[i] = random.Next(40) == 0 ? T.NegativeInfinity : T.CreateTruncating(((random.NextDouble() * 2) - 1) * spread * 8);
        }

        for (int row = 0; row < rows; row++)
            data[1 + (row * classes) + random.Next(classes)] = T.CreateTruncating(1.5);

        ReadOnlySpan<T> logits = data.AsSpan(1, rows * classes);
        T[] h = new T[rows], g = new T[rows * classes], h2 = new T[rows];
        if (typeof(T) == typeof(float))
        {
            SoftmaxPrimitives.EntropyWithGradient(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(h.AsSpan()), MemoryMarshal.Cast<T, float>(g.AsSpan()), classes, precision);
            SoftmaxPrimitives.Entropy(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(h2.AsSpan()), classes, precision);
        }
        else
        {
            SoftmaxPrimitives.EntropyWithGradient(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(h.AsSpan()), MemoryMarshal.Cast<T, double>(g.AsSpan()), classes, precision);
            SoftmaxPrimitives.Entropy(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(h2.AsSpan()), classes, precision);
        }

        Assert.Equal(h, h2);
        for (int row = 0; row < rows; row++)
        {
            double[] x = new double[classes];
            for (int j = 0; j < classes; j++)
                x[j] = double.CreateTruncating(logits[(row * classes) + j]);
            (double entropy, double[] gradient) = Reference(x);
            double actual = double.CreateTruncating(h[row]);
            Assert.True(Math.Abs(actual - entropy) <= entropyTolerance * Math.Max(1, entropy), $"{typeof(T).Name} {precision} C={classes} row {row}: {actual} vs {entropy}");
            for (int j = 0; j < classes; j++)
            {
                double got = double.CreateTruncating(g[(row * classes) + j]);
                Assert.True(Math.Abs(got - gradient[j]) <= gradientTolerance * Math.Max(1, entropy), $"{typeof(T).Name} {precision} C={classes} row {row} class {j}: {got} vs {gradient[j]}");
            }
        }
    }

    /// <summary>H = -sum p log p and -p_j (log p_j + H) in double, from log p = x - logsumexp(x); -inf classes give 0.</summary>
    private static (double Entropy, double[] Gradient) Reference(double[] x)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x)
            max = Math.Max(max, v);
        double sum = 0;
        foreach (double v in x)
            sum += Math.Exp(v - max);
        double lse = max + Math.Log(sum);
        double entropy = 0;
        foreach (double v in x)
        {
            if (!double.IsNegativeInfinity(v))
                entropy -= Math.Exp(v - lse) * (v - lse);
        }

        double[] gradient = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
            gradient[j] = double.IsNegativeInfinity(x[j]) ? 0 : -Math.Exp(x[j] - lse) * (x[j] - lse + entropy);
        return (entropy, gradient);
    }
}
