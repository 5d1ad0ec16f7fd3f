using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The fused loss-and-gradient members and the softmax backward passes, against <see cref="LossReference"/> (PyTorch's
/// formulas in double) for the loss and against central finite differences of that reference for the gradient, for
/// every option (weights with a zero, ignored rows, smoothing 0, 0.1 and 1), both reductions, float and double, and
/// the generated, fallback and dispatch implementations.
/// </summary>
/// <remarks>
/// Tolerances: double losses within 1e-12 of max(|reference|, 1), double gradients within 1e-7 of max(max |gradient|, 1)
/// (the finite differences' own error is about 1e-10); float losses within 2e-6 and float gradients within 1e-6 of the
/// same scales (a few float ULP of 1).
/// </remarks>
public sealed class GradientTests
{
    private const int Rows = 6;

    internal sealed record Options(string Name, bool Weights, bool Ignore, double Smoothing);

    private static readonly Options[] OptionSets =
    [
        new("none", false, false, 0),
        new("weights", true, false, 0),
        new("ignore", false, true, 0),
        new("smoothing0.1", false, false, 0.1),
        new("smoothing1", false, false, 1),
        new("all", true, true, 0.1),
        new("weights+smoothing1", true, false, 1),
    ];

    private static readonly LossReduction[] Reductions = [LossReduction.Mean, LossReduction.Sum];

    public static TheoryData<string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (int classes in new[] { 1, 2, 3, 10, 17, 100 })
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
    public void ClassTargets_LossAndGradient_MatchReferenceAndFiniteDifferences(string name, int classes)
    {
        LossImplementation implementation = LossImplementation.Get(name, classes);
        var random = new Random(1000 + classes);
        foreach (Options options in OptionSets)
        {
            double[] x = Enumerable.Range(0, Rows * classes).Select(_ => 2 * LogitGenerator.Next("normal1", random)).ToArray();
            int[] targets = Enumerable.Range(0, Rows).Select(_ => random.Next(classes)).ToArray();
            targets[0] = 0;
            double[]? weights = null;
            if (options.Weights)
            {
                weights = Enumerable.Range(0, classes).Select(_ => 0.5 + (2 * random.NextDouble())).ToArray();
                if (classes >= 3)
                {
                    weights[classes - 1] = 0; // a zero weight, as PyTorch allows
                }
            }

            if (options.Ignore)
            {
                targets[1] = -100;
                targets[Rows - 1] = -100;
            }

            foreach (LossReduction reduction in Reductions)
            {
                string context = $"{implementation}, {options.Name}, {reduction}";
                (double expected, double[] expectedRows) = LossReference.CrossEntropy(x, targets, classes, reduction, weights, -100, options.Smoothing);
                double[] numeric = LossReference.FiniteDifferences(v => LossReference.CrossEntropy(v, targets, classes, reduction, weights, -100, options.Smoothing).Loss, x);

                Check<double>(implementation.Ops<double>(), x, targets, weights, options.Smoothing, reduction, expected, expectedRows, numeric, 1e-12, 1e-7, context);

                // float: the reference at the float-rounded logits.
                double[] xf = x.Select(v => (double)(float)v).ToArray();
                double[]? wf = weights?.Select(v => (double)(float)v).ToArray();
                double smoothingF = (float)options.Smoothing;
                (double expectedF, double[] expectedRowsF) = LossReference.CrossEntropy(xf, targets, classes, reduction, wf, -100, smoothingF);
                double[] numericF = LossReference.FiniteDifferences(v => LossReference.CrossEntropy(v, targets, classes, reduction, wf, -100, smoothingF).Loss, xf);
                Check<float>(implementation.Ops<float>(), xf, targets, wf, smoothingF, reduction, expectedF, expectedRowsF, numericF, 2e-6, 1e-6, context + ", float");
            }
        }
    }

    private static void Check<T>(LossOps<T> ops, double[] x, int[] targets, double[]? weights, double smoothing, LossReduction reduction, double expected, double[] expectedRows, double[] numeric, double lossTolerance, double gradientTolerance, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] logits = Cast<T>(x);
        T[] w = weights is null ? [] : Cast<T>(weights);
        T eps = T.CreateTruncating(smoothing);
        var gradient = new T[logits.Length];
        gradient.AsSpan().Fill(T.CreateTruncating(4242.5));

        double loss = double.CreateTruncating(ops.CrossEntropyWithGradient(logits, targets, gradient, reduction, w, -100, eps));
        AssertClose(expected, loss, lossTolerance * Math.Max(1, Math.Abs(expected)), $"{context}: CrossEntropyWithGradient loss");
        double gradientScale = Math.Max(1, numeric.Max(Math.Abs));
        for (int i = 0; i < numeric.Length; i++)
        {
            AssertClose(numeric[i], double.CreateTruncating(gradient[i]), gradientTolerance * gradientScale, $"{context}: gradient[{i}]");
        }

        double reduced = double.CreateTruncating(ops.CrossEntropy(logits, targets, reduction, w, -100, eps));
        AssertClose(expected, reduced, lossTolerance * Math.Max(1, Math.Abs(expected)), $"{context}: CrossEntropy");

        var losses = new T[Rows];
        ops.CrossEntropyPerRow(logits, targets, losses, w, -100, eps);
        for (int r = 0; r < Rows; r++)
        {
            AssertClose(expectedRows[r], double.CreateTruncating(losses[r]), lossTolerance * Math.Max(1, Math.Abs(expectedRows[r])), $"{context}: losses[{r}]");
        }

        // In place: the gradient overwrites the logits and is the same.
        T[] inPlace = (T[])logits.Clone();
        double inPlaceLoss = double.CreateTruncating(ops.CrossEntropyWithGradient(inPlace, targets, inPlace, reduction, w, -100, eps));
        Assert.Equal(loss, inPlaceLoss);
        Assert.Equal(gradient, inPlace);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProbabilityTargets_LossAndGradient_MatchReferenceAndFiniteDifferences(string name, int classes)
    {
        LossImplementation implementation = LossImplementation.Get(name, classes);
        var random = new Random(2000 + classes);
        foreach (double smoothing in new[] { 0, 0.1, 1 })
        {
            foreach (double mass in new[] { 1, 0.7 })
            {
                double[] x = Enumerable.Range(0, Rows * classes).Select(_ => 2 * LogitGenerator.Next("normal1", random)).ToArray();
                double[] p = new double[x.Length];
                for (int r = 0; r < Rows; r++)
                {
                    double[] raw = Enumerable.Range(0, classes).Select(_ => random.NextDouble()).ToArray();
                    double total = raw.Sum();
                    for (int j = 0; j < classes; j++)
                    {
                        p[(r * classes) + j] = mass * raw[j] / total;
                    }
                }

                foreach (LossReduction reduction in Reductions)
                {
                    string context = $"{implementation}, smoothing {smoothing}, mass {mass}, {reduction}";
                    CheckProbability<double>(implementation.Ops<double>(), x, p, classes, smoothing, reduction, 1e-12, 1e-7, context);
                    CheckProbability<float>(implementation.Ops<float>(), x.Select(v => (double)(float)v).ToArray(), p.Select(v => (double)(float)v).ToArray(), classes, (float)smoothing, reduction, 2e-6, 1e-6, context + ", float");
                }
            }
        }
    }

    private static void CheckProbability<T>(LossOps<T> ops, double[] x, double[] p, int classes, double smoothing, LossReduction reduction, double lossTolerance, double gradientTolerance, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (double expected, double[] expectedRows) = LossReference.ProbabilityCrossEntropy(x, p, classes, reduction, smoothing);
        double[] numeric = LossReference.FiniteDifferences(v => LossReference.ProbabilityCrossEntropy(v, p, classes, reduction, smoothing).Loss, x);
        T[] logits = Cast<T>(x), targets = Cast<T>(p);
        T eps = T.CreateTruncating(smoothing);
        var gradient = new T[logits.Length];

        double loss = double.CreateTruncating(ops.ProbabilityCrossEntropyWithGradient(logits, targets, gradient, reduction, eps));
        AssertClose(expected, loss, lossTolerance * Math.Max(1, Math.Abs(expected)), $"{context}: loss");
        double scale = Math.Max(1, numeric.Max(Math.Abs));
        for (int i = 0; i < numeric.Length; i++)
        {
            AssertClose(numeric[i], double.CreateTruncating(gradient[i]), gradientTolerance * scale, $"{context}: gradient[{i}]");
        }

        AssertClose(expected, double.CreateTruncating(ops.ProbabilityCrossEntropy(logits, targets, reduction, eps)), lossTolerance * Math.Max(1, Math.Abs(expected)), $"{context}: CrossEntropy");
        var losses = new T[Rows];
        ops.ProbabilityCrossEntropyPerRow(logits, targets, losses, eps);
        for (int r = 0; r < Rows; r++)
        {
            AssertClose(expectedRows[r], double.CreateTruncating(losses[r]), lossTolerance * Math.Max(1, Math.Abs(expectedRows[r])), $"{context}: losses[{r}]");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SoftmaxAndLogSoftmaxGradients_MatchFiniteDifferences(string name, int classes)
    {
        LossImplementation implementation = LossImplementation.Get(name, classes);
        var random = new Random(3000 + classes);
        double[] x = Enumerable.Range(0, Rows * classes).Select(_ => 2 * LogitGenerator.Next("normal1", random)).ToArray();
        double[] g = Enumerable.Range(0, Rows * classes).Select(_ => LogitGenerator.Next("normal1", random)).ToArray();
        double[] y = LossReference.Softmax(x, classes);
        double[] lp = LossReference.LogSoftmax(x, classes);

        // d/dx of sum_j g[j] softmax(x)[j] and of sum_j g[j] log_softmax(x)[j].
        double[] softmaxNumeric = LossReference.FiniteDifferences(v => Dot(g, LossReference.Softmax(v, classes)), x);
        double[] logSoftmaxNumeric = LossReference.FiniteDifferences(v => Dot(g, LossReference.LogSoftmax(v, classes)), x);

        foreach ((string op, double[] outputs, double[] numeric) in new[] { ("SoftmaxGradient", y, softmaxNumeric), ("LogSoftmaxGradient", lp, logSoftmaxNumeric) })
        {
            CheckBackward<double>(implementation.Ops<double>(), op, outputs, g, numeric, 1e-7, $"{implementation}, {op}");
            CheckBackward<float>(implementation.Ops<float>(), op, outputs, g, numeric, 1e-5, $"{implementation}, {op}, float");
        }
    }

    private static void CheckBackward<T>(LossOps<T> ops, string op, double[] outputs, double[] g, double[] numeric, double tolerance, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] y = Cast<T>(outputs), gradient = Cast<T>(g);
        var result = new T[y.Length];
        Backward<T> backward = op == "SoftmaxGradient" ? ops.SoftmaxGradient : ops.LogSoftmaxGradient;
        backward(y, gradient, result);
        double scale = Math.Max(1, numeric.Max(Math.Abs));
        for (int i = 0; i < numeric.Length; i++)
        {
            AssertClose(numeric[i], double.CreateTruncating(result[i]), tolerance * scale, $"{context}: inputGradient[{i}]");
        }

        // In place over the output gradient gives the same values.
        T[] inPlace = (T[])gradient.Clone();
        backward(y, inPlace, inPlace);
        Assert.Equal(result, inPlace);
    }

    public static TheoryData<int> GeneratedCounts => new(LossImplementation.GeneratedClassCounts);

    /// <summary>
    /// The loss and gradient written over the logits themselves (which the members allow) equal the out-of-place call
    /// bit for bit, with and without options, and for short rows the option-free loss is <c>CrossEntropy</c>'s exactly
    /// (they compute it with the cross-entropy kernel before the softmax overwrites the logits).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void InPlace_EqualsOutOfPlace_AndThePlainLossIsCrossEntropys(string name, int classes)
    {
        InPlace<float>(LossImplementation.Get(name, classes), classes);
        InPlace<double>(LossImplementation.Get(name, classes), classes);
    }

    private static void InPlace<T>(LossImplementation implementation, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossOps<T> ops = implementation.Ops<T>();
        var random = new Random(7000 + classes);
        const int rows = 41; // two blocks of 16 and a tail
        T[] x = LogitGenerator.Create<T>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        T[] weights = Enumerable.Range(0, classes).Select(_ => T.CreateTruncating(0.5 + random.NextDouble())).ToArray();
        foreach (LossReduction reduction in Reductions)
        {
            foreach (bool options in new[] { false, true })
            {
                T[] w = options ? weights : [];
                T smoothing = options ? T.CreateTruncating(0.1) : T.Zero;
                T[] gradient = new T[x.Length];
                T loss = ops.CrossEntropyWithGradient(x, targets, gradient, reduction, w, -100, smoothing);
                T[] buffer = (T[])x.Clone();
                T inPlaceLoss = ops.CrossEntropyWithGradient(buffer, targets, buffer, reduction, w, -100, smoothing);
                string what = $"{implementation} {typeof(T).Name} C={classes} {reduction} options={options}";
                Assert.True(loss.Equals(inPlaceLoss), $"{what}: in-place loss {inPlaceLoss} != {loss}");
                Assert.True(gradient.SequenceEqual(buffer), $"{what}: the in-place gradient differs");
                if (!options && classes < SoftmaxGen.Kernels.SoftmaxFallback.PlainGradientClassLimit)
                {
                    T crossEntropy = ops.CrossEntropy(x, targets, reduction, [], -100, T.Zero);
                    Assert.True(loss.Equals(crossEntropy), $"{what}: loss {loss} != CrossEntropy {crossEntropy}");
                }
            }
        }
    }

    /// <summary>
    /// The generated members compute every loss with options, every gradient and the Keras forms in the runtime's shared
    /// code, so they must agree with the fallback and the dispatching API bit for bit; the option-free cross-entropy runs
    /// the generated kernel, which agrees to rounding (its sums are laid out differently).
    /// </summary>
    [Theory]
    [MemberData(nameof(GeneratedCounts))]
    public void GeneratedFallbackAndDispatch_Agree(int classes)
    {
        Agree<float>(classes);
        Agree<double>(classes);
    }

    private static void Agree<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(4000 + classes);
        const int rows = 37;
        int n = rows * classes;
        T[] x = LogitGenerator.Create<T>("normal5", n, random);
        T[] p = LogitGenerator.Create<T>("normal1", n, random).Select(T.Abs).ToArray();
        T[] y = Cast<T>(LossReference.Softmax(x.Select(double.CreateTruncating).ToArray(), classes));
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        targets[3] = -100;
        T[] w = Enumerable.Range(0, classes).Select(_ => T.CreateTruncating(random.NextDouble())).ToArray();
        T s = T.CreateTruncating(0.25), e = T.CreateTruncating(1e-4);

        List<T[]> Run(LossOps<T> ops)
        {
            var results = new List<T[]>();
            T[] g1 = new T[n], g2 = new T[n], g3 = new T[n], d1 = new T[n], d2 = new T[n], l1 = new T[rows], l2 = new T[rows];
            ops.CrossEntropyPerRow(x, targets, l1, w, -100, s);
            ops.ProbabilityCrossEntropyPerRow(x, p, l2, s);
            ops.SoftmaxGradient(y, p, d1);
            ops.LogSoftmaxGradient(x.Select(v => -T.Abs(v)).ToArray(), p, d2);
            results.Add([
                ops.CrossEntropy(x, targets, LossReduction.Mean, w, -100, s),
                ops.CrossEntropyWithGradient(x, targets, g1, LossReduction.Mean, w, -100, s),
                ops.CrossEntropyWithGradient(x, targets.Select(t => t < 0 ? 0 : t).ToArray(), g2, LossReduction.Sum, [], -100, T.Zero),
                ops.ProbabilityCrossEntropy(x, p, LossReduction.Sum, s),
                ops.ProbabilityCrossEntropyWithGradient(x, p, g3, LossReduction.Mean, s),
                ops.NllLoss(x, targets, LossReduction.Mean, w, -100),
                ops.FromProbabilities(p, y, LossReduction.Mean, e),
                ops.FromProbabilitiesSparse(p, targets.Select(t => t < 0 ? 0 : t).ToArray(), LossReduction.Sum, e),
            ]);
            results.AddRange([g1, g2, g3, d1, d2, l1, l2]);
            return results;
        }

        LossImplementation[] implementations = LossImplementation.For(classes).ToArray();
        Assert.Equal("generated", implementations[0].Name);
        List<T[]> expected = Run(implementations[0].Ops<T>());
        foreach (LossImplementation other in implementations.Skip(1))
        {
            List<T[]> actual = Run(other.Ops<T>());
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.True(expected[i].SequenceEqual(actual[i]), $"C={classes} {typeof(T).Name}: result {i} of {other} differs from the generated kernel's");
            }
        }

        // The option-free cross-entropy: the generated kernel against the fallback, to rounding.
        int[] plainTargets = targets.Select(t => t < 0 ? 0 : t).ToArray();
        double generated = double.CreateTruncating(implementations[0].Ops<T>().CrossEntropy(x, plainTargets, LossReduction.Mean, [], -100, T.Zero));
        double fallback = double.CreateTruncating(implementations[1].Ops<T>().CrossEntropy(x, plainTargets, LossReduction.Mean, [], -100, T.Zero));
        AssertClose(fallback, generated, (typeof(T) == typeof(float) ? 1e-6 : 1e-14) * Math.Max(1, Math.Abs(fallback)), $"C={classes} plain cross-entropy");
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    internal static T[] Cast<T>(IEnumerable<double> values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => values.Select(T.CreateTruncating).ToArray();

    internal static void AssertClose(double expected, double actual, double tolerance, string context)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{context}: expected {expected:R}, got {actual:R}");
            return;
        }

        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{context}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E3}, tolerance {tolerance:E3})");
    }
}
