using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Tests;

// ---- The generated kernels under test ------------------------------------------------------------------
// One per class count of the differential tests: every vector-width boundary (W - 1, W, W + 1 for widths
// 4, 8, 16, 32, 64 and 128 lanes), small odd counts, the block layouts' quad transposes (6, 11 and 12: the last
// quad overlapping, and the largest block of Vector512), and two large ones. The generator adds Classes, Softmax,
// LogSoftmax, two CrossEntropy overloads and Argmax for float and double, and registers a kernel for each count
// with SoftmaxKernelRegistry from a module initializer.

[SoftmaxKernel(1)]
internal static partial class Kernel1;

[SoftmaxKernel(2)]
internal static partial class Kernel2;

[SoftmaxKernel(3)]
internal static partial class Kernel3;

[SoftmaxKernel(4)]
internal static partial class Kernel4;

[SoftmaxKernel(5)]
internal static partial class Kernel5;

[SoftmaxKernel(6)]
internal static partial class Kernel6;

[SoftmaxKernel(7)]
internal static partial class Kernel7;

[SoftmaxKernel(8)]
internal static partial class Kernel8;

[SoftmaxKernel(9)]
internal static partial class Kernel9;

[SoftmaxKernel(11)]
internal static partial class Kernel11;

[SoftmaxKernel(12)]
internal static partial class Kernel12;

[SoftmaxKernel(15)]
internal static partial class Kernel15;

[SoftmaxKernel(16)]
internal static partial class Kernel16;

[SoftmaxKernel(17)]
internal static partial class Kernel17;

[SoftmaxKernel(31)]
internal static partial class Kernel31;

[SoftmaxKernel(32)]
internal static partial class Kernel32;

[SoftmaxKernel(33)]
internal static partial class Kernel33;

[SoftmaxKernel(63)]
internal static partial class Kernel63;

[SoftmaxKernel(64)]
internal static partial class Kernel64;

[SoftmaxKernel(65)]
internal static partial class Kernel65;

[SoftmaxKernel(100)]
internal static partial class Kernel100;

[SoftmaxKernel(127)]
internal static partial class Kernel127;

[SoftmaxKernel(128)]
internal static partial class Kernel128;

[SoftmaxKernel(129)]
internal static partial class Kernel129;

[SoftmaxKernel(1000)]
internal static partial class Kernel1000;

[SoftmaxKernel(1024)]
internal static partial class Kernel1024;

// Kernels generated with SoftmaxPrecision.Fast, registered beside the Exact ones under (C, Fast): block counts (3, 10 and
// 12, whose log-softmax stores out of line), a column count (26) and a row count (100); 3, 12 and 100 also have an
// Exact kernel above. FastKernelTests checks them.

[SoftmaxKernel(3, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel3;

[SoftmaxKernel(10, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel10;

[SoftmaxKernel(12, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel12;

[SoftmaxKernel(26, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel26;

[SoftmaxKernel(100, Precision = SoftmaxPrecision.Fast)]
internal static partial class FastKernel100;

/// <summary>The operations under test for one class count, whatever implements them.</summary>
internal abstract class SoftmaxImplementation
{
    protected SoftmaxImplementation(string name, int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    {
        Name = name;
        Classes = classes;
        Precision = precision;
    }

    /// <summary>"generated", "fallback" or "dispatch"; "fallback-fast" or "dispatch-fast" for <see cref="SoftmaxPrecision.Fast"/>.</summary>
    public string Name { get; }

    public int Classes { get; }

    /// <summary>
    /// The precision of the operations that take one (softmax, log-softmax, the middle-axis forms, top-k and
    /// log-sum-exp). A <see cref="SoftmaxPrecision.Fast"/> implementation runs only those: the loss and argmax members
    /// throw, since the API has no precision for them (cross-entropy's is still to come).
    /// </summary>
    public SoftmaxPrecision Precision { get; }

    /// <summary>Whether this is <see cref="SoftmaxFallback"/> (the catalogue calls the fallback's twin of each operation).</summary>
    public virtual bool IsFallback => false;

    /// <summary>Throws for a <see cref="SoftmaxPrecision.Fast"/> implementation: the member has no precision, so it would run Exact under a Fast name.</summary>
    protected void RequireExact()
    {
        if (Precision != SoftmaxPrecision.Exact)
        {
            throw new NotSupportedException($"{Name}: the loss and argmax members take no precision");
        }
    }

    public abstract void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities);

    public abstract void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities);

    public abstract void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities);

    public abstract void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities);

    public abstract float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, LossReduction reduction);

    public abstract double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, LossReduction reduction);

    public abstract void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);

    public abstract void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses);

    public abstract void Argmax(ReadOnlySpan<float> logits, Span<int> predictions);

    public abstract void Argmax(ReadOnlySpan<double> logits, Span<int> predictions);

    /// <summary>The reduced cross-entropy overload called without a reduction argument (the default).</summary>
    public abstract float CrossEntropyDefault(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    /// <inheritdoc cref="CrossEntropyDefault(ReadOnlySpan{float}, ReadOnlySpan{int})"/>
    public abstract double CrossEntropyDefault(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets);

    // Generic entry points for tests written once for float and double (the casts keep the memory, so
    // in-place and overlap tests mean the same thing).

    public void ApplySoftmax<T>(ReadOnlySpan<T> logits, Span<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Softmax(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(probabilities));
        }
        else
        {
            Softmax(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(probabilities));
        }
    }

    public void ApplyLogSoftmax<T>(ReadOnlySpan<T> logits, Span<T> logProbabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            LogSoftmax(MemoryMarshal.Cast<T, float>(logits), MemoryMarshal.Cast<T, float>(logProbabilities));
        }
        else
        {
            LogSoftmax(MemoryMarshal.Cast<T, double>(logits), MemoryMarshal.Cast<T, double>(logProbabilities));
        }
    }

    public T ApplyCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, LossReduction reduction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return T.CreateTruncating(CrossEntropy(MemoryMarshal.Cast<T, float>(logits), targets, reduction));
        }

        return T.CreateTruncating(CrossEntropy(MemoryMarshal.Cast<T, double>(logits), targets, reduction));
    }

    public void ApplyCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            CrossEntropy(MemoryMarshal.Cast<T, float>(logits), targets, MemoryMarshal.Cast<T, float>(losses));
        }
        else
        {
            CrossEntropy(MemoryMarshal.Cast<T, double>(logits), targets, MemoryMarshal.Cast<T, double>(losses));
        }
    }

    public T ApplyCrossEntropyDefault<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return T.CreateTruncating(CrossEntropyDefault(MemoryMarshal.Cast<T, float>(logits), targets));
        }

        return T.CreateTruncating(CrossEntropyDefault(MemoryMarshal.Cast<T, double>(logits), targets));
    }

    public void ApplyArgmax<T>(ReadOnlySpan<T> logits, Span<int> predictions)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Argmax(MemoryMarshal.Cast<T, float>(logits), predictions);
        }
        else
        {
            Argmax(MemoryMarshal.Cast<T, double>(logits), predictions);
        }
    }

    public override string ToString() => $"{Name} (C={Classes})";
}

internal delegate void RowOperation<T>(ReadOnlySpan<T> logits, Span<T> output);

internal delegate T ReducedLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, LossReduction reduction);

internal delegate void RowLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses);

internal delegate void RowArgmax<T>(ReadOnlySpan<T> logits, Span<int> predictions);

internal delegate T DefaultLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets);

/// <summary>A generated kernel class's static members (bound once as delegates; invoking them does not allocate).</summary>
internal sealed class GeneratedImplementation(
    int classes,
    RowOperation<float> softmaxSingle,
    RowOperation<double> softmaxDouble,
    RowOperation<float> logSoftmaxSingle,
    RowOperation<double> logSoftmaxDouble,
    ReducedLoss<float> crossEntropySingle,
    ReducedLoss<double> crossEntropyDouble,
    RowLosses<float> lossesSingle,
    RowLosses<double> lossesDouble,
    RowArgmax<float> argmaxSingle,
    RowArgmax<double> argmaxDouble,
    DefaultLoss<float> defaultLossSingle,
    DefaultLoss<double> defaultLossDouble) : SoftmaxImplementation("generated", classes)
{
    public override void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) => softmaxSingle(logits, probabilities);

    public override void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities) => softmaxDouble(logits, probabilities);

    public override void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities) => logSoftmaxSingle(logits, logProbabilities);

    public override void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities) => logSoftmaxDouble(logits, logProbabilities);

    public override float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, LossReduction reduction) => crossEntropySingle(logits, targets, reduction);

    public override double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, LossReduction reduction) => crossEntropyDouble(logits, targets, reduction);

    public override void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) => lossesSingle(logits, targets, losses);

    public override void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses) => lossesDouble(logits, targets, losses);

    public override void Argmax(ReadOnlySpan<float> logits, Span<int> predictions) => argmaxSingle(logits, predictions);

    public override void Argmax(ReadOnlySpan<double> logits, Span<int> predictions) => argmaxDouble(logits, predictions);

    public override float CrossEntropyDefault(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) => defaultLossSingle(logits, targets);

    public override double CrossEntropyDefault(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets) => defaultLossDouble(logits, targets);
}

/// <summary><see cref="SoftmaxFallback"/> with <c>classes</c> = C: never a generated kernel.</summary>
internal sealed class FallbackImplementation(int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    : SoftmaxImplementation(precision == SoftmaxPrecision.Fast ? "fallback-fast" : "fallback", classes, precision)
{
    public override bool IsFallback => true;

    public override void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) => SoftmaxFallback.Softmax(logits, probabilities, Classes, Precision);

    public override void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities) => SoftmaxFallback.Softmax(logits, probabilities, Classes, Precision);

    public override void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities) => SoftmaxFallback.LogSoftmax(logits, logProbabilities, Classes, Precision);

    public override void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities) => SoftmaxFallback.LogSoftmax(logits, logProbabilities, Classes, Precision);

    public override float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, LossReduction reduction) { RequireExact(); return SoftmaxFallback.CrossEntropy(logits, targets, Classes, reduction); }

    public override double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, LossReduction reduction) { RequireExact(); return SoftmaxFallback.CrossEntropy(logits, targets, Classes, reduction); }

    public override void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) { RequireExact(); SoftmaxFallback.CrossEntropy(logits, targets, losses, Classes); }

    public override void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses) { RequireExact(); SoftmaxFallback.CrossEntropy(logits, targets, losses, Classes); }

    public override void Argmax(ReadOnlySpan<float> logits, Span<int> predictions) { RequireExact(); SoftmaxFallback.Argmax(logits, predictions, Classes); }

    public override void Argmax(ReadOnlySpan<double> logits, Span<int> predictions) { RequireExact(); SoftmaxFallback.Argmax(logits, predictions, Classes); }

    public override float CrossEntropyDefault(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) { RequireExact(); return SoftmaxFallback.CrossEntropy(logits, targets, Classes); }

    public override double CrossEntropyDefault(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets) { RequireExact(); return SoftmaxFallback.CrossEntropy(logits, targets, Classes); }
}

/// <summary><see cref="SoftmaxPrimitives"/> with <c>classes</c> = C: runs the registered generated kernel of the precision, if any.</summary>
internal sealed class DispatchImplementation(int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
    : SoftmaxImplementation(precision == SoftmaxPrecision.Fast ? "dispatch-fast" : "dispatch", classes, precision)
{
    public override void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) => SoftmaxPrimitives.Softmax(logits, probabilities, Classes, Precision);

    public override void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities) => SoftmaxPrimitives.Softmax(logits, probabilities, Classes, Precision);

    public override void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities) => SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, Classes, Precision);

    public override void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities) => SoftmaxPrimitives.LogSoftmax(logits, logProbabilities, Classes, Precision);

    public override float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, LossReduction reduction) { RequireExact(); return SoftmaxPrimitives.CrossEntropy(logits, targets, Classes, reduction); }

    public override double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, LossReduction reduction) { RequireExact(); return SoftmaxPrimitives.CrossEntropy(logits, targets, Classes, reduction); }

    public override void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) { RequireExact(); SoftmaxPrimitives.CrossEntropy(logits, targets, losses, Classes); }

    public override void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses) { RequireExact(); SoftmaxPrimitives.CrossEntropy(logits, targets, losses, Classes); }

    public override void Argmax(ReadOnlySpan<float> logits, Span<int> predictions) { RequireExact(); SoftmaxPrimitives.Argmax(logits, predictions, Classes); }

    public override void Argmax(ReadOnlySpan<double> logits, Span<int> predictions) { RequireExact(); SoftmaxPrimitives.Argmax(logits, predictions, Classes); }

    public override float CrossEntropyDefault(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) { RequireExact(); return SoftmaxPrimitives.CrossEntropy(logits, targets, Classes); }

    public override double CrossEntropyDefault(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets) { RequireExact(); return SoftmaxPrimitives.CrossEntropy(logits, targets, Classes); }
}

/// <summary>The implementations under test, by class count and name.</summary>
internal static class Implementations
{
    /// <summary>The class counts that have a generated kernel in this assembly (the <c>KernelN</c> classes above).</summary>
    public static readonly int[] GeneratedClassCounts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 1000, 1024];

    /// <summary>The implementation names, in the order <see cref="For"/> lists them.</summary>
    public static readonly string[] Names = ["generated", "fallback", "dispatch"];

    /// <summary><c>KernelN</c>'s static members, or <see langword="null"/> when there is no kernel for <paramref name="classes"/>.</summary>
    public static SoftmaxImplementation? Generated(int classes) => classes switch
    {
        1 => new GeneratedImplementation(Kernel1.Classes, Kernel1.Softmax, Kernel1.Softmax, Kernel1.LogSoftmax, Kernel1.LogSoftmax, (x, t, r) => Kernel1.CrossEntropy(x, t, r), (x, t, r) => Kernel1.CrossEntropy(x, t, r), (x, t, l) => Kernel1.CrossEntropy(x, t, l), (x, t, l) => Kernel1.CrossEntropy(x, t, l), Kernel1.Argmax, Kernel1.Argmax, (x, t) => Kernel1.CrossEntropy(x, t), (x, t) => Kernel1.CrossEntropy(x, t)),
        2 => new GeneratedImplementation(Kernel2.Classes, Kernel2.Softmax, Kernel2.Softmax, Kernel2.LogSoftmax, Kernel2.LogSoftmax, (x, t, r) => Kernel2.CrossEntropy(x, t, r), (x, t, r) => Kernel2.CrossEntropy(x, t, r), (x, t, l) => Kernel2.CrossEntropy(x, t, l), (x, t, l) => Kernel2.CrossEntropy(x, t, l), Kernel2.Argmax, Kernel2.Argmax, (x, t) => Kernel2.CrossEntropy(x, t), (x, t) => Kernel2.CrossEntropy(x, t)),
        3 => new GeneratedImplementation(Kernel3.Classes, Kernel3.Softmax, Kernel3.Softmax, Kernel3.LogSoftmax, Kernel3.LogSoftmax, (x, t, r) => Kernel3.CrossEntropy(x, t, r), (x, t, r) => Kernel3.CrossEntropy(x, t, r), (x, t, l) => Kernel3.CrossEntropy(x, t, l), (x, t, l) => Kernel3.CrossEntropy(x, t, l), Kernel3.Argmax, Kernel3.Argmax, (x, t) => Kernel3.CrossEntropy(x, t), (x, t) => Kernel3.CrossEntropy(x, t)),
        4 => new GeneratedImplementation(Kernel4.Classes, Kernel4.Softmax, Kernel4.Softmax, Kernel4.LogSoftmax, Kernel4.LogSoftmax, (x, t, r) => Kernel4.CrossEntropy(x, t, r), (x, t, r) => Kernel4.CrossEntropy(x, t, r), (x, t, l) => Kernel4.CrossEntropy(x, t, l), (x, t, l) => Kernel4.CrossEntropy(x, t, l), Kernel4.Argmax, Kernel4.Argmax, (x, t) => Kernel4.CrossEntropy(x, t), (x, t) => Kernel4.CrossEntropy(x, t)),
        5 => new GeneratedImplementation(Kernel5.Classes, Kernel5.Softmax, Kernel5.Softmax, Kernel5.LogSoftmax, Kernel5.LogSoftmax, (x, t, r) => Kernel5.CrossEntropy(x, t, r), (x, t, r) => Kernel5.CrossEntropy(x, t, r), (x, t, l) => Kernel5.CrossEntropy(x, t, l), (x, t, l) => Kernel5.CrossEntropy(x, t, l), Kernel5.Argmax, Kernel5.Argmax, (x, t) => Kernel5.CrossEntropy(x, t), (x, t) => Kernel5.CrossEntropy(x, t)),
        6 => new GeneratedImplementation(Kernel6.Classes, Kernel6.Softmax, Kernel6.Softmax, Kernel6.LogSoftmax, Kernel6.LogSoftmax, (x, t, r) => Kernel6.CrossEntropy(x, t, r), (x, t, r) => Kernel6.CrossEntropy(x, t, r), (x, t, l) => Kernel6.CrossEntropy(x, t, l), (x, t, l) => Kernel6.CrossEntropy(x, t, l), Kernel6.Argmax, Kernel6.Argmax, (x, t) => Kernel6.CrossEntropy(x, t), (x, t) => Kernel6.CrossEntropy(x, t)),
        7 => new GeneratedImplementation(Kernel7.Classes, Kernel7.Softmax, Kernel7.Softmax, Kernel7.LogSoftmax, Kernel7.LogSoftmax, (x, t, r) => Kernel7.CrossEntropy(x, t, r), (x, t, r) => Kernel7.CrossEntropy(x, t, r), (x, t, l) => Kernel7.CrossEntropy(x, t, l), (x, t, l) => Kernel7.CrossEntropy(x, t, l), Kernel7.Argmax, Kernel7.Argmax, (x, t) => Kernel7.CrossEntropy(x, t), (x, t) => Kernel7.CrossEntropy(x, t)),
        8 => new GeneratedImplementation(Kernel8.Classes, Kernel8.Softmax, Kernel8.Softmax, Kernel8.LogSoftmax, Kernel8.LogSoftmax, (x, t, r) => Kernel8.CrossEntropy(x, t, r), (x, t, r) => Kernel8.CrossEntropy(x, t, r), (x, t, l) => Kernel8.CrossEntropy(x, t, l), (x, t, l) => Kernel8.CrossEntropy(x, t, l), Kernel8.Argmax, Kernel8.Argmax, (x, t) => Kernel8.CrossEntropy(x, t), (x, t) => Kernel8.CrossEntropy(x, t)),
        9 => new GeneratedImplementation(Kernel9.Classes, Kernel9.Softmax, Kernel9.Softmax, Kernel9.LogSoftmax, Kernel9.LogSoftmax, (x, t, r) => Kernel9.CrossEntropy(x, t, r), (x, t, r) => Kernel9.CrossEntropy(x, t, r), (x, t, l) => Kernel9.CrossEntropy(x, t, l), (x, t, l) => Kernel9.CrossEntropy(x, t, l), Kernel9.Argmax, Kernel9.Argmax, (x, t) => Kernel9.CrossEntropy(x, t), (x, t) => Kernel9.CrossEntropy(x, t)),
        11 => new GeneratedImplementation(Kernel11.Classes, Kernel11.Softmax, Kernel11.Softmax, Kernel11.LogSoftmax, Kernel11.LogSoftmax, (x, t, r) => Kernel11.CrossEntropy(x, t, r), (x, t, r) => Kernel11.CrossEntropy(x, t, r), (x, t, l) => Kernel11.CrossEntropy(x, t, l), (x, t, l) => Kernel11.CrossEntropy(x, t, l), Kernel11.Argmax, Kernel11.Argmax, (x, t) => Kernel11.CrossEntropy(x, t), (x, t) => Kernel11.CrossEntropy(x, t)),
        12 => new GeneratedImplementation(Kernel12.Classes, Kernel12.Softmax, Kernel12.Softmax, Kernel12.LogSoftmax, Kernel12.LogSoftmax, (x, t, r) => Kernel12.CrossEntropy(x, t, r), (x, t, r) => Kernel12.CrossEntropy(x, t, r), (x, t, l) => Kernel12.CrossEntropy(x, t, l), (x, t, l) => Kernel12.CrossEntropy(x, t, l), Kernel12.Argmax, Kernel12.Argmax, (x, t) => Kernel12.CrossEntropy(x, t), (x, t) => Kernel12.CrossEntropy(x, t)),
        15 => new GeneratedImplementation(Kernel15.Classes, Kernel15.Softmax, Kernel15.Softmax, Kernel15.LogSoftmax, Kernel15.LogSoftmax, (x, t, r) => Kernel15.CrossEntropy(x, t, r), (x, t, r) => Kernel15.CrossEntropy(x, t, r), (x, t, l) => Kernel15.CrossEntropy(x, t, l), (x, t, l) => Kernel15.CrossEntropy(x, t, l), Kernel15.Argmax, Kernel15.Argmax, (x, t) => Kernel15.CrossEntropy(x, t), (x, t) => Kernel15.CrossEntropy(x, t)),
        16 => new GeneratedImplementation(Kernel16.Classes, Kernel16.Softmax, Kernel16.Softmax, Kernel16.LogSoftmax, Kernel16.LogSoftmax, (x, t, r) => Kernel16.CrossEntropy(x, t, r), (x, t, r) => Kernel16.CrossEntropy(x, t, r), (x, t, l) => Kernel16.CrossEntropy(x, t, l), (x, t, l) => Kernel16.CrossEntropy(x, t, l), Kernel16.Argmax, Kernel16.Argmax, (x, t) => Kernel16.CrossEntropy(x, t), (x, t) => Kernel16.CrossEntropy(x, t)),
        17 => new GeneratedImplementation(Kernel17.Classes, Kernel17.Softmax, Kernel17.Softmax, Kernel17.LogSoftmax, Kernel17.LogSoftmax, (x, t, r) => Kernel17.CrossEntropy(x, t, r), (x, t, r) => Kernel17.CrossEntropy(x, t, r), (x, t, l) => Kernel17.CrossEntropy(x, t, l), (x, t, l) => Kernel17.CrossEntropy(x, t, l), Kernel17.Argmax, Kernel17.Argmax, (x, t) => Kernel17.CrossEntropy(x, t), (x, t) => Kernel17.CrossEntropy(x, t)),
        31 => new GeneratedImplementation(Kernel31.Classes, Kernel31.Softmax, Kernel31.Softmax, Kernel31.LogSoftmax, Kernel31.LogSoftmax, (x, t, r) => Kernel31.CrossEntropy(x, t, r), (x, t, r) => Kernel31.CrossEntropy(x, t, r), (x, t, l) => Kernel31.CrossEntropy(x, t, l), (x, t, l) => Kernel31.CrossEntropy(x, t, l), Kernel31.Argmax, Kernel31.Argmax, (x, t) => Kernel31.CrossEntropy(x, t), (x, t) => Kernel31.CrossEntropy(x, t)),
        32 => new GeneratedImplementation(Kernel32.Classes, Kernel32.Softmax, Kernel32.Softmax, Kernel32.LogSoftmax, Kernel32.LogSoftmax, (x, t, r) => Kernel32.CrossEntropy(x, t, r), (x, t, r) => Kernel32.CrossEntropy(x, t, r), (x, t, l) => Kernel32.CrossEntropy(x, t, l), (x, t, l) => Kernel32.CrossEntropy(x, t, l), Kernel32.Argmax, Kernel32.Argmax, (x, t) => Kernel32.CrossEntropy(x, t), (x, t) => Kernel32.CrossEntropy(x, t)),
        33 => new GeneratedImplementation(Kernel33.Classes, Kernel33.Softmax, Kernel33.Softmax, Kernel33.LogSoftmax, Kernel33.LogSoftmax, (x, t, r) => Kernel33.CrossEntropy(x, t, r), (x, t, r) => Kernel33.CrossEntropy(x, t, r), (x, t, l) => Kernel33.CrossEntropy(x, t, l), (x, t, l) => Kernel33.CrossEntropy(x, t, l), Kernel33.Argmax, Kernel33.Argmax, (x, t) => Kernel33.CrossEntropy(x, t), (x, t) => Kernel33.CrossEntropy(x, t)),
        63 => new GeneratedImplementation(Kernel63.Classes, Kernel63.Softmax, Kernel63.Softmax, Kernel63.LogSoftmax, Kernel63.LogSoftmax, (x, t, r) => Kernel63.CrossEntropy(x, t, r), (x, t, r) => Kernel63.CrossEntropy(x, t, r), (x, t, l) => Kernel63.CrossEntropy(x, t, l), (x, t, l) => Kernel63.CrossEntropy(x, t, l), Kernel63.Argmax, Kernel63.Argmax, (x, t) => Kernel63.CrossEntropy(x, t), (x, t) => Kernel63.CrossEntropy(x, t)),
        64 => new GeneratedImplementation(Kernel64.Classes, Kernel64.Softmax, Kernel64.Softmax, Kernel64.LogSoftmax, Kernel64.LogSoftmax, (x, t, r) => Kernel64.CrossEntropy(x, t, r), (x, t, r) => Kernel64.CrossEntropy(x, t, r), (x, t, l) => Kernel64.CrossEntropy(x, t, l), (x, t, l) => Kernel64.CrossEntropy(x, t, l), Kernel64.Argmax, Kernel64.Argmax, (x, t) => Kernel64.CrossEntropy(x, t), (x, t) => Kernel64.CrossEntropy(x, t)),
        65 => new GeneratedImplementation(Kernel65.Classes, Kernel65.Softmax, Kernel65.Softmax, Kernel65.LogSoftmax, Kernel65.LogSoftmax, (x, t, r) => Kernel65.CrossEntropy(x, t, r), (x, t, r) => Kernel65.CrossEntropy(x, t, r), (x, t, l) => Kernel65.CrossEntropy(x, t, l), (x, t, l) => Kernel65.CrossEntropy(x, t, l), Kernel65.Argmax, Kernel65.Argmax, (x, t) => Kernel65.CrossEntropy(x, t), (x, t) => Kernel65.CrossEntropy(x, t)),
        100 => new GeneratedImplementation(Kernel100.Classes, Kernel100.Softmax, Kernel100.Softmax, Kernel100.LogSoftmax, Kernel100.LogSoftmax, (x, t, r) => Kernel100.CrossEntropy(x, t, r), (x, t, r) => Kernel100.CrossEntropy(x, t, r), (x, t, l) => Kernel100.CrossEntropy(x, t, l), (x, t, l) => Kernel100.CrossEntropy(x, t, l), Kernel100.Argmax, Kernel100.Argmax, (x, t) => Kernel100.CrossEntropy(x, t), (x, t) => Kernel100.CrossEntropy(x, t)),
        127 => new GeneratedImplementation(Kernel127.Classes, Kernel127.Softmax, Kernel127.Softmax, Kernel127.LogSoftmax, Kernel127.LogSoftmax, (x, t, r) => Kernel127.CrossEntropy(x, t, r), (x, t, r) => Kernel127.CrossEntropy(x, t, r), (x, t, l) => Kernel127.CrossEntropy(x, t, l), (x, t, l) => Kernel127.CrossEntropy(x, t, l), Kernel127.Argmax, Kernel127.Argmax, (x, t) => Kernel127.CrossEntropy(x, t), (x, t) => Kernel127.CrossEntropy(x, t)),
        128 => new GeneratedImplementation(Kernel128.Classes, Kernel128.Softmax, Kernel128.Softmax, Kernel128.LogSoftmax, Kernel128.LogSoftmax, (x, t, r) => Kernel128.CrossEntropy(x, t, r), (x, t, r) => Kernel128.CrossEntropy(x, t, r), (x, t, l) => Kernel128.CrossEntropy(x, t, l), (x, t, l) => Kernel128.CrossEntropy(x, t, l), Kernel128.Argmax, Kernel128.Argmax, (x, t) => Kernel128.CrossEntropy(x, t), (x, t) => Kernel128.CrossEntropy(x, t)),
        129 => new GeneratedImplementation(Kernel129.Classes, Kernel129.Softmax, Kernel129.Softmax, Kernel129.LogSoftmax, Kernel129.LogSoftmax, (x, t, r) => Kernel129.CrossEntropy(x, t, r), (x, t, r) => Kernel129.CrossEntropy(x, t, r), (x, t, l) => Kernel129.CrossEntropy(x, t, l), (x, t, l) => Kernel129.CrossEntropy(x, t, l), Kernel129.Argmax, Kernel129.Argmax, (x, t) => Kernel129.CrossEntropy(x, t), (x, t) => Kernel129.CrossEntropy(x, t)),
        1000 => new GeneratedImplementation(Kernel1000.Classes, Kernel1000.Softmax, Kernel1000.Softmax, Kernel1000.LogSoftmax, Kernel1000.LogSoftmax, (x, t, r) => Kernel1000.CrossEntropy(x, t, r), (x, t, r) => Kernel1000.CrossEntropy(x, t, r), (x, t, l) => Kernel1000.CrossEntropy(x, t, l), (x, t, l) => Kernel1000.CrossEntropy(x, t, l), Kernel1000.Argmax, Kernel1000.Argmax, (x, t) => Kernel1000.CrossEntropy(x, t), (x, t) => Kernel1000.CrossEntropy(x, t)),
        1024 => new GeneratedImplementation(Kernel1024.Classes, Kernel1024.Softmax, Kernel1024.Softmax, Kernel1024.LogSoftmax, Kernel1024.LogSoftmax, (x, t, r) => Kernel1024.CrossEntropy(x, t, r), (x, t, r) => Kernel1024.CrossEntropy(x, t, r), (x, t, l) => Kernel1024.CrossEntropy(x, t, l), (x, t, l) => Kernel1024.CrossEntropy(x, t, l), Kernel1024.Argmax, Kernel1024.Argmax, (x, t) => Kernel1024.CrossEntropy(x, t), (x, t) => Kernel1024.CrossEntropy(x, t)),
        _ => null,
    };

    public static SoftmaxImplementation Fallback(int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) => new FallbackImplementation(classes, precision);

    public static SoftmaxImplementation Dispatch(int classes, SoftmaxPrecision precision = SoftmaxPrecision.Exact) => new DispatchImplementation(classes, precision);

    /// <summary>Both precisions, for theory data and loops.</summary>
    public static readonly SoftmaxPrecision[] Precisions = [SoftmaxPrecision.Exact, SoftmaxPrecision.Fast];

    /// <summary>Generated (when a kernel exists), fallback and dispatch, for <paramref name="classes"/>.</summary>
    public static IReadOnlyList<SoftmaxImplementation> For(int classes) => For(classes, SoftmaxPrecision.Exact);

    /// <summary>
    /// The implementations of <paramref name="precision"/>: for Exact, generated (when a kernel exists), fallback and
    /// dispatch; for Fast, fallback and dispatch (the generator does not read the attribute's precision yet, so no
    /// kernel of the test assembly is Fast and dispatch runs the fallback's Fast code).
    /// </summary>
    public static IReadOnlyList<SoftmaxImplementation> For(int classes, SoftmaxPrecision precision)
    {
        var list = new List<SoftmaxImplementation>(3);
        if (precision == SoftmaxPrecision.Exact && Generated(classes) is { } generated)
        {
            list.Add(generated);
        }

        list.Add(Fallback(classes, precision));
        list.Add(Dispatch(classes, precision));
        return list;
    }

    /// <summary>The implementations <paramref name="operation"/> runs on: both precisions if it takes one, else the Exact ones.</summary>
    public static IReadOnlyList<SoftmaxImplementation> For(int classes, KernelOperation operation) =>
        operation.TakesPrecision ? [.. For(classes), .. For(classes, SoftmaxPrecision.Fast)] : For(classes);

    /// <summary>The implementation called <paramref name="name"/>; "generated" requires a kernel for the count.</summary>
    public static SoftmaxImplementation Get(string name, int classes) => name switch
    {
        "generated" => Generated(classes) ?? throw new ArgumentException($"no generated kernel for {classes} classes", nameof(classes)),
        "fallback" => Fallback(classes),
        "dispatch" => Dispatch(classes),
        "fallback-fast" => Fallback(classes, SoftmaxPrecision.Fast),
        "dispatch-fast" => Dispatch(classes, SoftmaxPrecision.Fast),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected generated, fallback, dispatch, fallback-fast or dispatch-fast"),
    };
}
