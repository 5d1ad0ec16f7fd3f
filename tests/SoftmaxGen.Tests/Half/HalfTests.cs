using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Half logits: against a double reference computed from the Half inputs (within 1 Half ULP, plus float's bound for
/// log-probabilities near 0), against the float overloads on the converted logits (bit for bit, which covers the
/// registered generated kernels of 3, 10, 17, 100 and 1000 classes), extreme values with PyTorch's semantics, in-place
/// calls, validation with the float overloads' messages, empty batches, rows longer than the 4,096-value block and
/// calls that allocate nothing.
/// </summary>
public sealed class HalfTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 7 }, { 2, 5 }, { 3, 700 }, { 10, 900 }, { 13, 33 }, { 17, 300 }, { 100, 90 }, { 1000, 9 }, { 4097, 3 }, { 10000, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Softmax_IsWithinOneHalfUlpOfDoubleReference(int classes, int rows)
    {
        Half[] logits = RandomLogits(rows * classes, new Random(classes), 6);
        double[] x = logits.Select(h => (double)h).ToArray();
        double[] p = LossReference.Softmax(x, classes);
        double[] lp = LossReference.LogSoftmax(x, classes);

        // Both precisions: Fast's extra error (the rounding of x - max, |x - max| <= 12 here) is far below a Half ULP.
        foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
        {
            var probabilities = new Half[logits.Length];
            var logProbabilities = new Half[logits.Length];
            SoftmaxPrimitives.Softmax(logits, probabilities, classes, precision);
            SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, classes, precision);
            double fastRounding = precision == SoftmaxPrecision.Fast ? 12 * Math.Pow(2, -24) : 0;
            for (int i = 0; i < x.Length; i++)
            {
                AssertWithin(p[i], (double)probabilities[i], HalfUlp(p[i]), $"{precision} softmax C={classes} at {i}");
                // Float's log-softmax bound is 4 ULP of max(|result|, 1), larger than a Half ULP of a result near 0.
                AssertWithin(lp[i], (double)logProbabilities[i], HalfUlp(lp[i]) + (4 * Math.Max(Math.Abs(lp[i]), 1) * Math.Pow(2, -23)) + fastRounding, $"{precision} log-softmax C={classes} at {i}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryOperation_IsTheFloatOverloadOnTheConvertedLogits(int classes, int rows)
    {
        var random = new Random(classes + 1);
        Half[] logits = RandomLogits(rows * classes, random, 8);
        float[] converted = logits.Select(h => (float)h).ToArray();
        int[] targets = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
        {
            foreach (bool log in new[] { false, true })
            {
                var expected = new float[logits.Length];
                var asFloat = new float[logits.Length];
                var asHalf = new Half[logits.Length];
                if (log)
                {
                    SoftmaxPrimitives.LogSoftmax(converted, expected, classes, precision);
                    SoftmaxPrimitives.LogSoftmax(logits, asFloat, classes, precision);
                    SoftmaxPrimitives.LogSoftmax(logits, asHalf, classes, precision);
                }
                else
                {
                    SoftmaxPrimitives.Softmax(converted, expected, classes, precision);
                    SoftmaxPrimitives.Softmax(logits, asFloat, classes, precision);
                    SoftmaxPrimitives.Softmax(logits, asHalf, classes, precision);
                }

                Assert.Equal(expected, asFloat);
                var rounded = new Half[expected.Length];
                TensorPrimitives.ConvertToHalf(expected, rounded);
                Assert.Equal(rounded, asHalf);
            }

            var lseExpected = new float[rows];
            var lse = new float[rows];
            SoftmaxPrimitives.LogSumExp(converted, lseExpected, classes, precision);
            SoftmaxPrimitives.LogSumExp(logits, lse, classes, precision);
            Assert.Equal(lseExpected, lse);

            float[] weights = Enumerable.Range(0, classes).Select(j => 0.5f + (j % 3)).ToArray();
            int[] withIgnored = targets.Select((t, r) => r % 5 == 1 ? -100 : t).ToArray();
            foreach ((int[] t, float[] w, float smoothing) in new[] { (targets, Array.Empty<float>(), 0f), (withIgnored, weights, 0.1f) })
            {
                var lossesExpected = new float[rows];
                var losses = new float[rows];
                SoftmaxPrimitives.CrossEntropy(converted, t, lossesExpected, classes, w, -100, smoothing, precision);
                SoftmaxPrimitives.CrossEntropy(logits, t, losses, classes, w, -100, smoothing, precision);
                Assert.Equal(lossesExpected, losses);
                foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
                {
                    float reduced = SoftmaxPrimitives.CrossEntropy(converted, t, classes, reduction, w, -100, smoothing, precision);
                    float half = SoftmaxPrimitives.CrossEntropy(logits, t, classes, reduction, w, -100, smoothing, precision);
                    // The blocks' sums are added in double: at most a float rounding apart.
                    Assert.True(Math.Abs(reduced - half) <= Math.Abs(reduced) * Math.Pow(2, -23), $"C={classes} {reduction} {precision}: {half} against {reduced}");
                }
            }
        }

        foreach ((int[] t, float[] w, float smoothing) in new[] { (targets, Array.Empty<float>(), 0f), (targets.Select((x, r) => r % 4 == 2 ? -100 : x).ToArray(), Enumerable.Repeat(1.5f, classes).ToArray(), 0.05f) })
        {
            foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
            {
                var gradientExpected = new float[logits.Length];
                float lossExpected = SoftmaxPrimitives.CrossEntropyWithGradient(converted, t, gradientExpected, classes, reduction, w, -100, smoothing);
                var gradient = new Half[logits.Length];
                float loss = SoftmaxPrimitives.CrossEntropyWithGradient(logits, t, gradient, classes, reduction, w, -100, smoothing);
                Assert.True(Math.Abs(lossExpected - loss) <= Math.Abs(lossExpected) * Math.Pow(2, -23), $"gradient loss C={classes} {reduction}: {loss} against {lossExpected}");
                var rounded = new Half[logits.Length];
                TensorPrimitives.ConvertToHalf(gradientExpected, rounded);
                Assert.Equal(rounded, gradient);

                // In place: the gradient over the logits themselves.
                Half[] inPlace = (Half[])logits.Clone();
                Assert.Equal(loss, SoftmaxPrimitives.CrossEntropyWithGradient(inPlace, t, inPlace, classes, reduction, w, -100, smoothing));
                Assert.Equal(gradient, inPlace);

                var logProbabilities = new float[logits.Length];
                SoftmaxPrimitives.LogSoftmax(converted, logProbabilities, classes);
                var halfLogProbabilities = new Half[logits.Length];
                TensorPrimitives.ConvertToHalf(logProbabilities, halfLogProbabilities);
                float[] roundedBack = halfLogProbabilities.Select(h => (float)h).ToArray();
                float nllExpected = SoftmaxPrimitives.NllLoss(roundedBack, t, classes, reduction, w);
                float nll = SoftmaxPrimitives.NllLoss(halfLogProbabilities, t, classes, reduction, w);
                Assert.True(Math.Abs(nllExpected - nll) <= Math.Abs(nllExpected) * Math.Pow(2, -23), $"NLL C={classes} {reduction}: {nll} against {nllExpected}");
            }
        }

        int k = Math.Min(classes, 3);
        var topIndicesExpected = new int[rows * k];
        var topExpected = new float[rows * k];
        var topIndices = new int[rows * k];
        var top = new float[rows * k];
        SoftmaxPrimitives.TopK(converted, k, topIndicesExpected, topExpected, classes);
        SoftmaxPrimitives.TopK(logits, k, topIndices, top, classes);
        Assert.Equal(topIndicesExpected, topIndices);
        Assert.Equal(topExpected, top);

        var sigmoidExpected = new float[logits.Length];
        SoftmaxPrimitives.Sigmoid(converted, sigmoidExpected);
        var sigmoidRounded = new Half[logits.Length];
        TensorPrimitives.ConvertToHalf(sigmoidExpected, sigmoidRounded);
        var sigmoid = new Half[logits.Length];
        SoftmaxPrimitives.Sigmoid(logits, sigmoid);
        Assert.Equal(sigmoidRounded, sigmoid);

        // The middle axis: each batch as [rows, 1, classes] planes normalised over an axis of 1, and as [1, rows, classes].
        foreach ((int axis, int inner) in new[] { (1, classes), (rows, classes) })
        {
            foreach (bool log in new[] { false, true })
            {
                var axisExpected = new float[logits.Length];
                var axisHalf = new Half[logits.Length];
                if (log)
                {
                    SoftmaxPrimitives.LogSoftmax(converted, axisExpected, axis, inner);
                    SoftmaxPrimitives.LogSoftmax(logits, axisHalf, axis, inner);
                }
                else
                {
                    SoftmaxPrimitives.Softmax(converted, axisExpected, axis, inner);
                    SoftmaxPrimitives.Softmax(logits, axisHalf, axis, inner);
                }

                var axisRounded = new Half[logits.Length];
                TensorPrimitives.ConvertToHalf(axisExpected, axisRounded);
                Assert.Equal(axisRounded, axisHalf);
            }
        }

        var predictionsExpected = new int[rows];
        var predictions = new int[rows];
        SoftmaxPrimitives.Argmax(converted, predictionsExpected, classes);
        SoftmaxPrimitives.Argmax(logits, predictions, classes);
        Assert.Equal(predictionsExpected, predictions);
    }

    [Theory]
    [InlineData(10, 1000)]
    [InlineData(5000, 4)]
    public void CrossEntropy_MatchesDoubleReference(int classes, int rows)
    {
        var random = new Random(classes * 3);
        Half[] logits = RandomLogits(rows * classes, random, 4);
        double[] x = logits.Select(h => (double)h).ToArray();
        int[] targets = Enumerable.Range(0, rows).Select(r => r % 7 == 3 ? -100 : random.Next(classes)).ToArray();
        double[] weights = Enumerable.Range(0, classes).Select(j => 0.25 + (j % 4)).ToArray();
        float[] weightsF = weights.Select(w => (float)w).ToArray();
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            (double loss, double[] perRow) = LossReference.CrossEntropy(x, targets, classes, reduction, weights, -100, 0.2);
            float actual = SoftmaxPrimitives.CrossEntropy(logits, targets, classes, reduction, weightsF, -100, 0.2f);
            AssertWithin(loss, actual, 1e-5 * Math.Abs(loss), $"C={classes} {reduction}");
            var losses = new float[rows];
            SoftmaxPrimitives.CrossEntropy(logits, targets, losses, classes, weightsF, -100, 0.2f);
            for (int r = 0; r < rows; r++)
            {
                AssertWithin(perRow[r], losses[r], 1e-5 * Math.Max(Math.Abs(perRow[r]), 1), $"row {r}");
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(6000)]
    public void ExtremeValues_FollowPyTorch(int classes)
    {
        // Row 0: ±65504 (Half's largest); row 1: -inf among finite; rows 2-4: NaN, +inf, only -inf.
        var logits = new Half[5 * classes];
        for (int j = 0; j < classes; j++)
        {
            logits[j] = j % 2 == 0 ? Half.MaxValue : Half.MinValue;
            logits[classes + j] = j == 0 ? Half.NegativeInfinity : (Half)(j % 5);
            logits[(2 * classes) + j] = j == classes - 1 ? Half.NaN : Half.One;
            logits[(3 * classes) + j] = j == classes / 2 ? Half.PositiveInfinity : Half.One;
            logits[(4 * classes) + j] = Half.NegativeInfinity;
        }

        var p = new Half[logits.Length];
        var lp = new Half[logits.Length];
        SoftmaxPrimitives.Softmax(logits, p, classes);
        SoftmaxPrimitives.LogSoftmax(logits, lp, classes);
        double[] reference = LossReference.Softmax(logits.Take(2 * classes).Select(h => (double)h).ToArray(), classes);
        double[] logReference = LossReference.LogSoftmax(logits.Take(2 * classes).Select(h => (double)h).ToArray(), classes);
        for (int i = 0; i < 2 * classes; i++)
        {
            AssertWithin(reference[i], (double)p[i], HalfUlp(reference[i]), $"softmax at {i}");
            // -65504 - 65504 is beyond Half's range: such log-probabilities round to -inf (the float overload keeps them).
            if (logReference[i] <= -65520)
                Assert.Equal(Half.NegativeInfinity, lp[i]);
            else
                AssertWithin(logReference[i], (double)lp[i], HalfUlp(logReference[i]) + (4 * Math.Max(Math.Abs(logReference[i]), 1) * Math.Pow(2, -23)), $"log-softmax at {i}");
        }

        Assert.Equal(Half.Zero, p[classes]);
        for (int i = 2 * classes; i < 5 * classes; i++)
        {
            Assert.True(Half.IsNaN(p[i]) && Half.IsNaN(lp[i]), $"C={classes}: value {i} of a NaN, +inf or all -inf row is {p[i]}, {lp[i]}");
        }

        var lse = new float[5];
        SoftmaxPrimitives.LogSumExp(logits, lse, classes);
        Assert.True(float.IsNaN(lse[2]) && float.IsPositiveInfinity(lse[3]) && float.IsNegativeInfinity(lse[4]));
        var predictions = new int[5];
        SoftmaxPrimitives.Argmax(logits, predictions, classes);
        Assert.Equal(new[] { 0, classes == 3 ? 2 : 4, classes - 1, classes / 2, 0 }, predictions);
        Assert.Equal(float.PositiveInfinity, SoftmaxPrimitives.CrossEntropy(logits.AsSpan(classes, classes), [0], classes));
    }

    [Theory]
    [InlineData(10, 1000)]
    [InlineData(5000, 3)]
    public void InPlace_EqualsOutOfPlace(int classes, int rows)
    {
        Half[] logits = RandomLogits(rows * classes, new Random(rows), 5);
        foreach (bool log in new[] { false, true })
        {
            var expected = new Half[logits.Length];
            Half[] inPlace = (Half[])logits.Clone();
            if (log)
            {
                SoftmaxPrimitives.LogSoftmax(logits, expected, classes);
                SoftmaxPrimitives.LogSoftmax(inPlace, inPlace, classes);
            }
            else
            {
                SoftmaxPrimitives.Softmax(logits, expected, classes);
                SoftmaxPrimitives.Softmax(inPlace, inPlace, classes);
            }

            Assert.Equal(expected, inPlace);
        }
    }

    [Fact]
    public void InvalidArguments_ThrowTheFloatMessagesAndWriteNothing()
    {
        Half[] logits = RandomLogits(30, new Random(5), 3);
        float[] converted = logits.Select(h => (float)h).ToArray();
        var output = new Half[30];
        Array.Fill(output, (Half)7);

        SameError(() => SoftmaxPrimitives.Softmax(converted, new float[30], 0), () => SoftmaxPrimitives.Softmax(logits, output, 0), "classes");
        SameError(() => SoftmaxPrimitives.Softmax(converted, new float[30], 7), () => SoftmaxPrimitives.Softmax(logits, output, 7), "logits");
        SameError(() => SoftmaxPrimitives.LogSoftmax(converted, new float[29], 10), () => SoftmaxPrimitives.LogSoftmax(logits, output.AsSpan(0, 29), 10), "logProbabilities");
        SameError(() => SoftmaxPrimitives.Softmax(converted, new float[30], 10, (SoftmaxPrecision)9), () => SoftmaxPrimitives.Softmax(logits, output, 10, (SoftmaxPrecision)9), "precision");
        SameError(() => SoftmaxPrimitives.Softmax(converted, new float[29], 10), () => SoftmaxPrimitives.Softmax(logits, new float[29], 10), "probabilities");
        SameError(
            () => SoftmaxPrimitives.CrossEntropy(converted, [1, 2, 10], 10),
            () => SoftmaxPrimitives.CrossEntropy(logits, [1, 2, 10], 10), "targets");
        SameError(
            () => SoftmaxPrimitives.CrossEntropy(converted, [1, 2], 10),
            () => SoftmaxPrimitives.CrossEntropy(logits, [1, 2], 10), "targets");
        SameError(
            () => SoftmaxPrimitives.CrossEntropy(converted, [1, 2, 3], new float[2], 10),
            () => SoftmaxPrimitives.CrossEntropy(logits, [1, 2, 3], new float[2], 10), "losses");
        SameError(
            () => SoftmaxPrimitives.CrossEntropy(converted, [1, 2, 3], 10, labelSmoothing: 2),
            () => SoftmaxPrimitives.CrossEntropy(logits, [1, 2, 3], 10, labelSmoothing: 2), "labelSmoothing");
        SameError(() => SoftmaxPrimitives.Argmax(converted, new int[2], 10), () => SoftmaxPrimitives.Argmax(logits, new int[2], 10), "predictions");
        SameError(() => SoftmaxPrimitives.LogSumExp(converted, new float[2], 10), () => SoftmaxPrimitives.LogSumExp(logits, new float[2], 10), "results");
        SameError(
            () => SoftmaxPrimitives.CrossEntropyWithGradient(converted, [1, 2, 3], new float[29], 10),
            () => SoftmaxPrimitives.CrossEntropyWithGradient(logits, [1, 2, 3], output.AsSpan(0, 29), 10), "logitsGradient");
        SameError(() => SoftmaxPrimitives.NllLoss(converted, [1, -5, 3], 10), () => SoftmaxPrimitives.NllLoss(logits, [1, -5, 3], 10), "targets");
        SameError(() => SoftmaxPrimitives.TopK(converted, 11, new int[33], new float[33], 10), () => SoftmaxPrimitives.TopK(logits, 11, new int[33], new float[33], 10), "k");
        SameError(() => SoftmaxPrimitives.TopK(converted, 2, new int[6], new float[5], 10), () => SoftmaxPrimitives.TopK(logits, 2, new int[6], new float[5], 10), "probabilities");
        SameError(() => SoftmaxPrimitives.Sigmoid(converted, new float[29]), () => SoftmaxPrimitives.Sigmoid(logits, output.AsSpan(0, 29)), "probabilities");
        SameError(() => SoftmaxPrimitives.Softmax(converted, new float[30], 4, 2), () => SoftmaxPrimitives.Softmax(logits, output, 4, 2), "input");
        SameError(() => SoftmaxPrimitives.Softmax(converted, new float[30], 5, 0), () => SoftmaxPrimitives.Softmax(logits, output, 5, 0), "innerSize");

        // Partial overlap (Half over Half) and any overlap of a float output with the Half logits.
        var e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.Softmax(output.AsSpan(0, 20), output.AsSpan(10, 20), 10));
        Assert.Equal("probabilities", e.ParamName);
        var bytes = new Half[80];
        e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.Softmax(bytes.AsSpan(0, 20), MemoryMarshal.Cast<Half, float>(bytes.AsSpan(0, 40)), 10));
        Assert.Equal("probabilities", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(bytes.AsSpan(0, 20), [1, 2], MemoryMarshal.Cast<Half, float>(bytes.AsSpan(18, 4)), 10));
        Assert.Equal("losses", e.ParamName);
        Assert.All(output, h => Assert.Equal((Half)7, h));
    }

    [Fact]
    public void EmptyBatch_WritesNothingAndReducesAsFloat()
    {
        SoftmaxPrimitives.Softmax(ReadOnlySpan<Half>.Empty, Span<Half>.Empty, 10);
        SoftmaxPrimitives.LogSoftmax(ReadOnlySpan<Half>.Empty, Span<float>.Empty, 10);
        SoftmaxPrimitives.Argmax(ReadOnlySpan<Half>.Empty, Span<int>.Empty, 10);
        Assert.True(float.IsNaN(SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<Half>.Empty, ReadOnlySpan<int>.Empty, 10)));
        Assert.Equal(0f, SoftmaxPrimitives.CrossEntropy(ReadOnlySpan<Half>.Empty, ReadOnlySpan<int>.Empty, 10, LossReduction.Sum));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(5000)]
    public void EveryOperation_AllocatesNothing(int classes)
    {
        const int Rows = 600;
        var random = new Random(classes);
        Half[] logits = RandomLogits(Rows * classes, random, 5);
        int[] targets = Enumerable.Range(0, Rows).Select(_ => random.Next(classes)).ToArray();
        float[] weights = Enumerable.Repeat(2f, classes).ToArray();
        var halfOut = new Half[logits.Length];
        var floatOut = new float[logits.Length];
        var perRow = new float[Rows];
        var predictions = new int[Rows];
        Action[] operations =
        [
            () => SoftmaxPrimitives.Softmax(logits, halfOut, classes),
            () => SoftmaxPrimitives.LogSoftmax(logits, floatOut, classes, SoftmaxPrecision.Fast),
            () => SoftmaxPrimitives.Argmax(logits, predictions, classes),
            () => SoftmaxPrimitives.LogSumExp(logits, perRow, classes),
            () => SoftmaxPrimitives.CrossEntropy(logits, targets, classes),
            () => SoftmaxPrimitives.CrossEntropy(logits, targets, classes, LossReduction.Mean, weights, -100, 0.1f),
            () => SoftmaxPrimitives.CrossEntropy(logits, targets, perRow, classes),
            () => SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, halfOut, classes),
            () => SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, halfOut, classes, LossReduction.Sum, weights, -100, 0.1f),
            () => SoftmaxPrimitives.NllLoss(logits, targets, classes),
            () => SoftmaxPrimitives.TopK(logits, 1, predictions, perRow, classes),
            () => SoftmaxPrimitives.Sigmoid(logits, halfOut),
            () => SoftmaxPrimitives.Softmax(logits, halfOut, classes, 1),
        ];
        for (int i = 0; i < operations.Length; i++)
        {
            operations[i]();
            long least = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                operations[i]();
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            Assert.True(least == 0, $"operation {i} with {classes} classes allocated {least} bytes");
        }
    }

    [Fact]
    public void GeneratedHalfMembers_AgreeWithTheRuntime()
    {
        Check(100, SoftmaxPrecision.Exact, Kernel100.Softmax, Kernel100.Softmax, Kernel100.LogSoftmax, Kernel100.Argmax, Kernel100.CrossEntropy, Kernel100.CrossEntropyWithGradient, Kernel100.TopK, Kernel100.LogSumExp);
        Check(3, SoftmaxPrecision.Exact, Kernel3.Softmax, Kernel3.Softmax, Kernel3.LogSoftmax, Kernel3.Argmax, Kernel3.CrossEntropy, Kernel3.CrossEntropyWithGradient, Kernel3.TopK, Kernel3.LogSumExp);
        Check(10, SoftmaxPrecision.Fast, FastKernel10.Softmax, FastKernel10.Softmax, FastKernel10.LogSoftmax, FastKernel10.Argmax, FastKernel10.CrossEntropy, FastKernel10.CrossEntropyWithGradient, FastKernel10.TopK, FastKernel10.LogSumExp);

        static void Check(
            int classes, SoftmaxPrecision precision, HalfMap softmax, HalfToFloat softmaxFloat, HalfMap logSoftmax, HalfArgmax argmax,
            HalfLoss loss, HalfGradient gradient, HalfTopK topK, HalfToFloat logSumExp)
        {
            const int Rows = 50;
            var random = new Random(classes);
            Half[] logits = RandomLogits(Rows * classes, random, 6);
            int[] targets = Enumerable.Range(0, Rows).Select(_ => random.Next(classes)).ToArray();
            Half[] a = new Half[logits.Length], b = new Half[logits.Length];
            softmax(logits, a);
            SoftmaxPrimitives.Softmax(logits, b, classes, precision);
            Assert.Equal(b, a);
            logSoftmax(logits, a);
            SoftmaxPrimitives.LogSoftmax(logits, b, classes, precision);
            Assert.Equal(b, a);
            float[] fa = new float[logits.Length], fb = new float[logits.Length];
            softmaxFloat(logits, fa);
            SoftmaxPrimitives.Softmax(logits, fb, classes, precision);
            Assert.Equal(fb, fa);
            logSumExp(logits, fa.AsSpan(0, Rows));
            SoftmaxPrimitives.LogSumExp(logits, fb.AsSpan(0, Rows), classes, precision);
            Assert.Equal(fb, fa);
            int[] pa = new int[Rows], pb = new int[Rows];
            argmax(logits, pa);
            SoftmaxPrimitives.Argmax(logits, pb, classes);
            Assert.Equal(pb, pa);
            Assert.Equal(SoftmaxPrimitives.CrossEntropy(logits, targets, classes, LossReduction.Mean, default, -100, 0.1f, precision), loss(logits, targets, LossReduction.Mean, default, -100, 0.1f));
            Assert.Equal(
                SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, b, classes, LossReduction.Sum, default, -100, 0, precision),
                gradient(logits, targets, a, LossReduction.Sum, default, -100, 0));
            Assert.Equal(b, a);
            int k = Math.Min(classes, 2);
            int[] ia = new int[Rows * k], ib = new int[Rows * k];
            topK(logits, k, ia, fa);
            SoftmaxPrimitives.TopK(logits, k, ib, fb, classes, precision);
            Assert.Equal(ib, ia);
            Assert.Equal(fb, fa);
            Assert.Throws<ArgumentException>(() => softmax(logits.AsSpan(0, classes + 1), a));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(0)]
    public void TensorHalfOverloads_AreTheFloatTensorResultRoundedOnce(int axis)
    {
        nint[] lengths = [2, 3, 4];
        Half[] data = RandomLogits(24, new Random(axis + 10), 7);
        float[] converted = data.Select(h => (float)h).ToArray();
        foreach (bool log in new[] { false, true })
        {
            var expected = new float[24];
            var actual = new Half[24];
            if (log)
            {
                SoftmaxTensor.LogSoftmax(Tensor.Create(converted, lengths), Tensor.Create(expected, lengths), axis);
                SoftmaxTensor.LogSoftmax(Tensor.Create(data, lengths), Tensor.Create(actual, lengths), axis);
            }
            else
            {
                SoftmaxTensor.Softmax(Tensor.Create(converted, lengths), Tensor.Create(expected, lengths), axis);
                SoftmaxTensor.Softmax(Tensor.Create(data, lengths), Tensor.Create(actual, lengths), axis);
            }

            var rounded = new Half[24];
            TensorPrimitives.ConvertToHalf(expected, rounded);
            Assert.Equal(rounded, actual);
        }

        nint[] reduced = axis switch { 0 => [3, 4], 1 => [2, 4], _ => [2, 3] };
        var predictionsExpected = new int[(int)(reduced[0] * reduced[1])];
        var predictions = new int[predictionsExpected.Length];
        SoftmaxTensor.Argmax(Tensor.Create(converted, lengths), Tensor.Create(predictionsExpected, reduced), axis);
        SoftmaxTensor.Argmax(Tensor.Create(data, lengths), Tensor.Create(predictions, reduced), axis);
        Assert.Equal(predictionsExpected, predictions);
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.Softmax(Tensor.Create(data, lengths), Tensor.Create(new Half[24], lengths), 3));
    }

    [Fact]
    public void GeneratedHalfLossAndAxisMembers_AgreeWithTheRuntime()
    {
        Check(100, SoftmaxPrecision.Exact, Kernel100.CrossEntropy, Kernel100.CrossEntropy, Kernel100.CrossEntropy, Kernel100.CrossEntropyWithGradient, Kernel100.NllLoss, Kernel100.Softmax, Kernel100.LogSoftmax);
        Check(3, SoftmaxPrecision.Exact, Kernel3.CrossEntropy, Kernel3.CrossEntropy, Kernel3.CrossEntropy, Kernel3.CrossEntropyWithGradient, Kernel3.NllLoss, Kernel3.Softmax, Kernel3.LogSoftmax);
        Check(10, SoftmaxPrecision.Fast, FastKernel10.CrossEntropy, FastKernel10.CrossEntropy, FastKernel10.CrossEntropy, FastKernel10.CrossEntropyWithGradient, FastKernel10.NllLoss, FastKernel10.Softmax, FastKernel10.LogSoftmax);

        static void Check(
            int classes, SoftmaxPrecision precision, HalfPerRowLoss perRow, HalfProbabilityLoss probability, HalfPerRowProbabilityLoss perRowProbability,
            HalfProbabilityGradient probabilityGradient, HalfNll nll, HalfAxis axisSoftmax, HalfAxis axisLogSoftmax)
        {
            const int Rows = 40, Inner = 5;
            var random = new Random(classes + 2);
            Half[] logits = RandomLogits(Rows * classes, random, 6);
            Half[] p = RandomLogits(Rows * classes, random, 1).Select(h => (Half)Math.Abs((float)h)).ToArray();
            int[] targets = Enumerable.Range(0, Rows).Select(r => r % 5 == 1 ? -100 : random.Next(classes)).ToArray();
            float[] weights = Enumerable.Range(0, classes).Select(j => 1f + (j % 2)).ToArray();
            float[] la = new float[Rows], lb = new float[Rows];
            perRow(logits, targets, la, weights, -100, 0.1f);
            SoftmaxPrimitives.CrossEntropy(logits, targets, lb, classes, weights, -100, 0.1f, precision);
            Assert.Equal(lb, la);
            Assert.Equal(SoftmaxPrimitives.CrossEntropy(logits, p, classes, LossReduction.Mean, 0.1f, precision), probability(logits, p, LossReduction.Mean, 0.1f));
            perRowProbability(logits, p, la, 0.1f);
            SoftmaxPrimitives.CrossEntropy(logits, p, lb, classes, 0.1f, precision);
            Assert.Equal(lb, la);
            Half[] ga = new Half[logits.Length], gb = new Half[logits.Length];
            Assert.Equal(
                SoftmaxPrimitives.CrossEntropyWithGradient(logits, p, gb, classes, LossReduction.Sum, 0, precision),
                probabilityGradient(logits, p, ga, LossReduction.Sum, 0));
            Assert.Equal(gb, ga);
            Assert.Equal(SoftmaxPrimitives.NllLoss(logits, targets, classes, LossReduction.Mean, weights), nll(logits, targets, LossReduction.Mean, weights, -100));

            // [Rows / Inner, classes, Inner] planes.
            axisSoftmax(logits, ga, Inner);
            SoftmaxPrimitives.Softmax(logits, gb, classes, Inner, precision);
            Assert.Equal(gb, ga);
            axisLogSoftmax(logits, ga, Inner);
            SoftmaxPrimitives.LogSoftmax(logits, gb, classes, Inner, precision);
            Assert.Equal(gb, ga);
            Assert.Throws<ArgumentException>(() => axisSoftmax(logits.AsSpan(0, (classes * Inner) + 1), ga, Inner));
        }
    }

    private delegate void HalfPerRowLoss(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, Span<float> losses, ReadOnlySpan<float> classWeights, int ignoreIndex, float labelSmoothing);

    private delegate float HalfProbabilityLoss(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, LossReduction reduction, float labelSmoothing);

    private delegate void HalfPerRowProbabilityLoss(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, Span<float> losses, float labelSmoothing);

    private delegate float HalfProbabilityGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<Half> targetProbabilities, Span<Half> gradient, LossReduction reduction, float labelSmoothing);

    private delegate float HalfNll(ReadOnlySpan<Half> logProbabilities, ReadOnlySpan<int> targets, LossReduction reduction, ReadOnlySpan<float> classWeights, int ignoreIndex);

    private delegate void HalfAxis(ReadOnlySpan<Half> input, Span<Half> output, int innerSize);

    private delegate void HalfMap(ReadOnlySpan<Half> logits, Span<Half> output);

    private delegate void HalfToFloat(ReadOnlySpan<Half> logits, Span<float> output);

    private delegate void HalfArgmax(ReadOnlySpan<Half> logits, Span<int> predictions);

    private delegate float HalfLoss(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, LossReduction reduction, ReadOnlySpan<float> classWeights, int ignoreIndex, float labelSmoothing);

    private delegate float HalfGradient(ReadOnlySpan<Half> logits, ReadOnlySpan<int> targets, Span<Half> gradient, LossReduction reduction, ReadOnlySpan<float> classWeights, int ignoreIndex, float labelSmoothing);

    private delegate void HalfTopK(ReadOnlySpan<Half> logits, int k, Span<int> indices, Span<float> probabilities);

    private static Half[] RandomLogits(int n, Random random, double scale) =>
        Enumerable.Range(0, n).Select(_ => (Half)(scale * ((2 * random.NextDouble()) - 1))).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(10_000)]
    public void BinaryLosses_MatchDoubleReference_AndTheFloatOverloads(int n)
    {
        var random = new Random(n);
        Half[] logits = RandomLogits(n, random, 12);
        Half[] targets = Enumerable.Range(0, n).Select(i => (Half)(i % 3 == 0 ? 0.25 : random.Next(2))).ToArray();
        Half[] probabilities = logits.Select(h => (Half)(1 / (1 + Math.Exp(-(double)h)))).ToArray();
        float[] logitsF = logits.Select(h => (float)h).ToArray(), targetsF = targets.Select(h => (float)h).ToArray(), probabilitiesF = probabilities.Select(h => (float)h).ToArray();
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            // PyTorch's formulas in double on the Half values: the stable logits form with pos_weight, the log clamped at -100.
            double withLogits = 0, plain = 0;
            for (int i = 0; i < n; i++)
            {
                double x = (double)logits[i], t = (double)targets[i], p = (double)probabilities[i];
                withLogits += ((1 - t) * x) + ((1 + (2.5 - 1) * t) * (Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)))));
                plain += -((t * Math.Max(Math.Log(p), -100)) + ((1 - t) * Math.Max(Math.Log(1 - p), -100)));
            }

            if (reduction == LossReduction.Mean)
            {
                withLogits /= n;
                plain /= n;
            }

            float actualLogits = SoftmaxPrimitives.BinaryCrossEntropyWithLogits(logits, targets, reduction, 2.5f);
            float actualPlain = SoftmaxPrimitives.BinaryCrossEntropy(probabilities, targets, reduction);
            AssertWithin(withLogits, actualLogits, 1e-6 * Math.Abs(withLogits), $"with logits n={n} {reduction}");
            AssertWithin(plain, actualPlain, 1e-6 * Math.Abs(plain), $"probabilities n={n} {reduction}");
            // The float overloads on the converted values: the same up to the order of the double block sums.
            float floatLogits = SoftmaxPrimitives.BinaryCrossEntropyWithLogits(logitsF, targetsF, reduction, 2.5f);
            float floatPlain = SoftmaxPrimitives.BinaryCrossEntropy(probabilitiesF, targetsF, reduction);
            Assert.True(Ulp.Distance(floatLogits, actualLogits) <= 1, $"{actualLogits} against the float overload's {floatLogits}");
            Assert.True(Ulp.Distance(floatPlain, actualPlain) <= 1, $"{actualPlain} against the float overload's {floatPlain}");
        }

        SameError(
            () => SoftmaxPrimitives.BinaryCrossEntropy(new float[] { 0.5f, 1.5f }, new float[2]),
            () => SoftmaxPrimitives.BinaryCrossEntropy(new Half[] { (Half)0.5f, (Half)1.5f }, new Half[2]),
            "probabilities");
        SameError(
            () => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(new float[3], new float[2]),
            () => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(new Half[3], new Half[2]),
            "targets");
    }

    [Fact]
    public void LogSoftmax_BeyondHalfRange_IsNegativeInfinityInHalfAndFiniteInFloat()
    {
        Half[] logits = [Half.MaxValue, Half.MinValue];
        var half = new Half[2];
        var single = new float[2];
        SoftmaxPrimitives.LogSoftmax(logits, half, 2);
        SoftmaxPrimitives.LogSoftmax(logits, single, 2);
        Assert.Equal(Half.NegativeInfinity, half[1]);
        Assert.Equal(-131008f, single[1]);
        Assert.Equal(0f, single[0]);
    }

    /// <summary>The spacing of Half at |value|: 2^(e - 10) for a normal of exponent e, 2^-24 below the normals.</summary>
    private static double HalfUlp(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude < Math.Pow(2, -14) ? Math.Pow(2, -24) : Math.Pow(2, Math.Floor(Math.Log2(magnitude)) - 10);
    }

    private static void AssertWithin(double expected, double actual, double bound, string where)
    {
        Assert.True(Math.Abs(actual - expected) <= bound, $"{where}: {actual} against {expected} (bound {bound})");
    }

    private static void SameError(Action floatCall, Action halfCall, string parameter)
    {
        var expected = Assert.ThrowsAny<ArgumentException>(floatCall);
        var actual = Assert.ThrowsAny<ArgumentException>(halfCall);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(parameter, actual.ParamName);
        Assert.Equal(expected.Message, actual.Message);
    }
}
