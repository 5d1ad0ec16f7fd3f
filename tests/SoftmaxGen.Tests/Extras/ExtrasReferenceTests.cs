using System;
using System.Linq;
using System.Numerics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The middle-axis softmax, top-k, sigmoid and binary losses against independent references: the row reference of
/// <see cref="Reference"/> (float64 for float, double-double for double) applied to the transposed data, and
/// double-double formulas in <see cref="ExtrasReference"/>. Bounds are the library's documented ones: softmax within
/// 4 ULP (outputs of at least 1e-30), log-softmax within 4 ULP of max(|ref|, 1); sigmoid within 3 ULP; losses within
/// 1e-6 (float) or 1e-13 (double) relative to max(|ref|, 1). The "-fast" implementations are held to
/// <see cref="FastBounds"/> (the same plus the rounding of x - max), over fewer axis shapes.
/// </summary>
public sealed class ExtrasReferenceTests
{
    private const long SoftmaxUlp = 4;

    public static TheoryData<string, int, int> AxisShapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string implementation in ExtrasImplementation.Names)
        {
            foreach (int classes in new[] { 1, 2, 3, 5, 10, 17, 21, 100 })
            {
                if (!ExtrasImplementation.Exists(implementation, classes))
                    continue;
                // Fast runs the same sweep code with another exponential: the inner sizes around each vector width suffice.
                int[] inners = implementation.EndsWith("-fast", StringComparison.Ordinal)
                    ? [1, 3, 4, 7, 8, 9, 16, 17, 33, 100]
                    : [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 49, 64, 100];
                foreach (int inner in inners)
                {
                    if (classes * inner <= 2000)
                        data.Add(implementation, classes, inner);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AxisShapes))]
    public void SoftmaxOverTheMiddleAxis_IsWithinBoundsOfTheRowReference(string implementation, int classes, int inner)
    {
        Check<float>(implementation, classes, inner);
        Check<double>(implementation, classes, inner);
    }

    private static void Check<T>(string implementation, int classes, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Outer = 3;
        var random = new Random(LogitGenerator.Seed(classes, inner, typeof(T) == typeof(float) ? 1 : 2));
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, classes);
        foreach (string distribution in new[] { "normal5", "wide", "ties" })
        {
            T[] input = LogitGenerator.Create<T>(distribution, Outer * classes * inner, random);
            ReferenceResult reference = Reference.Compute<T>(ExtrasReference.Transpose<T>(input, classes, inner), [], classes);
            T[] softmax = ExtrasReference.Transpose<T>(ToT<T>(reference.Softmax), classes, inner, inverse: true);
            T[] logSoftmax = ExtrasReference.Transpose<T>(ToT<T>(reference.LogSoftmax), classes, inner, inverse: true);
            double[] exactSoftmax = ExtrasReference.Transpose<double>(reference.Softmax.Select(v => v.ToDouble()).ToArray(), classes, inner, inverse: true);
            double[] distances = impl.Precision == SoftmaxPrecision.Fast ? ExtrasReference.AxisDistances<T>(input, classes, inner) : new double[input.Length];
            double threshold = FastBounds.SoftmaxThreshold<T>(impl.Precision);

            // Padding after the output must survive; the input must not change.
            T[] original = (T[])input.Clone();
            var output = new T[input.Length + 3];
            output.AsSpan().Fill(T.CreateTruncating(4242.5));
            impl.Softmax<T>()(input, output, inner);
            Assert.Equal(original, input);
            Assert.All(output[input.Length..], v => Assert.Equal(T.CreateTruncating(4242.5), v));
            for (int i = 0; i < input.Length; i++)
            {
                T r = softmax[i];
                double exact = exactSoftmax[i];
                bool ok = exact >= threshold
                    ? Ulp.Distance(output[i], r) <= SoftmaxUlp + FastBounds.SoftmaxAllowanceUlp(output[i], exact, distances[i])
                    : double.Abs(double.CreateTruncating(output[i]) - exact) <= (SoftmaxUlp * Ulp.Of<T>(threshold)) + FastBounds.SoftmaxAllowanceAbsolute<T>(exact, distances[i])
                        || (impl.Precision == SoftmaxPrecision.Fast && FastBounds.MayFlush(output[i], exact));
                Assert.True(ok, $"{impl} {typeof(T).Name} inner {inner} {distribution}: softmax[{i}] = {output[i]}, reference {r} ({Ulp.Distance(output[i], r)} ULP, |x - max| {distances[i]})");
            }

            impl.LogSoftmax<T>()(input, output, inner);
            for (int i = 0; i < input.Length; i++)
            {
                double r = double.CreateTruncating(logSoftmax[i]);
                double error = Math.Abs(double.CreateTruncating(output[i]) - r);
                Assert.True(error <= (SoftmaxUlp * Ulp.OfAtLeastOne<T>(r)) + (distances[i] * FastBounds.UnitRoundoff<T>()),
                    $"{impl} {typeof(T).Name} inner {inner} {distribution}: log_softmax[{i}] = {output[i]}, reference {r}");
            }

            // In place gives the same bits.
            var inPlace = (T[])input.Clone();
            impl.LogSoftmax<T>()(inPlace, inPlace, inner);
            Assert.Equal(output[..input.Length], inPlace);
            inPlace = (T[])input.Clone();
            impl.Softmax<T>()(inPlace, inPlace, inner);
            var separate = new T[input.Length];
            impl.Softmax<T>()(input, separate, inner);
            Assert.Equal(separate, inPlace);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(21)]
    [InlineData(100)]
    [InlineData(1000)]
    public void InnerSizeOne_IsTheRowForm(int classes)
    {
        var random = new Random(classes);
        float[] single = LogitGenerator.Create<float>("normal5", 7 * classes, random);
        double[] dbl = LogitGenerator.Create<double>("normal5", 7 * classes, random);
        float[] a = new float[single.Length], b = new float[single.Length];
        double[] c = new double[dbl.Length], d = new double[dbl.Length];

        SoftmaxPrimitives.Softmax(single, a, classes, innerSize: 1);
        SoftmaxPrimitives.Softmax(single, b, classes);
        Assert.Equal(b, a);
        SoftmaxPrimitives.LogSoftmax(dbl, c, classes, innerSize: 1);
        SoftmaxPrimitives.LogSoftmax(dbl, d, classes);
        Assert.Equal(d, c);
        SoftmaxFallback.Axis(dbl, c, classes, innerSize: 1, log: false);
        SoftmaxFallback.Softmax(dbl, d, classes);
        Assert.Equal(d, c);
        SoftmaxFallback.Axis(single, a, classes, innerSize: 1, log: true);
        SoftmaxFallback.LogSoftmax(single, b, classes);
        Assert.Equal(b, a);
    }

    [Fact]
    public void Sigmoid_IsWithinThreeUlpOfTheReference()
    {
        var random = new Random(17);
        double[] special = [0, -0.0, 1e-300, -1e-300, 1e-8, 0.5, 1, 10, 16.6, 17, 36.7, 37, 40, 88, 89, 103, 104, 700, 745, 746, 1e30, 1e300];
        double[] values = special.Concat(special.Select(v => -v))
            .Concat(Enumerable.Range(0, 4000).Select(_ => LogitGenerator.Normal(random) * Math.Pow(10, random.Next(-3, 3))))
            .ToArray();
        CheckSigmoid(values.Select(v => (float)v).ToArray());
        CheckSigmoid(values);
    }

    private static void CheckSigmoid<T>(T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new T[x.Length];
        Extras.Sigmoid<T>(x, y);
        long worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            T r = T.CreateTruncating(ExtrasReference.Sigmoid(double.CreateTruncating(x[i])).ToDouble());
            long ulp = Ulp.Distance(y[i], r);
            worst = Math.Max(worst, ulp);
            Assert.True(ulp <= 3, $"{typeof(T).Name} sigmoid({x[i]}) = {y[i]}, reference {r} ({ulp} ULP)");
        }

        // In place, and the non-finite inputs.
        var inPlace = (T[])x.Clone();
        Extras.Sigmoid<T>(inPlace, inPlace);
        Assert.Equal(y, inPlace);
        T max = typeof(T) == typeof(float) ? T.CreateTruncating(float.MaxValue) : T.CreateTruncating(double.MaxValue);
        T[] special = [T.PositiveInfinity, T.NegativeInfinity, T.NaN, max, -max];
        var result = new T[special.Length];
        Extras.Sigmoid<T>(special, result);
        Assert.Equal(T.One, result[0]);
        Assert.Equal(T.Zero, result[1]);
        Assert.True(T.IsNaN(result[2]));
        Assert.Equal(T.One, result[3]);
        Assert.Equal(T.Zero, result[4]);
    }

    [Fact]
    public void BinaryCrossEntropy_IsWithinBoundsOfTheReference()
    {
        var random = new Random(5);
        double[] p = [0, 1, 1e-300, 1e-45, 1e-30, 1e-10, 0.5, 1 - 1e-7, 1 - 1e-12, .. Enumerable.Range(0, 500).Select(_ => random.NextDouble())];
        double[] t = p.Select((_, i) => i % 3 == 2 ? random.NextDouble() : i % 2).ToArray();
        CheckBinary(p.Select(v => (float)v).ToArray(), t.Select(v => (float)v).ToArray(), (a, b) => ExtrasReference.BinaryCrossEntropy(a, b),
            (a, b, r) => SoftmaxPrimitives.BinaryCrossEntropy(a, b, r));
        CheckBinary(p, t, (a, b) => ExtrasReference.BinaryCrossEntropy(a, b), (a, b, r) => SoftmaxPrimitives.BinaryCrossEntropy(a, b, r));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.5)]
    [InlineData(0.25)]
    [InlineData(0.0)]
    public void BinaryCrossEntropyWithLogits_IsWithinBoundsOfTheReference(double weight)
    {
        var random = new Random(6);
        double[] x = [0, 1e-8, -1e-8, 20, -20, 40, -40, 100, -100, 1e4, -1e4, 1e30, -1e30, .. Enumerable.Range(0, 500).Select(_ => LogitGenerator.Normal(random) * 8)];
        double[] t = x.Select((_, i) => i % 3 == 2 ? random.NextDouble() : i % 2).ToArray();
        CheckBinary(x.Select(v => (float)v).ToArray(), t.Select(v => (float)v).ToArray(), (a, b) => ExtrasReference.BinaryCrossEntropyWithLogits(a, b, (float)weight),
            (a, b, r) => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(a, b, r, (float)weight));
        CheckBinary(x, t, (a, b) => ExtrasReference.BinaryCrossEntropyWithLogits(a, b, weight),
            (a, b, r) => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(a, b, r, weight));
    }

    private delegate T BinaryLoss<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, LossReduction reduction);

    private static void CheckBinary<T>(T[] input, T[] targets, Func<double, double, DoubleDouble> reference, BinaryLoss<T> loss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double tolerance = typeof(T) == typeof(float) ? 1e-6 : 1e-13;
        double sum = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double r = reference(double.CreateTruncating(input[i]), double.CreateTruncating(targets[i])).ToDouble();
            double ours = double.CreateTruncating(loss(input.AsSpan(i, 1), targets.AsSpan(i, 1), LossReduction.Sum));
            Assert.True(Math.Abs(ours - r) <= tolerance * Math.Max(Math.Abs(r), 1),
                $"{typeof(T).Name} element {i} (input {input[i]}, target {targets[i]}): {ours}, reference {r}");
            sum += double.CreateTruncating(T.CreateTruncating(r));
        }

        double total = double.CreateTruncating(loss(input, targets, LossReduction.Sum));
        double mean = double.CreateTruncating(loss(input, targets, LossReduction.Mean));
        Assert.True(Math.Abs(total - sum) <= tolerance * Math.Max(Math.Abs(sum), 1), $"sum {total}, reference {sum}");
        Assert.True(Math.Abs(mean - (sum / input.Length)) <= tolerance * Math.Max(Math.Abs(sum / input.Length), 1), $"mean {mean}, reference {sum / input.Length}");
        Assert.Equal(mean, double.CreateTruncating(loss(input, targets, default)));

        // No elements: the mean is NaN and the sum 0, as in PyTorch.
        Assert.True(T.IsNaN(loss([], [], LossReduction.Mean)));
        Assert.Equal(T.Zero, loss([], [], LossReduction.Sum));
    }

    [Fact]
    public void BinaryCrossEntropy_ClampsTheLogAtMinus100AsPyTorch()
    {
        // BCELoss(p=0, t=1) and (p=1, t=0) are 100, not infinity; p=0, t=0 is exactly 0.
        Assert.Equal(100f, SoftmaxPrimitives.BinaryCrossEntropy([0f], [1f]));
        Assert.Equal(100.0, SoftmaxPrimitives.BinaryCrossEntropy([1.0], [0.0]));
        Assert.Equal(0.0, SoftmaxPrimitives.BinaryCrossEntropy([0.0, 1.0], [0.0, 1.0]));
        // Half of each: 50 + ln 2 / 2.
        Assert.Equal(50 + (Math.Log(2) / 2), SoftmaxPrimitives.BinaryCrossEntropy([0.0, 0.5], [1.0, 1.0]), 1e-14);
    }

    public static TheoryData<string, int, int> TopKShapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string implementation in ExtrasImplementation.Names)
        {
            foreach (int classes in new[] { 1, 2, 3, 10, 17, 100, 1000 })
            {
                if (!ExtrasImplementation.Exists(implementation, classes))
                    continue;
                foreach (int k in new[] { 1, 2, 3, 5, 17, 100, 1000 }.Where(k => k <= classes).Append(classes).Distinct())
                {
                    data.Add(implementation, classes, k);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TopKShapes))]
    public void TopK_IsTheSortedSoftmax(string implementation, int classes, int k)
    {
        CheckTopK<float>(implementation, classes, k);
        CheckTopK<double>(implementation, classes, k);
    }

    private static void CheckTopK<T>(string implementation, int classes, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Rows = 9;
        var random = new Random(LogitGenerator.Seed(classes, k));
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, classes);
        foreach (string distribution in new[] { "normal5", "wide", "ties" })
        {
            T[] logits = LogitGenerator.Create<T>(distribution, Rows * classes, random);
            ReferenceResult reference = Reference.Compute<T>(logits, [], classes);
            var softmax = new T[logits.Length];
            ExtrasImplementation.Get(impl.Precision == SoftmaxPrecision.Fast ? "fallback-fast" : "fallback", classes).Softmax<T>()(logits, softmax, 1);

            var indices = new int[(Rows * k) + 2];
            var probabilities = new T[(Rows * k) + 2];
            indices.AsSpan().Fill(-7);
            probabilities.AsSpan().Fill(T.CreateTruncating(4242.5));
            impl.TopK<T>()(logits, k, indices, probabilities);
            Assert.Equal([-7, -7], indices[^2..]);
            Assert.Equal([T.CreateTruncating(4242.5), T.CreateTruncating(4242.5)], probabilities[^2..]);

            for (int r = 0; r < Rows; r++)
            {
                int[] expected = ExtrasReference.TopKIndices<T>(logits.AsSpan(r * classes, classes), k);
                Assert.Equal(expected, indices.AsSpan(r * k, k).ToArray());
                for (int j = 0; j < k; j++)
                {
                    int at = (r * classes) + expected[j];
                    T ours = probabilities[(r * k) + j];
                    T exact = T.CreateTruncating(reference.Softmax[at].ToDouble());
                    double exactValue = reference.Softmax[at].ToDouble();
                    double threshold = FastBounds.SoftmaxThreshold<T>(impl.Precision);
                    double distance = impl.Precision == SoftmaxPrecision.Fast
                        ? FastBounds.Distance(double.CreateTruncating(logits[at]), FastBounds.RowMax<T>(logits.AsSpan(r * classes, classes)))
                        : 0;
                    bool ok = exactValue >= threshold
                        ? Ulp.Distance(ours, exact) <= SoftmaxUlp + FastBounds.SoftmaxAllowanceUlp(ours, exactValue, distance)
                        : double.Abs(double.CreateTruncating(ours) - exactValue) <= (SoftmaxUlp * Ulp.Of<T>(threshold)) + FastBounds.SoftmaxAllowanceAbsolute<T>(exactValue, distance)
                            || (impl.Precision == SoftmaxPrecision.Fast && FastBounds.MayFlush(ours, exactValue));
                    Assert.True(ok, $"{impl} {typeof(T).Name} {distribution} row {r} #{j}: {ours}, reference {exact}");
                    // The value softmax writes, to a few roundings (the block and tiled softmax layouts scale by a float
                    // reciprocal, top-k divides by the double sum; both are within the bound checked above).
                    Assert.True(Ulp.Distance(ours, softmax[at]) <= 4, $"{impl} {typeof(T).Name} row {r} #{j}: {ours}, softmax {softmax[at]}");
                }
            }
        }
    }

    [Fact]
    public void TopK_BreaksTiesByLowerIndexAndRanksNaNFirst()
    {
        int[] indices = new int[4];
        float[] probabilities = new float[4];
        SoftmaxPrimitives.TopK([1f, 3f, 3f, 0f, 3f, 2f], 4, indices, probabilities, classes: 6);
        Assert.Equal([1, 2, 4, 5], indices);
        float e2 = (float)(Math.Exp(3) / (Math.Exp(1) + (3 * Math.Exp(3)) + 1 + Math.Exp(2)));
        Assert.Equal(e2, probabilities[0], 6);
        Assert.Equal(probabilities[0], probabilities[2]);

        // torch.topk([1, nan, 3, nan, 3, 2], 4) gives indices [1, 3, 2, 4]; softmax of a row with NaN is NaN.
        SoftmaxPrimitives.TopK([1.0, double.NaN, 3, double.NaN, 3, 2], 4, indices, new double[4], classes: 6);
        Assert.Equal([1, 3, 2, 4], indices);
        double[] p = new double[4];
        SoftmaxPrimitives.TopK([1.0, double.NaN, 3, double.NaN, 3, 2], 4, indices, p, classes: 6);
        Assert.All(p, v => Assert.True(double.IsNaN(v)));

        // Logits that differ but whose probabilities underflow to 0 keep the order of the logits.
        SoftmaxPrimitives.TopK([0f, -200f, -300f, -250f], 4, indices, probabilities, classes: 4);
        Assert.Equal([0, 1, 3, 2], indices);
        Assert.Equal([1f, 0f, 0f, 0f], probabilities);
    }

    private static T[] ToT<T>(DoubleDouble[] values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        values.Select(v => T.CreateTruncating(v.ToDouble())).ToArray();
}
