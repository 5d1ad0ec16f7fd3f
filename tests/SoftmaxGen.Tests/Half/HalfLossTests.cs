using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The Half K-dimensional losses and probability-target losses (spans and tensors): against a double reference computed
/// from the Half inputs, against the float overloads on the converted values (losses within one float rounding, the
/// Half gradient the float gradient rounded once, to within one Half ULP), class planes longer than the 4,096-value
/// block, validation that names the parameter and writes nothing, and no allocation once the pool is warm. PyTorch's
/// own values for fp16 inputs are in <see cref="KDimLossGoldenTests"/>.
/// </summary>
public sealed class HalfLossTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        // [N, C, inner]: rows (inner 1), small planes, a plane of 6,300 values (past the block) and a long row.
        { 64, 5, 1 }, { 4, 10, 7 }, { 3, 21, 300 }, { 2, 1000, 1 }, { 2, 3, 2500 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ClassTargetLosses_MatchDoubleReference_AndTheFloatOverloads(int n, int classes, int inner)
    {
        var random = new Random((n * 31) + classes + inner);
        Half[] logits = Logits(n * classes * inner, random);
        float[] converted = logits.Select(h => (float)h).ToArray();
        int positions = n * inner;
        int[] targets = Enumerable.Range(0, positions).Select(p => p % 9 == 4 ? -100 : random.Next(classes)).ToArray();
        long[] wide = targets.Select(t => (long)t).ToArray();
        float[] weights = Enumerable.Range(0, classes).Select(j => 0.5f + (j % 3)).ToArray();
        double[] rows = ToRows(logits.Select(h => (double)h).ToArray(), n, classes, inner);
        foreach ((float[] w, float eps) in new[] { (Array.Empty<float>(), 0f), (weights, 0.1f) })
        {
            double[]? wd = w.Length == 0 ? null : w.Select(v => (double)v).ToArray();
            foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
            {
                (double expected, double[] perPosition) = LossReference.CrossEntropy(rows, targets, classes, reduction, wd, -100, eps);
                float asInt = SoftmaxPrimitives.CrossEntropy(logits, targets, classes, inner, reduction, w, -100, eps);
                float asLong = SoftmaxPrimitives.CrossEntropy(logits, wide, classes, inner, reduction, w, -100, eps);
                float floatForm = SoftmaxPrimitives.CrossEntropy(converted, targets, classes, inner, reduction, w, -100, eps);
                Within(expected, asInt, 1e-5, $"reduced {reduction} w={w.Length} eps={eps}");
                Assert.Equal(asInt, asLong);
                Within(floatForm, asInt, 1e-6, $"float form {reduction}");

                var gradient = new Half[logits.Length];
                float fused = SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, gradient, classes, inner, reduction, w, -100, eps);
                Within(expected, fused, 1e-5, $"fused {reduction}");
                var floatGradient = new float[logits.Length];
                SoftmaxPrimitives.CrossEntropyWithGradient(converted, targets, floatGradient, classes, inner, reduction, w, -100, eps);
                AssertRoundedOnce(floatGradient, gradient, $"gradient {reduction} w={w.Length}");
                var longGradient = new Half[logits.Length];
                SoftmaxPrimitives.CrossEntropyWithGradient(logits, wide, longGradient, classes, inner, reduction, w, -100, eps);
                Assert.Equal(gradient, longGradient);

                if (reduction == LossReduction.Sum)
                {
                    var losses = new float[positions];
                    var longLosses = new float[positions];
                    SoftmaxPrimitives.CrossEntropy(logits, targets, losses, classes, inner, w, -100, eps);
                    SoftmaxPrimitives.CrossEntropy(logits, wide, longLosses, classes, inner, w, -100, eps);
                    Assert.Equal(losses, longLosses);
                    for (int p = 0; p < positions; p++)
                        Within(perPosition[p], losses[p], 1e-5, $"position {p}");
                }
            }
        }

        // NLL of Half log-probabilities.
        var logProbabilities = new Half[logits.Length];
        SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, classes, inner);
        double[] lpRows = ToRows(logProbabilities.Select(h => (double)h).ToArray(), n, classes, inner);
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            double expected = LossReference.NllLoss(lpRows, targets, classes, reduction, weights.Select(v => (double)v).ToArray(), -100);
            Within(expected, SoftmaxPrimitives.NllLoss(logProbabilities, targets, classes, inner, reduction, weights), 1e-6, $"nll {reduction}");
            Within(expected, SoftmaxPrimitives.NllLoss(logProbabilities, wide, classes, inner, reduction, weights), 1e-6, $"nll long {reduction}");
        }

        var nll = new float[positions];
        SoftmaxPrimitives.NllLoss(logProbabilities, wide, nll, classes, inner, weights);
        for (int p = 0; p < positions; p++)
        {
            double e = targets[p] == -100 ? 0 : -weights[targets[p]] * lpRows[(p * classes) + targets[p]];
            Within(e, nll[p], 1e-6, $"nll position {p}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ProbabilityTargetLosses_MatchDoubleReference_AndTheFloatOverloads(int n, int classes, int inner)
    {
        var random = new Random((n * 7) + classes + inner);
        Half[] logits = Logits(n * classes * inner, random);
        float[] raw = Enumerable.Range(0, logits.Length).Select(_ => (float)random.NextDouble()).ToArray();
        var targets = new Half[logits.Length];
        var p32 = new float[logits.Length];
        SoftmaxPrimitives.Softmax(raw, p32, classes, inner);
        TensorPrimitives.ConvertToHalf(p32, targets);
        float[] converted = logits.Select(h => (float)h).ToArray(), convertedTargets = targets.Select(h => (float)h).ToArray();
        double[] rows = ToRows(logits.Select(h => (double)h).ToArray(), n, classes, inner);
        double[] targetRows = ToRows(targets.Select(h => (double)h).ToArray(), n, classes, inner);
        foreach (float eps in new[] { 0f, 0.1f })
        {
            foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
            {
                (double expected, double[] perPosition) = LossReference.ProbabilityCrossEntropy(rows, targetRows, classes, reduction, eps);
                float loss = SoftmaxPrimitives.CrossEntropy(logits, targets, classes, inner, reduction, eps);
                Within(expected, loss, 1e-5, $"reduced {reduction} eps={eps}");
                Within(SoftmaxPrimitives.CrossEntropy(converted, convertedTargets, classes, inner, reduction, eps), loss, 1e-6, "float form");
                var gradient = new Half[logits.Length];
                Within(expected, SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, gradient, classes, inner, reduction, eps), 1e-5, "fused");
                var floatGradient = new float[logits.Length];
                SoftmaxPrimitives.CrossEntropyWithGradient(converted, convertedTargets, floatGradient, classes, inner, reduction, eps);
                AssertRoundedOnce(floatGradient, gradient, $"gradient {reduction} eps={eps}");
                var losses = new float[n * inner];
                SoftmaxPrimitives.CrossEntropy(logits, targets, losses, classes, inner, eps);
                for (int p = 0; p < losses.Length; p++)
                    Within(perPosition[p], losses[p], 1e-5, $"position {p}");

                if (inner == 1)
                {
                    // The row form is the same computation.
                    Assert.Equal(loss, SoftmaxPrimitives.CrossEntropy(logits, targets, classes, reduction, eps));
                    var rowGradient = new Half[logits.Length];
                    SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, rowGradient, classes, reduction, eps);
                    Assert.Equal(gradient, rowGradient);
                    var rowLosses = new float[n];
                    SoftmaxPrimitives.CrossEntropy(logits, targets, rowLosses, classes, eps);
                    Assert.Equal(losses, rowLosses);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void TensorHalfLosses_AreTheSpanResults(int axis)
    {
        // [2, 3, 4] with the classes on axis 1 (C = 3, four positions per plane) or on the last axis (C = 4 rows).
        nint[] lengths = [2, 3, 4];
        int classes = axis == 1 ? 3 : 4, inner = axis == 1 ? 4 : 1;
        nint[] positionLengths = axis == 1 ? [2, 4] : [2, 3];
        var random = new Random(axis + 40);
        Half[] logits = Logits(24, random);
        int[] targets = Enumerable.Range(0, 8 - (axis == 1 ? 0 : 2)).Select(p => p == 2 ? -100 : random.Next(classes)).ToArray();
        long[] wide = targets.Select(t => (long)t).ToArray();
        float[] weights = Enumerable.Range(0, classes).Select(j => 1f + j).ToArray();
        ReadOnlyTensorSpan<Half> x = Tensor.Create(logits, lengths);

        Assert.Equal(
            SoftmaxPrimitives.CrossEntropy(logits, targets, classes, inner, LossReduction.Mean, weights, -100, 0.1f),
            SoftmaxTensor.CrossEntropy(x, Tensor.Create(targets, positionLengths), axis, LossReduction.Mean, weights, -100, 0.1f));
        Assert.Equal(
            SoftmaxPrimitives.CrossEntropy(logits, wide, classes, inner, LossReduction.Sum),
            SoftmaxTensor.CrossEntropy(x, Tensor.Create(wide, positionLengths), axis, LossReduction.Sum));

        var expectedLosses = new float[targets.Length];
        var losses = new float[targets.Length];
        SoftmaxPrimitives.CrossEntropy(logits, targets, expectedLosses, classes, inner);
        SoftmaxTensor.CrossEntropy(x, Tensor.Create(targets, positionLengths), Tensor.Create(losses, positionLengths), axis);
        Assert.Equal(expectedLosses, losses);
        SoftmaxTensor.CrossEntropy(x, Tensor.Create(wide, positionLengths), Tensor.Create(losses, positionLengths), axis);
        Assert.Equal(expectedLosses, losses);

        var expectedGradient = new Half[24];
        var gradient = new Half[24];
        float expectedLoss = SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, expectedGradient, classes, inner);
        Assert.Equal(expectedLoss, SoftmaxTensor.CrossEntropyWithGradient(x, Tensor.Create(targets, positionLengths), Tensor.Create(gradient, lengths), axis));
        Assert.Equal(expectedGradient, gradient);
        Assert.Equal(expectedLoss, SoftmaxTensor.CrossEntropyWithGradient(x, Tensor.Create(wide, positionLengths), Tensor.Create(gradient, lengths), axis));
        Assert.Equal(expectedGradient, gradient);

        Half[] p = Logits(24, random).Select(h => (Half)Math.Abs((float)h)).ToArray();
        ReadOnlyTensorSpan<Half> pt = Tensor.Create(p, lengths);
        Assert.Equal(SoftmaxPrimitives.CrossEntropy(logits, p, classes, inner, LossReduction.Mean, 0.1f), SoftmaxTensor.CrossEntropy(x, pt, axis, LossReduction.Mean, 0.1f));
        SoftmaxPrimitives.CrossEntropy(logits, p, expectedLosses, classes, inner);
        SoftmaxTensor.CrossEntropy(x, pt, Tensor.Create(losses, positionLengths), axis);
        Assert.Equal(expectedLosses, losses);
        expectedLoss = SoftmaxPrimitives.CrossEntropyWithGradient(logits, p, expectedGradient, classes, inner, LossReduction.Sum);
        Assert.Equal(expectedLoss, SoftmaxTensor.CrossEntropyWithGradient(x, pt, Tensor.Create(gradient, lengths), axis, LossReduction.Sum));
        Assert.Equal(expectedGradient, gradient);

        Assert.Equal(SoftmaxPrimitives.NllLoss(logits, targets, classes, inner, LossReduction.Mean, weights), SoftmaxTensor.NllLoss(x, Tensor.Create(targets, positionLengths), axis, LossReduction.Mean, weights));
        Assert.Equal(SoftmaxPrimitives.NllLoss(logits, wide, classes, inner), SoftmaxTensor.NllLoss(x, Tensor.Create(wide, positionLengths), axis));
        SoftmaxPrimitives.NllLoss(logits, targets, expectedLosses, classes, inner);
        SoftmaxTensor.NllLoss(x, Tensor.Create(targets, positionLengths), Tensor.Create(losses, positionLengths), axis);
        Assert.Equal(expectedLosses, losses);
        SoftmaxTensor.NllLoss(x, Tensor.Create(wide, positionLengths), Tensor.Create(losses, positionLengths), axis);
        Assert.Equal(expectedLosses, losses);

        // A target shape that does not fit names the tensors.
        var error = Assert.Throws<ArgumentException>(() => SoftmaxTensor.CrossEntropy(Tensor.Create(logits, lengths), Tensor.Create(new int[6], [6]), axis));
        Assert.Equal("targets", error.ParamName);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(-1, 1)]
    public void TensorHalfTopK_IsTheFloatTopKOfTheConvertedLogits(int axis, int k)
    {
        nint[] lengths = [2, 3, 4];
        Half[] logits = Logits(24, new Random(axis + 70));
        float[] converted = logits.Select(h => (float)h).ToArray();
        nint[] selected = (nint[])lengths.Clone();
        int normalised = axis < 0 ? axis + 3 : axis;
        selected[normalised] = k;
        int count = (int)(selected[0] * selected[1] * selected[2]);
        int[] expectedIndices = new int[count], indices = new int[count];
        float[] expected = new float[count], probabilities = new float[count];
        SoftmaxTensor.TopK(Tensor.Create(converted, lengths), k, Tensor.Create(expectedIndices, selected), Tensor.Create(expected, selected), axis);
        SoftmaxTensor.TopK(Tensor.Create(logits, lengths), k, Tensor.Create(indices, selected), Tensor.Create(probabilities, selected), axis);
        Assert.Equal(expectedIndices, indices);
        Assert.Equal(expected, probabilities);
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.TopK(Tensor.Create(logits, lengths), 5, Tensor.Create(indices, selected), Tensor.Create(probabilities, selected), axis));
    }

    [Fact]
    public void InvalidArguments_NameTheParameter_AndWriteNothing()
    {
        Half[] logits = Logits(2 * 3 * 4, new Random(3));
        int[] targets = [0, 1, 2, 0, 1, 2, 0, 7];
        var losses = Enumerable.Repeat(-1f, 8).ToArray();
        var gradient = Enumerable.Repeat((Half)(-1), 24).ToArray();

        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(logits, targets, losses, 3, 4));
        Assert.Equal("targets", outOfRange.ParamName);
        Assert.Contains("7", outOfRange.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, gradient, 3, 4));
        Assert.All(losses, v => Assert.Equal(-1f, v));
        Assert.All(gradient, v => Assert.Equal((Half)(-1), v));

        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(logits, new int[5], 3, 5)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(logits, new long[7], 3, 4)).ParamName);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(logits, new int[8], new float[7], 3, 4)).ParamName);
        Assert.Equal("targetProbabilities", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(logits, new Half[23], 3, 4)).ParamName);
        Assert.Equal("labelSmoothing", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(logits, new Half[24], 3, 4, LossReduction.Mean, 1.5f)).ParamName);
        Assert.Equal("classWeights", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.NllLoss(logits, new int[8], 3, 4, LossReduction.Mean, new float[2])).ParamName);
        Assert.Equal("innerSize", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.NllLoss(logits, new int[8], 3, 0)).ParamName);

        // Target probabilities may not share memory with the gradient; in place over the logits is allowed.
        Half[] shared = Logits(24, new Random(4));
        Assert.Equal("logitsGradient", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropyWithGradient(logits, shared, shared, 3, 4)).ParamName);
        Half[] inPlace = (Half[])logits.Clone();
        var separate = new Half[24];
        float a = SoftmaxPrimitives.CrossEntropyWithGradient(logits, new[] { 0, 1, 2, 0, 1, 2, 0, 1 }, separate, 3, 4);
        float b = SoftmaxPrimitives.CrossEntropyWithGradient(inPlace, new[] { 0, 1, 2, 0, 1, 2, 0, 1 }, inPlace, 3, 4);
        Assert.Equal(a, b);
        Assert.Equal(separate, inPlace);
    }

    [Fact]
    public void KDimLosses_AllocateNothing_OnceThePoolIsWarm()
    {
        const int n = 2, classes = 21, inner = 300;
        Half[] logits = Logits(n * classes * inner, new Random(9));
        Half[] targets = new Half[logits.Length];
        int[] classTargets = Enumerable.Range(0, n * inner).Select(p => p % classes).ToArray();
        var gradient = new Half[logits.Length];
        var losses = new float[n * inner];
        void Run()
        {
            SoftmaxPrimitives.CrossEntropy(logits, classTargets, classes, inner);
            SoftmaxPrimitives.CrossEntropyWithGradient(logits, classTargets, gradient, classes, inner);
            SoftmaxPrimitives.CrossEntropy(logits, targets, losses, classes, inner);
            SoftmaxPrimitives.NllLoss(logits, classTargets, losses, classes, inner);
        }

        // The least over three warm runs: a collection caused by a test running beside this one may trim
        // ArrayPool.Shared and make one run rent afresh; an allocation of the calls themselves repeats every time.
        Run();
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    // [N, C, inner] to the row form's [N x inner, C]: position (n, i) is row n * inner + i.
    private static double[] ToRows(double[] x, int n, int classes, int inner)
    {
        var rows = new double[x.Length];
        for (int o = 0; o < n; o++)
            for (int c = 0; c < classes; c++)
                for (int i = 0; i < inner; i++)
                    rows[((((o * inner) + i) * classes) + c)] = x[(((o * classes) + c) * inner) + i];
        return rows;
    }

    private static Half[] Logits(int count, Random random) =>
        Enumerable.Range(0, count).Select(_ => (Half)(8 * ((2 * random.NextDouble()) - 1))).ToArray();

    private static void Within(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(Math.Abs(expected), 1), $"{what}: expected {expected:R}, got {actual:R}");

    // The Half gradient is the float gradient rounded once; the float gradients of the two paths may differ in the last
    // float bit, which moves the rounding to Half by at most one Half ULP.
    private static void AssertRoundedOnce(float[] floatGradient, Half[] gradient, string what)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            var rounded = (Half)floatGradient[i];
            Assert.True(
                Math.Abs(BitConverter.HalfToInt16Bits(rounded) - BitConverter.HalfToInt16Bits(gradient[i])) <= 1 || (float)rounded == (float)gradient[i],
                $"{what}[{i}]: float {floatGradient[i]:R} rounds to {rounded}, got {gradient[i]}");
        }
    }
}
