// SoftmaxGen with ONNX Runtime: a digit classifier trained in PyTorch and exported to ONNX (model/make_model.py)
// returns logits; SoftmaxGen turns them into top-3 probabilities, a mean cross-entropy and an accuracy, reading the
// logits straight from ONNX Runtime's output tensor (no copy, no softmax node in the graph).
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using SoftmaxGen.OnnxSample;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string directory = AppContext.BaseDirectory;
DigitImages heldOut = DigitImages.LoadHeldOut(Path.Combine(directory, "data", "digits.csv.gz"));
using var classifier = new DigitClassifier(Path.Combine(directory, "model", "digits_mlp.onnx"));

// One batch of every held-out image: [360, 64] pixels in, [360, 10] logits out.
using OrtValue output = classifier.Run(heldOut.Pixels);
ReadOnlySpan<float> logits = output.GetTensorDataAsSpan<float>();
Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()} ran model/digits_mlp.onnx on {heldOut.Count} held-out images;");
Console.WriteLine($"SoftmaxGen reads its logits [{heldOut.Count}, {DigitClassifier.Classes}] in place from the output OrtValue.");

// Top-3 per image, most probable first: torch.topk(F.softmax(logits, dim=1), 3). The probabilities are softmax's,
// computed without writing the other seven.
const int k = 3;
var topDigits = new int[heldOut.Count * k];
var topProbabilities = new float[heldOut.Count * k];
DigitKernel.TopK(logits, k, topDigits, topProbabilities);

// Mean cross-entropy against the labels (F.cross_entropy) and the accuracy (argmax), from the same span.
Evaluation evaluation = DigitClassifier.Evaluate(logits, heldOut.Labels);

Console.WriteLine();
Console.WriteLine($"The first images and the model's top {k} (DigitKernel.TopK):");
const int shown = 5, width = 20;
int[] first = Enumerable.Range(0, shown).ToArray();
string[][] drawings = first.Select(heldOut.Draw).ToArray();
for (int line = 0; line < 8; line++)
{
    Console.WriteLine("  " + string.Concat(drawings.Select(d => d[line].PadRight(width))));
}

Console.WriteLine("  " + string.Concat(first.Select(i => $"row {heldOut.Rows[i]}, label {heldOut.Labels[i]}".PadRight(width))));
for (int rank = 0; rank < k; rank++)
{
    Console.WriteLine("  " + string.Concat(first.Select(i => $"{rank + 1}. {topDigits[(i * k) + rank]}  {Probability(topProbabilities[(i * k) + rank])}".PadRight(width))));
}

// Where the model is wrong, the top 3 shows how close it came.
Console.WriteLine();
Console.WriteLine($"The images it gets wrong, with its top {k}:");
for (int i = 0; i < heldOut.Count; i++)
{
    if (evaluation.Predictions[i] != heldOut.Labels[i])
    {
        string top = string.Join(", ", Enumerable.Range(0, k).Select(r => $"{topDigits[(i * k) + r]} ({Probability(topProbabilities[(i * k) + r])})"));
        Console.WriteLine($"  row {heldOut.Rows[i],4}: label {heldOut.Labels[i]}, top {k}: {top}");
    }
}

Console.WriteLine();
Console.WriteLine($"mean cross-entropy (DigitKernel.CrossEntropy) {evaluation.MeanCrossEntropy:0.000000}, " +
    $"accuracy (DigitKernel.Argmax) {evaluation.Accuracy:P2} ({evaluation.Correct} of {heldOut.Count})");

// Three decimals, or three significant digits below 0.001: top-k is where small probabilities are worth reading.
static string Probability(float p) => p >= 0.001f ? p.ToString("0.000", CultureInfo.InvariantCulture) : p.ToString("0.00E+0", CultureInfo.InvariantCulture);
