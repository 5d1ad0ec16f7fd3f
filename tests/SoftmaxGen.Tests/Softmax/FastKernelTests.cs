using System;
using System.Linq;
using System.Numerics;
using SoftmaxGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Kernels generated with <c>[SoftmaxKernel(N, Precision = SoftmaxPrecision.Fast)]</c> (the <c>FastKernelN</c> types in
/// Support/Kernels.cs): they register under (N, Fast) beside any Exact kernel for N, agree with the runtime's Fast
/// fallback, keep the Fast accuracy contract against an independent float64 (double-double for double) reference, and
/// their forwarding members pass the precision to the runtime.
/// </summary>
/// <remarks>
/// The Fast contract (<see cref="SoftmaxPrecision.Fast"/>), with u = 2^-24 (float) or 2^-53 (double), the rounding of
/// x - max that the Fast exponential does not recover:
/// <list type="bullet">
/// <item>softmax outputs of at least 1e-30 within 4 ULP of the correctly rounded value plus a relative |x - max| u;
/// below 1e-30 an absolute 4 ULP of 1e-30 plus the same relative term;</item>
/// <item>log-softmax within 4 ULP of max(|v|, 1) plus the error that rounding puts into ln(sum): at most
/// u sum_k p_k |x_k - max| (each term's relative error, weighted by its share of the sum);</item>
/// <item>cross-entropy within 1e-6 (float) or 1e-13 (double) relative to max(loss, 1).</item>
/// </list>
/// </remarks>
public sealed class FastKernelTests(ITestOutputHelper output)
{
    public static readonly TheoryData<int> FastClassCounts = new() { 3, 10, 12, 26, 100 };

    private static readonly int[] RowCounts = [1, 17, 37];

    /// <summary>Batches of whole blocks (16 float or 8 double rows with Vector512) and with last rows, for <see cref="AgreesWithTheFastFallback"/>.</summary>
    private static readonly int[] AgreementRowCounts = [1, 16, 17, 48, 53];

    [Theory]
    [MemberData(nameof(FastClassCounts))]
    public void RegistryFindsTheFastKernel(int classes)
    {
        SoftmaxKernel fast = SoftmaxKernelRegistry.Find(classes, SoftmaxPrecision.Fast)
            ?? throw new Xunit.Sdk.XunitException($"no Fast kernel registered for {classes} classes");

        Assert.Equal(classes, fast.Classes);
        Assert.Equal(SoftmaxPrecision.Fast, fast.Precision);
        Assert.Same(typeof(FastKernelTests).Assembly, fast.GetType().Assembly);
        Assert.EndsWith($"FastKernel{classes}_SoftmaxKernel{classes}", fast.GetType().Name, StringComparison.Ordinal);

        // The Exact slot keeps the Exact kernel (3 and 100 have one in this assembly) or stays empty.
        SoftmaxKernel? exact = SoftmaxKernelRegistry.Find(classes);
        Assert.NotSame(fast, exact);
        Assert.True(exact is null || exact.Precision == SoftmaxPrecision.Exact);

        // The registered kernel is the generated type's: the same bits as its members, and Fast's bits, not Exact's.
        float[] logits = LogitGenerator.Create<float>("uniform100", 37 * classes, new Random(classes));
        float[] viaRegistry = new float[logits.Length], viaMembers = new float[logits.Length], viaDispatch = new float[logits.Length], exactResult = new float[logits.Length];
        fast.Softmax(logits, viaRegistry);
        GeneratedFast(classes).Softmax(logits, viaMembers);
        SoftmaxPrimitives.Softmax(logits, viaDispatch, classes, SoftmaxPrecision.Fast);
        SoftmaxFallback.Softmax<float>(logits, exactResult, classes);
        Assert.Equal(viaMembers, viaRegistry);
        Assert.Equal(viaMembers, viaDispatch);
        Assert.NotEqual(exactResult, viaMembers);
    }

    [Theory]
    [MemberData(nameof(FastClassCounts))]
    public void AgreesWithTheFastFallback(int classes)
    {
        Agreement<float>(classes);
        Agreement<double>(classes);
    }

    [Theory]
    [MemberData(nameof(FastClassCounts))]
    public void KeepsTheFastBoundsAgainstTheReference(int classes)
    {
        var worst = new Worst();
        foreach (string distribution in LogitGenerator.Distributions)
        {
            foreach (int rows in RowCounts)
            {
                AgainstReference<float>(classes, rows, distribution, worst);
                AgainstReference<double>(classes, rows, distribution, worst);
            }
        }

        output.WriteLine($"C={classes}: {worst}");
    }

    /// <summary>
    /// Batch invariance in Fast: a row gets the same bits among a block's rows and among the last rows, from the generated
    /// kernel and from the fallback (row 16 of 17 is a copy of row 0).
    /// </summary>
    [Theory]
    [MemberData(nameof(FastClassCounts))]
    public void FastRowsDoNotDependOnTheirPlace(int classes)
    {
        float[] logits = LogitGenerator.Create<float>("normal5", 17 * classes, new Random(classes + 3));
        logits.AsSpan(0, classes).CopyTo(logits.AsSpan(16 * classes));
        int[] targets = new int[17];
        foreach (SoftmaxImplementation implementation in new[] { GeneratedFast(classes), new FastFallbackImplementation(classes) })
        {
            float[] softmax = new float[logits.Length], logSoftmax = new float[logits.Length], losses = new float[17];
            implementation.Softmax(logits, softmax);
            implementation.LogSoftmax(logits, logSoftmax);
            implementation.CrossEntropy(logits, targets, losses);
            Assert.Equal(softmax.AsSpan(0, classes).ToArray(), softmax.AsSpan(16 * classes).ToArray());
            Assert.Equal(logSoftmax.AsSpan(0, classes).ToArray(), logSoftmax.AsSpan(16 * classes).ToArray());
            Assert.Equal(losses[0], losses[16]);
        }
    }

    /// <summary>
    /// Top-k, log-sum-exp, the middle-axis forms and the cross-entropy forwards (options, probability targets, the fused
    /// gradient, which requires its kernel to compute in the precision it is given) pass Fast to the runtime: the
    /// runtime's Fast bits exactly.
    /// </summary>
    [Theory]
    [MemberData(nameof(FastClassCounts))]
    public void ForwardingMembersPassFast(int classes)
    {
        const int rows = 6, innerSize = 3;
        float[] logits = LogitGenerator.Create<float>("uniform100", rows * classes, new Random(classes + 1));

        float[] lse = new float[rows], expectedLse = new float[rows];
        FastMembers.LogSumExp(classes, logits, lse);
        SoftmaxFallback.LogSumExp(logits, expectedLse, classes, SoftmaxPrecision.Fast);
        Assert.Equal(expectedLse, lse);

        int k = Math.Min(classes, 3);
        int[] indices = new int[rows * k], expectedIndices = new int[rows * k];
        float[] top = new float[rows * k], expectedTop = new float[rows * k];
        FastMembers.TopK(classes, logits, k, indices, top);
        SoftmaxPrimitives.TopK(logits, k, expectedIndices, expectedTop, classes, SoftmaxPrecision.Fast);
        Assert.Equal(expectedIndices, indices);
        Assert.Equal(expectedTop, top);

        // [outer, C, innerSize] with outer * innerSize = rows positions.
        float[] axis = LogitGenerator.Create<float>("uniform100", 2 * classes * innerSize, new Random(classes + 2));
        float[] softmax = new float[axis.Length], expectedSoftmax = new float[axis.Length], exactSoftmax = new float[axis.Length];
        float[] logSoftmax = new float[axis.Length], expectedLogSoftmax = new float[axis.Length];
        FastMembers.SoftmaxAxis(classes, axis, softmax, innerSize);
        FastMembers.LogSoftmaxAxis(classes, axis, logSoftmax, innerSize);
        SoftmaxPrimitives.Softmax(axis, expectedSoftmax, classes, innerSize, SoftmaxPrecision.Fast);
        SoftmaxPrimitives.LogSoftmax(axis, expectedLogSoftmax, classes, innerSize, SoftmaxPrecision.Fast);
        SoftmaxPrimitives.Softmax(axis, exactSoftmax, classes, innerSize);
        Assert.Equal(expectedSoftmax, softmax);
        Assert.Equal(expectedLogSoftmax, logSoftmax);
        Assert.NotEqual(exactSoftmax, softmax);

        // The losses: weights and smoothing take the runtime's option paths; the fused gradient gets the kernel itself.
        int[] targets = LogitGenerator.Targets(rows, classes, new Random(classes + 4));
        float[] weights = Enumerable.Range(0, classes).Select(j => 0.5f + (j % 3)).ToArray();
        float[] probabilities = new float[rows * classes];
        SoftmaxPrimitives.Softmax(LogitGenerator.Create<float>("normal1", rows * classes, new Random(classes + 5)), probabilities, classes);
        float[] gradient = new float[logits.Length], expectedGradient = new float[logits.Length];
        float[] losses = new float[rows], expectedLosses = new float[rows];

        Assert.Equal(
            SoftmaxPrimitives.CrossEntropy(logits, targets, classes, LossReduction.Mean, weights, labelSmoothing: 0.1f, precision: SoftmaxPrecision.Fast),
            FastMembers.CrossEntropyWithOptions(classes, logits, targets, weights));
        Assert.Equal(
            SoftmaxPrimitives.CrossEntropyWithGradient(logits, targets, expectedGradient, classes, precision: SoftmaxPrecision.Fast),
            FastMembers.CrossEntropyWithGradient(classes, logits, targets, gradient));
        Assert.Equal(expectedGradient, gradient);
        Assert.Equal(
            SoftmaxPrimitives.CrossEntropy(logits, probabilities, classes, LossReduction.Sum, 0.05f, SoftmaxPrecision.Fast),
            FastMembers.ProbabilityCrossEntropy(classes, logits, probabilities, losses));
        SoftmaxPrimitives.CrossEntropy(logits, probabilities, expectedLosses, classes, 0.05f, SoftmaxPrecision.Fast);
        Assert.Equal(expectedLosses, losses);
    }

    // ---- Agreement with the runtime's Fast fallback ----------------------------------------------------------------

    private static void Agreement<T>(int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SoftmaxImplementation generated = GeneratedFast(classes);
        var fallback = new FastFallbackImplementation(classes);
        foreach (string distribution in LogitGenerator.Distributions)
        {
            foreach (int rows in AgreementRowCounts)
            {
                var random = new Random(LogitGenerator.Seed(71, classes, rows, typeof(T) == typeof(float) ? 4 : 8));
                T[] logits = LogitGenerator.Create<T>(distribution, rows * classes, random);
                int[] targets = LogitGenerator.Targets(rows, classes, random);
                Results<T> ours = Results<T>.Compute(generated, logits, targets);
                Results<T> theirs = Results<T>.Compute(fallback, logits, targets);
                string context = $"{Verifier.TypeName<T>()} C={classes} rows={rows} {distribution}";

                for (int i = 0; i < ours.Softmax.Length; i++)
                {
                    Assert.True(Ulp.Distance(ours.Softmax[i], theirs.Softmax[i]) <= 4, $"{context} softmax [{i}]: {ours.Softmax[i]} against the fallback's {theirs.Softmax[i]}");
                    Assert.True(ScaledUlps(ours.LogSoftmax[i], theirs.LogSoftmax[i]) <= 4, $"{context} log-softmax [{i}]: {ours.LogSoftmax[i]} against the fallback's {theirs.LogSoftmax[i]}");
                }

                for (int r = 0; r < ours.Losses.Length; r++)
                {
                    Assert.True(ScaledUlps(ours.Losses[r], theirs.Losses[r]) <= 4, $"{context} loss [{r}]: {ours.Losses[r]} against the fallback's {theirs.Losses[r]}");
                }

                Assert.True(ScaledUlps(ours.Mean, theirs.Mean) <= 4, $"{context} mean: {ours.Mean} against the fallback's {theirs.Mean}");
                Assert.True(ScaledUlps(ours.Sum, theirs.Sum) <= 4, $"{context} sum: {ours.Sum} against the fallback's {theirs.Sum}");
                Assert.Equal(theirs.Argmax, ours.Argmax);
            }
        }
    }

    /// <summary>ULPs of max(|b|, 1) between two values (0 for two NaNs or equal infinities).</summary>
    private static double ScaledUlps<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsNaN(a) || T.IsNaN(b) || T.IsInfinity(a) || T.IsInfinity(b))
        {
            return Verifier.SameValue(a, b) || a == b ? 0 : double.PositiveInfinity;
        }

        return Math.Abs(double.CreateTruncating(a) - double.CreateTruncating(b)) / Ulp.OfAtLeastOne<T>(double.CreateTruncating(b));
    }

    // ---- The Fast bounds against the reference --------------------------------------------------------------------

    private static void AgainstReference<T>(int classes, int rows, string distribution, Worst worst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(LogitGenerator.Seed(83, classes, rows, typeof(T) == typeof(float) ? 4 : 8, distribution.Length));
        T[] logits = LogitGenerator.Create<T>(distribution, rows * classes, random);
        if (distribution == "normal1" && rows >= 5)
        {
            // PyTorch's non-finite semantics: a masked logit, a NaN row, a +inf row and an all -inf row.
            logits[classes] = T.NegativeInfinity;
            logits[(2 * classes) + (classes / 2)] = T.NaN;
            logits[3 * classes] = T.PositiveInfinity;
            logits.AsSpan(4 * classes, classes).Fill(T.NegativeInfinity);
        }

        int[] targets = LogitGenerator.Targets(rows, classes, random);
        ReferenceResult reference = Reference.Compute<T>(logits, targets, classes);
        Results<T> ours = Results<T>.Compute(GeneratedFast(classes), logits, targets);
        string context = $"{Verifier.TypeName<T>()} C={classes} rows={rows} {distribution}";
        double u = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        double tiny = Verifier.SoftmaxAbsoluteBelowThreshold<T>();

        for (int row = 0; row < rows; row++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < classes; j++)
            {
                max = Math.Max(max, double.CreateTruncating(logits[(row * classes) + j]));
            }

            // The error the unrecovered rounding of x - max puts into ln(sum): each term's relative error |x - max| u,
            // weighted by its share of the sum (the reference probability).
            double logExtra = 0;
            for (int j = 0; j < classes && !reference.RowIsNaN[row]; j++)
            {
                double x = double.CreateTruncating(logits[(row * classes) + j]);
                logExtra += double.IsFinite(x) ? reference.Softmax[(row * classes) + j].Hi * Math.Abs(x - max) * u : 0;
            }

            for (int j = 0; j < classes; j++)
            {
                int i = (row * classes) + j;
                double x = double.CreateTruncating(logits[i]);
                string where = $"{context} row={row} col={j} logit={x:R}";
                if (reference.RowIsNaN[row])
                {
                    Assert.True(T.IsNaN(ours.Softmax[i]) && T.IsNaN(ours.LogSoftmax[i]), $"{where}: {ours.Softmax[i]}, {ours.LogSoftmax[i]} in a NaN row");
                    continue;
                }

                if (double.IsNegativeInfinity(x))
                {
                    Assert.True(ours.Softmax[i] == T.Zero && T.IsNegativeInfinity(ours.LogSoftmax[i]), $"{where}: a masked logit gave {ours.Softmax[i]}, {ours.LogSoftmax[i]}");
                    continue;
                }

                // Softmax: 4 ULP plus |x - max| u relative, both in ULPs of the correctly rounded reference.
                DoubleDouble exact = reference.Softmax[i];
                double relativeExtra = Math.Abs(x - max) * u * exact.Hi;
                if (exact.Hi >= Verifier.SoftmaxUlpThreshold)
                {
                    T rounded = Reference.Round<T>(exact);
                    double allowed = 4 + (relativeExtra / Ulp.Of<T>(double.CreateTruncating(rounded)));
                    double ulps = Ulp.Distance(ours.Softmax[i], rounded);
                    worst.Softmax(ulps - allowed, $"{where} ours={ours.Softmax[i]} ref={exact.Hi:R} ({ulps} ULP, allowed {allowed:0.##})");
                    Assert.True(ulps <= allowed, $"{where}: softmax {ours.Softmax[i]}, reference {exact.Hi:R}: {ulps} ULP > {allowed:0.##}");
                }
                else
                {
                    double error = Verifier.AbsoluteError(ours.Softmax[i], exact);
                    Assert.True(error <= tiny + relativeExtra, $"{where}: softmax {ours.Softmax[i]}, reference {exact.Hi:R} (below 1e-30): |error| {error:E3}");
                }

                // Log-softmax: 4 ULP of max(|v|, 1) plus the row's ln(sum) term, in the same units.
                DoubleDouble exactLog = reference.LogSoftmax[i];
                double scale = Ulp.OfAtLeastOne<T>(exactLog.Hi);
                double logUlps = Verifier.AbsoluteError(ours.LogSoftmax[i], exactLog) / scale;
                double logAllowed = 4 + (logExtra / scale);
                worst.LogSoftmax(logUlps - logAllowed, $"{where} ours={ours.LogSoftmax[i]} ref={exactLog.Hi:R} ({logUlps:0.##} ULP, allowed {logAllowed:0.##})");
                Assert.True(logUlps <= logAllowed, $"{where}: log-softmax {ours.LogSoftmax[i]}, reference {exactLog.Hi:R}: {logUlps:0.###} ULP of max(|v|,1) > {logAllowed:0.###}");
            }
        }

        double tolerance = Verifier.LossRelativeTolerance<T>();
        for (int row = 0; row < rows; row++)
        {
            DoubleDouble exact = reference.Losses[row];
            if (reference.RowIsNaN[row])
            {
                Assert.True(T.IsNaN(ours.Losses[row]), $"{context} loss row={row}: {ours.Losses[row]} in a NaN row");
                continue;
            }

            if (double.IsInfinity(exact.Hi))
            {
                Assert.True(double.CreateTruncating(ours.Losses[row]) == exact.Hi, $"{context} loss row={row}: {ours.Losses[row]}, reference {exact.Hi} (the target logit is -inf)");
                continue;
            }

            double relative = Verifier.AbsoluteError(ours.Losses[row], exact) / Math.Max(Math.Abs(exact.Hi), 1);
            worst.Loss(relative, $"{context} loss row={row} ours={ours.Losses[row]} ref={exact.Hi:R}");
            Assert.True(relative <= tolerance, $"{context} loss row={row}: {ours.Losses[row]}, reference {exact.Hi:R}: relative {relative:E3} > {tolerance:E1}");
        }
    }

    /// <summary>The worst margins seen, for the test output: how close each bound came to failing.</summary>
    private sealed class Worst
    {
        private double _softmax = double.NegativeInfinity, _logSoftmax = double.NegativeInfinity, _loss;
        private string _softmaxWhere = "-", _logSoftmaxWhere = "-", _lossWhere = "-";

        public void Softmax(double excess, string where)
        {
            if (excess > _softmax)
            {
                (_softmax, _softmaxWhere) = (excess, where);
            }
        }

        public void LogSoftmax(double excess, string where)
        {
            if (excess > _logSoftmax)
            {
                (_logSoftmax, _logSoftmaxWhere) = (excess, where);
            }
        }

        public void Loss(double relative, string where)
        {
            if (relative > _loss)
            {
                (_loss, _lossWhere) = (relative, where);
            }
        }

        public override string ToString() =>
            $"softmax: ULP minus allowed at most {_softmax:0.##} [{_softmaxWhere}]; log-softmax: at most {_logSoftmax:0.##} [{_logSoftmaxWhere}]; " +
            $"loss: relative at most {_loss:E2} [{_lossWhere}]";
    }

    // ---- The implementations ---------------------------------------------------------------------------------------

    /// <summary>The generated <c>FastKernelN</c> members.</summary>
    private static SoftmaxImplementation GeneratedFast(int classes) => classes switch
    {
        3 => new GeneratedImplementation(FastKernel3.Classes, FastKernel3.Softmax, FastKernel3.Softmax, FastKernel3.LogSoftmax, FastKernel3.LogSoftmax, (x, t, r) => FastKernel3.CrossEntropy(x, t, r), (x, t, r) => FastKernel3.CrossEntropy(x, t, r), (x, t, l) => FastKernel3.CrossEntropy(x, t, l), (x, t, l) => FastKernel3.CrossEntropy(x, t, l), FastKernel3.Argmax, FastKernel3.Argmax, (x, t) => FastKernel3.CrossEntropy(x, t), (x, t) => FastKernel3.CrossEntropy(x, t)),
        10 => new GeneratedImplementation(FastKernel10.Classes, FastKernel10.Softmax, FastKernel10.Softmax, FastKernel10.LogSoftmax, FastKernel10.LogSoftmax, (x, t, r) => FastKernel10.CrossEntropy(x, t, r), (x, t, r) => FastKernel10.CrossEntropy(x, t, r), (x, t, l) => FastKernel10.CrossEntropy(x, t, l), (x, t, l) => FastKernel10.CrossEntropy(x, t, l), FastKernel10.Argmax, FastKernel10.Argmax, (x, t) => FastKernel10.CrossEntropy(x, t), (x, t) => FastKernel10.CrossEntropy(x, t)),
        12 => new GeneratedImplementation(FastKernel12.Classes, FastKernel12.Softmax, FastKernel12.Softmax, FastKernel12.LogSoftmax, FastKernel12.LogSoftmax, (x, t, r) => FastKernel12.CrossEntropy(x, t, r), (x, t, r) => FastKernel12.CrossEntropy(x, t, r), (x, t, l) => FastKernel12.CrossEntropy(x, t, l), (x, t, l) => FastKernel12.CrossEntropy(x, t, l), FastKernel12.Argmax, FastKernel12.Argmax, (x, t) => FastKernel12.CrossEntropy(x, t), (x, t) => FastKernel12.CrossEntropy(x, t)),
        26 => new GeneratedImplementation(FastKernel26.Classes, FastKernel26.Softmax, FastKernel26.Softmax, FastKernel26.LogSoftmax, FastKernel26.LogSoftmax, (x, t, r) => FastKernel26.CrossEntropy(x, t, r), (x, t, r) => FastKernel26.CrossEntropy(x, t, r), (x, t, l) => FastKernel26.CrossEntropy(x, t, l), (x, t, l) => FastKernel26.CrossEntropy(x, t, l), FastKernel26.Argmax, FastKernel26.Argmax, (x, t) => FastKernel26.CrossEntropy(x, t), (x, t) => FastKernel26.CrossEntropy(x, t)),
        100 => new GeneratedImplementation(FastKernel100.Classes, FastKernel100.Softmax, FastKernel100.Softmax, FastKernel100.LogSoftmax, FastKernel100.LogSoftmax, (x, t, r) => FastKernel100.CrossEntropy(x, t, r), (x, t, r) => FastKernel100.CrossEntropy(x, t, r), (x, t, l) => FastKernel100.CrossEntropy(x, t, l), (x, t, l) => FastKernel100.CrossEntropy(x, t, l), FastKernel100.Argmax, FastKernel100.Argmax, (x, t) => FastKernel100.CrossEntropy(x, t), (x, t) => FastKernel100.CrossEntropy(x, t)),
        _ => throw new ArgumentOutOfRangeException(nameof(classes), classes, "no FastKernel for this class count"),
    };

    /// <summary>The forwarding members of <c>FastKernelN</c> (float).</summary>
    private static class FastMembers
    {
        public static void LogSumExp(int classes, float[] logits, float[] results)
        {
            switch (classes)
            {
                case 3: FastKernel3.LogSumExp(logits, results); break;
                case 10: FastKernel10.LogSumExp(logits, results); break;
                case 12: FastKernel12.LogSumExp(logits, results); break;
                case 26: FastKernel26.LogSumExp(logits, results); break;
                default: FastKernel100.LogSumExp(logits, results); break;
            }
        }

        public static void TopK(int classes, float[] logits, int k, int[] indices, float[] probabilities)
        {
            switch (classes)
            {
                case 3: FastKernel3.TopK(logits, k, indices, probabilities); break;
                case 10: FastKernel10.TopK(logits, k, indices, probabilities); break;
                case 12: FastKernel12.TopK(logits, k, indices, probabilities); break;
                case 26: FastKernel26.TopK(logits, k, indices, probabilities); break;
                default: FastKernel100.TopK(logits, k, indices, probabilities); break;
            }
        }

        public static void SoftmaxAxis(int classes, float[] input, float[] output, int innerSize)
        {
            switch (classes)
            {
                case 3: FastKernel3.Softmax(input, output, innerSize); break;
                case 10: FastKernel10.Softmax(input, output, innerSize); break;
                case 12: FastKernel12.Softmax(input, output, innerSize); break;
                case 26: FastKernel26.Softmax(input, output, innerSize); break;
                default: FastKernel100.Softmax(input, output, innerSize); break;
            }
        }

        /// <summary>The weighted, smoothed mean cross-entropy (the runtime's option path).</summary>
        public static float CrossEntropyWithOptions(int classes, float[] logits, int[] targets, float[] weights) => classes switch
        {
            3 => FastKernel3.CrossEntropy(logits, targets, LossReduction.Mean, weights, labelSmoothing: 0.1f),
            10 => FastKernel10.CrossEntropy(logits, targets, LossReduction.Mean, weights, labelSmoothing: 0.1f),
            12 => FastKernel12.CrossEntropy(logits, targets, LossReduction.Mean, weights, labelSmoothing: 0.1f),
            26 => FastKernel26.CrossEntropy(logits, targets, LossReduction.Mean, weights, labelSmoothing: 0.1f),
            _ => FastKernel100.CrossEntropy(logits, targets, LossReduction.Mean, weights, labelSmoothing: 0.1f),
        };

        /// <summary>The fused loss and gradient, without options (the runtime runs the kernel handed to it for short rows).</summary>
        public static float CrossEntropyWithGradient(int classes, float[] logits, int[] targets, float[] gradient) => classes switch
        {
            3 => FastKernel3.CrossEntropyWithGradient(logits, targets, gradient),
            10 => FastKernel10.CrossEntropyWithGradient(logits, targets, gradient),
            12 => FastKernel12.CrossEntropyWithGradient(logits, targets, gradient),
            26 => FastKernel26.CrossEntropyWithGradient(logits, targets, gradient),
            _ => FastKernel100.CrossEntropyWithGradient(logits, targets, gradient),
        };

        /// <summary>The summed cross-entropy against probability targets with smoothing 0.05, and the per-row losses into <paramref name="losses"/>.</summary>
        public static float ProbabilityCrossEntropy(int classes, float[] logits, float[] probabilities, float[] losses)
        {
            switch (classes)
            {
                case 3: FastKernel3.CrossEntropy(logits, probabilities, losses, 0.05f); return FastKernel3.CrossEntropy(logits, probabilities, LossReduction.Sum, 0.05f);
                case 10: FastKernel10.CrossEntropy(logits, probabilities, losses, 0.05f); return FastKernel10.CrossEntropy(logits, probabilities, LossReduction.Sum, 0.05f);
                case 12: FastKernel12.CrossEntropy(logits, probabilities, losses, 0.05f); return FastKernel12.CrossEntropy(logits, probabilities, LossReduction.Sum, 0.05f);
                case 26: FastKernel26.CrossEntropy(logits, probabilities, losses, 0.05f); return FastKernel26.CrossEntropy(logits, probabilities, LossReduction.Sum, 0.05f);
                default: FastKernel100.CrossEntropy(logits, probabilities, losses, 0.05f); return FastKernel100.CrossEntropy(logits, probabilities, LossReduction.Sum, 0.05f);
            }
        }

        public static void LogSoftmaxAxis(int classes, float[] input, float[] output, int innerSize)
        {
            switch (classes)
            {
                case 3: FastKernel3.LogSoftmax(input, output, innerSize); break;
                case 10: FastKernel10.LogSoftmax(input, output, innerSize); break;
                case 12: FastKernel12.LogSoftmax(input, output, innerSize); break;
                case 26: FastKernel26.LogSoftmax(input, output, innerSize); break;
                default: FastKernel100.LogSoftmax(input, output, innerSize); break;
            }
        }
    }

    /// <summary>The runtime's Fast fallback: the validating entry points and the plain cross-entropy core, with Fast.</summary>
    private sealed class FastFallbackImplementation(int classes) : SoftmaxImplementation("fallback (Fast)", classes)
    {
        public override void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) => SoftmaxFallback.Softmax(logits, probabilities, Classes, SoftmaxPrecision.Fast);

        public override void Softmax(ReadOnlySpan<double> logits, Span<double> probabilities) => SoftmaxFallback.Softmax(logits, probabilities, Classes, SoftmaxPrecision.Fast);

        public override void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities) => SoftmaxFallback.LogSoftmax(logits, logProbabilities, Classes, SoftmaxPrecision.Fast);

        public override void LogSoftmax(ReadOnlySpan<double> logits, Span<double> logProbabilities) => SoftmaxFallback.LogSoftmax(logits, logProbabilities, Classes, SoftmaxPrecision.Fast);

        public override float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, LossReduction reduction) =>
            (float)SoftmaxGuard.Reduce(SoftmaxFallback.CrossEntropyCore(logits, targets, default, logits.Length / Classes, Classes, SoftmaxPrecision.Fast), logits.Length / Classes, reduction);

        public override double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, LossReduction reduction) =>
            SoftmaxGuard.Reduce(SoftmaxFallback.CrossEntropyCore(logits, targets, default, logits.Length / Classes, Classes, SoftmaxPrecision.Fast), logits.Length / Classes, reduction);

        public override void CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) =>
            SoftmaxFallback.CrossEntropyCore(logits, targets, losses, logits.Length / Classes, Classes, SoftmaxPrecision.Fast);

        public override void CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses) =>
            SoftmaxFallback.CrossEntropyCore(logits, targets, losses, logits.Length / Classes, Classes, SoftmaxPrecision.Fast);

        public override void Argmax(ReadOnlySpan<float> logits, Span<int> predictions) => SoftmaxFallback.Argmax(logits, predictions, Classes);

        public override void Argmax(ReadOnlySpan<double> logits, Span<int> predictions) => SoftmaxFallback.Argmax(logits, predictions, Classes);

        public override float CrossEntropyDefault(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) => CrossEntropy(logits, targets, LossReduction.Mean);

        public override double CrossEntropyDefault(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets) => CrossEntropy(logits, targets, LossReduction.Mean);
    }
}
