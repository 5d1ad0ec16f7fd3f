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
/// while measuring Fast, which shares the summation): every e^(x - max) is 8.3e-8, below one ULP of the running sum, so
/// the float sum depends on its compensation term, whose own roundings add up in one direction unless the kernels fold
/// it into the sum now and then (they lost 19-20 ULP before they did). Against a float64 reference (the row's sum is
/// 1 + (C - 1) e^(-16 - 0.3), exact to 1e-16), with each precision's bounds.
/// </summary>
public sealed class ManyEqualTermsTests
{
    [Theory]
    [InlineData(197_481, SoftmaxPrecision.Exact)]
    [InlineData(399_999, SoftmaxPrecision.Exact)]
    [InlineData(197_481, SoftmaxPrecision.Fast)]
    [InlineData(399_999, SoftmaxPrecision.Fast)]
    public void Float_OneMaximumAndManyEqualSmallTerms_AreWithinTheBounds(int classes, SoftmaxPrecision precision)
    {
        float[] logits = new float[classes];
        logits.AsSpan().Fill(-16f);
        logits[0] = 0.3f;
        double small = Math.Exp(-16.0 - (double)0.3f);
        double sum = 1 + ((classes - 1) * small);
        var probabilities = new float[classes];
        var logProbabilities = new float[classes];
        SoftmaxPrimitives.Softmax(logits, probabilities, classes, precision);
        SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, classes, precision);
        float logSumExp = SoftmaxPrimitives.LogSumExp(logits, precision);

        // Fast's allowance for the rounding of x - max: |x_j - max| for the output, plus the row's p-weighted mean of it.
        bool fast = precision == SoftmaxPrecision.Fast;
        double distance = 16.0 + (double)0.3f;
        double weighted = (classes - 1) * small / sum * distance;
        var failures = new Failures();
        foreach ((int j, double exact, double d) in new[] { (0, 1 / sum, weighted), (1, small / sum, distance + weighted) })
        {
            long ulp = Ulp.Distance(probabilities[j], (float)exact);
            double bound = Verifier.SoftmaxMaxUlp + (fast ? FastBounds.SoftmaxAllowanceUlp(probabilities[j], exact, d) : 0);
            if (ulp > bound)
            {
                failures.Add($"C={classes} {precision}: softmax[{j}] = {probabilities[j]:R}, exact {exact:R}: {ulp} ULP > {bound:0.##}");
            }
        }

        double logExact = -Math.Log(sum);
        double logUlp = Math.Abs(logProbabilities[0] - logExact) / Ulp.OfAtLeastOne<float>(logExact);
        double logBound = Verifier.LogSoftmaxMaxUlp + (fast ? FastBounds.LogSoftmaxAllowanceUlp<float>(logExact, weighted) : 0);
        if (!(logUlp <= logBound))
        {
            failures.Add($"C={classes} {precision}: log-softmax[0] = {logProbabilities[0]:R}, exact {logExact:R}: {logUlp:0.##} ULP of max(|v|, 1) > {logBound:0.##}");
        }

        double lseExact = 0.3f + Math.Log(sum);
        double lseUlp = Math.Abs(logSumExp - lseExact) / Ulp.OfAtLeastOne<float>(lseExact);
        double lseBound = FastBounds.LogSumExpUlp<float>(precision) + (fast ? FastBounds.LogSoftmaxAllowanceUlp<float>(lseExact, weighted) : 0);
        if (!(lseUlp <= lseBound))
        {
            failures.Add($"C={classes} {precision}: log-sum-exp = {logSumExp:R}, exact {lseExact:R}: {lseUlp:0.##} ULP of max(|v|, 1) > {lseBound:0.##}");
        }

        failures.AssertNone();
    }
}

[SoftmaxKernel(1_000_000)]
internal static partial class KernelMillion;
