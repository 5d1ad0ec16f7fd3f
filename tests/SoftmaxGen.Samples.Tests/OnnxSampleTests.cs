using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using SoftmaxGen.OnnxSample;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Samples.Tests;

/// <summary>The held-out images run once through the sample's classifier, shared by the tests.</summary>
public sealed class OnnxSampleFixture : IDisposable
{
    public OnnxSampleFixture()
    {
        Reference = PyTorchReference.Load();
        Images = DigitImages.LoadHeldOut(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"), Reference.HeldOutEvery);
        Classifier = new DigitClassifier(Path.Combine(AppContext.BaseDirectory, "model", "digits_mlp.onnx"));
        Output = Classifier.Run(Images.Pixels);
    }

    public PyTorchReference Reference { get; }

    public DigitImages Images { get; }

    public DigitClassifier Classifier { get; }

    /// <summary>ONNX Runtime's logits for every held-out image, one batch.</summary>
    public OrtValue Output { get; }

    public void Dispose()
    {
        Output.Dispose();
        Classifier.Dispose();
    }
}

/// <summary>
/// The ONNX sample against PyTorch: the model exported from PyTorch, run by ONNX Runtime, post-processed by the
/// sample's generated <c>[SoftmaxKernel(10)]</c> kernel, must give the top-3 and the mean cross-entropy PyTorch gives
/// for the same model and images (within 1e-5 relative: ONNX Runtime's matrix products round differently from
/// PyTorch's, by a few units in the last place of each logit).
/// </summary>
public sealed class OnnxSampleTests(OnnxSampleFixture fixture, ITestOutputHelper output) : IClassFixture<OnnxSampleFixture>
{
    private const double Tolerance = 1e-5;

    private PyTorchReference Reference => fixture.Reference;

    [Fact]
    public void HeldOutImagesAreTheOnesPyTorchEvaluated()
    {
        Assert.Equal(Reference.Rows, fixture.Images.Count);
        Assert.Equal(Reference.Labels, fixture.Images.Labels);
        Assert.Equal(Enumerable.Range(0, Reference.Rows).Select(i => i * Reference.HeldOutEvery), fixture.Images.Rows);
        Assert.Equal(Reference.Rows * DigitImages.PixelsPerImage, fixture.Images.Pixels.Length);
    }

    [Fact]
    public void OnnxRuntimeGivesPyTorchsLogits()
    {
        ReadOnlySpan<float> logits = fixture.Output.GetTensorDataAsSpan<float>();
        Assert.Equal(Reference.Logits.Length, logits.Length);
        double worst = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double error = Math.Abs(logits[i] - (double)Reference.Logits[i]) / Math.Max(Math.Abs(Reference.Logits[i]), 1);
            Assert.True(error <= Tolerance, $"logit {i} (image {i / 10}, class {i % 10}): ONNX Runtime {logits[i]:R}, PyTorch {Reference.Logits[i]:R}");
            worst = Math.Max(worst, error);
        }

        output.WriteLine($"largest difference of a logit, relative to max(|PyTorch's|, 1): {worst:E2}");
    }

    [Fact]
    public void TopKOfPyTorchsLogitsIsTorchTopK()
    {
        // The post-processing alone, on PyTorch's own logits: SoftmaxGen against torch.topk(F.softmax(x, dim=1), 3),
        // closer than through ONNX Runtime: PyTorch's float32 softmax rounds x - max, by up to |x - max| 2^-24
        // relative (about 1.4e-6 for the smallest probabilities here).
        (int[] indices, float[] probabilities) = TopK(Reference.Logits);
        AssertTopK(indices, probabilities, "PyTorch's logits", tolerance: 4e-6);

        // SoftmaxPrimitives runs the same kernel (the generated one registers itself): the same bits.
        var runtimeIndices = new int[indices.Length];
        var runtimeProbabilities = new float[probabilities.Length];
        SoftmaxPrimitives.TopK(Reference.Logits, Reference.K, runtimeIndices, runtimeProbabilities, DigitClassifier.Classes);
        Assert.Equal(indices, runtimeIndices);
        Assert.Equal(probabilities.Select(BitConverter.SingleToInt32Bits), runtimeProbabilities.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void SampleTopKMatchesPyTorch()
    {
        (int[] indices, float[] probabilities) = TopK(fixture.Output.GetTensorDataAsSpan<float>());
        AssertTopK(indices, probabilities, "ONNX Runtime's logits");
    }

    [Fact]
    public void SampleMeanCrossEntropyAndAccuracyMatchPyTorch()
    {
        ReadOnlySpan<float> logits = fixture.Output.GetTensorDataAsSpan<float>();
        Evaluation evaluation = DigitClassifier.Evaluate(logits, fixture.Images.Labels);

        // Against the same logits in float64 (log-sum-exp minus the label's logit), then against PyTorch.
        double exact = MeanCrossEntropy(logits, fixture.Images.Labels);
        Assert.True(Math.Abs(evaluation.MeanCrossEntropy - exact) <= 1e-6 * exact, $"SoftmaxGen {evaluation.MeanCrossEntropy:R}, float64 {exact:R}");
        double error = Math.Abs(evaluation.MeanCrossEntropy - (double)Reference.MeanCrossEntropy) / Reference.MeanCrossEntropy;
        output.WriteLine($"mean cross-entropy: SoftmaxGen on ONNX Runtime's logits {evaluation.MeanCrossEntropy:R}, PyTorch {Reference.MeanCrossEntropy:R}, relative difference {error:E2}");
        Assert.True(error <= Tolerance, $"SoftmaxGen on ONNX Runtime's logits {evaluation.MeanCrossEntropy:R}, PyTorch {Reference.MeanCrossEntropy:R}");

        Assert.Equal(Reference.Accuracy, evaluation.Accuracy, 12);
        for (int i = 0; i < Reference.Rows; i++)
        {
            Assert.Equal(Reference.TopIndices[i * Reference.K], evaluation.Predictions[i]);
        }
    }

    [Fact]
    public void BatchesOfAnySizeGivePyTorchsTopK()
    {
        // The model's batch dimension is symbolic: one image, a few, and the rest, each its own run.
        int[] sizes = [1, 1, 7, 64, Reference.Rows - 73];
        var indices = new int[Reference.Rows * Reference.K];
        var probabilities = new float[Reference.Rows * Reference.K];
        int start = 0;
        foreach (int size in sizes)
        {
            float[] pixels = fixture.Images.Pixels.AsSpan(start * DigitImages.PixelsPerImage, size * DigitImages.PixelsPerImage).ToArray();
            using OrtValue batch = fixture.Classifier.Run(pixels);
            ReadOnlySpan<float> logits = batch.GetTensorDataAsSpan<float>();
            Assert.Equal(size * DigitClassifier.Classes, logits.Length);
            DigitKernel.TopK(logits, Reference.K, indices.AsSpan(start * Reference.K), probabilities.AsSpan(start * Reference.K));
            start += size;
        }

        Assert.Equal(Reference.Rows, start);
        AssertTopK(indices, probabilities, "batches of 1, 1, 7, 64 and 287 images");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(65)]
    public void RunRejectsPixelsThatAreNotWholeImages(int length)
    {
        var exception = Assert.Throws<ArgumentException>(() => fixture.Classifier.Run(new float[length]));
        Assert.Equal("pixels", exception.ParamName);
        Assert.Contains($"({length})", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunRejectsNull()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => fixture.Classifier.Run(null!));
        Assert.Equal("pixels", exception.ParamName);
    }

    [Fact]
    public void EvaluateRejectsLogitsAndLabelsThatDoNotMatch()
    {
        float[] logits = Reference.Logits[..(3 * DigitClassifier.Classes)];
        var shape = Assert.Throws<ArgumentException>(() => DigitClassifier.Evaluate(logits, [1, 2]));
        Assert.Equal("logits", shape.ParamName);

        var label = Assert.Throws<ArgumentOutOfRangeException>(() => DigitClassifier.Evaluate(logits, [1, 10, 2]));
        Assert.Equal("labels", label.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => DigitClassifier.Evaluate(logits, [-1, 0, 2]));
    }

    [Fact]
    public void ClassifierRefusesAModelOfAnotherShape()
    {
        // A one-node softmax over [N, C]: its input is not [batch, 64].
        string path = Path.Combine(AppContext.BaseDirectory, "model", "softmax_float.onnx");
        var exception = Assert.Throws<InvalidDataException>(() => new DigitClassifier(path));
        Assert.Contains("pixels", exception.Message, StringComparison.Ordinal);
    }

    private (int[] Indices, float[] Probabilities) TopK(ReadOnlySpan<float> logits)
    {
        var indices = new int[Reference.Rows * Reference.K];
        var probabilities = new float[Reference.Rows * Reference.K];
        DigitKernel.TopK(logits, Reference.K, indices, probabilities);
        return (indices, probabilities);
    }

    private void AssertTopK(int[] indices, float[] probabilities, string what, double tolerance = Tolerance)
    {
        double worst = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            string where = $"{what}, image {i / Reference.K}, rank {i % Reference.K}";
            Assert.True(Reference.TopIndices[i] == indices[i], $"{where}: class {indices[i]}, PyTorch's {Reference.TopIndices[i]}");
            double error = Math.Abs(probabilities[i] - (double)Reference.TopProbabilities[i]) / Reference.TopProbabilities[i];
            Assert.True(error <= tolerance, $"{where}: probability {probabilities[i]:R}, PyTorch's {Reference.TopProbabilities[i]:R}");
            worst = Math.Max(worst, error);
        }

        output.WriteLine($"{what}: largest relative difference of a top-{Reference.K} probability from PyTorch's: {worst:E2}");
    }

    private static double MeanCrossEntropy(ReadOnlySpan<float> logits, int[] labels)
    {
        double sum = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            ReadOnlySpan<float> row = logits.Slice(r * DigitClassifier.Classes, DigitClassifier.Classes);
            double max = double.NegativeInfinity;
            foreach (float x in row)
            {
                max = Math.Max(max, x);
            }

            double exponentials = 0;
            foreach (float x in row)
            {
                exponentials += Math.Exp(x - max);
            }

            sum += max + Math.Log(exponentials) - row[labels[r]];
        }

        return sum / labels.Length;
    }
}
