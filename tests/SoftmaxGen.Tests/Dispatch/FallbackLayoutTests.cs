using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;
using Scalar32Fast = SoftmaxGen.Kernels.Scalar<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;
using Simd128Fast = SoftmaxGen.Kernels.Simd128<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;
using Simd256Fast = SoftmaxGen.Kernels.Simd256<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;
using Simd512Fast = SoftmaxGen.Kernels.Simd512<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every layout of the runtime fallback, called directly with every vector width (the fallback itself runs only the
/// widest accelerated one, so without this Vector512 code would never run on a machine without AVX-512): the
/// row layout (<c>RowKernels</c>, rows of at least one vector) and the column layout (<c>ColumnKernels</c>, float rows
/// of up to 63 classes, SIMD across rows), against a float64 reference computed here. Each layout runs with the lanes
/// of both precisions ("...Fast": the lanes closed over <c>FastPrecision</c>), Fast held to <see cref="FastBounds"/>:
/// its results may also carry the rounding of x - max, |x - max| 2^-24 relative (softmax) or absolute (log-softmax).
/// </summary>
public sealed class FallbackLayoutTests
{
    private delegate void RowsOperation(ref float x, ref float y, nuint rows, nuint classes);

    private delegate double LossOperation(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows, nuint classes);

    private static readonly int[] RowCounts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];

    private static readonly Dictionary<string, (int Width, RowsOperation Softmax, RowsOperation LogSoftmax, LossOperation CrossEntropy)> Layouts = new()
    {
        ["Column512"] = (Vector512<float>.Count, ColumnKernels<Simd512F, Vector512<float>, float>.Softmax, ColumnKernels<Simd512F, Vector512<float>, float>.LogSoftmax, ColumnKernels<Simd512F, Vector512<float>, float>.CrossEntropy),
        ["Column256"] = (Vector256<float>.Count, ColumnKernels<Simd256F, Vector256<float>, float>.Softmax, ColumnKernels<Simd256F, Vector256<float>, float>.LogSoftmax, ColumnKernels<Simd256F, Vector256<float>, float>.CrossEntropy),
        ["Column128"] = (Vector128<float>.Count, ColumnKernels<Simd128F, Vector128<float>, float>.Softmax, ColumnKernels<Simd128F, Vector128<float>, float>.LogSoftmax, ColumnKernels<Simd128F, Vector128<float>, float>.CrossEntropy),
        ["Row512"] = (Vector512<float>.Count, RowKernels<Simd512F, Vector512<float>, float>.Softmax, RowKernels<Simd512F, Vector512<float>, float>.LogSoftmax, RowKernels<Simd512F, Vector512<float>, float>.CrossEntropy),
        ["Row256"] = (Vector256<float>.Count, RowKernels<Simd256F, Vector256<float>, float>.Softmax, RowKernels<Simd256F, Vector256<float>, float>.LogSoftmax, RowKernels<Simd256F, Vector256<float>, float>.CrossEntropy),
        ["Row128"] = (Vector128<float>.Count, RowKernels<Simd128F, Vector128<float>, float>.Softmax, RowKernels<Simd128F, Vector128<float>, float>.LogSoftmax, RowKernels<Simd128F, Vector128<float>, float>.CrossEntropy),
        ["Scalar"] = (1, RowKernels<ScalarF, float, float>.Softmax, RowKernels<ScalarF, float, float>.LogSoftmax, RowKernels<ScalarF, float, float>.CrossEntropy),
        ["Column512Fast"] = (Vector512<float>.Count, ColumnKernels<Simd512Fast, Vector512<float>, float>.Softmax, ColumnKernels<Simd512Fast, Vector512<float>, float>.LogSoftmax, ColumnKernels<Simd512Fast, Vector512<float>, float>.CrossEntropy),
        ["Column256Fast"] = (Vector256<float>.Count, ColumnKernels<Simd256Fast, Vector256<float>, float>.Softmax, ColumnKernels<Simd256Fast, Vector256<float>, float>.LogSoftmax, ColumnKernels<Simd256Fast, Vector256<float>, float>.CrossEntropy),
        ["Column128Fast"] = (Vector128<float>.Count, ColumnKernels<Simd128Fast, Vector128<float>, float>.Softmax, ColumnKernels<Simd128Fast, Vector128<float>, float>.LogSoftmax, ColumnKernels<Simd128Fast, Vector128<float>, float>.CrossEntropy),
        ["Row512Fast"] = (Vector512<float>.Count, RowKernels<Simd512Fast, Vector512<float>, float>.Softmax, RowKernels<Simd512Fast, Vector512<float>, float>.LogSoftmax, RowKernels<Simd512Fast, Vector512<float>, float>.CrossEntropy),
        ["Row256Fast"] = (Vector256<float>.Count, RowKernels<Simd256Fast, Vector256<float>, float>.Softmax, RowKernels<Simd256Fast, Vector256<float>, float>.LogSoftmax, RowKernels<Simd256Fast, Vector256<float>, float>.CrossEntropy),
        ["Row128Fast"] = (Vector128<float>.Count, RowKernels<Simd128Fast, Vector128<float>, float>.Softmax, RowKernels<Simd128Fast, Vector128<float>, float>.LogSoftmax, RowKernels<Simd128Fast, Vector128<float>, float>.CrossEntropy),
        ["ScalarFast"] = (1, RowKernels<Scalar32Fast, float, float>.Softmax, RowKernels<Scalar32Fast, float, float>.LogSoftmax, RowKernels<Scalar32Fast, float, float>.CrossEntropy),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach ((string name, var layout) in Layouts)
        {
            bool column = name.StartsWith("Column", StringComparison.Ordinal);
            foreach (int classes in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63 })
            {
                // The column layout takes rows of up to 63 classes with Vector512 and Vector256 (up to 3 with Vector128);
                // the row layout rows of at least one vector.
                if (column ? classes < (layout.Width == Vector128<float>.Count ? layout.Width : SoftmaxGen.Kernels.ColumnKernels.MaxClasses) : classes >= layout.Width)
                {
                    data.Add(name, classes);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayoutMatchesFloat64Reference(string layoutName, int classes)
    {
        var layout = Layouts[layoutName];
        bool fast = layoutName.EndsWith("Fast", StringComparison.Ordinal);
        double u = FastBounds.UnitRoundoff<float>();
        foreach (int rows in RowCounts)
        {
            var random = new Random(classes * 1000 + rows);
            float[] logits = new float[rows * classes];
            for (int i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)((random.NextDouble() - 0.5) * 60);
            }

            if (rows > 1 && classes > 1)
            {
                logits[classes + 1] = float.NegativeInfinity; // a masked logit in row 1
            }

            int[] targets = new int[rows];
            for (int r = 0; r < rows; r++)
            {
                targets[r] = random.Next(classes);
            }

            // One value past the output must stay untouched.
            float[] output = new float[logits.Length + 1];
            output[^1] = 4242.5f;
            string where = $"{layoutName}, {classes} classes, {rows} rows";

            layout.Softmax(ref First(logits), ref First(output), (nuint)rows, (nuint)classes);
            for (int r = 0; r < rows; r++)
            {
                (double max, double sum) = MaxAndSum(logits, r, classes);
                for (int j = 0; j < classes; j++)
                {
                    double expected = Math.Exp(logits[r * classes + j] - max) / sum;
                    float actual = output[r * classes + j];
                    double allowance = fast ? FastBounds.Distance(logits[r * classes + j], max) * u * expected : 0;
                    Assert.True(
                        expected < 1e-30 ? Math.Abs(actual - expected) < 1e-37 : Math.Abs(actual - expected) <= (4 * Ulp.Of<float>(expected)) + allowance,
                        $"{where}: softmax[{r}, {j}] is {actual}, expected {expected}");
                }
            }

            Assert.Equal(4242.5f, output[^1]);

            layout.LogSoftmax(ref First(logits), ref First(output), (nuint)rows, (nuint)classes);
            for (int r = 0; r < rows; r++)
            {
                (double max, double sum) = MaxAndSum(logits, r, classes);
                for (int j = 0; j < classes; j++)
                {
                    double expected = logits[r * classes + j] - max - Math.Log(sum);
                    float actual = output[r * classes + j];
                    double allowance = fast ? FastBounds.Distance(logits[r * classes + j], max) * u : 0;
                    Assert.True(
                        double.IsNegativeInfinity(expected) ? float.IsNegativeInfinity(actual) : Math.Abs(actual - expected) <= (4 * Ulp.OfAtLeastOne<float>(expected)) + allowance,
                        $"{where}: log-softmax[{r}, {j}] is {actual}, expected {expected}");
                }
            }

            Assert.Equal(4242.5f, output[^1]);

            float[] losses = new float[rows + 1];
            losses[^1] = 4242.5f;
            double total = layout.CrossEntropy(ref First(logits), targets, losses.AsSpan(0, rows), (nuint)rows, (nuint)classes);
            double expectedTotal = 0;
            for (int r = 0; r < rows; r++)
            {
                (double max, double sum) = MaxAndSum(logits, r, classes);
                double expected = max - logits[r * classes + targets[r]] + Math.Log(sum);
                Assert.True(losses[r] == expected || Math.Abs(losses[r] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{where}: loss of row {r} is {losses[r]}, expected {expected}");
                expectedTotal += expected;
            }

            Assert.True(total == expectedTotal || Math.Abs(total - expectedTotal) <= 1e-6 * Math.Max(1, Math.Abs(expectedTotal)), $"{where}: loss sum {total}, expected {expectedTotal}");
            Assert.Equal(4242.5f, losses[^1]);
        }
    }

    private static (double Max, double Sum) MaxAndSum(float[] logits, int row, int classes)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < classes; j++)
        {
            max = Math.Max(max, logits[row * classes + j]);
        }

        double sum = 0;
        for (int j = 0; j < classes; j++)
        {
            sum += Math.Exp(logits[row * classes + j] - max);
        }

        return (max, sum);
    }


    private static ref float First(float[] array) => ref MemoryMarshal.GetArrayDataReference(array);
}
