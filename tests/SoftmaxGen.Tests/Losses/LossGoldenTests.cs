using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Checks the loss family against PyTorch 1.13 (and Keras' formula computed with NumPy), stored in
/// <c>Golden/pytorch_losses.json</c> by <c>tests/golden/make_loss_golden.py</c>: cross-entropy with class targets and
/// every option (per row, mean, sum, and autograd's gradient for mean and sum), probability targets, NLL, Keras'
/// categorical and sparse categorical cross-entropy from probabilities, and the softmax and log-softmax backward
/// passes; class counts 1, 2, 3, 10, 17, 100; extreme logits (±1e4, -inf), all rows ignored, zero weights, smoothing 0
/// and 1; in float32 and float64. Every case runs on the generated kernel, the fallback and the dispatching API.
/// </summary>
/// <remarks>
/// NaN and infinities must match exactly. Finite values: float64 within 1e-13 of max(|PyTorch|, 1) (gradients: of
/// max(max |PyTorch gradient|, 1) over the batch); float32 within 2e-6 of the same scales (measured: at most 7.3e-16 and 2.4e-7; PyTorch's own float32
/// results are a few ULP off; the worst measured difference is printed by <see cref="MaximumDifferences_AreReported"/>).
/// </remarks>
public sealed class LossGoldenTests(ITestOutputHelper output)
{
    internal const double DoubleTolerance = 1e-13;
    internal const double SingleTolerance = 2e-6;

    private static readonly Lazy<JsonElement[]> Golden = new(Load);

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (JsonElement golden in Golden.Value)
            {
                foreach (LossImplementation implementation in LossImplementation.For(golden.GetProperty("classes").GetInt32()))
                {
                    data.Add(implementation.Name, golden.GetProperty("name").GetString()!);
                }
            }

            return data;
        }
    }

    [Fact]
    public void GoldenFile_CoversEveryOperationClassCountAndEdgeCase()
    {
        var names = Golden.Value.Select(c => c.GetProperty("name").GetString()!).ToHashSet();
        var missing = new List<string>();
        foreach (string dtype in new[] { "float32", "float64" })
        {
            foreach (int classes in new[] { 1, 2, 3, 10, 17, 100 })
            {
                foreach (string op in new[] { "ce_plain", "ce_weights", "ce_ignore", "ce_smoothing0.1", "ce_smoothing1", "ce_all", "prob_smoothing0.0", "prob_smoothing0.1", "prob_smoothing1.0", "nll_plain", "nll_all", "keras_eps1e-07", "keras_sparse_eps1e-07", "softmax_backward", "log_softmax_backward" })
                {
                    Require($"{op}_C{classes}_{dtype}");
                }
            }

            foreach (int classes in new[] { 3, 10 })
            {
                foreach (string edge in new[] { "extreme", "neginf_target", "neginf_smoothing", "all_ignored", "zero_weights", "smoothing0_weights", "smoothing1_weights", "prob_neginf", "nll_all_ignored" })
                {
                    Require($"edge_{edge}_C{classes}_{dtype}");
                }
            }
        }

        Assert.True(missing.Count == 0, "missing golden cases: " + string.Join(", ", missing));

        void Require(string name)
        {
            if (!names.Contains(name))
            {
                missing.Add(name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string implementation, string caseName)
    {
        JsonElement golden = Golden.Value.Single(c => c.GetProperty("name").GetString() == caseName);
        LossImplementation loss = LossImplementation.Get(implementation, golden.GetProperty("classes").GetInt32());
        var differences = new Differences();
        if (golden.GetProperty("dtype").GetString() == "float32")
        {
            Check<float>(loss, golden, differences, SingleTolerance);
        }
        else
        {
            Check<double>(loss, golden, differences, DoubleTolerance);
        }

        Assert.True(differences.Failures.Count == 0, $"{loss} {caseName}: {differences.Failures.Count} mismatches:\n" + string.Join("\n", differences.Failures.Take(20)));
    }

    [Fact]
    public void MaximumDifferences_AreReported()
    {
        var worst = new Dictionary<string, double>();
        foreach (JsonElement golden in Golden.Value)
        {
            foreach (LossImplementation loss in LossImplementation.For(golden.GetProperty("classes").GetInt32()))
            {
                var differences = new Differences();
                string dtype = golden.GetProperty("dtype").GetString()!;
                if (dtype == "float32")
                {
                    Check<float>(loss, golden, differences, SingleTolerance);
                }
                else
                {
                    Check<double>(loss, golden, differences, DoubleTolerance);
                }

                Assert.Empty(differences.Failures);
                string key = $"{golden.GetProperty("op").GetString()} {dtype}";
                worst[key] = Math.Max(worst.GetValueOrDefault(key), differences.Worst);
            }
        }

        foreach ((string key, double value) in worst.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}: largest scaled difference from PyTorch {value:E2}");
        }
    }

    internal static void Check<T>(LossImplementation implementation, JsonElement golden, Differences d, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossOps<T> ops = implementation.Ops<T>();
        int classes = golden.GetProperty("classes").GetInt32();
        switch (golden.GetProperty("op").GetString())
        {
            case "cross_entropy":
            {
                T[] x = Values<T>(golden, "logits");
                int[] targets = Ints(golden, "targets");
                T[] w = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Values<T>(golden, "weights");
                int ignore = golden.GetProperty("ignore_index").GetInt32();
                T eps = T.CreateTruncating(golden.GetProperty("label_smoothing").GetDouble());
                var losses = new T[targets.Length];
                ops.CrossEntropyPerRow(x, targets, losses, w, ignore, eps);
                d.Compare(Values<T>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    d.Compare([Value<T>(golden, key)], [ops.CrossEntropy(x, targets, reduction, w, ignore, eps)], tolerance, key, perElementScale: true);
                    var gradient = new T[x.Length];
                    T fused = ops.CrossEntropyWithGradient(x, targets, gradient, reduction, w, ignore, eps);
                    d.Compare([Value<T>(golden, key)], [fused], tolerance, "fused " + key, perElementScale: true);
                    d.Compare(Values<T>(golden, "grad_" + key), gradient, tolerance, "gradient " + key, perElementScale: false);
                }

                break;
            }

            case "prob_cross_entropy":
            {
                T[] x = Values<T>(golden, "logits"), p = Values<T>(golden, "target_probabilities");
                T eps = T.CreateTruncating(golden.GetProperty("label_smoothing").GetDouble());
                var losses = new T[x.Length / classes];
                ops.ProbabilityCrossEntropyPerRow(x, p, losses, eps);
                d.Compare(Values<T>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    d.Compare([Value<T>(golden, key)], [ops.ProbabilityCrossEntropy(x, p, reduction, eps)], tolerance, key, perElementScale: true);
                    var gradient = new T[x.Length];
                    T fused = ops.ProbabilityCrossEntropyWithGradient(x, p, gradient, reduction, eps);
                    d.Compare([Value<T>(golden, key)], [fused], tolerance, "fused " + key, perElementScale: true);
                    d.Compare(Values<T>(golden, "grad_" + key), gradient, tolerance, "gradient " + key, perElementScale: false);
                }

                break;
            }

            case "nll":
            {
                T[] lp = Values<T>(golden, "log_probabilities");
                int[] targets = Ints(golden, "targets");
                T[] w = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Values<T>(golden, "weights");
                int ignore = golden.GetProperty("ignore_index").GetInt32();
                d.Compare([Value<T>(golden, "mean")], [ops.NllLoss(lp, targets, LossReduction.Mean, w, ignore)], tolerance, "mean", perElementScale: true);
                d.Compare([Value<T>(golden, "sum")], [ops.NllLoss(lp, targets, LossReduction.Sum, w, ignore)], tolerance, "sum", perElementScale: true);
                break;
            }

            case "keras":
            case "keras_sparse":
            {
                T[] p = Values<T>(golden, "probabilities");
                T eps = T.CreateTruncating(golden.GetProperty("epsilon").GetDouble());
                bool sparse = golden.GetProperty("op").GetString() == "keras_sparse";
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    T actual = sparse
                        ? ops.FromProbabilitiesSparse(p, Ints(golden, "targets"), reduction, eps)
                        : ops.FromProbabilities(p, Values<T>(golden, "target_probabilities"), reduction, eps);
                    d.Compare([Value<T>(golden, key)], [actual], tolerance, key, perElementScale: true);
                }

                break;
            }

            case "softmax_backward":
            case "log_softmax_backward":
            {
                T[] y = Values<T>(golden, "outputs"), g = Values<T>(golden, "output_gradient");
                var result = new T[y.Length];
                (golden.GetProperty("op").GetString() == "softmax_backward" ? ops.SoftmaxGradient : ops.LogSoftmaxGradient)(y, g, result);
                d.Compare(Values<T>(golden, "input_gradient"), result, tolerance, "input gradient", perElementScale: false);
                break;
            }

            default:
                throw new InvalidOperationException("unknown op " + golden.GetProperty("op").GetString());
        }
    }

    /// <summary>Collects mismatches and the largest scaled difference.</summary>
    internal sealed class Differences
    {
        public List<string> Failures { get; } = [];

        public double Worst { get; private set; }

        /// <summary>Compares element-wise; the scale is max(|expected|, 1) per element, or max(max |expected|, 1) over the batch.</summary>
        public void Compare<T>(T[] expected, T[] actual, double tolerance, string what, bool perElementScale)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            double batchScale = Math.Max(1, expected.Select(v => double.CreateTruncating(v)).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
            for (int i = 0; i < expected.Length; i++)
            {
                double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
                if (!double.IsFinite(e) || !double.IsFinite(a))
                {
                    if (!e.Equals(a))
                    {
                        Failures.Add($"{what}[{i}]: PyTorch {e:R}, ours {a:R}");
                    }

                    continue;
                }

                double scaled = Math.Abs(e - a) / (perElementScale ? Math.Max(1, Math.Abs(e)) : batchScale);
                Worst = Math.Max(Worst, scaled);
                if (scaled > tolerance)
                {
                    Failures.Add($"{what}[{i}]: PyTorch {e:R}, ours {a:R}, scaled difference {scaled:E2} > {tolerance:E0}");
                }
            }
        }
    }

    private static T Value<T>(JsonElement golden, string key)
        where T : IFloatingPointIeee754<T>
        => T.Parse(golden.GetProperty(key).GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static T[] Values<T>(JsonElement golden, string key)
        where T : IFloatingPointIeee754<T>
        => golden.GetProperty(key).EnumerateArray().Select(v => T.Parse(v.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();

    private static int[] Ints(JsonElement golden, string key) => golden.GetProperty(key).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static JsonElement[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_losses.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }
}
