using System.Collections.Generic;
using System.Linq;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Rows that do not fill a block (a single row, or the last rows of a batch) in straight-line scalar code: the C
    /// exponentials are independent, so they overlap in the pipeline, and there is no copying or padding.
    /// </summary>
    internal static class ScalarRowEmitter
    {
        public static void Emit(SourceWriter w, int classes, string t)
        {
            var xs = Enumerable.Range(0, classes).Select(j => $"x{j}").ToList();
            var es = Enumerable.Range(0, classes).Select(j => $"e{j}").ToList();

            w.WriteLine();
            w.WriteLine($"/// <summary>Softmax of rows that do not fill a block, one row at a time in scalar code.</summary>");
            using (w.OpenBlock($"private static void SoftmaxScalarRows(ref {t} x, ref {t} y, nuint rows)"))
            using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                w.WriteLine($"ref {t} yr = ref Unsafe.Add(ref y, row * C);");
                WriteLoadMaxAndExp(w, classes, t, keepExponentials: true);
                w.WriteLine();
                w.WriteLine(t == "float"
                    ? "// Normalise with one multiplication by 1/sum (rounded once from double); all loads came first, so in-place calls are safe."
                    : "// Normalise by dividing by the sum (one rounding); all loads came first, so in-place calls are safe.");
                if (t == "float")
                {
                    w.WriteLine("float scale = (float)(1.0 / total);");
                }

                for (int j = 0; j < classes; j++)
                {
                    w.WriteLine($"{Element(j, "yr")} = {(t == "float" ? $"e{j} * scale" : $"e{j} / total")};");
                }
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Log-softmax of rows that do not fill a block, one row at a time in scalar code.</summary>");
            using (w.OpenBlock($"private static void LogSoftmaxScalarRows(ref {t} x, ref {t} y, nuint rows)"))
            using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                w.WriteLine($"ref {t} yr = ref Unsafe.Add(ref y, row * C);");
                WriteLoadMaxAndExp(w, classes, t, keepExponentials: false);
                w.WriteLine();
                w.WriteLine("// log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.");
                w.WriteLine($"SoftmaxMath.LogNormalizer(max, total, out {t} high, out {t} low);");
                for (int j = 0; j < classes; j++)
                {
                    w.WriteLine($"{Element(j, "yr")} = (x{j} - high) - low;");
                }
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Cross-entropy of rows that do not fill a block, one row at a time in scalar code; returns the sum of the row losses.</summary>");
            using (w.OpenBlock($"private static double CrossEntropyScalarRows(ref {t} x, ReadOnlySpan<int> targets, Span<{t}> losses, nuint rows)"))
            {
                w.WriteLine("double lossSum = 0;");
                using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
                {
                    w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                    WriteLoadMaxAndExp(w, classes, t, keepExponentials: false);
                    Emitter.WriteRowLoss(w, t == "float", "total");
                }

                w.WriteLine();
                w.WriteLine("return lossSum;");
            }
        }

        private static string Element(int j, string row) => j == 0 ? row : $"Unsafe.Add(ref {row}, {Emitter.Int(j)})";

        private static void WriteLoadMaxAndExp(SourceWriter w, int classes, string t, bool keepExponentials)
        {
            w.WriteLine();
            w.WriteLine("// The whole row in registers.");
            for (int j = 0; j < classes; j++)
            {
                w.WriteLine($"{t} x{j} = {Element(j, "xr")};");
            }

            w.WriteLine();
            w.WriteLine("// The row maximum, subtracted before exponentiating so that no logit can overflow.");
            w.WriteLine($"{t} max = {Emitter.MaxTree("SoftmaxMath.MaxNative", Enumerable.Range(0, classes).Select(j => $"x{j}").ToList())};");
            w.WriteLine($"{t} negatedMax = -max;");
            w.WriteLine();
            if (keepExponentials)
            {
                w.WriteLine("// e^(x - max), independent of each other, and their sum in double (exact enough for a dozen terms).");
                for (int j = 0; j < classes; j++)
                {
                    w.WriteLine($"{t} e{j} = SoftmaxMath.ExpShifted(x{j}, negatedMax);");
                }

                w.WriteLine($"double total = {string.Join(" + ", Enumerable.Range(0, classes).Select(j => j == 0 ? $"(double)e{j}" : $"e{j}"))};");
            }
            else
            {
                w.WriteLine("// The sum of e^(x - max), in double (exact enough for a dozen terms).");
                w.WriteLine($"double total = {string.Join(" + ", Enumerable.Range(0, classes).Select(j => (j == 0 ? "(double)" : string.Empty) + $"SoftmaxMath.ExpShifted(x{j}, negatedMax)"))};");
            }
        }
    }
}
