using System;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// KlDivergence's reductions against a float64 sum written from PyTorch's formula, the in-place forms, the argument
/// checks (nothing written on failure), and <see cref="LossReduction.BatchMean"/> refused by the other losses.
/// </summary>
public sealed class KlDivergenceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reductions_AreTheSumOverElementsRowsOrNothing(bool logTarget)
    {
        var random = new Random(logTarget ? 3 : 4);
        const int rows = 7, classes = 13;
        double[] x = new double[rows * classes], t = new double[rows * classes];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = -random.NextDouble() * 5;
            t[i] = logTarget ? -random.NextDouble() * 4 : random.NextDouble();
        }

        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += logTarget ? Math.Exp(t[i]) * (t[i] - x[i]) : t[i] * (Math.Log(t[i]) - x[i]);

        Assert.Equal(sum, SoftmaxPrimitives.KlDivergence(x, t, classes, LossReduction.Sum, logTarget), 1e-12);
        Assert.Equal(sum / x.Length, SoftmaxPrimitives.KlDivergence(x, t, classes, LossReduction.Mean, logTarget), 1e-14);
        Assert.Equal(sum / rows, SoftmaxPrimitives.KlDivergence(x, t, classes, LossReduction.BatchMean, logTarget), 1e-13);

        // In place: the losses over the input, the gradient over the target.
        double[] losses = (double[])x.Clone(), gradient = (double[])t.Clone(), separate = new double[x.Length];
        SoftmaxPrimitives.KlDivergence(x, t, separate, logTarget);
        SoftmaxPrimitives.KlDivergence(losses, t, losses, logTarget);
        Assert.Equal(separate, losses);
        SoftmaxPrimitives.KlDivergenceWithGradient(x, gradient, gradient, classes, LossReduction.BatchMean, logTarget);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(-(logTarget ? Math.Exp(t[i]) : t[i]) / rows, gradient[i], 1e-15);
    }

    [Fact]
    public void EmptyInput_MeanIsNaNAndSumIsZero()
    {
        Assert.True(float.IsNaN(SoftmaxPrimitives.KlDivergence(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, 3)));
        Assert.True(float.IsNaN(SoftmaxPrimitives.KlDivergence(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, 3, LossReduction.BatchMean)));
        Assert.Equal(0f, SoftmaxPrimitives.KlDivergence(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, 3, LossReduction.Sum));
    }

    [Fact]
    public void BadArguments_ThrowAndWriteNothing()
    {
        float[] x = new float[6], t = new float[6], g = [7, 7, 7, 7, 7, 7, 7];
        AssertThrows<ArgumentOutOfRangeException>("classes", () => SoftmaxPrimitives.KlDivergence(x, t, 0));
        AssertThrows<ArgumentException>("input", () => SoftmaxPrimitives.KlDivergence(x, t, 4));
        AssertThrows<ArgumentException>("target", () => SoftmaxPrimitives.KlDivergence(x, t.AsSpan(1), 3));
        AssertThrows<ArgumentOutOfRangeException>("reduction", () => SoftmaxPrimitives.KlDivergence(x, t, 3, (LossReduction)9));
        AssertThrows<ArgumentException>("losses", () => SoftmaxPrimitives.KlDivergence(x, t, g.AsSpan(0, 5)));
        AssertThrows<ArgumentException>("losses", () => SoftmaxPrimitives.KlDivergence(g.AsSpan(0, 6), t, g.AsSpan(1, 6)));
        AssertThrows<ArgumentException>("inputGradient", () => SoftmaxPrimitives.KlDivergenceWithGradient(x, t, g.AsSpan(0, 5), 3));
        AssertThrows<ArgumentException>("inputGradient", () => SoftmaxPrimitives.KlDivergenceWithGradient(x, g.AsSpan(0, 6), g.AsSpan(1, 6), 3));
        Assert.All(g, v => Assert.Equal(7, v));
    }

    [Fact]
    public void BatchMean_IsRefusedByTheOtherLosses()
    {
        float[] logits = new float[6];
        int[] targets = [0, 1];
        string message = AssertThrows<ArgumentOutOfRangeException>("reduction", () => SoftmaxPrimitives.CrossEntropy(logits, targets, 3, LossReduction.BatchMean));
        Assert.Contains("only KlDivergence", message, StringComparison.Ordinal);
        AssertThrows<ArgumentOutOfRangeException>("reduction", () => SoftmaxPrimitives.NllLoss(logits, targets, 3, LossReduction.BatchMean));
        AssertThrows<ArgumentOutOfRangeException>("reduction", () => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(logits, logits, LossReduction.BatchMean));
        AssertThrows<ArgumentOutOfRangeException>("reduction", () => SoftmaxParallel.CrossEntropy(logits, targets, 3, LossReduction.BatchMean));
    }

    private static string AssertThrows<TException>(string parameter, Action action)
        where TException : ArgumentException
    {
        TException e = Assert.Throws<TException>(action);
        Assert.Equal(parameter, e.ParamName);
        return e.Message;
    }
}
