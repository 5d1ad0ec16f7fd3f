using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every operation of <see cref="Operations.All"/>, on every implementation, with each output made to share bytes with
/// each other buffer of the call: the spans are cut from one byte arena (so an int target span and a float loss span can
/// cover the same memory, as <see cref="MemoryMarshal.Cast{TFrom, TTo}(Span{TFrom})"/> allows in safe code), at byte
/// offsets that overlap by one byte, by one element, by half, and at misaligned offsets. Each call must throw an
/// <see cref="ArgumentException"/> that names one of the two parameters and says they overlap, and leave every byte of
/// the arena as it was. The arena ends at a guard page, so a kernel that ran anyway and read or wrote past it would crash
/// the process; only the documented in-place uses (an output at exactly the same start as the input it may replace)
/// are left out.
/// </summary>
public sealed class TypePunnedOverlapTests(ITestOutputHelper output)
{
    // Block layouts and their last rows, the row layout, and the fallback's large rows.
    private static readonly int[] ClassCounts = [1, 3, 5, 10, 17, 100];

    // Whole blocks of 16 rows and leftover rows (and one of 8 and 4 for double).
    private const int Rows = 37;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (object[] row in Operations.NamesAndTypes())
        {
            data.Add((string)row[0], (string)row[1]);
        }

        return data;
    }

    [LinuxTheory]
    [MemberData(nameof(Cases))]
    public void EveryOutputOverlappingAnotherBuffer_ThrowsAndWritesNothing(string operation, string type)
    {
        if (type == "float")
        {
            Run<float>(Operations.Get(operation));
        }
        else
        {
            Run<double>(Operations.Get(operation));
        }
    }

    /// <summary>The reported reproducer: a gradient span cast over the targets' own memory crashed the process.</summary>
    [Fact]
    public void GradientCastOverTheTargets_Throws()
    {
        int[] buf = new int[11];
        buf[1] = 1; // targets = buf[0..2] = {0, 1}
        float[] x = [1, 2, 3, 4, 5, 5, 4, 3, 2, 1];
        int[] before = (int[])buf.Clone();

        var e = Assert.Throws<ArgumentException>(() =>
            SoftmaxPrimitives.CrossEntropyWithGradient(x, buf.AsSpan(0, 2), MemoryMarshal.Cast<int, float>(buf.AsSpan(1, 10)), 5));
        Assert.Equal("logitsGradient", e.ParamName);
        Assert.Contains("targets", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, buf);

        e = Assert.Throws<ArgumentException>(() =>
            SoftmaxPrimitives.CrossEntropyWithGradient(x, buf.AsSpan(0, 2), MemoryMarshal.Cast<int, float>(buf.AsSpan(1, 10)), 5, LossReduction.Sum, [1, 2, 3, 4, 5], -100, 0.1f));
        Assert.Equal("logitsGradient", e.ParamName);
        Assert.Equal(before, buf);

        // The generated member of a 5-class kernel.
        e = Assert.Throws<ArgumentException>(() =>
            Kernel5.CrossEntropyWithGradient(x, buf.AsSpan(0, 2), MemoryMarshal.Cast<int, float>(buf.AsSpan(1, 10))));
        Assert.Equal("logitsGradient", e.ParamName);
        Assert.Equal(before, buf);
    }

    /// <summary>Per-row losses cast over the targets (double, 5 classes, 64 rows: the column layout's block losses crashed).</summary>
    [Fact]
    public void LossesCastOverTheTargets_Throw()
    {
        const int rows = 64, classes = 5;
        double[] logits = Enumerable.Range(0, rows * classes).Select(i => Math.Sin(i) * 4).ToArray();
        int[] memory = Enumerable.Range(0, 3 * rows).Select(i => i % classes).ToArray();
        int[] before = (int[])memory.Clone();
        ReadOnlySpan<int> Targets() => memory.AsSpan(0, rows);
        Span<double> Losses() => MemoryMarshal.Cast<int, double>(memory.AsSpan(1, 2 * rows));

        var e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(logits, Targets(), Losses(), classes));
        Assert.Equal("losses", e.ParamName);
        Assert.Contains("targets", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.CrossEntropy(logits, Targets(), Losses(), classes, [1, 2, 3, 4, 5], -100, 0.2));
        Assert.Equal("losses", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Kernel5.CrossEntropy(logits, Targets(), Losses()));
        Assert.Equal("losses", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => SoftmaxParallel.CrossEntropy(logits, Targets(), Losses(), classes));
        Assert.Equal("losses", e.ParamName);
        Assert.Equal(before, memory);
    }

    /// <summary>Argmax predictions cast over the logits are refused (they were accepted).</summary>
    [Fact]
    public void PredictionsCastOverTheLogits_Throw()
    {
        float[] logits = [3, 1, 2, 0, 5, 4];
        float[] before = (float[])logits.Clone();
        Span<int> Predictions() => MemoryMarshal.Cast<float, int>(logits.AsSpan(0, 2));

        var e = Assert.Throws<ArgumentException>(() => SoftmaxPrimitives.Argmax(logits, Predictions(), 3));
        Assert.Equal("predictions", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Kernel3.Argmax(logits, Predictions()));
        Assert.Equal("predictions", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => SoftmaxGen.Kernels.SoftmaxFallback.Argmax(logits, Predictions(), 3));
        Assert.Equal("predictions", e.ParamName);
        Assert.Equal(before, logits);
    }

    private void Run<T>(KernelOperation operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var failures = new Failures();
        int calls = 0;
        int valueSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        using var region = new GuardedRegion(4 * Rows * ClassCounts.Max() * sizeof(double) + 4096);
        foreach (int classes in ClassCounts)
        {
            var random = new Random(LogitGenerator.Seed(47, classes, Rows, valueSize));
            OperationInputs inputs = OperationInputs.Random<T>(Rows, classes, random, specialFraction: 0);
            var buffers = operation.Inputs.Select((spec, i) => new Buffer(spec, false, i, inputs.Bytes(spec).Length))
                .Concat(operation.Outputs.Select((spec, i) => new Buffer(spec, true, i, inputs.OutputBytes(spec))))
                .ToArray();
            foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
            {
                foreach (Buffer written in buffers.Where(b => b.IsOutput && !b.Spec.IsReturnValue))
                {
                    foreach (Buffer other in buffers.Where(b => b != written && !b.Spec.IsReturnValue && b.Length > 0))
                    {
                        foreach (int shift in Shifts(written.Length, other.Length))
                        {
                            if (shift == 0 && Allowed(operation, written, other))
                            {
                                continue;
                            }

                            string where = $"{operation.Name} {implementation} {Verifier.TypeName<T>()} C={classes}: {written.Spec.Name} at byte {shift} of {other.Spec.Name}";
                            RunOverlapping<T>(operation, implementation, inputs, buffers, written, other, shift, region, where, failures);
                            calls++;
                        }
                    }
                }
            }
        }

        output.WriteLine($"{operation.Name} {Verifier.TypeName<T>()}: {calls} overlapping calls, each refused with nothing written");
        failures.AssertNone();
    }

    /// <summary>Where the written buffer starts relative to the other one, in bytes: every offset here makes them share a byte.</summary>
    private static IEnumerable<int> Shifts(int writtenLength, int otherLength) =>
        new[] { -(writtenLength - 1), -(writtenLength / 2), -4, -1, 0, 1, 2, 4, 8, otherLength / 2, otherLength - 1 }
            .Where(s => s > -writtenLength && s < otherLength)
            .Distinct();

    /// <summary>The documented exact aliasing: output 0 in place of input 0 (and of input 1 for the softmax gradients).</summary>
    private static bool Allowed(KernelOperation operation, Buffer written, Buffer other) =>
        written.Index == 0 && !other.IsOutput &&
        ((other.Index == 0 && operation.InPlace) || (other.Index == 1 && operation.InPlaceOverSecondInput));

    private static void RunOverlapping<T>(
        KernelOperation operation,
        SoftmaxImplementation implementation,
        OperationInputs inputs,
        Buffer[] buffers,
        Buffer written,
        Buffer other,
        int shift,
        GuardedRegion region,
        string where,
        Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Lay the buffers out one after another, except that `written` starts `shift` bytes from `other`; the last one
        // ends at the guard page. Odd gaps make most spans misaligned for their element type.
        Span<byte> arena = region.AtEnd(region.Capacity);
        arena.Fill(0x3C);
        var starts = new Dictionary<Buffer, int>();
        int position = Math.Max(written.Length, 16) + 3;
        foreach (Buffer buffer in buffers.Where(b => b != written))
        {
            starts[buffer] = position;
            position += buffer.Length + 5;
        }

        starts[written] = starts[other] + shift;
        int end = Math.Max(position, starts[written] + written.Length);
        int origin = arena.Length - end; // move everything so that the last byte used is the arena's last
        Span<byte> Slice(Span<byte> memory, Buffer b) => memory.Slice(origin + starts[b], b.Length);

        // Outputs first, then inputs, so that the overlapped input holds valid values (in-range targets).
        foreach (Buffer buffer in buffers.Where(b => b.IsOutput))
        {
            Slice(arena, buffer).Fill(0x5A);
        }

        foreach (Buffer buffer in buffers.Where(b => !b.IsOutput))
        {
            inputs.Bytes(buffer.Spec).CopyTo(Slice(arena, buffer));
        }

        byte[] before = arena.ToArray();
        Buffer? Input(int i) => buffers.FirstOrDefault(b => !b.IsOutput && b.Index == i);
        Buffer? Output(int i) => buffers.FirstOrDefault(b => b.IsOutput && b.Index == i);
        Span<byte> SliceOrEmpty(Span<byte> memory, Buffer? b) => b is null ? [] : Slice(memory, b);

        // A reduced loss is stored by the catalogue entry after the call: give it a place outside the arena.
        Span<byte> returned = stackalloc byte[sizeof(double)];
        Buffer? output0 = Output(0), output1 = Output(1);
        var buffersForCall = new OperationBuffers(
            SliceOrEmpty(arena, Input(0)),
            SliceOrEmpty(arena, Input(1)),
            output0 is { Spec.IsReturnValue: true } ? returned : SliceOrEmpty(arena, output0),
            output1 is { Spec.IsReturnValue: true } ? returned : SliceOrEmpty(arena, output1));
        try
        {
            operation.Run<T>(implementation, buffersForCall);
            failures.Add($"{where}: no exception");
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            if ((e.ParamName != written.Spec.Name && e.ParamName != other.Spec.Name) || !e.Message.Contains("overlap", StringComparison.Ordinal))
            {
                failures.Add($"{where}: {e.GetType().Name} names '{e.ParamName}': {e.Message}");
            }
        }
        catch (Exception e)
        {
            failures.Add($"{where}: {e.GetType().Name}: {e.Message}");
        }

        if (!arena.SequenceEqual(before))
        {
            failures.Add($"{where}: the call wrote before refusing");
        }
    }

    private sealed record Buffer(BufferSpec Spec, bool IsOutput, int Index, int Length);
}

/// <summary>
/// A registered kernel, which SoftmaxKernelRegistry.Find hands to anyone, validates its arguments as SoftmaxPrimitives
/// does: a short output, a partial overlap, a bad target or a type-punned overlap throws and writes nothing.
/// </summary>
public sealed class RegisteredKernelArgumentTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    public void RegisteredKernel_ValidatesLikeSoftmaxPrimitives(int classes)
    {
        SoftmaxGen.Kernels.SoftmaxKernel kernel = SoftmaxGen.Kernels.SoftmaxKernelRegistry.Find(classes)
            ?? throw new InvalidOperationException($"no kernel registered for {classes} classes");
        float[] logits = Enumerable.Range(0, 4 * classes).Select(i => (float)Math.Sin(i)).ToArray();
        float[] shortOutput = new float[4 * classes - 1];
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => kernel.Softmax(logits, shortOutput)).ParamName);
        Assert.Equal("logProbabilities", Assert.Throws<ArgumentException>(() => kernel.LogSoftmax(logits, shortOutput)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => kernel.Softmax(logits.AsSpan(1), new float[4 * classes])).ParamName);
        Assert.All(shortOutput, v => Assert.Equal(0f, v));

        int[] memory = [0, 1, 2 % classes, 0, 0, 0, 0, 0, 0, 0];
        int[] before = (int[])memory.Clone();
        Assert.Equal("targets", Assert.Throws<ArgumentOutOfRangeException>(() => kernel.CrossEntropy(logits, new[] { 0, classes, 0, 0 }, [])).ParamName);
        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => kernel.CrossEntropy(logits, memory.AsSpan(0, 4), MemoryMarshal.Cast<int, float>(memory.AsSpan(2, 4)))).ParamName);
        Assert.Equal("predictions", Assert.Throws<ArgumentException>(() => kernel.Argmax(logits, new int[3])).ParamName);
        Assert.Equal(before, memory);

        // Valid calls give SoftmaxPrimitives' results.
        float[] expected = new float[logits.Length], actual = new float[logits.Length];
        SoftmaxPrimitives.Softmax(logits, expected, classes);
        kernel.Softmax(logits, actual);
        Assert.Equal(expected, actual);
    }
}

/// <summary>
/// The runtime members that generated code calls with validated arguments are public, so they check the shape they
/// rely on: a direct call with a row count the spans do not hold, short outputs, or out-of-range targets throws an
/// <see cref="ArgumentException"/> (never reads or writes past a span) and writes nothing.
/// </summary>
public sealed class GeneratedCodeEntryPointTests
{
    [Fact]
    public void Cores_RefuseShapesTheSpansDoNotHold()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8]; // 2 rows of 4
        double[] xd = x.Select(v => (double)v).ToArray();
        float[] y = new float[8];
        double[] yd = new double[8];
        int[] indices = new int[8];

        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.SoftmaxCore(x, y, 3, 4), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.SoftmaxCore(x, y.AsSpan(0, 4), 2, 4), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.SoftmaxCore(xd, yd, 2, 5), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.LogSoftmaxCore(x, y, -1, 4), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.LogSoftmaxCore(xd, yd, 1, 0), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore(x, [0], y, 2, 4), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore(x, [0, 4], y, 2, 4), "targets");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore(xd, [0, -1], yd, 2, 4), "targets");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore(x, [0, 1], y.AsSpan(0, 1), 2, 4), "losses");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore<float>(x, [0, 9], [], [], 2, 4, LossReduction.Mean, [], -100, 0f), "targets");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore<float>(x, [0, 1], [], y.AsSpan(0, 5), 2, 4, LossReduction.Mean, [], -100, 0f), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.CrossEntropyCore<double>(xd, [0, 1], [], [], 2, 4, LossReduction.Sum, [1.0, 2.0], -100, 0.0), "classWeights");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.ArgmaxCore(x, indices.AsSpan(0, 1), 4), "predictions");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.SoftmaxAxisCore(x, y, 2, 2, 4), "outer");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.LogSoftmaxAxisCore(xd, yd, 1, -1, -8), "outer");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.TopKCore(x, 2, indices, y, 3, 4), "rows");
        Refused(() => SoftmaxGen.Kernels.SoftmaxFallback.TopKCore(xd, 5, indices, yd, 2, 4), "k");

        Assert.All(y, v => Assert.Equal(0f, v));
        Assert.All(yd, v => Assert.Equal(0.0, v));
        Assert.All(indices, v => Assert.Equal(0, v));
    }

    private static void Refused(Action call, string parameter)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(parameter, e.ParamName);
    }
}
