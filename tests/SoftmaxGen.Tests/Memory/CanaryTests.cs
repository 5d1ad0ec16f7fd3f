using System;
using System.Buffers.Binary;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Outputs cut from the middle of a larger buffer whose other elements hold canaries (a distinct NaN payload or bit
/// pattern per element): after every call the canaries must be bit-for-bit unchanged, the inputs too, and the output
/// must equal the same implementation's output on exact-size arrays. Also in place (output 0 = input 0) for the
/// operations that allow it. Every operation of <see cref="Operations.All"/>, every implementation, the differential
/// class counts plus 10 (no generated kernel: fallback and dispatch only), row counts around the block sizes.
/// </summary>
public sealed class CanaryTests(ITestOutputHelper output)
{
    private static readonly int[] RowCounts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];

    /// <summary>Elements of canaries after the output (before it: 1 to 17 elements, varying with the shape).</summary>
    private const int CanariesAfter = 24;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (KernelOperation operation in Operations.All)
        {
            data.Add(operation.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Operation_LeavesCanariesAndInputsUntouched(string operation)
    {
        KernelOperation op = Operations.Get(operation);
        var failures = new Failures();
        int calls = Run<float>(op, failures) + Run<double>(op, failures);
        output.WriteLine($"{op.Name}: {calls} calls (in place included) checked");
        failures.AssertNone();
    }

    /// <summary>The check itself can fail: an operation that writes one element past its output is caught.</summary>
    [Fact]
    public void Check_CatchesAnOperationThatWritesPastItsOutput()
    {
        var overrunning = new KernelOperation(
            "overrunning softmax",
            [BufferSpec.Logits()],
            [BufferSpec.PerValue("probabilities")],
            static (i, b) =>
            {
                i.Softmax(b.Input<float>(0), b.Output<float>(0));
                Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b.Output<float>(0)), b.Output<float>(0).Length) = 0.5f;
            },
            static (i, b) => i.Softmax(b.Input<double>(0), b.Output<double>(0)));
        OperationInputs inputs = OperationInputs.Random<float>(3, 5, new Random(1), specialFraction: 0);
        SoftmaxImplementation fallback = Implementations.Fallback(5);
        byte[][] expected = inputs.RunOnArrays<float>(Operations.Get("Softmax"), fallback);
        var failures = new Failures();

        OutOfPlace<float>(overrunning, fallback, inputs, expected, before: 4, "overrun", failures);

        Assert.Equal(1, failures.Count);
    }

    private static int Run<T>(KernelOperation operation, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int valueSize = Unsafe.SizeOf<T>();
        int calls = 0;
        foreach (int classes in Implementations.GeneratedClassCounts.Append(10))
        {
            foreach (int rows in RowCounts)
            {
                var random = new Random(LogitGenerator.Seed(37, classes, rows, valueSize));
                OperationInputs inputs = OperationInputs.Random<T>(rows, classes, random, specialFraction: 0.02);
                int before = 1 + ((classes + rows) % 17);
                foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
                {
                    string where = $"{operation.Name} {implementation} {Verifier.TypeName<T>()} rows={rows}";
                    byte[][] expected = inputs.RunOnArrays<T>(operation, implementation);
                    OutOfPlace<T>(operation, implementation, inputs, expected, before, where, failures);
                    calls++;
                    if (operation.InPlace)
                    {
                        InPlace<T>(operation, implementation, inputs, expected, before, where, failures);
                        calls++;
                    }
                }
            }
        }

        return calls;
    }

    private static void OutOfPlace<T>(KernelOperation operation, SoftmaxImplementation implementation, OperationInputs inputs, byte[][] expected, int before, string where, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] input0 = inputs.Bytes(operation.Inputs[0]).ToArray();
        byte[] input1 = operation.Inputs.Count > 1 ? inputs.Bytes(operation.Inputs[1]).ToArray() : [];
        CanaryBuffer output0 = new(operation.Outputs[0], inputs, before);
        CanaryBuffer? output1 = operation.Outputs.Count > 1 ? new(operation.Outputs[1], inputs, before + 3) : null;

        operation.Run<T>(implementation, new OperationBuffers(input0, input1, output0.Inner, output1 is null ? [] : output1.Inner));

        output0.Check(expected[0], $"{where} out of place", failures);
        output1?.Check(expected[1], $"{where} out of place", failures);
        if (!input0.AsSpan().SequenceEqual(inputs.Bytes(operation.Inputs[0])))
        {
            failures.Add($"{where}: the {operation.Inputs[0].Name} changed");
        }

        if (operation.Inputs.Count > 1 && !input1.AsSpan().SequenceEqual(inputs.Bytes(operation.Inputs[1])))
        {
            failures.Add($"{where}: the {operation.Inputs[1].Name} changed");
        }
    }

    /// <summary>Output 0 is input 0: the logits are copied into the canary buffer's inner span first.</summary>
    private static void InPlace<T>(KernelOperation operation, SoftmaxImplementation implementation, OperationInputs inputs, byte[][] expected, int before, string where, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CanaryBuffer shared = new(operation.Outputs[0], inputs, before);
        inputs.Bytes(operation.Inputs[0]).CopyTo(shared.Inner);
        byte[] input1 = operation.Inputs.Count > 1 ? inputs.Bytes(operation.Inputs[1]).ToArray() : [];
        CanaryBuffer? output1 = operation.Outputs.Count > 1 ? new(operation.Outputs[1], inputs, before + 3) : null;

        operation.Run<T>(implementation, new OperationBuffers(shared.Inner, input1, shared.Inner, output1 is null ? [] : output1.Inner));

        shared.Check(expected[0], $"{where} in place", failures);
        output1?.Check(expected[1], $"{where} in place", failures);
    }

    /// <summary>An output span with canary elements before and after it.</summary>
    private sealed class CanaryBuffer
    {
        private readonly byte[] _buffer;
        private readonly byte[] _pristine;
        private readonly BufferSpec _spec;
        private readonly int _valueSize;
        private readonly int _start;
        private readonly int _length;

        public CanaryBuffer(BufferSpec spec, OperationInputs inputs, int canariesBefore)
        {
            _spec = spec;
            _valueSize = inputs.ValueSize;
            int size = spec.ElementSize(inputs.ValueSize);
            _start = canariesBefore * size;
            _length = inputs.OutputBytes(spec);
            _buffer = new byte[_start + _length + (CanariesAfter * size)];
            for (int i = 0; i < _buffer.Length / size; i++)
            {
                WriteCanary(_buffer.AsSpan(i * size, size), i);
            }

            // The output itself starts as a non-NaN pattern, so an element the kernel leaves unwritten is a mismatch.
            Inner.Fill(0x3C);
            _pristine = (byte[])_buffer.Clone();
        }

        public Span<byte> Inner => _buffer.AsSpan(_start, _length);

        public void Check(byte[] expected, string where, Failures failures)
        {
            if (!_buffer.AsSpan(0, _start).SequenceEqual(_pristine.AsSpan(0, _start)))
            {
                int first = _buffer.AsSpan(0, _start).CommonPrefixLength(_pristine.AsSpan(0, _start));
                failures.Add($"{where}: wrote before {_spec.Name} (byte {first - _start} relative to its start)");
            }

            int end = _start + _length;
            if (!_buffer.AsSpan(end).SequenceEqual(_pristine.AsSpan(end)))
            {
                int first = _buffer.AsSpan(end).CommonPrefixLength(_pristine.AsSpan(end));
                failures.Add($"{where}: wrote past the end of {_spec.Name} (byte {first} after it)");
            }

            OutputComparison.Same(_spec, _valueSize, expected, Inner, where, failures);
        }

        /// <summary>A NaN (as float or double) whose payload is 0xCA00 + the index: distinct from any result.</summary>
        private static void WriteCanary(Span<byte> element, int index)
        {
            if (element.Length == sizeof(uint))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(element, 0x7FC0_0000u | (uint)(0xCA00 + index));
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(element, 0x7FF8_0000_0000_0000ul | (uint)(0xCA00 + index));
            }
        }
    }
}
