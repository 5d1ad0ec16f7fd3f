using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Checks the middle-axis softmax and log-softmax, the sigmoid, the binary cross-entropies and top-k against
/// PyTorch 1.13's own results in <c>Golden/pytorch_extras.json</c> (made by <c>tests/golden/make_extras_golden.py</c>;
/// the tests never run Python), for float and double.
/// </summary>
/// <remarks>
/// Tolerances are PyTorch's own error, not ours (ours is checked against float64 and double-double references in
/// <see cref="ExtrasReferenceTests"/>): softmax and sigmoid within 64 ULP of PyTorch, or an absolute 1e-37 where
/// PyTorch's value is below 1e-30; log-softmax within 64 ULP of max(|PyTorch|, 1); losses within 1e-5 (float) or 1e-12
/// (double) relative to max(|PyTorch|, 1); top-k indices exactly. NaN and infinities must match exactly. The "-fast"
/// implementations add Fast's allowance for the rounding of x - max (<see cref="FastBounds"/>).
/// </remarks>
public sealed class ExtrasGoldenTests
{
    private const long MaxUlp = 64;

    private static readonly Lazy<JsonDocument> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_extras.json"))));

    private static IEnumerable<JsonElement> Section(string name) => Golden.Value.RootElement.GetProperty(name).EnumerateArray();

    private static JsonElement Case(string section, string name) => Section(section).Single(c => c.GetProperty("name").GetString() == name);

    public static TheoryData<string, string> AxisCases()
    {
        var data = new TheoryData<string, string>();
        foreach (JsonElement c in Section("softmax_axis"))
        {
            int classes = c.GetProperty("shape")[1].GetInt32();
            foreach (string implementation in ExtrasImplementation.Names.Where(n => ExtrasImplementation.Exists(n, classes)))
            {
                data.Add(implementation, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    public static TheoryData<string, string> TopKCases()
    {
        var data = new TheoryData<string, string>();
        foreach (JsonElement c in Section("topk"))
        {
            int classes = c.GetProperty("classes").GetInt32();
            foreach (string implementation in ExtrasImplementation.Names.Where(n => ExtrasImplementation.Exists(n, classes)))
            {
                data.Add(implementation, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    public static TheoryData<string> Names(string section)
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Section(section))
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Fact]
    public void GoldenFile_CoversTheRequiredCases()
    {
        JsonElement root = Golden.Value.RootElement;
        Assert.StartsWith("1.13", root.GetProperty("torch").GetString(), StringComparison.Ordinal);
        string[] axis = Section("softmax_axis").Select(c => c.GetProperty("name").GetString()!).ToArray();
        foreach (string dtype in new[] { "float32", "float64" })
        {
            Assert.Contains($"extreme_n2_c5_4x5_{dtype}", axis);
            Assert.Contains($"n3_c10_1x1_{dtype}", axis);
            Assert.Contains($"n1_c21_7x7_{dtype}", axis);
            Assert.Contains(Section("sigmoid"), c => c.GetProperty("dtype").GetString() == dtype);
            Assert.Contains(Section("bce"), c => c.GetProperty("dtype").GetString() == dtype);
            Assert.Contains(Section("bce_logits"), c => c.GetProperty("dtype").GetString() == dtype && c.GetProperty("pos_weight").GetString() != "1.0");
            Assert.Contains(Section("topk"), c => c.GetProperty("dtype").GetString() == dtype && c.GetProperty("k").GetInt32() == c.GetProperty("classes").GetInt32());
        }
    }

    [Theory]
    [MemberData(nameof(AxisCases))]
    public void SoftmaxOverTheMiddleAxis_MatchesPyTorch(string implementation, string name)
    {
        JsonElement c = Case("softmax_axis", name);
        if (c.GetProperty("dtype").GetString() == "float32")
            CheckAxis<float>(implementation, c);
        else
            CheckAxis<double>(implementation, c);
    }

    private static void CheckAxis<T>(string implementation, JsonElement c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] shape = c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int classes = shape[1], inner = shape[2] * shape[3];
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, classes);
        T[] input = Values<T>(c.GetProperty("input"));
        T[] expectedSoftmax = Values<T>(c.GetProperty("softmax"));
        T[] expectedLog = Values<T>(c.GetProperty("log_softmax"));

        var output = new T[input.Length];
        impl.Softmax<T>()(input, output, inner);
        var failures = new List<string>();
        double[] distances = impl.Precision == SoftmaxPrecision.Fast ? ExtrasReference.AxisDistances<T>(input, classes, inner) : new double[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            if (!CloseProbability(output[i], expectedSoftmax[i], distances[i]))
            {
                failures.Add($"softmax[{i}] = {output[i]}, PyTorch {expectedSoftmax[i]}");
            }
        }

        impl.LogSoftmax<T>()(input, output, inner);
        for (int i = 0; i < input.Length; i++)
        {
            if (!CloseLog(output[i], expectedLog[i], distances[i]))
            {
                failures.Add($"log_softmax[{i}] = {output[i]}, PyTorch {expectedLog[i]}");
            }
        }

        Assert.True(failures.Count == 0, $"{impl}, {c.GetProperty("name")}: {failures.Count} mismatches:\n" + string.Join("\n", failures.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Names), "sigmoid")]
    public void Sigmoid_MatchesPyTorch(string name)
    {
        JsonElement c = Case("sigmoid", name);
        if (c.GetProperty("dtype").GetString() == "float32")
            CheckSigmoid<float>(c);
        else
            CheckSigmoid<double>(c);
    }

    private static void CheckSigmoid<T>(JsonElement c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] input = Values<T>(c.GetProperty("input"));
        T[] expected = Values<T>(c.GetProperty("output"));
        var output = new T[input.Length];
        Extras.Sigmoid<T>(input, output);
        var failures = Enumerable.Range(0, input.Length)
            .Where(i => !CloseProbability(output[i], expected[i]))
            .Select(i => $"sigmoid({input[i]}) = {output[i]}, PyTorch {expected[i]}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Names), "bce")]
    public void BinaryCrossEntropy_MatchesPyTorch(string name)
    {
        JsonElement c = Case("bce", name);
        if (c.GetProperty("dtype").GetString() == "float32")
            CheckLoss<float>(c, "probabilities", (p, t, r) => Extras.BinaryCrossEntropy(p, t, r));
        else
            CheckLoss<double>(c, "probabilities", (p, t, r) => Extras.BinaryCrossEntropy(p, t, r));
    }

    [Theory]
    [MemberData(nameof(Names), "bce_logits")]
    public void BinaryCrossEntropyWithLogits_MatchesPyTorch(string name)
    {
        JsonElement c = Case("bce_logits", name);
        if (c.GetProperty("dtype").GetString() == "float32")
        {
            float w = Value<float>(c.GetProperty("pos_weight"));
            CheckLoss<float>(c, "logits", (x, t, r) => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(x, t, r, w));
        }
        else
        {
            double w = Value<double>(c.GetProperty("pos_weight"));
            CheckLoss<double>(c, "logits", (x, t, r) => SoftmaxPrimitives.BinaryCrossEntropyWithLogits(x, t, r, w));
        }
    }

    private delegate T Loss<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, LossReduction reduction);

    private static void CheckLoss<T>(JsonElement c, string inputName, Loss<T> loss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] input = Values<T>(c.GetProperty(inputName));
        T[] targets = Values<T>(c.GetProperty("targets"));
        T[] none = Values<T>(c.GetProperty("none"));
        var failures = new List<string>();
        for (int i = 0; i < input.Length; i++)
        {
            // reduction='none' is the loss of each element alone.
            T one = loss(input.AsSpan(i, 1), targets.AsSpan(i, 1), LossReduction.Sum);
            if (!CloseLoss(one, none[i]))
            {
                failures.Add($"element {i} ({inputName} {input[i]}, target {targets[i]}): {one}, PyTorch {none[i]}");
            }
        }

        T mean = loss(input, targets, LossReduction.Mean), sum = loss(input, targets, LossReduction.Sum);
        if (!CloseLoss(mean, Value<T>(c.GetProperty("mean"))))
            failures.Add($"mean {mean}, PyTorch {Value<T>(c.GetProperty("mean"))}");
        if (!CloseLoss(sum, Value<T>(c.GetProperty("sum"))))
            failures.Add($"sum {sum}, PyTorch {Value<T>(c.GetProperty("sum"))}");
        Assert.True(failures.Count == 0, $"{c.GetProperty("name")}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(TopKCases))]
    public void TopK_MatchesPyTorch(string implementation, string name)
    {
        JsonElement c = Case("topk", name);
        if (c.GetProperty("dtype").GetString() == "float32")
            CheckTopK<float>(implementation, c);
        else
            CheckTopK<double>(implementation, c);
    }

    private static void CheckTopK<T>(string implementation, JsonElement c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = c.GetProperty("classes").GetInt32(), k = c.GetProperty("k").GetInt32();
        T[] logits = Values<T>(c.GetProperty("logits"));
        int[] expectedIndices = c.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        T[] expected = Values<T>(c.GetProperty("probabilities"));
        var indices = new int[expectedIndices.Length];
        var probabilities = new T[expected.Length];
        ExtrasImplementation impl = ExtrasImplementation.Get(implementation, classes);
        impl.TopK<T>()(logits, k, indices, probabilities);
        Assert.Equal(expectedIndices, indices);
        for (int i = 0; i < expected.Length; i++)
        {
            int row = i / k;
            double distance = impl.Precision == SoftmaxPrecision.Fast
                ? FastBounds.Distance(double.CreateTruncating(logits[(row * classes) + indices[i]]), FastBounds.RowMax<T>(logits.AsSpan(row * classes, classes)))
                : 0;
            Assert.True(CloseProbability(probabilities[i], expected[i], distance), $"{c.GetProperty("name")}: probability {i} = {probabilities[i]}, PyTorch {expected[i]}");
        }
    }

    // ---- Comparison and parsing ---------------------------------------------------------------------

    /// <summary>Within <see cref="MaxUlp"/> of PyTorch, plus Fast's allowance for |x - max| = <paramref name="distance"/> (0 for Exact).</summary>
    private static bool CloseProbability<T>(T ours, T pytorch, double distance = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(pytorch) || T.IsNaN(ours) || T.IsInfinity(pytorch))
            return T.IsNaN(pytorch) == T.IsNaN(ours) && (T.IsNaN(ours) || ours == pytorch);
        if (T.Abs(pytorch) < T.CreateTruncating(1e-30))
            return double.Abs(double.CreateTruncating(ours - pytorch)) <= 1e-37;
        return Ulp.Distance(ours, pytorch) <= MaxUlp + FastBounds.SoftmaxAllowanceUlp(ours, double.CreateTruncating(pytorch), distance);
    }

    /// <inheritdoc cref="CloseProbability{T}(T, T, double)"/>
    private static bool CloseLog<T>(T ours, T pytorch, double distance = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(pytorch) || T.IsNaN(ours) || T.IsInfinity(pytorch) || T.IsInfinity(ours))
            return T.IsNaN(pytorch) == T.IsNaN(ours) && (T.IsNaN(ours) || ours == pytorch);
        return Math.Abs(double.CreateTruncating(ours) - double.CreateTruncating(pytorch)) <= (MaxUlp * Ulp.OfAtLeastOne<T>(double.CreateTruncating(pytorch))) + (distance * FastBounds.UnitRoundoff<T>());
    }

    private static bool CloseLoss<T>(T ours, T pytorch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(pytorch) || T.IsNaN(ours) || T.IsInfinity(pytorch) || T.IsInfinity(ours))
            return T.IsNaN(pytorch) == T.IsNaN(ours) && (T.IsNaN(ours) || ours == pytorch);
        double tolerance = typeof(T) == typeof(float) ? 1e-5 : 1e-12;
        double p = double.CreateTruncating(pytorch);
        return Math.Abs(double.CreateTruncating(ours) - p) <= tolerance * Math.Max(Math.Abs(p), 1);
    }

    internal static T Value<T>(JsonElement element)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.Parse(element.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    internal static T[] Values<T>(JsonElement array)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        array.EnumerateArray().Select(Value<T>).ToArray();
}

/// <summary>Generic front doors to the runtime-only members, so tests are written once for float and double.</summary>
internal static class Extras
{
    public static void Sigmoid<T>(ReadOnlySpan<T> logits, Span<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            SoftmaxPrimitives.Sigmoid(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(probabilities));
        else
            SoftmaxPrimitives.Sigmoid(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(probabilities));
    }

    public static float BinaryCrossEntropy(ReadOnlySpan<float> p, ReadOnlySpan<float> t, LossReduction r) => SoftmaxPrimitives.BinaryCrossEntropy(p, t, r);

    public static double BinaryCrossEntropy(ReadOnlySpan<double> p, ReadOnlySpan<double> t, LossReduction r) => SoftmaxPrimitives.BinaryCrossEntropy(p, t, r);
}
