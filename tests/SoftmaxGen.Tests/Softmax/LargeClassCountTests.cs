using System;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The largest class count the generator accepts, 1,000,000: the generated (looped) kernel and the fallback against a
/// float64 reference on two rows, with a masked logit and a huge one.
/// </summary>
public sealed class LargeClassCountTests
{
    private const int Classes = 1_000_000;

    [Fact]
    public void MillionClasses_GeneratedAndFallbackMatchReference()
    {
        var random = new Random(7);
        float[] logits = new float[2 * Classes];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)((random.NextDouble() - 0.5) * 60);
        }

        logits[12345] = float.NegativeInfinity;
        logits[Classes + 999_999] = 1e30f; // row 1 is dominated by its last class
        int[] targets = [999_999, 999_999];

        float[] generated = new float[logits.Length];
        float[] fallback = new float[logits.Length];
        float[] generatedLog = new float[logits.Length];
        float[] fallbackLog = new float[logits.Length];
        KernelMillion.Softmax(logits, generated);
        SoftmaxFallback.Softmax(logits, fallback, Classes);
        KernelMillion.LogSoftmax(logits, generatedLog);
        SoftmaxFallback.LogSoftmax(logits, fallbackLog, Classes);
        float generatedLoss = KernelMillion.CrossEntropy(logits, targets, LossReduction.Sum);
        float fallbackLoss = SoftmaxFallback.CrossEntropy(logits, targets, Classes, LossReduction.Sum);

        double expectedLoss = 0;
        for (int row = 0; row < 2; row++)
        {
            ReadOnlySpan<float> x = logits.AsSpan(row * Classes, Classes);
            double max = double.NegativeInfinity;
            foreach (float v in x)
            {
                max = Math.Max(max, v);
            }

            double sum = 0;
            foreach (float v in x)
            {
                sum += Math.Exp(v - max);
            }

            double log = Math.Log(sum);
            expectedLoss += (max - x[targets[row]]) + log;
            for (int j = 0; j < Classes; j++)
            {
                int i = row * Classes + j;
                double p = Math.Exp(x[j] - max) / sum;
                double lp = (x[j] - max) - log;
                foreach ((string name, float actual, float actualLog) in new[] { ("generated", generated[i], generatedLog[i]), ("fallback", fallback[i], fallbackLog[i]) })
                {
                    if (p >= 1e-37) // 4 ULP is promised from 1e-30 down; it holds for every normal output here
                    {
                        Assert.True(Ulp.Distance(actual, (float)p) <= 4, $"{name} softmax row {row} class {j}: {actual}, reference {p}");
                    }
                    else
                    {
                        Assert.True(Math.Abs(actual - p) <= 1e-40, $"{name} softmax row {row} class {j}: {actual}, reference {p}");
                    }

                    bool logOk = double.IsNegativeInfinity(lp)
                        ? float.IsNegativeInfinity(actualLog)
                        : Math.Abs(actualLog - lp) <= 4 * Ulp.OfAtLeastOne<float>(lp);
                    Assert.True(logOk, $"{name} log-softmax row {row} class {j}: {actualLog}, reference {lp}");
                }
            }
        }

        Assert.True(Math.Abs(generatedLoss - expectedLoss) <= 1e-6 * Math.Max(1, expectedLoss), $"generated loss {generatedLoss}, reference {expectedLoss}");
        Assert.True(Math.Abs(fallbackLoss - expectedLoss) <= 1e-6 * Math.Max(1, expectedLoss), $"fallback loss {fallbackLoss}, reference {expectedLoss}");
    }
}

/// <summary>
/// Rows of one maximum and many equal small terms, [0.3, -16, -16, ...], with C = 197,481 and 399,999 classes (found
/// while measuring Fast, which shares the summation): every e^(x - max) is 8.3e-8, below half an ULP of the running
/// sum, so the float sum depends on its compensation term, whose own float roundings then add up in one direction.
/// The Exact bounds, against a float64 reference (the row's sum is 1 + (C - 1) e^(-16 - 0.3), exact to 1e-16).
/// </summary>
public sealed class ManyEqualTermsTests
{
    /// <summary>Why the test is skipped: the known defect it shows, open until the float compensation is renormalised.</summary>
    private const string KnownDefect =
        "Known defect: the float compensated sum of about 200,000 equal terms of 8e-8 loses 19-20 ULP (softmax) and " +
        "9-11 ULP (log-softmax, log-sum-exp), in Exact and Fast; double is within bounds. Tracked for a fix.";

    [Theory(Skip = KnownDefect)]
    [InlineData(197_481)]
    [InlineData(399_999)]
    public void Float_OneMaximumAndManyEqualSmallTerms_AreWithinTheExactBounds(int classes)
    {
        float[] logits = new float[classes];
        logits.AsSpan().Fill(-16f);
        logits[0] = 0.3f;
        double small = Math.Exp(-16.0 - (double)0.3f);
        double sum = 1 + ((classes - 1) * small);
        var probabilities = new float[classes];
        var logProbabilities = new float[classes];
        SoftmaxPrimitives.Softmax(logits, probabilities, classes);
        SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, classes);
        float logSumExp = SoftmaxPrimitives.LogSumExp(logits);

        var failures = new Failures();
        foreach ((int j, double exact) in new[] { (0, 1 / sum), (1, small / sum) })
        {
            long ulp = Ulp.Distance(probabilities[j], (float)exact);
            if (ulp > Verifier.SoftmaxMaxUlp)
            {
                failures.Add($"C={classes}: softmax[{j}] = {probabilities[j]:R}, exact {exact:R}: {ulp} ULP > 4");
            }
        }

        double logExact = -Math.Log(sum);
        double logUlp = Math.Abs(logProbabilities[0] - logExact) / Ulp.OfAtLeastOne<float>(logExact);
        if (!(logUlp <= Verifier.LogSoftmaxMaxUlp))
        {
            failures.Add($"C={classes}: log-softmax[0] = {logProbabilities[0]:R}, exact {logExact:R}: {logUlp:0.##} ULP of max(|v|, 1) > 4");
        }

        double lseExact = 0.3f + Math.Log(sum);
        double lseUlp = Math.Abs(logSumExp - lseExact) / Ulp.OfAtLeastOne<float>(lseExact);
        if (!(lseUlp <= FastBounds.LogSumExpUlp<float>(SoftmaxPrecision.Exact)))
        {
            failures.Add($"C={classes}: log-sum-exp = {logSumExp:R}, exact {lseExact:R}: {lseUlp:0.##} ULP of max(|v|, 1) > 1");
        }

        failures.AssertNone();
    }
}

[SoftmaxKernel(1_000_000)]
internal static partial class KernelMillion;
