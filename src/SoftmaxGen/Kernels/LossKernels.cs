namespace SoftmaxGen.Kernels;

/// <summary>
/// The row algorithms of the loss family for any class count, written once over <see cref="ISimd{TVec, T}"/> like
/// <see cref="RowKernels{TOps, TVec, T}"/>: a row is covered by vectors at 0, W, 2W, ... and one last vector ending at
/// the end of the row (its repeated lanes left out of every sum), and the last vector is loaded before anything is
/// stored so that in-place calls stay correct. The exponential and the compensated sums are <see cref="SoftmaxMath"/>'s.
/// </summary>
internal static class LossKernels<TOps, TVec, T>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Cross-entropy against class targets with PyTorch's options, fused with its gradient: one pass for the maximum,
    /// one for e^(x - max) (stored in the gradient) with its sum and, when smoothing, the weighted sum of x - max, and one
    /// that turns the exponentials into the gradient. Per row, with w the weights (1 when none), t the target, p the
    /// softmax, W = sum w and eps the smoothing: <c>nll = w[t] (max + ln S - x[t])</c>,
    /// <c>smooth = W (max + ln S) - sum_j w[j] x[j]</c>, loss = <c>(1 - eps) nll + eps / C smooth</c>, and
    /// <c>d loss / d x[j] = scale ((1 - eps) w[t] (p[j] - [j = t]) + eps / C (W p[j] - w[j]))</c>. Ignored rows get loss
    /// 0 and gradient 0 and add nothing. As in PyTorch, without smoothing the smoothing terms (and W) are not formed, so
    /// that a weight enters only through the rows that target its class; with smoothing and a weight that is not
    /// finite, or an infinite scale, the terms are formed one by one as PyTorch forms them (see
    /// <see cref="LossKernels.TermWise{T}"/>).
    /// </summary>
    /// <returns>The sums over the counted rows of nll and of smooth, in double.</returns>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static (double Nll, double Smooth) CrossEntropy(
        ref T x, ReadOnlySpan<int> targets, ReadOnlySpan<T> weights, int ignoreIndex, double smoothing,
        Span<T> losses, Span<T> gradient, double gradientScale, nuint rows, nuint classes)
    {
        nuint width = (nuint)TOps.Count;
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        bool weighted = !weights.IsEmpty;
        bool smooth = smoothing > 0;
        bool withGradient = !gradient.IsEmpty;
        ref T w = ref weighted ? ref MemoryMarshal.GetReference(weights) : ref Unsafe.NullRef<T>();
        // Under smoothing, a weight that is not finite makes every row's smoothing term infinite or NaN, and every row's
        // gradient too (ignored rows included) through PyTorch's sum of the row's terms; so does an infinite scale: then
        // each term is formed on its own (TermWise).
        bool termwiseLoss = smooth && weighted && !LossKernels.AllFinite(weights);
        bool termwiseGradient = withGradient && smooth && (termwiseLoss || !double.IsFinite(gradientScale));
        bool shiftedSums = smooth && !termwiseLoss;
        double weightSum = !smooth ? 0 : weighted ? LossKernels.SumOf(weights) : classes;
        double smoothPerClass = smoothing / classes;

        double nllSum = 0, smoothSum = 0;
        for (nuint row = 0; row < rows; row++)
        {
            int target = targets[(int)row];
            if (target == ignoreIndex)
            {
                if (!losses.IsEmpty)
                {
                    losses[(int)row] = T.Zero;
                }

                if (withGradient)
                {
                    // PyTorch masks the row's smoothing loss, not its gradient: 0 times a weight that is not finite is NaN.
                    gradient.Slice((int)(row * classes), (int)classes).Fill(termwiseLoss ? T.NaN : T.Zero);
                }

                continue;
            }

            ref T xr = ref Unsafe.Add(ref x, row * classes);
            ref T gr = ref withGradient ? ref Unsafe.Add(ref MemoryMarshal.GetReference(gradient), row * classes) : ref Unsafe.NullRef<T>();
            double targetLogit = double.CreateTruncating(Unsafe.Add(ref xr, target));
            double targetWeight = weighted ? double.CreateTruncating(Unsafe.Add(ref w, target)) : 1.0;

            TVec tail = TOps.Load(ref xr, last);
            T max = RowKernels<TOps, TVec, T>.RowMax(ref xr, last, tail);
            TVec maxV = TOps.Splat(max), negatedMax = TOps.Splat(-max);

            TVec sum = default, compensation = default, shifted = default, shiftedCompensation = default;
            for (nuint i = 0; i < last; i += width)
            {
                TVec v = TOps.Load(ref xr, i);
                TVec e = TOps.ExpShifted(v, negatedMax);
                SoftmaxMath.Accumulate<TOps, TVec, T>(e, ref sum, ref compensation);
                if (shiftedSums)
                {
                    TVec d = TOps.Subtract(v, maxV);
                    SoftmaxMath.Accumulate<TOps, TVec, T>(weighted ? TOps.Multiply(TOps.Load(ref w, i), d) : d, ref shifted, ref shiftedCompensation);
                }

                if (withGradient)
                {
                    TOps.Store(e, ref gr, i);
                }
            }

            TVec tailExp = TOps.ExpShifted(tail, negatedMax);
            SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.AndNot(tailExp, repeated), ref sum, ref compensation);
            if (shiftedSums)
            {
                TVec d = TOps.Subtract(tail, maxV);
                d = weighted ? TOps.Multiply(TOps.Load(ref w, last), d) : d;
                SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.AndNot(d, repeated), ref shifted, ref shiftedCompensation);
            }

            double total = TOps.SumAcross(sum) + TOps.SumAcross(compensation);
            double maxD = double.CreateTruncating(max);
            double nll = targetWeight * SoftmaxMath.RowLoss(maxD, targetLogit, total);
            double loss = nll;
            if (smooth)
            {
                // sum_j w[j] (max + ln S - x[j]) = W ln S - sum_j w[j] (x[j] - max), or term by term when a weight is
                // not finite (w[j] (max + ln S - x[j]) is infinite where x[j] = max, W ln S - w[j] (x[j] - max) NaN).
                double smoothLoss = termwiseLoss
                    ? LossKernels.SmoothingTerms(ref xr, ref w, maxD, SoftmaxMath.LogAtLeastOne(total), classes)
                    : weightSum * SoftmaxMath.LogAtLeastOne(total) - CompensatedTotal(shifted, shiftedCompensation);
                smoothSum += smoothLoss;
                loss = (1 - smoothing) * nll + smoothPerClass * smoothLoss;
            }

            nllSum += nll;
            if (!losses.IsEmpty)
            {
                losses[(int)row] = T.CreateTruncating(loss);
            }

            if (withGradient)
            {
                double nllScale = gradientScale * (1 - smoothing) * targetWeight;
                if (termwiseGradient)
                {
                    TOps.Store(tailExp, ref gr, last);
                    LossKernels.TermWiseGradient(ref gr, ref w, target, total, nllScale, gradientScale * smoothPerClass, classes);
                    continue;
                }

                if (smooth)
                {
                    // g[j] = e[j] a - b w[j], then g[t] -= c.
                    double b = gradientScale * smoothPerClass;
                    TVec a = TOps.Splat(T.CreateTruncating((nllScale + b * weightSum) / total));
                    TVec bV = TOps.Splat(T.CreateTruncating(b));
                    for (nuint i = 0; i < last; i += width)
                    {
                        TVec e = TOps.Load(ref gr, i);
                        TOps.Store(TOps.Subtract(TOps.Multiply(e, a), weighted ? TOps.Multiply(bV, TOps.Load(ref w, i)) : bV), ref gr, i);
                    }

                    TOps.Store(TOps.Subtract(TOps.Multiply(tailExp, a), weighted ? TOps.Multiply(bV, TOps.Load(ref w, last)) : bV), ref gr, last);
                }
                else
                {
                    // g[j] = e[j] a, then g[t] -= c: only w[t] enters.
                    TVec a = TOps.Splat(T.CreateTruncating(nllScale / total));
                    for (nuint i = 0; i < last; i += width)
                    {
                        TOps.Store(TOps.Multiply(TOps.Load(ref gr, i), a), ref gr, i);
                    }

                    TOps.Store(TOps.Multiply(tailExp, a), ref gr, last);
                }

                ref T gt = ref Unsafe.Add(ref gr, target);
                gt = T.CreateTruncating(double.CreateTruncating(gt) - nllScale);
            }
        }

        return (nllSum, smoothSum);
    }

    /// <summary>
    /// Cross-entropy against target probabilities, smoothed to <c>t' = (1 - eps) t + eps / C</c>, fused with its
    /// gradient: loss = <c>sum_j t'[j] (max + ln S - x[j])</c>, <c>d loss / d x[j] = scale (p[j] sum t' - t'[j])</c>.
    /// </summary>
    /// <returns>The sum of the per-row losses, in double.</returns>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static double ProbabilityCrossEntropy(
        ref T x, ref T p, double smoothing, Span<T> losses, Span<T> gradient, double gradientScale, nuint rows, nuint classes)
    {
        nuint width = (nuint)TOps.Count;
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        bool withGradient = !gradient.IsEmpty;
        TVec keep = TOps.Splat(T.CreateTruncating(1 - smoothing));
        TVec spread = TOps.Splat(T.CreateTruncating(smoothing / classes));

        double lossSum = 0;
        for (nuint row = 0; row < rows; row++)
        {
            ref T xr = ref Unsafe.Add(ref x, row * classes);
            ref T pr = ref Unsafe.Add(ref p, row * classes);
            ref T gr = ref withGradient ? ref Unsafe.Add(ref MemoryMarshal.GetReference(gradient), row * classes) : ref Unsafe.NullRef<T>();

            TVec tail = TOps.Load(ref xr, last);
            T max = RowKernels<TOps, TVec, T>.RowMax(ref xr, last, tail);
            TVec maxV = TOps.Splat(max), negatedMax = TOps.Splat(-max);

            TVec sum = default, compensation = default, shifted = default, shiftedCompensation = default, mass = default, massCompensation = default;
            for (nuint i = 0; i < last; i += width)
            {
                TVec v = TOps.Load(ref xr, i);
                TVec e = TOps.ExpShifted(v, negatedMax);
                TVec t = TOps.MultiplyAdd(TOps.Load(ref pr, i), keep, spread);
                SoftmaxMath.Accumulate<TOps, TVec, T>(e, ref sum, ref compensation);
                SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.Multiply(t, TOps.Subtract(v, maxV)), ref shifted, ref shiftedCompensation);
                SoftmaxMath.Accumulate<TOps, TVec, T>(t, ref mass, ref massCompensation);
                if (withGradient)
                {
                    TOps.Store(e, ref gr, i);
                }
            }

            TVec tailExp = TOps.ExpShifted(tail, negatedMax);
            TVec tailTarget = TOps.MultiplyAdd(TOps.Load(ref pr, last), keep, spread);
            SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.AndNot(tailExp, repeated), ref sum, ref compensation);
            SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.AndNot(TOps.Multiply(tailTarget, TOps.Subtract(tail, maxV)), repeated), ref shifted, ref shiftedCompensation);
            SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.AndNot(tailTarget, repeated), ref mass, ref massCompensation);

            double total = TOps.SumAcross(sum) + TOps.SumAcross(compensation);
            double targetMass = CompensatedTotal(mass, massCompensation);
            double loss = targetMass * SoftmaxMath.LogAtLeastOne(total) - CompensatedTotal(shifted, shiftedCompensation);
            lossSum += loss;
            if (!losses.IsEmpty)
            {
                losses[(int)row] = T.CreateTruncating(loss);
            }

            if (withGradient)
            {
                TVec a = TOps.Splat(T.CreateTruncating(gradientScale * targetMass / total));
                TVec s = TOps.Splat(T.CreateTruncating(gradientScale));
                for (nuint i = 0; i < last; i += width)
                {
                    TVec t = TOps.MultiplyAdd(TOps.Load(ref pr, i), keep, spread);
                    TOps.Store(TOps.Subtract(TOps.Multiply(TOps.Load(ref gr, i), a), TOps.Multiply(t, s)), ref gr, i);
                }

                TOps.Store(TOps.Subtract(TOps.Multiply(tailExp, a), TOps.Multiply(tailTarget, s)), ref gr, last);
            }
        }

        return lossSum;
    }

    /// <summary>
    /// The backward of softmax (<c>dx[j] = y[j] (g[j] - sum_k g[k] y[k])</c>) or of log-softmax
    /// (<c>dx[j] = g[j] - e^(y[j]) sum_k g[k]</c>), as <typeparamref name="TBackward"/> says: one compensated sum of
    /// per-class terms per row, then one output per class.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void ActivationGradient<TBackward>(ref T y, ref T g, ref T dx, nuint rows, nuint classes)
        where TBackward : struct, IActivationBackward<TVec>
    {
        nuint width = (nuint)TOps.Count;
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        for (nuint row = 0; row < rows; row++)
        {
            ref T yr = ref Unsafe.Add(ref y, row * classes);
            ref T gr = ref Unsafe.Add(ref g, row * classes);
            ref T dr = ref Unsafe.Add(ref dx, row * classes);

            TVec tailY = TOps.Load(ref yr, last), tailG = TOps.Load(ref gr, last);
            TVec sum = default, compensation = default;
            for (nuint i = 0; i < last; i += width)
            {
                SoftmaxMath.Accumulate<TOps, TVec, T>(TBackward.Term(TOps.Load(ref yr, i), TOps.Load(ref gr, i)), ref sum, ref compensation);
            }

            SoftmaxMath.Accumulate<TOps, TVec, T>(TOps.AndNot(TBackward.Term(tailY, tailG), repeated), ref sum, ref compensation);
            TVec total = TOps.Splat(T.CreateTruncating(CompensatedTotal(sum, compensation)));
            for (nuint i = 0; i < last; i += width)
            {
                TOps.Store(TBackward.Input(TOps.Load(ref yr, i), TOps.Load(ref gr, i), total), ref dr, i);
            }

            TOps.Store(TBackward.Input(tailY, tailG, total), ref dr, last);
        }
    }

    /// <summary>The total of a compensated lane-wise sum whose lanes may hold infinities (their compensation is then NaN and is dropped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CompensatedTotal(TVec sum, TVec compensation)
    {
        double main = TOps.SumAcross(sum);
        return double.IsFinite(main) ? main + TOps.SumAcross(compensation) : main;
    }
}

/// <summary>The loss kernels' helpers that do not depend on the vector width.</summary>
internal static class LossKernels
{
    /// <summary>
    /// Whether <see cref="LossKernels{TOps, TVec, T}.CrossEntropy"/> forms the smoothing terms one by one, as PyTorch
    /// does: with smoothing, when a weight is not finite (its term is not, nor the sum of any row's terms, nor the
    /// gradient of any row) or, for the gradient, the scale is not (the mean over rows that weigh 0 in total: every term
    /// is then infinite or NaN, and each row's sum of them NaN).
    /// </summary>
    internal static bool TermWise<T>(ReadOnlySpan<T> weights, double smoothing, double gradientScale, bool withGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        => smoothing > 0 && (!AllFinite(weights) || (withGradient && !double.IsFinite(gradientScale)));

    /// <summary>PyTorch's smoothing term of a row, <c>sum_j w[j] (max + ln S - x[j])</c>, one term at a time, in double.</summary>
    internal static double SmoothingTerms<T>(ref T x, ref T w, double max, double logTotal, nuint classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (nuint j = 0; j < classes; j++)
        {
            sum += double.CreateTruncating(Unsafe.Add(ref w, j)) * ((max - double.CreateTruncating(Unsafe.Add(ref x, j))) + logTotal);
        }

        return sum;
    }

    /// <summary>
    /// A counted row's gradient as PyTorch's autograd forms it, from the exponentials <c>e</c> in <paramref name="g"/>:
    /// the log-probabilities' gradient <c>u[j] = -b w[j] - c [j = t]</c>, then <c>g[j] = u[j] - p[j] sum_k u[k]</c>,
    /// so that an infinite or NaN term spreads to the row as it does there. Weights are 1 when <paramref name="w"/> is null.
    /// </summary>
    internal static void TermWiseGradient<T>(ref T g, ref T w, int target, double total, double nllScale, double b, nuint classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool weighted = !Unsafe.IsNullRef(ref w);
        double sum = -nllScale;
        for (nuint j = 0; j < classes; j++)
        {
            sum -= b * (weighted ? double.CreateTruncating(Unsafe.Add(ref w, j)) : 1.0);
        }

        for (nuint j = 0; j < classes; j++)
        {
            double u = -(b * (weighted ? double.CreateTruncating(Unsafe.Add(ref w, j)) : 1.0)) - (j == (nuint)target ? nllScale : 0);
            ref T gj = ref Unsafe.Add(ref g, j);
            gj = T.CreateTruncating(u - (double.CreateTruncating(gj) / total * sum));
        }
    }

    internal static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (T value in values)
        {
            if (!T.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    internal static double SumOf<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T value in values)
        {
            sum += double.CreateTruncating(value);
        }

        return sum;
    }
}

/// <summary>The per-class steps of an activation's backward (<see cref="LossKernels{TOps, TVec, T}.ActivationGradient{TBackward}"/>).</summary>
internal interface IActivationBackward<TVec>
{
    /// <summary>The term of class j in the row's sum.</summary>
    static abstract TVec Term(TVec y, TVec g);

    /// <summary>The input gradient of class j, given the row's sum.</summary>
    static abstract TVec Input(TVec y, TVec g, TVec total);
}

/// <summary>Softmax: terms g y, inputs y (g - total).</summary>
internal readonly struct SoftmaxBackward<TOps, TVec, T> : IActivationBackward<TVec>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Term(TVec y, TVec g) => TOps.Multiply(y, g);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Input(TVec y, TVec g, TVec total) => TOps.Multiply(y, TOps.Subtract(g, total));
}

/// <summary>Log-softmax: terms g, inputs g - e^y total (e^y as e^(y - 0): log-probabilities are at most 0).</summary>
internal readonly struct LogSoftmaxBackward<TOps, TVec, T> : IActivationBackward<TVec>
    where TOps : ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Term(TVec y, TVec g) => g;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Input(TVec y, TVec g, TVec total) => TOps.Subtract(g, TOps.Multiply(TOps.ExpShifted(y, TOps.Splat(T.Zero)), total));
}
