// SoftmaxGen demo: the worked examples people learn softmax and cross-entropy from, computed by kernels the
// generator specialised to 3 classes, next to the values the textbooks print; then softmax regression trained with
// CrossEntropyWithGradient on Iris (3 classes) and the UCI handwritten digits (10 classes), once with the generated
// kernels and once with the runtime fallback, timing the loss computations of each.
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using SoftmaxGen;
using SoftmaxGen.Demo.Training;
using SoftmaxGen.Kernels;

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

// ---- Training: softmax regression with CrossEntropyWithGradient ----------------------------------------------------
string data = Path.Combine(AppContext.BaseDirectory, "data");
Console.WriteLine();
Console.WriteLine("Softmax regression (a linear layer + cross-entropy, plain mini-batch gradient descent)");
Console.WriteLine("with CrossEntropyWithGradient: loss and dLoss/dLogits in one pass, as F.cross_entropy(...).backward().");

Compare(
    "Iris (150 flowers, 4 features, 3 classes; accuracy on the training rows, target >= 95%)",
    dir => Experiments.Iris(dir, (x, t, g) => ThreeClasses.CrossEntropyWithGradient(x, t, g)),
    dir => Experiments.Iris(dir, (x, t, g) => SoftmaxFallback.CrossEntropyWithGradient(x, t, g, ThreeClasses.Classes)),
    "[SoftmaxKernel(3)] ThreeClasses",
    heldOut: false);

Compare(
    "UCI digits (1797 8x8 images, 64 features, 10 classes; 1438 to train, 359 held out, target >= 93% held out)",
    dir => Experiments.Digits(dir, (x, t, g) => Digits.CrossEntropyWithGradient(x, t, g)),
    dir => Experiments.Digits(dir, (x, t, g) => SoftmaxFallback.CrossEntropyWithGradient(x, t, g, Digits.Classes)),
    "[SoftmaxKernel(10)] Digits",
    heldOut: true);

void Compare(string title, Func<string, TrainingRun> generated, Func<string, TrainingRun> fallback, string kernel, bool heldOut)
{
    Console.WriteLine();
    Console.WriteLine(title);
    Console.WriteLine("  epoch: mean training loss over the epoch's batches, then accuracy after it");

    // The same run (same data, same batch order) with each implementation, alternately, three times: the loss time
    // reported is each one's best, so that a busy machine or the JIT does not decide the comparison.
    TrainingRun run = generated(data), reference = fallback(data);
    for (int i = 0; i < 3; i++)
    {
        TrainingRun g = generated(data), f = fallback(data);
        run = g.LossTime < run.LossTime ? g : run;
        reference = f.LossTime < reference.LossTime ? f : reference;
    }
    foreach (var line in run.Epochs.Chunk(heldOut ? 3 : 4))
    {
        Console.WriteLine("  " + string.Join("   ", line.Select(e => heldOut
            ? $"{e.Epoch,2}: loss {e.Loss:0.0000} train {e.TrainingAccuracy,6:P1} held-out {e.HeldOutAccuracy,6:P1}"
            : $"{e.Epoch,2}: loss {e.Loss:0.0000} accuracy {e.TrainingAccuracy,6:P1}")));
    }

    EpochResult last = run.Epochs[^1], lastReference = reference.Epochs[^1];
    double accuracy = heldOut ? last.HeldOutAccuracy : last.TrainingAccuracy;
    Console.WriteLine($"  final {(heldOut ? "held-out" : "training")} accuracy {accuracy:P1} (target {(heldOut ? 0.93 : 0.95):P0}: {(accuracy >= (heldOut ? 0.93 : 0.95) ? "reached" : "MISSED")})");
    Console.WriteLine($"  loss computations ({run.LossCalls} calls, best of 4 runs): generated {kernel} {Microseconds(run.LossTime)}, " +
        $"runtime fallback SoftmaxFallback {Microseconds(reference.LossTime)} " +
        $"(fallback / generated = {reference.LossTime.TotalMilliseconds / run.LossTime.TotalMilliseconds:0.00}); the fallback run ends at loss {lastReference.Loss:0.0000}, " +
        $"accuracy {(heldOut ? lastReference.HeldOutAccuracy : lastReference.TrainingAccuracy):P1}");
}

static string Microseconds(TimeSpan time) => $"{time.TotalMilliseconds * 1000:N0} us";

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

/// <summary>Softmax kernels generated for the ten digits.</summary>
[SoftmaxKernel(10)]
internal static partial class Digits;
