using System;

namespace SoftmaxGen.Accuracy;

[SoftmaxKernel(3)]
internal static partial class Kernel3;

[SoftmaxKernel(10)]
internal static partial class Kernel10;

[SoftmaxKernel(100)]
internal static partial class Kernel100;

[SoftmaxKernel(1000)]
internal static partial class Kernel1000;

[SoftmaxKernel(3, Precision = SoftmaxPrecision.Fast)]
internal static partial class Kernel3Fast;

[SoftmaxKernel(10, Precision = SoftmaxPrecision.Fast)]
internal static partial class Kernel10Fast;

[SoftmaxKernel(100, Precision = SoftmaxPrecision.Fast)]
internal static partial class Kernel100Fast;

[SoftmaxKernel(1000, Precision = SoftmaxPrecision.Fast)]
internal static partial class Kernel1000Fast;

/// <summary>The generated kernel for a class count and precision of the accuracy inputs.</summary>
internal static class GeneratedKernels
{
    public static void Softmax(int classes, SoftmaxPrecision precision, ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        switch (classes, precision)
        {
            case (3, SoftmaxPrecision.Exact): Kernel3.Softmax(logits, probabilities); break;
            case (10, SoftmaxPrecision.Exact): Kernel10.Softmax(logits, probabilities); break;
            case (100, SoftmaxPrecision.Exact): Kernel100.Softmax(logits, probabilities); break;
            case (1000, SoftmaxPrecision.Exact): Kernel1000.Softmax(logits, probabilities); break;
            case (3, SoftmaxPrecision.Fast): Kernel3Fast.Softmax(logits, probabilities); break;
            case (10, SoftmaxPrecision.Fast): Kernel10Fast.Softmax(logits, probabilities); break;
            case (100, SoftmaxPrecision.Fast): Kernel100Fast.Softmax(logits, probabilities); break;
            case (1000, SoftmaxPrecision.Fast): Kernel1000Fast.Softmax(logits, probabilities); break;
            default: throw new NotSupportedException($"No generated kernel for {classes} classes ({precision}) in the accuracy tool.");
        }
    }

    public static void LogSoftmax(int classes, SoftmaxPrecision precision, ReadOnlySpan<float> logits, Span<float> logProbabilities)
    {
        switch (classes, precision)
        {
            case (3, SoftmaxPrecision.Exact): Kernel3.LogSoftmax(logits, logProbabilities); break;
            case (10, SoftmaxPrecision.Exact): Kernel10.LogSoftmax(logits, logProbabilities); break;
            case (100, SoftmaxPrecision.Exact): Kernel100.LogSoftmax(logits, logProbabilities); break;
            case (1000, SoftmaxPrecision.Exact): Kernel1000.LogSoftmax(logits, logProbabilities); break;
            case (3, SoftmaxPrecision.Fast): Kernel3Fast.LogSoftmax(logits, logProbabilities); break;
            case (10, SoftmaxPrecision.Fast): Kernel10Fast.LogSoftmax(logits, logProbabilities); break;
            case (100, SoftmaxPrecision.Fast): Kernel100Fast.LogSoftmax(logits, logProbabilities); break;
            case (1000, SoftmaxPrecision.Fast): Kernel1000Fast.LogSoftmax(logits, logProbabilities); break;
            default: throw new NotSupportedException($"No generated kernel for {classes} classes ({precision}) in the accuracy tool.");
        }
    }
}
