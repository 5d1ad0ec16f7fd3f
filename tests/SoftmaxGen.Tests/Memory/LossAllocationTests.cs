using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// No member of the loss family allocates, with or without options: after a warm-up call each call is measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> and must allocate 0 bytes. The calls are bound as delegates
/// (over preallocated arrays) before measuring, so the measured region holds only the call.
/// </summary>
public sealed class LossAllocationTests
{
    private const int Rows = 4;

    public static TheoryData<string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (int classes in new[] { 1, 3, 10, 17, 100 })
            {
                foreach (LossImplementation implementation in LossImplementation.For(classes))
                {
                    data.Add(implementation.Name, classes);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryLossMember_AllocatesNothing(string name, int classes)
    {
        LossImplementation implementation = LossImplementation.Get(name, classes);
        var calls = new List<(string Name, Action Call)>();
        Add<float>(implementation, calls);
        Add<double>(implementation, calls);

        var allocations = new List<string>();
        for (int round = 0; round <= 3; round++)
        {
            foreach ((string call, Action action) in calls)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                action();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (round > 0 && allocated != 0)
                {
                    allocations.Add($"{call}: {allocated} bytes (round {round})");
                }
            }
        }

        Assert.True(allocations.Count == 0, $"{implementation}: " + string.Join("; ", allocations));
    }

    private static void Add<T>(LossImplementation implementation, List<(string Name, Action Call)> calls)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossOps<T> ops = implementation.Ops<T>();
        int classes = implementation.Classes;
        int n = Rows * classes;
        var random = new Random(classes);
        T[] x = LogitGenerator.Create<T>("normal5", n, random);
        T[] p = Enumerable.Range(0, n).Select(_ => T.CreateTruncating(1.0 / classes)).ToArray();
        int[] targets = LogitGenerator.Targets(Rows, classes, random);
        int[] ignored = (int[])targets.Clone();
        ignored[0] = -100;
        T[] w = Enumerable.Range(0, classes).Select(j => T.CreateTruncating(0.5 + j)).ToArray();
        T[] losses = new T[Rows], gradient = new T[n];
        T s = T.CreateTruncating(0.1), e = T.CreateTruncating(1e-7);
        string t = typeof(T).Name;
        calls.Add(($"CrossEntropy options {t}", () => ops.CrossEntropy(x, ignored, LossReduction.Mean, w, -100, s)));
        calls.Add(($"CrossEntropy per row options {t}", () => ops.CrossEntropyPerRow(x, ignored, losses, w, -100, s)));
        calls.Add(($"CrossEntropyWithGradient {t}", () => ops.CrossEntropyWithGradient(x, targets, gradient, LossReduction.Mean, [], -100, T.Zero)));
        calls.Add(($"CrossEntropyWithGradient options {t}", () => ops.CrossEntropyWithGradient(x, ignored, gradient, LossReduction.Sum, w, -100, s)));
        calls.Add(($"CrossEntropy probabilities {t}", () => ops.ProbabilityCrossEntropy(x, p, LossReduction.Mean, s)));
        calls.Add(($"CrossEntropy probabilities per row {t}", () => ops.ProbabilityCrossEntropyPerRow(x, p, losses, s)));
        calls.Add(($"CrossEntropyWithGradient probabilities {t}", () => ops.ProbabilityCrossEntropyWithGradient(x, p, gradient, LossReduction.Mean, s)));
        calls.Add(($"NllLoss {t}", () => ops.NllLoss(x, ignored, LossReduction.Mean, w, -100)));
        calls.Add(($"CrossEntropyFromProbabilities {t}", () => ops.FromProbabilities(p, p, LossReduction.Mean, e)));
        calls.Add(($"CrossEntropyFromProbabilities sparse {t}", () => ops.FromProbabilitiesSparse(p, targets, LossReduction.Sum, e)));
        calls.Add(($"SoftmaxGradient {t}", () => ops.SoftmaxGradient(p, x, gradient)));
        calls.Add(($"LogSoftmaxGradient {t}", () => ops.LogSoftmaxGradient(x, p, gradient)));
    }
}
