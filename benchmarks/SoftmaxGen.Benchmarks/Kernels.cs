using System;
using System.Runtime.CompilerServices;

namespace SoftmaxGen.Benchmarks;

// The generated kernels measured by the benchmarks: one per class count. The SoftmaxGen generator adds
// Softmax, LogSoftmax, CrossEntropy and Argmax for float and double, specialised to the class count.

[SoftmaxKernel(3)]
internal static partial class Kernel3;

[SoftmaxKernel(10)]
internal static partial class Kernel10;

[SoftmaxKernel(100)]
internal static partial class Kernel100;

// An attention row of 128 keys: the longest row a generated kernel holds in Vector512 registers.
[SoftmaxKernel(128)]
internal static partial class Kernel128;

[SoftmaxKernel(1000)]
internal static partial class Kernel1000;

// A language model's vocabulary size (e.g. Llama 2's 32,000 tokens), for BatchSoftmaxBenchmarks.
[SoftmaxKernel(32000)]
internal static partial class Kernel32000;

// Llama 3's vocabulary (128,256 tokens): one row per generated token.
[SoftmaxKernel(128256)]
internal static partial class Kernel128256;

// The same class counts generated in SoftmaxPrecision.Fast.
[SoftmaxKernel(3, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel3;

[SoftmaxKernel(10, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel10;

[SoftmaxKernel(100, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel100;

[SoftmaxKernel(128, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel128;

[SoftmaxKernel(1000, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel1000;

[SoftmaxKernel(32000, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel32000;

[SoftmaxKernel(128256, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel128256;

/// <summary>Calls the Fast kernel generated for a class count (see <see cref="Generated"/>).</summary>
internal static class GeneratedFast
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Softmax(int classes, ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        switch (classes)
        {
            case 3: FastKernel3.Softmax(logits, probabilities); break;
            case 10: FastKernel10.Softmax(logits, probabilities); break;
            case 100: FastKernel100.Softmax(logits, probabilities); break;
            case 128: FastKernel128.Softmax(logits, probabilities); break;
            case 1000: FastKernel1000.Softmax(logits, probabilities); break;
            case 32000: FastKernel32000.Softmax(logits, probabilities); break;
            case 128256: FastKernel128256.Softmax(logits, probabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogSoftmax(int classes, ReadOnlySpan<float> logits, Span<float> logProbabilities)
    {
        switch (classes)
        {
            case 3: FastKernel3.LogSoftmax(logits, logProbabilities); break;
            case 10: FastKernel10.LogSoftmax(logits, logProbabilities); break;
            case 100: FastKernel100.LogSoftmax(logits, logProbabilities); break;
            case 128: FastKernel128.LogSoftmax(logits, logProbabilities); break;
            case 1000: FastKernel1000.LogSoftmax(logits, logProbabilities); break;
            case 32000: FastKernel32000.LogSoftmax(logits, logProbabilities); break;
            case 128256: FastKernel128256.LogSoftmax(logits, logProbabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }
}

/// <summary>
/// Calls the generated kernel for a class count: a predictable switch with direct calls (no delegate, no allocation,
/// one compare-and-branch per call), so the benchmarks measure the kernel, not the dispatch.
/// </summary>
internal static class Generated
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Softmax(int classes, ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.Softmax(logits, probabilities); break;
            case 10: Kernel10.Softmax(logits, probabilities); break;
            case 100: Kernel100.Softmax(logits, probabilities); break;
            case 128: Kernel128.Softmax(logits, probabilities); break;
            case 1000: Kernel1000.Softmax(logits, probabilities); break;
            case 32000: Kernel32000.Softmax(logits, probabilities); break;
            case 128256: Kernel128256.Softmax(logits, probabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Softmax(int classes, ReadOnlySpan<double> logits, Span<double> probabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.Softmax(logits, probabilities); break;
            case 10: Kernel10.Softmax(logits, probabilities); break;
            case 100: Kernel100.Softmax(logits, probabilities); break;
            case 128: Kernel128.Softmax(logits, probabilities); break;
            case 1000: Kernel1000.Softmax(logits, probabilities); break;
            case 32000: Kernel32000.Softmax(logits, probabilities); break;
            case 128256: Kernel128256.Softmax(logits, probabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogSoftmax(int classes, ReadOnlySpan<float> logits, Span<float> logProbabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.LogSoftmax(logits, logProbabilities); break;
            case 10: Kernel10.LogSoftmax(logits, logProbabilities); break;
            case 100: Kernel100.LogSoftmax(logits, logProbabilities); break;
            case 128: Kernel128.LogSoftmax(logits, logProbabilities); break;
            case 1000: Kernel1000.LogSoftmax(logits, logProbabilities); break;
            case 32000: Kernel32000.LogSoftmax(logits, logProbabilities); break;
            case 128256: Kernel128256.LogSoftmax(logits, logProbabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogSoftmax(int classes, ReadOnlySpan<double> logits, Span<double> logProbabilities)
    {
        switch (classes)
        {
            case 3: Kernel3.LogSoftmax(logits, logProbabilities); break;
            case 10: Kernel10.LogSoftmax(logits, logProbabilities); break;
            case 100: Kernel100.LogSoftmax(logits, logProbabilities); break;
            case 128: Kernel128.LogSoftmax(logits, logProbabilities); break;
            case 1000: Kernel1000.LogSoftmax(logits, logProbabilities); break;
            case 32000: Kernel32000.LogSoftmax(logits, logProbabilities); break;
            case 128256: Kernel128256.LogSoftmax(logits, logProbabilities); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CrossEntropy(int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses)
    {
        switch (classes)
        {
            case 3: Kernel3.CrossEntropy(logits, targets, losses); break;
            case 10: Kernel10.CrossEntropy(logits, targets, losses); break;
            case 100: Kernel100.CrossEntropy(logits, targets, losses); break;
            case 1000: Kernel1000.CrossEntropy(logits, targets, losses); break;
            case 32000: Kernel32000.CrossEntropy(logits, targets, losses); break;
            case 128256: Kernel128256.CrossEntropy(logits, targets, losses); break;
            default: BenchmarkData.ThrowNoKernel(classes); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float CrossEntropyMean(int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) => classes switch
    {
        3 => Kernel3.CrossEntropy(logits, targets),
        10 => Kernel10.CrossEntropy(logits, targets),
        100 => Kernel100.CrossEntropy(logits, targets),
        1000 => Kernel1000.CrossEntropy(logits, targets),
        32000 => Kernel32000.CrossEntropy(logits, targets),
        _ => throw BenchmarkData.NoKernel(classes),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CrossEntropyMean(int classes, ReadOnlySpan<double> logits, ReadOnlySpan<int> targets) => classes switch
    {
        3 => Kernel3.CrossEntropy(logits, targets),
        10 => Kernel10.CrossEntropy(logits, targets),
        100 => Kernel100.CrossEntropy(logits, targets),
        1000 => Kernel1000.CrossEntropy(logits, targets),
        32000 => Kernel32000.CrossEntropy(logits, targets),
        _ => throw BenchmarkData.NoKernel(classes),
    };
}
