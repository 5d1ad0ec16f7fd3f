// A consumer of the SoftmaxGen package, as a new user writes one: a few [SoftmaxKernel(N)] types, calls to the
// generated kernels and to SoftmaxPrimitives, each result checked against the textbook values or a float64
// computation done here. Prints one PASS or FAIL line per check and exits with 1 if any failed.
using System.Globalization;
using System.Numerics.Tensors;
using SoftmaxGen;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const double FourUlp = 4.0 / (1 << 23); // 4 ULP of a float, relative: SoftmaxGen's documented accuracy
var checks = new Checks();

// The textbook examples the demo prints (softmax and cross-entropy of rows of 3 classes), to their printed precision.
float[] two = [2f, 1f, 0.1f, 2f, -1f, 0.1f];
var probabilities = new float[two.Length];
ThreeClasses.Softmax(two, probabilities);
checks.Close("generated softmax, C=3, worked example", [0.65900114, 0.24243297, 0.09856589, 0.83378101, 0.04151151, 0.12470747], probabilities, 1e-7);

float loss = ThreeClasses.CrossEntropy([2f, -1f, 0.1f, 3f, -1f, 1f], [1, 2]);
checks.Close("generated cross-entropy, C=3, worked example", [2.6624], new[] { loss }, 5e-5);

double lossSum = ThreeClasses.CrossEntropy([2.0, 1.0, 0.1, 0.5, 2.0, 0.3], [0, 0], LossReduction.Sum);
checks.Close("generated cross-entropy (double, sum), C=3, worked examples", [0.41703 + 1.84062], new[] { lossSum }, 1e-4);

// Ten classes, logits far above exp's overflow threshold and far below it: the row maximum is subtracted first.
float[] digits = Logits(rows: 5, Digits.Classes, seed: 1, scale: 50f);
digits[3] = 3e38f;
digits[Digits.Classes + 4] = -3e38f;
var digitProbabilities = new float[digits.Length];
Digits.Softmax(digits, digitProbabilities);
checks.Close("generated softmax, C=10, extreme logits", Reference.Softmax(digits, Digits.Classes), digitProbabilities, FourUlp, relative: true);

var logProbabilities = new double[digits.Length];
Digits.LogSoftmax(digits.Select(v => (double)v).ToArray(), logProbabilities);
checks.Close("generated log-softmax (double), C=10", Reference.LogSoftmax(digits, Digits.Classes), logProbabilities, 1e-9, relative: true, floor: 1);

var predictions = new int[5];
Digits.Argmax(digits, predictions);
checks.Equal("generated argmax, C=10", Reference.Argmax(digits, Digits.Classes), predictions);

// A thousand classes (the loop layout) through SoftmaxPrimitives, which dispatches to the generated kernel.
float[] imageNet = Logits(rows: 3, ImageNet.Classes, seed: 2, scale: 10f);
int[] targets = [0, 999, 500];
var losses = new float[3];
SoftmaxPrimitives.CrossEntropy(imageNet, targets, losses, ImageNet.Classes);
checks.Close("SoftmaxPrimitives per-row cross-entropy, C=1000", Reference.CrossEntropy(imageNet, targets, ImageNet.Classes), losses, 1e-5, relative: true);

// Seven classes, with no kernel: the runtime's vectorised fallback.
float[] seven = Logits(rows: 4, classes: 7, seed: 3, scale: 5f);
int classes = seven.Length / 4;
var sevenProbabilities = new float[seven.Length];
SoftmaxPrimitives.Softmax(seven, sevenProbabilities, classes);
checks.Close("SoftmaxPrimitives softmax, C=7 (fallback)", Reference.Softmax(seven, classes), sevenProbabilities, FourUlp, relative: true);

double[] sevenLogProbabilities = Reference.LogSoftmax(seven, classes);
SoftmaxPrimitives.LogSoftmax(seven, seven, classes);
checks.Close("SoftmaxPrimitives log-softmax in place, C=7", sevenLogProbabilities, seven, FourUlp, relative: true, floor: 1);

// Tensors (System.Numerics.Tensors): softmax along axis 1 of [2, 3, 4] (classes in the middle, as NCHW) and
// log-softmax along the last axis, written into the arrays the output tensors wrap, and the cross-entropy of the
// same tensor with class axis 1 against targets [2, 4] (F.cross_entropy on K-dimensional input).
float[] cube = Logits(rows: 2, classes: 12, seed: 4, scale: 5f);
Tensor<float> cubeTensor = Tensor.Create(cube, [2, 3, 4]);
var alongClasses = new float[cube.Length];
SoftmaxTensor.Softmax(cubeTensor, Tensor.Create(alongClasses, [2, 3, 4]), axis: 1);
checks.Close("SoftmaxTensor softmax, axis 1 of [2, 3, 4]", Reference.SoftmaxAlong(cube, outer: 2, classes: 3, inner: 4, log: false), alongClasses, FourUlp, relative: true);
var alongLast = new float[cube.Length];
SoftmaxTensor.LogSoftmax(cubeTensor, Tensor.Create(alongLast, [2, 3, 4]), axis: -1);
checks.Close("SoftmaxTensor log-softmax, axis -1 of [2, 3, 4]", Reference.SoftmaxAlong(cube, outer: 6, classes: 4, inner: 1, log: true), alongLast, FourUlp, relative: true, floor: 1);
int[] cubeTargets = [0, 1, 2, 1, 2, 0, 0, 1];
float cubeLoss = SoftmaxTensor.CrossEntropy(cubeTensor, Tensor.Create(cubeTargets, [2, 4]), axis: 1);
double[] cubeLogProbabilities = Reference.SoftmaxAlong(cube, outer: 2, classes: 3, inner: 4, log: true);
double cubeExpected = Enumerable.Range(0, 8).Average(p => -cubeLogProbabilities[(((p / 4) * 3 + cubeTargets[p]) * 4) + (p % 4)]);
checks.Close("SoftmaxTensor cross-entropy, class axis 1 of [2, 3, 4]", [cubeExpected], new[] { cubeLoss }, 1e-6, relative: true, floor: 1);

// Half logits (fp16 models), computed in float and rounded once to Half: within a Half rounding (2^-11 relative) of
// the float64 values of the same Half inputs. The generated kernel, a tensor along axis 1 of [2, 3, 4] and along the
// last axis, and the K-dimensional cross-entropy with class axis 1 (float loss).
const double HalfRounding = 1.0 / 2048;
Half[] fp16 = cube.Select(v => (Half)v).ToArray();
float[] fp16Values = fp16.Select(h => (float)h).ToArray();
var fp16Digits = new Half[20];
Digits.Softmax(fp16.AsSpan(0, 20), fp16Digits);
checks.Close("generated softmax of Half logits, C=10", Reference.Softmax(fp16Values[..20], Digits.Classes), fp16Digits.Select(h => (float)h).ToArray(), HalfRounding, relative: true);
var fp16Along = new Half[24];
SoftmaxTensor.Softmax(Tensor.Create(fp16, [2, 3, 4]), Tensor.Create(fp16Along, [2, 3, 4]), axis: 1);
checks.Close("SoftmaxTensor softmax of a Half tensor, axis 1 of [2, 3, 4]", Reference.SoftmaxAlong(fp16Values, outer: 2, classes: 3, inner: 4, log: false), fp16Along.Select(h => (float)h).ToArray(), HalfRounding, relative: true);
SoftmaxTensor.LogSoftmax(Tensor.Create(fp16, [2, 3, 4]), Tensor.Create(fp16Along, [2, 3, 4]), axis: -1);
checks.Close("SoftmaxTensor log-softmax of a Half tensor, axis -1 of [2, 3, 4]", Reference.SoftmaxAlong(fp16Values, outer: 6, classes: 4, inner: 1, log: true), fp16Along.Select(h => (float)h).ToArray(), HalfRounding, relative: true, floor: 1);
float fp16Loss = SoftmaxTensor.CrossEntropy(Tensor.Create(fp16, [2, 3, 4]), Tensor.Create(cubeTargets.Select(t => (long)t).ToArray(), [2, 4]), axis: 1);
double[] fp16LogProbabilities = Reference.SoftmaxAlong(fp16Values, outer: 2, classes: 3, inner: 4, log: true);
double fp16Expected = Enumerable.Range(0, 8).Average(p => -fp16LogProbabilities[(((p / 4) * 3 + cubeTargets[p]) * 4) + (p % 4)]);
checks.Close("SoftmaxTensor cross-entropy of a Half tensor, class axis 1, long targets", [fp16Expected], new[] { fp16Loss }, 1e-6, relative: true, floor: 1);
float fp16SpanLoss = SoftmaxPrimitives.CrossEntropy(fp16, cubeTargets, classes: 3, innerSize: 4);
checks.Close("SoftmaxPrimitives K-dimensional cross-entropy of Half logits [2, 3, 4]", [fp16Expected], new[] { fp16SpanLoss }, 1e-6, relative: true, floor: 1);

// Bad input: an exception that names the parameter, and nothing written.
var untouched = new float[6];
try
{
    ThreeClasses.Softmax(new float[7], untouched);
    checks.Fail("generated softmax rejects 7 values for 3 classes", "no exception");
}
catch (ArgumentException e)
{
    checks.Equal("generated softmax rejects 7 values for 3 classes", ["logits", "True"], [e.ParamName ?? "", untouched.All(v => v == 0).ToString()]);
}

return checks.Finish();

static float[] Logits(int rows, int classes, int seed, float scale)
{
    var random = new Random(seed);
    return Enumerable.Range(0, rows * classes).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
}

[SoftmaxKernel(3)]
internal static partial class ThreeClasses;

[SoftmaxKernel(10)]
internal static partial class Digits;

[SoftmaxKernel(1000)]
internal static partial class ImageNet;

/// <summary>The float64 computations the results are checked against.</summary>
internal static class Reference
{
    public static double[] Softmax(float[] logits, int classes) =>
        Rows(logits, classes).SelectMany(row =>
        {
            double max = row.Max();
            double sum = row.Sum(v => Math.Exp(v - max));
            return row.Select(v => Math.Exp(v - max) / sum);
        }).ToArray();

    public static double[] LogSoftmax(float[] logits, int classes) =>
        Rows(logits, classes).SelectMany(row =>
        {
            double max = row.Max();
            double log = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            return row.Select(v => v - log);
        }).ToArray();

    /// <summary>Softmax or log-softmax over the middle axis of [outer, classes, inner] values, position by position.</summary>
    public static double[] SoftmaxAlong(float[] x, int outer, int classes, int inner, bool log)
    {
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int[] at = Enumerable.Range(0, classes).Select(c => (((o * classes) + c) * inner) + i).ToArray();
                double max = at.Max(k => (double)x[k]);
                double sum = at.Sum(k => Math.Exp(x[k] - max));
                foreach (int k in at)
                {
                    y[k] = log ? x[k] - max - Math.Log(sum) : Math.Exp(x[k] - max) / sum;
                }
            }
        }

        return y;
    }

    public static double[] CrossEntropy(float[] logits, int[] targets, int classes) =>
        LogSoftmax(logits, classes).Chunk(classes).Select((row, r) => -row[targets[r]]).ToArray();

    public static int[] Argmax(float[] logits, int classes) =>
        Rows(logits, classes).Select(row => Array.IndexOf(row, row.Max())).ToArray();

    private static IEnumerable<double[]> Rows(float[] logits, int classes) =>
        logits.Chunk(classes).Select(row => row.Select(v => (double)v).ToArray());
}

/// <summary>Counts and prints the checks.</summary>
internal sealed class Checks
{
    private int _passed;
    private int _failed;

    /// <summary>Each value within <paramref name="tolerance"/>, or with <paramref name="relative"/> within tolerance x max(|expected|, floor).</summary>
    public void Close(string name, IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance, bool relative = false, double floor = 1e-30) =>
        Close(name, expected, actual.Select(v => (double)v).ToArray(), tolerance, relative, floor);

    public void Close(string name, IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, bool relative = false, double floor = 1e-30)
    {
        if (expected.Count != actual.Count)
        {
            Fail(name, $"{actual.Count} values, expected {expected.Count}");
            return;
        }

        for (int i = 0; i < expected.Count; i++)
        {
            double bound = relative ? tolerance * Math.Max(Math.Abs(expected[i]), floor) : tolerance;
            bool same = expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= bound;
            if (!same)
            {
                Fail(name, $"[{i}] is {actual[i]:R}, expected {expected[i]:R} (tolerance {bound:G3})");
                return;
            }
        }

        Pass(name);
    }

    public void Equal<T>(string name, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        if (expected.SequenceEqual(actual))
        {
            Pass(name);
        }
        else
        {
            Fail(name, $"[{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
        }
    }

    public void Fail(string name, string why)
    {
        _failed++;
        Console.WriteLine($"FAIL {name}: {why}");
    }

    public int Finish()
    {
        Console.WriteLine($"consumer: {_passed} passed, {_failed} failed");
        return _failed == 0 ? 0 : 1;
    }

    private void Pass(string name)
    {
        _passed++;
        Console.WriteLine($"PASS {name}");
    }
}
