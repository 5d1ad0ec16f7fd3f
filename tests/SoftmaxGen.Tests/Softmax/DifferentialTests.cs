using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every implementation (the generated <c>KernelN</c>, <see cref="SoftmaxGen.Kernels.SoftmaxFallback"/> and the
/// dispatching <see cref="SoftmaxPrimitives"/>) against <see cref="Reference"/> on seeded random logits, for every
/// class count in <see cref="Implementations.GeneratedClassCounts"/>, several row counts and the distributions of
/// <see cref="LogitGenerator"/>, in float and double. The bounds are <see cref="Verifier"/>'s. Softmax and log-softmax
/// also run in <see cref="SoftmaxPrecision.Fast"/> ("fallback-fast" and "dispatch-fast", against the same references),
/// held to <see cref="FastBounds"/>.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<int> ClassCounts
    {
        get
        {
            var data = new TheoryData<int>();
            foreach (int classes in Implementations.GeneratedClassCounts)
            {
                data.Add(classes);
            }

            return data;
        }
    }

    /// <summary>Row counts: empty, one, a few around 8, and a large batch (fewer rows for the widest rows, to keep the run short).</summary>
    private static int[] RowCounts(int classes) => classes >= 1000 ? [0, 1, 2, 7, 9, 33] : [0, 1, 2, 7, 8, 9, 1000];

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void Float_AllImplementationsMatchReference(int classes) => Run<float>(classes);

    [Theory]
    [MemberData(nameof(ClassCounts))]
    public void Double_AllImplementationsMatchReference(int classes) => Run<double>(classes);

    /// <summary>
    /// Batches of more than 1 MiB in rows of 2,000-8,192 bytes, whose row kernels fetch each next row while they
    /// compute (<c>RowKernels.NextRow</c>): the last row must not fetch past the batch, and the results must be the
    /// same as without the fetches, within the bounds. C = 1000 has a generated kernel; C = 600 runs the fallback.
    /// </summary>
    [Theory]
    [InlineData(600)]
    [InlineData(1000)]
    public void LargeBatches_OfRowsFetchedAhead_MatchReference(int classes)
    {
        RunLargeBatch<float>(classes);
        RunLargeBatch<double>(classes);
    }

    private void RunLargeBatch<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = ((1 << 20) / (classes * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())) + 3;
        var random = new Random(LogitGenerator.Seed(typeof(T) == typeof(float) ? 5 : 6, classes, rows));
        T[] logits = LogitGenerator.Create<T>("normal5", rows * classes, random);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        ReferenceResult reference = Reference.Compute<T>(logits, targets, classes);
        var failures = new Failures();
        foreach (SoftmaxImplementation implementation in Implementations.Precisions.SelectMany(p => Implementations.For(classes, p)))
        {
            var statistics = new ErrorStatistics();
            Verifier.Verify(implementation, logits, targets, reference, "normal5", failures, statistics);
            output.WriteLine($"{implementation.Name} {Verifier.TypeName<T>()} C={classes} rows={rows}: {statistics.Describe()}");
        }

        failures.AssertNone();
    }

    /// <summary>
    /// A smaller sweep over every class count and distribution whose only purpose is the summary: it prints the
    /// largest error of each implementation and type (run <c>dotnet test --logger "console;verbosity=detailed"</c>
    /// to see it), and checks that every implementation and type was measured and is within the bounds.
    /// </summary>
    [Fact]
    public void MaximumErrors_AreMeasuredAndReported()
    {
        var table = new SortedDictionary<string, ErrorStatistics>(StringComparer.Ordinal);
        var failures = new Failures();
        Sweep<float>(table, failures);
        Sweep<double>(table, failures);

        output.WriteLine("Maximum errors against the reference (all differential class counts, every distribution):");
        output.WriteLine(ErrorReport.Table(table));

        foreach (string name in Implementations.Names)
        {
            foreach (string type in new[] { "float", "double" })
            {
                string key = $"{name} {type}";
                Assert.True(table.TryGetValue(key, out ErrorStatistics? statistics), $"no measurement for {key}");
                Assert.True(statistics.SoftmaxChecked > 0 && statistics.LogSoftmaxChecked > 0 && statistics.LossesChecked > 0, $"{key}: nothing measured");
                Assert.InRange(statistics.MaxSoftmaxUlp, 0, Verifier.SoftmaxMaxUlp);
                Assert.InRange(statistics.MaxLogSoftmaxUlp, 0, Verifier.LogSoftmaxMaxUlp);
                Assert.InRange(statistics.MaxLossRelative, 0, type == "float" ? 1e-6 : 1e-13);
            }
        }

        foreach (string name in new[] { "fallback-fast", "dispatch-fast" })
        {
            foreach (string type in new[] { "float", "double" })
            {
                string key = $"{name} {type}";
                Assert.True(table.TryGetValue(key, out ErrorStatistics? statistics), $"no measurement for {key}");
                Assert.True(statistics.SoftmaxChecked > 0 && statistics.LogSoftmaxChecked > 0, $"{key}: nothing measured");
                Assert.InRange(statistics.MaxSoftmaxExcessUlp, double.NegativeInfinity, Verifier.SoftmaxMaxUlp);
                Assert.InRange(statistics.MaxLogSoftmaxExcessUlp, double.NegativeInfinity, Verifier.LogSoftmaxMaxUlp);
            }
        }

        Assert.Equal(10, table.Count);
        failures.AssertNone();
    }

    private void Run<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        IReadOnlyList<SoftmaxImplementation> exact = Implementations.For(classes);
        Assert.Equal(Implementations.Names, exact.Select(i => i.Name));
        IReadOnlyList<SoftmaxImplementation> implementations = [.. exact, .. Implementations.For(classes, SoftmaxPrecision.Fast)];

        var failures = new Failures();
        var statistics = implementations.ToDictionary(i => i.Name, _ => new ErrorStatistics());
        for (int d = 0; d < LogitGenerator.Distributions.Length; d++)
        {
            string distribution = LogitGenerator.Distributions[d];
            foreach (int rows in RowCounts(classes))
            {
                var random = new Random(LogitGenerator.Seed(typeof(T) == typeof(float) ? 1 : 2, classes, d, rows));
                T[] logits = LogitGenerator.Create<T>(distribution, rows * classes, random);
                int[] targets = LogitGenerator.Targets(rows, classes, random);
                ReferenceResult reference = Reference.Compute<T>(logits, targets, classes);
                foreach (SoftmaxImplementation implementation in implementations)
                {
                    Verifier.Verify(implementation, logits, targets, reference, distribution, failures, statistics[implementation.Name]);
                }
            }
        }

        foreach (SoftmaxImplementation implementation in implementations)
        {
            output.WriteLine($"{implementation.Name} {Verifier.TypeName<T>()} C={classes}: {statistics[implementation.Name].Describe()}");
        }

        failures.AssertNone();
    }

    private static void Sweep<T>(IDictionary<string, ErrorStatistics> table, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int classes in Implementations.GeneratedClassCounts)
        {
            int rows = classes >= 1000 ? 4 : 64;
            for (int d = 0; d < LogitGenerator.Distributions.Length; d++)
            {
                string distribution = LogitGenerator.Distributions[d];
                var random = new Random(LogitGenerator.Seed(typeof(T) == typeof(float) ? 3 : 4, classes, d, rows));
                T[] logits = LogitGenerator.Create<T>(distribution, rows * classes, random);
                int[] targets = LogitGenerator.Targets(rows, classes, random);
                ReferenceResult reference = Reference.Compute<T>(logits, targets, classes);
                foreach (SoftmaxImplementation implementation in Implementations.Precisions.SelectMany(p => Implementations.For(classes, p)))
                {
                    string key = $"{implementation.Name} {Verifier.TypeName<T>()}";
                    if (!table.TryGetValue(key, out ErrorStatistics? statistics))
                    {
                        table[key] = statistics = new ErrorStatistics();
                    }

                    Verifier.Verify(implementation, logits, targets, reference, distribution, failures, statistics);
                }
            }
        }
    }
}
