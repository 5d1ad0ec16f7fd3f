using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every byte offset from 0 to 63 of the inputs and of the outputs (from a 64-byte-aligned base, so every position
/// within a cache line and an AVX-512 vector) gives bit-identical results: each input offset with aligned outputs,
/// each output offset with aligned inputs, both at the same offset, and both at different offsets. Every operation of
/// <see cref="Operations.All"/>, every implementation, float and double, class counts 1, 3, 4, 5, 8, 9, 10, 16, 17,
/// 33, 64, 100, 129 and 1000. Offsets that are not a multiple of the element size (a float at byte 1) are included:
/// the library takes spans, and a span over such memory is legal. Any NaN equals any NaN (<see cref="OutputComparison"/>).
/// </summary>
public sealed unsafe class AlignmentTests(ITestOutputHelper output)
{
    private const int Alignment = 64;

    private static readonly int[] ClassCounts = [1, 3, 4, 5, 8, 9, 10, 16, 17, 33, 64, 100, 129, 1000];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (KernelOperation operation in Operations.All)
        {
            data.Add(operation.Name);
        }

        return data;
    }

    /// <summary>(input offset, output offset) pairs: each side alone, both equal, and both different.</summary>
    private static IEnumerable<(int Input, int Output)> Offsets()
    {
        for (int k = 0; k < Alignment; k++)
        {
            yield return (k, 0);
            if (k > 0)
            {
                yield return (0, k);
                yield return (k, k);
                yield return (k, (k * 37) % Alignment);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryOffset_GivesIdenticalResults(string operation)
    {
        KernelOperation op = Operations.Get(operation);
        var failures = new Failures();
        int calls = Run<float>(op, failures) + Run<double>(op, failures);
        output.WriteLine($"{op.Name}: {calls} calls at offsets 0..63 checked against offset 0");
        failures.AssertNone();
    }

    private static int Run<T>(KernelOperation operation, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int calls = 0;
        foreach (int classes in ClassCounts)
        {
            int rows = classes >= 1000 ? 2 : classes >= 100 ? 5 : 19;
            var random = new Random(LogitGenerator.Seed(43, classes, Unsafe.SizeOf<T>()));
            OperationInputs inputs = OperationInputs.Random<T>(rows, classes, random, specialFraction: 0.02);
            using var memory = new AlignedBuffers(operation, inputs);
            foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
            {
                byte[][] expected = memory.Run<T>(operation, implementation, 0, 0);
                foreach ((int inputOffset, int outputOffset) in Offsets())
                {
                    byte[][] actual = memory.Run<T>(operation, implementation, inputOffset, outputOffset);
                    calls++;
                    for (int o = 0; o < actual.Length; o++)
                    {
                        string where = $"{operation.Name} {implementation} {Verifier.TypeName<T>()} rows={rows} input offset {inputOffset}, output offset {outputOffset}";
                        OutputComparison.Same(operation.Outputs[o], inputs.ValueSize, expected[o], actual[o], where, failures);
                    }
                }
            }
        }

        return calls;
    }

    /// <summary>One 64-byte-aligned native block per input and output, with room for a 63-byte offset.</summary>
    private sealed class AlignedBuffers : IDisposable
    {
        private readonly KernelOperation _operation;
        private readonly OperationInputs _inputs;
        private readonly byte*[] _blocks;
        private readonly int[] _lengths;

        public AlignedBuffers(KernelOperation operation, OperationInputs inputs)
        {
            _operation = operation;
            _inputs = inputs;
            int count = operation.Inputs.Count + operation.Outputs.Count;
            _blocks = new byte*[count];
            _lengths = new int[count];
            for (int b = 0; b < count; b++)
            {
                _lengths[b] = b < operation.Inputs.Count ? inputs.Bytes(operation.Inputs[b]).Length : inputs.OutputBytes(operation.Outputs[b - operation.Inputs.Count]);
                _blocks[b] = (byte*)NativeMemory.AlignedAlloc((nuint)(_lengths[b] + Alignment), Alignment);
            }
        }

        /// <summary>Copies the inputs to <paramref name="inputOffset"/>, runs, and returns the outputs read at <paramref name="outputOffset"/>.</summary>
        public byte[][] Run<T>(KernelOperation operation, SoftmaxImplementation implementation, int inputOffset, int outputOffset)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int inputs = _operation.Inputs.Count;
            Span<byte> Block(int b, int offset) => new(_blocks[b] + offset, _lengths[b]);

            for (int b = 0; b < inputs; b++)
            {
                _inputs.Bytes(_operation.Inputs[b]).CopyTo(Block(b, inputOffset));
            }

            for (int b = inputs; b < _blocks.Length; b++)
            {
                Block(b, outputOffset).Fill(0x3C);
            }

            operation.Run<T>(implementation, new OperationBuffers(
                Block(0, inputOffset),
                inputs > 1 ? Block(1, inputOffset) : [],
                Block(inputs, outputOffset),
                _blocks.Length > inputs + 1 ? Block(inputs + 1, outputOffset) : []));

            var results = new byte[_blocks.Length - inputs][];
            for (int o = 0; o < results.Length; o++)
            {
                results[o] = Block(inputs + o, outputOffset).ToArray();
            }

            return results;
        }

        public void Dispose()
        {
            foreach (byte* block in _blocks)
            {
                NativeMemory.AlignedFree(block);
            }
        }
    }
}
