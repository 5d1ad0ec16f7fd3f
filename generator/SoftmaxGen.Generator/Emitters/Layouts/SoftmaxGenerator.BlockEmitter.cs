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
        /// <summary>Rows of at least this many classes are transposed four classes at a time (BlockMemory.LoadClassQuad).</summary>
        internal const int QuadClasses = 4;

        /// <summary>
        /// On the code for one block: compiled once, fully optimised, at its first call. Under tiered compilation with
        /// dynamic PGO the block loops settled in tier-1 code that was up to 2x slower.
        /// </summary>
        private const string HotPath = "[MethodImpl(MethodImplOptions.AggressiveOptimization)] // no tiering: its tier-1 code measured up to 2x slower";

        /// <summary>
        /// On the loop over the blocks, which a tiered caller would otherwise inline, and the block code with it, under the
        /// caller's budget, leaving the block's helpers as calls into tier-0 code. Not inlined, it gets a budget of its own.
        /// </summary>
        private const string HotLoop = "[MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // no tiering, and not inlined into a tiered caller";

        public static void Emit(SourceWriter writer, KernelPlan plan, KernelPrecision precision)
        {
            if (plan.Classes >= QuadClasses)
            {
                EmitQuadTransposes(writer, plan);
            }
            else
            {
                EmitShuffleTransposes(writer, plan);
            }

            string probabilities = string.Join(", ", Enumerable.Range(0, plan.Classes).Select(j => $"e{j} * scale"));
            EmitOperation(writer, plan, precision, "Softmax", ColumnLayout.SoftmaxLastRows, $"Softmax with {plan.Describe()}.", $"Softmax of one block of {plan.Lanes} rows.", keepExponentials: true, $"""
                // Normalise with one multiplication by 1/sum (computed in double, rounded once).
                {plan.VectorType} scale = {SoftmaxMath.Reciprocal}(sum, compensation);
                StoreColumns{plan.Bits}(ref y, {probabilities});
                """);

            string logProbabilities = string.Join(", ", Enumerable.Range(0, plan.Classes).Select(j => $"(c{j} - high) - low"));
            bool storeOutOfLine = StoresLogSoftmaxOutOfLine(plan, precision);
            EmitOperation(writer, plan, precision, "LogSoftmax", ColumnLayout.LogSoftmaxLastRows, $"Log-softmax with {plan.Describe()}.", $"Log-softmax of one block of {plan.Lanes} rows.", keepExponentials: false, $"""
                // log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly (computed in double).
                {SoftmaxMath.LogNormalizer}(max, sum, compensation, out {plan.VectorType} high, out {plan.VectorType} low);
                StoreColumns{(storeOutOfLine ? "OutOfLine" : string.Empty)}{plan.Bits}(ref y, {logProbabilities});
                """);
            if (storeOutOfLine)
            {
                writer.WriteLine();
                writer.WriteLine($"/// <summary>The log-softmax block's stores as a call of their own, compiled optimised from its first call, with an inlining budget of its own.</summary>");
                writer.WriteLine("[MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]");
                writer.WriteLine($"private static void StoreColumnsOutOfLine{plan.Bits}(ref float y, {Columns(plan, $"{plan.VectorType} ")}) => StoreColumns{plan.Bits}(ref y, {Columns(plan, string.Empty)});");
            }

            EmitOperation(writer, plan, precision, "CrossEntropy", ColumnLayout.CrossEntropyLastRows, $"Cross-entropy against class targets with {plan.Describe()}; returns the sum of the row losses.", "Cross-entropy of the rows of one block (one target per valid row).", keepExponentials: false, $"""
                // Row r's loss is (max[r] - x[r, target]) + ln(sum[r]), in double, rounded to float before it is summed.
                return {BlockMemory.BlockLosses}(MemoryMarshal.CreateReadOnlySpan(ref x, {plan.Lanes * plan.Classes}), C, targets, losses, max, sum, compensation);
                """);
        }

        /// <summary>
        /// Whether the log-softmax block stores through a call of its own: in Fast with 12 classes (the widest block) the
        /// block method exhausts the JIT's inlining budget before its last transposes, which were then left as calls into
        /// tiered code (the first 200 calls of a process 1.7-1.85x the steady time). Elsewhere the call costs up to 4%.
        /// </summary>
        private static bool StoresLogSoftmaxOutOfLine(KernelPlan plan, KernelPrecision precision) =>
            precision == KernelPrecision.Fast && plan.Classes == KernelPlan.BlockLimit(plan.Lanes) && plan.Bits == 512;

        /// <summary>The column variables of a block, <c>c0, c1, ...</c>, each after <paramref name="prefix"/>.</summary>
        private static string Columns(KernelPlan plan, string prefix) =>
            string.Join(", ", Enumerable.Range(0, plan.Classes).Select(j => $"{prefix}c{j}"));

        /// <summary>
        /// Writes the transposes between a block's rows and its columns: <c>LoadColumns</c> and <c>StoreColumns</c>, with
        /// the remarks (or none) and the bodies given.
        /// </summary>
        private static void WriteTransposeMethods(SourceWriter writer, KernelPlan plan, string? loadRemarks, Action writeLoad, string? storeRemarks, Action writeStore)
        {
            int lanes = plan.Lanes, classes = plan.Classes;
            writer.WriteLine();
            writer.WriteLine($"/// <summary>Loads {lanes} rows of {classes} classes ({lanes * classes} values) and transposes them: lane r of column j is class j of row r.</summary>");
            WriteRemarks(loadRemarks);
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            using (writer.OpenBlock($"private static void LoadColumns{plan.Bits}(ref float x, {Columns(plan, $"out {plan.VectorType} ")})"))
            {
                writeLoad();
            }

            writer.WriteLine();
            writer.WriteLine($"/// <summary>Transposes {lanes} rows of {classes} classes back to row-major order and stores them.</summary>");
            WriteRemarks(storeRemarks);
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            using (writer.OpenBlock($"private static void StoreColumns{plan.Bits}(ref float y, {Columns(plan, $"{plan.VectorType} ")})"))
            {
                writeStore();
            }

            void WriteRemarks(string? remarks)
            {
                if (remarks is not null)
                {
                    writer.WriteLine($"/// <remarks>{remarks}</remarks>");
                }
            }
        }

        /// <summary>Rows of fewer than <see cref="QuadClasses"/> classes: C whole vectors moved into place by constant shuffles.</summary>
        private static void EmitShuffleTransposes(SourceWriter writer, KernelPlan plan)
        {
            int lanes = plan.Lanes, classes = plan.Classes;
            string vector = plan.Vector;
            WriteTransposeMethods(writer, plan, loadRemarks: null, () =>
            {
                for (int q = 0; q < classes; q++)
                {
                    writer.WriteLine($"{plan.VectorType} v{q} = {vector}.LoadUnsafe(ref x, {LayoutCode.Int(q * lanes)});");
                }

                if (classes > 1)
                {
                    writer.WriteLine($"{vector}<int> lanes;");
                }

                for (int j = 0; j < classes; j++)
                {
                    // Lane r of column j comes from flat position r*C + j: vector (r*C + j) / W, lane (r*C + j) % W.
                    int[] source = Enumerable.Range(0, lanes).Select(r => (r * classes + j) / lanes).ToArray();
                    int[] lane = Enumerable.Range(0, lanes).Select(r => (r * classes + j) % lanes).ToArray();
                    writer.WriteLine();
                    writer.WriteLine($"// Class {j}: {DescribeRuns(source, "rows", "v")}.");
                    EmitGather(writer, plan, $"c{j}", source, lane, q => $"v{q}", declare: false);
                }
            }, storeRemarks: null, () =>
            {
                if (classes > 1)
                {
                    writer.WriteLine($"{vector}<int> lanes;");
                }

                for (int q = 0; q < classes; q++)
                {
                    // Lane l of output vector q is flat position q*W + l: row (q*W + l) / C, class (q*W + l) % C.
                    int[] source = Enumerable.Range(0, lanes).Select(l => (q * lanes + l) % classes).ToArray();
                    int[] lane = Enumerable.Range(0, lanes).Select(l => (q * lanes + l) / classes).ToArray();
                    writer.WriteLine();
                    writer.WriteLine($"// Values {q * lanes}-{q * lanes + lanes - 1}: rows {lane[0]}-{lane[lanes - 1]}.");
                    EmitGather(writer, plan, $"v{q}", source, lane, j => $"c{j}", declare: true);
                    writer.WriteLine($"v{q}.StoreUnsafe(ref y, {LayoutCode.Int(q * lanes)});");
                }
            });
        }

        /// <summary>The first class of each quad: 0, 4, 8, ..., the last one ending at the row's end (overlapping the one before when C is not a multiple of 4).</summary>
        internal static int[] QuadStarts(int classes) =>
            Enumerable.Range(0, (classes + 3) / 4).Select(k => Math.Min(4 * k, classes - 4)).ToArray();

        /// <summary>
        /// Rows of 4 or more classes: the transposes are calls of BlockMemory.LoadClassQuad and StoreClassQuad, four
        /// classes at a time (each row read and written 128 bits at a time, one 4 x 4 transpose per 128-bit lane), which
        /// takes a fraction of the shuffles of moving whole vectors into place.
        /// </summary>
        private static void EmitQuadTransposes(SourceWriter writer, KernelPlan plan)
        {
            int classes = plan.Classes;
            int[] starts = QuadStarts(classes);
            string quads = string.Join(", ", starts.Select(k => $"{k}-{k + 3}"));
            bool overlaps = classes % 4 != 0;
            WriteTransposeMethods(writer, plan,
                $"Four classes at a time (128 bits of each row, one 4 x 4 transpose per 128-bit lane): classes {quads}{(overlaps ? "; the last quad overlaps the one before, so that nothing past a row is read or written" : string.Empty)}.",
                () =>
                {
                    writer.WriteLine($"ReadOnlySpan<float> block = MemoryMarshal.CreateReadOnlySpan(ref x, {plan.Lanes * classes});");
                    int loaded = 0;
                    foreach (int start in starts)
                    {
                        // Classes already loaded by the quad before go to locals left unused (named, not discards: a
                        // user type named _ would turn a discard into a type name).
                        string outs = string.Join(", ", Enumerable.Range(start, 4).Select(j => j < loaded ? $"out {plan.VectorType} again{j}" : $"out c{j}"));
                        writer.WriteLine($"{BlockMemory.LoadClassQuad}(block, C, {start}, {outs});");
                        loaded = start + 4;
                    }
                },
                $"Four classes at a time: classes {quads}{(overlaps ? " (the repeated classes are written twice, with the same values)" : string.Empty)}.",
                () =>
                {
                    writer.WriteLine($"Span<float> block = MemoryMarshal.CreateSpan(ref y, {plan.Lanes * classes});");
                    foreach (int start in starts)
                    {
                        writer.WriteLine($"{BlockMemory.StoreClassQuad}(block, C, {start}, {string.Join(", ", Enumerable.Range(start, 4).Select(j => $"c{j}"))});");
                    }
                });
        }

        /// <summary>
        /// target[l] = input(source[l])[lane[l]]: one shuffle per distinct source with the same constant index vector,
        /// merged by constant lane masks.
        /// </summary>
        private static void EmitGather(SourceWriter writer, KernelPlan plan, string target, int[] source, int[] lane, Func<int, string> input, bool declare)
        {
            string vector = plan.Vector;
            bool identity = lane.Select((l, i) => l == i).All(same => same);
            List<int> sources = source.Distinct().ToList();
            if (!identity)
            {
                writer.WriteLine($"lanes = {LayoutCode.LaneConstant(plan, lane)};");
            }

            string Shuffle(int from) => identity ? input(from) : $"{vector}.Shuffle({input(from)}, lanes)";
            writer.WriteLine($"{(declare ? plan.VectorType + " " : string.Empty)}{target} = {Shuffle(sources[0])};");
            foreach (int from in sources.Skip(1))
            {
                string mask = LayoutCode.MaskConstant(plan, source.Select(s => s == from));
                writer.WriteLine($"{target} = {vector}.ConditionalSelect({mask}, {Shuffle(from)}, {target});");
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

        /// <summary>
        /// Writes an operation as two methods: <c>{name}Block{bits}</c>, the loop over whole blocks, which hands the last
        /// rows to the runtime's <paramref name="lastRows"/>, and <c>{name}OneBlock{bits}</c>, the code for one block, which
        /// loads and reduces it and ends with <paramref name="finish"/>. The cross-entropy also sums the losses they return.
        /// </summary>
        private static void EmitOperation(SourceWriter writer, KernelPlan plan, KernelPrecision precision, string name, string lastRows, string summary, string oneBlockSummary, bool keepExponentials, string finish)
        {
            int lanes = plan.Lanes;
            bool sumsLosses = name == "CrossEntropy";
            string returnType = sumsLosses ? "double" : "void";
            string addLoss = sumsLosses ? "lossSum += " : string.Empty;
            string parameters = sumsLosses ? "ref float x, ReadOnlySpan<int> targets, Span<float> losses" : "ref float x, ref float y";
            string output = name == "LogSoftmax" ? "logProbabilities" : "probabilities";
            string spanParameters = sumsLosses ? "ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses" : $"ReadOnlySpan<float> logits, Span<float> {output}";
            string blockArguments = sumsLosses
                ? $"ref Unsafe.Add(ref x, row * C), targets.Slice((int)row, {lanes}), losses.IsEmpty ? default : losses.Slice((int)row, {lanes})"
                : "ref Unsafe.Add(ref x, row * C), ref Unsafe.Add(ref y, row * C)";
            string lastRowsArguments = sumsLosses
                ? "logits.Slice((int)full * C), targets.Slice((int)full), losses.IsEmpty ? default : losses.Slice((int)full)"
                : $"logits.Slice((int)full * C), {output}.Slice((int)full * C)";

            writer.WriteLine();
            writer.WriteLine($"/// <summary>{summary}</summary>");
            writer.WriteLine(HotLoop);
            using (writer.OpenBlock($"private static {returnType} {name}{plan.Suffix}({spanParameters}, int rows)"))
            {
                writer.WriteLine("ref float x = ref MemoryMarshal.GetReference(logits);");
                if (!sumsLosses)
                {
                    writer.WriteLine($"ref float y = ref MemoryMarshal.GetReference({output});");
                }

                if (sumsLosses)
                {
                    writer.WriteLine("double lossSum = 0;");
                }

                writer.WriteLine($"nuint full = (nuint)rows - (nuint)rows % {lanes};");
                using (writer.OpenBlock($"for (nuint row = 0; row < full; row += {lanes})"))
                {
                    writer.WriteLine($"{addLoss}{name}One{plan.Suffix}({blockArguments});");
                }

                writer.WriteLine();
                writer.WriteLine($"// The last rows (fewer than {lanes}) one at a time with a block lane's arithmetic (the runtime's column layout");
                writer.WriteLine("// in one lane), so that nothing past the end is touched and a row's bits do not depend on where it sits.");
                writer.WriteLine($"{addLoss}{lastRows}({lastRowsArguments}, rows - (int)full, C{PrecisionCode.Argument(precision)});");
                if (sumsLosses)
                {
                    writer.WriteLine();
                    writer.WriteLine("return lossSum;");
                }
            }

            writer.WriteLine();
            writer.WriteLine($"/// <summary>{oneBlockSummary}</summary>");
            writer.WriteLine(HotPath);
            using (writer.OpenBlock($"private static {returnType} {name}One{plan.Suffix}({parameters})"))
            {
                WriteStatistics(writer, plan, precision, keepExponentials);
                writer.WriteLine();
                writer.WriteLine(finish);
            }
        }

        /// <summary>Loads a block and writes its lane-wise maxima (<c>max</c>) and compensated sums of exponentials (<c>sum</c>, <c>compensation</c>).</summary>
        private static void WriteStatistics(SourceWriter writer, KernelPlan plan, KernelPrecision precision, bool keepExponentials)
        {
            string expShifted = PrecisionCode.ExpShifted(precision);
            string vectorType = plan.VectorType;
            int classes = plan.Classes;
            writer.WriteLine($"LoadColumns{plan.Bits}(ref x, {Columns(plan, $"out {vectorType} ")});");
            writer.WriteLine();
            writer.WriteLine("// Each lane is one row: the row maxima are lane-wise maxima, subtracted so that no logit can overflow.");
            writer.WriteLine($"{vectorType} max = {LayoutCode.MaxTree(plan, Enumerable.Range(0, classes).Select(j => $"c{j}").ToList())};");
            writer.WriteLine($"{vectorType} negatedMax = -max;");
            writer.WriteLine();
            writer.WriteLine("// e^(x - max) and its lane-wise sum, compensated (started at 1 per lane, which the normaliser takes off).");
            if (keepExponentials)
            {
                for (int j = 0; j < classes; j++)
                {
                    writer.WriteLine($"{vectorType} e{j} = {expShifted}(c{j}, negatedMax);");
                }
            }

            string Exponential(int j) => keepExponentials ? $"e{j}" : $"{expShifted}(c{j}, negatedMax)";
            writer.WriteLine($"{vectorType} sum = {vectorType}.One, compensation = default;");
            for (int j = 0; j < classes; j++)
            {
                writer.WriteLine($"{SoftmaxMath.AccumulateExp}({Exponential(j)}, ref sum, ref compensation);");
            }
        }
    }
}
