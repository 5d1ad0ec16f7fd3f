using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// One long row split across threads by <see cref="SoftmaxParallel"/>: within one ULP of the serial
/// <see cref="SoftmaxPrimitives"/> result (the exponentials are the same; only the order of the sum's double additions
/// differs), for every degree of parallelism 1 to 4, Exact and Fast, in place too; and Exact within the documented
/// bounds of a float64 reference (softmax 4 ULP for outputs of at least 1e-30, log-softmax 4 ULP of max(|v|, 1)).
/// </summary>
public sealed class SingleRowParallelTests
{
    public static TheoryData<int, SoftmaxPrecision, bool> Cases()
    {
        var data = new TheoryData<int, SoftmaxPrecision, bool>();
        foreach (int classes in new[] { 65_536, 100_003, 151_936 })
        {
            foreach (SoftmaxPrecision precision in new[] { SoftmaxPrecision.Exact, SoftmaxPrecision.Fast })
            {
                data.Add(classes, precision, false);
                data.Add(classes, precision, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneRow_MatchesTheSerialResultAndTheReference(int classes, SoftmaxPrecision precision, bool log)
    {
        Check<float>(classes, precision, log);
        Check<double>(classes, precision, log);
    }

    [Fact]
    public void OneRowOfTheThreshold_IsSplitByThePublicMethod_WithinOneUlpOfSerial()
    {
        int classes = SoftmaxParallel.SingleRowMinClasses;
        var random = new Random(5);
        float[] x = new float[classes];
        for (int i = 0; i < classes; i++)
            x[i] = (float)((-Math.Log(i + 1) * 2) + (random.NextDouble() * 6));
        float[] serial = new float[classes], parallel = new float[classes];
        SoftmaxPrimitives.Softmax(x, serial, classes);
        SoftmaxParallel.Softmax(x, parallel, classes, 2);
        for (int i = 0; i < classes; i++)
            Assert.True(Math.Abs(BitConverter.SingleToInt32Bits(serial[i]) - BitConverter.SingleToInt32Bits(parallel[i])) <= 1, $"class {i}: {serial[i]} serial, {parallel[i]} split");
    }

    [Fact]
    public void SplitRows_AllocateNothingAfterTheFirstSplitOfTheirLength()
    {
        // The first split of a length sizes the thread's kept state (and starts the workers); later splits of that
        // length or shorter, float or double, softmax or log-softmax, Exact or Fast, must allocate nothing. Several
        // rounds, because a background tier-up or the runtime can allocate in any one of them.
        const int classes = 151_936;
        float[] x = LogitGenerator.Create<float>("normal5", classes, new Random(21));
        double[] xd = LogitGenerator.Create<double>("normal5", classes, new Random(22));
        float[] y = new float[classes];
        double[] yd = new double[classes];
        long best = long.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            SoftmaxParallel.Softmax(x, y, classes, 2);
            SoftmaxParallel.LogSoftmax(x, y, classes, 2, SoftmaxPrecision.Fast);
            SoftmaxParallel.Softmax(xd, yd, classes, 2, SoftmaxPrecision.Fast);
            SoftmaxParallel.Softmax(x.AsSpan(0, 100_000), y.AsSpan(0, 100_000), 100_000, 2);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round > 0)
                best = Math.Min(best, allocated);
        }

        Assert.Equal(0, best);
    }

    [Fact]
    public void SplitsFromManyThreadsAtOnceAndAfterIdlePauses_AllGiveTheSameResult()
    {
        // The split's workers are shared: concurrent splits (one of which runs on its own thread when the workers are
        // taken) and splits after the workers have gone to sleep must all give the one result.
        const int classes = 151_936;
        var random = new Random(17);
        float[] x = new float[classes];
        for (int i = 0; i < classes; i++)
            x[i] = (float)((-Math.Log(i + 1) * 2) + (random.NextDouble() * 6));
        float[] expected = new float[classes];
        SoftmaxParallel.SplitRowCore<float>(log: false, x, expected, 1, SoftmaxPrecision.Exact);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.For(0, 4, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, caller =>
        {
            float[] y = new float[classes];
            for (int repeat = 0; repeat < 25; repeat++)
            {
                if (repeat % 5 == 4)
                    System.Threading.Thread.Sleep(2); // longer than the workers spin
                SoftmaxParallel.Softmax(x, y, classes, 2);
                if (!y.AsSpan().SequenceEqual(expected))
                    failures.Add($"caller {caller}, repeat {repeat}");
            }
        });

        Assert.Empty(failures);
    }

    private static void Check<T>(int classes, SoftmaxPrecision precision, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(classes + (log ? 1 : 0));
        T[] x = new T[classes];
        for (int i = 0; i < classes; i++)
        {
            // Zipf-like logits with a spread of 40 and a few -inf (banned tokens).
            x[i] = random.Next(500) == 0 ? T.NegativeInfinity : T.CreateTruncating((-Math.Log(i + 1) * 2) + (random.NextDouble() * 6));
        }

        T[] serial = new T[classes];
        Apply(x, serial, classes, precision, log, degree: null);
        double[] reference = Reference(x, log);
        for (int degree = 1; degree <= 4; degree++)
        {
            T[] parallel = new T[classes];
            Apply(x, parallel, classes, precision, log, degree);
            T[] inPlace = (T[])x.Clone();
            Apply(inPlace, inPlace, classes, precision, log, degree);
            Assert.Equal(parallel, inPlace);
            for (int i = 0; i < classes; i++)
            {
                Assert.True(WithinSerialBound(serial[i], parallel[i], log), $"{typeof(T).Name} {precision} log={log} C={classes} degree {degree} [{i}]: {parallel[i]} vs serial {serial[i]}");
                if (precision == SoftmaxPrecision.Exact)
                    AssertReference(reference[i], double.CreateTruncating(parallel[i]), typeof(T) == typeof(float), log, $"{typeof(T).Name} log={log} C={classes} degree {degree} [{i}]");
            }
        }
    }

    /// <summary>
    /// The stated bound against the serial result: float 1 ULP; double 4 ULP (softmax) or 4 ULP of max(|v|, 1)
    /// (log-softmax), the double sum's rounding moving ln(sum) by a few units of 2^-53.
    /// </summary>
    internal static bool WithinSerialBound<T>(T serial, T parallel, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Ulp.Distance(serial, parallel) <= 1;
        double s = double.CreateTruncating(serial), p = double.CreateTruncating(parallel);
        if (!log || double.IsInfinity(s))
            return Ulp.Distance(serial, parallel) <= 4;
        return Math.Abs(s - p) <= 4 * Math.BitIncrement(Math.Max(Math.Abs(s), 1)) - (4 * Math.Max(Math.Abs(s), 1));
    }

    /// <summary>Float: the documented 4 ULP bounds against the double reference; double: 1e-13 relative (the reference is only double).</summary>
    private static void AssertReference(double reference, double value, bool single, bool log, string what)
    {
        if (log ? double.IsInfinity(reference) : reference < 1e-30)
        {
            Assert.True(log ? reference == value : Math.Abs(value) <= 1e-30, $"{what}: {value} vs reference {reference}");
            return;
        }

        double scale = log ? Math.Max(Math.Abs(reference), 1) : Math.Abs(reference);
        double tolerance = single ? 4 * (MathF.BitIncrement((float)scale) - (float)scale) : 1e-13 * scale;
        Assert.True(Math.Abs(value - reference) <= tolerance, $"{what}: {value} vs reference {reference}");
    }

    private static void Apply<T>(T[] x, T[] y, int classes, SoftmaxPrecision precision, bool log, int? degree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            float[] xf = (float[])(object)x, yf = (float[])(object)y;
            if (degree is null)
            {
                if (log) SoftmaxPrimitives.LogSoftmax(xf, yf, classes, precision); else SoftmaxPrimitives.Softmax(xf, yf, classes, precision);
            }
            else SoftmaxParallel.SplitRowCore<float>(log, xf, yf, degree.Value, precision);
        }
        else
        {
            double[] xd = (double[])(object)x, yd = (double[])(object)y;
            if (degree is null)
            {
                if (log) SoftmaxPrimitives.LogSoftmax(xd, yd, classes, precision); else SoftmaxPrimitives.Softmax(xd, yd, classes, precision);
            }
            else SoftmaxParallel.SplitRowCore<double>(log, xd, yd, degree.Value, precision);
        }
    }

    /// <summary>Softmax or log-softmax in double with a compensated sum (float inputs are exact in double).</summary>
    private static double[] Reference<T>(T[] x, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        foreach (T v in x)
            max = Math.Max(max, double.CreateTruncating(v));
        double sum = 0, c = 0;
        foreach (T v in x)
        {
            double e = Math.Exp(double.CreateTruncating(v) - max) - c;
            double t = sum + e;
            c = (t - sum) - e;
            sum = t;
        }

        double lse = max + Math.Log(sum);
        double[] result = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double d = double.CreateTruncating(x[i]);
            result[i] = log ? d - lse : Math.Exp(d - max) / sum;
        }

        return result;
    }
}
