using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SoftmaxGen.OnnxSample;

/// <summary>
/// Softmax, top-k, cross-entropy and argmax specialised by the generator to the model's ten classes
/// (<c>DigitKernel.TopK(logits, k, indices, probabilities)</c>, ...).
/// </summary>
[SoftmaxKernel(10)]
public static partial class DigitKernel;

/// <summary>The model's mean cross-entropy and accuracy on labelled images, and its prediction for each.</summary>
/// <param name="MeanCrossEntropy">The mean of <c>-log softmax(logits)[label]</c> over the images, as <c>F.cross_entropy</c>.</param>
/// <param name="Correct">The number of images whose largest logit is their label's.</param>
/// <param name="Predictions">The class of the largest logit of each image.</param>
public sealed record Evaluation(float MeanCrossEntropy, int Correct, int[] Predictions)
{
    /// <summary>The fraction of images classified correctly.</summary>
    public double Accuracy => (double)Correct / Predictions.Length;
}

/// <summary>
/// The digits model (<c>model/digits_mlp.onnx</c>, a PyTorch MLP) in an ONNX Runtime session: a batch of 8x8
/// images in, a batch of ten logits out. The model ends at the logits; softmax, top-k and the loss are SoftmaxGen's,
/// computed on ONNX Runtime's output buffer where it lies.
/// </summary>
public sealed class DigitClassifier : IDisposable
{
    /// <summary>The number of classes, the digits 0 to 9: one logit each.</summary>
    public const int Classes = DigitKernel.Classes;

    private static readonly string[] InputNames = ["pixels"];
    private static readonly string[] OutputNames = ["logits"];

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;

    /// <summary>Loads the model and checks that it takes <c>[batch, 64]</c> pixels and returns <c>[batch, 10]</c> logits.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <exception cref="InvalidDataException">The model's input or output is not the shape this class feeds and reads.</exception>
    public DigitClassifier(string modelPath)
    {
        // A model this small (two matrix products of 64 x 32 and 32 x 10 per image) gains nothing from a thread pool.
        _options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _runOptions = new RunOptions();
        try
        {
            _session = new InferenceSession(modelPath, _options);
            RequireShape(_session.InputMetadata, InputNames[0], DigitImages.PixelsPerImage);
            RequireShape(_session.OutputMetadata, OutputNames[0], Classes);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the model on a batch of images. The result is an <see cref="OrtValue"/> that ONNX Runtime allocated and
    /// wrote: read the <c>images x 10</c> logits in place with <c>GetTensorDataAsSpan&lt;float&gt;()</c>, and dispose
    /// it when done (the span is valid until then).
    /// </summary>
    /// <param name="pixels">Row-major <c>images x 64</c> pixel counts (0..16); at least one image.</param>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> is empty or not a whole number of images.</exception>
    public OrtValue Run(float[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length == 0 || pixels.Length % DigitImages.PixelsPerImage != 0)
        {
            throw new ArgumentException(
                $"pixels.Length ({pixels.Length}) must be a positive multiple of {DigitImages.PixelsPerImage} (one 8x8 image per row).",
                nameof(pixels));
        }

        long images = pixels.Length / DigitImages.PixelsPerImage;

        // The input wraps the array itself: ONNX Runtime pins it while the value lives and reads it without a copy.
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(pixels, [images, DigitImages.PixelsPerImage]);

        // The output is bound too, to a tensor ONNX Runtime allocates in its own (native) memory; Run writes into it.
        OrtValue logits = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [images, Classes]);
        try
        {
            _session.Run(_runOptions, InputNames, [input], OutputNames, [logits]);
            return logits;
        }
        catch
        {
            logits.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The mean cross-entropy of <paramref name="logits"/> against <paramref name="labels"/>
    /// (<c>F.cross_entropy(logits, labels)</c>) and the argmax of each row, with the generated ten-class kernels.
    /// </summary>
    /// <param name="logits">Row-major <c>images x 10</c> logits, e.g. <c>Run(pixels).GetTensorDataAsSpan&lt;float&gt;()</c>.</param>
    /// <param name="labels">One digit per image.</param>
    /// <exception cref="ArgumentException"><paramref name="logits"/> does not hold ten logits per label.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not a digit.</exception>
    public static Evaluation Evaluate(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        // SoftmaxGen checks these too, but names its own parameters (targets); checking first names this method's.
        if (logits.Length != (long)labels.Length * Classes)
        {
            throw new ArgumentException($"logits.Length ({logits.Length}) is not labels.Length ({labels.Length}) x {Classes}.", nameof(logits));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= Classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"labels[{i}] is {labels[i]}, not a digit 0 to {Classes - 1}.");
            }
        }

        float meanLoss = DigitKernel.CrossEntropy(logits, labels);

        var predictions = new int[labels.Length];
        DigitKernel.Argmax(logits, predictions);
        int correct = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            correct += predictions[i] == labels[i] ? 1 : 0;
        }

        return new Evaluation(meanLoss, correct, predictions);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session?.Dispose();
        _runOptions?.Dispose();
        _options?.Dispose();
    }

    // The model's dimensions for one tensor: [batch, size], the batch symbolic (-1) or any number.
    private static void RequireShape(System.Collections.Generic.IReadOnlyDictionary<string, NodeMetadata> metadata, string name, int size)
    {
        if (!metadata.TryGetValue(name, out NodeMetadata? node) || node.ElementType != typeof(float) || node.Dimensions is not [_, var last] || last != size)
        {
            throw new InvalidDataException($"The model must have a float tensor \"{name}\" of shape [batch, {size}].");
        }
    }
}
