using System;
using System.Collections.Generic;
using System.Linq;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// The generated middle-axis and top-k members agree with the fallback (they call the same runtime code with the
/// constant class count, so bit for bit; with innerSize 1 they run the generated row kernel, which agrees with the
/// fallback row form within the accuracy bound), and none of the extras allocate.
/// </summary>
public sealed class ExtrasAgreementTests
{
    public static TheoryData<int> GeneratedCounts()
    {
        var data = new TheoryData<int>();
        foreach (int c in ExtrasImplementation.GeneratedCounts)
        {
            data.Add(c);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GeneratedCounts))]
    public void Generated_AgreesWithFallback(int classes)
    {
        ExtrasImplementation generated = ExtrasImplementation.Get("generated", classes);
        ExtrasImplementation fallback = ExtrasImplementation.Get("fallback", classes);
        var random = new Random(classes);
        foreach (int inner in new[] { 1, 5, 16, 37 })
        {
            float[] x = LogitGenerator.Create<float>("normal5", 2 * classes * inner, random);
            double[] d = LogitGenerator.Create<double>("wide", 2 * classes * inner, random);
            float[] a = new float[x.Length], b = new float[x.Length];
            double[] c = new double[d.Length], e = new double[d.Length];
            long limit = inner == 1 ? 4 : 0;

            generated.Softmax<float>()(x, a, inner);
            fallback.Softmax<float>()(x, b, inner);
            Assert.True(a.Zip(b).All(p => Ulp.Distance(p.First, p.Second) <= limit || (Math.Abs(p.First - p.Second) < 1e-37)), $"softmax float C={classes} inner={inner}");
            generated.LogSoftmax<double>()(d, c, inner);
            fallback.LogSoftmax<double>()(d, e, inner);
            Assert.True(c.Zip(e).All(p => Math.Abs(p.First - p.Second) <= limit * Ulp.OfAtLeastOne<double>(p.Second)), $"log_softmax double C={classes} inner={inner}");
        }

        foreach (int k in new[] { 1, (classes + 1) / 2, classes }.Distinct())
        {
            float[] x = LogitGenerator.Create<float>("ties", 5 * classes, random);
            int[] gi = new int[5 * k], fi = new int[5 * k];
            float[] gp = new float[5 * k], fp = new float[5 * k];
            generated.TopK<float>()(x, k, gi, gp);
            fallback.TopK<float>()(x, k, fi, fp);
            Assert.Equal(fi, gi);
            Assert.Equal(fp, gp);
        }
    }

    [Fact]
    public void Extras_DoNotAllocate()
    {
        float[] x = LogitGenerator.Create<float>("normal5", 3 * 21 * 49, new Random(1));
        double[] d = x.Select(v => (double)v).ToArray();
        float[] y = new float[x.Length];
        double[] z = new double[d.Length];
        int[] indices = new int[x.Length];
        float[] targets = x.Select(v => v > 0 ? 1f : 0f).ToArray();

        void Run()
        {
            SoftmaxPrimitives.Softmax(x, y, 21, 49);
            SoftmaxPrimitives.LogSoftmax(d, z, 21, 49);
            Kernel21.Softmax(x, y, 49);
            Kernel21.LogSoftmax(d, z, 49);
            SoftmaxPrimitives.TopK(x, 5, indices, y, 21);
            Kernel21.TopK(d, 21, indices, z);
            SoftmaxPrimitives.Sigmoid(x, y);
            SoftmaxPrimitives.BinaryCrossEntropy(y, targets);
            SoftmaxPrimitives.BinaryCrossEntropyWithLogits(x, targets, LossReduction.Sum, 2f);
        }

        // As AllocationTests does: code that allocates does so in every round, while a single round's bytes can be the
        // runtime's (this test saw one such round in a local run, with none of these members changed).
        Run();
        var measured = new List<long>();
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run();
            measured.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(measured.Min() == 0, $"the extras allocated in every measured round: {string.Join(", ", measured)} bytes");
    }
}
