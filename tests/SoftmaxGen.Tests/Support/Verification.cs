using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>Collects mismatches so that one failing test lists many of them (the first <see cref="MaxListed"/>, and the total).</summary>
internal sealed class Failures
{
    private const int MaxListed = 25;
    private readonly List<string> _listed = [];

    public int Count { get; private set; }

    public void Add(string message)
    {
        Count++;
        if (_listed.Count < MaxListed)
        {
            _listed.Add(message);
        }
    }

    public void AssertNone()
    {
        if (Count > 0)
        {
            Assert.Fail($"{Count} mismatch(es); the first {_listed.Count}:{Environment.NewLine}{string.Join(Environment.NewLine, _listed)}");
        }
    }
}

/// <summary>The largest errors seen, with where they were seen.</summary>
internal sealed class ErrorStatistics
{
    /// <summary>Softmax outputs checked in ULP (reference at least 1e-30).</summary>
    public long SoftmaxChecked { get; private set; }

    public long MaxSoftmaxUlp { get; private set; }

    public string MaxSoftmaxWhere { get; set; } = "";

    /// <summary>
    /// The largest softmax error less the output's <see cref="SoftmaxPrecision.Fast"/> allowance, in ULP (what the
    /// bound of 4 applies to; the same as <see cref="MaxSoftmaxUlp"/> for Exact, whose allowance is 0).
    /// </summary>
    public double MaxSoftmaxExcessUlp { get; private set; }

    public string MaxSoftmaxExcessWhere { get; set; } = "";

    /// <summary>The largest log-softmax error less the Fast allowance, in ULP of max(|reference|, 1).</summary>
    public double MaxLogSoftmaxExcessUlp { get; private set; }

    public string MaxLogSoftmaxExcessWhere { get; set; } = "";

    /// <summary>Whether any output had a Fast allowance (then <see cref="Describe"/> reports the excess too).</summary>
    public bool HasAllowance { get; private set; }

    public long LogSoftmaxChecked { get; private set; }

    /// <summary>In ULP of max(|reference|, 1): an integer ULP distance where |reference| &gt;= 1, a fraction of ulp(1) below.</summary>
    public double MaxLogSoftmaxUlp { get; private set; }

    public string MaxLogSoftmaxWhere { get; set; } = "";

    public long LossesChecked { get; private set; }

    /// <summary>|ours - reference| / max(|reference|, 1), over per-row, mean and sum losses.</summary>
    public double MaxLossRelative { get; private set; }

    public string MaxLossWhere { get; private set; } = "";

    /// <summary>|ours - reference| / |reference| (reported, not bounded: near-zero losses make it large).</summary>
    public double MaxLossStrictRelative { get; private set; }

    public string MaxLossStrictWhere { get; private set; } = "";

    /// <summary>Counts a softmax output; true when it is the largest error so far (then set <see cref="MaxSoftmaxWhere"/>).</summary>
    public bool Softmax(long ulp)
    {
        SoftmaxChecked++;
        if (ulp <= MaxSoftmaxUlp)
        {
            return false;
        }

        MaxSoftmaxUlp = ulp;
        return true;
    }

    /// <summary>Records a softmax error less its allowance (in ULP); true when it is the largest so far.</summary>
    public bool SoftmaxExcess(double excessUlp, bool hasAllowance)
    {
        HasAllowance |= hasAllowance;
        if (!(excessUlp > MaxSoftmaxExcessUlp))
        {
            return false;
        }

        MaxSoftmaxExcessUlp = excessUlp;
        return true;
    }

    /// <summary>Records a log-softmax error less its allowance; true when it is the largest so far.</summary>
    public bool LogSoftmaxExcess(double excessUlp, bool hasAllowance)
    {
        HasAllowance |= hasAllowance;
        if (!(excessUlp > MaxLogSoftmaxExcessUlp))
        {
            return false;
        }

        MaxLogSoftmaxExcessUlp = excessUlp;
        return true;
    }

    /// <summary>Counts a log-softmax output; true when it is the largest error so far.</summary>
    public bool LogSoftmax(double ulp)
    {
        LogSoftmaxChecked++;
        if (!(ulp > MaxLogSoftmaxUlp))
        {
            return false;
        }

        MaxLogSoftmaxUlp = ulp;
        return true;
    }

    public void Loss(double relative, double strictRelative, string where)
    {
        LossesChecked++;
        if (relative > MaxLossRelative)
        {
            MaxLossRelative = relative;
            MaxLossWhere = where;
        }

        if (strictRelative > MaxLossStrictRelative)
        {
            MaxLossStrictRelative = strictRelative;
            MaxLossStrictWhere = where;
        }
    }

    public void Merge(ErrorStatistics other)
    {
        SoftmaxChecked += other.SoftmaxChecked;
        LogSoftmaxChecked += other.LogSoftmaxChecked;
        LossesChecked += other.LossesChecked;
        if (other.MaxSoftmaxUlp > MaxSoftmaxUlp)
        {
            MaxSoftmaxUlp = other.MaxSoftmaxUlp;
            MaxSoftmaxWhere = other.MaxSoftmaxWhere;
        }

        if (other.MaxLogSoftmaxUlp > MaxLogSoftmaxUlp)
        {
            MaxLogSoftmaxUlp = other.MaxLogSoftmaxUlp;
            MaxLogSoftmaxWhere = other.MaxLogSoftmaxWhere;
        }

        HasAllowance |= other.HasAllowance;
        if (other.MaxSoftmaxExcessUlp > MaxSoftmaxExcessUlp)
        {
            MaxSoftmaxExcessUlp = other.MaxSoftmaxExcessUlp;
            MaxSoftmaxExcessWhere = other.MaxSoftmaxExcessWhere;
        }

        if (other.MaxLogSoftmaxExcessUlp > MaxLogSoftmaxExcessUlp)
        {
            MaxLogSoftmaxExcessUlp = other.MaxLogSoftmaxExcessUlp;
            MaxLogSoftmaxExcessWhere = other.MaxLogSoftmaxExcessWhere;
        }

        if (other.MaxLossRelative > MaxLossRelative)
        {
            MaxLossRelative = other.MaxLossRelative;
            MaxLossWhere = other.MaxLossWhere;
        }

        if (other.MaxLossStrictRelative > MaxLossStrictRelative)
        {
            MaxLossStrictRelative = other.MaxLossStrictRelative;
            MaxLossStrictWhere = other.MaxLossStrictWhere;
        }
    }

    public string Describe() => HasAllowance
        ? string.Create(
            CultureInfo.InvariantCulture,
            $"softmax max {MaxSoftmaxUlp} ULP over {SoftmaxChecked} outputs above the threshold [{MaxSoftmaxWhere}], " +
            $"max {MaxSoftmaxExcessUlp:0.###} ULP beyond the Fast allowance [{MaxSoftmaxExcessWhere}]; " +
            $"log-softmax max {MaxLogSoftmaxUlp:0.###} ULP of max(|ref|,1) over {LogSoftmaxChecked} outputs [{MaxLogSoftmaxWhere}], " +
            $"max {MaxLogSoftmaxExcessUlp:0.###} beyond the Fast allowance [{MaxLogSoftmaxExcessWhere}]")
        : string.Create(
            CultureInfo.InvariantCulture,
            $"softmax max {MaxSoftmaxUlp} ULP over {SoftmaxChecked} outputs >= 1e-30 [{MaxSoftmaxWhere}]; " +
            $"log-softmax max {MaxLogSoftmaxUlp:0.###} ULP of max(|ref|,1) over {LogSoftmaxChecked} outputs [{MaxLogSoftmaxWhere}]; " +
            $"cross-entropy max {MaxLossRelative:E2} relative to max(|ref|,1) over {LossesChecked} losses [{MaxLossWhere}], " +
            $"max {MaxLossStrictRelative:E2} relative to |ref| [{MaxLossStrictWhere}]");
}

/// <summary>Everything one implementation computes for one batch, read back from sentinel-filled buffers.</summary>
internal sealed class Results<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Extra elements after every output; the library must leave them alone.</summary>
    public const int Padding = 3;

    /// <summary>Written to every output element before the call.</summary>
    public static readonly T Sentinel = T.CreateTruncating(4242.5);

    public const int IndexSentinel = -7;

    private Results(T[] softmax, T[] logSoftmax, T[] losses, T mean, T sum, T defaultReduction, int[] argmax)
    {
        Softmax = softmax;
        LogSoftmax = logSoftmax;
        Losses = losses;
        Mean = mean;
        Sum = sum;
        DefaultReduction = defaultReduction;
        Argmax = argmax;
    }

    /// <summary>rows x classes + <see cref="Padding"/>.</summary>
    public T[] Softmax { get; }

    public T[] LogSoftmax { get; }

    /// <summary>rows + <see cref="Padding"/>.</summary>
    public T[] Losses { get; }

    public T Mean { get; }

    public T Sum { get; }

    /// <summary>The reduced loss from the overload called without a reduction (the default must be the mean).</summary>
    public T DefaultReduction { get; }

    /// <summary>rows + <see cref="Padding"/>.</summary>
    public int[] Argmax { get; }

    public static Results<T> Compute(SoftmaxImplementation implementation, T[] logits, int[] targets)
    {
        int rows = logits.Length / implementation.Classes;
        T[] softmax = Filled(logits.Length + Padding);
        T[] logSoftmax = Filled(logits.Length + Padding);
        T[] losses = Filled(rows + Padding);
        int[] argmax = new int[rows + Padding];
        argmax.AsSpan().Fill(IndexSentinel);

        implementation.ApplySoftmax<T>(logits, softmax);
        implementation.ApplyLogSoftmax<T>(logits, logSoftmax);
        if (implementation.Precision != SoftmaxPrecision.Exact)
        {
            // The losses and argmax take no precision (SoftmaxImplementation.Precision): left as sentinels, not checked.
            return new Results<T>(softmax, logSoftmax, losses, Sentinel, Sentinel, Sentinel, argmax);
        }

        implementation.ApplyCrossEntropy<T>(logits, targets, losses);
        T mean = implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Mean);
        T sum = implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Sum);
        T defaultReduction = implementation.ApplyCrossEntropyDefault<T>(logits, targets);
        implementation.ApplyArgmax<T>(logits, argmax);
        return new Results<T>(softmax, logSoftmax, losses, mean, sum, defaultReduction, argmax);
    }

    private static T[] Filled(int length)
    {
        var array = new T[length];
        array.AsSpan().Fill(Sentinel);
        return array;
    }
}

/// <summary>
/// The accuracy contract of <see cref="SoftmaxPrecision.Exact"/> (a Fast implementation is held to
/// <see cref="FastBounds"/>), checked element by element against <see cref="Reference"/>:
/// softmax within 4 ULP of the correctly rounded reference wherever the reference is at least 1e-30, and below that
/// an absolute error of at most 4 ULP of 1e-30; log-softmax within 4 ULP of max(|reference|, 1); cross-entropy (per
/// row, mean, sum) within 1e-6 (float) or 1e-13 (double) relative to max(|reference|, 1); argmax exactly the first
/// maximum (or first NaN). NaN and infinities must match exactly; a -inf logit in a finite row must give probability
/// exactly 0 and log-probability -inf.
/// </summary>
/// <remarks>
/// Why max(|reference|, 1) for losses: a confident row's loss is ln(1 + r) with r the sum of the other terms, and any
/// implementation that forms ln(sum) (as PyTorch does) loses r below the rounding of 1 + r (double logits [0, -40],
/// target 0: the loss is 4.2e-18 and comes out 0). Near zero the loss therefore gets the same absolute floor as
/// log-softmax, of which it is the negated target element; <see cref="ErrorStatistics"/> also reports the error
/// relative to |reference| alone. Mean and sum are compared with the mean and sum of the per-row reference losses
/// rounded to the input type, as PyTorch reduces its per-row losses.
/// </remarks>
internal static class Verifier
{
    public const long SoftmaxMaxUlp = 4;
    public const double SoftmaxUlpThreshold = 1e-30;
    public const double LogSoftmaxMaxUlp = 4;

    public static double LossRelativeTolerance<T>() => typeof(T) == typeof(float) ? 1e-6 : 1e-13;

    /// <summary>The absolute error allowed for softmax outputs whose reference is below 1e-30: 4 ULP of 1e-30.</summary>
    public static double SoftmaxAbsoluteBelowThreshold<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => SoftmaxMaxUlp * Ulp.Of<T>(SoftmaxUlpThreshold);

    public static string TypeName<T>() => typeof(T) == typeof(float) ? "float" : "double";

    public static string Format<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? float.CreateTruncating(value).ToString("R", CultureInfo.InvariantCulture)
            : double.CreateTruncating(value).ToString("R", CultureInfo.InvariantCulture);

    public static string Format(DoubleDouble value) => value.Lo == 0 || !double.IsFinite(value.Hi)
        ? value.Hi.ToString("R", CultureInfo.InvariantCulture)
        : value.ToString();

    /// <summary>Runs every operation of <paramref name="implementation"/> and checks it against <paramref name="reference"/>.</summary>
    public static Results<T> Verify<T>(
        SoftmaxImplementation implementation,
        T[] logits,
        int[] targets,
        ReferenceResult reference,
        string context,
        Failures failures,
        ErrorStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Results<T> results = Results<T>.Compute(implementation, logits, targets);
        Check(results, logits, reference, $"{implementation.Name} {TypeName<T>()} C={reference.Classes} rows={reference.Rows} {context}", failures, statistics, implementation.Precision);
        return results;
    }

    /// <summary>
    /// Checks <paramref name="results"/> with the bounds of <paramref name="precision"/> (<see cref="FastBounds"/> for
    /// Fast, whose results hold no losses or argmax to check: <see cref="Results{T}.Compute"/>).
    /// </summary>
    public static void Check<T>(Results<T> results, T[] logits, ReferenceResult reference, string context, Failures failures, ErrorStatistics statistics, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = reference.Classes;
        int rows = reference.Rows;
        int n = rows * classes;
        double threshold = FastBounds.SoftmaxThreshold<T>(precision);
        double tiny = SoftmaxMaxUlp * Ulp.Of<T>(threshold);
        double ulpOfOne = Ulp.Of<T>(1.0);
        double lossTolerance = LossRelativeTolerance<T>();
        bool fast = precision == SoftmaxPrecision.Fast;
        double rowMax = double.NaN;

        for (int i = 0; i < n; i++)
        {
            int row = i / classes, column = i % classes;
            bool maskedLogit = T.IsNegativeInfinity(logits[i]) && !reference.RowIsNaN[row];
            if (column == 0)
            {
                rowMax = FastBounds.RowMax(logits.AsSpan(i, classes));
            }

            // |x - max|: Fast's result may carry its rounding (FastBounds); no allowance for Exact.
            double distance = fast ? FastBounds.Distance(double.CreateTruncating(logits[i]), rowMax) : 0;

            // Softmax.
            T ours = results.Softmax[i];
            DoubleDouble exact = reference.Softmax[i];
            T rounded = Reference.Round<T>(exact);
            if (exact.IsNaN)
            {
                if (!T.IsNaN(ours))
                {
                    failures.Add($"{context} softmax row={row} col={column}: ours={Format(ours)}, reference=NaN (the row has NaN or +inf, or is all -inf)");
                }
            }
            else if (maskedLogit)
            {
                if (ours != T.Zero)
                {
                    failures.Add($"{context} softmax row={row} col={column}: ours={Format(ours)}, reference=0 exactly (the logit is -inf)");
                }
            }
            else if (exact.Hi >= threshold)
            {
                long ulp = Ulp.Distance(ours, rounded);
                double allowance = fast ? FastBounds.SoftmaxAllowanceUlp(ours, exact.Hi, distance) : 0;
                if (statistics.Softmax(ulp))
                {
                    statistics.MaxSoftmaxWhere = $"{context} row={row} col={column} logit={Format(logits[i])} ours={Format(ours)} ref={Format(exact)}";
                }

                if (statistics.SoftmaxExcess(ulp - allowance, fast))
                {
                    statistics.MaxSoftmaxExcessWhere = $"{context} row={row} col={column} logit={Format(logits[i])} |x-max|={distance:G4} ours={Format(ours)} ref={Format(exact)} ({ulp} ULP, allowance {allowance:0.###})";
                }

                if (!(ulp <= SoftmaxMaxUlp + allowance))
                {
                    failures.Add($"{context} softmax row={row} col={column}: ours={Format(ours)}, reference={Format(rounded)} (exact {Format(exact)}), {UlpText(ulp)} > {SoftmaxMaxUlp}{(fast ? $" + {allowance:0.###} (|x - max| = {distance:G6})" : "")}");
                }
            }
            else
            {
                double error = AbsoluteError(ours, exact);
                double limit = tiny + (fast ? FastBounds.SoftmaxAllowanceAbsolute<T>(exact.Hi, distance) : 0);
                if (!(error <= limit) && !(fast && FastBounds.MayFlush(ours, exact.Hi)))
                {
                    failures.Add($"{context} softmax row={row} col={column}: ours={Format(ours)}, reference={Format(exact)} (below {threshold:G3}), |error| {error:E3} > {limit:E3}");
                }
            }

            // Log-softmax.
            ours = results.LogSoftmax[i];
            exact = reference.LogSoftmax[i];
            rounded = Reference.Round<T>(exact);
            if (exact.IsNaN)
            {
                if (!T.IsNaN(ours))
                {
                    failures.Add($"{context} log-softmax row={row} col={column}: ours={Format(ours)}, reference=NaN");
                }
            }
            else if (double.IsInfinity(exact.Hi) || maskedLogit)
            {
                if (ours != rounded || !T.IsNegativeInfinity(ours))
                {
                    failures.Add($"{context} log-softmax row={row} col={column}: ours={Format(ours)}, reference=-inf exactly");
                }
            }
            else
            {
                double ulp = Math.Abs(exact.Hi) >= 1
                    ? Ulp.Distance(ours, rounded)
                    : AbsoluteError(ours, exact) / ulpOfOne;
                if (T.IsNaN(ours))
                {
                    ulp = double.PositiveInfinity;
                }

                double allowance = fast ? FastBounds.LogSoftmaxAllowanceUlp<T>(exact.Hi, distance) : 0;
                if (statistics.LogSoftmax(ulp))
                {
                    statistics.MaxLogSoftmaxWhere = $"{context} row={row} col={column} logit={Format(logits[i])} ours={Format(ours)} ref={Format(exact)}";
                }

                if (statistics.LogSoftmaxExcess(ulp - allowance, fast))
                {
                    statistics.MaxLogSoftmaxExcessWhere = $"{context} row={row} col={column} logit={Format(logits[i])} |x-max|={distance:G4} ours={Format(ours)} ref={Format(exact)} ({ulp:0.###} ULP, allowance {allowance:0.###})";
                }

                if (!(ulp <= LogSoftmaxMaxUlp + allowance))
                {
                    failures.Add($"{context} log-softmax row={row} col={column}: ours={Format(ours)}, reference={Format(rounded)} (exact {Format(exact)}), {ulp:0.###} ULP of max(|ref|,1) > {LogSoftmaxMaxUlp}{(fast ? $" + {allowance:0.###} (|x - max| = {distance:G6})" : "")}");
                }
            }
        }

        if (fast)
        {
            CheckPadding(results.Softmax.AsSpan(n), $"{context} softmax", failures);
            CheckPadding(results.LogSoftmax.AsSpan(n), $"{context} log-softmax", failures);
            return;
        }

        for (int row = 0; row < rows; row++)
        {
            CheckLoss(results.Losses[row], reference.Losses[row], lossTolerance, $"{context} cross-entropy row={row}", failures, statistics);
            if (results.Argmax[row] != reference.Argmax[row])
            {
                failures.Add($"{context} argmax row={row}: ours={results.Argmax[row]}, reference={reference.Argmax[row]} (first maximum / first NaN)");
            }
        }

        CheckLoss(results.Mean, reference.LossMean, lossTolerance, $"{context} cross-entropy mean", failures, statistics);
        CheckLoss(results.Sum, reference.LossSum, lossTolerance, $"{context} cross-entropy sum", failures, statistics);
        if (!SameValue(results.DefaultReduction, results.Mean))
        {
            failures.Add($"{context} cross-entropy default reduction: {Format(results.DefaultReduction)} differs from mean {Format(results.Mean)}");
        }

        CheckPadding(results.Softmax.AsSpan(n), $"{context} softmax", failures);
        CheckPadding(results.LogSoftmax.AsSpan(n), $"{context} log-softmax", failures);
        CheckPadding(results.Losses.AsSpan(rows), $"{context} cross-entropy losses", failures);
        for (int i = rows; i < results.Argmax.Length; i++)
        {
            if (results.Argmax[i] != Results<T>.IndexSentinel)
            {
                failures.Add($"{context} argmax wrote predictions[{i}] = {results.Argmax[i]} past the {rows} rows");
            }
        }
    }

    /// <summary>Checks one loss: NaN and infinities exactly, otherwise relative to max(|reference|, 1).</summary>
    public static void CheckLoss<T>(T ours, DoubleDouble exact, double tolerance, string where, Failures failures, ErrorStatistics statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T rounded = Reference.Round<T>(exact);
        if (exact.IsNaN || T.IsNaN(rounded))
        {
            if (!T.IsNaN(ours))
            {
                failures.Add($"{where}: ours={Format(ours)}, reference=NaN");
            }

            return;
        }

        if (T.IsInfinity(rounded))
        {
            if (ours != rounded)
            {
                failures.Add($"{where}: ours={Format(ours)}, reference={Format(exact)} (rounds to {Format(rounded)})");
            }

            return;
        }

        double error = AbsoluteError(ours, exact);
        double relative = error / Math.Max(Math.Abs(exact.Hi), 1);
        double strict = exact.Hi == 0 ? (error == 0 ? 0 : double.PositiveInfinity) : error / Math.Abs(exact.Hi);
        if (relative > statistics.MaxLossRelative || strict > statistics.MaxLossStrictRelative)
        {
            statistics.Loss(relative, strict, $"{where} ours={Format(ours)} ref={Format(exact)}");
        }
        else
        {
            statistics.Loss(0, 0, where);
        }
        if (!(relative <= tolerance))
        {
            failures.Add($"{where}: ours={Format(ours)}, reference={Format(exact)}, relative error {relative:E3} (to max(|ref|,1)) > {tolerance:E1}");
        }
    }

    /// <summary>|ours - exact| in double (exact to a rounding for close values); +inf when ours is not finite.</summary>
    public static double AbsoluteError<T>(T ours, DoubleDouble exact)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double value = double.CreateTruncating(ours);
        if (!double.IsFinite(value))
        {
            return double.PositiveInfinity;
        }

        return Math.Abs((value - exact.Hi) - exact.Lo);
    }

    /// <summary>Bitwise equality, except that any two NaNs are the same value.</summary>
    public static bool SameValue<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsNaN(a) ? T.IsNaN(b) : a == b && T.IsNegative(a) == T.IsNegative(b);

    private static void CheckPadding<T>(Span<T> padding, string what, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < padding.Length; i++)
        {
            if (!padding[i].Equals(Results<T>.Sentinel))
            {
                failures.Add($"{what}: wrote {Format(padding[i])} past the end of the input's shape (padding element {i})");
            }
        }
    }

    private static string UlpText(long ulp) => ulp == Ulp.NaNMismatch ? "NaN mismatch" : $"{ulp} ULP";
}

/// <summary>
/// <see cref="SoftmaxPrecision.Fast"/>'s contract as the tests check it, written from its documentation
/// (src/SoftmaxGen/SoftmaxPrecision.cs): the Exact bounds of <see cref="Verifier"/> plus the rounding of x - max, which
/// Fast does not recover. With u the unit roundoff of the element type (2^-24 float, 2^-53 double) and, for each output,
/// d = |x - max| (its logit against the row maximum, computed exactly in double for float logits):
/// <list type="bullet">
/// <item>softmax, for exact outputs of at least 1e-30 (float) or 1e-300 (double): the ULP distance from the correctly
/// rounded value is at most 4 + d u exact / ulp, ulp being the spacing at the smaller of |ours| and exact (so an error
/// that crosses into the binade below is counted in its smaller ULPs); that is a relative error of 4 ULP + d u. Below
/// the threshold: an absolute error of at most 4 ULP of the threshold + d u exact, and an output that would be
/// subnormal may be flushed to +0;</item>
/// <item>log-softmax: the error in ULP of max(|exact|, 1) (as <see cref="Verifier"/> measures it) is at most
/// 4 + d u / ulp(max(|exact|, 1)): 4 ULP of max(|v|, 1) plus d u absolute;</item>
/// <item>log-sum-exp (documented in no file yet; the bound these tests hold it to): within 4 ULP of max(|v|, 1).</item>
/// </list>
/// NaN and infinities as Exact (PyTorch's semantics).
/// </summary>
internal static class FastBounds
{
    /// <summary>The rounding of x - max, relative: 2^-24 (float) or 2^-53 (double).</summary>
    public static double UnitRoundoff<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Ulp.Of<T>(1.0) / 2;

    /// <summary>Outputs at least this large get the ULP bound; smaller ones an absolute one.</summary>
    public static double SoftmaxThreshold<T>(SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        precision == SoftmaxPrecision.Fast && typeof(T) == typeof(double) ? 1e-300 : Verifier.SoftmaxUlpThreshold;

    /// <summary>The smallest normal value of <typeparamref name="T"/>.</summary>
    public static double SmallestNormal<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? 1.1754943508222875e-38 : 2.2250738585072014e-308;

    /// <summary>The row maximum in double (NaN rows give NaN; a row of only -inf gives -inf).</summary>
    public static double RowMax<T>(ReadOnlySpan<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        foreach (T v in row)
        {
            double x = double.CreateTruncating(v);
            if (double.IsNaN(x))
            {
                return double.NaN;
            }

            max = Math.Max(max, x);
        }

        return max;
    }

    /// <summary>|x - max|; 0 where it is not a number that could scale an allowance (NaN rows, -inf logits).</summary>
    public static double Distance(double x, double max)
    {
        double d = Math.Abs(x - max);
        return double.IsFinite(d) ? d : 0;
    }

    /// <summary>d u exact in ULP of the smaller of |ours| and exact (but not below exact / 2: a wilder output gains nothing).</summary>
    public static double SoftmaxAllowanceUlp<T>(T ours, double exact, double distance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double smaller = Math.Max(Math.Min(Math.Abs(double.CreateTruncating(ours)), exact), exact / 2);
        return double.IsFinite(smaller) && smaller > 0 ? distance * UnitRoundoff<T>() * exact / Ulp.Of<T>(smaller) : 0;
    }

    /// <summary>d u exact, the absolute allowance below the threshold.</summary>
    public static double SoftmaxAllowanceAbsolute<T>(double exact, double distance)
        where T : unmanaged, IFloatingPointIeee754<T> => exact > 0 ? distance * UnitRoundoff<T>() * exact : 0;

    /// <summary>Whether <paramref name="ours"/> is an output Fast may flush: +0 where the exact value is below the smallest normal.</summary>
    public static bool MayFlush<T>(T ours, double exact)
        where T : unmanaged, IFloatingPointIeee754<T> => ours == T.Zero && !T.IsNegative(ours) && exact < SmallestNormal<T>();

    /// <summary>d u in ULP of max(|exact|, 1) (0 where exact is beyond the type's range: the result must then be -inf).</summary>
    public static double LogSoftmaxAllowanceUlp<T>(double exact, double distance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double scale = Ulp.OfAtLeastOne<T>(exact);
        return double.IsFinite(scale) ? distance * UnitRoundoff<T>() / scale : 0;
    }

    /// <summary>Log-sum-exp's bound in ULP of max(|v|, 1) for <paramref name="precision"/> (float Exact: 1, as documented).</summary>
    public static double LogSumExpUlp<T>(SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        precision == SoftmaxPrecision.Fast || typeof(T) == typeof(double) ? 4 : 1;
}

/// <summary>Seeded random logits.</summary>
internal static class LogitGenerator
{
    /// <summary>
    /// normal1: N(0, 1); normal5: N(0, 25); uniform100: uniform on [-100, 100]; wide: 30% N(0, 1) and 70% ±10^u with u
    /// uniform on [-30, 30] (magnitudes from 1e-30 to 1e30 mixed in a row); ties: integers in [-2, 2], so rows have
    /// repeated maxima (argmax must take the first) and exactly representable equal logits.
    /// </summary>
    public static readonly string[] Distributions = ["normal1", "normal5", "uniform100", "wide", "ties"];

    public static double Next(string distribution, Random random) => distribution switch
    {
        "normal1" => Normal(random),
        "normal5" => 5 * Normal(random),
        "uniform100" => (random.NextDouble() * 200) - 100,
        "wide" => random.NextDouble() < 0.3
            ? Normal(random)
            : (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, (random.NextDouble() * 60) - 30),
        "ties" => random.Next(-2, 3),
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "unknown distribution"),
    };

    public static T[] Create<T>(string distribution, int count, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateTruncating(Next(distribution, random));
        }

        return values;
    }

    public static int[] Targets(int rows, int classes, Random random)
    {
        var targets = new int[rows];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = random.Next(classes);
        }

        return targets;
    }

    /// <summary>A seed that depends only on its arguments (not on string hashing, which is randomised per process).</summary>
    public static int Seed(params int[] parts)
    {
        unchecked
        {
            int seed = 17;
            foreach (int part in parts)
            {
                seed = (seed * 486187739) + part;
            }

            return seed & int.MaxValue;
        }
    }

    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>Formats a per-implementation error table for the test output.</summary>
internal static class ErrorReport
{
    public static string Table(IEnumerable<KeyValuePair<string, ErrorStatistics>> entries)
    {
        var text = new StringBuilder();
        foreach (KeyValuePair<string, ErrorStatistics> entry in entries)
        {
            text.Append(entry.Key).Append(": ").AppendLine(entry.Value.Describe());
        }

        return text.ToString();
    }
}
