// SoftmaxGen demo: the worked examples people learn softmax and cross-entropy from, computed by kernels the
// generator specialised to 3 classes, next to the values the textbooks print.
using System;
using System.Globalization;
using System.Linq;
using SoftmaxGen;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Console.WriteLine("SoftmaxGen demo: worked examples computed by the generated ThreeClasses kernel");
Console.WriteLine();

ShowSoftmax([2f, 1f, 0.1f], [0.65900114, 0.24243297, 0.09856589]);
ShowSoftmax([2f, -1f, 0.1f], [0.83378101, 0.04151151, 0.12470747]);

Console.WriteLine();
ShowCrossEntropy([[2f, -1f, 0.1f], [3f, -1f, 1f]], [1, 2], 2.6624);
ShowCrossEntropy([[2.0f, 1.0f, 0.1f]], [0], 0.41703);
ShowCrossEntropy([[0.5f, 2.0f, 0.3f]], [0], 1.84062);
ShowCrossEntropy([[0.1f, 1.0f, 2.1f], [2.0f, 1.0f, 0.1f], [0.1f, 3.0f, 0.1f]], [2, 0, 1], 0.30182);
ShowCrossEntropy([[0.5f, 2.0f, 0.3f], [0.5f, 2.0f, 0.3f], [0.3f, 0.5f, 2.0f]], [2, 0, 1], 1.90728);

// Stable for every finite input: the row maximum is subtracted first (TensorPrimitives.SoftMax returns NaN here).
Console.WriteLine();
ShowSoftmax([89f, 0f, -3e38f], [1, 2.2273e-39, 0]);

static void ShowSoftmax(float[] logits, double[] expected)
{
    var probabilities = new float[logits.Length];
    ThreeClasses.Softmax(logits, probabilities);
    bool agrees = probabilities.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 1e-7 * Math.Max(Math.Abs(p.Second), 1e-30));
    Console.WriteLine($"softmax({Format(logits)})");
    Console.WriteLine($"  = {Format(probabilities)}");
    Console.WriteLine($"    textbook {Format(expected)}  {(agrees ? "agrees" : "DIFFERS")}");
}

static void ShowCrossEntropy(float[][] rows, int[] targets, double expected)
{
    float[] logits = rows.SelectMany(r => r).ToArray();
    float loss = ThreeClasses.CrossEntropy(logits, targets);
    bool agrees = Math.Abs(loss - expected) <= 0.5e-4;
    string batch = "[" + string.Join(", ", rows.Select(r => Format(r))) + "]";
    Console.WriteLine($"cross_entropy({batch}, targets {Format(targets)}) = {loss:0.######}  textbook {expected}  {(agrees ? "agrees" : "DIFFERS")}");
}

static string Format<T>(T[] values) => "[" + string.Join(", ", values.Select(v => string.Format(CultureInfo.InvariantCulture, "{0}", v))) + "]";

/// <summary>Softmax kernels generated for exactly three classes.</summary>
[SoftmaxKernel(3)]
internal static partial class ThreeClasses;
