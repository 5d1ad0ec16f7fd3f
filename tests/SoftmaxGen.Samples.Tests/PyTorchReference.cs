using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace SoftmaxGen.Samples.Tests;

/// <summary>
/// What PyTorch computed from the ONNX sample's held-out images (<c>Golden/digits_mlp_reference.json</c>, written by
/// <c>samples/SoftmaxGen.OnnxSample/model/make_model.py</c> with the model it exported): row-major arrays.
/// </summary>
public sealed class PyTorchReference
{
    private PyTorchReference(JsonElement root)
    {
        Rows = root.GetProperty("rows").GetInt32();
        Classes = root.GetProperty("classes").GetInt32();
        K = root.GetProperty("k").GetInt32();
        HeldOutEvery = root.GetProperty("held_out_every").GetInt32();
        MeanCrossEntropy = root.GetProperty("mean_cross_entropy").GetSingle();
        Accuracy = root.GetProperty("accuracy").GetDouble();
        Labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        TopIndices = Flatten(root.GetProperty("top_indices"), e => e.GetInt32());
        TopProbabilities = Flatten(root.GetProperty("top_probabilities"), e => e.GetSingle());
        Logits = Flatten(root.GetProperty("logits"), e => e.GetSingle());
        if (Labels.Length != Rows || TopIndices.Length != Rows * K || TopProbabilities.Length != Rows * K || Logits.Length != Rows * Classes)
        {
            throw new InvalidDataException("digits_mlp_reference.json: the arrays do not have the sizes its header gives.");
        }
    }

    public int Rows { get; }

    public int Classes { get; }

    /// <summary>The k of <c>torch.topk(F.softmax(logits, dim=1), k)</c>.</summary>
    public int K { get; }

    /// <summary>Held out: the rows of digits.csv.gz whose number is a multiple of this.</summary>
    public int HeldOutEvery { get; }

    /// <summary><c>F.cross_entropy(logits, labels)</c> (mean), float32.</summary>
    public float MeanCrossEntropy { get; }

    /// <summary>The fraction of rows whose argmax is the label.</summary>
    public double Accuracy { get; }

    public int[] Labels { get; }

    /// <summary><c>Rows x K</c> class indices, most probable first.</summary>
    public int[] TopIndices { get; }

    /// <summary><c>Rows x K</c> softmax probabilities of <see cref="TopIndices"/>.</summary>
    public float[] TopProbabilities { get; }

    /// <summary><c>Rows x Classes</c> logits of PyTorch's forward pass.</summary>
    public float[] Logits { get; }

    public static PyTorchReference Load()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "digits_mlp_reference.json")));
        return new PyTorchReference(document.RootElement);
    }

    private static T[] Flatten<T>(JsonElement rows, Func<JsonElement, T> read)
        => rows.EnumerateArray().SelectMany(row => row.EnumerateArray().Select(read)).ToArray();
}
