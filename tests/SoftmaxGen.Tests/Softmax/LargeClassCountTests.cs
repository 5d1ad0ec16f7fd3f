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

[SoftmaxKernel(1_000_000)]
internal static partial class KernelMillion;
