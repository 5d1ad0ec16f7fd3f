using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// <see cref="SoftmaxPrimitives.LogSumExp(ReadOnlySpan{float}, Span{float}, int, SoftmaxPrecision)"/> and the generated members against
/// PyTorch 1.13's <c>torch.logsumexp(x, dim=1)</c> (<c>Golden/pytorch_logsumexp.json</c>, made by
/// <c>tests/golden/make_logsumexp_golden.py</c>) and against an independent reference: float rows against the value
/// computed in double (within 1 ULP of max(|v|, 1)), double rows against PyTorch's float64 result (within 4 ULP of max(|v|, 1)).
/// Special values (NaN, +-inf) must match PyTorch exactly. <see cref="SoftmaxPrecision.Fast"/> runs every case too and must
/// be within 4 ULP of max(|v|, 1) of the same references (<see cref="FastBounds.LogSumExpUlp{T}"/>): its sum of exponentials
/// carries the rounding of each x - max, which moves the logarithm by at most (probability-weighted) |x - max| 2^-24.
/// </summary>
public sealed class LogSumExpTests(ITestOutputHelper output)
{
    // The float result is max + ln(sum) rounded once, with the sum of rounded exponentials: the error is absolute, a
    // fraction of an ULP of max(|v|, 1) (as log-softmax's). FastBounds.LogSumExpUlp holds the bounds of both precisions.

    private static readonly Lazy<JsonDocument> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_logsumexp.json"))));

    public static TheoryData<string, SoftmaxPrecision> CaseNames()
    {
        var data = new TheoryData<string, SoftmaxPrecision>();
        foreach (SoftmaxPrecision precision in Implementations.Precisions)
        {
            foreach (JsonElement c in Golden.Value.RootElement.GetProperty("cases").EnumerateArray())
            {
                data.Add(c.GetProperty("name").GetString()!, precision);
            }
        }

        return data;
    }

    [Fact]
    public void GoldenFile_CoversTheRequiredCases()
    {
        string[] names = Golden.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(92, names.Length);
        foreach (string type in new[] { "float32", "float64" })
        {
            foreach (int classes in new[] { 3, 10, 100 })
            {
                Assert.Contains($"special_c{classes}_{type}", names);
            }

            Assert.Contains($"n30_c1000_{type}", names);
            Assert.Contains($"n1_c1_{type}", names);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name, SoftmaxPrecision precision)
    {
        JsonElement c = Golden.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        int classes = c.GetProperty("classes").GetInt32();
        int rows = c.GetProperty("rows").GetInt32();
        double[] logits = c.GetProperty("logits").EnumerateArray().Select(e => Parse(e.GetString()!)).ToArray();
        double[] expected = c.GetProperty("logsumexp").EnumerateArray().Select(e => Parse(e.GetString()!)).ToArray();
        Assert.Equal(rows * classes, logits.Length);

        if (c.GetProperty("dtype").GetString() == "float32")
        {
            float[] x = logits.Select(v => (float)v).ToArray();
            double bound = FastBounds.LogSumExpUlp<float>(precision);
            foreach (float[] actual in RunFloat(x, classes, precision))
            {
                for (int r = 0; r < rows; r++)
                {
                    double reference = Reference(logits.AsSpan(r * classes, classes));
                    AssertMatches(name, r, expected[r], actual[r], reference, Math.Abs(actual[r] - reference) <= bound * Ulp.OfAtLeastOne<float>(reference));
                }
            }
        }
        else
        {
            double bound = FastBounds.LogSumExpUlp<double>(precision);
            foreach (double[] actual in RunDouble(logits, classes, precision))
            {
                for (int r = 0; r < rows; r++)
                {
                    bool close = Math.Abs(actual[r] - expected[r]) <= bound * Ulp.OfAtLeastOne<double>(expected[r]);
                    AssertMatches(name, r, expected[r], actual[r], expected[r], close);
                }
            }
        }
    }

    /// <summary>
    /// The largest error of each type and precision over every golden case, in ULP of max(|v|, 1) (float against the
    /// double reference, double against PyTorch's float64 result), printed (detailed logger) and held to the bounds.
    /// </summary>
    [Fact]
    public void MaximumErrors_AreMeasuredAndReported()
    {
        var worst = new SortedDictionary<string, (double Ulp, string Where)>(StringComparer.Ordinal);
        foreach (JsonElement c in Golden.Value.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            int classes = c.GetProperty("classes").GetInt32();
            double[] logits = c.GetProperty("logits").EnumerateArray().Select(e => Parse(e.GetString()!)).ToArray();
            double[] expected = c.GetProperty("logsumexp").EnumerateArray().Select(e => Parse(e.GetString()!)).ToArray();
            bool isFloat = c.GetProperty("dtype").GetString() == "float32";
            foreach (SoftmaxPrecision precision in Implementations.Precisions)
            {
                string key = $"{(isFloat ? "float" : "double")} {precision}";
                var results = new double[expected.Length];
                if (isFloat)
                {
                    var x = logits.Select(v => (float)v).ToArray();
                    var r = new float[expected.Length];
                    SoftmaxPrimitives.LogSumExp(x, r, classes, precision);
                    results = [.. r.Select(v => (double)v)];
                }
                else
                {
                    SoftmaxPrimitives.LogSumExp(logits, results, classes, precision);
                }

                for (int row = 0; row < results.Length; row++)
                {
                    double reference = isFloat ? Reference(logits.AsSpan(row * classes, classes)) : expected[row];
                    if (!double.IsFinite(reference))
                    {
                        continue;
                    }

                    double ulp = Math.Abs(results[row] - reference) / (isFloat ? Ulp.OfAtLeastOne<float>(reference) : Ulp.OfAtLeastOne<double>(reference));
                    if (!worst.TryGetValue(key, out var w) || ulp > w.Ulp)
                    {
                        worst[key] = (ulp, $"{name} row {row}: {results[row]:R}, reference {reference:R}");
                    }
                }
            }
        }

        foreach ((string key, (double ulp, string where)) in worst)
        {
            output.WriteLine($"log-sum-exp {key}: max {ulp:0.###} ULP of max(|v|, 1) ({where})");
        }

        Assert.Equal(4, worst.Count);
        Assert.InRange(worst["float Exact"].Ulp, 0, FastBounds.LogSumExpUlp<float>(SoftmaxPrecision.Exact));
        Assert.InRange(worst["float Fast"].Ulp, 0, FastBounds.LogSumExpUlp<float>(SoftmaxPrecision.Fast));
        Assert.InRange(worst["double Exact"].Ulp, 0, FastBounds.LogSumExpUlp<double>(SoftmaxPrecision.Exact));
        Assert.InRange(worst["double Fast"].Ulp, 0, FastBounds.LogSumExpUlp<double>(SoftmaxPrecision.Fast));
    }

    [Fact]
    public void SingleRow_IsTheRowForm()
    {
        float[] x = [89f, 0f, -1e30f, 3.5f];
        float[] rows = new float[1];
        SoftmaxPrimitives.LogSumExp(x, rows, x.Length);
        Assert.Equal(rows[0], SoftmaxPrimitives.LogSumExp(x));
        Assert.Equal(89.0, SoftmaxPrimitives.LogSumExp(x), 4);
        Assert.Equal(Math.Log(3) + 1e300, SoftmaxPrimitives.LogSumExp([1e300, 1e300, 1e300]));
        Assert.Equal(double.NegativeInfinity, SoftmaxPrimitives.LogSumExp([double.NegativeInfinity, double.NegativeInfinity]));
    }

    [Fact]
    public void BadArguments_ThrowAndWriteNothing()
    {
        float[] x = [1, 2, 3, 4, 5, 6];
        float[] results = [7, 7, 7];
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxPrimitives.LogSumExp(x, results, 0)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.LogSumExp(x, results, 4)).ParamName);
        Assert.Equal("results", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.LogSumExp(x, results.AsSpan(0, 1), 3)).ParamName);
        Assert.Equal("results", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.LogSumExp(x, x.AsSpan(5), 6)).ParamName);
        Assert.Equal("results", Assert.Throws<ArgumentException>(() => Kernel3.LogSumExp(x, results.AsSpan(0, 1))).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.LogSumExp(ReadOnlySpan<double>.Empty)).ParamName);
        Assert.All(results, v => Assert.Equal(7f, v));
        Assert.Equal([1f, 2, 3, 4, 5, 6], x);
    }

    private static void AssertMatches(string name, int row, double torch, double actual, double reference, bool close)
    {
        if (double.IsNaN(torch) || double.IsInfinity(torch))
        {
            Assert.True(torch.Equals(actual), $"{name}, row {row}: {actual}, PyTorch {torch}");
        }
        else
        {
            Assert.True(close, $"{name}, row {row}: {actual}, reference {reference}, PyTorch {torch}");
        }
    }

    /// <summary>max + ln(sum e^(x - max)) in double (NaN and infinities as PyTorch treats them).</summary>
    private static double Reference(ReadOnlySpan<double> row)
    {
        double max = double.NegativeInfinity;
        foreach (double v in row)
        {
            if (double.IsNaN(v))
            {
                return double.NaN;
            }

            max = Math.Max(max, v);
        }

        if (double.IsInfinity(max))
        {
            return max;
        }

        double sum = 0;
        foreach (double v in row)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>
    /// SoftmaxPrimitives' result (rows, and each row alone through the single-row overload) and, for Exact where the test
    /// project has a generated kernel for the class count, the generated member's.
    /// </summary>
    private static IEnumerable<float[]> RunFloat(float[] x, int classes, SoftmaxPrecision precision)
    {
        float[] primitives = new float[x.Length / classes];
        SoftmaxPrimitives.LogSumExp(x, primitives, classes, precision);
        yield return primitives;
        yield return [.. Enumerable.Range(0, primitives.Length).Select(r => SoftmaxPrimitives.LogSumExp(x.AsSpan(r * classes, classes), precision))];
        if (precision == SoftmaxPrecision.Exact && Generated(classes) is { } kernel)
        {
            float[] generated = new float[primitives.Length];
            kernel.Float(x, generated);
            Assert.Equal(primitives, generated);
            yield return generated;
        }
    }

    private static IEnumerable<double[]> RunDouble(double[] x, int classes, SoftmaxPrecision precision)
    {
        double[] primitives = new double[x.Length / classes];
        SoftmaxPrimitives.LogSumExp(x, primitives, classes, precision);
        yield return primitives;
        yield return [.. Enumerable.Range(0, primitives.Length).Select(r => SoftmaxPrimitives.LogSumExp(x.AsSpan(r * classes, classes), precision))];
        if (precision == SoftmaxPrecision.Exact && Generated(classes) is { } kernel)
        {
            double[] generated = new double[primitives.Length];
            kernel.Double(x, generated);
            Assert.Equal(primitives, generated);
            yield return generated;
        }
    }

    private delegate void FloatRows(ReadOnlySpan<float> logits, Span<float> results);

    private delegate void DoubleRows(ReadOnlySpan<double> logits, Span<double> results);

    private static (FloatRows Float, DoubleRows Double)? Generated(int classes) => classes switch
    {
        1 => (Kernel1.LogSumExp, Kernel1.LogSumExp),
        3 => (Kernel3.LogSumExp, Kernel3.LogSumExp),
        9 => (Kernel9.LogSumExp, Kernel9.LogSumExp),
        16 => (Kernel16.LogSumExp, Kernel16.LogSumExp),
        17 => (Kernel17.LogSumExp, Kernel17.LogSumExp),
        63 => (Kernel63.LogSumExp, Kernel63.LogSumExp),
        100 => (Kernel100.LogSumExp, Kernel100.LogSumExp),
        1000 => (Kernel1000.LogSumExp, Kernel1000.LogSumExp),
        _ => null,
    };

    private static double Parse(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
