using System;
using System.Numerics;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The textbook examples, compared to their printed precision: within 1e-7 for the 8-digit probabilities and within
/// 5e-5 for the 4- and 5-digit losses. Every implementation for 3 classes (the generated <see cref="Kernel3"/>, the
/// fallback and <see cref="SoftmaxPrimitives"/>), in float and double.
/// </summary>
public sealed class WorkedExampleTests
{
    private const double EightDigits = 1e-7;
    private const double PrintedLoss = 5e-5;

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in Implementations.Names)
            {
                data.Add(name);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Softmax_OfTwoOneAndATenth(string implementation)
    {
        Softmax<float>(implementation, [2, 1, 0.1], [0.65900114, 0.24243297, 0.09856589]);
        Softmax<double>(implementation, [2, 1, 0.1], [0.65900114, 0.24243297, 0.09856589]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Softmax_OfTwoMinusOneAndATenth(string implementation)
    {
        Softmax<float>(implementation, [2, -1, 0.1], [0.83378101, 0.04151151, 0.12470747]);
        Softmax<double>(implementation, [2, -1, 0.1], [0.83378101, 0.04151151, 0.12470747]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CrossEntropy_TwoRows(string implementation)
    {
        CrossEntropy<float>(implementation, [2, -1, 0.1, 3, -1, 1], [1, 2], 2.6624);
        CrossEntropy<double>(implementation, [2, -1, 0.1, 3, -1, 1], [1, 2], 2.6624);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CrossEntropy_OneRowCorrectClass(string implementation)
    {
        CrossEntropy<float>(implementation, [2.0, 1.0, 0.1], [0], 0.41703);
        CrossEntropy<double>(implementation, [2.0, 1.0, 0.1], [0], 0.41703);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CrossEntropy_OneRowWrongClass(string implementation)
    {
        CrossEntropy<float>(implementation, [0.5, 2.0, 0.3], [0], 1.84062);
        CrossEntropy<double>(implementation, [0.5, 2.0, 0.3], [0], 1.84062);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CrossEntropy_ThreeConfidentRows(string implementation)
    {
        double[] logits = [0.1, 1.0, 2.1, 2.0, 1.0, 0.1, 0.1, 3.0, 0.1];
        CrossEntropy<float>(implementation, logits, [2, 0, 1], 0.30182);
        CrossEntropy<double>(implementation, logits, [2, 0, 1], 0.30182);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CrossEntropy_ThreeWrongRows(string implementation)
    {
        double[] logits = [0.5, 2.0, 0.3, 0.5, 2.0, 0.3, 0.3, 0.5, 2.0];
        CrossEntropy<float>(implementation, logits, [2, 0, 1], 1.90728);
        CrossEntropy<double>(implementation, logits, [2, 0, 1], 1.90728);
    }

    /// <summary>The generated members and SoftmaxPrimitives called directly, with the default reduction (the mean).</summary>
    [Fact]
    public void DirectCalls_WithTheDefaultReduction()
    {
        float[] logitsF = [2, -1, 0.1f, 3, -1, 1];
        double[] logitsD = [2, -1, 0.1, 3, -1, 1];
        int[] targets = [1, 2];
        Assert.Equal(2.6624, Kernel3.CrossEntropy(logitsF, targets), PrintedLoss);
        Assert.Equal(2.6624, Kernel3.CrossEntropy(logitsD, targets), PrintedLoss);
        Assert.Equal(2.6624, SoftmaxPrimitives.CrossEntropy(logitsF, targets, 3), PrintedLoss);
        Assert.Equal(2.6624, SoftmaxPrimitives.CrossEntropy(logitsD, targets, 3), PrintedLoss);
        Assert.Equal(2 * 2.6624, Kernel3.CrossEntropy(logitsD, targets, LossReduction.Sum), 2 * PrintedLoss);
        Assert.Equal(3, Kernel3.Classes);

        var probabilities = new float[3];
        Kernel3.Softmax(logitsF.AsSpan(0, 3), probabilities);
        Assert.Equal(0.83378101, probabilities[0], EightDigits);
        Assert.Equal(0.04151151, probabilities[1], EightDigits);
        Assert.Equal(0.12470747, probabilities[2], EightDigits);

        var predictions = new int[2];
        Kernel3.Argmax(logitsD, predictions);
        Assert.Equal(new[] { 0, 0 }, predictions);
    }

    private static void Softmax<T>(string name, double[] logits, double[] expected)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxImplementation implementation = Implementations.Get(name, 3);
        T[] x = Array.ConvertAll(logits, v => T.CreateTruncating(v));
        var probabilities = new T[3];
        implementation.ApplySoftmax<T>(x, probabilities);
        var logProbabilities = new T[3];
        implementation.ApplyLogSoftmax<T>(x, logProbabilities);
        var predictions = new int[1];
        implementation.ApplyArgmax<T>(x, predictions);
        for (int j = 0; j < 3; j++)
        {
            double p = double.CreateTruncating(probabilities[j]);
            Assert.True(Math.Abs(p - expected[j]) <= EightDigits, $"{implementation} {Verifier.TypeName<T>()}: softmax[{j}] = {p:R}, expected {expected[j]:R}");
            double l = double.CreateTruncating(logProbabilities[j]);
            Assert.True(Math.Abs(l - Math.Log(expected[j])) <= 1e-6, $"{implementation} {Verifier.TypeName<T>()}: log-softmax[{j}] = {l:R}, expected log({expected[j]:R})");
        }

        Assert.Equal(0, predictions[0]);
    }

    private static void CrossEntropy<T>(string name, double[] logits, int[] targets, double expectedMean)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxImplementation implementation = Implementations.Get(name, 3);
        T[] x = Array.ConvertAll(logits, v => T.CreateTruncating(v));
        double mean = double.CreateTruncating(implementation.ApplyCrossEntropy<T>(x, targets, LossReduction.Mean));
        double sum = double.CreateTruncating(implementation.ApplyCrossEntropy<T>(x, targets, LossReduction.Sum));
        double defaultReduction = double.CreateTruncating(implementation.ApplyCrossEntropyDefault<T>(x, targets));
        var losses = new T[targets.Length];
        implementation.ApplyCrossEntropy<T>(x, targets, losses);
        double lossSum = 0;
        foreach (T loss in losses)
        {
            lossSum += double.CreateTruncating(loss);
        }

        string where = $"{implementation} {Verifier.TypeName<T>()}";
        Assert.True(Math.Abs(mean - expectedMean) <= PrintedLoss, $"{where}: mean cross-entropy {mean:R}, expected {expectedMean:R}");
        Assert.True(Math.Abs(defaultReduction - expectedMean) <= PrintedLoss, $"{where}: default-reduction cross-entropy {defaultReduction:R}, expected {expectedMean:R}");
        Assert.True(Math.Abs(sum - (expectedMean * targets.Length)) <= PrintedLoss * targets.Length, $"{where}: summed cross-entropy {sum:R}, expected {expectedMean * targets.Length:R}");
        Assert.True(Math.Abs((lossSum / targets.Length) - expectedMean) <= PrintedLoss, $"{where}: per-row losses average {lossSum / targets.Length:R}, expected {expectedMean:R}");
    }
}
