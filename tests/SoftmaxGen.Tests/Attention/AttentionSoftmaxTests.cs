using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The attention softmax (<see cref="SoftmaxPrimitives.ScaledSoftmax(ReadOnlySpan{float}, Span{float}, int, float, ReadOnlySpan{float}, MaskedRowResult, SoftmaxPrecision)"/>,
/// MaskedSoftmax, CausalSoftmax and the log-softmax forms): against a float64 softmax of <c>scale * x + bias</c>
/// rounded as the kernel and PyTorch round it (a product, then a sum, in the element type), within Exact's and Fast's
/// documented bounds, for row lengths from 1 to 4096; against PyTorch 1.13 golden data
/// (<c>Golden/pytorch_attention.json</c>, made by <c>tests/golden/make_attention_golden.py</c>); and bad input.
/// </summary>
public sealed class AttentionSoftmaxTests
{
    private static readonly Lazy<JsonDocument> Golden = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "pytorch_attention.json"))));

    // The row's max and sum_j p_j |v_j - max| for Fast's bound, computed once per reference row.
    [ThreadStatic] private static double[]? spreadOf;
    [ThreadStatic] private static double spreadShift;
    [ThreadStatic] private static double spreadSum;

    public static TheoryData<int, SoftmaxPrecision, bool> Lengths()
    {
        var data = new TheoryData<int, SoftmaxPrecision, bool>();
        foreach (int classes in new[] { 1, 3, 7, 16, 17, 100, 128, 1000, 1024, 4096 })
        {
            foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
            {
                data.Add(classes, precision, false);
                data.Add(classes, precision, true);
            }
        }

        return data;
    }

    public static TheoryData<string> GoldenCases()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Golden.Value.RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScaledWithBias_MatchesTheReference(int classes, SoftmaxPrecision precision, bool log)
    {
        Check<float>(classes, precision, log);
        Check<double>(classes, precision, log);
    }

    [Theory]
    [InlineData(SoftmaxPrecision.Exact)]
    [InlineData(SoftmaxPrecision.Fast)]
    public void Causal_MasksTheFuture_AndFullyMaskedRowsGetTheChosenResult(SoftmaxPrecision precision)
    {
        // 37 keys: staged rows run by the plain softmax; 300 and 1,030: the fused row kernels, whose softmax of a row
        // with a causal limit computes v again as its exponentials read it.
        foreach (int classes in new[] { 37, 300, 1030 })
        {
            CausalRows(classes, precision);
        }
    }

    private static void CausalRows(int classes, SoftmaxPrecision precision)
    {
        const int rows = 9;
        float[] x = Scores<float>(rows * classes, new Random(3));
        foreach (int offset in new[] { 0, 5, -3, 20, classes - rows, classes })
        {
            foreach (bool log in new[] { false, true })
            {
                float[] zeros = new float[x.Length], nans = new float[x.Length];
                AttentionCalls.Run(x, zeros, classes, 0.3f, [], offset, MaskedRowResult.Zeros, precision, log);
                AttentionCalls.Run(x, nans, classes, 0.3f, [], offset, MaskedRowResult.NaN, precision, log);
                for (int r = 0; r < rows; r++)
                {
                    int valid = Math.Clamp(r + offset + 1, 0, classes);
                    float[] bias = Enumerable.Range(0, classes).Select(c => c < valid ? 0f : float.NegativeInfinity).ToArray();
                    double[] reference = Reference(x.AsSpan(r * classes, classes).ToArray(), 0.3f, bias, log);
                    for (int c = 0; c < classes; c++)
                    {
                        int i = (r * classes) + c;
                        if (valid == 0)
                        {
                            Assert.Equal(0f, zeros[i]);
                            Assert.True(float.IsNaN(nans[i]), $"{classes} keys, offset {offset} row {r} [{c}]: {nans[i]}, expected NaN");
                        }
                        else
                        {
                            AssertWithinBound<float>(reference, zeros.AsSpan(r * classes, classes).ToArray(), c, precision, log, $"{classes} keys, offset {offset} row {r}");
                            Assert.Equal(zeros[i], nans[i]);
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(SoftmaxPrecision.Exact)]
    [InlineData(SoftmaxPrecision.Fast)]
    public void Causal_DoesNotReadTheFuture(SoftmaxPrecision precision)
    {
        // NaN, +inf and huge values past each row's limit (a key cache's unused tail) change nothing, for limits inside
        // a vector, on a vector boundary and past several vectors.
        foreach (int classes in new[] { 5, 16, 37, 200, 300, 1030 })
        {
            const int rows = 40;
            float[] x = Scores<float>(rows * classes, new Random(classes));
            float[] poisoned = (float[])x.Clone();
            for (int r = 0; r < rows; r++)
                for (int c = r + 1; c < classes; c++)
                    poisoned[(r * classes) + c] = (c % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => 3e38f };
            foreach (bool log in new[] { false, true })
            {
                float[] clean = new float[x.Length], dirty = new float[x.Length];
                AttentionCalls.Run(x, clean, classes, 0.5f, [], 0, MaskedRowResult.NaN, precision, log);
                AttentionCalls.Run(poisoned, dirty, classes, 0.5f, [], 0, MaskedRowResult.NaN, precision, log);
                Assert.Equal(clean, dirty);
                Assert.All(clean, v => Assert.False(float.IsNaN(v)));
            }
        }
    }

    [Theory]
    [InlineData(20, false)]
    [InlineData(20, true)]
    [InlineData(1500, false)]
    [InlineData(17, true)] // lengths with a generated kernel in this assembly: staged, then the kernel
    [InlineData(128, false)]
    public void BooleanMask_IsTheAdditiveMaskPyTorchMakesOfIt(int classes, bool perLogit)
    {
        const int rows = 5;
        var random = new Random(classes);
        float[] x = Scores<float>(rows * classes, random);
        bool[] mask = Enumerable.Range(0, perLogit ? rows * classes : classes).Select(_ => random.Next(4) != 0).ToArray();
        mask[0] = true;
        float[] additive = mask.Select(keep => keep ? 0f : float.NegativeInfinity).ToArray();
        foreach (bool log in new[] { false, true })
        {
            float[] masked = new float[x.Length], biased = new float[x.Length];
            if (log)
            {
                SoftmaxPrimitives.MaskedLogSoftmax(x, masked, classes, 0.125f, mask);
                SoftmaxPrimitives.ScaledLogSoftmax(x, biased, classes, 0.125f, additive);
            }
            else
            {
                SoftmaxPrimitives.MaskedSoftmax(x, masked, classes, 0.125f, mask);
                SoftmaxPrimitives.ScaledSoftmax(x, biased, classes, 0.125f, additive);
            }

            Assert.Equal(biased, masked);
            for (int i = 0; i < x.Length; i++)
            {
                if (!mask[perLogit ? i : i % classes])
                    Assert.Equal(log ? float.NegativeInfinity : 0f, masked[i]);
            }
        }
    }

    /// <summary>
    /// With a generated kernel registered for the row length (this assembly declares them) whose rows stay in registers,
    /// attention rows are staged and handed to it: each row is then that kernel's softmax of v = scale * x + bias (with
    /// the causal limit as -inf), bit for bit, across the chunks of staged rows (70 rows), with a bias per logit, causal
    /// offsets that empty rows, keep some and keep all, and both results for fully masked rows. Without such a kernel
    /// (a narrower machine, or a length with none) the fused row kernels run, within the precision's bound.
    /// </summary>
    [Theory]
    [InlineData(128, SoftmaxPrecision.Exact)] // a Row plan at Vector512
    [InlineData(100, SoftmaxPrecision.Fast)]
    [InlineData(17, SoftmaxPrecision.Exact)] // columns
    [InlineData(3, SoftmaxPrecision.Fast)] // blocks
    public void WithAGeneratedKernel_RowsAreItsSoftmaxOfTheStagedValues(int classes, SoftmaxPrecision precision)
    {
        const int rows = 70;
        const float scale = 0.3f;
        var random = new Random(classes);
        float[] x = Scores<float>(rows * classes, random), bias = Scores<float>(rows * classes, random);
        int lanes = (Vector512.IsHardwareAccelerated ? 64 : Vector256.IsHardwareAccelerated ? 32 : Vector128.IsHardwareAccelerated ? 16 : 0) / sizeof(float);
        bool kernelPath = SoftmaxGen.Kernels.SoftmaxKernelRegistry.Find(classes, precision) is not null && classes <= 8 * lanes;
        foreach (int offset in new[] { -3, 0, 40, 1000 })
        {
            foreach (MaskedRowResult fullyMasked in new[] { MaskedRowResult.Zeros, MaskedRowResult.NaN })
            {
                foreach (bool log in new[] { false, true })
                {
                    float[] actual = new float[x.Length];
                    if (log)
                        SoftmaxPrimitives.CausalLogSoftmax(x, actual, classes, scale, offset, bias, fullyMasked, precision);
                    else
                        SoftmaxPrimitives.CausalSoftmax(x, actual, classes, scale, offset, bias, fullyMasked, precision);

                    float[] v = new float[x.Length], expected = new float[x.Length];
                    for (int i = 0; i < v.Length; i++)
                    {
                        float product = scale * x[i];
                        v[i] = (i % classes) < (i / classes) + offset + 1 ? product + bias[i] : float.NegativeInfinity;
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        Span<float> row = expected.AsSpan(r * classes, classes);
                        if (r + offset + 1 <= 0)
                        {
                            row.Fill(fullyMasked == MaskedRowResult.NaN ? float.NaN : 0f);
                        }
                        else if (log)
                        {
                            SoftmaxPrimitives.LogSoftmax(v.AsSpan(r * classes, classes), row, classes, precision);
                        }
                        else
                        {
                            SoftmaxPrimitives.Softmax(v.AsSpan(r * classes, classes), row, classes, precision);
                        }
                    }

                    for (int i = 0; i < x.Length; i++)
                    {
                        string what = $"offset {offset}, {fullyMasked}, {(log ? "log-softmax" : "softmax")} [{i / classes}, {i % classes}]: {actual[i]}, expected {expected[i]}";
                        if (kernelPath || float.IsNegativeInfinity(v[i]) || float.IsNaN(expected[i]))
                            Assert.True(expected[i].Equals(actual[i]), what);
                        else if (log)
                            Assert.True(Math.Abs(expected[i] - actual[i]) <= 8 * Math.ScaleB(1.0, -23) * Math.Max(Math.Abs(expected[i]), 1), what); // each within 4 ULP of max(|v|, 1)
                        else
                            Assert.True(Ulp.Distance(expected[i], actual[i]) <= 8, what); // each within 4 ULP of the exact value
                    }
                }
            }
        }
    }

    /// <summary>
    /// Rows that the widest vector holds in registers have the kernel's fused path (v = scale * x + bias formed as the
    /// row is loaded, no staging): each row is bit for bit the kernel's softmax (and log-softmax) of v, with no bias, one bias row and a
    /// bias per logit, odd and even row counts, in place (which stages) and not; a row whose v is all -inf gets the
    /// chosen result, and rows holding +inf or NaN give NaN, as PyTorch does.
    /// </summary>
    [Theory]
    [InlineData(65, SoftmaxPrecision.Exact)]
    [InlineData(100, SoftmaxPrecision.Exact)]
    [InlineData(100, SoftmaxPrecision.Fast)]
    [InlineData(127, SoftmaxPrecision.Exact)]
    [InlineData(128, SoftmaxPrecision.Exact)]
    public void FusedKernelRows_AreTheKernelsSoftmaxOfV(int classes, SoftmaxPrecision precision)
    {
        const float scale = 0.3f;
        foreach (int rows in new[] { 1, 2, 37 })
        {
            var random = new Random(classes * 100 + rows);
            float[] x = Scores<float>(rows * classes, random);
            float[] perLogit = Scores<float>(rows * classes, random);
            if (rows > 2)
            {
                perLogit.AsSpan(3 * classes, classes).Fill(float.NegativeInfinity); // row 3 fully masked by its bias
                x[5 * classes + 7] = float.NaN; // row 5: NaN
                x[6 * classes + 1] = float.PositiveInfinity; // row 6: +inf
                x.AsSpan(8 * classes, classes).Fill(float.NegativeInfinity); // row 8: -inf logits, fully masked with no bias as well
            }

            float[] oneRow = Scores<float>(classes, random);
            foreach (float[] bias in new[] { Array.Empty<float>(), oneRow, perLogit })
            {
                foreach ((MaskedRowResult fullyMasked, bool log) in new[] { (MaskedRowResult.Zeros, false), (MaskedRowResult.NaN, false), (MaskedRowResult.Zeros, true), (MaskedRowResult.NaN, true) })
                {
                    float[] expected = new float[x.Length];
                    for (int r = 0; r < rows; r++)
                    {
                        float[] v = new float[classes];
                        for (int j = 0; j < classes; j++)
                        {
                            float product = scale * x[r * classes + j];
                            v[j] = bias.Length == 0 ? product : product + bias[bias.Length == classes ? j : r * classes + j];
                        }

                        Span<float> row = expected.AsSpan(r * classes, classes);
                        if (v.All(float.IsNegativeInfinity))
                            row.Fill(fullyMasked == MaskedRowResult.NaN ? float.NaN : 0f);
                        else if (v.Any(value => float.IsNaN(value) || float.IsPositiveInfinity(value)))
                            row.Fill(float.NaN);
                        else if (log)
                            SoftmaxPrimitives.LogSoftmax(v, row, classes, precision);
                        else
                            SoftmaxPrimitives.Softmax(v, row, classes, precision);
                    }

                    float[] actual = new float[x.Length];
                    float[] inPlace = (float[])x.Clone();
                    if (log)
                    {
                        SoftmaxPrimitives.ScaledLogSoftmax(x, actual, classes, scale, bias, fullyMasked, precision);
                        SoftmaxPrimitives.ScaledLogSoftmax(inPlace, inPlace, classes, scale, bias, fullyMasked, precision);
                    }
                    else
                    {
                        SoftmaxPrimitives.ScaledSoftmax(x, actual, classes, scale, bias, fullyMasked, precision);
                        SoftmaxPrimitives.ScaledSoftmax(inPlace, inPlace, classes, scale, bias, fullyMasked, precision);
                    }

                    for (int i = 0; i < x.Length; i++)
                    {
                        string what = $"{rows} rows, bias of {bias.Length}, {fullyMasked}, {(log ? "log-softmax" : "softmax")} [{i / classes}, {i % classes}]";
                        Assert.True(expected[i].Equals(actual[i]), $"{what}: {actual[i]}, expected {expected[i]}");
                        Assert.True(expected[i].Equals(inPlace[i]), $"{what} in place: {inPlace[i]}, expected {expected[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void InPlace_GivesTheSameResult()
    {
        foreach (int classes in new[] { 5, 100, 1030 })
        {
            double[] x = Scores<double>(4 * classes, new Random(classes));
            float[] xf = Scores<float>(4 * classes, new Random(classes));
            float[] expectedF = new float[xf.Length];
            SoftmaxPrimitives.CausalSoftmax(xf, expectedF, classes, 0.5f, classes / 2, precision: SoftmaxPrecision.Fast);
            float[] inPlaceF = (float[])xf.Clone();
            SoftmaxPrimitives.CausalSoftmax(inPlaceF, inPlaceF, classes, 0.5f, classes / 2, precision: SoftmaxPrecision.Fast);
            Assert.Equal(expectedF, inPlaceF);
            double[] bias = Scores<double>(classes, new Random(classes + 1));
            double[] expected = new double[x.Length];
            SoftmaxPrimitives.CausalSoftmax(x, expected, classes, 0.5, classes / 2, bias);
            double[] inPlace = (double[])x.Clone();
            SoftmaxPrimitives.CausalSoftmax(inPlace, inPlace, classes, 0.5, classes / 2, bias);
            Assert.Equal(expected, inPlace);
            SoftmaxPrimitives.CausalLogSoftmax(x, expected, classes, 0.5, classes / 2, bias);
            inPlace = (double[])x.Clone();
            SoftmaxPrimitives.CausalLogSoftmax(inPlace, inPlace, classes, 0.5, classes / 2, bias);
            Assert.Equal(expected, inPlace);
        }
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void MatchesPyTorch(string name)
    {
        JsonElement c = Golden.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        bool single = c.GetProperty("dtype").GetString() == "float32";
        int classes = c.GetProperty("classes").GetInt32();
        double scale = c.GetProperty("scale").GetDouble();
        double[] scores = Values(c, "scores");
        foreach (bool log in new[] { false, true })
        {
            double[] expected = Values(c, log ? "logSoftmax" : "softmax");
            double[] actual = single ? RunGolden(c, scores.Select(v => (float)v).ToArray(), (float)scale, classes, log) : RunGolden(c, scores, scale, classes, log);
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i], a = actual[i];
                bool ok = double.IsNaN(e) ? double.IsNaN(a)
                    : double.IsInfinity(e) ? a == e
                    : Math.Abs(a - e) <= (single ? 2e-5 : 1e-12) * (log ? Math.Max(Math.Abs(e), 1) : Math.Abs(e)) + (log ? 0 : single ? 1e-30 : 1e-300);
                Assert.True(ok, $"{name} {(log ? "log-softmax" : "softmax")} [{i}]: {a}, PyTorch {e}");
            }
        }
    }

    [Fact]
    public void BadInput_NamesTheParameter_AndWritesNothing()
    {
        float[] x = [1, 2, 3, 4, 5, 6];
        float[] output = [7, 7, 7, 7, 7, 7];
        AssertRejected<ArgumentOutOfRangeException>("scale", () => SoftmaxPrimitives.ScaledSoftmax(x, output, 3, float.NaN), output);
        AssertRejected<ArgumentOutOfRangeException>("scale", () => SoftmaxPrimitives.CausalSoftmax(x, output, 3, float.PositiveInfinity), output);
        AssertRejected<ArgumentException>("bias", () => SoftmaxPrimitives.ScaledSoftmax(x, output, 3, 1f, new float[4]), output);
        AssertRejected<ArgumentException>("probabilities", () => SoftmaxPrimitives.ScaledSoftmax(x, output, 3, 1f, output.AsSpan(0, 3)), output); // the output overlaps the bias
        AssertRejected<ArgumentException>("mask", () => SoftmaxPrimitives.MaskedSoftmax(x, output, 3, 1f, new bool[2]), output);
        AssertRejected<ArgumentOutOfRangeException>("fullyMasked", () => SoftmaxPrimitives.ScaledLogSoftmax(x, output, 3, 1f, default, (MaskedRowResult)7), output);
        AssertRejected<ArgumentOutOfRangeException>("precision", () => SoftmaxPrimitives.CausalLogSoftmax(x, output, 3, 1f, 0, default, MaskedRowResult.Zeros, (SoftmaxPrecision)9), output);
        AssertRejected<ArgumentException>("logits", () => SoftmaxPrimitives.ScaledSoftmax(x, output, 4, 1f), output);
        AssertRejected<ArgumentOutOfRangeException>("classes", () => SoftmaxPrimitives.ScaledSoftmax(x, output, 0, 1f), output);
        AssertRejected<ArgumentException>("probabilities", () => SoftmaxPrimitives.ScaledSoftmax(x, output.AsSpan(0, 5), 3, 1f), output);
        Assert.Contains("4", Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.ScaledSoftmax(x, output, 3, 1f, new float[4])).Message);
    }

    private static void AssertRejected<TException>(string parameter, Action call, float[] output)
        where TException : ArgumentException
    {
        TException e = Assert.Throws<TException>(call);
        Assert.Equal(parameter, e.ParamName);
        Assert.All(output, v => Assert.Equal(7f, v));
    }

    private static void Check<T>(int classes, SoftmaxPrecision precision, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int rows = 6;
        var random = new Random(classes * 7 + (log ? 1 : 0));
        T[] x = Scores<T>(rows * classes, random);
        T scale = T.CreateTruncating(0.0883883476);
        T[] rowBias = Scores<T>(classes, random);
        T[] fullBias = Scores<T>(rows * classes, random);
        if (classes > 2)
        {
            rowBias[1] = T.NegativeInfinity;
            for (int c = 0; c < classes; c++)
                fullBias[(2 * classes) + c] = T.NegativeInfinity; // a fully masked row
        }

        foreach (T[] bias in new[] { [], rowBias, fullBias })
        {
            T[] y = new T[x.Length];
            AttentionCalls.Run(x, y, classes, scale, bias, long.MaxValue, MaskedRowResult.Zeros, precision, log);
            for (int r = 0; r < rows; r++)
            {
                T[] b = bias.Length == 0 ? new T[classes] : bias.Length == classes ? bias : bias.AsSpan(r * classes, classes).ToArray();
                T[] row = y.AsSpan(r * classes, classes).ToArray();
                if (b.All(T.IsNegativeInfinity))
                {
                    Assert.All(row, v => Assert.Equal(T.Zero, v));
                    continue;
                }

                double[] reference = Reference(x.AsSpan(r * classes, classes).ToArray(), scale, b, log);
                for (int c = 0; c < classes; c++)
                    AssertWithinBound<T>(reference, row, c, precision, log, $"{typeof(T).Name} C={classes} bias {bias.Length} row {r}");
            }
        }
    }

    /// <summary>float, Exact: 4 ULP (softmax outputs of at least 1e-30) or 4 ULP of max(|v|, 1) (log-softmax); Fast adds u (|v - max| + sum p |v - max|). double: 1e-13 of a double reference.</summary>
    private static void AssertWithinBound<T>(double[] reference, T[] row, int c, SoftmaxPrecision precision, bool log, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double r = reference[c], a = double.CreateTruncating(row[c]);
        if (double.IsNegativeInfinity(r) || (!log && r == 0))
        {
            Assert.True(log ? a == r : a == 0, $"{what} [{c}]: {a}, expected {r}");
            return;
        }

        bool single = typeof(T) == typeof(float);
        if (!single)
        {
            // The reference is itself computed in double: 1e-13 relative (of max(|v|, 1) for log-softmax).
            Assert.True(Math.Abs(a - r) <= 1e-13 * (log ? Math.Max(Math.Abs(r), 1) : r), $"{what} [{c}]: {a}, reference {r}");
            return;
        }

        double u = Math.Pow(2, -24);
        double spread = 0;
        if (precision == SoftmaxPrecision.Fast)
        {
            // |v_c - max| + sum_j p_j |v_j - max|, from the reference's own log-probabilities.
            if (!ReferenceEquals(spreadOf, reference))
            {
                double[] logP = log ? reference : reference.Select(p => Math.Log(p)).ToArray();
                spreadShift = -logP.Where(double.IsFinite).Max();
                spreadSum = logP.Where(double.IsFinite).Sum(l => Math.Exp(l) * Math.Abs(l + spreadShift));
                spreadOf = reference;
            }

            double logPc = log ? reference[c] : Math.Log(reference[c]);
            spread = Math.Abs(logPc + spreadShift) + spreadSum;
        }

        if (log)
        {
            Assert.True(Math.Abs(a - r) <= (4 * Ulp.OfAtLeastOne<T>(r)) + (u * spread), $"{what} [{c}]: {a}, reference {r}");
            return;
        }

        if (r < 1e-30)
        {
            Assert.True(Math.Abs(a - r) <= 1e-30, $"{what} [{c}]: {a}, reference {r}");
            return;
        }

        Assert.True(Math.Abs(a - r) <= (4 * Ulp.Of<T>(r)) + (r * u * spread), $"{what} [{c}]: {a}, reference {r}");
    }

    /// <summary>Softmax or log-softmax in double of v = scale * x + b, each step rounded to T as the kernel rounds it.</summary>
    private static double[] Reference<T>(T[] x, T scale, T[] bias, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] v = x.Select((xi, i) => double.CreateTruncating((xi * scale) + bias[i])).ToArray();
        double max = v.Max();
        double sum = v.Sum(value => Math.Exp(value - max));
        return v.Select(value => log ? value - max - Math.Log(sum) : Math.Exp(value - max) / sum).ToArray();
    }

    private static T[] Scores<T>(int count, Random random)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Enumerable.Range(0, count).Select(_ => T.CreateTruncating((random.NextDouble() - 0.5) * 24)).ToArray();

    private static double[] RunGolden(JsonElement c, float[] scores, float scale, int classes, bool log)
    {
        float[] y = new float[scores.Length];
        switch (c.GetProperty("kind").GetString())
        {
            case "bias":
                float[] bias = Values(c, "bias").Select(v => (float)v).ToArray();
                if (log) SoftmaxPrimitives.ScaledLogSoftmax(scores, y, classes, scale, bias, MaskedRowResult.NaN); else SoftmaxPrimitives.ScaledSoftmax(scores, y, classes, scale, bias, MaskedRowResult.NaN);
                break;
            case "mask":
                bool[] mask = c.GetProperty("mask").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
                if (log) SoftmaxPrimitives.MaskedLogSoftmax(scores, y, classes, scale, mask, MaskedRowResult.NaN); else SoftmaxPrimitives.MaskedSoftmax(scores, y, classes, scale, mask, MaskedRowResult.NaN);
                break;
            default:
                int offset = c.GetProperty("causalOffset").GetInt32();
                if (log) SoftmaxPrimitives.CausalLogSoftmax(scores, y, classes, scale, offset, default, MaskedRowResult.NaN); else SoftmaxPrimitives.CausalSoftmax(scores, y, classes, scale, offset, default, MaskedRowResult.NaN);
                break;
        }

        return y.Select(v => (double)v).ToArray();
    }

    private static double[] RunGolden(JsonElement c, double[] scores, double scale, int classes, bool log)
    {
        double[] y = new double[scores.Length];
        switch (c.GetProperty("kind").GetString())
        {
            case "bias":
                double[] bias = Values(c, "bias");
                if (log) SoftmaxPrimitives.ScaledLogSoftmax(scores, y, classes, scale, bias, MaskedRowResult.NaN); else SoftmaxPrimitives.ScaledSoftmax(scores, y, classes, scale, bias, MaskedRowResult.NaN);
                break;
            case "mask":
                bool[] mask = c.GetProperty("mask").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
                if (log) SoftmaxPrimitives.MaskedLogSoftmax(scores, y, classes, scale, mask, MaskedRowResult.NaN); else SoftmaxPrimitives.MaskedSoftmax(scores, y, classes, scale, mask, MaskedRowResult.NaN);
                break;
            default:
                int offset = c.GetProperty("causalOffset").GetInt32();
                if (log) SoftmaxPrimitives.CausalLogSoftmax(scores, y, classes, scale, offset, default, MaskedRowResult.NaN); else SoftmaxPrimitives.CausalSoftmax(scores, y, classes, scale, offset, default, MaskedRowResult.NaN);
                break;
        }

        return y;
    }

    private static double[] Values(JsonElement c, string key) =>
        c.GetProperty(key).EnumerateArray().Select(e => double.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
}
