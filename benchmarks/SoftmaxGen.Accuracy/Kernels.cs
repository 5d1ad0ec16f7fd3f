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

/// <summary>The generated kernel for a class count of the accuracy inputs.</summary>
internal static class GeneratedKernels
{
    public static void Softmax(int classes, ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.Softmax(logits, probabilities); break;
            case 10: Kernel10.Softmax(logits, probabilities); break;
            case 100: Kernel100.Softmax(logits, probabilities); break;
            case 1000: Kernel1000.Softmax(logits, probabilities); break;
            default: throw new NotSupportedException($"No generated kernel for {classes} classes in the accuracy tool.");
        }
    }

    public static void LogSoftmax(int classes, ReadOnlySpan<float> logits, Span<float> logProbabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.LogSoftmax(logits, logProbabilities); break;
            case 10: Kernel10.LogSoftmax(logits, logProbabilities); break;
            case 100: Kernel100.LogSoftmax(logits, logProbabilities); break;
            case 1000: Kernel1000.LogSoftmax(logits, logProbabilities); break;
            default: throw new NotSupportedException($"No generated kernel for {classes} classes in the accuracy tool.");
        }
    }
}
