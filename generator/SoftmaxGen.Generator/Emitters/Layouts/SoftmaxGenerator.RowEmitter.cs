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
        /// <summary>One step of a row's computation, for the row at <c>row</c> + an offset, its names suffixed.</summary>
        private delegate void Step(SourceWriter w, string suffix, string row, bool comment);

        public static void Emit(SourceWriter w, KernelPlan p)
        {
            string t = p.Element, vt = p.VectorType, v = p.Vector;
            int n = p.VectorCount;

            // Softmax
            Step[] softmaxSteps =
            {
                (w, s, row, comment) => WriteRowReferences(w, p, s, row, output: true),
                (w, s, row, comment) => WriteLoadAndMax(w, p, s, comment),
                (w, s, row, comment) =>
                {
                    if (comment)
                    {
                        w.WriteLine();
                        w.WriteLine(n == 1 ? "// e^(x - max) and its sum, the lanes added in double." : "// e^(x - max) and its sum, compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
                    }

                    for (int k = 0; k < n; k++)
                    {
                        w.WriteLine($"{vt} e{k}{s} = SoftmaxMath.ExpShifted(x{k}{s}, negatedMax{s});");
                    }

                    WriteTotal(w, p, s, Enumerable.Range(0, n).Select(k => $"e{k}{s}").ToList());
                },
                (w, s, row, comment) =>
                {
                    if (comment)
                    {
                        w.WriteLine();
                        w.WriteLine($"// {Emitter.Capitalize(Emitter.NormaliseComment(p))}; all loads came first, so in-place calls are safe.");
                    }

                    w.WriteLine(Emitter.NormaliserDeclaration(p, $"total{s}", s));
                    for (int k = 0; k < n; k++)
                    {
                        w.WriteLine($"({Emitter.Normalise(p, $"e{k}{s}", s)}).StoreUnsafe(ref yr{s}, {Emitter.Int(Offset(p, k))});");
                    }
                },
            };
            EmitPairedRows(w, p, "Softmax", "Softmax", $"ref {t} x, ref {t} y, nuint rows", softmaxSteps);

            // Log-softmax
            Step[] logSoftmaxSteps =
            {
                (w, s, row, comment) => WriteRowReferences(w, p, s, row, output: true),
                (w, s, row, comment) => WriteLoadAndMax(w, p, s, comment),
                (w, s, row, comment) => WriteExpSum(w, p, s, comment),
                (w, s, row, comment) =>
                {
                    if (comment)
                    {
                        w.WriteLine();
                        w.WriteLine("// log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.");
                    }

                    w.WriteLine($"SoftmaxMath.LogNormalizer(max{s}, total{s}, out {t} high{s}, out {t} low{s});");
                    w.WriteLine($"{vt} h{s} = {v}.Create(high{s}), l{s} = {v}.Create(low{s});");
                    for (int k = 0; k < n; k++)
                    {
                        w.WriteLine($"((x{k}{s} - h{s}) - l{s}).StoreUnsafe(ref yr{s}, {Emitter.Int(Offset(p, k))});");
                    }
                },
            };
            EmitPairedRows(w, p, "LogSoftmax", "Log-softmax", $"ref {t} x, ref {t} y, nuint rows", logSoftmaxSteps);

            // Cross-entropy
            w.WriteLine();
            w.WriteLine($"/// <summary>Cross-entropy against class targets with {p.Describe()}; returns the sum of the row losses.</summary>");
            using (w.OpenBlock($"private static double CrossEntropy{p.Suffix}(ref {t} x, ReadOnlySpan<int> targets, Span<{t}> losses, nuint rows)"))
            {
                WriteRepeatedMask(w, p);
                w.WriteLine("double lossSum = 0;");
                WriteRows(w, new Step[]
                {
                    (w, s, row, comment) => WriteRowReferences(w, p, s, row, output: false),
                    (w, s, row, comment) => WriteLoadAndMax(w, p, s, comment),
                    (w, s, row, comment) => WriteExpSum(w, p, s, comment),
                    (w, s, row, comment) => Emitter.WriteRowLoss(w, p.IsFloat, $"total{s}", s, row, comment),
                });
                w.WriteLine();
                w.WriteLine("return lossSum;");
            }
        }

        /// <summary>
        /// An operation over the rows. With Vector512 (32 registers: two rows of up to 8 vectors fit) two rows at a time,
        /// each step written for both before the next step, so that the two rows' dependency chains (maximum,
        /// exponentials, sum, normaliser) overlap; the last row of an odd count goes to the one-row loop, a method of its
        /// own, so that the JIT inlines its exponentials under a budget of its own (inlined into the pair method they were
        /// left as calls: a single row of 100 classes 69-84 -> 94-128 ns). Each row's arithmetic is the same either way,
        /// so the bits are too. Measured at C = 100 (64K values, Stopwatch, best of 12 runs): softmax 0.60 -> 0.53 ns per
        /// value, log-softmax 1.00 -> 0.73; the cross-entropy, whose rows end in a scalar logarithm and loss, ran slower
        /// paired (0.85 -> 1.09) and stays a row at a time.
        /// </summary>
        private static void EmitPairedRows(SourceWriter w, KernelPlan p, string operation, string title, string parameters, IReadOnlyList<Step> steps)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>{title} with {p.Describe()}{(p.Bits == 512 ? ", two rows at a time" : string.Empty)}.</summary>");
            using (w.OpenBlock($"private static void {operation}{p.Suffix}({parameters})"))
            {
                WriteRepeatedMask(w, p);
                if (p.Bits != 512)
                {
                    WriteRows(w, steps);
                    return;
                }

                w.WriteLine("// Two rows at a time, each step written for both, so that their dependency chains overlap.");
                w.WriteLine("nuint row = 0;");
                using (w.OpenBlock("for (; row + 2 <= rows; row += 2)"))
                {
                    foreach (Step step in steps)
                    {
                        step(w, "A", "row", comment: true);
                        step(w, "B", "row + 1", comment: false);
                    }
                }

                w.WriteLine();
                w.WriteLine("// The last row of an odd count, in a method of its own (so that its code is inlined under a budget of its own).");
                using (w.OpenBlock("if (row < rows)"))
                {
                    w.WriteLine($"{operation}Single{p.Suffix}(ref Unsafe.Add(ref x, row * C), ref Unsafe.Add(ref y, row * C), 1);");
                }
            }

            if (p.Bits == 512)
            {
                w.WriteLine();
                w.WriteLine($"/// <summary>{title} with {p.Describe()}, a row at a time (the last row of an odd count).</summary>");
                using (w.OpenBlock($"private static void {operation}Single{p.Suffix}({parameters})"))
                {
                    WriteRepeatedMask(w, p);
                    WriteRows(w, steps);
                }
            }
        }

        /// <summary>The loop over the rows, one at a time.</summary>
        private static void WriteRows(SourceWriter w, IReadOnlyList<Step> steps)
        {
            using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                foreach (Step step in steps)
                {
                    step(w, string.Empty, "row", comment: true);
                }
            }
        }

        private static void WriteExpSum(SourceWriter w, KernelPlan p, string s, bool comment)
        {
            if (comment)
            {
                w.WriteLine();
                w.WriteLine(p.VectorCount == 1 ? "// The sum of e^(x - max), the lanes added in double." : "// The sum of e^(x - max), compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
            }

            WriteTotal(w, p, s, Enumerable.Range(0, p.VectorCount).Select(k => $"SoftmaxMath.ExpShifted(x{k}{s}, negatedMax{s})").ToList());
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

        /// <summary>The references to the row's logits (xr) and, when there is an output, to its output row (yr).</summary>
        private static void WriteRowReferences(SourceWriter w, KernelPlan p, string s, string row, bool output)
        {
            string offset = row == "row" ? "row * C" : $"({row}) * C";
            w.WriteLine($"ref {p.Element} xr{s} = ref Unsafe.Add(ref x, {offset});");
            if (output)
            {
                w.WriteLine($"ref {p.Element} yr{s} = ref Unsafe.Add(ref y, {offset});");
            }
        }

        private static void WriteLoadAndMax(SourceWriter w, KernelPlan p, string s, bool comment)
        {
            int n = p.VectorCount;
            if (comment)
            {
                w.WriteLine();
                w.WriteLine(n == 1 ? "// The row fills one register." : $"// The row in {n} registers" + (p.RepeatedLanes > 0 ? ", the last overlapping the one before." : "."));
            }

            for (int k = 0; k < n; k++)
            {
                w.WriteLine($"{p.VectorType} x{k}{s} = {p.Vector}.LoadUnsafe(ref xr{s}, {Emitter.Int(Offset(p, k))});");
            }

            if (comment)
            {
                w.WriteLine();
                w.WriteLine("// The row maximum, subtracted before exponentiating so that no logit can overflow.");
            }

            w.WriteLine($"{p.Element} max{s} = SoftmaxMath.MaxAcross({Emitter.MaxTree(p, Enumerable.Range(0, n).Select(k => $"x{k}{s}").ToList())});");
            w.WriteLine($"{p.VectorType} negatedMax{s} = {p.Vector}.Create(-max{s});");
        }

        /// <summary>Writes <c>double total</c> (suffixed): the compensated sum of the given exponentials, the last masked if it repeats lanes.</summary>
        private static void WriteTotal(SourceWriter w, KernelPlan p, string s, IReadOnlyList<string> exps)
        {
            int n = exps.Count;
            if (n == 1)
            {
                w.WriteLine($"double total{s} = SoftmaxMath.Total({exps[0]});");
                return;
            }

            w.WriteLine($"{p.VectorType} sum{s} = {p.VectorType}.One, compensation{s} = default;");
            for (int k = 0; k < n; k++)
            {
                string e = k == n - 1 && p.RepeatedLanes > 0 ? $"{p.Vector}.AndNot({exps[k]}, repeated)" : exps[k];
                w.WriteLine($"SoftmaxMath.AccumulateExp({e}, ref sum{s}, ref compensation{s});");
            }

            w.WriteLine($"double total{s} = SoftmaxMath.TotalExp(sum{s}, compensation{s});");
        }
    }
}
