using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Checks cross-entropy with class targets and NLL against PyTorch 1.13 for class weights that are NaN, +inf, -inf, 0 or
/// negative, on a class that no row targets and on one that some rows target, with label smoothing 0 and 0.1 and ignored
/// rows; targeted weights summing to 0, all weights negative, and +inf with -inf. Stored in
/// <c>Golden/pytorch_loss_weights.json</c> by <c>tests/golden/make_loss_weights_golden.py</c>; 3 classes in 39 rows (whole
/// lane-wise blocks and the rows after them), 17 and 100 classes (the row layout); float32 and float64. Every case runs on
/// the generated kernel, the fallback and the dispatching API, with <see cref="LossGoldenTests"/>' checks and tolerances.
/// </summary>
public sealed class LossWeightGoldenTests
{
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
    public void GoldenFile_CoversEveryWeightCase()
    {
        var names = Golden.Value.Select(c => c.GetProperty("name").GetString()!).ToHashSet();
        var missing = new List<string>();
        var weightSets = new List<string> { "zero_sum", "all_negative", "inf_and_neginf_untargeted" };
        foreach (string special in new[] { "nan", "inf", "neginf", "zero", "negative" })
        {
            weightSets.Add(special + "_untargeted");
            weightSets.Add(special + "_targeted");
        }

        foreach (string dtype in new[] { "float32", "float64" })
        {
            Require($"reproducer_nan_weight_untargeted_C3_{dtype}");
            foreach (int classes in new[] { 3, 17, 100 })
            {
                foreach (string weights in weightSets)
                {
                    Require($"ce_{weights}_smoothing0.0_C{classes}_{dtype}");
                    Require($"ce_{weights}_smoothing0.1_C{classes}_{dtype}");
                    Require($"nll_{weights}_C{classes}_{dtype}");
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
        var differences = new LossGoldenTests.Differences();
        if (golden.GetProperty("dtype").GetString() == "float32")
        {
            LossGoldenTests.Check<float>(loss, golden, differences, LossGoldenTests.SingleTolerance);
        }
        else
        {
            LossGoldenTests.Check<double>(loss, golden, differences, LossGoldenTests.DoubleTolerance);
        }

        Assert.True(differences.Failures.Count == 0, $"{loss} {caseName}: {differences.Failures.Count} mismatches:\n" + string.Join("\n", differences.Failures.Take(20)));
    }

    /// <summary>A NaN weight on a class no row targets takes no part without smoothing: PyTorch's loss and gradient, written out.</summary>
    [Fact]
    public void NanWeightOnAnUntargetedClass_LeavesTheGradientFinite()
    {
        float[] gradient = new float[6];
        float loss = SoftmaxPrimitives.CrossEntropyWithGradient([1, 2, 3, 3, 2, 1], [0, 1], gradient, 3, LossReduction.Mean, classWeights: [1, 1, float.NaN]);
        Assert.Equal(1.907606f, loss, 1e-6f);
        float[] expected = [-0.45498472f, 0.12236424f, 0.33262047f, 0.33262047f, -0.37763578f, 0.045015287f];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], gradient[i], 1e-6f);
        }
    }

    /// <summary>The cases, each with its batch's logits or log-probabilities put back in.</summary>
    private static JsonElement[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_loss_weights.json");
        JsonNode document = JsonNode.Parse(File.ReadAllText(path))!;
        JsonObject batches = document["batches"]!.AsObject();
        var cases = new List<JsonElement>();
        foreach (JsonNode? node in document["cases"]!.AsArray())
        {
            JsonObject golden = node!.AsObject();
            if (golden["batch"] is { } name)
            {
                string key = golden["op"]!.GetValue<string>() == "nll" ? "log_probabilities" : "logits";
                golden[key] = batches[name.GetValue<string>()]![key]!.DeepClone();
            }

            cases.Add(JsonSerializer.SerializeToElement(golden));
        }

        return [.. cases];
    }
}
