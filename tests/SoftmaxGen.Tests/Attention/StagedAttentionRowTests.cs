using System;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Attention rows of up to 1 KB (256 floats, 128 doubles) are staged a chunk at a time and handed to the plain softmax (a generated kernel's fused
/// rows, where one is registered, give the same bits), so each row is, bit for bit, <see cref="SoftmaxPrimitives"/>'
/// softmax (or log-softmax) of v = scale * x + bias with the causal limit as -inf: over several chunks of rows, in place
/// and not, with no bias, a bias row and a bias per logit, in both layouts (the column layout's short rows and the row
/// layout's); rows fully masked by their bias or the causal limit get the chosen result, and rows holding NaN or +inf
/// give NaN. Longer rows take the fused row kernels, whose whole rows give the same bits too (rows cut by a causal limit
/// sum over a shorter prefix: AttentionSoftmaxTests checks them against the bounds).
/// </summary>
public sealed class StagedAttentionRowTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(128)]
    [InlineData(200)]
    [InlineData(256)]
    public void RowsOfUpTo1KB_AreThePlainSoftmaxOfTheStagedValues(int classes)
    {
        Check<float>(classes);
        Check<double>(classes);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(100)]
    [InlineData(1500)]
    public void BooleanMaskPerLogit_OverManyRows_IsTheAdditiveMask(int classes)
    {
        // The mask is made additive a run of rows at a time (1,024 values, or one row): several runs, a row fully masked.
        int rows = (3 * Math.Max(1024 / classes, 1)) + 7;
        var random = new Random(classes + 1);
        float[] x = Scores<float>(rows * classes, random);
        bool[] mask = Enumerable.Range(0, rows * classes).Select(_ => random.Next(4) != 0).ToArray();
        mask.AsSpan((rows - 2) * classes, classes).Clear();
        float[] additive = mask.Select(keep => keep ? 0f : float.NegativeInfinity).ToArray();
        foreach (bool log in new[] { false, true })
        {
            foreach (MaskedRowResult fullyMasked in new[] { MaskedRowResult.Zeros, MaskedRowResult.NaN })
            {
                float[] masked = new float[x.Length], biased = new float[x.Length];
                if (log)
                {
                    SoftmaxPrimitives.MaskedLogSoftmax(x, masked, classes, 0.125f, mask, fullyMasked);
                    SoftmaxPrimitives.ScaledLogSoftmax(x, biased, classes, 0.125f, additive, fullyMasked);
                }
                else
                {
                    SoftmaxPrimitives.MaskedSoftmax(x, masked, classes, 0.125f, mask, fullyMasked);
                    SoftmaxPrimitives.ScaledSoftmax(x, biased, classes, 0.125f, additive, fullyMasked);
                }

                Assert.Equal(biased, masked);
                float whenMasked = fullyMasked == MaskedRowResult.NaN ? float.NaN : 0f;
                Assert.All(masked.AsSpan((rows - 2) * classes, classes).ToArray(), p => Assert.Equal(whenMasked, p));
            }
        }
    }

    [Theory]
    [InlineData(257)]
    [InlineData(300)]
    [InlineData(1030)]
    [InlineData(4100)]
    public void LongerRows_WholeRowsAreThePlainSoftmaxOfTheStagedValues(int classes)
    {
        // The fused row kernels: each whole row of the softmax after the first is staged, and its maximum taken, during
        // the scale pass of the row before; rows cut by a causal limit (the first four here) are checked against the
        // bounds by AttentionSoftmaxTests, as their sums run over a shorter prefix than the plain softmax's.
        int rows = (20_000 / classes) + 12;
        Check<float>(classes, rows, [long.MaxValue, classes - 5], wholeRowsOnly: true);
        Check<double>(classes, rows, [long.MaxValue, classes - 5], wholeRowsOnly: true);
    }

    [Fact]
    public void BatchesOver4MiB_WholeRowsAreThePlainSoftmaxOfTheStagedValues()
    {
        // Past RowKernels.MaxFusedMaxBatchBytes each row is staged by a pass of its own: the same bits.
        const int classes = 4100;
        Check<float>(classes, (int)(RowKernels.MaxFusedMaxBatchBytes / (classes * sizeof(float))) + 2, [long.MaxValue], wholeRowsOnly: true);
    }

    private static void Check<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (classes * Unsafe.SizeOf<T>() <= 1024)
            Check<T>(classes, Math.Min(700, (60_000 / classes) + 40), [long.MaxValue, -3, 0, 2], wholeRowsOnly: false);
    }

    private static void Check<T>(int classes, int rows, long[] offsets, bool wholeRowsOnly)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(classes);
        T scale = T.CreateTruncating(0.3);
        T[] x = Scores<T>(rows * classes, random);
        x[(5 * classes) + (classes / 2)] = T.NaN;
        x[(9 * classes) + (classes - 1)] = T.PositiveInfinity;
        T[] rowBias = Scores<T>(classes, random);
        T[] fullBias = Scores<T>(rows * classes, random);
        for (int c = 0; c < classes; c++)
            fullBias[((rows - 3) * classes) + c] = T.NegativeInfinity; // a row fully masked by its bias, in the last chunk

        foreach (T[] bias in new[] { [], rowBias, fullBias })
        {
            foreach (long offset in offsets)
            {
                T[] v = Staged(x, classes, scale, bias, offset);
                foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
                {
                    foreach (bool log in new[] { false, true })
                    {
                        foreach (MaskedRowResult fullyMasked in new[] { MaskedRowResult.Zeros, MaskedRowResult.NaN })
                        {
                            T[] expected = new T[v.Length];
                            Plain(v, expected, classes, precision, log);
                            for (int r = 0; r < rows; r++)
                            {
                                if (v.AsSpan(r * classes, classes).ToArray().All(T.IsNegativeInfinity))
                                    expected.AsSpan(r * classes, classes).Fill(fullyMasked == MaskedRowResult.NaN ? T.NaN : T.Zero);
                            }

                            T[] separate = new T[x.Length], inPlace = (T[])x.Clone();
                            AttentionCalls.Run(x, separate, classes, scale, bias, offset, fullyMasked, precision, log);
                            AttentionCalls.Run(inPlace, inPlace, classes, scale, bias, offset, fullyMasked, precision, log);
                            for (int i = 0; i < x.Length; i++)
                            {
                                if (wholeRowsOnly && offset != long.MaxValue && (i / classes) + offset + 1 < classes)
                                    continue;

                                if (!expected[i].Equals(separate[i]) || !expected[i].Equals(inPlace[i]))
                                    Assert.Fail($"{typeof(T).Name} C={classes} bias {bias.Length} offset {offset} {precision} {(log ? "log-softmax" : "softmax")} {fullyMasked} [{i / classes}, {i % classes}]: {separate[i]}, in place {inPlace[i]}, expected {expected[i]}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>v = scale * x + bias, rounded twice as PyTorch rounds it, with -inf from each row's causal limit on.</summary>
    private static T[] Staged<T>(T[] x, int classes, T scale, T[] bias, long offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int row = i / classes, column = i % classes;
            T product = scale * x[i];
            T b = bias.Length == 0 ? T.Zero : bias.Length == classes ? bias[column] : bias[i];
            v[i] = offset != long.MaxValue && column >= row + offset + 1 ? T.NegativeInfinity : bias.Length == 0 ? product : product + b;
        }

        return v;
    }

    private static T[] Scores<T>(int count, Random random)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Enumerable.Range(0, count).Select(_ => T.CreateTruncating((random.NextDouble() - 0.5) * 24)).ToArray();

    private static void Plain<T>(T[] v, T[] y, int classes, SoftmaxPrecision precision, bool log)
    {
        if (v is float[] vf)
        {
            float[] yf = (float[])(object)y;
            if (log) SoftmaxPrimitives.LogSoftmax(vf, yf, classes, precision); else SoftmaxPrimitives.Softmax(vf, yf, classes, precision);
        }
        else
        {
            double[] vd = (double[])(object)v, yd = (double[])(object)y;
            if (log) SoftmaxPrimitives.LogSoftmax(vd, yd, classes, precision); else SoftmaxPrimitives.Softmax(vd, yd, classes, precision);
        }
    }
}
