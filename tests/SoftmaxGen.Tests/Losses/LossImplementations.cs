using System;
using System.Collections.Generic;
using System.Numerics;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Tests;

// ---- The loss family under test, whatever implements it -----------------------------------------------------
// The generated kernels of Kernels.cs (and one more for 10 classes) get the loss members from the generator;
// SoftmaxFallback and SoftmaxPrimitives take the class count. Each implementation is a set of delegates per element
// type, so tests are written once.

[SoftmaxKernel(10)]
internal static partial class LossKernel10;

internal delegate T ClassLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing);

internal delegate void ClassLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing);

internal delegate T ClassLossGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> logitsGradient, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex, T labelSmoothing);

internal delegate T ProbabilityLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, LossReduction reduction, T labelSmoothing);

internal delegate void ProbabilityLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> losses, T labelSmoothing);

internal delegate T ProbabilityLossGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> logitsGradient, LossReduction reduction, T labelSmoothing);

internal delegate T NllLossFunction<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, LossReduction reduction, ReadOnlySpan<T> classWeights, int ignoreIndex);

internal delegate T KerasLoss<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targetProbabilities, LossReduction reduction, T epsilon);

internal delegate T KerasSparseLoss<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> targets, LossReduction reduction, T epsilon);

internal delegate void Backward<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> outputGradient, Span<T> inputGradient);

/// <summary>One implementation's loss members for one element type.</summary>
internal sealed record LossOps<T>(
    ClassLoss<T> CrossEntropy,
    ClassLosses<T> CrossEntropyPerRow,
    ClassLossGradient<T> CrossEntropyWithGradient,
    ProbabilityLoss<T> ProbabilityCrossEntropy,
    ProbabilityLosses<T> ProbabilityCrossEntropyPerRow,
    ProbabilityLossGradient<T> ProbabilityCrossEntropyWithGradient,
    NllLossFunction<T> NllLoss,
    KerasLoss<T> FromProbabilities,
    KerasSparseLoss<T> FromProbabilitiesSparse,
    Backward<T> SoftmaxGradient,
    Backward<T> LogSoftmaxGradient);

/// <summary>The loss members of "generated", "fallback" or "dispatch" for one class count.</summary>
internal sealed class LossImplementation(string name, int classes, LossOps<float> single, LossOps<double> @double)
{
    /// <summary>The class counts with a generated kernel whose loss members are wired here.</summary>
    public static readonly int[] GeneratedClassCounts = [1, 2, 3, 10, 17, 100, 1000];

    public string Name { get; } = name;

    public int Classes { get; } = classes;

    public LossOps<T> Ops<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => (LossOps<T>)(object)(typeof(T) == typeof(float) ? single : @double);

    public override string ToString() => $"{Name} (C={Classes})";

    public static LossImplementation Fallback(int classes) => new("fallback", classes,
            new LossOps<float>(
                (x, t, r, w, i, s) => SoftmaxFallback.CrossEntropy(x, t, classes, r, w, i, s),
                (x, t, l, w, i, s) => SoftmaxFallback.CrossEntropy(x, t, l, classes, w, i, s),
                (x, t, g, r, w, i, s) => SoftmaxFallback.CrossEntropyWithGradient(x, t, g, classes, r, w, i, s),
                (x, p, r, s) => SoftmaxFallback.CrossEntropy(x, p, classes, r, s),
                (x, p, l, s) => SoftmaxFallback.CrossEntropy(x, p, l, classes, s),
                (x, p, g, r, s) => SoftmaxFallback.CrossEntropyWithGradient(x, p, g, classes, r, s),
                (x, t, r, w, i) => SoftmaxFallback.NllLoss(x, t, classes, r, w, i),
                (x, p, r, e) => SoftmaxFallback.CrossEntropyFromProbabilities(x, p, classes, r, e),
                (x, t, r, e) => SoftmaxFallback.CrossEntropyFromProbabilities(x, t, classes, r, e),
                (y, g, d) => SoftmaxFallback.SoftmaxGradient(y, g, d, classes),
                (y, g, d) => SoftmaxFallback.LogSoftmaxGradient(y, g, d, classes)),
            new LossOps<double>(
                (x, t, r, w, i, s) => SoftmaxFallback.CrossEntropy(x, t, classes, r, w, i, s),
                (x, t, l, w, i, s) => SoftmaxFallback.CrossEntropy(x, t, l, classes, w, i, s),
                (x, t, g, r, w, i, s) => SoftmaxFallback.CrossEntropyWithGradient(x, t, g, classes, r, w, i, s),
                (x, p, r, s) => SoftmaxFallback.CrossEntropy(x, p, classes, r, s),
                (x, p, l, s) => SoftmaxFallback.CrossEntropy(x, p, l, classes, s),
                (x, p, g, r, s) => SoftmaxFallback.CrossEntropyWithGradient(x, p, g, classes, r, s),
                (x, t, r, w, i) => SoftmaxFallback.NllLoss(x, t, classes, r, w, i),
                (x, p, r, e) => SoftmaxFallback.CrossEntropyFromProbabilities(x, p, classes, r, e),
                (x, t, r, e) => SoftmaxFallback.CrossEntropyFromProbabilities(x, t, classes, r, e),
                (y, g, d) => SoftmaxFallback.SoftmaxGradient(y, g, d, classes),
                (y, g, d) => SoftmaxFallback.LogSoftmaxGradient(y, g, d, classes)));

    public static LossImplementation Dispatch(int classes) => new("dispatch", classes,
            new LossOps<float>(
                (x, t, r, w, i, s) => SoftmaxPrimitives.CrossEntropy(x, t, classes, r, w, i, s),
                (x, t, l, w, i, s) => SoftmaxPrimitives.CrossEntropy(x, t, l, classes, w, i, s),
                (x, t, g, r, w, i, s) => SoftmaxPrimitives.CrossEntropyWithGradient(x, t, g, classes, r, w, i, s),
                (x, p, r, s) => SoftmaxPrimitives.CrossEntropy(x, p, classes, r, s),
                (x, p, l, s) => SoftmaxPrimitives.CrossEntropy(x, p, l, classes, s),
                (x, p, g, r, s) => SoftmaxPrimitives.CrossEntropyWithGradient(x, p, g, classes, r, s),
                (x, t, r, w, i) => SoftmaxPrimitives.NllLoss(x, t, classes, r, w, i),
                (x, p, r, e) => SoftmaxPrimitives.CrossEntropyFromProbabilities(x, p, classes, r, e),
                (x, t, r, e) => SoftmaxPrimitives.CrossEntropyFromProbabilities(x, t, classes, r, e),
                (y, g, d) => SoftmaxPrimitives.SoftmaxGradient(y, g, d, classes),
                (y, g, d) => SoftmaxPrimitives.LogSoftmaxGradient(y, g, d, classes)),
            new LossOps<double>(
                (x, t, r, w, i, s) => SoftmaxPrimitives.CrossEntropy(x, t, classes, r, w, i, s),
                (x, t, l, w, i, s) => SoftmaxPrimitives.CrossEntropy(x, t, l, classes, w, i, s),
                (x, t, g, r, w, i, s) => SoftmaxPrimitives.CrossEntropyWithGradient(x, t, g, classes, r, w, i, s),
                (x, p, r, s) => SoftmaxPrimitives.CrossEntropy(x, p, classes, r, s),
                (x, p, l, s) => SoftmaxPrimitives.CrossEntropy(x, p, l, classes, s),
                (x, p, g, r, s) => SoftmaxPrimitives.CrossEntropyWithGradient(x, p, g, classes, r, s),
                (x, t, r, w, i) => SoftmaxPrimitives.NllLoss(x, t, classes, r, w, i),
                (x, p, r, e) => SoftmaxPrimitives.CrossEntropyFromProbabilities(x, p, classes, r, e),
                (x, t, r, e) => SoftmaxPrimitives.CrossEntropyFromProbabilities(x, t, classes, r, e),
                (y, g, d) => SoftmaxPrimitives.SoftmaxGradient(y, g, d, classes),
                (y, g, d) => SoftmaxPrimitives.LogSoftmaxGradient(y, g, d, classes)));

    public static LossImplementation? Generated(int classes) => classes switch
    {
        1 => new LossImplementation("generated", 1,
            new LossOps<float>(
                (x, t, r, w, i, s) => Kernel1.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel1.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel1.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel1.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel1.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel1.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel1.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel1.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel1.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel1.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel1.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => Kernel1.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel1.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel1.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel1.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel1.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel1.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel1.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel1.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel1.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel1.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel1.LogSoftmaxGradient(y, g, d))),
        2 => new LossImplementation("generated", 2,
            new LossOps<float>(
                (x, t, r, w, i, s) => Kernel2.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel2.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel2.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel2.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel2.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel2.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel2.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel2.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel2.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel2.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel2.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => Kernel2.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel2.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel2.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel2.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel2.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel2.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel2.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel2.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel2.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel2.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel2.LogSoftmaxGradient(y, g, d))),
        3 => new LossImplementation("generated", 3,
            new LossOps<float>(
                (x, t, r, w, i, s) => Kernel3.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel3.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel3.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel3.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel3.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel3.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel3.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel3.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel3.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel3.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel3.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => Kernel3.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel3.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel3.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel3.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel3.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel3.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel3.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel3.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel3.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel3.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel3.LogSoftmaxGradient(y, g, d))),
        10 => new LossImplementation("generated", 10,
            new LossOps<float>(
                (x, t, r, w, i, s) => LossKernel10.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => LossKernel10.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => LossKernel10.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => LossKernel10.CrossEntropy(x, p, r, s),
                (x, p, l, s) => LossKernel10.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => LossKernel10.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => LossKernel10.NllLoss(x, t, r, w, i),
                (x, p, r, e) => LossKernel10.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => LossKernel10.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => LossKernel10.SoftmaxGradient(y, g, d),
                (y, g, d) => LossKernel10.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => LossKernel10.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => LossKernel10.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => LossKernel10.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => LossKernel10.CrossEntropy(x, p, r, s),
                (x, p, l, s) => LossKernel10.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => LossKernel10.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => LossKernel10.NllLoss(x, t, r, w, i),
                (x, p, r, e) => LossKernel10.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => LossKernel10.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => LossKernel10.SoftmaxGradient(y, g, d),
                (y, g, d) => LossKernel10.LogSoftmaxGradient(y, g, d))),
        17 => new LossImplementation("generated", 17,
            new LossOps<float>(
                (x, t, r, w, i, s) => Kernel17.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel17.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel17.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel17.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel17.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel17.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel17.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel17.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel17.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel17.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel17.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => Kernel17.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel17.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel17.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel17.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel17.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel17.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel17.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel17.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel17.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel17.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel17.LogSoftmaxGradient(y, g, d))),
        100 => new LossImplementation("generated", 100,
            new LossOps<float>(
                (x, t, r, w, i, s) => Kernel100.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel100.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel100.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel100.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel100.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel100.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel100.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel100.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel100.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel100.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel100.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => Kernel100.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel100.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel100.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel100.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel100.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel100.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel100.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel100.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel100.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel100.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel100.LogSoftmaxGradient(y, g, d))),
        1000 => new LossImplementation("generated", 1000,
            new LossOps<float>(
                (x, t, r, w, i, s) => Kernel1000.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel1000.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel1000.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel1000.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel1000.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel1000.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel1000.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel1000.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel1000.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel1000.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel1000.LogSoftmaxGradient(y, g, d)),
            new LossOps<double>(
                (x, t, r, w, i, s) => Kernel1000.CrossEntropy(x, t, r, w, i, s),
                (x, t, l, w, i, s) => Kernel1000.CrossEntropy(x, t, l, w, i, s),
                (x, t, g, r, w, i, s) => Kernel1000.CrossEntropyWithGradient(x, t, g, r, w, i, s),
                (x, p, r, s) => Kernel1000.CrossEntropy(x, p, r, s),
                (x, p, l, s) => Kernel1000.CrossEntropy(x, p, l, s),
                (x, p, g, r, s) => Kernel1000.CrossEntropyWithGradient(x, p, g, r, s),
                (x, t, r, w, i) => Kernel1000.NllLoss(x, t, r, w, i),
                (x, p, r, e) => Kernel1000.CrossEntropyFromProbabilities(x, p, r, e),
                (x, t, r, e) => Kernel1000.CrossEntropyFromProbabilities(x, t, r, e),
                (y, g, d) => Kernel1000.SoftmaxGradient(y, g, d),
                (y, g, d) => Kernel1000.LogSoftmaxGradient(y, g, d))),
        _ => null,
    };

    /// <summary>The implementation called <paramref name="name"/>.</summary>
    public static LossImplementation Get(string name, int classes) => name switch
    {
        "generated" => Generated(classes) ?? throw new ArgumentException($"no generated kernel for {classes} classes", nameof(classes)),
        "fallback" => Fallback(classes),
        "dispatch" => Dispatch(classes),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected generated, fallback or dispatch"),
    };

    /// <summary>Generated (when wired), fallback and dispatch.</summary>
    public static IEnumerable<LossImplementation> For(int classes)
    {
        if (Generated(classes) is { } generated)
        {
            yield return generated;
        }

        yield return Fallback(classes);
        yield return Dispatch(classes);
    }
}
