using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Extreme and non-finite logits, for every implementation, several class counts and both types. Every case is
/// checked against <see cref="Reference"/> with <see cref="Verifier"/>'s bounds, and the PyTorch semantics it is
/// about are also asserted directly: NaN or +inf anywhere, or a row of only -inf, makes the whole row NaN; a -inf
/// logit in a finite row has probability exactly 0 and log-probability -inf; cross-entropy of a -inf target logit is
/// +inf; argmax takes the first maximum, or the first NaN. Softmax and log-softmax also run in
/// <see cref="SoftmaxPrecision.Fast"/> (<see cref="Batch{T}.Run"/>), with the same semantics and
/// <see cref="FastBounds"/>' accuracy: Fast subtracts the row maximum too, so ±3e38 and spreads of 6e38 stay finite.
/// </summary>
public sealed class ExtremeValueTests
{
    public static TheoryData<int> ClassCounts
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (int classes in new[] { 1, 2, 3, 10, 17, 100, 1000 })
            {
                data.Add(classes);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void HugeMagnitudes_AreExact(int classes)
    {
        HugeMagnitudes<float>(classes, 3e38f);
        HugeMagnitudes<double>(classes, 1e300);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void RowsThatOverflowOrUnderflowANaiveExponential(int classes)
    {
        OverflowUnderflow<float>(classes, []);
        OverflowUnderflow<double>(classes, [710, 1000, -746, -1100]);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void NegativeInfinityMasks_GiveZeroProbability(int classes)
    {
        NegativeInfinityMasks<float>(classes);
        NegativeInfinityMasks<double>(classes);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void NaNAnywhere_MakesTheRowNaN(int classes)
    {
        NaNRows<float>(classes);
        NaNRows<double>(classes);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void PositiveInfinity_MakesTheRowNaN(int classes)
    {
        PositiveInfinityRows<float>(classes);
        PositiveInfinityRows<double>(classes);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void AllNegativeInfinity_IsNaN(int classes)
    {
        AllNegativeInfinity<float>(classes);
        AllNegativeInfinity<double>(classes);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void AllEqualRows_AreUniform(int classes)
    {
        AllEqual<float>(classes, [0, 1, -1, 88.75, -200, 1e30, -1e30, 3e38, -3e38, float.MaxValue, -float.MaxValue, float.Epsilon]);
        AllEqual<double>(classes, [0, 1, -1, 709.5, -800, 1e30, -1e30, 1e300, -1e300, double.MaxValue, -double.MaxValue, double.Epsilon]);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void SubnormalAndNegativeZeroInputs(int classes)
    {
        SubnormalAndSignedZero<float>(classes);
        SubnormalAndSignedZero<double>(classes);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void CrossEntropy_OfANegativeInfinityTarget_IsPositiveInfinity(int classes)
    {
        InfiniteLoss<float>(classes);
        InfiniteLoss<double>(classes);
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void Argmax_TakesTheFirstMaximumAndTheFirstNaN(int classes)
    {
        Argmax<float>(classes);
        Argmax<double>(classes);
    }

    /// <summary>
    /// Rows of one maximum M and C - 1 equal logits x whose difference x - M rounds by almost half an ULP (M a little
    /// above 0.3, x = -7.75): the C - 1 exponentials all carry the same rounding, and their sum carries it into the
    /// maximum's probability, whose own x - max is 0. <see cref="SoftmaxPrecision.Fast"/>'s documented bound covers it:
    /// relative error 4 ULP + 2^-24 (|x - max| + sum over the row of p_j |x_j - max|), the second term being the rounding
    /// the sum of exponentials carries (at most 2^-24 ln C, since sum p_j |x_j - max| is the row's entropy less ln of the sum).
    /// </summary>
    [Fact]
    public void Fast_AdversarialRows_AreWithinTheRowWeightedBound()
    {
        var failures = new Failures();
        foreach ((string where, long ulp, double ownAllowance, double rowAllowance) in AdversarialRows<float>().Concat(AdversarialRows<double>()))
        {
            if (!(ulp <= Verifier.SoftmaxMaxUlp + ownAllowance + rowAllowance))
            {
                failures.Add($"{where}: the maximum's probability is {ulp} ULP off, more than 4 + {ownAllowance + rowAllowance:0.##}");
            }
        }

        failures.AssertNone();
    }

    /// <summary>(description, ULP error of the maximum's Fast probability, its own allowance, the row-weighted allowance) per row.</summary>
    private static IEnumerable<(string Where, long Ulp, double OwnAllowance, double RowAllowance)> AdversarialRows<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The maximum a little above 0.3 whose difference with -7.75 has the largest relative rounding error.
        T x = T.CreateTruncating(-7.75), max = T.CreateTruncating(0.3), best = max;
        double worstRounding = 0;
        for (int i = 0; i < 4096; i++, max = T.BitIncrement(max))
        {
            DoubleDouble exact = DoubleDouble.TwoSum(double.CreateTruncating(x), -double.CreateTruncating(max));
            double rounding = Math.Abs(((double.CreateTruncating(x - max) - exact.Hi) - exact.Lo) / exact.Hi);
            if (rounding > worstRounding)
            {
                worstRounding = rounding;
                best = max;
            }
        }

        double u = FastBounds.UnitRoundoff<T>();
        foreach (int classes in new[] { 3000, 9400, 20000, 47968 })
        {
            var logits = new T[classes];
            logits.AsSpan().Fill(x);
            logits[0] = best;
            ReferenceResult reference = Reference.Compute<T>(logits, [0], classes);
            foreach (SoftmaxImplementation implementation in Implementations.For(classes, SoftmaxPrecision.Fast))
            {
                var probabilities = new T[classes];
                implementation.ApplySoftmax<T>(logits, probabilities);
                double exact = reference.Softmax[0].ToDouble();
                long ulp = Ulp.Distance(probabilities[0], Reference.Round<T>(reference.Softmax[0]));
                double weighted = 0;
                for (int j = 0; j < classes; j++)
                {
                    weighted += reference.Softmax[j].ToDouble() * FastBounds.Distance(double.CreateTruncating(logits[j]), double.CreateTruncating(best));
                }

                double rowAllowance = weighted * u * exact / Ulp.Of<T>(Math.Min(double.CreateTruncating(probabilities[0]), exact));
                yield return ($"{implementation} {Verifier.TypeName<T>()} [{Verifier.Format(best)}, {Verifier.Format(x)} x {classes - 1}] (x - max rounded by {worstRounding / u:0.###} u): p = {Verifier.Format(probabilities[0])}, exact {exact:R}", ulp, 0, rowAllowance);
            }
        }
    }

    // ---- Cases ------------------------------------------------------------------------------------------

    private static void HugeMagnitudes<T>(int classes, double huge)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double maxValue = typeof(T) == typeof(float) ? float.MaxValue : double.MaxValue;
        var batch = new Batch<T>(classes, seed: 1);
        foreach ((int p, int q) in PositionPairs(classes))
        {
            batch.Normal().Set(p, 1e30).Set(q, -1e30).Target(q);
            batch.Normal().Set(p, 1e30).Set(q, -1e30).Target(p);
            batch.Fill(-huge).Set(p, huge).Target(q);
            batch.Normal().Set(q, -huge).Target(p);
            batch.Normal().Set(p, huge).Set(q, -huge).Target(p);
            batch.Normal().Set(p, maxValue).Set(q, -maxValue).Target(q);
            batch.Normal().Set(p, -maxValue).Target(p);
        }

        batch.Each((j, _) => j % 2 == 0 ? huge : -huge).Target(classes - 1);
        batch.Each((j, _) => j % 3 == 0 ? 1e30 : j).Target(0);
        batch.Run("huge", (implementation, results, logits) =>
        {
            AssertAllFinite(results.Softmax.AsSpan(0, logits.Length), implementation, "softmax");
            for (int r = 0; r < batch.Rows; r++)
            {
                // The probabilities of a row still sum to 1 (within a few ULP per element).
                double sum = 0;
                for (int j = 0; j < classes; j++)
                {
                    sum += double.CreateTruncating(results.Softmax[(r * classes) + j]);
                }

                Assert.True(Math.Abs(sum - 1) <= 1e-5, $"{implementation} {Verifier.TypeName<T>()}: row {r} sums to {sum:R}");
            }
        });
    }

    private static void OverflowUnderflow<T>(int classes, double[] extraHighs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 2);
        foreach (double high in new[] { 89.0, 88.8, 100 }.Concat(extraHighs.Where(h => h > 0)))
        {
            batch.Fill(0).Set(0, high).Target(0);                 // [89, 0, ...]: e^89 overflows float
            batch.Fill(0).Set(classes - 1, high).Target(0);       // [0, ..., 89]
            batch.Fill(high).Set(0, 0).Target(0);
        }

        foreach (double low in new[] { -120.0, -104, -88 }.Concat(extraHighs.Where(h => h < 0)))
        {
            batch.Fill(low - 1).Set(0, low).Target(0);            // [-120, -121, ...]: every e^x underflows float
            batch.Fill(low - 1).Set(classes - 1, low).Target(classes - 1);
            batch.Each((j, _) => low - j).Target(classes - 1);
        }

        batch.Run("overflow/underflow", (implementation, results, logits) =>
        {
            AssertAllFinite(results.Softmax.AsSpan(0, logits.Length), implementation, "softmax");
            AssertAllFinite(results.LogSoftmax.AsSpan(0, logits.Length), implementation, "log-softmax");
        });

        // The textbook two-class cases, by their closed forms: softmax([-120, -121]) = [sigmoid(1), sigmoid(-1)].
        if (classes == 1)
        {
            return;
        }

        foreach (SoftmaxImplementation implementation in Implementations.Precisions.SelectMany(p => Implementations.For(classes, p)))
        {
            var logits = new T[classes];
            logits.AsSpan().Fill(T.CreateTruncating(-121.0));
            logits[0] = T.CreateTruncating(-120.0);
            var probabilities = new T[classes];
            implementation.ApplySoftmax<T>(logits, probabilities);
            double e = Math.E;
            T expectedFirst = T.CreateTruncating(e / (e + (classes - 1)));
            T expectedOther = T.CreateTruncating(1 / (e + (classes - 1)));
            // Fast: the first is the maximum (no allowance), the others are 1 below it (x - max = -1 exactly).
            double allowance = implementation.Precision == SoftmaxPrecision.Fast ? FastBounds.SoftmaxAllowanceUlp(probabilities[classes - 1], 1 / (e + (classes - 1)), 1) : 0;
            Assert.True(Ulp.Distance(probabilities[0], expectedFirst) <= Verifier.SoftmaxMaxUlp, $"{implementation} {Verifier.TypeName<T>()}: softmax[0] = {Verifier.Format(probabilities[0])}, expected {Verifier.Format(expectedFirst)}");
            Assert.True(Ulp.Distance(probabilities[classes - 1], expectedOther) <= Verifier.SoftmaxMaxUlp + allowance, $"{implementation} {Verifier.TypeName<T>()}: softmax[C-1] = {Verifier.Format(probabilities[classes - 1])}, expected {Verifier.Format(expectedOther)}");
        }
    }

    private static void NegativeInfinityMasks<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 3);
        double ninf = double.NegativeInfinity;
        batch.Normal().Target(0);
        if (classes > 1)
        {
            batch.Normal().Set(0, ninf).Target(classes - 1);
            batch.Normal().Set(classes - 1, ninf).Target(0);
            batch.Each((j, x) => j % 2 == 1 ? ninf : x).Target(0);
            batch.Each((j, x) => j % 2 == 0 ? ninf : x).Target(1);
            batch.Fill(ninf).Set(classes / 2, 0.5).Target(classes / 2);          // one unmasked logit: probability 1
            batch.Fill(ninf).Set(classes - 1, 1e30).Target(classes - 1);
            batch.Fill(ninf).Set(0, -1e30).Set(classes - 1, -1e30).Target(0);
            batch.Uniform(100).Set(classes / 3, ninf).Target(classes - 1);
        }

        batch.Run("-inf mask", (implementation, results, logits) =>
        {
            for (int i = 0; i < logits.Length; i++)
            {
                if (T.IsNegativeInfinity(logits[i]))
                {
                    Assert.True(results.Softmax[i] == T.Zero, $"{implementation} {Verifier.TypeName<T>()}: softmax[{i}] of a -inf logit is {Verifier.Format(results.Softmax[i])}, not 0");
                    Assert.True(T.IsNegativeInfinity(results.LogSoftmax[i]), $"{implementation} {Verifier.TypeName<T>()}: log-softmax[{i}] of a -inf logit is {Verifier.Format(results.LogSoftmax[i])}, not -inf");
                }
                else
                {
                    Assert.False(T.IsNaN(results.Softmax[i]) || T.IsNaN(results.LogSoftmax[i]), $"{implementation} {Verifier.TypeName<T>()}: NaN at {i} in a row with -inf masks");
                }
            }
        });
    }

    private static void NaNRows<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 4);
        batch.Normal().Target(0);                                              // finite neighbours must stay finite
        foreach (int p in Positions(classes))
        {
            batch.Normal().Set(p, double.NaN).Target(p);
            batch.Normal().Set(p, double.NaN).Target((p + 1) % classes);
            batch.Fill(double.NegativeInfinity).Set(p, double.NaN).Target(0);
            batch.Fill(1e30).Set(p, double.NaN).Target(0);
        }

        batch.Fill(double.NaN).Target(0);
        batch.Each((j, x) => j % 2 == 0 ? double.PositiveInfinity : double.NaN).Target(0);
        batch.Normal().Target(classes - 1);
        batch.Run("NaN", (implementation, results, logits) => AssertNaNRowsAreNaN(batch, implementation, results));
    }

    private static void PositiveInfinityRows<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 5);
        batch.Normal().Target(0);
        foreach (int p in Positions(classes))
        {
            batch.Normal().Set(p, double.PositiveInfinity).Target(p);
            batch.Normal().Set(p, double.PositiveInfinity).Target((p + 1) % classes);
            batch.Fill(double.NegativeInfinity).Set(p, double.PositiveInfinity).Target(0);
            batch.Fill(3e38).Set(p, double.PositiveInfinity).Target(0);
        }

        batch.Fill(double.PositiveInfinity).Target(0);
        batch.Each((j, _) => j % 2 == 0 ? double.PositiveInfinity : double.NegativeInfinity).Target(0);
        batch.Normal().Target(classes - 1);
        batch.Run("+inf", (implementation, results, logits) => AssertNaNRowsAreNaN(batch, implementation, results));
    }

    private static void AllNegativeInfinity<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 6);
        batch.Normal().Target(0);
        batch.Fill(double.NegativeInfinity).Target(0);
        batch.Fill(double.NegativeInfinity).Target(classes - 1);
        batch.Normal().Target(classes - 1);
        batch.Run("all -inf", (implementation, results, logits) =>
        {
            AssertNaNRowsAreNaN(batch, implementation, results);
            if (implementation.Precision == SoftmaxPrecision.Exact)
            {
                Assert.Equal(0, results.Argmax[1]);
                Assert.Equal(0, results.Argmax[2]);
            }
        });
    }

    private static void AllEqual<T>(int classes, double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 7);
        foreach (double value in values)
        {
            batch.Fill(value).Target(classes / 2);
        }

        T uniform = T.CreateTruncating(1.0 / classes);
        batch.Run("all equal", (implementation, results, logits) =>
        {
            // Every logit is the maximum: x - max = 0 is exact, so Fast has no allowance here either.
            for (int i = 0; i < logits.Length; i++)
            {
                Assert.True(
                    Ulp.Distance(results.Softmax[i], uniform) <= Verifier.SoftmaxMaxUlp,
                    $"{implementation} {Verifier.TypeName<T>()}: softmax of an all-equal row ({Verifier.Format(logits[i])}) at {i % classes} is {Verifier.Format(results.Softmax[i])}, expected 1/{classes} = {Verifier.Format(uniform)}");
            }

            if (implementation.Precision == SoftmaxPrecision.Exact)
            {
                Assert.All(results.Argmax.Take(batch.Rows), a => Assert.Equal(0, a));
            }
        });
    }

    private static void SubnormalAndSignedZero<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double epsilon = double.CreateTruncating(T.Epsilon);
        double minNormal = typeof(T) == typeof(float) ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
        var batch = new Batch<T>(classes, seed: 8);
        batch.Fill(-0.0).Target(0);
        batch.Each((j, _) => j % 2 == 0 ? -0.0 : 0.0).Target(classes - 1);
        batch.Each((j, _) => (j % 5) switch { 0 => epsilon, 1 => -epsilon, 2 => -0.0, 3 => 0.0, _ => minNormal / 3 }).Target(0);
        batch.Each((j, _) => (j % 2 == 0 ? 1 : -1) * epsilon * (j + 1)).Target(classes / 2);
        batch.Fill(epsilon).Set(classes - 1, 1).Target(0);
        batch.Fill(-0.0).Set(classes - 1, epsilon).Target(classes - 1);
        batch.Fill(minNormal).Set(0, -minNormal).Target(0);
        batch.Normal().Set(0, -0.0).Set(classes / 2, epsilon).Target(0);
        batch.Run("subnormal/-0", (implementation, results, logits) =>
        {
            AssertAllFinite(results.Softmax.AsSpan(0, logits.Length), implementation, "softmax");
            AssertAllFinite(results.LogSoftmax.AsSpan(0, logits.Length), implementation, "log-softmax");
            if (implementation.Precision == SoftmaxPrecision.Exact)
            {
                Assert.Equal(0, results.Argmax[0]);              // all -0.0
                Assert.Equal(0, results.Argmax[1]);              // -0.0 and +0.0 are equal: the first wins
            }
        });
    }

    private static void InfiniteLoss<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (classes == 1)
        {
            return; // a one-class row whose only logit is -inf is all -inf (NaN), covered above
        }

        var batch = new Batch<T>(classes, seed: 9);
        batch.Normal().Set(0, double.NegativeInfinity).Target(0);
        batch.Normal().Target(1);
        batch.Fill(double.NegativeInfinity).Set(1, 3).Target(0);
        batch.Uniform(100).Set(classes - 1, double.NegativeInfinity).Target(classes - 1);
        batch.Run("-inf target", includeFast: false, (implementation, results, logits) =>
        {
            string where = $"{implementation} {Verifier.TypeName<T>()}";
            Assert.True(T.IsPositiveInfinity(results.Losses[0]), $"{where}: loss of a -inf target is {Verifier.Format(results.Losses[0])}, not +inf");
            Assert.True(T.IsFinite(results.Losses[1]), $"{where}: loss of row 1 is {Verifier.Format(results.Losses[1])}");
            Assert.True(T.IsPositiveInfinity(results.Losses[2]), $"{where}: loss of row 2 is {Verifier.Format(results.Losses[2])}, not +inf");
            Assert.True(T.IsPositiveInfinity(results.Losses[3]), $"{where}: loss of row 3 is {Verifier.Format(results.Losses[3])}, not +inf");
            Assert.True(T.IsPositiveInfinity(results.Mean), $"{where}: mean loss is {Verifier.Format(results.Mean)}, not +inf");
            Assert.True(T.IsPositiveInfinity(results.Sum), $"{where}: summed loss is {Verifier.Format(results.Sum)}, not +inf");
        });
    }

    private static void Argmax<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = new Batch<T>(classes, seed: 10);
        var expected = new List<int>();
        void Row(Batch<T> b, int index)
        {
            b.Target(0);
            expected.Add(index);
        }

        int last = classes - 1, mid = classes / 2;
        Row(batch.Fill(1), 0);                                                         // all tied: the first
        Row(batch.Fill(1).Set(last, 3).Set(mid, 3), Math.Min(mid, last));              // two maxima: the first
        Row(batch.Fill(-1).Set(last, 2), last);
        Row(batch.Fill(0).Set(last, double.NaN), last);                                // NaN counts as the maximum
        Row(batch.Fill(0).Set(0, 5).Set(last, double.NaN), last);
        Row(batch.Fill(0).Set(mid, double.NaN).Set(last, double.NaN), mid);            // the first NaN
        Row(batch.Fill(0).Set(last, double.NaN).Set(mid, double.PositiveInfinity), last);       // NaN beats an earlier +inf
        Row(batch.Fill(double.NegativeInfinity), 0);
        Row(batch.Fill(double.NegativeInfinity).Set(last, -1e30), last);
        Row(batch.Fill(double.PositiveInfinity), 0);
        Row(batch.Fill(-3).Set(mid, double.PositiveInfinity).Set(last, double.PositiveInfinity), mid);
        Row(batch.Each((j, _) => j), last);
        Row(batch.Each((j, _) => -j), 0);
        Row(batch.Each((j, _) => j % 7), Math.Min(6, last));
        batch.Run("argmax", includeFast: false, (implementation, results, logits) =>
        {
            for (int r = 0; r < expected.Count; r++)
            {
                Assert.True(expected[r] == results.Argmax[r], $"{implementation} {Verifier.TypeName<T>()}: argmax of row {r} [{string.Join(", ", logits.Skip(r * classes).Take(Math.Min(classes, 12)).Select(v => Verifier.Format(v)))}{(classes > 12 ? ", ..." : "")}] is {results.Argmax[r]}, expected {expected[r]}");
            }
        });
    }

    // ---- Helpers ----------------------------------------------------------------------------------------

    /// <summary>The first, a middle and the last column (distinct).</summary>
    private static int[] Positions(int classes) => new[] { 0, classes / 2, classes - 1 }.Distinct().ToArray();

    /// <summary>Ordered pairs of distinct positions (or (0, 0) for one class).</summary>
    private static IEnumerable<(int, int)> PositionPairs(int classes)
    {
        int[] positions = Positions(classes);
        if (positions.Length == 1)
        {
            yield return (0, 0);
            yield break;
        }

        foreach (int p in positions)
        {
            foreach (int q in positions)
            {
                if (p != q)
                {
                    yield return (p, q);
                }
            }
        }
    }

    private static void AssertNaNRowsAreNaN<T>(Batch<T> batch, SoftmaxImplementation implementation, Results<T> results)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool anyNaNRow = false;
        for (int r = 0; r < batch.Rows; r++)
        {
            ReadOnlySpan<T> row = batch.Logits.AsSpan(r * batch.Classes, batch.Classes);
            bool nanRow = Reference.IsNaNRow(row);
            anyNaNRow |= nanRow;
            string where = $"{implementation} {Verifier.TypeName<T>()} row {r}";
            for (int j = 0; j < batch.Classes; j++)
            {
                T p = results.Softmax[(r * batch.Classes) + j], l = results.LogSoftmax[(r * batch.Classes) + j];
                Assert.True(nanRow == T.IsNaN(p), $"{where}: softmax[{j}] = {Verifier.Format(p)} (the row {(nanRow ? "must be" : "must not be")} NaN)");
                Assert.True(nanRow == T.IsNaN(l), $"{where}: log-softmax[{j}] = {Verifier.Format(l)} (the row {(nanRow ? "must be" : "must not be")} NaN)");
            }

            if (implementation.Precision != SoftmaxPrecision.Exact)
            {
                continue; // no losses or argmax in Fast (SoftmaxImplementation.Precision)
            }

            Assert.True(nanRow == T.IsNaN(results.Losses[r]), $"{where}: loss = {Verifier.Format(results.Losses[r])}");
            Assert.Equal(Reference.FirstMaxIndex(row), results.Argmax[r]);
        }

        if (anyNaNRow && implementation.Precision == SoftmaxPrecision.Exact)
        {
            Assert.True(T.IsNaN(results.Mean), $"{implementation}: the mean loss over a NaN row is {Verifier.Format(results.Mean)}");
            Assert.True(T.IsNaN(results.Sum), $"{implementation}: the summed loss over a NaN row is {Verifier.Format(results.Sum)}");
        }
    }

    private static void AssertAllFinite<T>(ReadOnlySpan<T> values, SoftmaxImplementation implementation, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(T.IsFinite(values[i]), $"{implementation} {Verifier.TypeName<T>()}: {what}[{i}] = {Verifier.Format(values[i])}");
        }
    }
}

/// <summary>A batch of rows built one at a time; <see cref="Run"/> checks every implementation on it.</summary>
internal sealed class Batch<T>(int classes, int seed)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<double[]> _rows = [];
    private readonly List<int> _targets = [];
    private readonly Random _random = new(seed);
    private T[]? _logits;

    public int Classes { get; } = classes;

    public int Rows => _rows.Count;

    /// <summary>The logits as <typeparamref name="T"/> (available once the batch has run).</summary>
    public T[] Logits => _logits ?? throw new InvalidOperationException("the batch has not run");

    public Batch<T> Fill(double value)
    {
        var row = new double[Classes];
        row.AsSpan().Fill(value);
        _rows.Add(row);
        return this;
    }

    public Batch<T> Normal() => Each((_, _) => LogitGenerator.Normal(_random));

    public Batch<T> Uniform(double limit) => Each((_, _) => ((_random.NextDouble() * 2) - 1) * limit);

    /// <summary>A row of f(column, a fresh N(0, 1) value).</summary>
    public Batch<T> Each(Func<int, double, double> value)
    {
        var row = new double[Classes];
        for (int j = 0; j < row.Length; j++)
        {
            row[j] = value(j, LogitGenerator.Normal(_random));
        }

        _rows.Add(row);
        return this;
    }

    /// <summary>Sets a column of the last row.</summary>
    public Batch<T> Set(int column, double value)
    {
        _rows[^1][column] = value;
        return this;
    }

    /// <summary>The target of the last row.</summary>
    public Batch<T> Target(int target)
    {
        _targets.Add(target);
        Assert.Equal(_rows.Count, _targets.Count);
        return this;
    }

    /// <summary>Checks every implementation against the reference, then runs <paramref name="extra"/> on its results.</summary>
    public void Run(string name, Action<SoftmaxImplementation, Results<T>, T[]> extra) => Run(name, includeFast: true, extra);

    /// <summary>
    /// <see cref="Run(string, Action{SoftmaxImplementation, Results{T}, T[]})"/>, with the Fast implementations (softmax and
    /// log-softmax only) unless <paramref name="includeFast"/> is false.
    /// </summary>
    public void Run(string name, bool includeFast, Action<SoftmaxImplementation, Results<T>, T[]> extra)
    {
        _logits = _rows.SelectMany(r => r).Select(v => T.CreateTruncating(v)).ToArray();
        int[] targets = [.. _targets];
        ReferenceResult reference = Reference.Compute<T>(_logits, targets, Classes);
        var failures = new Failures();
        IEnumerable<SoftmaxImplementation> implementations = includeFast
            ? Implementations.Precisions.SelectMany(p => Implementations.For(Classes, p))
            : Implementations.For(Classes);
        foreach (SoftmaxImplementation implementation in implementations)
        {
            Results<T> results = Verifier.Verify(implementation, _logits, targets, reference, name, failures, new ErrorStatistics());
            failures.AssertNone();
            extra(implementation, results, _logits);
        }
    }
}
