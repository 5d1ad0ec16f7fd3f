using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The vectorised argmax against a scalar reference with torch.argmax's rules (the first maximal index; NaN counts as
/// maximal and the first NaN wins), on rows with ties, NaN, ±inf and signed zeros, at misaligned offsets, through the
/// public entry point and through every vector width the machine has.
/// </summary>
public sealed class ArgmaxTests
{
    public static TheoryData<int> ClassCounts()
    {
        var data = new TheoryData<int>();
        for (int c = 1; c <= 70; c++)
            data.Add(c);
        data.Add(1000);
        data.Add(32000);
        return data;
    }

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void Argmax_MatchesTheScalarReference(int classes)
    {
        Check<float>(classes);
        Check<double>(classes);
    }

    [Fact]
    public void Argmax_FindsNaNAndTiesInEveryLanePosition()
    {
        // One special value moved through every position of rows around the vector widths.
        foreach (int classes in new[] { 4, 8, 9, 16, 17, 31, 33, 64, 65 })
        {
            for (int position = 0; position < classes; position++)
            {
                foreach (double special in new[] { double.NaN, double.PositiveInfinity, 5.0 })
                {
                    var row = new double[classes];
                    Array.Fill(row, double.NegativeInfinity);
                    row[position] = special;
                    row[classes - 1 - ((position + 3) % classes)] = special == 5.0 ? 5.0 : 1.0;
                    AssertRows(row, classes);
                    AssertRows(Array.ConvertAll(row, v => (float)v), classes);
                }
            }
        }
    }

    [Fact]
    public void Argmax_OfSignedZerosAndAllMinusInfinityRows_IsTheFirstIndex()
    {
        foreach (int classes in new[] { 1, 7, 16, 40 })
        {
            var row = new double[classes];
            Array.Fill(row, double.NegativeInfinity);
            AssertRows(row, classes);
            for (int i = 0; i < classes; i++)
                row[i] = i % 2 == 0 ? -0.0 : 0.0;
            row[0] = -1;
            AssertRows(row, classes);
            AssertRows(Array.ConvertAll(row, v => (float)v), classes);
        }
    }

    private static void Check<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = classes >= 1000 ? 6 : 12;
        var random = new Random(classes * 31 + typeof(T).Name.Length);
        T[] data = new T[rows * classes + 3];
        for (int i = 0; i < data.Length; i++)
            data[i] = Draw<T>(random, classes);

        // Some rows without specials, so that the maximum pass runs to the end.
        for (int offset = 0; offset <= 3; offset++)
        {
            Span<T> span = data.AsSpan(offset, rows * classes);
            for (int i = 0; i < span.Length; i++)
            {
                if ((i / classes) % 3 == 0 && !T.IsFinite(span[i]))
                    span[i] = T.CreateTruncating(random.Next(-3, 4));
            }

            AssertRows<T>(span, classes);
        }
    }

    private static T Draw<T>(Random random, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double r = random.NextDouble();
        double rare = 1.0 / (4.0 * classes);
        return r switch
        {
            _ when r < rare => T.NaN,
            _ when r < 2 * rare => T.PositiveInfinity,
            _ when r < 0.1 => T.NegativeInfinity,
            _ when r < 0.6 => T.CreateTruncating(random.Next(-3, 4)),
            _ => T.CreateTruncating((random.NextDouble() * 8) - 4),
        };
    }

    private static void AssertRows<T>(ReadOnlySpan<T> logits, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = logits.Length / classes;
        int[] expected = new int[rows];
        for (int r = 0; r < rows; r++)
            expected[r] = Reference(logits.Slice(r * classes, classes));

        int[] actual = new int[rows + 1];
        actual[rows] = -7;
        if (typeof(T) == typeof(float))
            SoftmaxPrimitives.Argmax(MemoryMarshal.Cast<T, float>(logits), actual, classes);
        else
            SoftmaxPrimitives.Argmax(MemoryMarshal.Cast<T, double>(logits), actual, classes);
        Assert.Equal(expected, actual.AsSpan(0, rows).ToArray());
        Assert.Equal(-7, actual[rows]);

        foreach ((string width, int[] predictions) in EveryWidth(logits.ToArray(), classes))
            Assert.True(expected.AsSpan().SequenceEqual(predictions), $"{typeof(T).Name} {width} lanes, {classes} classes");
    }

    private static IEnumerable<(string Width, int[] Predictions)> EveryWidth<T>(T[] logits, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var results = new List<(string, int[])>();
        int rows = logits.Length / classes;
        void Run(string name, int lanes, ArgmaxKernel<T> kernel, bool accelerated)
        {
            if (accelerated && classes >= lanes)
            {
                int[] predictions = new int[rows];
                kernel(logits, predictions, rows, classes);
                results.Add((name, predictions));
            }
        }

        if (typeof(T) == typeof(float))
        {
            Run("512", Vector512<float>.Count, Cast<T, float>(static (l, p, r, c) => RowKernels<Simd512F, Vector512<float>, float>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), Vector512.IsHardwareAccelerated);
            Run("256", Vector256<float>.Count, Cast<T, float>(static (l, p, r, c) => RowKernels<Simd256F, Vector256<float>, float>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), Vector256.IsHardwareAccelerated);
            Run("128", Vector128<float>.Count, Cast<T, float>(static (l, p, r, c) => RowKernels<Simd128F, Vector128<float>, float>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), Vector128.IsHardwareAccelerated);
            Run("1", 1, Cast<T, float>(static (l, p, r, c) => RowKernels<ScalarF, float, float>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), true);
        }
        else
        {
            Run("512", Vector512<double>.Count, Cast<T, double>(static (l, p, r, c) => RowKernels<Simd512D, Vector512<double>, double>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), Vector512.IsHardwareAccelerated);
            Run("256", Vector256<double>.Count, Cast<T, double>(static (l, p, r, c) => RowKernels<Simd256D, Vector256<double>, double>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), Vector256.IsHardwareAccelerated);
            Run("128", Vector128<double>.Count, Cast<T, double>(static (l, p, r, c) => RowKernels<Simd128D, Vector128<double>, double>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), Vector128.IsHardwareAccelerated);
            Run("1", 1, Cast<T, double>(static (l, p, r, c) => RowKernels<ScalarD, double, double>.ArgmaxRows(ref MemoryMarshal.GetReference(l), ref MemoryMarshal.GetReference(p), (nuint)r, (nuint)c)), true);
        }

        return results;
    }

    private delegate void ArgmaxKernel<T>(ReadOnlySpan<T> logits, Span<int> predictions, int rows, int classes);

    private static ArgmaxKernel<T> Cast<T, TActual>(ArgmaxKernel<TActual> kernel)
        where T : unmanaged
        where TActual : unmanaged
        => (l, p, r, c) => kernel(MemoryMarshal.Cast<T, TActual>(l), p, r, c);

    /// <summary>torch.argmax's rule written plainly: the first NaN, else the first index of the maximum.</summary>
    private static int Reference<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (T.IsNaN(row[j]))
                return j;
        }

        T max = T.NegativeInfinity;
        foreach (T v in row)
            max = v > max ? v : max;
        for (int j = 0; j < row.Length; j++)
        {
            // == rather than IndexOf: -0 and +0 are equal maxima, and the first one wins.
            if (row[j] == max)
                return j;
        }

        throw new InvalidOperationException("the maximum is in the row");
    }
}
