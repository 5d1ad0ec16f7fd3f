using System.IO;

namespace SoftmaxGen.Demo.Training;

/// <summary>
/// The demo's two training runs with their fixed settings, shared by the demo and by the test that checks the
/// accuracy targets (at least 95% training accuracy on Iris, at least 93% on the held-out fifth of the digits).
/// </summary>
public static class Experiments
{
    /// <summary>The seed of the digits split and of every batch order.</summary>
    public const int Seed = 2024;

    /// <summary>Iris: 150 rows, 4 standardised features, 3 classes, trained and measured on all rows.</summary>
    public static TrainingRun Iris(string dataDirectory, LossWithGradient loss)
    {
        DataSet iris = DataSet.LoadIris(Path.Combine(dataDirectory, "iris.csv"));
        (float[] mean, float[] deviation) = iris.FeatureStatistics();
        return SoftmaxRegression.Train(iris.Standardized(mean, deviation), heldOut: null, loss, epochs: 40, batchSize: 10, learningRate: 0.2f, Seed);
    }

    /// <summary>
    /// The UCI digits: 1797 8x8 images (64 pixel features, scaled to [0, 1]), 10 classes; a fixed random fifth
    /// (359 images) is held out and never trained on.
    /// </summary>
    public static TrainingRun Digits(string dataDirectory, LossWithGradient loss)
    {
        DataSet digits = DataSet.LoadDigits(Path.Combine(dataDirectory, "digits.csv.gz"));
        (DataSet training, DataSet heldOut) = digits.Split(heldOutFraction: 0.2, Seed);
        float[] zero = new float[64], sixteen = new float[64];
        System.Array.Fill(sixteen, 16f);
        return SoftmaxRegression.Train(training.Standardized(zero, sixteen), heldOut.Standardized(zero, sixteen), loss, epochs: 25, batchSize: 32, learningRate: 0.5f, Seed);
    }
}
