using System.Collections.Generic;
using System.Linq;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Small rows (float, at most 3/4 of a vector): a block of W rows (W = lanes) is loaded and transposed so that
    /// column j holds class j of every row. Max, exp, sum and scale are then plain lane-wise operations with no horizontal
    /// reductions and no masks; the result is transposed back and stored. Rows of 4 or more classes are transposed four
    /// classes at a time by BlockMemory.LoadClassQuad and StoreClassQuad; shorter rows (which fill a block with C vectors)
    /// by constant shuffles of whole vectors, whose indices and lane masks are computed here, for this C.
    /// </summary>
    internal static class BlockEmitter
    {
        public static void Emit(SourceWriter w, KernelPlan p)
        {
            EmitTransposes(w, p);
            EmitSoftmax(w, p);
            EmitLogSoftmax(w, p);
            EmitCrossEntropy(w, p);
        }


        private static string Columns(KernelPlan p, string prefix) =>
            string.Join(", ", Enumerable.Range(0, p.Classes).Select(j => $"{prefix}c{j}"));

        private static void EmitTransposes(SourceWriter w, KernelPlan p)
        {
            if (p.Classes >= QuadClasses)
            {
                EmitQuadTransposes(w, p);
                return;
            }

            int lanes = p.Lanes, c = p.Classes;
            string vt = p.VectorType, v = p.Vector;

            w.WriteLine();
            w.WriteLine($"/// <summary>Loads {lanes} rows of {c} classes ({lanes * c} values) and transposes them: lane r of column j is class j of row r.</summary>");
            w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            using (w.OpenBlock($"private static void LoadColumns{p.Bits}(ref float x, {Columns(p, $"out {vt} ")})"))
            {
                for (int q = 0; q < c; q++)
                {
                    w.WriteLine($"{vt} v{q} = {v}.LoadUnsafe(ref x, {Emitter.Int(q * lanes)});");
                }

                if (c > 1)
                {
                    w.WriteLine($"{v}<int> lanes;");
                }

                for (int j = 0; j < c; j++)
                {
                    // Lane r of column j comes from flat position r*C + j: vector (r*C + j) / W, lane (r*C + j) % W.
                    int[] source = Enumerable.Range(0, lanes).Select(r => (r * c + j) / lanes).ToArray();
                    int[] lane = Enumerable.Range(0, lanes).Select(r => (r * c + j) % lanes).ToArray();
                    w.WriteLine();
                    w.WriteLine($"// Class {j}: {DescribeRuns(source, "rows", "v")}.");
                    EmitGather(w, p, $"c{j}", source, lane, q => $"v{q}", declare: false);
                }
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Transposes {lanes} rows of {c} classes back to row-major order and stores them.</summary>");
            w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            using (w.OpenBlock($"private static void StoreColumns{p.Bits}(ref float y, {Columns(p, $"{vt} ")})"))
            {
                if (c > 1)
                {
                    w.WriteLine($"{v}<int> lanes;");
                }

                for (int q = 0; q < c; q++)
                {
                    // Lane l of output vector q is flat position q*W + l: row (q*W + l) / C, class (q*W + l) % C.
                    int[] source = Enumerable.Range(0, lanes).Select(l => (q * lanes + l) % c).ToArray();
                    int[] lane = Enumerable.Range(0, lanes).Select(l => (q * lanes + l) / c).ToArray();
                    w.WriteLine();
                    w.WriteLine($"// Values {q * lanes}-{q * lanes + lanes - 1}: rows {lane[0]}-{lane[lanes - 1]}.");
                    EmitGather(w, p, $"v{q}", source, lane, j => $"c{j}", declare: true);
                    w.WriteLine($"v{q}.StoreUnsafe(ref y, {Emitter.Int(q * lanes)});");
                }
            }
        }

        /// <summary>Rows of at least this many classes are transposed four classes at a time (BlockMemory.LoadClassQuad).</summary>
        internal const int QuadClasses = 4;

        /// <summary>The first class of each quad: 0, 4, 8, ..., the last one ending at the row's end (overlapping the one before when C is not a multiple of 4).</summary>
        internal static int[] QuadStarts(int classes) =>
            Enumerable.Range(0, (classes + 3) / 4).Select(k => System.Math.Min(4 * k, classes - 4)).ToArray();

        /// <summary>
        /// Rows of 4 or more classes: the transposes are calls of BlockMemory.LoadClassQuad and StoreClassQuad, four
        /// classes at a time (each row read and written 128 bits at a time, one 4 x 4 transpose per 128-bit lane), which
        /// takes a fraction of the shuffles of moving whole vectors into place.
        /// </summary>
        private static void EmitQuadTransposes(SourceWriter w, KernelPlan p)
        {
            int lanes = p.Lanes, c = p.Classes;
            string vt = p.VectorType;
            int[] starts = QuadStarts(c);
            string Quads() => string.Join(", ", starts.Select(k => $"{k}-{k + 3}"));
            string overlap = c % 4 == 0 ? string.Empty : $"; the last quad overlaps the one before, so that nothing past a row is read or written";

            w.WriteLine();
            w.WriteLine($"/// <summary>Loads {lanes} rows of {c} classes ({lanes * c} values) and transposes them: lane r of column j is class j of row r.</summary>");
            w.WriteLine($"/// <remarks>Four classes at a time (128 bits of each row, one 4 x 4 transpose per 128-bit lane): classes {Quads()}{overlap}.</remarks>");
            w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            using (w.OpenBlock($"private static void LoadColumns{p.Bits}(ref float x, {Columns(p, $"out {vt} ")})"))
            {
                int loaded = 0;
                foreach (int k in starts)
                {
                    // Classes already loaded by the quad before go to locals left unused (named, not discards: a
                    // user type named _ would turn a discard into a type name).
                    string outs = string.Join(", ", Enumerable.Range(k, 4).Select(j => j < loaded ? $"out {vt} again{j}" : $"out c{j}"));
                    w.WriteLine($"BlockMemory.LoadClassQuad(ref x, C, {k}, {outs});");
                    loaded = k + 4;
                }
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Transposes {lanes} rows of {c} classes back to row-major order and stores them.</summary>");
            w.WriteLine($"/// <remarks>Four classes at a time: classes {Quads()}{(c % 4 == 0 ? string.Empty : " (the repeated classes are written twice, with the same values)")}.</remarks>");
            w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            using (w.OpenBlock($"private static void StoreColumns{p.Bits}(ref float y, {Columns(p, $"{vt} ")})"))
            {
                foreach (int k in starts)
                {
                    w.WriteLine($"BlockMemory.StoreClassQuad(ref y, C, {k}, {string.Join(", ", Enumerable.Range(k, 4).Select(j => $"c{j}"))});");
                }
            }
        }

        /// <summary>
        /// target[l] = input(source[l])[lane[l]]: one shuffle per distinct source with the same constant index vector,
        /// merged by constant lane masks.
        /// </summary>
        private static void EmitGather(SourceWriter w, KernelPlan p, string target, int[] source, int[] lane, System.Func<int, string> input, bool declare)
        {
            string v = p.Vector;
            bool identity = lane.Select((l, i) => l == i).All(b => b);
            List<int> sources = source.Distinct().ToList();
            if (!identity)
            {
                w.WriteLine($"lanes = {Emitter.LaneConstant(p, lane)};");
            }

            string Shuffle(int s) => identity ? input(s) : $"{v}.Shuffle({input(s)}, lanes)";
            w.WriteLine($"{(declare ? p.VectorType + " " : string.Empty)}{target} = {Shuffle(sources[0])};");
            foreach (int s in sources.Skip(1))
            {
                string mask = Emitter.MaskConstant(p, source.Select(x => x == s));
                w.WriteLine($"{target} = {v}.ConditionalSelect({mask}, {Shuffle(s)}, {target});");
            }
        }

        /// <summary>"rows 0-5 in v0, 6-10 in v1" for the runs of equal values in <paramref name="source"/>.</summary>
        private static string DescribeRuns(int[] source, string what, string prefix)
        {
            var runs = new List<string>();
            int start = 0;
            for (int i = 1; i <= source.Length; i++)
            {
                if (i == source.Length || source[i] != source[start])
                {
                    string range = i - 1 == start ? $"{start}" : $"{start}-{i - 1}";
                    runs.Add($"{(runs.Count == 0 ? what + " " : string.Empty)}{range} in {prefix}{source[start]}");
                    start = i;
                }
            }

            return string.Join(", ", runs);
        }

        private static void WriteStatistics(SourceWriter w, KernelPlan p, bool keepExponentials)
        {
            string vt = p.VectorType, v = p.Vector;
            int c = p.Classes;
            w.WriteLine($"LoadColumns{p.Bits}(ref x, {Columns(p, $"out {vt} ")});");
            w.WriteLine();
            w.WriteLine("// Each lane is one row: the row maxima are lane-wise maxima, subtracted so that no logit can overflow.");
            w.WriteLine($"{vt} max = {Emitter.MaxTree(p, Enumerable.Range(0, c).Select(j => $"c{j}").ToList())};");
            w.WriteLine($"{vt} negatedMax = -max;");
            w.WriteLine();
            w.WriteLine("// e^(x - max) and its lane-wise sum, compensated (started at 1 per lane, which the normaliser takes off).");
            if (keepExponentials)
            {
                for (int j = 0; j < c; j++)
                {
                    w.WriteLine($"{vt} e{j} = SoftmaxMath.ExpShifted(c{j}, negatedMax);");
                }
            }

            string Exp(int j) => keepExponentials ? $"e{j}" : $"SoftmaxMath.ExpShifted(c{j}, negatedMax)";
            w.WriteLine($"{vt} sum = {vt}.One, compensation = default;");
            for (int j = 0; j < c; j++)
            {
                w.WriteLine($"SoftmaxMath.AccumulateExp({Exp(j)}, ref sum, ref compensation);");
            }
        }

        private static void WriteBlockLoop(SourceWriter w, KernelPlan p, string oneBlock, string lastRows)
        {
            int lanes = p.Lanes;
            w.WriteLine($"nuint full = rows - rows % {lanes};");
            using (w.OpenBlock($"for (nuint row = 0; row < full; row += {lanes})"))
            {
                w.WriteLine(oneBlock);
            }

            w.WriteLine();
            w.WriteLine($"// The last rows (fewer than {lanes}) one at a time with a block lane's arithmetic (the runtime's column layout");
            w.WriteLine("// in one lane), so that nothing past the end is touched and a row's bits do not depend on where it sits.");
            w.WriteLine(lastRows);
        }

        private static void EmitSoftmax(SourceWriter w, KernelPlan p)
        {
            string vt = p.VectorType;
            w.WriteLine();
            w.WriteLine($"/// <summary>Softmax with {p.Describe()}.</summary>");
            w.WriteLine(Emitter.HotLoop);
            using (w.OpenBlock($"private static void Softmax{p.Suffix}(ref float x, ref float y, nuint rows)"))
            {
                WriteBlockLoop(w, p,
                    $"SoftmaxOne{p.Suffix}(ref Unsafe.Add(ref x, row * C), ref Unsafe.Add(ref y, row * C));",
                    "ColumnLayout.SoftmaxLastRows(ref Unsafe.Add(ref x, full * C), ref Unsafe.Add(ref y, full * C), rows - full, C);");
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Softmax of one block of {p.Lanes} rows.</summary>");
            w.WriteLine(Emitter.HotPath);
            using (w.OpenBlock($"private static void SoftmaxOne{p.Suffix}(ref float x, ref float y)"))
            {
                WriteStatistics(w, p, keepExponentials: true);
                w.WriteLine();
                w.WriteLine("// Normalise with one multiplication by 1/sum (computed in double, rounded once).");
                w.WriteLine($"{vt} scale = SoftmaxMath.Reciprocal(sum, compensation);");
                w.WriteLine($"StoreColumns{p.Bits}(ref y, {string.Join(", ", Enumerable.Range(0, p.Classes).Select(j => $"e{j} * scale"))});");
            }
        }

        private static void EmitLogSoftmax(SourceWriter w, KernelPlan p)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Log-softmax with {p.Describe()}.</summary>");
            w.WriteLine(Emitter.HotLoop);
            using (w.OpenBlock($"private static void LogSoftmax{p.Suffix}(ref float x, ref float y, nuint rows)"))
            {
                WriteBlockLoop(w, p,
                    $"LogSoftmaxOne{p.Suffix}(ref Unsafe.Add(ref x, row * C), ref Unsafe.Add(ref y, row * C));",
                    "ColumnLayout.LogSoftmaxLastRows(ref Unsafe.Add(ref x, full * C), ref Unsafe.Add(ref y, full * C), rows - full, C);");
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Log-softmax of one block of {p.Lanes} rows.</summary>");
            w.WriteLine(Emitter.HotPath);
            using (w.OpenBlock($"private static void LogSoftmaxOne{p.Suffix}(ref float x, ref float y)"))
            {
                WriteStatistics(w, p, keepExponentials: false);
                w.WriteLine();
                w.WriteLine("// log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly (computed in double).");
                w.WriteLine($"SoftmaxMath.LogNormalizer(max, sum, compensation, out {p.VectorType} high, out {p.VectorType} low);");
                w.WriteLine($"StoreColumns{p.Bits}(ref y, {string.Join(", ", Enumerable.Range(0, p.Classes).Select(j => $"(c{j} - high) - low"))});");
            }
        }

        private static void EmitCrossEntropy(SourceWriter w, KernelPlan p)
        {
            int lanes = p.Lanes;
            w.WriteLine();
            w.WriteLine($"/// <summary>Cross-entropy against class targets with {p.Describe()}; returns the sum of the row losses.</summary>");
            w.WriteLine(Emitter.HotLoop);
            using (w.OpenBlock($"private static double CrossEntropy{p.Suffix}(ref float x, ReadOnlySpan<int> targets, Span<float> losses, nuint rows)"))
            {
                w.WriteLine("double lossSum = 0;");
                WriteBlockLoop(w, p,
                    $"lossSum += CrossEntropyOne{p.Suffix}(ref Unsafe.Add(ref x, row * C), targets.Slice((int)row, {lanes}), losses.IsEmpty ? default : losses.Slice((int)row, {lanes}));",
                    "lossSum += ColumnLayout.CrossEntropyLastRows(ref Unsafe.Add(ref x, full * C), targets.Slice((int)full), losses.IsEmpty ? default : losses.Slice((int)full), rows - full, C);");
                w.WriteLine();
                w.WriteLine("return lossSum;");
            }

            w.WriteLine();
            w.WriteLine($"/// <summary>Cross-entropy of the rows of one block (one target per valid row).</summary>");
            w.WriteLine(Emitter.HotPath);
            using (w.OpenBlock($"private static double CrossEntropyOne{p.Suffix}(ref float x, ReadOnlySpan<int> targets, Span<float> losses)"))
            {
                WriteStatistics(w, p, keepExponentials: false);
                w.WriteLine();
                w.WriteLine("// Row r's loss is (max[r] - x[r, target]) + ln(sum[r]), in double, rounded to float before it is summed.");
                w.WriteLine("return BlockMemory.BlockLosses(ref x, C, targets, losses, max, sum, compensation);");
            }
        }
    }
}
