using System;
using System.Linq;
using System.Numerics;
using System.Text.RegularExpressions;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Bad input to the loss family gets an exception naming the parameter and the value, and nothing is written:
/// class weights of the wrong length, label smoothing outside [0, 1] or not finite, a target out of range that is not
/// the ignore index, target probabilities or output gradients of the wrong shape, a gradient that partly overlaps
/// the logits, an epsilon outside [0, 0.5]. Also the valid corner cases: an ignore index inside the class range, the
/// gradient computed in place. Every test runs on the generated kernel, the fallback and the dispatching API.
/// </summary>
public sealed class LossArgumentTests
{
    private const int Rows = 4;
    private const double Sentinel = 4242.5;

    public static TheoryData<string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (int classes in new[] { 1, 3, 17, 100 })
            {
                foreach (LossImplementation implementation in LossImplementation.For(classes))
                {
                    data.Add(implementation.Name, classes);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadOptions_Throw_AndWriteNothing(string name, int classes)
    {
        BadOptions<float>(LossImplementation.Get(name, classes));
        BadOptions<double>(LossImplementation.Get(name, classes));
    }

    private static void BadOptions<T>(LossImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossOps<T> ops = implementation.Ops<T>();
        int classes = implementation.Classes;
        T[] x = Logits<T>(Rows * classes);
        int[] targets = Enumerable.Range(0, Rows).Select(r => r % classes).ToArray();

        // Weights of the wrong length.
        foreach (int length in new[] { classes + 1, classes + 7 })
        {
            T[] w = Enumerable.Repeat(T.One, length).ToArray();
            T[] losses = Sentinels<T>(Rows), gradient = Sentinels<T>(x.Length);
            string[] numbers = [length.ToString(), classes.ToString()];
            Expect<ArgumentException>(() => ops.CrossEntropy(x, targets, LossReduction.Mean, w, -100, T.Zero), "classWeights", numbers, implementation);
            Expect<ArgumentException>(() => ops.CrossEntropyPerRow(x, targets, losses, w, -100, T.Zero), "classWeights", numbers, implementation);
            Expect<ArgumentException>(() => ops.CrossEntropyWithGradient(x, targets, gradient, LossReduction.Sum, w, -100, T.Zero), "classWeights", numbers, implementation);
            Expect<ArgumentException>(() => ops.NllLoss(x, targets, LossReduction.Mean, w, -100), "classWeights", numbers, implementation);
            AssertSentinels(losses, implementation);
            AssertSentinels(gradient, implementation);
        }

        // Label smoothing outside [0, 1], NaN or infinite.
        foreach (double bad in new[] { -0.5, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            T s = T.CreateTruncating(bad);
            T[] losses = Sentinels<T>(Rows), gradient = Sentinels<T>(x.Length);
            string[] numbers = double.IsFinite(bad) ? [bad.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
            Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropy(x, targets, LossReduction.Mean, [], -100, s), "labelSmoothing", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropyPerRow(x, targets, losses, [], -100, s), "labelSmoothing", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropyWithGradient(x, targets, gradient, LossReduction.Mean, [], -100, s), "labelSmoothing", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.ProbabilityCrossEntropy(x, x, LossReduction.Mean, s), "labelSmoothing", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.ProbabilityCrossEntropyPerRow(x, x, losses, s), "labelSmoothing", numbers, implementation);
            AssertSentinels(losses, implementation);
            AssertSentinels(gradient, implementation);
        }

        // A target out of range is reported with the row and the value, unless it is the ignore index.
        foreach ((int bad, int ignore) in new[] { (-100, 5), (classes, -100), (-1, -100), (classes + 3, classes + 4) })
        {
            int[] t = (int[])targets.Clone();
            t[Rows - 1] = bad;
            T[] losses = Sentinels<T>(Rows), gradient = Sentinels<T>(x.Length);
            string[] numbers = [(Rows - 1).ToString(), bad.ToString(), ignore.ToString()];
            Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropy(x, t, LossReduction.Mean, [], ignore, T.Zero), "targets", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropyPerRow(x, t, losses, [], ignore, T.Zero), "targets", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropyWithGradient(x, t, gradient, LossReduction.Mean, [], ignore, T.Zero), "targets", numbers, implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.NllLoss(x, t, LossReduction.Mean, [], ignore), "targets", numbers, implementation);
            AssertSentinels(losses, implementation);
            AssertSentinels(gradient, implementation);
        }

        // Keras: targets must be in range (no ignore index); epsilon in [0, 0.5].
        int[] outOfRange = (int[])targets.Clone();
        outOfRange[0] = -100;
        Expect<ArgumentOutOfRangeException>(() => ops.FromProbabilitiesSparse(x, outOfRange, LossReduction.Mean, T.CreateTruncating(1e-7)), "targets", ["0", "-100"], implementation);
        foreach (double bad in new[] { -1e-7, 0.75, double.NaN })
        {
            T e = T.CreateTruncating(bad);
            Expect<ArgumentOutOfRangeException>(() => ops.FromProbabilities(x, x, LossReduction.Mean, e), "epsilon", [], implementation);
            Expect<ArgumentOutOfRangeException>(() => ops.FromProbabilitiesSparse(x, targets, LossReduction.Mean, e), "epsilon", [], implementation);
        }

        // Undefined reductions.
        var undefined = (LossReduction)7;
        Expect<ArgumentOutOfRangeException>(() => ops.CrossEntropyWithGradient(x, targets, new T[x.Length], undefined, [], -100, T.Zero), "reduction", ["7"], implementation);
        Expect<ArgumentOutOfRangeException>(() => ops.ProbabilityCrossEntropy(x, x, undefined, T.Zero), "reduction", ["7"], implementation);
        Expect<ArgumentOutOfRangeException>(() => ops.NllLoss(x, targets, undefined, [], -100), "reduction", ["7"], implementation);
        Expect<ArgumentOutOfRangeException>(() => ops.FromProbabilities(x, x, undefined, T.CreateTruncating(1e-7)), "reduction", ["7"], implementation);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadShapes_Throw_AndWriteNothing(string name, int classes)
    {
        BadShapes<float>(LossImplementation.Get(name, classes));
        BadShapes<double>(LossImplementation.Get(name, classes));
    }

    private static void BadShapes<T>(LossImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossOps<T> ops = implementation.Ops<T>();
        int classes = implementation.Classes;
        int n = Rows * classes;
        T[] x = Logits<T>(n);
        int[] targets = Enumerable.Range(0, Rows).Select(r => r % classes).ToArray();

        // Target probabilities of another length.
        T[] shortTargets = Logits<T>(n - 1);
        T[] losses = Sentinels<T>(Rows), gradient = Sentinels<T>(n);
        string[] numbers = [(n - 1).ToString(), n.ToString()];
        Expect<ArgumentException>(() => ops.ProbabilityCrossEntropy(x, shortTargets, LossReduction.Mean, T.Zero), "targetProbabilities", numbers, implementation);
        Expect<ArgumentException>(() => ops.ProbabilityCrossEntropyPerRow(x, shortTargets, losses, T.Zero), "targetProbabilities", numbers, implementation);
        Expect<ArgumentException>(() => ops.ProbabilityCrossEntropyWithGradient(x, shortTargets, gradient, LossReduction.Mean, T.Zero), "targetProbabilities", numbers, implementation);
        Expect<ArgumentException>(() => ops.FromProbabilities(x, shortTargets, LossReduction.Mean, T.CreateTruncating(1e-7)), "targetProbabilities", numbers, implementation);
        AssertSentinels(losses, implementation);
        AssertSentinels(gradient, implementation);

        // A gradient that is too short, or partly overlaps the logits; a gradient over the target probabilities.
        T[] shortGradient = Sentinels<T>(n - 1);
        Expect<ArgumentException>(() => ops.CrossEntropyWithGradient(x, targets, shortGradient, LossReduction.Mean, [], -100, T.Zero), "logitsGradient", numbers, implementation);
        Expect<ArgumentException>(() => ops.ProbabilityCrossEntropyWithGradient(x, x, shortGradient, LossReduction.Mean, T.Zero), "logitsGradient", numbers, implementation);
        AssertSentinels(shortGradient, implementation);
        T[] buffer = Sentinels<T>(n + 1);
        T[] before = (T[])buffer.Clone();
        Expect<ArgumentException>(() => ops.CrossEntropyWithGradient(buffer.AsSpan(0, n), targets, buffer.AsSpan(1, n), LossReduction.Mean, [], -100, T.Zero), "logitsGradient", ["1"], implementation);
        Assert.Equal(before, buffer);
        T[] probabilities = Logits<T>(n);
        T[] probabilitiesBefore = (T[])probabilities.Clone();
        Expect<ArgumentException>(() => ops.ProbabilityCrossEntropyWithGradient(x, probabilities, probabilities, LossReduction.Mean, T.Zero), "logitsGradient", [], implementation);
        Assert.Equal(probabilitiesBefore, probabilities);

        // Losses overlapping the class weights.
        T[] weights = Enumerable.Repeat(T.One, Math.Max(classes, Rows)).ToArray();
        if (weights.Length == classes)
        {
            Expect<ArgumentException>(() => ops.CrossEntropyPerRow(x, targets, weights.AsSpan(0, Rows), weights, -100, T.Zero), "losses", [], implementation);
        }

        // Backward passes: output gradient of another length, input gradient too short.
        T[] y = Logits<T>(n), g = Logits<T>(n - 1), dx = Sentinels<T>(n);
        Expect<ArgumentException>(() => ops.SoftmaxGradient(y, g, dx), "outputGradient", numbers, implementation);
        Expect<ArgumentException>(() => ops.LogSoftmaxGradient(y, g, dx), "outputGradient", numbers, implementation);
        AssertSentinels(dx, implementation);
        T[] shortDx = Sentinels<T>(n - 1);
        Expect<ArgumentException>(() => ops.SoftmaxGradient(y, y, shortDx), "inputGradient", numbers, implementation);
        AssertSentinels(shortDx, implementation);

        // Logits that are not whole rows (not for one class, where every length is whole rows).
        if (classes > 1)
        {
            T[] ragged = Logits<T>(n + 1);
            Expect<ArgumentException>(() => ops.CrossEntropyWithGradient(ragged, targets, new T[n + 1], LossReduction.Mean, [], -100, T.Zero), "logits", [(n + 1).ToString(), classes.ToString()], implementation);
            Expect<ArgumentException>(() => ops.NllLoss(ragged, targets, LossReduction.Mean, [], -100), "logProbabilities", [(n + 1).ToString(), classes.ToString()], implementation);
            Expect<ArgumentException>(() => ops.SoftmaxGradient(ragged, ragged, new T[n + 1]), "probabilities", [(n + 1).ToString(), classes.ToString()], implementation);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IgnoreIndexInsideTheClassRange_IgnoresThoseRows(string name, int classes)
    {
        // PyTorch allows any ignore_index, including a class: rows of that class then count for nothing.
        LossOps<double> ops = LossImplementation.Get(name, classes).Ops<double>();
        double[] x = Logits<double>(Rows * classes);
        int[] targets = Enumerable.Range(0, Rows).Select(r => r % classes).ToArray();
        var losses = new double[Rows];
        ops.CrossEntropyPerRow(x, targets, losses, [], 0, 0);
        (double expected, double[] expectedRows) = LossReference.CrossEntropy(x, targets, classes, LossReduction.Mean, null, 0, 0);
        for (int r = 0; r < Rows; r++)
        {
            GradientTests.AssertClose(expectedRows[r], losses[r], 1e-12 * Math.Max(1, Math.Abs(expectedRows[r])), $"losses[{r}]");
            if (targets[r] == 0)
            {
                Assert.Equal(0.0, losses[r]);
            }
        }

        // With one class every row is ignored: the mean is NaN and the gradient zero, as in PyTorch.
        var gradient = new double[x.Length];
        double loss = ops.CrossEntropyWithGradient(x, targets, gradient, LossReduction.Mean, [], 0, 0);
        GradientTests.AssertClose(expected, loss, 1e-12 * Math.Max(1, Math.Abs(expected)), "mean");
        Assert.Equal(classes == 1, double.IsNaN(loss));
    }

    /// <summary>
    /// Targets are checked several at a time while all are valid: a bad target anywhere in a long batch (first, inside
    /// a vector, right after one, last), among ignored rows, is still reported with its own row and value, and the
    /// ignored rows are counted (a batch with one ignored row takes the path that handles it: its loss is 0).
    /// </summary>
    /// <summary>
    /// The runtime member that takes a kernel (what generated code passes its own to) refuses a kernel of another
    /// class count, naming the parameter and both counts, and writes nothing.
    /// </summary>
    [Fact]
    public void GradientWithAKernelOfAnotherClassCount_Throws_AndWritesNothing()
    {
        SoftmaxKernel kernel3 = SoftmaxKernelRegistry.Find(3)!;
        float[] x = Logits<float>(4 * 10);
        int[] targets = [0, 1, 2, 3];
        float[] gradient = new float[x.Length];
        Array.Fill(gradient, 7f);
        var e = Assert.Throws<ArgumentException>(() => SoftmaxFallback.CrossEntropyWithGradient(kernel3, x, targets, gradient, 10, LossReduction.Mean, [], -100, 0f));
        Assert.Equal("kernel", e.ParamName);
        Assert.Contains("kernel is for 3 classes, not classes = 10", e.Message, StringComparison.Ordinal);
        Assert.All(gradient, g => Assert.Equal(7f, g));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    public void BadTargetInALongBatch_IsReportedWithItsRow(int classes)
    {
        const int rows = 37;
        float[] x = Logits<float>(rows * classes);
        int[] targets = Enumerable.Range(0, rows).Select(r => r % classes).ToArray();
        targets[5] = -100;
        foreach (int at in new[] { 0, 7, 8, 20, 36 })
        {
            foreach (int bad in new[] { -1, classes, int.MinValue, int.MaxValue })
            {
                int[] t = (int[])targets.Clone();
                t[at] = bad;
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.CrossEntropy(x, t, classes));
                Assert.Equal("targets", e.ParamName);
                Assert.Contains($"targets[{at}] is {bad}", e.Message, StringComparison.Ordinal);
            }
        }

        // All valid, one ignored: the per-row losses match the reference, and the ignored row's is 0.
        var losses = new float[rows];
        SoftmaxPrimitives.CrossEntropy(x, targets, losses, classes);
        for (int r = 0; r < rows; r++)
        {
            double expected = 0;
            if (targets[r] != -100)
            {
                double max = x.Skip(r * classes).Take(classes).Max();
                double sum = x.Skip(r * classes).Take(classes).Sum(v => Math.Exp(v - max));
                expected = max + Math.Log(sum) - x[(r * classes) + targets[r]];
            }

            Assert.True(Math.Abs(losses[r] - expected) <= 1e-6 * Math.Max(1, expected), $"row {r}: {losses[r]}, reference {expected}");
        }
    }

    private static void Expect<TException>(Action action, string parameter, string[] numbers, LossImplementation implementation)
        where TException : ArgumentException
    {
        TException e = Assert.Throws<TException>(action);
        Assert.True(e.ParamName == parameter, $"{implementation}: ParamName is {e.ParamName ?? "null"}, expected {parameter} ({e.Message})");
        foreach (string number in numbers)
        {
            bool found = Regex.IsMatch(e.Message, $"(?<![0-9-]){Regex.Escape(number)}(?![0-9])");
            Assert.True(found, $"{implementation}: the message \"{e.Message}\" does not contain {number}");
        }
    }

    private static T[] Logits<T>(int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(count);
        return Enumerable.Range(0, count).Select(_ => T.CreateTruncating(random.NextDouble())).ToArray();
    }

    private static T[] Sentinels<T>(int count)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Enumerable.Repeat(T.CreateTruncating(Sentinel), count).ToArray();

    private static void AssertSentinels<T>(T[] values, LossImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(values[i] == T.CreateTruncating(Sentinel), $"{implementation}: a rejected call wrote {values[i]} at {i}");
        }
    }
}
