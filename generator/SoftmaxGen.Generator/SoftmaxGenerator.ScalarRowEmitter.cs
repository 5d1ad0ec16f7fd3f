using System.Collections.Generic;
using System.Linq;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Rows shorter than any vector that do not fill a block (a single row, or the last rows of a batch), one at a time
    /// with no copying or padding: a float row of 1 to 3 classes in one Vector128 (the block layouts that call this code
    /// run only where Vector128 is accelerated), a double row of one class in scalar code.
    /// </summary>
    internal static class ScalarRowEmitter
    {
        /// <summary>The suffix of the methods that take the last rows of a block layout whose rows are shorter than any vector.</summary>
        public static string Suffix(bool isFloat) => isFloat ? "PartialRow128" : "ScalarRows";

        public static void Emit(SourceWriter w, int classes, string t)
        {
            if (t == "float")
            {
                EmitPartialRows(w, classes);
                return;
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Softmax of rows that do not fill a block, one row at a time in scalar code.</summary>");
            using (w.OpenBlock($"private static void SoftmaxScalarRows(ref {t} x, ref {t} y, nuint rows)"))
            using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                w.WriteLine($"ref {t} xr = ref Unsafe.Add(ref x, row * C);");
                w.WriteLine($"ref {t} yr = ref Unsafe.Add(ref y, row * C);");
                WriteLoadMaxAndExp(w, classes, t, keepExponentials: true);
                w.WriteLine();
                w.WriteLine("// Normalise by dividing by the sum (one rounding); all loads came first, so in-place calls are safe.");
                for (int j = 0; j < classes; j++)
                {
                    w.WriteLine($"{Element(j, "yr")} = e{j} / total;");
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
                    Emitter.WriteRowLoss(w, isFloat: false, "total");
                }

                w.WriteLine();
                w.WriteLine("return lossSum;");
            }
        }

        /// <summary>Float rows of 1 to 3 classes, each in one Vector128: one vector exponential a row instead of C scalar ones.</summary>
        private static void EmitPartialRows(SourceWriter w, int classes)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Softmax of rows that do not fill a block, one row at a time in a Vector128.</summary>");
            using (w.OpenBlock("private static void SoftmaxPartialRow128(ref float x, ref float y, nuint rows)"))
            using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                w.WriteLine("ref float xr = ref Unsafe.Add(ref x, row * C);");
                w.WriteLine("ref float yr = ref Unsafe.Add(ref y, row * C);");
                WriteVectorRow(w, classes);
                w.WriteLine();
                w.WriteLine("// Normalise with one multiplication by 1/sum (rounded once from double); the row was loaded first, so in-place calls are safe.");
                WriteStores(w, classes, "e * Vector128.Create((float)(1.0 / total))");
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Log-softmax of rows that do not fill a block, one row at a time in a Vector128.</summary>");
            using (w.OpenBlock("private static void LogSoftmaxPartialRow128(ref float x, ref float y, nuint rows)"))
            using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                w.WriteLine("ref float xr = ref Unsafe.Add(ref x, row * C);");
                w.WriteLine("ref float yr = ref Unsafe.Add(ref y, row * C);");
                WriteVectorRow(w, classes);
                w.WriteLine();
                w.WriteLine("// log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.");
                w.WriteLine("SoftmaxMath.LogNormalizer(max, total, out float high, out float low);");
                WriteStores(w, classes, "(v - Vector128.Create(high)) - Vector128.Create(low)");
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Cross-entropy of rows that do not fill a block, one row at a time in a Vector128; returns the sum of the row losses.</summary>");
            using (w.OpenBlock("private static double CrossEntropyPartialRow128(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows)"))
            {
                w.WriteLine("double lossSum = 0;");
                using (w.OpenBlock("for (nuint row = 0; row < rows; row++)"))
                {
                    w.WriteLine("ref float xr = ref Unsafe.Add(ref x, row * C);");
                    WriteVectorRow(w, classes);
                    Emitter.WriteRowLoss(w, isFloat: true, "total");
                }

                w.WriteLine();
                w.WriteLine("return lossSum;");
            }
        }

        /// <summary>
        /// A float row of 1 to 3 classes in one Vector128, the lanes past the row -inf (their exponentials are +0, so
        /// they add nothing): one vector exponential instead of C scalar ones. Declares v, max, e and total.
        /// </summary>
        private static void WriteVectorRow(SourceWriter w, int classes)
        {
            w.WriteLine();
            w.WriteLine($"// The row in one Vector128, -inf in the lane{(classes == 3 ? string.Empty : "s")} past it: e^-inf = +0 adds nothing to the sum.");
            var lanes = Enumerable.Range(0, 4).Select(j => j < classes ? Element(j, "xr") : "float.NegativeInfinity");
            w.WriteLine($"Vector128<float> v = Vector128.Create({string.Join(", ", lanes)});");
            w.WriteLine();
            w.WriteLine("// The row maximum, subtracted before exponentiating so that no logit can overflow.");
            w.WriteLine("float max = SoftmaxMath.MaxAcross(v);");
            w.WriteLine();
            w.WriteLine("// e^(x - max) in one vector operation, and the sum in double.");
            w.WriteLine("Vector128<float> e = SoftmaxMath.ExpShifted(v, Vector128.Create(-max));");
            w.WriteLine("double total = SoftmaxMath.SumAcross(e);");
        }

        /// <summary>Stores the first <paramref name="classes"/> lanes of <paramref name="value"/> to the row at yr.</summary>
        private static void WriteStores(SourceWriter w, int classes, string value)
        {
            w.WriteLine($"Vector128<float> result = {value};");
            for (int j = 0; j < classes; j++)
            {
                w.WriteLine($"{Element(j, "yr")} = {(j == 0 ? "result.ToScalar()" : $"result.GetElement({j})")};");
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
