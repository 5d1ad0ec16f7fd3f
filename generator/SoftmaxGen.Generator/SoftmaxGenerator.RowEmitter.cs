using System.Collections.Generic;
using System.Linq;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Rows of up to <see cref="KernelPlan.MaxRowVectors"/> vectors: the whole row is loaded into registers, so each
    /// operation is straight-line code with one horizontal maximum and one horizontal sum per row and no loop over classes.
    /// </summary>
    internal static class RowEmitter
    {
        public static void Emit(SourceWriter w, KernelPlan p)
        {
            string t = p.Element, vt = p.VectorType, v = p.Vector;
            int n = p.VectorCount;
            var xs = Enumerable.Range(0, n).Select(k => $"x{k}").ToList();

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
                    WriteLoadAndMax(w, p);
                    w.WriteLine();
                    w.WriteLine(p.VectorCount == 1 ? "// e^(x - max) and its sum, the lanes added in double." : "// e^(x - max) and its sum, compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
                    for (int k = 0; k < n; k++)
                    {
                        w.WriteLine($"{vt} e{k} = SoftmaxMath.ExpShifted(x{k}, negatedMax);");
                    }

                    WriteTotal(w, p, Enumerable.Range(0, n).Select(k => $"e{k}").ToList());
                    w.WriteLine();
                    w.WriteLine($"// {Emitter.Capitalize(Emitter.NormaliseComment(p))}; all loads came first, so in-place calls are safe.");
                    w.WriteLine(Emitter.NormaliserDeclaration(p, "total"));
                    for (int k = 0; k < n; k++)
                    {
                        w.WriteLine($"({Emitter.Normalise(p, $"e{k}")}).StoreUnsafe(ref yr, {Emitter.Int(Offset(p, k))});");
                    }
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
                    WriteLoadAndMax(w, p);
                    w.WriteLine();
                    w.WriteLine(p.VectorCount == 1 ? "// The sum of e^(x - max), the lanes added in double." : "// The sum of e^(x - max), compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
                    WriteTotal(w, p, xs.Select(x => $"SoftmaxMath.ExpShifted({x}, negatedMax)").ToList());
                    w.WriteLine();
                    w.WriteLine("// log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.");
                    w.WriteLine($"SoftmaxMath.LogNormalizer(max, total, out {t} high, out {t} low);");
                    w.WriteLine($"{vt} h = {v}.Create(high), l = {v}.Create(low);");
                    for (int k = 0; k < n; k++)
                    {
                        w.WriteLine($"((x{k} - h) - l).StoreUnsafe(ref yr, {Emitter.Int(Offset(p, k))});");
                    }
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
                    WriteLoadAndMax(w, p);
                    w.WriteLine();
                    w.WriteLine(p.VectorCount == 1 ? "// The sum of e^(x - max), the lanes added in double." : "// The sum of e^(x - max), compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
                    WriteTotal(w, p, xs.Select(x => $"SoftmaxMath.ExpShifted({x}, negatedMax)").ToList());
                    Emitter.WriteRowLoss(w, p.IsFloat, "total");
                }

                w.WriteLine();
                w.WriteLine("return lossSum;");
            }
        }

        /// <summary>The offset of vector <paramref name="k"/> in the row: k * lanes, except the last, which ends at the row's end.</summary>
        private static int Offset(KernelPlan p, int k) => k == p.VectorCount - 1 ? p.LastOffset : k * p.Lanes;

        private static void WriteRepeatedMask(SourceWriter w, KernelPlan p)
        {
            if (p.RepeatedLanes > 0)
            {
                int r = p.RepeatedLanes;
                w.WriteLine($"// {Emitter.Range(r == 1 ? "Lane" : "Lanes", 0, r - 1)} of the last vector repeat{(r == 1 ? "s" : string.Empty)} {Emitter.Range(r == 1 ? "class" : "classes", p.LastOffset, p.LastOffset + r - 1)} of the one before: left out of the sum.");
                w.WriteLine($"{p.VectorType} repeated = {Emitter.MaskConstant(p, Enumerable.Range(0, p.Lanes).Select(i => i < r))};");
                w.WriteLine();
            }
        }

        private static void WriteLoadAndMax(SourceWriter w, KernelPlan p)
        {
            int n = p.VectorCount;
            w.WriteLine();
            w.WriteLine(n == 1 ? "// The row fills one register." : $"// The row in {n} registers" + (p.RepeatedLanes > 0 ? ", the last overlapping the one before." : "."));
            for (int k = 0; k < n; k++)
            {
                w.WriteLine($"{p.VectorType} x{k} = {p.Vector}.LoadUnsafe(ref xr, {Emitter.Int(Offset(p, k))});");
            }

            w.WriteLine();
            w.WriteLine("// The row maximum, subtracted before exponentiating so that no logit can overflow.");
            w.WriteLine($"{p.Element} max = SoftmaxMath.MaxAcross({Emitter.MaxTree(p, Enumerable.Range(0, n).Select(k => $"x{k}").ToList())});");
            w.WriteLine($"{p.VectorType} negatedMax = {p.Vector}.Create(-max);");
        }

        /// <summary>Writes <c>double total</c>: the compensated sum of the given exponentials, the last masked if it repeats lanes.</summary>
        private static void WriteTotal(SourceWriter w, KernelPlan p, IReadOnlyList<string> exps)
        {
            int n = exps.Count;
            if (n == 1)
            {
                w.WriteLine($"double total = SoftmaxMath.Total({exps[0]});");
                return;
            }

            w.WriteLine($"{p.VectorType} sum = {p.VectorType}.One, compensation = default;");
            for (int k = 0; k < n; k++)
            {
                string e = k == n - 1 && p.RepeatedLanes > 0 ? $"{p.Vector}.AndNot({exps[k]}, repeated)" : exps[k];
                w.WriteLine($"SoftmaxMath.AccumulateExp({e}, ref sum, ref compensation);");
            }

            w.WriteLine("double total = SoftmaxMath.TotalExp(sum, compensation);");
        }
    }
}
