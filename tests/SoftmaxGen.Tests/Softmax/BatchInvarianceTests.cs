using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Batch invariance (README, "Reproducible rows"): on a given machine and instruction set, a row's outputs are the same
/// bits wherever the row sits in a batch and whatever the batch size. Random probe rows are computed alone, then placed
/// at random positions in random batches of 1 to 100 rows (whole blocks, the last rows of a block layout, odd rows of
/// the paired row layout), for every class count of the differential set, every implementation and both element types;
/// each probe's outputs must equal its outputs alone (any NaN equals any NaN). CI runs this on every instruction-set
/// pass (AVX-512, AVX2, Vector128, scalar).
/// </summary>
public sealed class BatchInvarianceTests(ITestOutputHelper output)
{
    private const int Probes = 4;
    private const int Batches = 6;
    private const int MaxBatch = 100;

    /// <summary>The catalogue operations whose outputs are per row (a reduced loss is returned but not compared; a mean's gradient scales with the batch size, and the middle-axis forms see the batch as one plane).</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (KernelOperation operation in Operations.All.Where(IsPerRow))
        {
            data.Add(operation.Name, "float");
            data.Add(operation.Name, "double");
        }

        return data;
    }

    private static bool IsPerRow(KernelOperation operation) =>
        operation.Outputs.Any(o => !o.IsReturnValue) &&
        !operation.Name.Contains("Mean", StringComparison.Ordinal) &&
        !operation.Name.Contains("innerSize", StringComparison.Ordinal) &&
        !operation.Name.StartsWith("Causal", StringComparison.Ordinal); // a causal row's mask depends on its index

    [Theory]
    [MemberData(nameof(Cases))]
    public void RowOutputs_DoNotDependOnTheBatch(string operation, string type)
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

    private void Run<T>(KernelOperation operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var failures = new Failures();
        int placements = 0;
        int operationIndex = Array.IndexOf(Operations.All, operation);
        foreach (int classes in Implementations.GeneratedClassCounts)
        {
            var random = new Random(LogitGenerator.Seed(59 + operationIndex, classes, 0, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
            T[][] probes = Enumerable.Range(0, Probes).Select(_ => ValueMix.Create<T>(classes, random, specialFraction: 0.01)).ToArray();
            int[] probeTargets = LogitGenerator.Targets(Probes, classes, random);
            var batches = new List<(T[] Logits, int[] Targets, int[] Positions)>();
            for (int b = 0; b < Batches; b++)
            {
                int size = b == 0 ? 1 : random.Next(1, MaxBatch + 1);
                T[] logits = ValueMix.Create<T>(size * classes, random, specialFraction: 0.01);
                int[] targets = LogitGenerator.Targets(size, classes, random);
                int[] positions = Enumerable.Range(0, size).OrderBy(_ => random.Next()).Take(Math.Min(Probes, size)).ToArray();
                for (int p = 0; p < positions.Length; p++)
                {
                    probes[p].CopyTo(logits, positions[p] * classes);
                    targets[positions[p]] = probeTargets[p];
                }

                batches.Add((logits, targets, positions));
            }

            foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
            {
                byte[][][] alone = Enumerable.Range(0, Probes)
                    .Select(p => OperationInputs.Create((T[])probes[p].Clone(), [probeTargets[p]], classes).RunOnArrays<T>(operation, implementation))
                    .ToArray();
                foreach ((T[] logits, int[] targets, int[] positions) in batches)
                {
                    OperationInputs inputs = OperationInputs.Create(logits, targets, classes);
                    byte[][] outputs = inputs.RunOnArrays<T>(operation, implementation);
                    for (int p = 0; p < positions.Length; p++)
                    {
                        for (int o = 0; o < operation.Outputs.Count; o++)
                        {
                            BufferSpec spec = operation.Outputs[o];
                            if (spec.IsReturnValue)
                            {
                                continue;
                            }

                            int rowBytes = spec.ByteLength(1, classes, inputs.ValueSize);
                            string where = $"{operation.Name} {implementation} {Verifier.TypeName<T>()}: probe {p} at row {positions[p]} of {targets.Length}";
                            OutputComparison.Same(spec, inputs.ValueSize, alone[p][o], outputs[o].AsSpan(positions[p] * rowBytes, rowBytes), where, failures);
                        }

                        placements++;
                    }
                }
            }
        }

        output.WriteLine($"{operation.Name} {Verifier.TypeName<T>()}: {placements} placements of a row in a batch compared with the row alone");
        failures.AssertNone();
    }

    /// <summary>TopK's probabilities are the values Softmax computes for the same row, bit for bit (README), in each precision.</summary>
    [Theory]
    [InlineData("float")]
    [InlineData("double")]
    public void TopKProbabilities_AreSoftmaxOutputs(string type)
    {
        if (type == "float")
        {
            TopKAgrees<float>();
        }
        else
        {
            TopKAgrees<double>();
        }
    }

    private void TopKAgrees<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var failures = new Failures();
        int compared = 0;
        foreach (int classes in Implementations.GeneratedClassCounts)
        {
            var random = new Random(LogitGenerator.Seed(71, classes, 0, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
            foreach (int rows in new[] { 1, 3, 17, 37 })
            {
                T[] logits = ValueMix.Create<T>(rows * classes, random, specialFraction: 0.01);
                int k = Math.Min(classes, 5);
                var probabilities = new T[rows * classes];
                var indices = new int[rows * k];
                var top = new T[rows * k];
                foreach (SoftmaxImplementation implementation in Implementations.Precisions.SelectMany(p => Implementations.For(classes, p)))
                {
                    implementation.ApplySoftmax<T>(logits, probabilities);
                    RunTopK<T>(implementation, logits, k, indices, top);
                    for (int i = 0; i < indices.Length; i++)
                    {
                        T expected = probabilities[i / k * classes + indices[i]];
                        if (!Same(expected, top[i]))
                        {
                            failures.Add($"TopK {implementation} {Verifier.TypeName<T>()} rows={rows}: row {i / k} class {indices[i]}: {top[i]} but Softmax gives {expected}");
                        }

                        compared++;
                    }
                }
            }
        }

        output.WriteLine($"TopK {Verifier.TypeName<T>()}: {compared} probabilities compared with Softmax's");
        failures.AssertNone();
    }

    private static void RunTopK<T>(SoftmaxImplementation implementation, T[] logits, int k, int[] indices, T[] probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> x = MemoryMarshal.Cast<T, float>(logits.AsSpan());
            Span<float> p = MemoryMarshal.Cast<T, float>(probabilities.AsSpan());
            if (implementation.IsFallback)
                SoftmaxGen.Kernels.SoftmaxFallback.TopK(x, k, indices, p, implementation.Classes, implementation.Precision);
            else
                SoftmaxPrimitives.TopK(x, k, indices, p, implementation.Classes, implementation.Precision);
        }
        else
        {
            ReadOnlySpan<double> x = MemoryMarshal.Cast<T, double>(logits.AsSpan());
            Span<double> p = MemoryMarshal.Cast<T, double>(probabilities.AsSpan());
            if (implementation.IsFallback)
                SoftmaxGen.Kernels.SoftmaxFallback.TopK(x, k, indices, p, implementation.Classes, implementation.Precision);
            else
                SoftmaxPrimitives.TopK(x, k, indices, p, implementation.Classes, implementation.Precision);
        }
    }

    private static bool Same<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (T.IsNaN(a) && T.IsNaN(b)) || MemoryMarshal.AsBytes(new[] { a }.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(new[] { b }.AsSpan()));
}

/// <summary>
/// Losses near the top of the range (README, "Extreme values"): a per-row loss whose exact value is finite and
/// representable comes out finite, the same alone and inside a batch, and +inf only when the exact loss is beyond the
/// element type's range.
/// </summary>
public sealed class ExtremeLossTests
{
    public static TheoryData<int> ClassCounts() => new() { 2, 3, 5, 17, 100 };

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void LossNearMaxValue_IsTheRoundedExactValue_WhereverTheRowSits(int classes)
    {
        foreach (SoftmaxImplementation implementation in Implementations.For(classes))
        {
            // [MaxValue, -2.5, -2.5, ...] against class 1: the exact loss MaxValue + 2.5 rounds to MaxValue (finite);
            // against class 0 it is ln(1 + (C - 1) e^-(MaxValue + 2.5)) = 0.
            float[] row = Enumerable.Repeat(-2.5f, classes).ToArray();
            row[0] = float.MaxValue;
            double[] rowD = row.Select(v => v == float.MaxValue ? double.MaxValue : v).ToArray();
            foreach (int rows in new[] { 1, 2, 17, 23, 40 })
            {
                foreach (int target in new[] { 1, 0 })
                {
                    var logits = new float[rows * classes];
                    var logitsD = new double[rows * classes];
                    var targets = new int[rows];
                    for (int r = 0; r < rows; r++)
                    {
                        row.CopyTo(logits, r * classes);
                        rowD.CopyTo(logitsD, r * classes);
                        targets[r] = target;
                    }

                    var losses = new float[rows];
                    var lossesD = new double[rows];
                    implementation.CrossEntropy(logits, targets, losses);
                    implementation.CrossEntropy(logitsD, targets, lossesD);
                    float expected = target == 1 ? float.MaxValue : 0f;
                    double expectedD = target == 1 ? double.MaxValue : 0.0;
                    for (int r = 0; r < rows; r++)
                    {
                        Assert.True(losses[r] == expected, $"{implementation} float rows={rows} target={target}: losses[{r}] = {losses[r]:R}, expected {expected:R}");
                        Assert.True(lossesD[r] == expectedD, $"{implementation} double rows={rows} target={target}: losses[{r}] = {lossesD[r]:R}, expected {expectedD:R}");
                    }

                    // A logit of -MaxValue against MaxValue: the exact loss 2 MaxValue is beyond the range, +inf.
                    logits[classes - 1] = -float.MaxValue;
                    if (classes > 1)
                    {
                        targets[0] = classes - 1;
                        implementation.CrossEntropy(logits, targets, losses);
                        Assert.True(float.IsPositiveInfinity(losses[0]), $"{implementation} rows={rows}: a loss of 2 MaxValue gave {losses[0]:R}, expected +inf");
                    }
                }
            }
        }
    }
}
