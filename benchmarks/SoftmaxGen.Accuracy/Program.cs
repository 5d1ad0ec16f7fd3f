using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using SoftmaxGen.Benchmarks;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Accuracy;

/// <summary>
/// Measures the error of softmax and log-softmax in float for the generated kernels and the runtime fallback, in Exact and
/// Fast, <c>TensorPrimitives.SoftMax</c>, PyTorch's float32 (outputs checked in by
/// benchmarks/accuracy/make_accuracy_inputs.py) and ONNX Runtime's CPU provider, all on the same logits, against a float64
/// reference, in ULP as the tests define it (tests/SoftmaxGen.Tests/Support/Verification.cs): softmax in float ULP of the
/// correctly rounded result for reference values of at least 1e-30; log-softmax in ULP of max(|reference|, 1) (float ULP
/// when |reference| &gt;= 1, otherwise the absolute error in units of 2^-23). Fast is also checked against its documented
/// bound and against ONNX Runtime's maximum error.
/// </summary>
/// <remarks>Run from the repository root: <c>dotnet run -c Release --project benchmarks/SoftmaxGen.Accuracy</c>. Writes
/// benchmarks/results/&lt;date&gt;-accuracy.md (or the folder given as the first argument).</remarks>
public static class Program
{
    private const double SoftmaxUlpThreshold = 1e-30;
    private static readonly double s_ulpOfOne = Math.ScaleB(1.0, -23);

    /// <summary>Runs the comparison and writes the report.</summary>
    /// <param name="args">Optionally the folder to write the report to.</param>
    /// <returns>0 on success.</returns>
    public static int Main(string[] args)
    {
        string dataPath = Path.Combine(AppContext.BaseDirectory, "Data", "pytorch_accuracy.bin");
        IReadOnlyList<AccuracyCase> cases = AccuracyCase.Load(dataPath);

        var softmaxRows = new List<string>();
        var logSoftmaxRows = new List<string>();
        var fastRows = new List<string>();
        foreach (AccuracyCase c in cases)
        {
            int n = c.Logits.Length;
            double[] referenceSoftmax = new double[n], referenceLogSoftmax = new double[n];
            Float64Reference.Compute(c.Logits, c.Classes, referenceSoftmax, referenceLogSoftmax);

            float[] generated = new float[n], fallback = new float[n], generatedFast = new float[n], fast = new float[n], tensorPrimitives = new float[n];
            GeneratedKernels.Softmax(c.Classes, SoftmaxPrecision.Exact, c.Logits, generated);
            GeneratedKernels.Softmax(c.Classes, SoftmaxPrecision.Fast, c.Logits, generatedFast);
            SoftmaxFallback.Softmax(c.Logits, fallback, c.Classes);
            SoftmaxFallback.Softmax(c.Logits, fast, c.Classes, SoftmaxPrecision.Fast);
            for (int start = 0; start < n; start += c.Classes)
                System.Numerics.Tensors.TensorPrimitives.SoftMax(c.Logits.AsSpan(start, c.Classes), tensorPrimitives.AsSpan(start, c.Classes));
            float[] onnxRuntime = OnnxRuntime(OnnxOperator.Softmax, c);
            softmaxRows.Add(Row(c, referenceSoftmax, SoftmaxUlp, generated, fallback, generatedFast, fast, tensorPrimitives, c.PyTorchSoftmax, onnxRuntime));
            fastRows.Add(FastRow("softmax", "generated", c, generatedFast, onnxRuntime, referenceSoftmax, SoftmaxUlp, SoftmaxUnit));
            fastRows.Add(FastRow("softmax", "fallback", c, fast, onnxRuntime, referenceSoftmax, SoftmaxUlp, SoftmaxUnit));

            float[] generatedLog = new float[n], fallbackLog = new float[n], generatedFastLog = new float[n], fastLog = new float[n];
            GeneratedKernels.LogSoftmax(c.Classes, SoftmaxPrecision.Exact, c.Logits, generatedLog);
            GeneratedKernels.LogSoftmax(c.Classes, SoftmaxPrecision.Fast, c.Logits, generatedFastLog);
            SoftmaxFallback.LogSoftmax(c.Logits, fallbackLog, c.Classes);
            SoftmaxFallback.LogSoftmax(c.Logits, fastLog, c.Classes, SoftmaxPrecision.Fast);
            float[] onnxRuntimeLog = OnnxRuntime(OnnxOperator.LogSoftmax, c);
            logSoftmaxRows.Add(Row(c, referenceLogSoftmax, LogSoftmaxUlp, generatedLog, fallbackLog, generatedFastLog, fastLog, null, c.PyTorchLogSoftmax, onnxRuntimeLog));
            fastRows.Add(FastRow("log-softmax", "generated", c, generatedFastLog, onnxRuntimeLog, referenceLogSoftmax, LogSoftmaxUlp, LogSoftmaxUnit));
            fastRows.Add(FastRow("log-softmax", "fallback", c, fastLog, onnxRuntimeLog, referenceLogSoftmax, LogSoftmaxUlp, LogSoftmaxUnit));
        }

        string report = Report(cases, softmaxRows, logSoftmaxRows, fastRows);
        Console.WriteLine(report);
        string folder = args.Length > 0 ? args[0] : Path.Combine(RepositoryRoot(), "benchmarks", "results");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{DateTime.UtcNow:yyyy-MM-dd}-accuracy.md");
        File.WriteAllText(path, report);
        Console.Error.WriteLine($"wrote {path}");
        return 0;
    }

    /// <summary>Softmax error in float ULP of the correctly rounded reference; null below 1e-30 (not counted, as in the tests).</summary>
    private static double? SoftmaxUlp(float ours, double reference) =>
        reference >= SoftmaxUlpThreshold ? Ulp.Distance(ours, (float)reference) : null;

    /// <summary>Log-softmax error in ULP of max(|reference|, 1).</summary>
    private static double? LogSoftmaxUlp(float ours, double reference) =>
        Math.Abs(reference) >= 1 ? Ulp.Distance(ours, (float)reference) : (float.IsFinite(ours) ? Math.Abs(ours - reference) / s_ulpOfOne : double.PositiveInfinity);

    /// <summary>The size, in the reference's units, of one softmax ULP at <paramref name="reference"/> (the spacing of floats there).</summary>
    private static double SoftmaxUnit(double reference)
    {
        float rounded = (float)reference;
        return (double)MathF.BitIncrement(rounded) - rounded;
    }

    /// <summary>The unit of the log-softmax error at <paramref name="reference"/>: one float ULP when |reference| &gt;= 1, otherwise 2^-23.</summary>
    private static double LogSoftmaxUnit(double reference)
    {
        if (Math.Abs(reference) < 1)
            return s_ulpOfOne;
        float rounded = MathF.Abs((float)reference);
        return (double)MathF.BitIncrement(rounded) - rounded;
    }

    /// <summary>ONNX Runtime's float Softmax or LogSoftmax over the rows of the case, one session on one thread (the benchmarks' peer).</summary>
    private static float[] OnnxRuntime(OnnxOperator operation, AccuracyCase c)
    {
        float[] output = new float[c.Logits.Length];
        using var peer = new OnnxRuntimePeer<float>(operation, c.Logits, output, c.Classes);
        peer.Run();
        return output;
    }

    /// <summary>
    /// Fast against its documented bound (src/SoftmaxGen/SoftmaxPrecision.cs): 4 ULP plus the rounding of x - max, which is at
    /// most |x - max| 2^-24 relative to the output in softmax and absolute in log-softmax; here converted to the unit of the error
    /// at each output and given as an allowance on top of 4. ONNX Runtime gets the same measure, since it rounds x - max too.
    /// </summary>
    private static string FastRow(string operation, string kernel, AccuracyCase c, float[] fast, float[] onnxRuntime, double[] reference, Func<float, double, double?> ulp, Func<double, double> unit)
    {
        bool relative = operation == "softmax";
        BoundCheck ours = BoundCheck.Of(fast, c, reference, ulp, unit, relative);
        BoundCheck theirs = BoundCheck.Of(onnxRuntime, c, reference, ulp, unit, relative);
        string[] cells =
        [
            operation, kernel, c.Set, c.Classes.ToString(CultureInfo.InvariantCulture),
            Number(ours.MaxError, "0.##"), Number(ours.MaxAllowance, "0.#"), Number(ours.MaxBeyondAllowance, "0.##"), ours.OverBound.ToString(CultureInfo.InvariantCulture),
            Number(theirs.MaxError, "0.##"), Number(theirs.MaxBeyondAllowance, "0.##"), ours.MaxError <= theirs.MaxError ? "yes" : "**no**",
        ];
        return "| " + string.Join(" | ", cells) + " |";
    }

    /// <summary>The largest error, the largest allowance for the rounding of x - max, the largest error minus its output's allowance, and how many outputs exceed 4 plus their allowance.</summary>
    private readonly record struct BoundCheck(double MaxError, double MaxAllowance, double MaxBeyondAllowance, int OverBound)
    {
        public static BoundCheck Of(float[] result, AccuracyCase c, double[] reference, Func<float, double, double?> ulp, Func<double, double> unit, bool relative)
        {
            double maxError = 0, maxAllowance = 0, maxBeyond = 0;
            int over = 0;
            for (int start = 0; start < result.Length; start += c.Classes)
            {
                float max = float.NegativeInfinity;
                for (int j = 0; j < c.Classes; j++)
                    max = MathF.Max(max, c.Logits[start + j]);
                for (int j = 0; j < c.Classes; j++)
                {
                    int i = start + j;
                    if (ulp(result[i], reference[i]) is not { } error)
                        continue;

                    // x - max is exact in double; its float rounding is at most |x - max| 2^-24, here in the error's unit at this output.
                    double allowance = Math.Abs((double)c.Logits[i] - max) * Math.ScaleB(1.0, -24) * (relative ? Math.Abs(reference[i]) : 1) / unit(reference[i]);
                    if (!float.IsFinite(result[i]))
                        error = double.PositiveInfinity;
                    maxError = Math.Max(maxError, error);
                    maxAllowance = Math.Max(maxAllowance, allowance);
                    maxBeyond = Math.Max(maxBeyond, error - allowance);
                    if (error > 4 + allowance)
                        over++;
                }
            }

            return new BoundCheck(maxError, maxAllowance, maxBeyond, over);
        }
    }

    private static string Row(AccuracyCase c, double[] reference, Func<float, double, double?> ulp, params float[]?[] results)
    {
        var cells = new List<string> { c.Set, c.Classes.ToString(CultureInfo.InvariantCulture), c.Rows.ToString(CultureInfo.InvariantCulture) };
        foreach (float[]? result in results)
            cells.Add(result is null ? "n/a" : Statistics(result, reference, ulp));
        return "| " + string.Join(" | ", cells) + " |";
    }

    // "max / mean", plus how many values are NaN or infinite where the reference is finite.
    private static string Statistics(float[] result, double[] reference, Func<float, double, double?> ulp)
    {
        double max = 0, sum = 0;
        int counted = 0, notFinite = 0;
        for (int i = 0; i < result.Length; i++)
        {
            if (!float.IsFinite(result[i]))
            {
                notFinite++;
                continue;
            }

            if (ulp(result[i], reference[i]) is not { } error)
                continue;
            max = Math.Max(max, error);
            sum += error;
            counted++;
        }

        string text = counted == 0 ? "-" : $"{Number(max, "0.##")} / {Number(sum / counted, "0.###")}";
        return notFinite == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text} ({notFinite} NaN/inf of {result.Length})");
    }

    // Small errors with a few decimals, huge ones (a wrong value, not a rounding error) in scientific notation.
    private static string Number(double value, string format) =>
        value.ToString(value >= 1e5 ? "0.0e0" : format, CultureInfo.InvariantCulture);

    private static string Report(IReadOnlyList<AccuracyCase> cases, List<string> softmaxRows, List<string> logSoftmaxRows, List<string> fastRows)
    {
        const string header = "| Set | C | Rows | Generated (Exact) | Fallback (Exact) | Generated (Fast) | Fallback (Fast) | TensorPrimitives | PyTorch float32 | ONNX Runtime 1.32 |";
        const string alignment = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Accuracy of float softmax and log-softmax, {DateTime.UtcNow:yyyy-MM-dd}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `dotnet run -c Release --project benchmarks/SoftmaxGen.Accuracy` (inputs and PyTorch outputs: `/usr/bin/python3 benchmarks/accuracy/make_accuracy_inputs.py`); code: commit {GitCommit()}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}; Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256: {Vector256.IsHardwareAccelerated} (the kernels' vector path, hence their rounding, depends on these).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Inputs: {cases.Sum(c => c.Logits.Length)} float32 logits in {cases.Count} cases: `normal5` ~ N(0, 5^2) and `normal30` ~ N(0, 30^2), row-major, C = {string.Join(", ", cases.Select(c => c.Classes).Distinct())}; PyTorch's outputs are `F.softmax` / `F.log_softmax` in float32 on one thread (PyTorch 1.13, Debian python3-torch).");
        text.AppendLine("- SoftmaxGen: the generated kernels and the runtime fallback (`SoftmaxFallback`) in `SoftmaxPrecision.Exact` (the default) and in `SoftmaxPrecision.Fast`. ONNX Runtime: Microsoft.ML.OnnxRuntime 1.32.0, CPU provider, one intra-op thread, the one-node float models in benchmarks/models (opset 13, axis -1), run through benchmarks/SoftmaxGen.Benchmarks/OnnxRuntimePeer.cs.");
        text.AppendLine("- Reference: each row in float64 (max subtracted, compensated sum, log1p), as the tests' reference for float inputs (tests/SoftmaxGen.Tests/Support/Reference.cs).");
        text.AppendLine("- Error, as the tests measure it (tests/SoftmaxGen.Tests/Support/Verification.cs): softmax in float ULP from the correctly rounded reference, over the values whose reference is at least 1e-30; log-softmax in ULP of max(|reference|, 1) (float ULP for |reference| >= 1, otherwise |error| / 2^-23). The bounds our tests enforce for Exact are 4 and 4.");
        text.AppendLine("- Cells: maximum / mean error; `(k NaN/inf of n)` counts outputs that are not finite although the reference is (TensorPrimitives does not subtract the row maximum, so e^x overflows for logits above about 88); those are left out of the maximum and mean. TensorPrimitives has no log-softmax.");
        text.AppendLine();
        text.AppendLine("## Softmax (max / mean ULP)");
        text.AppendLine();
        text.AppendLine(header);
        text.AppendLine(alignment);
        foreach (string row in softmaxRows)
            text.AppendLine(row);
        text.AppendLine();
        text.AppendLine("## Log-softmax (max / mean ULP of max(|r|, 1))");
        text.AppendLine();
        text.AppendLine(header);
        text.AppendLine(alignment);
        foreach (string row in logSoftmaxRows)
            text.AppendLine(row);
        text.AppendLine();
        text.AppendLine("## Fast against its bound and against ONNX Runtime");
        text.AppendLine();
        text.AppendLine("Fast's documented bound (src/SoftmaxGen/SoftmaxPrecision.cs): 4 ULP plus the rounding of x - max, at most |x - max| 2^-24 (relative to the output in softmax, absolute in log-softmax). Per output that rounding is converted to the unit of the error there (the allowance); an output is over the bound when its error exceeds 4 + its allowance. Columns: Fast's maximum error; the largest allowance; the largest error minus the output's allowance (at most 4 within the bound); outputs over the bound; ONNX Runtime's maximum error on the same logits and the same error-minus-allowance for it (it rounds x - max too); whether Fast's maximum is at most ONNX Runtime's.");
        text.AppendLine();
        text.AppendLine("| Operation | Kernel | Set | C | Fast max | Largest allowance | Fast max beyond allowance | Over bound | ONNX Runtime max | ONNX Runtime max beyond allowance | Fast max <= ONNX Runtime max |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (string row in fastRows)
            text.AppendLine(row);
        return text.ToString();
    }

    // The checked-out commit (with "+changes" when the work tree differs), or "unknown" without git.
    private static string GitCommit()
    {
        try
        {
            string head = RunGit("rev-parse --short HEAD");
            return RunGit("status --porcelain --untracked-files=no").Length > 0 ? head + "+changes" : head;
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "unknown";
        }
    }

    private static string RunGit(string arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException("git failed");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SoftmaxGen.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("Run from inside the repository (no SoftmaxGen.sln above the current directory), or pass the output folder.");
    }
}

/// <summary>One set and class count: logits and PyTorch's float32 softmax and log-softmax of them.</summary>
internal sealed class AccuracyCase(string set, int classes, int rows, float[] logits, float[] pyTorchSoftmax, float[] pyTorchLogSoftmax)
{
    public string Set { get; } = set;

    public int Classes { get; } = classes;

    public int Rows { get; } = rows;

    public float[] Logits { get; } = logits;

    public float[] PyTorchSoftmax { get; } = pyTorchSoftmax;

    public float[] PyTorchLogSoftmax { get; } = pyTorchLogSoftmax;

    /// <summary>Reads the file written by make_accuracy_inputs.py (format in its docstring).</summary>
    public static IReadOnlyList<AccuracyCase> Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (Encoding.ASCII.GetString(reader.ReadBytes(8)) != "SMGACC1\0")
            throw new InvalidDataException($"{path} is not an accuracy input file (bad magic).");
        int count = reader.ReadInt32();
        var cases = new List<AccuracyCase>(count);
        for (int i = 0; i < count; i++)
        {
            string set = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
            int classes = reader.ReadInt32(), rows = reader.ReadInt32();
            cases.Add(new AccuracyCase(set, classes, rows, ReadFloats(reader, rows * classes), ReadFloats(reader, rows * classes), ReadFloats(reader, rows * classes)));
        }

        return cases;
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        byte[] bytes = reader.ReadBytes(count * sizeof(float));
        if (bytes.Length != count * sizeof(float))
            throw new InvalidDataException("The accuracy input file is truncated.");
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = BitConverter.ToSingle(bytes, i * sizeof(float)); // little-endian file, little-endian machines
        return values;
    }
}

/// <summary>
/// The float64 reference for float logits, as tests/SoftmaxGen.Tests/Support/Reference.cs computes it (that file also holds
/// xunit tests, so it is not linked here): subtract the row maximum, exponentials in double, the other terms summed with
/// Neumaier compensation apart from the maximum's exact 1, ln(sum) = log1p(rest).
/// </summary>
internal static class Float64Reference
{
    public static void Compute(ReadOnlySpan<float> logits, int classes, Span<double> softmax, Span<double> logSoftmax)
    {
        var e = new double[classes];
        for (int start = 0; start < logits.Length; start += classes)
        {
            ReadOnlySpan<float> x = logits.Slice(start, classes);
            int first = 0;
            for (int j = 1; j < classes; j++)
            {
                if (x[j] > x[first])
                    first = j;
            }

            double max = x[first], rest = 0, compensation = 0;
            for (int j = 0; j < classes; j++)
            {
                e[j] = Math.Exp(x[j] - max);
                if (j == first)
                    continue;
                double t = rest + e[j];
                compensation += Math.Abs(rest) >= Math.Abs(e[j]) ? (rest - t) + e[j] : (e[j] - t) + rest;
                rest = t;
            }

            rest += compensation;
            double sum = 1 + rest;
            double u = 1 + rest;
            double logSum = u == 1 ? rest : Math.Log(u) * (rest / (u - 1));
            for (int j = 0; j < classes; j++)
            {
                softmax[start + j] = e[j] / sum;
                logSoftmax[start + j] = (x[j] - max) - logSum;
            }
        }
    }
}

/// <summary>Distance in floats on the monotonic integer line of bit patterns (as tests/SoftmaxGen.Tests/Support/Ulp.cs).</summary>
internal static class Ulp
{
    public static long Distance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
            return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        return Math.Abs(Key(a) - Key(b));
    }

    private static long Key(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits >= 0 ? bits : (long)int.MinValue - bits;
    }
}
