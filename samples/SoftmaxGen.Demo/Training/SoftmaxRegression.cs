using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace SoftmaxGen.Demo.Training;

/// <summary>
/// The cross-entropy of a batch of logits against class targets that also writes dLoss/dLogits, as
/// <c>F.cross_entropy(logits, targets)</c> followed by <c>.backward()</c>: the shape of <c>CrossEntropyWithGradient</c>
/// on a generated kernel type, or on <see cref="Kernels.SoftmaxFallback"/> with the class count bound.
/// </summary>
public delegate float LossWithGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> logitsGradient);

/// <summary>One epoch of training: the mean training loss over its batches and the accuracies after it.</summary>
public readonly record struct EpochResult(int Epoch, double Loss, double TrainingAccuracy, double HeldOutAccuracy);

/// <summary>The result of a training run: per-epoch figures and the time spent inside the loss function.</summary>
public sealed record TrainingRun(IReadOnlyList<EpochResult> Epochs, TimeSpan LossTime, int LossCalls, SoftmaxRegression Model);

/// <summary>
/// Softmax regression (multinomial logistic regression): one linear layer, <c>logits = x W + b</c>, trained by plain
/// mini-batch gradient descent (no momentum, no weight decay) on the mean cross-entropy. The loss function computes
/// the gradient with respect to the logits; the layer's gradients follow from it: <c>dW = X^T dLogits</c>,
/// <c>db = sum over rows of dLogits</c>.
/// </summary>
public sealed class SoftmaxRegression
{
    private readonly float[] _weights;   // features x classes, row-major
    private readonly float[] _bias;      // classes

    public SoftmaxRegression(int features, int classes)
    {
        Features = features;
        Classes = classes;
        _weights = new float[features * classes];
        _bias = new float[classes];
    }

    public int Features { get; }

    public int Classes { get; }

    /// <summary>Trains a fresh model; the batches are shuffled with <paramref name="seed"/>, so two runs with the same arguments see the same data in the same order.</summary>
    /// <param name="training">The training data.</param>
    /// <param name="heldOut">Data to measure accuracy on after each epoch, or null.</param>
    /// <param name="loss">The loss and logits gradient of a batch (mean reduction).</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per gradient step.</param>
    /// <param name="learningRate">The step size.</param>
    /// <param name="seed">Fixes the batch order.</param>
    public static TrainingRun Train(DataSet training, DataSet? heldOut, LossWithGradient loss, int epochs, int batchSize, float learningRate, int seed)
    {
        var model = new SoftmaxRegression(training.FeatureCount, training.Classes);
        int classes = training.Classes, features = training.FeatureCount;
        var order = new int[training.Rows];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var random = new Random(seed);
        var batch = new float[batchSize * features];
        var targets = new int[batchSize];
        var logits = new float[batchSize * classes];
        var gradient = new float[batchSize * classes];
        var results = new List<EpochResult>(epochs);
        var lossTimer = new Stopwatch();
        int lossCalls = 0;

        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            random.Shuffle(order);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += batchSize)
            {
                int rows = Math.Min(batchSize, order.Length - start);
                for (int r = 0; r < rows; r++)
                {
                    int row = order[start + r];
                    training.Features.AsSpan(row * features, features).CopyTo(batch.AsSpan(r * features));
                    targets[r] = training.Labels[row];
                }

                Span<float> batchLogits = logits.AsSpan(0, rows * classes);
                Span<float> batchGradient = gradient.AsSpan(0, rows * classes);
                model.Forward(batch.AsSpan(0, rows * features), batchLogits);

                lossTimer.Start();
                float batchLoss = loss(batchLogits, targets.AsSpan(0, rows), batchGradient);
                lossTimer.Stop();
                lossCalls++;

                lossSum += batchLoss;
                batches++;
                model.Step(batch.AsSpan(0, rows * features), batchGradient, learningRate);
            }

            results.Add(new EpochResult(epoch, lossSum / batches, model.Accuracy(training), heldOut is null ? double.NaN : model.Accuracy(heldOut)));
        }

        return new TrainingRun(results, lossTimer.Elapsed, lossCalls, model);
    }

    /// <summary>logits = x W + b for each row of <paramref name="x"/>.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> logits)
    {
        int rows = x.Length / Features;
        for (int r = 0; r < rows; r++)
        {
            Span<float> output = logits.Slice(r * Classes, Classes);
            _bias.CopyTo(output);
            for (int j = 0; j < Features; j++)
            {
                float v = x[(r * Features) + j];
                ReadOnlySpan<float> w = _weights.AsSpan(j * Classes, Classes);
                for (int c = 0; c < Classes; c++)
                {
                    output[c] += v * w[c];
                }
            }
        }
    }

    /// <summary>One gradient-descent step: W -= rate X^T dLogits, b -= rate sum dLogits (the gradient is already divided by the batch size: mean reduction).</summary>
    private void Step(ReadOnlySpan<float> x, ReadOnlySpan<float> logitsGradient, float learningRate)
    {
        int rows = x.Length / Features;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> g = logitsGradient.Slice(r * Classes, Classes);
            for (int j = 0; j < Features; j++)
            {
                float v = learningRate * x[(r * Features) + j];
                Span<float> w = _weights.AsSpan(j * Classes, Classes);
                for (int c = 0; c < Classes; c++)
                {
                    w[c] -= v * g[c];
                }
            }

            for (int c = 0; c < Classes; c++)
            {
                _bias[c] -= learningRate * g[c];
            }
        }
    }

    /// <summary>The fraction of rows whose largest logit is the label (argmax through the runtime's <see cref="SoftmaxPrimitives.Argmax(ReadOnlySpan{float}, Span{int}, int)"/>).</summary>
    public double Accuracy(DataSet data)
    {
        var logits = new float[data.Rows * Classes];
        var predictions = new int[data.Rows];
        Forward(data.Features, logits);
        SoftmaxPrimitives.Argmax(logits, predictions, Classes);
        int correct = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            if (predictions[i] == data.Labels[i])
            {
                correct++;
            }
        }

        return (double)correct / data.Rows;
    }
}
