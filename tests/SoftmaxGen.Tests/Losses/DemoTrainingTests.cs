using System;
using System.IO;
using System.Linq;
using SoftmaxGen.Demo.Training;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The demo's training runs (the same code, linked from samples/SoftmaxGen.Demo/Training, and the same bundled data)
/// reach the training targets with CrossEntropyWithGradient from a generated kernel and from the runtime fallback:
/// at least 95% training accuracy on Iris, at least 93% on the held-out fifth of the UCI digits; the loss falls.
/// </summary>
public sealed class DemoTrainingTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "DemoData");

    [Fact]
    public void DataSets_AreTheBundledOnes()
    {
        DataSet iris = DataSet.LoadIris(Path.Combine(Data, "iris.csv"));
        Assert.Equal(150, iris.Rows);
        Assert.Equal(4, iris.FeatureCount);
        Assert.Equal([50, 50, 50], iris.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()));

        DataSet digits = DataSet.LoadDigits(Path.Combine(Data, "digits.csv.gz"));
        Assert.Equal(1797, digits.Rows);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(Enumerable.Range(0, 10), digits.Labels.Distinct().Order());
        Assert.All(digits.Features, v => Assert.InRange(v, 0f, 16f));

        (DataSet training, DataSet heldOut) = digits.Split(0.2, Experiments.Seed);
        Assert.Equal(359, heldOut.Rows);
        Assert.Equal(1438, training.Rows);
    }

    [Fact]
    public void Iris_ReachesNinetyFivePercentTrainingAccuracy()
    {
        TrainingRun generated = Experiments.Iris(Data, (x, t, g) => Kernel3.CrossEntropyWithGradient(x, t, g));
        TrainingRun fallback = Experiments.Iris(Data, (x, t, g) => SoftmaxFallback.CrossEntropyWithGradient(x, t, g, 3));
        foreach (TrainingRun run in new[] { generated, fallback })
        {
            Assert.True(run.Epochs[^1].TrainingAccuracy >= 0.95, $"Iris training accuracy {run.Epochs[^1].TrainingAccuracy:P1}");
            Assert.True(run.Epochs[^1].Loss < run.Epochs[0].Loss / 3, $"loss {run.Epochs[0].Loss} -> {run.Epochs[^1].Loss}");
        }

        Assert.Equal(fallback.Epochs[^1].Loss, generated.Epochs[^1].Loss, 1e-3);
    }

    [Fact]
    public void Digits_ReachNinetyThreePercentOnTheHeldOutFifth()
    {
        TrainingRun generated = Experiments.Digits(Data, (x, t, g) => LossKernel10.CrossEntropyWithGradient(x, t, g));
        TrainingRun fallback = Experiments.Digits(Data, (x, t, g) => SoftmaxFallback.CrossEntropyWithGradient(x, t, g, 10));
        foreach (TrainingRun run in new[] { generated, fallback })
        {
            Assert.True(run.Epochs[^1].HeldOutAccuracy >= 0.93, $"digits held-out accuracy {run.Epochs[^1].HeldOutAccuracy:P1}");
            Assert.True(run.Epochs[^1].Loss < run.Epochs[0].Loss / 3, $"loss {run.Epochs[0].Loss} -> {run.Epochs[^1].Loss}");
        }

        Assert.Equal(fallback.Epochs[^1].Loss, generated.Epochs[^1].Loss, 1e-3);
    }
}
