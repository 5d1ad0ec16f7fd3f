using System;
using System.Linq;

namespace SoftmaxGen.Tests;

/// <summary>
/// The loss family computed the plain way in double, straight from PyTorch's and Keras' formulas (log-softmax by
/// max-shifted log-sum-exp with <see cref="Math.Exp(double)"/>), independent of the library's kernels; and central
/// finite differences to check gradients.
/// </summary>
internal static class LossReference
{
    public static double[] LogSoftmax(double[] x, int classes)
    {
        var result = new double[x.Length];
        for (int start = 0; start < x.Length; start += classes)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < classes; j++)
            {
                max = Math.Max(max, x[start + j]);
            }

            double sum = 0;
            for (int j = 0; j < classes; j++)
            {
                sum += Math.Exp(x[start + j] - max);
            }

            double log = max + Math.Log(sum);
            for (int j = 0; j < classes; j++)
            {
                result[start + j] = x[start + j] - log;
            }
        }

        return result;
    }

    public static double[] Softmax(double[] x, int classes) => LogSoftmax(x, classes).Select(Math.Exp).ToArray();

    /// <summary>PyTorch 1.13's <c>cross_entropy</c> with class targets: <c>(1 - eps) nll + eps / C smooth</c>, each reduced by the summed weight of the counted rows for the mean.</summary>
    public static (double Loss, double[] PerRow) CrossEntropy(double[] x, int[] targets, int classes, LossReduction reduction, double[]? weights, int ignoreIndex, double smoothing)
    {
        double[] lp = LogSoftmax(x, classes);
        var perRow = new double[targets.Length];
        double nll = 0, smooth = 0, denominator = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex)
            {
                continue;
            }

            double wt = weights?[t] ?? 1;
            double rowNll = -wt * lp[(r * classes) + t];
            double rowSmooth = 0;
            if (smoothing > 0)
            {
                for (int j = 0; j < classes; j++)
                {
                    rowSmooth -= (weights?[j] ?? 1) * lp[(r * classes) + j];
                }
            }

            perRow[r] = smoothing > 0 ? ((1 - smoothing) * rowNll) + (smoothing / classes * rowSmooth) : rowNll;
            nll += rowNll;
            smooth += rowSmooth;
            denominator += wt;
        }

        double scale = reduction == LossReduction.Mean ? 1 / denominator : 1;
        double loss = smoothing > 0 ? ((1 - smoothing) * nll * scale) + (smoothing / classes * smooth * scale) : nll * scale;
        return (loss, perRow);
    }

    /// <summary>PyTorch's <c>cross_entropy</c> with probability targets: <c>-sum t' lp</c>, <c>t' = (1 - eps) t + eps / C</c>; the mean is over rows.</summary>
    public static (double Loss, double[] PerRow) ProbabilityCrossEntropy(double[] x, double[] p, int classes, LossReduction reduction, double smoothing)
    {
        double[] lp = LogSoftmax(x, classes);
        int rows = x.Length / classes;
        var perRow = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < classes; j++)
            {
                double t = ((1 - smoothing) * p[(r * classes) + j]) + (smoothing / classes);
                perRow[r] -= t * lp[(r * classes) + j];
            }
        }

        double sum = perRow.Sum();
        return (reduction == LossReduction.Mean ? sum / rows : sum, perRow);
    }

    /// <summary>PyTorch's <c>nll_loss</c>.</summary>
    public static double NllLoss(double[] lp, int[] targets, int classes, LossReduction reduction, double[]? weights, int ignoreIndex)
    {
        double sum = 0, denominator = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] != ignoreIndex)
            {
                double w = weights?[targets[r]] ?? 1;
                sum -= w * lp[(r * classes) + targets[r]];
                denominator += w;
            }
        }

        return reduction == LossReduction.Mean ? sum / denominator : sum;
    }

    /// <summary>Keras' categorical cross-entropy from probabilities: divide by the row sum, clip to [eps, 1 - eps], <c>-sum t log p</c>.</summary>
    public static double Keras(double[] p, double[] t, int classes, LossReduction reduction, double epsilon)
    {
        int rows = p.Length / classes;
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            double rowSum = 0;
            for (int j = 0; j < classes; j++)
            {
                rowSum += p[(r * classes) + j];
            }

            for (int j = 0; j < classes; j++)
            {
                sum -= t[(r * classes) + j] * Math.Log(Math.Clamp(p[(r * classes) + j] / rowSum, epsilon, 1 - epsilon));
            }
        }

        return reduction == LossReduction.Mean ? sum / rows : sum;
    }

    /// <summary>The one-hot rows of <paramref name="targets"/>.</summary>
    public static double[] OneHot(int[] targets, int classes)
    {
        var result = new double[targets.Length * classes];
        for (int r = 0; r < targets.Length; r++)
        {
            result[(r * classes) + targets[r]] = 1;
        }

        return result;
    }

    /// <summary>The gradient of <paramref name="f"/> at <paramref name="x"/> by central differences with step <c>h max(1, |x|)</c>.</summary>
    public static double[] FiniteDifferences(Func<double[], double> f, double[] x, double h = 1e-5)
    {
        var gradient = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double step = h * Math.Max(1, Math.Abs(x[i]));
            probe[i] = x[i] + step;
            double up = f(probe);
            probe[i] = x[i] - step;
            double down = f(probe);
            probe[i] = x[i];
            gradient[i] = (up - down) / (2 * step);
        }

        return gradient;
    }
}
