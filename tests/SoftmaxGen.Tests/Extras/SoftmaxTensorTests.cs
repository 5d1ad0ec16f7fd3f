using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Text.Json;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// <see cref="SoftmaxTensor"/>: softmax and log-softmax along every axis (negative ones too) against a float64 reference
/// computed here and bit for bit against the span API; the losses against PyTorch's golden data for K-dimensional input
/// and against the span API; argmax and top-k along an axis against a direct search; writes go to the tensors' own
/// memory (no copy); and every shape, axis and density error names its parameter.
/// </summary>
public sealed class SoftmaxTensorTests
{
    // [2, 600, 35] along axis 1 takes three blocks of positions per plane, the last one short.
    private static readonly int[][] Shapes = [[7], [4, 5], [2, 3, 4], [2, 5, 3, 2], [3, 17, 40], [2, 600, 35]];

    [Fact]
    public void SoftmaxAndLogSoftmax_AlongEveryAxis_MatchTheReferenceAndTheSpanApi()
    {
        var random = new Random(1);
        foreach (int[] shape in Shapes)
        {
            float[] data = Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
            double[] wide = data.Select(v => (double)v).ToArray();
            nint[] lengths = shape.Select(d => (nint)d).ToArray();
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                (int outer, int classes, int inner) = Split(shape, axis);
                foreach (bool log in new[] { false, true })
                {
                    double[] expected = Reference(wide, outer, classes, inner, log);
                    var y = new float[data.Length];
                    var yd = new double[data.Length];
                    Tensor<float> x = Tensor.Create(data, lengths);
                    Tensor<float> output = Tensor.Create(y, lengths);
                    Tensor<double> output64 = Tensor.Create(yd, lengths);
                    if (log)
                    {
                        SoftmaxTensor.LogSoftmax(x, output, axis);
                        SoftmaxTensor.LogSoftmax(Tensor.Create(wide, lengths), output64, axis);
                    }
                    else
                    {
                        SoftmaxTensor.Softmax(x, output, axis);
                        SoftmaxTensor.Softmax(Tensor.Create(wide, lengths), output64, axis);
                    }

                    string what = $"{(log ? "log-softmax" : "softmax")} [{string.Join(", ", shape)}] axis {axis}";
                    for (int i = 0; i < data.Length; i++)
                    {
                        // The results are in the arrays the tensors were made over: nothing was copied.
                        Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"{what} float [{i}]: {y[i]} vs {expected[i]}");
                        Assert.True(Math.Abs(yd[i] - expected[i]) <= 1e-14 * Math.Max(1, Math.Abs(expected[i])), $"{what} double [{i}]: {yd[i]} vs {expected[i]}");
                    }

                    var viaSpans = new float[data.Length];
                    if (inner == 1)
                        (log ? (SpanOp)SoftmaxPrimitives.LogSoftmax : SoftmaxPrimitives.Softmax)(data, viaSpans, classes, SoftmaxPrecision.Exact);
                    else if (log)
                        SoftmaxPrimitives.LogSoftmax(data, viaSpans, classes, inner);
                    else
                        SoftmaxPrimitives.Softmax(data, viaSpans, classes, inner);
                    Assert.True(viaSpans.SequenceEqual(y), what + ": not the span API's bits");
                }
            }
        }
    }

    [Fact]
    public void Softmax_InPlace_AndFast()
    {
        var random = new Random(2);
        float[] data = Enumerable.Range(0, 24).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = new float[24];
        SoftmaxPrimitives.Softmax(data, expected, 3, 4, SoftmaxPrecision.Fast);
        Tensor<float> x = Tensor.Create(data, [2, 3, 4]);
        SoftmaxTensor.Softmax(x, x, 1, SoftmaxPrecision.Fast);
        Assert.Equal(expected, data);
    }

    [Fact]
    public void Losses_MatchPyTorch_OnTheKDimGoldenData()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_kdim_losses.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        int checkedCases = 0;
        foreach (JsonElement golden in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var d = new LossGoldenTests.Differences();
            string dtype = golden.GetProperty("dtype").GetString()!;
            if (dtype == "float16")
                CheckHalf(golden, d);
            else if (dtype == "float32")
                Check<float>(golden, d, LossGoldenTests.SingleTolerance);
            else
                Check<double>(golden, d, LossGoldenTests.DoubleTolerance);
            Assert.True(d.Failures.Count == 0, golden.GetProperty("name").GetString() + ":\n" + string.Join("\n", d.Failures.Take(10)));
            checkedCases++;
        }

        Assert.Equal(99, checkedCases);
    }

    [Fact]
    public void ClassTargets_LastAxis_AreTheRowForm()
    {
        // [2, 4, 3] with the classes last ([..., C]): rows of 3 classes, targets [2, 4].
        var random = new Random(3);
        float[] data = Enumerable.Range(0, 24).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        int[] targets = Enumerable.Range(0, 8).Select(i => i % 3).ToArray();
        targets[5] = -100;
        Tensor<float> x = Tensor.Create(data, [2, 4, 3]);
        Tensor<int> t = Tensor.Create(targets, [2, 4]);
        Tensor<long> t64 = Tensor.Create(targets.Select(v => (long)v).ToArray(), [2, 4]);
        float[] w = [0.5f, 2f, 1.25f];
        foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            float expected = SoftmaxPrimitives.CrossEntropy(data, targets, 3, reduction, w, labelSmoothing: 0.1f);
            Assert.Equal(expected, SoftmaxTensor.CrossEntropy(x, t, -1, reduction, w, labelSmoothing: 0.1f));
            Assert.Equal(expected, SoftmaxTensor.CrossEntropy(x, t64, 2, reduction, w, labelSmoothing: 0.1f));
            var g = new float[24];
            var gt = new float[24];
            float fused = SoftmaxPrimitives.CrossEntropyWithGradient(data, targets, g, 3, reduction, w);
            Assert.Equal(fused, SoftmaxTensor.CrossEntropyWithGradient(x, t, Tensor.Create(gt, [2, 4, 3]), -1, reduction, w));
            Assert.Equal(g, gt);
            float nll = SoftmaxPrimitives.NllLoss(data, targets, 3, reduction, w);
            Assert.Equal(nll, SoftmaxTensor.NllLoss(x, t64, -1, reduction, w));
        }

        var losses = new float[8];
        var expectedLosses = new float[8];
        SoftmaxPrimitives.CrossEntropy(data, targets, expectedLosses, 3);
        SoftmaxTensor.CrossEntropy(x, t, Tensor.Create(losses, [2, 4]), -1);
        Assert.Equal(expectedLosses, losses);
    }

    [Fact]
    public void Argmax_AlongAnAxis_IsTheFirstMaximum()
    {
        var random = new Random(4);
        foreach (int[] shape in Shapes)
        {
            // Few distinct values, so that ties occur and the first maximum must be chosen.
            float[] data = Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.Next(4)).ToArray();
            for (int axis = -shape.Length; axis < shape.Length; axis++)
            {
                (int outer, int classes, int inner) = Split(shape, axis);
                int[] positionShape = shape.Length == 1 ? [1] : shape.Where((_, d) => d != (axis + shape.Length) % shape.Length).ToArray();
                var predictions = new int[outer * inner];
                SoftmaxTensor.Argmax(Tensor.Create(data, shape.Select(v => (nint)v).ToArray()), Tensor.Create(predictions, positionShape.Select(v => (nint)v).ToArray()), axis);
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        int best = 0;
                        for (int c = 1; c < classes; c++)
                        {
                            if (data[(((o * classes) + c) * inner) + i] > data[(((o * classes) + best) * inner) + i])
                                best = c;
                        }

                        Assert.True(best == predictions[(o * inner) + i], $"argmax [{string.Join(", ", shape)}] axis {axis} position ({o}, {i}): {predictions[(o * inner) + i]}, expected {best}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(2, 5, 3, 2)]
    [InlineData(2, 600, 35, 3)]
    public void TopK_AlongAnAxis_RanksAndMatchesSoftmax(int outer, int classes, int inner, int k)
    {
        var random = new Random(5);
        nint[] shape = [outer, classes, inner], selected = [outer, k, inner];
        double[] data = Enumerable.Range(0, outer * classes * inner).Select(_ => random.NextDouble() * 4).ToArray();
        var probabilities = new double[data.Length];
        SoftmaxTensor.Softmax(Tensor.Create(data, shape), Tensor.Create(probabilities, shape), 1);
        double[] rows = new double[data.Length];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < classes; c++)
                for (int i = 0; i < inner; i++)
                    rows[(((o * inner) + i) * classes) + c] = data[(((o * classes) + c) * inner) + i];
        var rowProbabilities = new double[data.Length];
        SoftmaxPrimitives.Softmax(rows, rowProbabilities, classes);
        var indices = new int[outer * k * inner];
        var top = new double[outer * k * inner];
        SoftmaxTensor.TopK(Tensor.Create(data, shape), k, Tensor.Create(indices, selected), Tensor.Create(top, selected), 1);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int[] expected = Enumerable.Range(0, classes).OrderByDescending(c => data[(((o * classes) + c) * inner) + i]).ThenBy(c => c).Take(k).ToArray();
                for (int j = 0; j < k; j++)
                {
                    int at = (((o * k) + j) * inner) + i;
                    Assert.Equal(expected[j], indices[at]);
                    // The softmax of the position's row, bit for bit; the middle-axis softmax sums in another order.
                    Assert.Equal(rowProbabilities[(((o * inner) + i) * classes) + expected[j]], top[at]);
                    double axisProbability = probabilities[(((o * classes) + expected[j]) * inner) + i];
                    Assert.True(Math.Abs(axisProbability - top[at]) <= 4 * (Math.BitIncrement(axisProbability) - axisProbability), $"{top[at]} vs {axisProbability}");
                }
            }
        }
    }

    [Fact]
    public void TopK_LastAxis_IsTheRowForm()
    {
        var random = new Random(6);
        const int K = 2;
        double[] data = Enumerable.Range(0, 30).Select(_ => random.NextDouble() * 4).ToArray();
        // The last axis is the row form.
        var rowIndices = new int[6 * K];
        var rowTop = new double[6 * K];
        var tensorIndices = new int[6 * K];
        var tensorTop = new double[6 * K];
        SoftmaxPrimitives.TopK(data, K, rowIndices, rowTop, 5);
        SoftmaxTensor.TopK(Tensor.Create(data, [6, 5]), K, Tensor.Create(tensorIndices, [6, K]), Tensor.Create(tensorTop, [6, K]), -1);
        Assert.Equal(rowIndices, tensorIndices);
        Assert.Equal(rowTop, tensorTop);
    }

    [Fact]
    public void BadAxesShapesAndStrides_ThrowNamingTheParameter()
    {
        float[] data = new float[24];
        Tensor<float> x = Tensor.Create(data, [2, 3, 4]);
        Tensor<float> y = Tensor.Create(new float[24], [2, 3, 4]);
        Tensor<int> targets = Tensor.Create(new int[8], [2, 4]);

        ArgumentOutOfRangeException axis = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.Softmax(x, y, 3));
        Assert.Equal("axis", axis.ParamName);
        Assert.Contains("axis is 3; a tensor of rank 3 has axes -3 to 2", axis.Message, StringComparison.Ordinal);
        Assert.Equal("axis", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.Softmax(x, y, -4)).ParamName);

        // Neither 1 nor the last axis: not a class axis.
        Tensor<float> four = Tensor.Create(new float[48], [2, 3, 4, 2]);
        axis = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.CrossEntropy(four, Tensor.Create(new int[16], [2, 3, 2]), 2));
        Assert.Equal("axis", axis.ParamName);
        Assert.Contains("axis is 2", axis.Message, StringComparison.Ordinal);
        Assert.Equal("axis", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.CrossEntropy(x, targets, 0)).ParamName);

        ArgumentException shape = Assert.Throws<ArgumentException>(() => SoftmaxTensor.Softmax(x, Tensor.Create(new float[24], [2, 4, 3]), 1));
        Assert.Equal("probabilities", shape.ParamName);
        Assert.Contains("[2, 4, 3]", shape.Message, StringComparison.Ordinal);
        shape = Assert.Throws<ArgumentException>(() => SoftmaxTensor.CrossEntropy(x, Tensor.Create(new int[8], [2, 2, 2]), 1));
        Assert.Equal("targets", shape.ParamName);
        Assert.Contains("[2, 4]", shape.Message, StringComparison.Ordinal);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => SoftmaxTensor.CrossEntropy(x, targets, Tensor.Create(new float[8], [8]), 1)).ParamName);
        Assert.Equal("logitsGradient", Assert.Throws<ArgumentException>(() => SoftmaxTensor.CrossEntropyWithGradient(x, targets, Tensor.Create(new float[24], [6, 4]), 1)).ParamName);
        Assert.Equal("predictions", Assert.Throws<ArgumentException>(() => SoftmaxTensor.Argmax(x, Tensor.Create(new int[6], [2, 3]), 1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.TopK(x, 4, Tensor.Create(new int[32], [2, 4, 4]), Tensor.Create(new float[32], [2, 4, 4]), 1)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => SoftmaxTensor.TopK(x, 2, Tensor.Create(new int[16], [2, 4, 2]), Tensor.Create(new float[16], [2, 2, 4]), 1)).ParamName);

        // A target out of range, through the span API's check.
        int[] bad = new int[8];
        bad[3] = 7;
        Assert.Equal("targets", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxTensor.CrossEntropy(x, Tensor.Create(bad, [2, 4]), 1)).ParamName);

        // Not dense: a transposed view and a strided slice; the message says how to copy.
        Tensor<float> transposed = Tensor.PermuteDimensions(Tensor.Create(new float[24], [2, 4, 3]), [0, 2, 1]);
        ArgumentException dense = Assert.Throws<ArgumentException>(() => SoftmaxTensor.Softmax(transposed, y, 1));
        Assert.Equal("logits", dense.ParamName);
        Assert.Contains("not dense", dense.Message, StringComparison.Ordinal);
        Assert.Contains("ToDenseTensor", dense.Message, StringComparison.Ordinal);
        Tensor<float> wide = Tensor.Create(new float[48], [2, 3, 8]);
        Assert.Equal("probabilities", StridedOutput(x, wide));

        // In place is allowed; a partial overlap is not.
        Assert.Equal("probabilities", PartlyOverlapping());
    }

    private static string? StridedOutput(Tensor<float> x, Tensor<float> wide)
    {
        TensorSpan<float> slice = wide.AsTensorSpan()[.., .., 0..4];
        try
        {
            SoftmaxTensor.Softmax(x, slice, 1);
        }
        catch (ArgumentException e)
        {
            Assert.Contains("not dense", e.Message, StringComparison.Ordinal);
            return e.ParamName;
        }

        return null;
    }

    private static string? PartlyOverlapping()
    {
        float[] shared = new float[25];
        var left = new TensorSpan<float>(shared.AsSpan(0, 24), [2, 3, 4]);
        var right = new TensorSpan<float>(shared.AsSpan(1, 24), [2, 3, 4]);
        try
        {
            SoftmaxTensor.Softmax(left, right, 1);
        }
        catch (ArgumentException e)
        {
            return e.ParamName;
        }

        return null;
    }

    [Fact]
    public void EmptyTensors_AreValid()
    {
        Tensor<float> x = Tensor.Create(Array.Empty<float>(), [0, 3, 4]);
        SoftmaxTensor.Softmax(x, Tensor.Create(Array.Empty<float>(), [0, 3, 4]), 1);
        Assert.True(float.IsNaN(SoftmaxTensor.CrossEntropy(x, Tensor.Create(Array.Empty<int>(), [0, 4]), 1)));
        Assert.Equal(0f, SoftmaxTensor.CrossEntropy(x, Tensor.Create(Array.Empty<long>(), [0, 4]), 1, LossReduction.Sum));
    }

    private delegate void SpanOp(ReadOnlySpan<float> x, Span<float> y, int classes, SoftmaxPrecision precision);

    // Half tensors against PyTorch's float32 computation on the same fp16 values: float losses, Half gradients (half a
    // Half ULP of the largest gradient more).
    private static void CheckHalf(JsonElement golden, LossGoldenTests.Differences d)
    {
        const double Tolerance = LossGoldenTests.SingleTolerance, HalfRounding = 1.0 / 2048;
        nint[] shape = golden.GetProperty("shape").EnumerateArray().Select(v => (nint)v.GetInt32()).ToArray();
        nint[] positions = shape.Length == 2 ? [shape[0]] : [shape[0], .. shape[2..]];
        int count = (int)positions.Aggregate((nint)1, (a, b) => a * b);
        string op = golden.GetProperty("op").GetString()!;
        var losses = new float[count];
        if (op == "prob_cross_entropy")
        {
            Tensor<Half> x = Tensor.Create(KDimLossGoldenTests.Values<Half>(golden, "logits"), shape);
            Tensor<Half> p = Tensor.Create(KDimLossGoldenTests.Values<Half>(golden, "target_probabilities"), shape);
            float eps = (float)golden.GetProperty("label_smoothing").GetDouble();
            var gradient = new Half[x.FlattenedLength];
            d.Compare([KDimLossGoldenTests.Value<float>(golden, "mean")], [SoftmaxTensor.CrossEntropy(x, p, 1, LossReduction.Mean, eps)], Tolerance, "mean", perElementScale: true);
            SoftmaxTensor.CrossEntropy(x, p, Tensor.Create(losses, positions), 1, eps);
            SoftmaxTensor.CrossEntropyWithGradient(x, p, Tensor.Create(gradient, shape), 1, LossReduction.Sum, eps);
            d.Compare(KDimLossGoldenTests.Values<float>(golden, "none"), losses, Tolerance, "none", perElementScale: true);
            d.Compare(KDimLossGoldenTests.Values<float>(golden, "grad_sum"), gradient.Select(g => (float)g).ToArray(), Tolerance + HalfRounding, "gradient sum", perElementScale: false);
            return;
        }

        Tensor<long> t = Tensor.Create(golden.GetProperty("targets").EnumerateArray().Select(v => (long)v.GetInt32()).ToArray(), positions);
        float[] weights = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : KDimLossGoldenTests.Values<float>(golden, "weights");
        int ignore = golden.GetProperty("ignore_index").GetInt32();
        if (op == "nll")
        {
            Tensor<Half> lp = Tensor.Create(KDimLossGoldenTests.Values<Half>(golden, "log_probabilities"), shape);
            d.Compare([KDimLossGoldenTests.Value<float>(golden, "mean")], [SoftmaxTensor.NllLoss(lp, t, 1, LossReduction.Mean, weights, ignore)], Tolerance, "nll mean", perElementScale: true);
            SoftmaxTensor.NllLoss(lp, t, Tensor.Create(losses, positions), 1, weights, ignore);
            d.Compare(KDimLossGoldenTests.Values<float>(golden, "none"), losses, Tolerance, "nll none", perElementScale: true);
            return;
        }

        Tensor<Half> logits = Tensor.Create(KDimLossGoldenTests.Values<Half>(golden, "logits"), shape);
        float smoothing = (float)golden.GetProperty("label_smoothing").GetDouble();
        var grad = new Half[logits.FlattenedLength];
        float loss = SoftmaxTensor.CrossEntropyWithGradient(logits, t, Tensor.Create(grad, shape), 1, LossReduction.Mean, weights, ignore, smoothing);
        SoftmaxTensor.CrossEntropy(logits, t, Tensor.Create(losses, positions), 1, weights, ignore, smoothing);
        d.Compare([KDimLossGoldenTests.Value<float>(golden, "mean")], [loss], Tolerance, "mean", perElementScale: true);
        d.Compare(KDimLossGoldenTests.Values<float>(golden, "grad_mean"), grad.Select(g => (float)g).ToArray(), Tolerance + HalfRounding, "gradient mean", perElementScale: false);
        d.Compare(KDimLossGoldenTests.Values<float>(golden, "none"), losses, Tolerance, "none", perElementScale: true);
    }

    private static void Check<T>(JsonElement golden, LossGoldenTests.Differences d, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint[] shape = golden.GetProperty("shape").EnumerateArray().Select(v => (nint)v.GetInt32()).ToArray();
        nint[] positions = shape.Length == 2 ? [shape[0]] : [shape[0], .. shape[2..]];
        int count = (int)positions.Aggregate((nint)1, (a, b) => a * b);
        string op = golden.GetProperty("op").GetString()!;
        if (op == "prob_cross_entropy")
        {
            Tensor<T> x = Tensor.Create(KDimLossGoldenTests.Values<T>(golden, "logits"), shape);
            Tensor<T> p = Tensor.Create(KDimLossGoldenTests.Values<T>(golden, "target_probabilities"), shape);
            T eps = T.CreateTruncating(golden.GetProperty("label_smoothing").GetDouble());
            var losses = new T[count];
            var gradient = new T[x.FlattenedLength];
            if (typeof(T) == typeof(float))
            {
                d.Compare([KDimLossGoldenTests.Value<T>(golden, "mean")], [(T)(object)SoftmaxTensor.CrossEntropy((Tensor<float>)(object)x, (Tensor<float>)(object)p, 1, LossReduction.Mean, (float)(object)eps)], tolerance, "mean", perElementScale: true);
                SoftmaxTensor.CrossEntropy((Tensor<float>)(object)x, (Tensor<float>)(object)p, Tensor.Create((float[])(object)losses, positions), 1, (float)(object)eps);
                SoftmaxTensor.CrossEntropyWithGradient((Tensor<float>)(object)x, (Tensor<float>)(object)p, Tensor.Create((float[])(object)gradient, shape), 1, LossReduction.Sum, (float)(object)eps);
            }
            else
            {
                d.Compare([KDimLossGoldenTests.Value<T>(golden, "mean")], [(T)(object)SoftmaxTensor.CrossEntropy((Tensor<double>)(object)x, (Tensor<double>)(object)p, 1, LossReduction.Mean, (double)(object)eps)], tolerance, "mean", perElementScale: true);
                SoftmaxTensor.CrossEntropy((Tensor<double>)(object)x, (Tensor<double>)(object)p, Tensor.Create((double[])(object)losses, positions), 1, (double)(object)eps);
                SoftmaxTensor.CrossEntropyWithGradient((Tensor<double>)(object)x, (Tensor<double>)(object)p, Tensor.Create((double[])(object)gradient, shape), 1, LossReduction.Sum, (double)(object)eps);
            }

            d.Compare(KDimLossGoldenTests.Values<T>(golden, "none"), losses, tolerance, "none", perElementScale: true);
            d.Compare(KDimLossGoldenTests.Values<T>(golden, "grad_sum"), gradient, tolerance, "gradient sum", perElementScale: false);
            return;
        }

        long[] targets = golden.GetProperty("targets").EnumerateArray().Select(v => (long)v.GetInt32()).ToArray();
        Tensor<long> t = Tensor.Create(targets, positions);
        T[] weights = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : KDimLossGoldenTests.Values<T>(golden, "weights");
        int ignore = golden.GetProperty("ignore_index").GetInt32();
        var perPosition = new T[count];
        if (op == "nll")
        {
            T[] lp = KDimLossGoldenTests.Values<T>(golden, "log_probabilities");
            T mean = typeof(T) == typeof(float)
                ? (T)(object)SoftmaxTensor.NllLoss(Tensor.Create((float[])(object)lp, shape), t, 1, LossReduction.Mean, (float[])(object)weights, ignore)
                : (T)(object)SoftmaxTensor.NllLoss(Tensor.Create((double[])(object)lp, shape), t, 1, LossReduction.Mean, (double[])(object)weights, ignore);
            if (typeof(T) == typeof(float))
                SoftmaxTensor.NllLoss(Tensor.Create((float[])(object)lp, shape), t, Tensor.Create((float[])(object)perPosition, positions), 1, (float[])(object)weights, ignore);
            else
                SoftmaxTensor.NllLoss(Tensor.Create((double[])(object)lp, shape), t, Tensor.Create((double[])(object)perPosition, positions), 1, (double[])(object)weights, ignore);
            d.Compare([KDimLossGoldenTests.Value<T>(golden, "mean")], [mean], tolerance, "nll mean", perElementScale: true);
            d.Compare(KDimLossGoldenTests.Values<T>(golden, "none"), perPosition, tolerance, "nll none", perElementScale: true);
            return;
        }

        T[] logits = KDimLossGoldenTests.Values<T>(golden, "logits");
        T smoothing = T.CreateTruncating(golden.GetProperty("label_smoothing").GetDouble());
        var grad = new T[logits.Length];
        T loss;
        if (typeof(T) == typeof(float))
        {
            loss = (T)(object)SoftmaxTensor.CrossEntropyWithGradient(Tensor.Create((float[])(object)logits, shape), t, Tensor.Create((float[])(object)grad, shape), 1, LossReduction.Mean, (float[])(object)weights, ignore, (float)(object)smoothing);
            SoftmaxTensor.CrossEntropy(Tensor.Create((float[])(object)logits, shape), t, Tensor.Create((float[])(object)perPosition, positions), 1, (float[])(object)weights, ignore, (float)(object)smoothing);
        }
        else
        {
            loss = (T)(object)SoftmaxTensor.CrossEntropyWithGradient(Tensor.Create((double[])(object)logits, shape), t, Tensor.Create((double[])(object)grad, shape), 1, LossReduction.Mean, (double[])(object)weights, ignore, (double)(object)smoothing);
            SoftmaxTensor.CrossEntropy(Tensor.Create((double[])(object)logits, shape), t, Tensor.Create((double[])(object)perPosition, positions), 1, (double[])(object)weights, ignore, (double)(object)smoothing);
        }

        d.Compare([KDimLossGoldenTests.Value<T>(golden, "mean")], [loss], tolerance, "mean", perElementScale: true);
        d.Compare(KDimLossGoldenTests.Values<T>(golden, "grad_mean"), grad, tolerance, "gradient mean", perElementScale: false);
        d.Compare(KDimLossGoldenTests.Values<T>(golden, "none"), perPosition, tolerance, "none", perElementScale: true);
    }

    /// <summary>outer, classes, inner around <paramref name="axis"/>.</summary>
    private static (int Outer, int Classes, int Inner) Split(int[] shape, int axis)
    {
        int a = axis < 0 ? axis + shape.Length : axis;
        return (shape.Take(a).Aggregate(1, (x, y) => x * y), shape[a], shape.Skip(a + 1).Aggregate(1, (x, y) => x * y));
    }

    /// <summary>Softmax or log-softmax in double with the maximum subtracted, position by position.</summary>
    private static double[] Reference(double[] x, int outer, int classes, int inner, bool log)
    {
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < classes; c++)
                    max = Math.Max(max, x[(((o * classes) + c) * inner) + i]);
                double sum = 0;
                for (int c = 0; c < classes; c++)
                    sum += Math.Exp(x[(((o * classes) + c) * inner) + i] - max);
                for (int c = 0; c < classes; c++)
                {
                    int at = (((o * classes) + c) * inner) + i;
                    y[at] = log ? x[at] - max - Math.Log(sum) : Math.Exp(x[at] - max) / sum;
                }
            }
        }

        return y;
    }
}
