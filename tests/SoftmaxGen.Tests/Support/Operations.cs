using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SoftmaxGen.Tests;

// ---- The catalogue of operations the robustness tests run ------------------------------------------------
// The guard-page, canary, alignment, property and concurrency tests do not name Softmax, LogSoftmax and the others:
// they loop over Operations.All. Each entry says which buffers the operation reads and writes (as BufferSpecs) and
// how to call it on one SoftmaxImplementation (generated kernel, fallback or SoftmaxPrimitives) for float and double.
//
// To put a new function under every robustness test, add ONE entry to Operations.All, for example
//
//     new("Sigmoid",
//         [BufferSpec.Logits()],                                 // reads rows x classes values
//         [BufferSpec.PerValue("probabilities")],                // writes rows x classes values
//         (i, b) => i.Sigmoid(b.Input<float>(0), b.Output<float>(0)),
//         (i, b) => i.Sigmoid(b.Input<double>(0), b.Output<double>(0)),
//         inPlace: true),                                        // Output 0 may be Input 0
//
// (the call goes through SoftmaxImplementation, so add the method there and to its three subclasses in Kernels.cs;
// a function that only SoftmaxPrimitives has can call it directly and ignore the implementation argument). Buffers:
// up to two inputs and two outputs; the first input is always the logits. BufferKind says how an input is filled
// (logits from the test's value mix, targets as class indices in [0, classes)) and whether an output holds values of
// the element type or ints; the Length function gives its element count from (rows, classes). A reduced result (a
// scalar return value) is written by the entry into a one-element output, so it is compared like any other output.
// An operation whose input is not rows x classes (a middle axis, top-k) states its lengths through the same functions.
// Output names are the API's parameter names: the property tests expect an ArgumentException naming them. The last
// argument, an OperationInvariant, is what the property tests check of output 0 for any input (see Invariants).

/// <summary>How an operation's buffer is filled (inputs) or what it holds (outputs).</summary>
internal enum BufferKind
{
    /// <summary>Input: values of the element type (logits), filled from the test's value mix.</summary>
    Logits,

    /// <summary>Input: one <see cref="int"/> class index per row, in <c>[0, classes)</c>.</summary>
    Targets,

    /// <summary>Output: values of the element type.</summary>
    Values,

    /// <summary>Output: <see cref="int"/> values (indices).</summary>
    Indices,
}

/// <summary>One buffer an operation reads or writes: its name, kind and element count for a shape.</summary>
internal sealed record BufferSpec(string Name, BufferKind Kind, Func<int, int, int> Length)
{
    /// <summary>The <c>rows x classes</c> logits.</summary>
    public static BufferSpec Logits() => new("logits", BufferKind.Logits, static (rows, classes) => rows * classes);

    /// <summary>One class index per row.</summary>
    public static BufferSpec Targets() => new("targets", BufferKind.Targets, static (rows, _) => rows);

    /// <summary>An output of <c>rows x classes</c> values.</summary>
    public static BufferSpec PerValue(string name) => new(name, BufferKind.Values, static (rows, classes) => rows * classes);

    /// <summary>An output of one value per row.</summary>
    public static BufferSpec PerRow(string name) => new(name, BufferKind.Values, static (rows, _) => rows);

    /// <summary>An output of one index per row.</summary>
    public static BufferSpec IndexPerRow(string name) => new(name, BufferKind.Indices, static (rows, _) => rows);

    /// <summary>A single value (a reduced result, written by the catalogue entry).</summary>
    public static BufferSpec Scalar(string name) => new(name, BufferKind.Values, static (_, _) => 1) { IsReturnValue = true };

    /// <summary>The value is the operation's return value, which the catalogue entry stores: the API never sees this buffer.</summary>
    public bool IsReturnValue { get; init; }

    public bool IsInteger => Kind is BufferKind.Targets or BufferKind.Indices;

    /// <summary>Bytes per element when the operation's element type is <paramref name="valueSize"/> bytes wide.</summary>
    public int ElementSize(int valueSize) => IsInteger ? sizeof(int) : valueSize;

    public int ByteLength(int rows, int classes, int valueSize) => Length(rows, classes) * ElementSize(valueSize);
}

/// <summary>The memory one call of an operation uses, as bytes; the catalogue entries view it as typed spans.</summary>
internal readonly ref struct OperationBuffers
{
    private readonly ReadOnlySpan<byte> _input0;
    private readonly ReadOnlySpan<byte> _input1;
    private readonly Span<byte> _output0;
    private readonly Span<byte> _output1;

    public OperationBuffers(ReadOnlySpan<byte> input0, ReadOnlySpan<byte> input1, Span<byte> output0, Span<byte> output1)
    {
        _input0 = input0;
        _input1 = input1;
        _output0 = output0;
        _output1 = output1;
    }

    public ReadOnlySpan<TElement> Input<TElement>(int index)
        where TElement : unmanaged => MemoryMarshal.Cast<byte, TElement>(index == 0 ? _input0 : _input1);

    public Span<TElement> Output<TElement>(int index)
        where TElement : unmanaged => MemoryMarshal.Cast<byte, TElement>(index == 0 ? _output0 : _output1);
}

/// <summary>Calls an operation of <paramref name="implementation"/> on <paramref name="buffers"/>.</summary>
internal delegate void OperationBody(SoftmaxImplementation implementation, OperationBuffers buffers);

/// <summary>One function of the library as the robustness tests see it (see the comment at the top of this file).</summary>
internal sealed class KernelOperation(
    string name,
    BufferSpec[] inputs,
    BufferSpec[] outputs,
    OperationBody single,
    OperationBody @double,
    bool inPlace = false,
    OperationInvariant? invariant = null,
    bool takesClasses = true,
    bool inPlaceOverSecondInput = false,
    bool takesPrecision = false)
{
    public string Name { get; } = name;

    /// <summary>The buffers read; <c>Inputs[0]</c> is the logits.</summary>
    public IReadOnlyList<BufferSpec> Inputs { get; } = inputs;

    /// <summary>The buffers written.</summary>
    public IReadOnlyList<BufferSpec> Outputs { get; } = outputs;

    /// <summary>Output 0 may be the same memory as input 0 (documented in-place use).</summary>
    public bool InPlace { get; } = inPlace;

    /// <summary>Output 0 may also be the same memory as input 1 (the softmax gradients' documented use).</summary>
    public bool InPlaceOverSecondInput { get; } = inPlaceOverSecondInput;

    /// <summary>What must hold of output 0 for any input (checked by the property tests); none if null.</summary>
    public OperationInvariant? Invariant { get; } = invariant;

    /// <summary>Whether the input must hold whole rows of the class count (false for element-wise sigmoid and binary losses).</summary>
    public bool TakesClasses { get; } = takesClasses;

    /// <summary>
    /// Whether the operation takes a <see cref="SoftmaxPrecision"/>: the entry passes the implementation's, and the
    /// robustness tests run it on the Fast implementations too (<see cref="Implementations.For(int, KernelOperation)"/>).
    /// </summary>
    public bool TakesPrecision { get; } = takesPrecision;

    /// <summary>Runs the float or double version, as <typeparamref name="T"/> says.</summary>
    public void Run<T>(SoftmaxImplementation implementation, OperationBuffers buffers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            single(implementation, buffers);
        }
        else
        {
            @double(implementation, buffers);
        }
    }

    public override string ToString() => Name;
}

/// <summary>The catalogue: every operation of the library, for every robustness test.</summary>
internal static class Operations
{
    public static readonly KernelOperation[] All =
    [
        new("Softmax",
            [BufferSpec.Logits()],
            [BufferSpec.PerValue("probabilities")],
            static (i, b) => i.Softmax(b.Input<float>(0), b.Output<float>(0)),
            static (i, b) => i.Softmax(b.Input<double>(0), b.Output<double>(0)),
            inPlace: true,
            Invariants.Softmax,
            takesPrecision: true),
        new("LogSoftmax",
            [BufferSpec.Logits()],
            [BufferSpec.PerValue("logProbabilities")],
            static (i, b) => i.LogSoftmax(b.Input<float>(0), b.Output<float>(0)),
            static (i, b) => i.LogSoftmax(b.Input<double>(0), b.Output<double>(0)),
            inPlace: true,
            Invariants.LogSoftmax,
            takesPrecision: true),
        new("CrossEntropy(Mean)",
            [BufferSpec.Logits(), BufferSpec.Targets()],
            [BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(0)[0] = i.CrossEntropy(b.Input<float>(0), b.Input<int>(1), LossReduction.Mean),
            static (i, b) => b.Output<double>(0)[0] = i.CrossEntropy(b.Input<double>(0), b.Input<int>(1), LossReduction.Mean),
            invariant: Invariants.ReducedLoss),
        new("CrossEntropy(Sum)",
            [BufferSpec.Logits(), BufferSpec.Targets()],
            [BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(0)[0] = i.CrossEntropy(b.Input<float>(0), b.Input<int>(1), LossReduction.Sum),
            static (i, b) => b.Output<double>(0)[0] = i.CrossEntropy(b.Input<double>(0), b.Input<int>(1), LossReduction.Sum),
            invariant: Invariants.ReducedLoss),
        new("CrossEntropy(losses)",
            [BufferSpec.Logits(), BufferSpec.Targets()],
            [BufferSpec.PerRow("losses")],
            static (i, b) => i.CrossEntropy(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0)),
            static (i, b) => i.CrossEntropy(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0)),
            invariant: Invariants.RowLosses),
        new("Argmax",
            [BufferSpec.Logits()],
            [BufferSpec.IndexPerRow("predictions")],
            static (i, b) => i.Argmax(b.Input<float>(0), b.Output<int>(0)),
            static (i, b) => i.Argmax(b.Input<double>(0), b.Output<int>(0)),
            invariant: Invariants.Argmax),

        // The loss family and top-k. Their generated members validate and then call the same runtime
        // code with the constant class count, so "generated" and "dispatch" both run SoftmaxPrimitives here and
        // "fallback" the hidden SoftmaxFallback twin; what these entries prove is that the shared code stays inside
        // its spans, ignores alignment and agrees across implementations. The middle-axis forms see the rows x classes
        // buffer as one [classes, innerSize = rows] plane; sigmoid and the binary loss are element-wise.
        new("CrossEntropyWithGradient(Mean, smoothing 0.1)",
            [BufferSpec.Logits(), BufferSpec.Targets()],
            [BufferSpec.PerValue("logitsGradient"), BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(1)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyWithGradient(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0), i.Classes, LossReduction.Mean, labelSmoothing: 0.1f)
                : SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0), i.Classes, LossReduction.Mean, labelSmoothing: 0.1f),
            static (i, b) => b.Output<double>(1)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyWithGradient(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0), i.Classes, LossReduction.Mean, labelSmoothing: 0.1)
                : SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0), i.Classes, LossReduction.Mean, labelSmoothing: 0.1),
            inPlace: true),
        new("CrossEntropyWithGradient(Sum)",
            [BufferSpec.Logits(), BufferSpec.Targets()],
            [BufferSpec.PerValue("logitsGradient"), BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(1)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyWithGradient(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0), i.Classes, LossReduction.Sum)
                : SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0), i.Classes, LossReduction.Sum),
            static (i, b) => b.Output<double>(1)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyWithGradient(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0), i.Classes, LossReduction.Sum)
                : SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0), i.Classes, LossReduction.Sum),
            inPlace: true),
        new("CrossEntropy(losses, classWeights)",
            [BufferSpec.Logits(), BufferSpec.Targets()],
            [BufferSpec.PerRow("losses")],
            static (i, b) =>
            {
                Span<float> weights = stackalloc float[i.Classes];
                FillWeights(weights);
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropy(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0), i.Classes, weights);
                else
                    SoftmaxPrimitives.CrossEntropy(b.Input<float>(0), b.Input<int>(1), b.Output<float>(0), i.Classes, weights);
            },
            static (i, b) =>
            {
                Span<double> weights = stackalloc double[i.Classes];
                FillWeights(weights);
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropy(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0), i.Classes, weights);
                else
                    SoftmaxPrimitives.CrossEntropy(b.Input<double>(0), b.Input<int>(1), b.Output<double>(0), i.Classes, weights);
            }),
        new("CrossEntropy(targetProbabilities, losses)",
            [BufferSpec.Logits(), new("targetProbabilities", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [BufferSpec.PerRow("losses")],
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropy(b.Input<float>(0), b.Input<float>(1), b.Output<float>(0), i.Classes);
                else
                    SoftmaxPrimitives.CrossEntropy(b.Input<float>(0), b.Input<float>(1), b.Output<float>(0), i.Classes);
            },
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropy(b.Input<double>(0), b.Input<double>(1), b.Output<double>(0), i.Classes);
                else
                    SoftmaxPrimitives.CrossEntropy(b.Input<double>(0), b.Input<double>(1), b.Output<double>(0), i.Classes);
            }),
        new("NllLoss(Mean)",
            [new("logProbabilities", BufferKind.Logits, static (rows, classes) => rows * classes), BufferSpec.Targets()],
            [BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(0)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.NllLoss(b.Input<float>(0), b.Input<int>(1), i.Classes)
                : SoftmaxPrimitives.NllLoss(b.Input<float>(0), b.Input<int>(1), i.Classes),
            static (i, b) => b.Output<double>(0)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.NllLoss(b.Input<double>(0), b.Input<int>(1), i.Classes)
                : SoftmaxPrimitives.NllLoss(b.Input<double>(0), b.Input<int>(1), i.Classes)),
        new("SoftmaxGradient",
            [new("probabilities", BufferKind.Logits, static (rows, classes) => rows * classes), new("outputGradient", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [BufferSpec.PerValue("inputGradient")],
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.SoftmaxGradient(b.Input<float>(0), b.Input<float>(1), b.Output<float>(0), i.Classes);
                else
                    SoftmaxPrimitives.SoftmaxGradient(b.Input<float>(0), b.Input<float>(1), b.Output<float>(0), i.Classes);
            },
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.SoftmaxGradient(b.Input<double>(0), b.Input<double>(1), b.Output<double>(0), i.Classes);
                else
                    SoftmaxPrimitives.SoftmaxGradient(b.Input<double>(0), b.Input<double>(1), b.Output<double>(0), i.Classes);
            },
            inPlace: true,
            inPlaceOverSecondInput: true),
        new("LogSoftmaxGradient",
            [new("logProbabilities", BufferKind.Logits, static (rows, classes) => rows * classes), new("outputGradient", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [BufferSpec.PerValue("inputGradient")],
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.LogSoftmaxGradient(b.Input<float>(0), b.Input<float>(1), b.Output<float>(0), i.Classes);
                else
                    SoftmaxPrimitives.LogSoftmaxGradient(b.Input<float>(0), b.Input<float>(1), b.Output<float>(0), i.Classes);
            },
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.LogSoftmaxGradient(b.Input<double>(0), b.Input<double>(1), b.Output<double>(0), i.Classes);
                else
                    SoftmaxPrimitives.LogSoftmaxGradient(b.Input<double>(0), b.Input<double>(1), b.Output<double>(0), i.Classes);
            },
            inPlace: true,
            inPlaceOverSecondInput: true),
        new("Softmax(classes, innerSize)",
            [new("input", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [new("output", BufferKind.Values, static (rows, classes) => rows * classes)],
            static (i, b) =>
            {
                int inner = Math.Max(1, b.Input<float>(0).Length / i.Classes);
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.Axis(b.Input<float>(0), b.Output<float>(0), i.Classes, inner, log: false, i.Precision);
                else
                    SoftmaxPrimitives.Softmax(b.Input<float>(0), b.Output<float>(0), i.Classes, inner, i.Precision);
            },
            static (i, b) =>
            {
                int inner = Math.Max(1, b.Input<double>(0).Length / i.Classes);
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.Axis(b.Input<double>(0), b.Output<double>(0), i.Classes, inner, log: false, i.Precision);
                else
                    SoftmaxPrimitives.Softmax(b.Input<double>(0), b.Output<double>(0), i.Classes, inner, i.Precision);
            },
            inPlace: true,
            takesPrecision: true),
        new("LogSoftmax(classes, innerSize)",
            [new("input", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [new("output", BufferKind.Values, static (rows, classes) => rows * classes)],
            static (i, b) =>
            {
                int inner = Math.Max(1, b.Input<float>(0).Length / i.Classes);
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.Axis(b.Input<float>(0), b.Output<float>(0), i.Classes, inner, log: true, i.Precision);
                else
                    SoftmaxPrimitives.LogSoftmax(b.Input<float>(0), b.Output<float>(0), i.Classes, inner, i.Precision);
            },
            static (i, b) =>
            {
                int inner = Math.Max(1, b.Input<double>(0).Length / i.Classes);
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.Axis(b.Input<double>(0), b.Output<double>(0), i.Classes, inner, log: true, i.Precision);
                else
                    SoftmaxPrimitives.LogSoftmax(b.Input<double>(0), b.Output<double>(0), i.Classes, inner, i.Precision);
            },
            inPlace: true,
            takesPrecision: true),
        new("Sigmoid",
            [BufferSpec.Logits()],
            [BufferSpec.PerValue("probabilities")],
            static (i, b) => SoftmaxPrimitives.Sigmoid(b.Input<float>(0), b.Output<float>(0)),
            static (i, b) => SoftmaxPrimitives.Sigmoid(b.Input<double>(0), b.Output<double>(0)),
            inPlace: true,
            takesClasses: false),
        new("BinaryCrossEntropyWithLogits(Mean, positiveWeight 2)",
            [BufferSpec.Logits(), new("targets", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(0)[0] = SoftmaxPrimitives.BinaryCrossEntropyWithLogits(b.Input<float>(0), b.Input<float>(1), LossReduction.Mean, 2f),
            static (i, b) => b.Output<double>(0)[0] = SoftmaxPrimitives.BinaryCrossEntropyWithLogits(b.Input<double>(0), b.Input<double>(1), LossReduction.Mean, 2.0),
            takesClasses: false),
        new("CrossEntropyFromProbabilities(targets)",
            [new("probabilities", BufferKind.Logits, static (rows, classes) => rows * classes), BufferSpec.Targets()],
            [BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(0)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyFromProbabilities(b.Input<float>(0), b.Input<int>(1), i.Classes)
                : SoftmaxPrimitives.CrossEntropyFromProbabilities(b.Input<float>(0), b.Input<int>(1), i.Classes),
            static (i, b) => b.Output<double>(0)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyFromProbabilities(b.Input<double>(0), b.Input<int>(1), i.Classes)
                : SoftmaxPrimitives.CrossEntropyFromProbabilities(b.Input<double>(0), b.Input<int>(1), i.Classes)),
        new("CrossEntropyFromProbabilities(targetProbabilities)",
            [new("probabilities", BufferKind.Logits, static (rows, classes) => rows * classes), new("targetProbabilities", BufferKind.Logits, static (rows, classes) => rows * classes)],
            [BufferSpec.Scalar("loss")],
            static (i, b) => b.Output<float>(0)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyFromProbabilities(b.Input<float>(0), b.Input<float>(1), i.Classes)
                : SoftmaxPrimitives.CrossEntropyFromProbabilities(b.Input<float>(0), b.Input<float>(1), i.Classes),
            static (i, b) => b.Output<double>(0)[0] = IsFallback(i)
                ? SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyFromProbabilities(b.Input<double>(0), b.Input<double>(1), i.Classes)
                : SoftmaxPrimitives.CrossEntropyFromProbabilities(b.Input<double>(0), b.Input<double>(1), i.Classes)),
        new("TopK(2)",
            [BufferSpec.Logits()],
            [new("indices", BufferKind.Indices, static (rows, classes) => rows * Math.Min(2, classes)), new("probabilities", BufferKind.Values, static (rows, classes) => rows * Math.Min(2, classes))],
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.TopK(b.Input<float>(0), Math.Min(2, i.Classes), b.Output<int>(0), b.Output<float>(1), i.Classes, i.Precision);
                else
                    SoftmaxPrimitives.TopK(b.Input<float>(0), Math.Min(2, i.Classes), b.Output<int>(0), b.Output<float>(1), i.Classes, i.Precision);
            },
            static (i, b) =>
            {
                if (IsFallback(i))
                    SoftmaxGen.Kernels.SoftmaxFallback.TopK(b.Input<double>(0), Math.Min(2, i.Classes), b.Output<int>(0), b.Output<double>(1), i.Classes, i.Precision);
                else
                    SoftmaxPrimitives.TopK(b.Input<double>(0), Math.Min(2, i.Classes), b.Output<int>(0), b.Output<double>(1), i.Classes, i.Precision);
            },
            takesPrecision: true),
        new("LogSumExp",
            [BufferSpec.Logits()],
            [BufferSpec.PerRow("results")],
            static (i, b) => SoftmaxPrimitives.LogSumExp(b.Input<float>(0), b.Output<float>(0), i.Classes, i.Precision),
            static (i, b) => SoftmaxPrimitives.LogSumExp(b.Input<double>(0), b.Output<double>(0), i.Classes, i.Precision),
            takesPrecision: true),
        new("CausalSoftmax(scale 0.5, offset 1)",
            [BufferSpec.Logits()],
            [BufferSpec.PerValue("probabilities")],
            static (i, b) => SoftmaxPrimitives.CausalSoftmax(b.Input<float>(0), b.Output<float>(0), i.Classes, 0.5f, 1, default, MaskedRowResult.Zeros, i.Precision),
            static (i, b) => SoftmaxPrimitives.CausalSoftmax(b.Input<double>(0), b.Output<double>(0), i.Classes, 0.5, 1, default, MaskedRowResult.Zeros, i.Precision),
            inPlace: true,
            takesPrecision: true),
        new("ScaledLogSoftmax(scale 2, row bias)",
            [BufferSpec.Logits(), new("bias", BufferKind.Logits, static (_, classes) => classes)],
            [BufferSpec.PerValue("logProbabilities")],
            static (i, b) => SoftmaxPrimitives.ScaledLogSoftmax(b.Input<float>(0), b.Output<float>(0), i.Classes, 2f, b.Input<float>(1), MaskedRowResult.NaN, i.Precision),
            static (i, b) => SoftmaxPrimitives.ScaledLogSoftmax(b.Input<double>(0), b.Output<double>(0), i.Classes, 2.0, b.Input<double>(1), MaskedRowResult.NaN, i.Precision),
            inPlace: true,
            takesPrecision: true),
    ];

    /// <summary>The operations SoftmaxPrimitives runs through a registered kernel (the others run shared runtime code).</summary>
    public static bool DispatchesToKernel(KernelOperation operation) => Array.IndexOf(All, operation) < KernelDispatchedCount;

    // The first six entries (Softmax ... Argmax) are what a SoftmaxKernel implements.
    private const int KernelDispatchedCount = 6;

    private static bool IsFallback(SoftmaxImplementation implementation) => implementation.IsFallback;

    // Class weights 0.5, 0.75, ..., 2 repeating: exact in float, different per class.
    private static void FillWeights<T>(Span<T> weights)
        where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < weights.Length; j++)
        {
            weights[j] = T.CreateTruncating(0.5 + 0.25 * (j % 7));
        }
    }

    public static KernelOperation Get(string name) =>
        All.SingleOrDefault(o => o.Name == name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "not in Operations.All");

    /// <summary>Theory data: every operation name.</summary>
    public static IEnumerable<object[]> Names() => All.Select(o => new object[] { o.Name });

    /// <summary>Theory data: every operation name with "float" and "double".</summary>
    public static IEnumerable<object[]> NamesAndTypes() =>
        All.SelectMany(o => new[] { new object[] { o.Name, "float" }, new object[] { o.Name, "double" } });
}

/// <summary>Checks what must hold of an operation's output 0 for any input; reports through <see cref="InvariantContext.Fail"/>.</summary>
internal delegate void OperationInvariant(InvariantContext context);

/// <summary>One call's inputs and output 0, as doubles (exact for float; ints for index outputs), for an invariant.</summary>
internal sealed class InvariantContext(double[] logits, int[] targets, int classes, double[] output, double epsilon, string where, Failures failures, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
{
    public double[] Logits { get; } = logits;

    public int[] Targets { get; } = targets;

    public int Classes { get; } = classes;

    public int Rows { get; } = targets.Length;

    public double[] Output { get; } = output;

    /// <summary>The element type's machine epsilon: 2^-23 (float) or 2^-52 (double).</summary>
    public double Epsilon { get; } = epsilon;

    /// <summary>The precision of the implementation that computed the output.</summary>
    public SoftmaxPrecision Precision { get; } = precision;

    /// <summary>
    /// What <see cref="SoftmaxPrecision.Fast"/> adds to a row's sum bound: each output may be off by |x - max| u more
    /// (u = eps / 2, the rounding of x - max), and the probability-weighted sum of |x - max| over a row is at most ln C
    /// (it is the row's entropy minus ln of the sum of e^(x - max), which is at least 0). Zero for Exact.
    /// </summary>
    public double FastRowAllowance => Precision == SoftmaxPrecision.Fast ? Epsilon / 2 * Math.Log(Classes) : 0;

    /// <summary>float.MaxValue or double.MaxValue.</summary>
    public double MaxValue => Epsilon == Ulp.Of<float>(1.0) ? float.MaxValue : double.MaxValue;

    public ReadOnlySpan<double> Row(int row) => Logits.AsSpan(row * Classes, Classes);

    /// <summary>Whether <c>x[j] - max(row)</c> is beyond the element type's range (then -inf is the right result for log-softmax).</summary>
    public bool DifferenceOverflows(int row, int j)
    {
        ReadOnlySpan<double> values = Row(row);
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }

        return !(values[j] - max >= -MaxValue);
    }

    /// <summary>NaN or +inf in the row, or only -inf: every result of the row is NaN (PyTorch's semantics, README).</summary>
    public bool RowIsNaN(int row) => Reference.IsNaNRow<double>(Row(row));

    public void Fail(string message) => failures.Add($"{where}: {message}");
}

/// <summary>The invariants of the catalogue's operations (README's semantics and accuracy bounds).</summary>
internal static class Invariants
{
    /// <summary>
    /// NaN rows give NaN everywhere; otherwise every probability is in [0, 1], a -inf logit's is exactly 0, and the row
    /// sums to 1 within 5 eps (each output is within 4 ULP of the correctly rounded value, itself within half an ULP,
    /// and an ULP is at most eps times the value) plus 4 ULP of 1e-30 per class for the outputs below 1e-30; Fast adds
    /// (eps / 2) ln C (<see cref="InvariantContext.FastRowAllowance"/>) and its double threshold is 1e-300.
    /// </summary>
    public static void Softmax(InvariantContext c)
    {
        bool isFloat = c.Epsilon == Ulp.Of<float>(1.0);
        double threshold = c.Precision == SoftmaxPrecision.Fast && !isFloat ? 1e-300 : 1e-30;
        double bound = (5 * c.Epsilon) + (c.Classes * 4 * (isFloat ? Ulp.Of<float>(threshold) : Ulp.Of<double>(threshold))) + c.FastRowAllowance;
        for (int r = 0; r < c.Rows; r++)
        {
            ReadOnlySpan<double> p = c.Output.AsSpan(r * c.Classes, c.Classes);
            if (c.RowIsNaN(r))
            {
                if (!AllNaN(p))
                {
                    c.Fail($"row {r} has NaN or +inf or only -inf, but its probabilities are not all NaN");
                }

                continue;
            }

            DoubleDouble sum = DoubleDouble.Zero;
            for (int j = 0; j < p.Length; j++)
            {
                if (!(p[j] >= 0 && p[j] <= 1))
                {
                    c.Fail($"row {r} probability [{j}] = {p[j]:R} is outside [0, 1]");
                }
                else if (double.IsNegativeInfinity(c.Row(r)[j]) && p[j] != 0)
                {
                    c.Fail($"row {r}: logit [{j}] is -inf but its probability is {p[j]:R}");
                }

                sum += p[j];
            }

            double error = Math.Abs((sum.Hi - 1) + sum.Lo);
            if (!(error <= bound))
            {
                c.Fail($"row {r} sums to 1 + {error:E3}, more than {bound:E3} away");
            }
        }
    }

    /// <summary>
    /// NaN rows give NaN; otherwise every log-probability is &lt;= 0 (-inf exactly for a -inf logit), and the
    /// exponentials sum to 1 within eps (4 (1 + ln C) + 4): each is within 4 ULP of max(|r|, 1), and the sum of p |r| is
    /// the row's entropy, at most ln C. Fast adds (eps / 2) ln C (<see cref="InvariantContext.FastRowAllowance"/>).
    /// </summary>
    public static void LogSoftmax(InvariantContext c)
    {
        double bound = (c.Epsilon * ((4 * (1 + Math.Log(c.Classes))) + 4)) + c.FastRowAllowance;
        for (int r = 0; r < c.Rows; r++)
        {
            ReadOnlySpan<double> y = c.Output.AsSpan(r * c.Classes, c.Classes);
            if (c.RowIsNaN(r))
            {
                if (!AllNaN(y))
                {
                    c.Fail($"row {r} has NaN or +inf or only -inf, but its log-probabilities are not all NaN");
                }

                continue;
            }

            DoubleDouble sum = DoubleDouble.Zero;
            for (int j = 0; j < y.Length; j++)
            {
                if (!(y[j] <= 0))
                {
                    c.Fail($"row {r} log-probability [{j}] = {y[j]:R} is not <= 0");
                }
                else if (double.IsNegativeInfinity(c.Row(r)[j]) != double.IsNegativeInfinity(y[j]) && !c.DifferenceOverflows(r, j))
                {
                    c.Fail($"row {r} [{j}]: logit {c.Row(r)[j]:R} gives log-probability {y[j]:R} (-inf exactly when the logit is -inf or x - max overflows)");
                }

                sum += Math.Exp(y[j]);
            }

            double error = Math.Abs((sum.Hi - 1) + sum.Lo);
            if (!(error <= bound))
            {
                c.Fail($"row {r}: the exponentials of the log-probabilities sum to 1 + {error:E3}, more than {bound:E3} away");
            }
        }
    }

    /// <summary>NaN rows give NaN; otherwise the loss is &gt;= 0, and +inf exactly when the target logit is -inf (or max - x overflows).</summary>
    public static void RowLosses(InvariantContext c)
    {
        for (int r = 0; r < c.Rows; r++)
        {
            double loss = c.Output[r];
            if (c.RowIsNaN(r))
            {
                if (!double.IsNaN(loss))
                {
                    c.Fail($"row {r} has NaN or +inf or only -inf, but its loss is {loss:R}");
                }
            }
            else if (!(loss >= 0))
            {
                c.Fail($"row {r} loss {loss:R} is not >= 0");
            }
            else if (double.IsNegativeInfinity(c.Row(r)[c.Targets[r]]) != double.IsPositiveInfinity(loss) && !c.DifferenceOverflows(r, c.Targets[r]))
            {
                c.Fail($"row {r}: target logit {c.Row(r)[c.Targets[r]]:R} gives loss {loss:R} (+inf exactly when the target logit is -inf or max - x overflows)");
            }
        }
    }

    /// <summary>A mean or sum: NaN if any row is NaN (and a mean of zero rows is NaN), otherwise &gt;= 0.</summary>
    public static void ReducedLoss(InvariantContext c)
    {
        double loss = c.Output[0];
        bool anyNaN = Enumerable.Range(0, c.Rows).Any(c.RowIsNaN);
        if (anyNaN && !double.IsNaN(loss))
        {
            c.Fail($"a row is NaN, but the reduced loss is {loss:R}");
        }
        else if (!anyNaN && !double.IsNaN(loss) && !(loss >= 0))
        {
            c.Fail($"the reduced loss {loss:R} is not >= 0");
        }
        else if (!anyNaN && c.Rows > 0 && double.IsNaN(loss))
        {
            c.Fail("no row is NaN, but the reduced loss is NaN");
        }
    }

    /// <summary>torch.argmax: the first NaN, otherwise the first maximum.</summary>
    public static void Argmax(InvariantContext c)
    {
        for (int r = 0; r < c.Rows; r++)
        {
            int expected = Reference.FirstMaxIndex<double>(c.Row(r));
            if (c.Output[r] != expected)
            {
                c.Fail($"row {r}: argmax {c.Output[r]}, expected {expected} (the first NaN, else the first maximum)");
            }
        }
    }

    private static bool AllNaN(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsNaN(v))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// One shape's inputs for every operation: logits and targets as bytes, so that tests can copy them into any memory
/// (guarded pages, canary buffers, misaligned addresses) and run <see cref="KernelOperation"/>s on them.
/// </summary>
internal sealed class OperationInputs
{
    private readonly byte[] _logits;
    private readonly byte[] _targets;

    private OperationInputs(int rows, int classes, int valueSize, byte[] logits, byte[] targets)
    {
        Rows = rows;
        Classes = classes;
        ValueSize = valueSize;
        _logits = logits;
        _targets = targets;
    }

    public int Rows { get; }

    public int Classes { get; }

    /// <summary><c>sizeof(T)</c> of the element type.</summary>
    public int ValueSize { get; }

    public static OperationInputs Create<T>(T[] logits, int[] targets, int classes)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(targets.Length, classes, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(),
            MemoryMarshal.AsBytes(logits.AsSpan()).ToArray(), MemoryMarshal.AsBytes(targets.AsSpan()).ToArray());

    /// <summary>Seeded logits from <see cref="ValueMix"/> and uniform targets.</summary>
    public static OperationInputs Random<T>(int rows, int classes, Random random, double specialFraction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] logits = ValueMix.Create<T>(rows * classes, random, specialFraction);
        return Create(logits, LogitGenerator.Targets(rows, classes, random), classes);
    }

    /// <summary>The bytes of input <paramref name="spec"/>.</summary>
    public ReadOnlySpan<byte> Bytes(BufferSpec spec) => spec.Kind switch
    {
        BufferKind.Logits => _logits,
        BufferKind.Targets => _targets,
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "not an input kind"),
    };

    public int OutputBytes(BufferSpec spec) => spec.ByteLength(Rows, Classes, ValueSize);

    /// <summary>
    /// Runs <paramref name="operation"/> on fresh arrays holding these inputs and returns its outputs' bytes. Outputs
    /// start filled with <paramref name="fill"/>, so two runs with different fills also show an element left unwritten.
    /// </summary>
    public byte[][] RunOnArrays<T>(KernelOperation operation, SoftmaxImplementation implementation, byte fill = 0xA5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] input0 = Bytes(operation.Inputs[0]).ToArray();
        byte[] input1 = operation.Inputs.Count > 1 ? Bytes(operation.Inputs[1]).ToArray() : [];
        var outputs = new byte[operation.Outputs.Count][];
        for (int o = 0; o < outputs.Length; o++)
        {
            outputs[o] = new byte[OutputBytes(operation.Outputs[o])];
            outputs[o].AsSpan().Fill(fill);
        }

        operation.Run<T>(implementation, new OperationBuffers(input0, input1, outputs[0], outputs.Length > 1 ? outputs[1] : []));
        return outputs;
    }
}

/// <summary>
/// Logits for robustness tests: mostly N(0, 25), with a fraction of special values (NaN, ±inf, subnormals, ±MaxValue,
/// ±0, huge and tiny magnitudes) placed anywhere, so rows with and without them are both common.
/// </summary>
internal static class ValueMix
{
    public static T[] Create<T>(int count, Random random, double specialFraction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextDouble() < specialFraction ? Special<T>(random) : T.CreateTruncating(5 * LogitGenerator.Normal(random));
        }

        return values;
    }

    /// <summary>One special value, uniformly among the kinds.</summary>
    public static T Special<T>(Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        return random.Next(14) switch
        {
            0 => T.NaN,
            1 => T.PositiveInfinity,
            2 => T.NegativeInfinity,
            3 => T.NegativeInfinity,
            4 => MaxValue<T>(),
            5 => -MaxValue<T>(),
            6 => T.NegativeZero,
            7 => T.Zero,
            8 => T.Epsilon * T.CreateTruncating(random.Next(1, 1000)), // subnormal
            9 => -T.Epsilon,
            10 => T.CreateTruncating((random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.Next(-45, 39))), // huge spread
            11 => T.CreateTruncating(random.Next(-3, 4)), // ties
            12 => NaNWithPayload<T>(random),
            _ => T.CreateTruncating((random.NextDouble() - 0.5) * 2e4),
        };
    }

    /// <summary>float.MaxValue or double.MaxValue.</summary>
    public static T MaxValue<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? T.CreateTruncating(float.MaxValue) : T.CreateTruncating(double.MaxValue);

    /// <summary>A NaN with a random payload and sign (the kernels must treat any NaN as NaN).</summary>
    public static T NaNWithPayload<T>(Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            uint bits = 0x7F80_0000u | (uint)random.Next(1, 0x80_0000) | (random.Next(2) == 0 ? 0x8000_0000u : 0);
            return T.CreateTruncating(BitConverter.UInt32BitsToSingle(bits));
        }

        ulong dbits = 0x7FF0_0000_0000_0000ul | ((ulong)random.NextInt64(1, 1L << 52)) | (random.Next(2) == 0 ? 0x8000_0000_0000_0000ul : 0);
        return T.CreateTruncating(BitConverter.UInt64BitsToDouble(dbits));
    }
}

/// <summary>Compares an operation's outputs element by element.</summary>
internal static class OutputComparison
{
    /// <summary>
    /// Adds a failure naming the first differing element of output <paramref name="spec"/> when <paramref name="actual"/>
    /// is not <paramref name="expected"/>: bit for bit, except that any NaN equals any NaN. The payload and sign of a NaN
    /// result are not specified: x86 propagates the first operand's NaN, and the JIT may swap the operands of a
    /// commutative operation between tiers, so the same call can return NaNs with different payloads.
    /// </summary>
    /// <returns>Whether the outputs are the same.</returns>
    public static bool Same(BufferSpec spec, int valueSize, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string where, Failures failures)
    {
        if (expected.SequenceEqual(actual))
        {
            return true;
        }

        if (expected.Length != actual.Length)
        {
            failures.Add($"{where}: {actual.Length} bytes, expected {expected.Length}");
            return false;
        }

        int size = spec.ElementSize(valueSize);
        for (int i = 0; i < expected.Length / size; i++)
        {
            ReadOnlySpan<byte> e = expected.Slice(i * size, size), a = actual.Slice(i * size, size);
            if (e.SequenceEqual(a) || (!spec.IsInteger && IsNaN(e) && IsNaN(a)))
            {
                continue;
            }

            failures.Add($"{where}: {spec.Name}[{i}] is {Describe(spec, a)}, expected {Describe(spec, e)} (from the same implementation on ordinary arrays)");
            return false;
        }

        return true;
    }

    private static bool IsNaN(ReadOnlySpan<byte> value) =>
        value.Length == sizeof(float) ? float.IsNaN(MemoryMarshal.Read<float>(value)) : double.IsNaN(MemoryMarshal.Read<double>(value));

    private static string Describe(BufferSpec spec, ReadOnlySpan<byte> value) => spec.IsInteger
        ? MemoryMarshal.Read<int>(value).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : value.Length == sizeof(float)
            ? $"{Verifier.Format(MemoryMarshal.Read<float>(value))} (0x{MemoryMarshal.Read<uint>(value):X8})"
            : $"{Verifier.Format(MemoryMarshal.Read<double>(value))} (0x{MemoryMarshal.Read<ulong>(value):X16})";
}
