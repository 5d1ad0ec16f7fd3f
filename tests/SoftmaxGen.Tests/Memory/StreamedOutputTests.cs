using System;
using System.Numerics;
using System.Runtime.InteropServices;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The log-softmax of a batch whose output is at least <see cref="RowKernels.MinStreamedOutputBytes"/> is written with
/// non-temporal stores (<see cref="RowKernels.StreamsBatch"/>). Its results, and the softmax's of the same batches, must
/// be, bit for bit, those of the same rows computed in small batches (plain stores,
/// checked against the reference by <see cref="DifferentialTests"/>), wherever the output starts relative to a cache
/// line and in place, with nothing written outside the output. So must those of batches just over
/// <see cref="RowKernels.MaxFusedMaxBatchBytes"/>, whose rows take their maximum in a pass of their own (in the small
/// batches the output pass of the row before takes it). C = 1000 has a generated kernel; C = 600 runs the fallback.
/// </summary>
public sealed class StreamedOutputTests
{
    [Theory]
    [InlineData(1000, SoftmaxPrecision.Exact)]
    [InlineData(1000, SoftmaxPrecision.Fast)]
    [InlineData(600, SoftmaxPrecision.Exact)]
    [InlineData(600, SoftmaxPrecision.Fast)]
    public void Float_StreamedBatches_MatchSmallBatchesBitForBit(int classes, SoftmaxPrecision precision)
        => Run<float>(classes, precision);

    [Theory]
    [InlineData(1000, SoftmaxPrecision.Exact)]
    [InlineData(600, SoftmaxPrecision.Fast)]
    public void Double_StreamedBatches_MatchSmallBatchesBitForBit(int classes, SoftmaxPrecision precision)
        => Run<double>(classes, precision);

    [Theory]
    [InlineData(1000, SoftmaxPrecision.Exact)]
    [InlineData(600, SoftmaxPrecision.Fast)]
    public void Float_UnfusedBatches_MatchSmallBatchesBitForBit(int classes, SoftmaxPrecision precision)
        => Run<float>(classes, precision, RowKernels.MaxFusedMaxBatchBytes);

    [Fact]
    public void Double_UnfusedBatches_MatchSmallBatchesBitForBit()
        => Run<double>(1000, SoftmaxPrecision.Fast, RowKernels.MaxFusedMaxBatchBytes);

    [Fact]
    public void FusesNextRowMax_UpToTheThreshold()
    {
        Assert.True(RowKernels.FusesNextRowMax(16, 4000));
        Assert.True(RowKernels.FusesNextRowMax((nuint)(RowKernels.MaxFusedMaxBatchBytes / 4000), 4000));
        Assert.False(RowKernels.FusesNextRowMax((nuint)Rows(1000, 4, RowKernels.MaxFusedMaxBatchBytes), 4000));
    }

    [Fact]
    public void StreamsBatch_TakesOutputsFromTheThreshold()
    {
        // The batches above stream (on x86); a batch a row below the threshold does not.
        Assert.Equal(System.Runtime.Intrinsics.X86.Sse2.IsSupported, RowKernels.StreamsBatch((nuint)StreamedRows(1000, 4), 4000));
        Assert.False(RowKernels.StreamsBatch((nuint)StreamedRows(1000, 4) - 4, 4000));
    }

    /// <summary>
    /// One row of more than 16 MiB streams on its own: its log-softmax against a float64 reference, within the bound of
    /// each precision (4 ULP of max(|r|, 1); Fast also the rounding of x - max), nothing written before or after it.
    /// </summary>
    [Theory]
    [InlineData(SoftmaxPrecision.Exact)]
    [InlineData(SoftmaxPrecision.Fast)]
    public void Float_OneStreamedRow_MatchesReference(SoftmaxPrecision precision)
    {
        int classes = (1 << 22) + 5;
        var random = new Random(LogitGenerator.Seed(9, classes, 1));
        float[] logits = LogitGenerator.Create<float>("normal5", classes, random);
        float[] buffer = new float[classes + 6];
        buffer.AsSpan().Fill(-7f);
        SoftmaxPrimitives.LogSoftmax(logits, buffer.AsSpan(3, classes), classes, precision);

        double max = double.NegativeInfinity, sum = 0;
        foreach (float v in logits)
            max = Math.Max(max, v);
        foreach (float v in logits)
            sum += Math.Exp(v - max);
        double normaliser = max + Math.Log(sum);
        var failures = new Failures();
        for (int i = 0; i < classes; i++)
        {
            double expected = logits[i] - normaliser;
            float unit = (float)Math.Max(Math.Abs(expected), 1);
            double allowed = (4 * (double)(MathF.BitIncrement(unit) - unit))
                + (precision == SoftmaxPrecision.Fast ? (max - logits[i]) * Math.ScaleB(1.0, -24) : 0);
            if (!(Math.Abs(buffer[3 + i] - expected) <= allowed))
                failures.Add($"{precision} value {i}: {buffer[3 + i]}, reference {expected}, allowed {allowed}");
        }

        failures.AssertNone();
        Assert.All(new[] { buffer[0], buffer[1], buffer[2], buffer[^3], buffer[^2], buffer[^1] }, v => Assert.Equal(-7f, v));
    }

    private static int StreamedRows(int classes, int elementSize) => Rows(classes, elementSize, RowKernels.MinStreamedOutputBytes);

    /// <summary>Three rows more than <paramref name="bytes"/> hold.</summary>
    private static int Rows(int classes, int elementSize, long bytes) => (int)(bytes / (classes * elementSize)) + 3;

    private static void Run<T>(int classes, SoftmaxPrecision precision, long bytes = RowKernels.MinStreamedOutputBytes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = Rows(classes, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), bytes);
        int n = rows * classes;
        var random = new Random(LogitGenerator.Seed(typeof(T) == typeof(float) ? 7 : 8, classes, rows));
        T[] logits = LogitGenerator.Create<T>("normal5", n, random);

        // The same rows 16 at a time: far below the threshold, so plain stores.
        T[] softmax = new T[n], logSoftmax = new T[n];
        for (int row = 0; row < rows; row += 16)
        {
            int start = row * classes, length = Math.Min(16, rows - row) * classes;
            Normalize<T>(false, logits.AsSpan(start, length), softmax.AsSpan(start, length), classes, precision);
            Normalize<T>(true, logits.AsSpan(start, length), logSoftmax.AsSpan(start, length), classes, precision);
        }

        // Outputs starting 0, 1 and 5 elements past an array's start: the first whole line of a row moves with them.
        foreach (int shift in new[] { 0, 1, 5 })
        {
            T[] buffer = new T[n + 16];
            buffer.AsSpan().Fill(T.CreateTruncating(-7));
            Normalize<T>(false, logits, buffer.AsSpan(shift, n), classes, precision);
            AssertSame(softmax, buffer, shift, $"softmax, output at +{shift}");

            buffer.AsSpan().Fill(T.CreateTruncating(-7));
            Normalize<T>(true, logits, buffer.AsSpan(shift, n), classes, precision);
            AssertSame(logSoftmax, buffer, shift, $"log-softmax, output at +{shift}");

            buffer.AsSpan().Fill(T.CreateTruncating(-7));
            logits.CopyTo(buffer.AsSpan(shift));
            Normalize<T>(false, buffer.AsSpan(shift, n), buffer.AsSpan(shift, n), classes, precision);
            AssertSame(softmax, buffer, shift, $"softmax in place at +{shift}");

            buffer.AsSpan().Fill(T.CreateTruncating(-7));
            logits.CopyTo(buffer.AsSpan(shift));
            Normalize<T>(true, buffer.AsSpan(shift, n), buffer.AsSpan(shift, n), classes, precision);
            AssertSame(logSoftmax, buffer, shift, $"log-softmax in place at +{shift}");
        }
    }

    /// <summary>SoftmaxPrimitives' float or double softmax, or log-softmax when <paramref name="log"/>.</summary>
    private static void Normalize<T>(bool log, ReadOnlySpan<T> logits, Span<T> output, int classes, SoftmaxPrecision precision)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> x = MemoryMarshal.Cast<T, float>(logits);
            Span<float> y = MemoryMarshal.Cast<T, float>(output);
            if (log)
                SoftmaxPrimitives.LogSoftmax(x, y, classes, precision);
            else
                SoftmaxPrimitives.Softmax(x, y, classes, precision);
        }
        else
        {
            ReadOnlySpan<double> x = MemoryMarshal.Cast<T, double>(logits);
            Span<double> y = MemoryMarshal.Cast<T, double>(output);
            if (log)
                SoftmaxPrimitives.LogSoftmax(x, y, classes, precision);
            else
                SoftmaxPrimitives.Softmax(x, y, classes, precision);
        }
    }

    private static void AssertSame<T>(T[] expected, T[] buffer, int shift, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<byte> want = MemoryMarshal.AsBytes(expected.AsSpan());
        ReadOnlySpan<byte> got = MemoryMarshal.AsBytes(buffer.AsSpan(shift, expected.Length));
        if (!want.SequenceEqual(got))
        {
            int i = 0;
            while (i < expected.Length - 1 && expected[i].Equals(buffer[shift + i]))
            {
                i++;
            }

            Assert.Fail($"{what}: value {i} is {buffer[shift + i]}, the small batches gave {expected[i]}");
        }

        for (int i = 0; i < buffer.Length; i++)
        {
            if (i < shift || i >= shift + expected.Length)
            {
                Assert.True(buffer[i] == T.CreateTruncating(-7), $"{what}: element {i} outside the output was written");
            }
        }
    }
}
