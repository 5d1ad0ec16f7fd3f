using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Checks the K-dimensional cross-entropy and NLL (logits <c>[N, C, d1..dk]</c>, targets <c>[N, d1..dk]</c>) against
/// PyTorch 1.13, stored in <c>Golden/pytorch_kdim_losses.json</c> by <c>tests/golden/make_kdim_loss_golden.py</c>: shapes
/// [5, 3], [2, 3, 4] and [2, 5, 3, 2]; class targets with every option, probability targets, NLL; reduction none, mean
/// and sum and autograd's gradient for mean and sum; float32, float64 and fp16 inputs (the Half overloads, against
/// PyTorch's float32 computation on the same values); int and long targets. Exact uses
/// <see cref="LossGoldenTests"/>' tolerances; Fast's losses are held to <see cref="SoftmaxPrecision.Fast"/>'s bound (1e-6
/// of max(loss, 1)) and its gradients to the same scale.
/// </summary>
public sealed class KDimLossGoldenTests
{
    private const double FastTolerance = 1e-6;

    private static readonly Lazy<JsonElement[]> Golden = new(Load);

    public static TheoryData<string, bool, SoftmaxPrecision> Cases
    {
        get
        {
            var data = new TheoryData<string, bool, SoftmaxPrecision>();
            foreach (JsonElement golden in Golden.Value)
            {
                foreach (bool longTargets in new[] { false, true })
                {
                    foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
                    {
                        if (longTargets && golden.GetProperty("op").GetString() == "prob_cross_entropy")
                        {
                            continue;
                        }

                        data.Add(golden.GetProperty("name").GetString()!, longTargets, precision);
                    }
                }
            }

            return data;
        }
    }

    [Fact]
    public void GoldenFile_CoversEveryShapeAndOption()
    {
        var names = Golden.Value.Select(c => c.GetProperty("name").GetString()!).ToHashSet();
        var missing = new List<string>();
        foreach (string dtype in new[] { "float32", "float64", "float16" })
        {
            foreach (string shape in new[] { "5x3", "2x3x4", "2x5x3x2" })
            {
                foreach (string op in new[] { "ce_plain", "ce_weights", "ce_ignore", "ce_ignore_in_range", "ce_smoothing0.1", "ce_all", "ce_all_ignored", "prob_smoothing0.0", "prob_smoothing0.1", "nll_plain", "nll_all" })
                {
                    string name = $"{op}_{shape}_{dtype}";
                    if (!names.Contains(name))
                    {
                        missing.Add(name);
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "missing golden cases: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string caseName, bool longTargets, SoftmaxPrecision precision)
    {
        JsonElement golden = Golden.Value.Single(c => c.GetProperty("name").GetString() == caseName);
        var differences = new LossGoldenTests.Differences();
        if (golden.GetProperty("dtype").GetString() == "float16")
        {
            // Half inputs computed in float: the float tolerances for losses; a Half gradient is also rounded once.
            CheckHalf(golden, longTargets, precision, differences, precision == SoftmaxPrecision.Fast ? FastTolerance : LossGoldenTests.SingleTolerance);
        }
        else if (golden.GetProperty("dtype").GetString() == "float32")
        {
            Check<float>(golden, longTargets, precision, differences, precision == SoftmaxPrecision.Fast ? FastTolerance : LossGoldenTests.SingleTolerance);
        }
        else
        {
            Check<double>(golden, longTargets, precision, differences, precision == SoftmaxPrecision.Fast ? FastTolerance : LossGoldenTests.DoubleTolerance);
        }

        Assert.True(differences.Failures.Count == 0, $"{caseName} (long targets: {longTargets}, {precision}): {differences.Failures.Count} mismatches:\n" + string.Join("\n", differences.Failures.Take(20)));
    }

    private static void Check<T>(JsonElement golden, bool longTargets, SoftmaxPrecision precision, LossGoldenTests.Differences d, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] shape = golden.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int classes = shape[1];
        int inner = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        int positions = shape[0] * inner;
        var api = new KDimApi<T>(classes, inner, precision);
        switch (golden.GetProperty("op").GetString())
        {
            case "cross_entropy":
            {
                T[] x = Values<T>(golden, "logits");
                int[] targets = Ints(golden, "targets");
                long[] wide = targets.Select(t => (long)t).ToArray();
                T[] w = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Values<T>(golden, "weights");
                int ignore = golden.GetProperty("ignore_index").GetInt32();
                T eps = T.CreateTruncating(golden.GetProperty("label_smoothing").GetDouble());
                var losses = new T[positions];
                if (longTargets)
                    api.CrossEntropy(x, wide, losses, w, ignore, eps);
                else
                    api.CrossEntropy(x, targets, losses, w, ignore, eps);
                d.Compare(Values<T>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    T reduced = longTargets ? api.CrossEntropy(x, wide, reduction, w, ignore, eps) : api.CrossEntropy(x, targets, reduction, w, ignore, eps);
                    d.Compare([Value<T>(golden, key)], [reduced], tolerance, key, perElementScale: true);
                    var gradient = new T[x.Length];
                    T fused = longTargets
                        ? api.CrossEntropyWithGradient(x, wide, gradient, reduction, w, ignore, eps)
                        : api.CrossEntropyWithGradient(x, targets, gradient, reduction, w, ignore, eps);
                    d.Compare([Value<T>(golden, key)], [fused], tolerance, "fused " + key, perElementScale: true);
                    d.Compare(Values<T>(golden, "grad_" + key), gradient, tolerance, "gradient " + key, perElementScale: false);
                }

                break;
            }

            case "prob_cross_entropy":
            {
                T[] x = Values<T>(golden, "logits"), p = Values<T>(golden, "target_probabilities");
                T eps = T.CreateTruncating(golden.GetProperty("label_smoothing").GetDouble());
                var losses = new T[positions];
                api.ProbabilityCrossEntropy(x, p, losses, eps);
                d.Compare(Values<T>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    d.Compare([Value<T>(golden, key)], [api.ProbabilityCrossEntropy(x, p, reduction, eps)], tolerance, key, perElementScale: true);
                    var gradient = new T[x.Length];
                    T fused = api.ProbabilityCrossEntropyWithGradient(x, p, gradient, reduction, eps);
                    d.Compare([Value<T>(golden, key)], [fused], tolerance, "fused " + key, perElementScale: true);
                    d.Compare(Values<T>(golden, "grad_" + key), gradient, tolerance, "gradient " + key, perElementScale: false);
                }

                break;
            }

            case "nll":
            {
                T[] lp = Values<T>(golden, "log_probabilities");
                int[] targets = Ints(golden, "targets");
                long[] wide = targets.Select(t => (long)t).ToArray();
                T[] w = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Values<T>(golden, "weights");
                int ignore = golden.GetProperty("ignore_index").GetInt32();
                var losses = new T[positions];
                if (longTargets)
                    api.NllLoss(lp, wide, losses, w, ignore);
                else
                    api.NllLoss(lp, targets, losses, w, ignore);
                d.Compare(Values<T>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    T reduced = longTargets ? api.NllLoss(lp, wide, reduction, w, ignore) : api.NllLoss(lp, targets, reduction, w, ignore);
                    d.Compare([Value<T>(golden, key)], [reduced], tolerance, key, perElementScale: true);
                }

                break;
            }

            default:
                throw new InvalidOperationException("unknown op " + golden.GetProperty("op").GetString());
        }
    }

    /// <summary>
    /// The Half overloads on fp16 inputs against PyTorch's float32 computation on the same values: losses within the float
    /// tolerance, the Half gradient within half a Half ULP of the largest gradient plus that tolerance.
    /// </summary>
    private static void CheckHalf(JsonElement golden, bool longTargets, SoftmaxPrecision precision, LossGoldenTests.Differences d, double tolerance)
    {
        const double HalfRounding = 1.0 / 2048;
        int[] shape = golden.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int classes = shape[1];
        int inner = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        int positions = shape[0] * inner;
        string op = golden.GetProperty("op").GetString()!;
        Half[] x = Values<Half>(golden, op == "nll" ? "log_probabilities" : "logits");
        var losses = new float[positions];
        switch (op)
        {
            case "cross_entropy":
            {
                int[] targets = Ints(golden, "targets");
                long[] wide = targets.Select(t => (long)t).ToArray();
                float[] w = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Values<float>(golden, "weights");
                int ignore = golden.GetProperty("ignore_index").GetInt32();
                float eps = (float)golden.GetProperty("label_smoothing").GetDouble();
                if (longTargets)
                    SoftmaxPrimitives.CrossEntropy(x, wide, losses, classes, inner, w, ignore, eps, precision);
                else
                    SoftmaxPrimitives.CrossEntropy(x, targets, losses, classes, inner, w, ignore, eps, precision);
                d.Compare(Values<float>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    float reduced = longTargets
                        ? SoftmaxPrimitives.CrossEntropy(x, wide, classes, inner, reduction, w, ignore, eps, precision)
                        : SoftmaxPrimitives.CrossEntropy(x, targets, classes, inner, reduction, w, ignore, eps, precision);
                    d.Compare([Value<float>(golden, key)], [reduced], tolerance, key, perElementScale: true);
                    var gradient = new Half[x.Length];
                    float fused = longTargets
                        ? SoftmaxPrimitives.CrossEntropyWithGradient(x, wide, gradient, classes, inner, reduction, w, ignore, eps, precision)
                        : SoftmaxPrimitives.CrossEntropyWithGradient(x, targets, gradient, classes, inner, reduction, w, ignore, eps, precision);
                    d.Compare([Value<float>(golden, key)], [fused], tolerance, "fused " + key, perElementScale: true);
                    d.Compare(Values<float>(golden, "grad_" + key), gradient.Select(g => (float)g).ToArray(), tolerance + HalfRounding, "gradient " + key, perElementScale: false);
                }

                break;
            }

            case "prob_cross_entropy":
            {
                Half[] p = Values<Half>(golden, "target_probabilities");
                float eps = (float)golden.GetProperty("label_smoothing").GetDouble();
                SoftmaxPrimitives.CrossEntropy(x, p, losses, classes, inner, eps, precision);
                d.Compare(Values<float>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    d.Compare([Value<float>(golden, key)], [SoftmaxPrimitives.CrossEntropy(x, p, classes, inner, reduction, eps, precision)], tolerance, key, perElementScale: true);
                    var gradient = new Half[x.Length];
                    float fused = SoftmaxPrimitives.CrossEntropyWithGradient(x, p, gradient, classes, inner, reduction, eps, precision);
                    d.Compare([Value<float>(golden, key)], [fused], tolerance, "fused " + key, perElementScale: true);
                    d.Compare(Values<float>(golden, "grad_" + key), gradient.Select(g => (float)g).ToArray(), tolerance + HalfRounding, "gradient " + key, perElementScale: false);
                }

                break;
            }

            default:
            {
                int[] targets = Ints(golden, "targets");
                long[] wide = targets.Select(t => (long)t).ToArray();
                float[] w = golden.GetProperty("weights").ValueKind == JsonValueKind.Null ? [] : Values<float>(golden, "weights");
                int ignore = golden.GetProperty("ignore_index").GetInt32();
                if (longTargets)
                    SoftmaxPrimitives.NllLoss(x, wide, losses, classes, inner, w, ignore);
                else
                    SoftmaxPrimitives.NllLoss(x, targets, losses, classes, inner, w, ignore);
                d.Compare(Values<float>(golden, "none"), losses, tolerance, "none", perElementScale: true);
                foreach ((LossReduction reduction, string key) in new[] { (LossReduction.Mean, "mean"), (LossReduction.Sum, "sum") })
                {
                    float reduced = longTargets
                        ? SoftmaxPrimitives.NllLoss(x, wide, classes, inner, reduction, w, ignore)
                        : SoftmaxPrimitives.NllLoss(x, targets, classes, inner, reduction, w, ignore);
                    d.Compare([Value<float>(golden, key)], [reduced], tolerance, key, perElementScale: true);
                }

                break;
            }
        }
    }

    internal static T Value<T>(JsonElement golden, string key)
        where T : IFloatingPointIeee754<T>
        => T.Parse(golden.GetProperty(key).GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    internal static T[] Values<T>(JsonElement golden, string key)
        where T : IFloatingPointIeee754<T>
        => golden.GetProperty(key).EnumerateArray().Select(v => T.Parse(v.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();

    private static int[] Ints(JsonElement golden, string key) => golden.GetProperty(key).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static JsonElement[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_kdim_losses.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }
}

/// <summary>
/// The K-dimensional members of <see cref="SoftmaxPrimitives"/> for one element type, shape and precision, so tests are
/// written once; with <c>rowForm</c> the row-major members (no <c>innerSize</c>) on <c>[rows, classes]</c> data instead.
/// </summary>
internal sealed class KDimApi<T>(int classes, int inner, SoftmaxPrecision precision, bool rowForm = false)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T CrossEntropy(T[] x, int[] t, LossReduction r, T[] w, int ignore, T eps) =>
        typeof(T) == typeof(float)
            ? (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropy(F(x), t, classes, r, F(w), ignore, (float)(object)eps, precision) : SoftmaxPrimitives.CrossEntropy(F(x), t, classes, inner, r, F(w), ignore, (float)(object)eps, precision))
            : (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropy(D(x), t, classes, r, D(w), ignore, (double)(object)eps, precision) : SoftmaxPrimitives.CrossEntropy(D(x), t, classes, inner, r, D(w), ignore, (double)(object)eps, precision));

    public void CrossEntropy(T[] x, int[] t, T[] losses, T[] w, int ignore, T eps)
    {
        if (typeof(T) == typeof(float) && rowForm)
            SoftmaxPrimitives.CrossEntropy(F(x), t, F(losses), classes, F(w), ignore, (float)(object)eps, precision);
        else if (typeof(T) == typeof(float))
            SoftmaxPrimitives.CrossEntropy(F(x), t, F(losses), classes, inner, F(w), ignore, (float)(object)eps, precision);
        else if (rowForm)
            SoftmaxPrimitives.CrossEntropy(D(x), t, D(losses), classes, D(w), ignore, (double)(object)eps, precision);
        else
            SoftmaxPrimitives.CrossEntropy(D(x), t, D(losses), classes, inner, D(w), ignore, (double)(object)eps, precision);
    }

    public T CrossEntropyWithGradient(T[] x, int[] t, T[] g, LossReduction r, T[] w, int ignore, T eps) =>
        typeof(T) == typeof(float)
            ? (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropyWithGradient(F(x), t, F(g), classes, r, F(w), ignore, (float)(object)eps, precision) : SoftmaxPrimitives.CrossEntropyWithGradient(F(x), t, F(g), classes, inner, r, F(w), ignore, (float)(object)eps, precision))
            : (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropyWithGradient(D(x), t, D(g), classes, r, D(w), ignore, (double)(object)eps, precision) : SoftmaxPrimitives.CrossEntropyWithGradient(D(x), t, D(g), classes, inner, r, D(w), ignore, (double)(object)eps, precision));

    public T CrossEntropy(T[] x, long[] t, LossReduction r, T[] w, int ignore, T eps) =>
        typeof(T) == typeof(float)
            ? (T)(object)SoftmaxPrimitives.CrossEntropy(F(x), t, classes, inner, r, F(w), ignore, (float)(object)eps, precision)
            : (T)(object)SoftmaxPrimitives.CrossEntropy(D(x), t, classes, inner, r, D(w), ignore, (double)(object)eps, precision);

    public void CrossEntropy(T[] x, long[] t, T[] losses, T[] w, int ignore, T eps)
    {
        if (typeof(T) == typeof(float))
            SoftmaxPrimitives.CrossEntropy(F(x), t, F(losses), classes, inner, F(w), ignore, (float)(object)eps, precision);
        else
            SoftmaxPrimitives.CrossEntropy(D(x), t, D(losses), classes, inner, D(w), ignore, (double)(object)eps, precision);
    }

    public T CrossEntropyWithGradient(T[] x, long[] t, T[] g, LossReduction r, T[] w, int ignore, T eps) =>
        typeof(T) == typeof(float)
            ? (T)(object)SoftmaxPrimitives.CrossEntropyWithGradient(F(x), t, F(g), classes, inner, r, F(w), ignore, (float)(object)eps, precision)
            : (T)(object)SoftmaxPrimitives.CrossEntropyWithGradient(D(x), t, D(g), classes, inner, r, D(w), ignore, (double)(object)eps, precision);

    public T ProbabilityCrossEntropy(T[] x, T[] p, LossReduction r, T eps) =>
        typeof(T) == typeof(float)
            ? (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropy(F(x), F(p), classes, r, (float)(object)eps, precision) : SoftmaxPrimitives.CrossEntropy(F(x), F(p), classes, inner, r, (float)(object)eps, precision))
            : (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropy(D(x), D(p), classes, r, (double)(object)eps, precision) : SoftmaxPrimitives.CrossEntropy(D(x), D(p), classes, inner, r, (double)(object)eps, precision));

    public void ProbabilityCrossEntropy(T[] x, T[] p, T[] losses, T eps)
    {
        if (typeof(T) == typeof(float) && rowForm)
            SoftmaxPrimitives.CrossEntropy(F(x), F(p), F(losses), classes, (float)(object)eps, precision);
        else if (typeof(T) == typeof(float))
            SoftmaxPrimitives.CrossEntropy(F(x), F(p), F(losses), classes, inner, (float)(object)eps, precision);
        else if (rowForm)
            SoftmaxPrimitives.CrossEntropy(D(x), D(p), D(losses), classes, (double)(object)eps, precision);
        else
            SoftmaxPrimitives.CrossEntropy(D(x), D(p), D(losses), classes, inner, (double)(object)eps, precision);
    }

    public T ProbabilityCrossEntropyWithGradient(T[] x, T[] p, T[] g, LossReduction r, T eps) =>
        typeof(T) == typeof(float)
            ? (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropyWithGradient(F(x), F(p), F(g), classes, r, (float)(object)eps, precision) : SoftmaxPrimitives.CrossEntropyWithGradient(F(x), F(p), F(g), classes, inner, r, (float)(object)eps, precision))
            : (T)(object)(rowForm ? SoftmaxPrimitives.CrossEntropyWithGradient(D(x), D(p), D(g), classes, r, (double)(object)eps, precision) : SoftmaxPrimitives.CrossEntropyWithGradient(D(x), D(p), D(g), classes, inner, r, (double)(object)eps, precision));

    public T NllLoss(T[] lp, int[] t, LossReduction r, T[] w, int ignore) =>
        typeof(T) == typeof(float)
            ? (T)(object)(rowForm ? SoftmaxPrimitives.NllLoss(F(lp), t, classes, r, F(w), ignore) : SoftmaxPrimitives.NllLoss(F(lp), t, classes, inner, r, F(w), ignore))
            : (T)(object)(rowForm ? SoftmaxPrimitives.NllLoss(D(lp), t, classes, r, D(w), ignore) : SoftmaxPrimitives.NllLoss(D(lp), t, classes, inner, r, D(w), ignore));

    public void NllLoss(T[] lp, int[] t, T[] losses, T[] w, int ignore)
    {
        if (typeof(T) == typeof(float))
            SoftmaxPrimitives.NllLoss(F(lp), t, F(losses), classes, inner, F(w), ignore);
        else
            SoftmaxPrimitives.NllLoss(D(lp), t, D(losses), classes, inner, D(w), ignore);
    }

    public T NllLoss(T[] lp, long[] t, LossReduction r, T[] w, int ignore) =>
        typeof(T) == typeof(float)
            ? (T)(object)SoftmaxPrimitives.NllLoss(F(lp), t, classes, inner, r, F(w), ignore)
            : (T)(object)SoftmaxPrimitives.NllLoss(D(lp), t, classes, inner, r, D(w), ignore);

    public void NllLoss(T[] lp, long[] t, T[] losses, T[] w, int ignore)
    {
        if (typeof(T) == typeof(float))
            SoftmaxPrimitives.NllLoss(F(lp), t, F(losses), classes, inner, F(w), ignore);
        else
            SoftmaxPrimitives.NllLoss(D(lp), t, D(losses), classes, inner, D(w), ignore);
    }

    private static float[] F(T[] values) => (float[])(object)values;

    private static double[] D(T[] values) => (double[])(object)values;
}
