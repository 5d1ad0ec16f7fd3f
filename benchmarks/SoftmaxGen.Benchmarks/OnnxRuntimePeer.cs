using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;

namespace SoftmaxGen.Benchmarks;

/// <summary>The operator of a one-node model in benchmarks/models.</summary>
public enum OnnxOperator
{
    /// <summary><c>Softmax</c> over the last axis.</summary>
    Softmax,

    /// <summary><c>LogSoftmax</c> over the last axis.</summary>
    LogSoftmax,

    /// <summary><c>SoftmaxCrossEntropyLoss</c> with <c>reduction = "mean"</c> against int64 class labels (float only).</summary>
    CrossEntropyMean,
}

/// <summary>
/// ONNX Runtime's CPU softmax or log-softmax as a peer: one <see cref="InferenceSession"/> over a one-node model
/// (written by benchmarks/models/make_models.py: opset 13, axis = -1, input <c>[N, C]</c> with symbolic dimensions),
/// run on one thread into a preallocated output. Input and output are <see cref="OrtValue"/>s created once over the
/// caller's arrays (ONNX Runtime pins them for the values' lifetime and does not copy), and each call is
/// <c>Run(RunOptions, inputNames, inputValues, outputNames, outputValues)</c>, which writes into the given output;
/// that overload still allocates a few small managed arrays per call (the native name and handle arrays), which the
/// Allocated column shows. Dispose it in the benchmark's <c>[GlobalCleanup]</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class OnnxRuntimePeer<T> : IDisposable
    where T : unmanaged
{
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly OrtValue? _labels;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames = ["output"];
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;

    /// <summary>Loads the model of <paramref name="operation"/> for <typeparamref name="T"/> and binds the arrays as a <c>[rows, classes]</c> input and output.</summary>
    /// <param name="operation">Softmax or log-softmax.</param>
    /// <param name="logits">The input, row-major, <c>rows x classes</c> values; it must stay unchanged in identity (not reallocated) while this object lives.</param>
    /// <param name="output">The output, as long as <paramref name="logits"/>.</param>
    /// <param name="classes">The row length.</param>
    public OnnxRuntimePeer(OnnxOperator operation, T[] logits, T[] output, int classes)
    {
        if (classes <= 0 || logits.Length % classes != 0 || output.Length != logits.Length)
            throw new ArgumentException("The input must be whole rows and the output as long as the input.");
        _inputNames = ["logits"];

        string type = typeof(T) == typeof(float) ? "float" : typeof(T) == typeof(double) ? "double"
            : throw new NotSupportedException($"No model for {typeof(T)}.");
        string path = Path.Combine(AppContext.BaseDirectory, "models", $"{operation.ToString().ToLowerInvariant()}_{type}.onnx");

        _sessionOptions = new SessionOptions
        {
            // One thread, like every other method here: no intra-op pool, no parallel node execution.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            _session = new InferenceSession(path, _sessionOptions);
            _runOptions = new RunOptions();
            long[] shape = [logits.Length / classes, classes];
            _input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(logits), shape);
            _output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(output), shape);
            _inputValues = [_input];
            _outputValues = [_output];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the <c>SoftmaxCrossEntropyLoss</c> model (mean over the rows) for <typeparamref name="T"/> and binds the
    /// logits, the labels (copied once into an int64 array, the type the operator takes) and a one-value output.
    /// </summary>
    /// <param name="logits">The input, row-major, <c>rows x classes</c> values.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="loss">Receives the mean loss in element 0.</param>
    /// <param name="classes">The row length.</param>
    public OnnxRuntimePeer(T[] logits, int[] targets, T[] loss, int classes)
    {
        if (classes <= 0 || logits.Length % classes != 0 || targets.Length != logits.Length / classes || loss.Length != 1)
            throw new ArgumentException("The input must be whole rows, one target per row and a one-value output.");
        _inputNames = ["logits", "labels"];
        string type = typeof(T) == typeof(float) ? "float" : throw new NotSupportedException($"No loss model for {typeof(T)}.");
        string path = Path.Combine(AppContext.BaseDirectory, "models", $"crossentropymean_{type}.onnx");
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            _session = new InferenceSession(path, _sessionOptions);
            _runOptions = new RunOptions();
            long[] labels = Array.ConvertAll(targets, t => (long)t);
            _input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(logits), [targets.Length, classes]);
            _labels = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(labels), [targets.Length]);
            _output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(loss), []);
            _inputValues = [_input, _labels];
            _outputValues = [_output];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Runs the model once: the output array receives softmax or log-softmax of each row of the input array.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputValues, _outputNames, _outputValues);

    /// <summary>Releases the values (unpinning the arrays), the session and the options.</summary>
    public void Dispose()
    {
        _output?.Dispose();
        _labels?.Dispose();
        _input?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
        _sessionOptions?.Dispose();
    }
}
