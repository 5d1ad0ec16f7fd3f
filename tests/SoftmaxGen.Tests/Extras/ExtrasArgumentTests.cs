using System;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Bad arguments to the middle-axis softmax, top-k, sigmoid and binary losses: each gets an exception naming the
/// parameter and the value, from every implementation, and nothing is written.
/// </summary>
public sealed class ExtrasArgumentTests
{
    public static TheoryData<string> Implementations => new() { "dispatch", "fallback", "generated" };

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Axis_InnerSizeBelowOne_Throws(string implementation)
    {
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, 3);
        var output = new float[12];
        foreach (int inner in new[] { 0, -1, int.MinValue })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => impl.Softmax<float>()(new float[12], output, inner));
            Assert.Equal("innerSize", e.ParamName);
            Assert.Equal(inner, e.ActualValue);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => impl.LogSoftmax<double>()(new double[12], new double[12], inner));
            Assert.Equal("innerSize", e.ParamName);
        }

        Assert.All(output, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Axis_ClassesBelowOne_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.Softmax(new float[4], new float[4], 0, 2));
        Assert.Equal("classes", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxFallback.Axis(new double[4], new double[4], -3, 2, log: true));
        Assert.Equal("classes", e.ParamName);
        Assert.Equal(-3, e.ActualValue);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Axis_LengthNotWholePlanes_Throws(string implementation)
    {
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, 3);
        var output = new float[14];
        var e = Assert.Throws<ArgumentException>(() => impl.Softmax<float>()(new float[14], output, 4));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("14", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 x 4 = 12", e.Message, StringComparison.Ordinal);
        Assert.All(output, v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Axis_OutputTooShortOrPartlyOverlapping_Throws(string implementation)
    {
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, 3);
        var e = Assert.Throws<ArgumentException>(() => impl.Softmax<double>()(new double[24], new double[23], 4));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("23", e.Message, StringComparison.Ordinal);

        var buffer = new float[30];
        buffer.AsSpan(0, 24).Fill(1f);
        e = Assert.Throws<ArgumentException>(() => impl.LogSoftmax<float>()(buffer.AsSpan(0, 24), buffer.AsSpan(1, 24), 4));
        Assert.Equal("output", e.ParamName);
        Assert.Equal(1f, buffer[1]);
        Assert.Equal(0f, buffer[24]);

        // Zero planes: nothing to do, no exception.
        impl.Softmax<float>()([], [], 4);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void TopK_KOutOfRange_ThrowsNamingK(string implementation)
    {
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, 10);
        var indices = new int[40];
        var probabilities = new float[40];
        foreach (int k in new[] { 0, -1, 11, int.MaxValue })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => impl.TopK<float>()(new float[20], k, indices, probabilities));
            Assert.Equal("k", e.ParamName);
            Assert.Equal(k, e.ActualValue);
            Assert.Contains($"k is {k}", e.Message, StringComparison.Ordinal);
            Assert.Contains("[1, 10]", e.Message, StringComparison.Ordinal);
        }

        Assert.All(indices, v => Assert.Equal(0, v));
        Assert.All(probabilities, v => Assert.Equal(0f, v));

        // k = classes is allowed: every class, sorted.
        impl.TopK<double>()(new double[20], 10, new int[20], new double[20]);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void TopK_OutputsTooShortOrOverlapping_Throw(string implementation)
    {
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, 10);
        var e = Assert.Throws<ArgumentException>(() => impl.TopK<float>()(new float[30], 3, new int[8], new float[9]));
        Assert.Equal("indices", e.ParamName);
        Assert.Contains("3 x 3 = 9", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => impl.TopK<double>()(new double[30], 3, new int[9], new double[8]));
        Assert.Equal("probabilities", e.ParamName);

        var shared = new float[40];
        e = Assert.Throws<ArgumentException>(() => impl.TopK<float>()(shared.AsSpan(0, 30), 3, new int[9], shared.AsSpan(25, 9)));
        Assert.Equal("probabilities", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => impl.TopK<float>()(new float[25], 3, new int[9], new float[9]));
        Assert.Equal("logits", e.ParamName);
    }

    [Fact]
    public void Sigmoid_BadOutput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.Sigmoid(new float[5], new float[4]));
        Assert.Equal("probabilities", e.ParamName);
        var buffer = new double[10];
        e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.Sigmoid(buffer.AsSpan(0, 5), buffer.AsSpan(2, 5)));
        Assert.Equal("probabilities", e.ParamName);
    }

    [Fact]
    public void BinaryCrossEntropy_ProbabilityOutsideUnitInterval_ThrowsNamingIndexAndValue()
    {
        foreach (float bad in new[] { 1.5f, -0.25f, float.NaN, float.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.BinaryCrossEntropy([0.5f, 0.25f, 1f, bad], [1f, 0f, 1f, 0f]));
            Assert.Equal("probabilities", e.ParamName);
            Assert.Equal(bad, e.ActualValue);
            Assert.Contains("probabilities[3]", e.Message, StringComparison.Ordinal);
        }

        var d = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.BinaryCrossEntropy([2.0], [1.0], LossReduction.Sum));
        Assert.Equal("probabilities", d.ParamName);
    }

    [Fact]
    public void BinaryLosses_TargetsOfAnotherLengthOrBadReduction_Throw()
    {
        var e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.BinaryCrossEntropy(new float[3], new float[2]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("(2)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(new double[3], new double[4]));
        Assert.Equal("targets", e.ParamName);

        var r = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(new float[3], new float[3], (LossReduction)7));
        Assert.Equal("reduction", r.ParamName);
        r = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.BinaryCrossEntropy(new double[3], new double[3], (LossReduction)(-1)));
        Assert.Equal("reduction", r.ParamName);
    }
}
