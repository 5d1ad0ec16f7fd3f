namespace SoftmaxGen.Kernels;

/// <summary>
/// Per-row reductions of the softmax distribution written once over <see cref="ISimd{TVec, T}"/>, with the row
/// covering of <see cref="RowKernels"/> (vectors from 0 and one last vector ending at the row's end, whose repeated
/// lanes are left out of the sums).
/// </summary>
internal static class ReductionKernels
{
    /// <summary>Vectors summed in the element type before the partial sums move to double: bounds the rounding of long rows.</summary>
    private const int BlockVectors = 64;

    /// <summary>
    /// The entropy of each row's softmax, H = ln(s) - (1/s) sum e^(x - max) (x - max) with s = sum e^(x - max): two
    /// sums of non-negative terms (the second negated), so there is no cancellation. Logits of -inf contribute 0 (their
    /// difference is clamped to the lowest finite value before the product, as PyTorch clamps). A row whose maximum is
    /// not finite (a NaN, +inf, or only -inf) gives NaN. When <paramref name="gradient"/> is set, also writes
    /// dH/dx_j = -p_j (log p_j + H) into <paramref name="g"/>, which may be <paramref name="x"/> itself.
    /// </summary>
    [MethodImpl(VectorDispatch.KernelEntry)]
    internal static void Entropy<TOps, TVec, T>(ref T x, ref T entropies, ref T g, bool gradient, nuint rows, nuint classes)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)TOps.Count;
        nuint last = RowKernels<TOps, TVec, T>.LastVector(classes, out TVec repeated);
        TVec floor = TOps.Splat(typeof(T) == typeof(float) ? T.CreateTruncating(float.MinValue) : T.CreateTruncating(double.MinValue));
        for (nuint row = 0; row < rows; row++)
        {
            ref T xr = ref Unsafe.Add(ref x, row * classes);
            TVec tail = TOps.Load(ref xr, last);
            T max = RowKernels<TOps, TVec, T>.RowMax(ref xr, last, tail);
            if (!T.IsFinite(max))
            {
                Unsafe.Add(ref entropies, row) = T.NaN;
                if (gradient)
                    MemoryMarshal.CreateSpan(ref Unsafe.Add(ref g, row * classes), (int)classes).Fill(T.NaN);
                continue;
            }

            TVec negatedMax = TOps.Splat(-max);
            TVec sum = default, dot = default;
            double total = 0, totalDot = 0;
            for (nuint i = 0, block = 0; i < last; i += width)
            {
                TVec v = TOps.Load(ref xr, i);
                TVec e = TOps.ExpShifted(v, negatedMax);
                sum = TOps.Add(sum, e);
                dot = TOps.MultiplyAdd(e, TOps.MaxNative(TOps.Add(v, negatedMax), floor), dot);
                if (++block == BlockVectors)
                {
                    total += TOps.SumAcross(sum);
                    totalDot += TOps.SumAcross(dot);
                    sum = dot = default;
                    block = 0;
                }
            }

            TVec tailExp = TOps.ExpShifted(tail, negatedMax);
            TVec tailDifference = TOps.MaxNative(TOps.Add(tail, negatedMax), floor);
            TVec tailCounted = TOps.AndNot(tailExp, repeated);
            total += TOps.SumAcross(TOps.Add(sum, tailCounted));
            totalDot += TOps.SumAcross(TOps.MultiplyAdd(tailCounted, tailDifference, dot));

            double logSum = Math.Log(total);
            double entropy = logSum - (totalDot / total);
            Unsafe.Add(ref entropies, row) = T.CreateTruncating(entropy);
            if (!gradient)
                continue;

            // -p_j (log p_j + H) = -(e_j / s) ((x_j - max) + (H - ln s)); the last vector is computed before the
            // others are stored, so that an in-place call reads its logits intact.
            ref T gr = ref Unsafe.Add(ref g, row * classes);
            TVec negatedScale = TOps.Splat(T.CreateTruncating(-1.0 / total));
            TVec shift = TOps.Splat(T.CreateTruncating(entropy - logSum));
            TVec tailGradient = TOps.Multiply(TOps.Multiply(tailExp, negatedScale), TOps.Add(tailDifference, shift));
            for (nuint i = 0; i < last; i += width)
            {
                TVec v = TOps.Load(ref xr, i);
                TVec e = TOps.ExpShifted(v, negatedMax);
                TVec d = TOps.MaxNative(TOps.Add(v, negatedMax), floor);
                TOps.Store(TOps.Multiply(TOps.Multiply(e, negatedScale), TOps.Add(d, shift)), ref gr, i);
            }

            TOps.Store(tailGradient, ref gr, last);
        }
    }

    /// <summary>Runs <see cref="Entropy{TOps, TVec, T}"/> with the widest vector no longer than a row, else the scalar lane; the spans are validated.</summary>
    internal static void Entropy<T>(ReadOnlySpan<T> logits, Span<T> entropies, Span<T> gradient, int classes, SoftmaxPrecision precision)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var operation = new EntropyOperation<T>(logits, entropies, gradient, classes);
        VectorDispatch.ByLayout<EntropyOperation<T>, T, bool>(ref operation, classes, precision, LayoutRule.Rows);
    }

    private readonly ref struct EntropyOperation<TElement>(ReadOnlySpan<TElement> logits, Span<TElement> entropies, Span<TElement> gradient, int classes)
        : ILayoutOperation<bool>
    {
        private readonly ReadOnlySpan<TElement> logits = logits;
        private readonly Span<TElement> entropies = entropies;
        private readonly Span<TElement> gradient = gradient;

        bool ILayoutOperation<bool>.Run<TOps, TVec, T>(RowLayout layout)
        {
            if (logits.IsEmpty)
                return false;

            Entropy<TOps, TVec, T>(
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(logits)),
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(entropies)),
                ref VectorDispatch.As<TElement, T>(ref MemoryMarshal.GetReference(gradient)),
                !gradient.IsEmpty,
                (nuint)(logits.Length / classes),
                (nuint)classes);
            return true;
        }
    }

    /// <summary>
    /// PyTorch's <c>F.kl_div</c> pointwise: <c>xlogy(t, t) - t x</c>, or <c>e^t (t - x)</c> for log targets, in double
    /// (so each float element rounds once). Writes each element to <paramref name="losses"/> unless it is empty, and
    /// <c>-t scale</c> (or <c>-e^t scale</c>) to <paramref name="gradient"/> unless it is empty; returns the sum.
    /// Every output may be the same memory as an input: each element is read before its position is written.
    /// </summary>
    internal static double KlDivergence<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> target, Span<T> losses, Span<T> gradient, bool logTarget, double scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double x = double.CreateTruncating(input[i]), t = double.CreateTruncating(target[i]);
            double weight, loss;
            if (logTarget)
            {
                weight = Math.Exp(t);
                loss = weight * (t - x);
            }
            else
            {
                // xlogy: 0 where t is 0 (NaN t stays NaN); t x is not guarded, so t = 0 with x = -inf is NaN, as in PyTorch.
                weight = t;
                loss = (t == 0 ? 0 : t * Math.Log(t)) - (t * x);
            }

            if (!losses.IsEmpty)
                losses[i] = T.CreateTruncating(loss);
            if (!gradient.IsEmpty)
                gradient[i] = T.CreateTruncating(-weight * scale);
            sum += loss;
        }

        return sum;
    }
}
