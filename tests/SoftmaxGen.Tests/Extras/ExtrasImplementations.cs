using System;
using System.Collections.Generic;
using System.Numerics;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Tests;

// A kernel for a class count of the middle-axis and top-k tests that Kernels.cs does not declare: 21 (PASCAL VOC
// segmentation). 10 classes use LossImplementations.cs's LossKernel10.

[SoftmaxKernel(21)]
internal static partial class Kernel21;

internal delegate void AxisOperation<T>(ReadOnlySpan<T> input, Span<T> output, int innerSize);

internal delegate void TopKOperation<T>(ReadOnlySpan<T> logits, int k, Span<int> indices, Span<T> probabilities);

/// <summary>
/// The middle-axis softmax, log-softmax and top-k of one implementation for one class count: <c>"dispatch"</c>
/// (<see cref="SoftmaxPrimitives"/>), <c>"fallback"</c> (<see cref="SoftmaxFallback"/>) or <c>"generated"</c> (the
/// members of a <c>[SoftmaxKernel(C)]</c> type); <c>"dispatch-fast"</c> and <c>"fallback-fast"</c> are the first two
/// with <see cref="SoftmaxPrecision.Fast"/> (no generated kernel is Fast).
/// </summary>
internal sealed class ExtrasImplementation
{
    private readonly AxisOperation<float> _softmaxSingle;
    private readonly AxisOperation<double> _softmaxDouble;
    private readonly AxisOperation<float> _logSoftmaxSingle;
    private readonly AxisOperation<double> _logSoftmaxDouble;
    private readonly TopKOperation<float> _topKSingle;
    private readonly TopKOperation<double> _topKDouble;

    private ExtrasImplementation(
        string name, int classes, SoftmaxPrecision precision,
        AxisOperation<float> softmaxSingle, AxisOperation<double> softmaxDouble,
        AxisOperation<float> logSoftmaxSingle, AxisOperation<double> logSoftmaxDouble,
        TopKOperation<float> topKSingle, TopKOperation<double> topKDouble)
    {
        Name = name;
        Classes = classes;
        Precision = precision;
        _softmaxSingle = softmaxSingle;
        _softmaxDouble = softmaxDouble;
        _logSoftmaxSingle = logSoftmaxSingle;
        _logSoftmaxDouble = logSoftmaxDouble;
        _topKSingle = topKSingle;
        _topKDouble = topKDouble;
    }

    public static readonly string[] Names = ["dispatch", "fallback", "generated", "dispatch-fast", "fallback-fast"];

    /// <summary>The class counts with a generated type (in Kernels.cs or above).</summary>
    public static readonly int[] GeneratedCounts = [1, 2, 3, 4, 5, 10, 17, 21, 100, 1000];

    public string Name { get; }

    public int Classes { get; }

    public SoftmaxPrecision Precision { get; }

    public static bool Exists(string name, int classes) => name != "generated" || Array.IndexOf(GeneratedCounts, classes) >= 0;

    public static ExtrasImplementation Get(string name, int classes) => name switch
    {
        "dispatch" or "dispatch-fast" => Dispatch(name, classes, name == "dispatch" ? SoftmaxPrecision.Exact : SoftmaxPrecision.Fast),
        "fallback" or "fallback-fast" => Fallback(name, classes, name == "fallback" ? SoftmaxPrecision.Exact : SoftmaxPrecision.Fast),
        "generated" => classes switch
        {
            1 => new(name, 1, SoftmaxPrecision.Exact, Kernel1.Softmax, Kernel1.Softmax, Kernel1.LogSoftmax, Kernel1.LogSoftmax, Kernel1.TopK, Kernel1.TopK),
            2 => new(name, 2, SoftmaxPrecision.Exact, Kernel2.Softmax, Kernel2.Softmax, Kernel2.LogSoftmax, Kernel2.LogSoftmax, Kernel2.TopK, Kernel2.TopK),
            3 => new(name, 3, SoftmaxPrecision.Exact, Kernel3.Softmax, Kernel3.Softmax, Kernel3.LogSoftmax, Kernel3.LogSoftmax, Kernel3.TopK, Kernel3.TopK),
            4 => new(name, 4, SoftmaxPrecision.Exact, Kernel4.Softmax, Kernel4.Softmax, Kernel4.LogSoftmax, Kernel4.LogSoftmax, Kernel4.TopK, Kernel4.TopK),
            5 => new(name, 5, SoftmaxPrecision.Exact, Kernel5.Softmax, Kernel5.Softmax, Kernel5.LogSoftmax, Kernel5.LogSoftmax, Kernel5.TopK, Kernel5.TopK),
            10 => new(name, 10, SoftmaxPrecision.Exact, LossKernel10.Softmax, LossKernel10.Softmax, LossKernel10.LogSoftmax, LossKernel10.LogSoftmax, LossKernel10.TopK, LossKernel10.TopK),
            17 => new(name, 17, SoftmaxPrecision.Exact, Kernel17.Softmax, Kernel17.Softmax, Kernel17.LogSoftmax, Kernel17.LogSoftmax, Kernel17.TopK, Kernel17.TopK),
            21 => new(name, 21, SoftmaxPrecision.Exact, Kernel21.Softmax, Kernel21.Softmax, Kernel21.LogSoftmax, Kernel21.LogSoftmax, Kernel21.TopK, Kernel21.TopK),
            100 => new(name, 100, SoftmaxPrecision.Exact, Kernel100.Softmax, Kernel100.Softmax, Kernel100.LogSoftmax, Kernel100.LogSoftmax, Kernel100.TopK, Kernel100.TopK),
            1000 => new(name, 1000, SoftmaxPrecision.Exact, Kernel1000.Softmax, Kernel1000.Softmax, Kernel1000.LogSoftmax, Kernel1000.LogSoftmax, Kernel1000.TopK, Kernel1000.TopK),
            _ => throw new ArgumentOutOfRangeException(nameof(classes), classes, "no generated kernel type for this class count in the tests"),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown implementation"),
    };

    private static ExtrasImplementation Dispatch(string name, int classes, SoftmaxPrecision precision) => new(name, classes, precision,
        (x, y, n) => SoftmaxPrimitives.Softmax(x, y, classes, n, precision), (x, y, n) => SoftmaxPrimitives.Softmax(x, y, classes, n, precision),
        (x, y, n) => SoftmaxPrimitives.LogSoftmax(x, y, classes, n, precision), (x, y, n) => SoftmaxPrimitives.LogSoftmax(x, y, classes, n, precision),
        (x, k, i, p) => SoftmaxPrimitives.TopK(x, k, i, p, classes, precision), (x, k, i, p) => SoftmaxPrimitives.TopK(x, k, i, p, classes, precision));

    private static ExtrasImplementation Fallback(string name, int classes, SoftmaxPrecision precision) => new(name, classes, precision,
        (x, y, n) => SoftmaxFallback.Axis(x, y, classes, n, log: false, precision), (x, y, n) => SoftmaxFallback.Axis(x, y, classes, n, log: false, precision),
        (x, y, n) => SoftmaxFallback.Axis(x, y, classes, n, log: true, precision), (x, y, n) => SoftmaxFallback.Axis(x, y, classes, n, log: true, precision),
        (x, k, i, p) => SoftmaxFallback.TopK(x, k, i, p, classes, precision), (x, k, i, p) => SoftmaxFallback.TopK(x, k, i, p, classes, precision));

    public AxisOperation<T> Softmax<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? (AxisOperation<T>)(object)_softmaxSingle : (AxisOperation<T>)(object)_softmaxDouble;

    public AxisOperation<T> LogSoftmax<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? (AxisOperation<T>)(object)_logSoftmaxSingle : (AxisOperation<T>)(object)_logSoftmaxDouble;

    public TopKOperation<T> TopK<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? (TopKOperation<T>)(object)_topKSingle : (TopKOperation<T>)(object)_topKDouble;

    public override string ToString() => $"{Name} (C={Classes})";
}

/// <summary>Independent references for the extras: the axis softmax by transposing to rows, and double-double sigmoid and binary losses.</summary>
internal static class ExtrasReference
{
    /// <summary>Rearranges <c>[outer, classes, inner]</c> into <c>[outer * inner, classes]</c> rows (and back with <paramref name="inverse"/>).</summary>
    public static T[] Transpose<T>(ReadOnlySpan<T> data, int classes, int inner, bool inverse = false)
    {
        var result = new T[data.Length];
        int outer = data.Length / (classes * inner);
        for (int o = 0; o < outer; o++)
        {
            for (int c = 0; c < classes; c++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int axis = (((o * classes) + c) * inner) + i;
                    int row = (((o * inner) + i) * classes) + c;
                    if (inverse)
                    {
                        result[axis] = data[row];
                    }
                    else
                    {
                        result[row] = data[axis];
                    }
                }
            }
        }

        return result;
    }

    /// <summary>|x - max| of every value of <c>[outer, classes, inner]</c> data, max over its position's classes (for Fast's allowance).</summary>
    public static double[] AxisDistances<T>(ReadOnlySpan<T> data, int classes, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] rows = Transpose(data, classes, inner);
        var distances = new double[rows.Length];
        for (int row = 0; row < rows.Length / classes; row++)
        {
            double max = FastBounds.RowMax<T>(rows.AsSpan(row * classes, classes));
            for (int j = 0; j < classes; j++)
            {
                distances[(row * classes) + j] = FastBounds.Distance(double.CreateTruncating(rows[(row * classes) + j]), max);
            }
        }

        return Transpose<double>(distances, classes, inner, inverse: true);
    }

    /// <summary>The sigmoid in double-double: 1 / (1 + e^-x), or e^x / (1 + e^x) for x &lt; 0.</summary>
    public static DoubleDouble Sigmoid(double x)
    {
        if (double.IsNaN(x))
        {
            return DoubleDouble.NaN;
        }

        if (double.IsInfinity(x))
        {
            return x > 0 ? DoubleDouble.One : DoubleDouble.Zero;
        }

        DoubleDouble e = DoubleDouble.Exp(-Math.Abs(x));
        return (x >= 0 ? DoubleDouble.One : e) / (DoubleDouble.One + e);
    }

    /// <summary>PyTorch's BCELoss of one element, in double-double: -(t max(ln p, -100) + (1 - t) max(ln(1 - p), -100)).</summary>
    public static DoubleDouble BinaryCrossEntropy(double p, double t)
    {
        DoubleDouble logP = p == 0 ? new DoubleDouble(-100, 0) : Clamp(DoubleDouble.Log(p));
        DoubleDouble notP = DoubleDouble.One - p;
        DoubleDouble logNotP = notP.Hi == 0 ? new DoubleDouble(-100, 0) : Clamp(DoubleDouble.Log(notP));
        return -((t * logP) + ((DoubleDouble.One - t) * logNotP));

        static DoubleDouble Clamp(DoubleDouble v) => v.Hi < -100 ? new DoubleDouble(-100, 0) : v;
    }

    /// <summary>PyTorch's BCEWithLogitsLoss of one element with pos_weight w, in double-double: (1 - t) x + (1 + (w - 1) t) softplus(-x).</summary>
    public static DoubleDouble BinaryCrossEntropyWithLogits(double x, double t, double w)
    {
        DoubleDouble logWeight = DoubleDouble.One + ((new DoubleDouble(w, 0) - 1) * t);
        DoubleDouble softplus = Math.Max(-x, 0) + DoubleDouble.Log(DoubleDouble.One + DoubleDouble.Exp(-Math.Abs(x)));
        return ((DoubleDouble.One - t) * x) + (logWeight * softplus);
    }

    /// <summary>The top-k indices: by logit descending, NaN first, ties by lower index (a stable sort).</summary>
    public static int[] TopKIndices<T>(ReadOnlySpan<T> row, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var order = new List<int>();
        for (int j = 0; j < row.Length; j++)
        {
            order.Add(j);
        }

        T[] values = row.ToArray();
        order.Sort((a, b) =>
        {
            bool aNaN = T.IsNaN(values[a]), bNaN = T.IsNaN(values[b]);
            if (aNaN != bNaN)
            {
                return aNaN ? -1 : 1;
            }

            int byValue = aNaN ? 0 : values[b].CompareTo(values[a]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
        return order.GetRange(0, k).ToArray();
    }
}
