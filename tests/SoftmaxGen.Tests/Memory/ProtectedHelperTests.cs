using System;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The helpers generated kernels reach as a derived type (<c>SoftmaxKernel.ColumnLayout</c> and <c>BlockMemory</c>) are
/// reachable by any type deriving from <see cref="SoftmaxKernel"/>: each must refuse rows, blocks, class counts and
/// targets that its spans do not hold, and write nothing.
/// </summary>
public sealed class ProtectedHelperTests
{
    [Fact]
    public void ColumnLayout_RefusesWhatTheSpansDoNotHold() => Derived.ColumnLayoutRefusals();

    [Fact]
    public void BlockMemory_RefusesBlocksTheSpansDoNotHold() => Derived.BlockMemoryRefusals();

    [Fact]
    public void ColumnLayout_WellShapedCalls_MatchSoftmaxPrimitives() => Derived.WellShaped();

    private static void Refused(Action call, string parameter)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(parameter, e.ParamName);
    }

    /// <summary>A user type deriving from the kernel base class, as a generated kernel does.</summary>
    private sealed class Derived() : SoftmaxKernel(4)
    {
        public static void ColumnLayoutRefusals()
        {
            float[] x = [1, 2, 3, 4, 5, 6, 7, 8]; // 2 rows of 4
            double[] xd = [1, 2, 3, 4, 5, 6, 7, 8];
            float[] y = new float[8];
            double[] yd = new double[8];

            Refused(() => ColumnLayout.Softmax<float>(x, y, 3, 4), "rows");
            Refused(() => ColumnLayout.Softmax<float>(x, y.AsSpan(0, 4), 2, 4), "rows");
            Refused(() => ColumnLayout.LogSoftmax<double>(xd, yd, 2, 5), "rows");
            Refused(() => ColumnLayout.LogSoftmax<double>(xd, yd, -1, 4), "rows");
            Refused(() => ColumnLayout.Softmax<float>(x, y, 0, 64), "classes");
            Refused(() => ColumnLayout.Softmax<float>(x, y, 1, 0), "classes");
            Refused(() => ColumnLayout.SoftmaxLastRows(x, y, 1, 100), "classes");
            Refused(() => ColumnLayout.LogSoftmaxLastRows(x, y, 9, 1), "rows");
            Refused(() => ColumnLayout.CrossEntropy<float>(x, [0, 4], y, 2, 4), "targets");
            Refused(() => ColumnLayout.CrossEntropy<double>(xd, [0, -1], [], 2, 4), "targets");
            Refused(() => ColumnLayout.CrossEntropyLastRows(x, [0], [], 2, 4), "rows");
            Refused(() => ColumnLayout.CrossEntropy<float>(x, [0, 1], y.AsSpan(0, 1), 2, 4), "losses");
            Assert.Throws<NotSupportedException>(() => ColumnLayout.Softmax<Half>(new Half[8], new Half[8], 2, 4));

            // A precision the enum does not define, on otherwise well-shaped calls.
            var undefined = (SoftmaxPrecision)7;
            Refused(() => ColumnLayout.Softmax<float>(x, y, 2, 4, undefined), "precision");
            Refused(() => ColumnLayout.LogSoftmax<double>(xd, yd, 2, 4, undefined), "precision");
            Refused(() => ColumnLayout.CrossEntropy<float>(x, [0, 1], y.AsSpan(0, 2), 2, 4, (SoftmaxPrecision)(-1)), "precision");
            Refused(() => ColumnLayout.CrossEntropy<double>(xd, [0, 1], [], 2, 4, undefined), "precision");
            Refused(() => ColumnLayout.SoftmaxLastRows(x, y, 2, 4, undefined), "precision");
            Refused(() => ColumnLayout.LogSoftmaxLastRows(x, y, 2, 4, (SoftmaxPrecision)2), "precision");
            Refused(() => ColumnLayout.CrossEntropyLastRows(x, [0, 1], [], 2, 4, undefined), "precision");

            Assert.All(y, v => Assert.Equal(0f, v));
            Assert.All(yd, v => Assert.Equal(0.0, v));
        }

        public static void BlockMemoryRefusals()
        {
            float[] block = new float[16 * 5];
            float[] shortBlock = new float[16 * 5 - 1];
            Vector512<float> v = Vector512.Create(1f);

            Refused(() => BlockMemory.LoadClassQuad(shortBlock, 5, 0, out Vector512<float> _, out _, out _, out _), "firstClass");
            Refused(() => BlockMemory.LoadClassQuad(block, 5, 2, out Vector512<float> _, out _, out _, out _), "firstClass");
            Refused(() => BlockMemory.LoadClassQuad(block, 5, -1, out Vector256<float> _, out _, out _, out _), "firstClass");
            Refused(() => BlockMemory.StoreClassQuad(shortBlock, 5, 1, v, v, v, v), "firstClass");
            Refused(() => BlockMemory.StoreClassQuad(block.AsSpan(0, 8 * 5 - 1), 5, 0, v.GetLower(), v.GetLower(), v.GetLower(), v.GetLower()), "firstClass");
            Refused(() => BlockMemory.StoreClassQuad(block, 3, 0, v, v, v, v), "firstClass");

            int[] targets = new int[16];
            targets[7] = 5;
            Refused(() => BlockMemory.BlockLosses(block, 5, targets, [], v, v, v), "targets");
            targets[7] = -1;
            Refused(() => BlockMemory.BlockLosses(block, 5, targets, [], v.GetLower(), v.GetLower(), v.GetLower()), "targets");
            targets[7] = 0;
            Refused(() => BlockMemory.BlockLosses(shortBlock, 5, targets, [], v, v, v), "classes");
            Refused(() => BlockMemory.BlockLosses(block, 5, targets.AsSpan(0, 3), [], v.GetLower().GetLower(), v.GetLower().GetLower(), v.GetLower().GetLower()), "targets");

            Assert.All(block, x => Assert.Equal(0f, x));
        }

        public static void WellShaped()
        {
            var random = new Random(4);
            float[] x = new float[19 * 10];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)(random.NextDouble() * 20 - 10);
            }

            foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
            {
                float[] expected = new float[x.Length];
                SoftmaxPrimitives.Softmax(x, expected, 10, precision);
                float[] actual = new float[x.Length];
                ColumnLayout.Softmax<float>(x, actual, 16, 10, precision);
                ColumnLayout.SoftmaxLastRows(x.AsSpan(160), actual.AsSpan(160), 3, 10, precision);
                for (int i = 0; i < x.Length; i++)
                {
                    Assert.True(Ulp.Distance(expected[i], actual[i]) <= 4, $"{precision} element {i}: {actual[i]} against {expected[i]}");
                }

                // The Fast lanes' column kernels give the Fast fallback's bits, not the Exact ones, where the fallback
                // takes the column layout too (with Vector256 or wider; with Vector128 alone C = 10 is a row layout,
                // whose sum is ordered differently: within 4 ULP there).
                float[] fallback = new float[x.Length];
                SoftmaxFallback.Softmax<float>(x, fallback, 10, precision);
                float[] columns = new float[x.Length];
                ColumnLayout.Softmax<float>(x, columns, 19, 10, precision);
                if (Vector256.IsHardwareAccelerated)
                {
                    Assert.Equal(fallback, columns);
                }
                else
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        Assert.True(Ulp.Distance(fallback[i], columns[i]) <= 4, $"{precision} element {i}: {columns[i]} against {fallback[i]}");
                    }
                }
            }
        }

        protected override void SoftmaxRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows) => throw new NotSupportedException();

        protected override void SoftmaxRows(ReadOnlySpan<double> logits, Span<double> probabilities, int rows) => throw new NotSupportedException();

        protected override void LogSoftmaxRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows) => throw new NotSupportedException();

        protected override void LogSoftmaxRows(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows) => throw new NotSupportedException();

        protected override double CrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows) => throw new NotSupportedException();

        protected override double CrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows) => throw new NotSupportedException();

        protected override void ArgmaxRows(ReadOnlySpan<float> logits, Span<int> predictions, int rows) => throw new NotSupportedException();

        protected override void ArgmaxRows(ReadOnlySpan<double> logits, Span<int> predictions, int rows) => throw new NotSupportedException();
    }
}
