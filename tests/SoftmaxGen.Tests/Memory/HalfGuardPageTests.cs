using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every Half overload of <see cref="SoftmaxPrimitives"/> (rows, probability targets, K-dimensional losses, the middle
/// axis, element-wise), for class counts around the Half bridge's 4,096-value block and row counts that leave partial
/// blocks, with each input and output ending exactly at a guard page and again starting right after one, the inputs
/// read-only: a read or write outside its span, or into an input, crashes the test process. The outputs must be
/// bitwise those of the same call on ordinary arrays, and every output byte must be written.
/// </summary>
public sealed class HalfGuardPageTests
{
    private const int Inner = 3;

    // 4,096 and 4,097: a row that fills the stack block exactly, and one that goes through the pooled array.
    private static readonly int[] ClassCounts = [1, 3, 10, 17, 100, 1000, 4096, 4097];
    private static readonly int[] RowCounts = [0, 1, 2, 3, 5, 9];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (HalfCase c in All)
            data.Add(c.Name);
        return data;
    }

    [LinuxTheory]
    [MemberData(nameof(Cases))]
    public void HalfOperation_TouchesOnlyItsBuffers(string name)
    {
        HalfCase operation = All.Single(c => c.Name == name);
        var failures = new List<string>();
        foreach (int classes in ClassCounts)
        {
            foreach (int rows in RowCounts)
            {
                var random = new Random((classes * 100) + rows);
                byte[][] inputs = operation.Inputs(rows, classes).Select(spec => spec.Fill(random)).ToArray();
                int[] outputs = operation.Outputs(rows, classes);
                byte[][] expected = outputs.Select(n => new byte[n]).ToArray();
                operation.Run(Buffers(inputs, expected), classes);
                foreach (bool atEnd in new[] { true, false })
                {
                    RunGuarded(operation, classes, rows, inputs, outputs, expected, atEnd, failures);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    private static void RunGuarded(HalfCase operation, int classes, int rows, byte[][] inputs, int[] outputs, byte[][] expected, bool atEnd, List<string> failures)
    {
        var regions = new List<GuardedRegion>();
        try
        {
            Span<byte> Place(int length)
            {
                var region = new GuardedRegion(Math.Max(length, 1));
                regions.Add(region);
                return atEnd ? region.AtEnd(length) : region.AtStart(length);
            }

            Span<byte> in0 = Place(inputs[0].Length), in1 = inputs.Length > 1 ? Place(inputs[1].Length) : [];
            inputs[0].CopyTo(in0);
            if (inputs.Length > 1)
                inputs[1].CopyTo(in1);
            Span<byte> out0 = Place(outputs[0]), out1 = outputs.Length > 1 ? Place(outputs[1]) : [];

            // A byte the array run's zeros cannot match, so an element left unwritten shows.
            out0.Fill(0x5A);
            out1.Fill(0x5A);
            using (regions[0].ReadOnly())
            using (inputs.Length > 1 ? regions[1].ReadOnly() : default(GuardedRegion.ReadOnlyScope?))
            {
                operation.Run(new OperationBuffers(in0, in1, out0, out1), classes);
            }

            string where = $"{operation.Name} C={classes} rows={rows} {(atEnd ? "ends at guard" : "starts after guard")}";
            if (!out0.SequenceEqual(expected[0]) || (outputs.Length > 1 && !out1.SequenceEqual(expected[1])))
                failures.Add($"{where}: the outputs differ from the array run (or were not all written)");
            if (!in0.SequenceEqual(inputs[0]))
                failures.Add($"{where}: the logits changed");
        }
        finally
        {
            foreach (GuardedRegion region in regions)
                region.Dispose();
        }
    }

    private static OperationBuffers Buffers(byte[][] inputs, byte[][] outputs) =>
        new(inputs[0], inputs.Length > 1 ? inputs[1] : [], outputs[0], outputs.Length > 1 ? outputs[1] : []);

    private delegate void HalfBody(OperationBuffers b, int classes);

    /// <summary>An input: its byte length and how it is filled (targets in [0, classes) or -100).</summary>
    private sealed record Input(int Bytes, InputKind Kind, int Classes)
    {
        public byte[] Fill(Random random)
        {
            var bytes = new byte[Bytes];
            switch (Kind)
            {
                case InputKind.Logits:
                    Span<Half> logits = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
                    for (int i = 0; i < logits.Length; i++)
                        logits[i] = (Half)((random.NextDouble() * 16) - 8);
                    break;
                case InputKind.Probabilities:
                    Span<Half> p = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
                    for (int i = 0; i < p.Length; i++)
                        p[i] = (Half)random.NextDouble();
                    break;
                default:
                    Span<int> targets = MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
                    for (int i = 0; i < targets.Length; i++)
                        targets[i] = random.Next(5) == 0 ? -100 : random.Next(Classes);
                    break;
            }

            return bytes;
        }
    }

    private enum InputKind
    {
        Logits,
        Probabilities,
        Targets,
    }

    private sealed record HalfCase(string Name, Func<int, int, Input[]> Inputs, Func<int, int, int[]> Outputs, HalfBody Run);

    private static Input Logits(int values) => new(values * 2, InputKind.Logits, 0);

    private static Input Probabilities(int values) => new(values * 2, InputKind.Probabilities, 0);

    private static Input Targets(int count, int classes) => new(count * 4, InputKind.Targets, classes);

    private static readonly HalfCase[] All =
    [
        new("Softmax(Half)", (r, c) => [Logits(r * c)], (r, c) => [r * c * 2],
            static (b, c) => SoftmaxPrimitives.Softmax(b.Input<Half>(0), b.Output<Half>(0), c)),
        new("Softmax(float)", (r, c) => [Logits(r * c)], (r, c) => [r * c * 4],
            static (b, c) => SoftmaxPrimitives.Softmax(b.Input<Half>(0), b.Output<float>(0), c, SoftmaxPrecision.Fast)),
        new("LogSoftmax(Half)", (r, c) => [Logits(r * c)], (r, c) => [r * c * 2],
            static (b, c) => SoftmaxPrimitives.LogSoftmax(b.Input<Half>(0), b.Output<Half>(0), c)),
        new("LogSoftmax(float)", (r, c) => [Logits(r * c)], (r, c) => [r * c * 4],
            static (b, c) => SoftmaxPrimitives.LogSoftmax(b.Input<Half>(0), b.Output<float>(0), c)),
        new("Argmax", (r, c) => [Logits(r * c)], (r, c) => [r * 4],
            static (b, c) => SoftmaxPrimitives.Argmax(b.Input<Half>(0), b.Output<int>(0), c)),
        new("LogSumExp", (r, c) => [Logits(r * c)], (r, c) => [r * 4],
            static (b, c) => SoftmaxPrimitives.LogSumExp(b.Input<Half>(0), b.Output<float>(0), c)),
        new("TopK", (r, c) => [Logits(r * c)], (r, c) => [r * Math.Min(c, 3) * 4, r * Math.Min(c, 3) * 4],
            static (b, c) => SoftmaxPrimitives.TopK(b.Input<Half>(0), Math.Min(c, 3), b.Output<int>(0), b.Output<float>(1), c)),
        new("Sigmoid", (r, c) => [Logits(r * c)], (r, c) => [r * c * 2],
            static (b, c) => SoftmaxPrimitives.Sigmoid(b.Input<Half>(0), b.Output<Half>(0))),
        new("CrossEntropy(Mean)", (r, c) => [Logits(r * c), Targets(r, c)], (r, c) => [4],
            static (b, c) => b.Output<float>(0)[0] = SoftmaxPrimitives.CrossEntropy(b.Input<Half>(0), b.Input<int>(1), c, LossReduction.Mean, default, -100, 0.1f)),
        new("CrossEntropy(losses)", (r, c) => [Logits(r * c), Targets(r, c)], (r, c) => [r * 4],
            static (b, c) => SoftmaxPrimitives.CrossEntropy(b.Input<Half>(0), b.Input<int>(1), b.Output<float>(0), c)),
        new("CrossEntropyWithGradient", (r, c) => [Logits(r * c), Targets(r, c)], (r, c) => [r * c * 2, 4],
            static (b, c) => b.Output<float>(1)[0] = SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<Half>(0), b.Input<int>(1), b.Output<Half>(0), c)),
        new("NllLoss", (r, c) => [Logits(r * c), Targets(r, c)], (r, c) => [4],
            static (b, c) => b.Output<float>(0)[0] = SoftmaxPrimitives.NllLoss(b.Input<Half>(0), b.Input<int>(1), c, LossReduction.Sum)),
        new("CrossEntropy(probabilities)", (r, c) => [Logits(r * c), Probabilities(r * c)], (r, c) => [4],
            static (b, c) => b.Output<float>(0)[0] = SoftmaxPrimitives.CrossEntropy(b.Input<Half>(0), b.Input<Half>(1), c, LossReduction.Sum, 0.1f)),
        new("CrossEntropy(probabilities, losses)", (r, c) => [Logits(r * c), Probabilities(r * c)], (r, c) => [r * 4],
            static (b, c) => SoftmaxPrimitives.CrossEntropy(b.Input<Half>(0), b.Input<Half>(1), b.Output<float>(0), c)),
        new("CrossEntropyWithGradient(probabilities)", (r, c) => [Logits(r * c), Probabilities(r * c)], (r, c) => [r * c * 2, 4],
            static (b, c) => b.Output<float>(1)[0] = SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<Half>(0), b.Input<Half>(1), b.Output<Half>(0), c)),

        // K-dimensional: [rows, classes, 3].
        new("Softmax(axis)", (r, c) => [Logits(r * c * Inner)], (r, c) => [r * c * Inner * 2],
            static (b, c) => SoftmaxPrimitives.Softmax(b.Input<Half>(0), b.Output<Half>(0), c, Inner)),
        new("CrossEntropy(K-dim losses)", (r, c) => [Logits(r * c * Inner), Targets(r * Inner, c)], (r, c) => [r * Inner * 4],
            static (b, c) => SoftmaxPrimitives.CrossEntropy(b.Input<Half>(0), b.Input<int>(1), b.Output<float>(0), c, Inner, default, -100, 0.1f)),
        new("CrossEntropyWithGradient(K-dim)", (r, c) => [Logits(r * c * Inner), Targets(r * Inner, c)], (r, c) => [r * c * Inner * 2, 4],
            static (b, c) => b.Output<float>(1)[0] = SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<Half>(0), b.Input<int>(1), b.Output<Half>(0), c, Inner)),
        new("CrossEntropyWithGradient(K-dim probabilities)", (r, c) => [Logits(r * c * Inner), Probabilities(r * c * Inner)], (r, c) => [r * c * Inner * 2, 4],
            static (b, c) => b.Output<float>(1)[0] = SoftmaxPrimitives.CrossEntropyWithGradient(b.Input<Half>(0), b.Input<Half>(1), b.Output<Half>(0), c, Inner, LossReduction.Sum)),
        new("NllLoss(K-dim losses)", (r, c) => [Logits(r * c * Inner), Targets(r * Inner, c)], (r, c) => [r * Inner * 4],
            static (b, c) => SoftmaxPrimitives.NllLoss(b.Input<Half>(0), b.Input<int>(1), b.Output<float>(0), c, Inner)),
    ];
}
