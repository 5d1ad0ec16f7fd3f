using System.Linq;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Rows longer than the register budget: loops with fixed trip counts over the row, a vector at a time, then the
    /// last vector, which ends at the row's end. Code size stays the same whatever the class count.
    /// </summary>
    internal static class LoopEmitter
    {
        public static void Emit(SourceWriter w, KernelPlan p)
        {
            string t = p.Element, vt = p.VectorType, v = p.Vector;
            string last = Emitter.Int(p.LastOffset), step = Emitter.Int(p.Lanes);

            // Softmax
            w.WriteLine();
            w.WriteLine($"/// <summary>Softmax with {p.Describe()}.</summary>");
            using (w.OpenBlock($"private static void Softmax{p.Suffix}(ref {t} x, ref {t} y, nuint rows)"))
            {
                WriteRepeatedMask(w, p);
                using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
                {
                    w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                    w.WriteLine($"ref {t} yr = ref Unsafe.Add(ref y, row * C);");
                    WriteTailAndMax(w, p, writesOutput: true);
                    w.WriteLine();
                    w.WriteLine("// Pass 2: e^(x - max) into the output, and its compensated sum (started at 1 per lane, taken off at the end).");
                    w.WriteLine($"{vt} sum = {vt}.One, compensation = default;");
                    using (w.OpenBlock($"for (nuint i = 0; i < {last}; i += {step})"))
                    {
                        w.WriteLine($"{vt} e = SoftmaxMath.ExpShifted({v}.LoadUnsafe(ref xr, i), negatedMax);");
                        w.WriteLine("e.StoreUnsafe(ref yr, i);");
                        w.WriteLine("SoftmaxMath.AccumulateExp(e, ref sum, ref compensation);");
                    }

                    w.WriteLine();
                    w.WriteLine($"{vt} tailExp = SoftmaxMath.ExpShifted(tail, negatedMax);");
                    w.WriteLine($"SoftmaxMath.AccumulateExp({Masked(p, "tailExp")}, ref sum, ref compensation);");
                    w.WriteLine();
                    w.WriteLine($"// Pass 3: {Emitter.NormaliseComment(p)}.");
                    w.WriteLine(Emitter.NormaliserDeclaration(p, "SoftmaxMath.TotalExp(sum, compensation)"));
                    using (w.OpenBlock($"for (nuint i = 0; i < {last}; i += {step})"))
                    {
                        w.WriteLine($"({Emitter.Normalise(p, $"{v}.LoadUnsafe(ref yr, i)")}).StoreUnsafe(ref yr, i);");
                    }

                    w.WriteLine();
                    w.WriteLine($"({Emitter.Normalise(p, "tailExp")}).StoreUnsafe(ref yr, {last});");
                }
            }

            // Log-softmax
            w.WriteLine();
            w.WriteLine($"/// <summary>Log-softmax with {p.Describe()}.</summary>");
            using (w.OpenBlock($"private static void LogSoftmax{p.Suffix}(ref {t} x, ref {t} y, nuint rows)"))
            {
                WriteRepeatedMask(w, p);
                using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
                {
                    w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                    w.WriteLine($"ref {t} yr = ref Unsafe.Add(ref y, row * C);");
                    WriteTailAndMax(w, p, writesOutput: true);
                    WriteSumPass(w, p);
                    w.WriteLine();
                    w.WriteLine("// Pass 3: log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.");
                    w.WriteLine($"SoftmaxMath.LogNormalizer(max, SoftmaxMath.TotalExp(sum, compensation), out {t} high, out {t} low);");
                    w.WriteLine($"{vt} h = {v}.Create(high), l = {v}.Create(low);");
                    using (w.OpenBlock($"for (nuint i = 0; i < {last}; i += {step})"))
                    {
                        w.WriteLine($"(({v}.LoadUnsafe(ref xr, i) - h) - l).StoreUnsafe(ref yr, i);");
                    }

                    w.WriteLine();
                    w.WriteLine($"((tail - h) - l).StoreUnsafe(ref yr, {last});");
                }
            }

            // Cross-entropy
            w.WriteLine();
            w.WriteLine($"/// <summary>Cross-entropy against class targets with {p.Describe()}; returns the sum of the row losses.</summary>");
            using (w.OpenBlock($"private static double CrossEntropy{p.Suffix}(ref {t} x, ReadOnlySpan<int> targets, Span<{t}> losses, nuint rows)"))
            {
                WriteRepeatedMask(w, p);
                w.WriteLine("double lossSum = 0;");
                using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
                {
                    w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                    WriteTailAndMax(w, p, writesOutput: false);
                    WriteSumPass(w, p);
                    Emitter.WriteRowLoss(w, p.IsFloat, "SoftmaxMath.TotalExp(sum, compensation)");
                }

                w.WriteLine();
                w.WriteLine("return lossSum;");
            }
        }

        private static string Masked(KernelPlan p, string value) =>
            p.RepeatedLanes > 0 ? $"{p.Vector}.AndNot({value}, repeated)" : value;

        private static void WriteRepeatedMask(SourceWriter w, KernelPlan p)
        {
            int vectors = p.VectorCount - 1;
            w.WriteLine($"// {vectors} vectors at 0, {p.Lanes}, ..., {(vectors - 1) * p.Lanes}, then the last at {p.LastOffset}, ending at the row's end.");
            if (p.RepeatedLanes > 0)
            {
                int r = p.RepeatedLanes;
                w.WriteLine($"// Its {Emitter.Range(r == 1 ? "lane" : "lanes", 0, r - 1)} repeat{(r == 1 ? "s" : string.Empty)} {Emitter.Range(r == 1 ? "class" : "classes", p.LastOffset, p.LastOffset + r - 1)}: left out of the sum.");
                w.WriteLine($"{p.VectorType} repeated = {Emitter.MaskConstant(p, Enumerable.Range(0, p.Lanes).Select(i => i < r))};");
            }

            w.WriteLine();
        }

        private static void WriteTailAndMax(SourceWriter w, KernelPlan p, bool writesOutput)
        {
            w.WriteLine();
            w.WriteLine(writesOutput && p.RepeatedLanes > 0
                ? "// The last vector is loaded first: an in-place call overwrites part of it in the loops below."
                : "// The last vector of the row.");
            w.WriteLine($"{p.VectorType} tail = {p.Vector}.LoadUnsafe(ref xr, {Emitter.Int(p.LastOffset)});");
            w.WriteLine();
            w.WriteLine("// Pass 1: the row maximum, subtracted before exponentiating so that no logit can overflow.");
            w.WriteLine($"{p.VectorType} maxes = tail;");
            using (w.OpenBlock($"for (nuint i = 0; i < {Emitter.Int(p.LastOffset)}; i += {Emitter.Int(p.Lanes)})"))
            {
                w.WriteLine($"maxes = {p.Vector}.MaxNative(maxes, {p.Vector}.LoadUnsafe(ref xr, i));");
            }

            w.WriteLine();
            w.WriteLine($"{p.Element} max = SoftmaxMath.MaxAcross(maxes);");
            w.WriteLine($"{p.VectorType} negatedMax = {p.Vector}.Create(-max);");
        }

        private static void WriteSumPass(SourceWriter w, KernelPlan p)
        {
            w.WriteLine();
            w.WriteLine("// Pass 2: the compensated sum of e^(x - max) (started at 1 per lane, taken off at the end).");
            w.WriteLine($"{p.VectorType} sum = {p.VectorType}.One, compensation = default;");
            using (w.OpenBlock($"for (nuint i = 0; i < {Emitter.Int(p.LastOffset)}; i += {Emitter.Int(p.Lanes)})"))
            {
                w.WriteLine($"SoftmaxMath.AccumulateExp(SoftmaxMath.ExpShifted({p.Vector}.LoadUnsafe(ref xr, i), negatedMax), ref sum, ref compensation);");
            }

            w.WriteLine();
            w.WriteLine($"SoftmaxMath.AccumulateExp({Masked(p, $"SoftmaxMath.ExpShifted(tail, negatedMax)")}, ref sum, ref compensation);");
        }
    }
}
