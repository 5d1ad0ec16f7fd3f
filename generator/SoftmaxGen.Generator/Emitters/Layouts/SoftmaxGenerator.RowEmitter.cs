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
        private delegate void Step(SourceWriter writer, string suffix, string row, bool comment);

        public static void Emit(SourceWriter writer, KernelPlan plan, KernelPrecision precision, bool scaledRows)
        {
            string element = plan.Element, vectorType = plan.VectorType, vector = plan.Vector;
            string expShifted = PrecisionCode.ExpShifted(precision);
            int vectorCount = plan.VectorCount;

            Step[] SoftmaxSteps(bool scaled) => new Step[]
            {
                (writer, suffix, row, comment) => WriteRowReferences(writer, plan, suffix, row, output: true, bias: scaled),
                (writer, suffix, row, comment) => WriteLoadAndMax(writer, plan, suffix, comment, scaled, scaled ? row : null),
                (writer, suffix, row, comment) =>
                {
                    bool grouped = precision == KernelPrecision.Fast && vectorCount > 1;
                    if (comment)
                    {
                        writer.WriteLine();
                        writer.WriteLine(vectorCount == 1 ? "// e^(x - max) and its sum, the lanes added in double."
                            : grouped ? GroupedSumComment(vectorCount, "e^(x - max) and its sum")
                            : "// e^(x - max) and its sum, compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
                    }

                    var exponentials = WriteExponentials(writer, plan, expShifted, suffix);
                    if (grouped)
                    {
                        WriteGroupedTotal(writer, plan, suffix, exponentials);
                    }
                    else
                    {
                        WriteTotal(writer, plan, suffix, exponentials);
                    }
                },
                (writer, suffix, row, comment) =>
                {
                    if (comment)
                    {
                        writer.WriteLine();
                        writer.WriteLine($"// {LayoutCode.Capitalize(LayoutCode.NormaliseComment(plan))}; all loads came first, so in-place calls are safe.");
                    }

                    writer.WriteLine(LayoutCode.NormaliserDeclaration(plan, $"total{suffix}", suffix));
                    for (int k = 0; k < vectorCount; k++)
                    {
                        writer.WriteLine($"({LayoutCode.Normalise(plan, $"e{k}{suffix}", suffix)}).StoreUnsafe(ref yr{suffix}, {LayoutCode.Int(Offset(plan, k))});");
                    }
                },
            };
            // Fast softmax holds two rows of exponentials and its exponential's table and constants: with 8 vectors a row
            // that spills, so those rows go one at a time.
            bool pairSoftmax = !(precision == KernelPrecision.Fast && vectorCount == KernelPlan.MaxRowVectors);
            EmitPairedRows(writer, plan, "Softmax", "Softmax", $"ref {element} x, ref {element} y, nuint rows", SoftmaxSteps(scaled: false), pairSoftmax);

            // Attention rows: the same softmax of v = scale * x + bias, formed as the row is loaded.
            if (scaledRows)
            {
                EmitPairedRows(
                    writer, plan, "ScaledSoftmax", "Softmax of v = scale * x + bias (a bias row every biasStride values; row r's keys from limit + r on are -inf)",
                    $"ref {element} x, ref {element} y, ref {element} b, nuint biasStride, {element} logitScale, nint limit, nuint rows", SoftmaxSteps(scaled: true), pairSoftmax,
                    "ref Unsafe.Add(ref b, row * biasStride), biasStride, logitScale, limit + (nint)row, ",
                    $"{vectorType} s = {vector}.Create(logitScale);");
            }

            // Fast float log-softmax needs ln(sum) only to about 2^-22 (4 ULP of 1): one tree in float is within that, and
            // its one horizontal sum is shorter than the groups' two (softmax and the loss need the groups' 2^-23).
            bool fastLogSoftmax = precision == KernelPrecision.Fast && plan.IsFloat;
            // Grouped, the rows' outputs come after the group's normalisers: the output step takes its own references.
            Step[] LogSoftmaxSteps(bool scaled, bool grouped) => new Step[]
            {
                (writer, suffix, row, comment) => WriteRowReferences(writer, plan, suffix, row, output: !grouped, bias: scaled),
                (writer, suffix, row, comment) => WriteLoadAndMax(writer, plan, suffix, comment, scaled),
                (writer, suffix, row, comment) =>
                {
                    if (fastLogSoftmax)
                    {
                        WriteTreeSum(writer, plan, expShifted, suffix, comment);
                    }
                    else
                    {
                        WriteExpSum(writer, plan, precision, expShifted, suffix, comment);
                    }
                },
                (writer, suffix, row, comment) =>
                {
                    if (grouped)
                    {
                        WriteRowReferences(writer, plan, suffix, row, output: true, bias: scaled);
                    }

                    if (comment)
                    {
                        writer.WriteLine();
                        writer.WriteLine(fastLogSoftmax
                            ? "// log-softmax = (x - high) - low: in Fast, high = max and low = ln(sum) rounded to float."
                            : "// log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.");
                        if (!grouped)
                        {
                            writer.WriteLine("// The row is read again (from L1) rather than held in registers across the normaliser's call, which would spill them.");
                        }
                    }

                    if (grouped)
                    {
                        writer.WriteLine($"{vectorType} h{suffix} = {vector}.Create(highs[k]), l{suffix} = {vector}.Create(lows[k]);");
                    }
                    else
                    {
                        string normalizer = fastLogSoftmax ? SoftmaxMath.LogNormalizerFast : SoftmaxMath.LogNormalizer;
                        writer.WriteLine($"{normalizer}(max{suffix}, total{suffix}, out {element} high{suffix}, out {element} low{suffix});");
                        writer.WriteLine($"{vectorType} h{suffix} = {vector}.Create(high{suffix}), l{suffix} = {vector}.Create(low{suffix});");
                    }

                    // The last vector is read before the stores, as it may overlap the one before (in-place calls).
                    // Scaled rows form v again, with the same two roundings.
                    string Reload(string offset) => scaled
                        ? $"({vector}.LoadUnsafe(ref xr{suffix}, {offset}) * s + {vector}.LoadUnsafe(ref br{suffix}, {offset}))"
                        : $"{vector}.LoadUnsafe(ref xr{suffix}, {offset})";
                    int lastIndex = vectorCount - 1;
                    string lastOffset = LayoutCode.Int(Offset(plan, lastIndex));
                    if (lastIndex > 0)
                    {
                        writer.WriteLine($"{vectorType} last{suffix} = {Reload(lastOffset)};");
                    }

                    for (int k = 0; k < lastIndex; k++)
                    {
                        string offset = LayoutCode.Int(Offset(plan, k));
                        writer.WriteLine($"(({Reload(offset)} - h{suffix}) - l{suffix}).StoreUnsafe(ref yr{suffix}, {offset});");
                    }

                    string lastValue = lastIndex > 0 ? $"last{suffix}" : Reload(lastOffset);
                    writer.WriteLine($"(({lastValue} - h{suffix}) - l{suffix}).StoreUnsafe(ref yr{suffix}, {lastOffset});");
                },
            };
            // With Vector512 the rows' normalisers go a group at a time (EmitGroupedLogRows); the narrower tiers, where a
            // kernel's code for every width must stay within its size, keep one normaliser call per row.
            string normalizers = fastLogSoftmax ? SoftmaxMath.LogNormalizersFast : SoftmaxMath.LogNormalizers;
            bool groupLogRows = plan.Bits == 512;
            void EmitLogRows(string operation, string title, string parameters, bool scaled, string singleRowArguments = "", string? setup = null)
            {
                if (groupLogRows)
                {
                    EmitGroupedLogRows(writer, plan, operation, title, parameters, LogSoftmaxSteps(scaled, grouped: true), LogSoftmaxSteps(scaled, grouped: false), normalizers, singleRowArguments, setup);
                }
                else
                {
                    EmitPairedRows(writer, plan, operation, title, parameters, LogSoftmaxSteps(scaled, grouped: false), pair: true, singleRowArguments, setup);
                }
            }

            EmitLogRows("LogSoftmax", "Log-softmax", $"ref {element} x, ref {element} y, nuint rows", scaled: false);

            // Attention rows without a causal limit inside them: the log-softmax of v = scale * x + bias, v formed as the row is
            // loaded and again as it is read for the output.
            if (scaledRows)
            {
                EmitLogRows(
                    "ScaledLogSoftmax", "Log-softmax of v = scale * x + bias (a bias row every biasStride values)",
                    $"ref {element} x, ref {element} y, ref {element} b, nuint biasStride, {element} logitScale, nuint rows", scaled: true,
                    "ref Unsafe.Add(ref b, row * biasStride), biasStride, logitScale, ",
                    $"{vectorType} s = {vector}.Create(logitScale);");
            }

            writer.WriteLine();
            writer.WriteLine($"/// <summary>Cross-entropy against class targets with {plan.Describe()}; returns the sum of the row losses.</summary>");
            writer.WriteLine(LayoutCode.FirstCallOptimized);
            using (writer.OpenBlock($"private static double CrossEntropy{plan.Suffix}(ref {element} x, ReadOnlySpan<int> targets, Span<{element}> losses, nuint rows)"))
            {
                WriteRepeatedMask(writer, plan);
                writer.WriteLine("double lossSum = 0;");
                WriteRows(writer, new Step[]
                {
                    (writer, suffix, row, comment) => WriteRowReferences(writer, plan, suffix, row, output: false),
                    (writer, suffix, row, comment) => WriteLoadAndMax(writer, plan, suffix, comment),
                    (writer, suffix, row, comment) => WriteExpSum(writer, plan, precision, expShifted, suffix, comment),
                    (writer, suffix, row, comment) => LayoutCode.WriteRowLoss(writer, plan.IsFloat, $"total{suffix}", suffix, row, comment),
                });
                writer.WriteLine();
                writer.WriteLine("return lossSum;");
            }
        }

        /// <summary>
        /// An operation over the rows. With Vector512 (32 registers: two rows of up to 8 vectors fit) two rows at a time,
        /// each step written for both before the next step, so that the two rows' dependency chains (maximum,
        /// exponentials, sum, normaliser) overlap; the last row of an odd count goes to the one-row loop, a method of its
        /// own, so that the JIT inlines its exponentials under a budget of its own. Each row's arithmetic is the same
        /// either way, so the bits are too. The cross-entropy, whose rows end in a scalar logarithm and loss, ran slower
        /// paired and stays a row at a time.
        /// </summary>
        private static void EmitPairedRows(
            SourceWriter writer, KernelPlan plan, string operation, string title, string parameters, IReadOnlyList<Step> steps, bool pair,
            string singleRowArguments = "", string? setup = null)
        {
            pair &= plan.Bits == 512;
            writer.WriteLine();
            writer.WriteLine($"/// <summary>{title} with {plan.Describe()}{(pair ? ", two rows at a time" : string.Empty)}.</summary>");
            writer.WriteLine(LayoutCode.FirstCallOptimized);
            using (writer.OpenBlock($"private static void {operation}{plan.Suffix}({parameters})"))
            {
                WriteSetup(writer, plan, setup);
                if (!pair)
                {
                    WriteRows(writer, steps);
                    return;
                }

                writer.WriteLine("// Two rows at a time, each step written for both, so that their dependency chains overlap.");
                writer.WriteLine("nuint row = 0;");
                using (writer.OpenBlock("for (; row + 2 <= rows; row += 2)"))
                {
                    foreach (Step step in steps)
                    {
                        step(writer, "A", "row", comment: true);
                        step(writer, "B", "row + 1", comment: false);
                    }
                }

                writer.WriteLine();
                writer.WriteLine("// The last row of an odd count, in a method of its own (so that its code is inlined under a budget of its own).");
                writer.WriteLine("if (row < rows)");
                writer.WriteLine($"    {operation}Single{plan.Suffix}(ref Unsafe.Add(ref x, row * C), ref Unsafe.Add(ref y, row * C), {singleRowArguments}1);");
            }

            if (pair)
            {
                writer.WriteLine();
                writer.WriteLine($"/// <summary>{title} with {plan.Describe()}, a row at a time (the last row of an odd count).</summary>");
                writer.WriteLine(LayoutCode.FirstCallOptimized);
                using (writer.OpenBlock($"private static void {operation}Single{plan.Suffix}({parameters})"))
                {
                    WriteSetup(writer, plan, setup);
                    WriteRows(writer, steps);
                }
            }
        }

        /// <summary>
        /// The log-softmax over the rows, <see cref="LogGroup"/> rows at a time: each row's maximum and sum (steps 0-2 of
        /// <paramref name="groupedSteps"/>; with Vector512 two rows at a time, as <see cref="EmitPairedRows"/> does), then
        /// the group's normalisers in one call of <paramref name="normalizers"/>, whose logarithms run as one vector
        /// instead of one chain per row, then each row's output (step 3). The last rows of a count that is not a
        /// multiple of the group go one at a time (<paramref name="rowSteps"/>, the one-row normaliser: the same bits) to a
        /// method of their own, so that the JIT inlines their exponentials under a budget of their own.
        /// </summary>
        private static void EmitGroupedLogRows(
            SourceWriter writer, KernelPlan plan, string operation, string title, string parameters, IReadOnlyList<Step> groupedSteps, IReadOnlyList<Step> rowSteps,
            string normalizers, string singleRowArguments = "", string? setup = null)
        {
            bool pair = plan.Bits == 512;
            writer.WriteLine();
            writer.WriteLine($"/// <summary>{title} with {plan.Describe()}, {LogGroup} rows at a time{(pair ? " (two at a time up to their normalisers)" : string.Empty)}.</summary>");
            writer.WriteLine(LayoutCode.FirstCallOptimized);
            using (writer.OpenBlock($"private static void {operation}{plan.Suffix}({parameters})"))
            {
                WriteSetup(writer, plan, setup);
                writer.WriteLine($"// {LogGroup} rows at a time: their maxima and sums{(pair ? " (two rows at a time)" : string.Empty)}, their normalisers in one call, their outputs.");
                writer.WriteLine($"Span<{plan.Element}> maxima = stackalloc {plan.Element}[{LogGroup}], highs = stackalloc {plan.Element}[{LogGroup}], lows = stackalloc {plan.Element}[{LogGroup}];");
                writer.WriteLine($"Span<double> totals = stackalloc double[{LogGroup}];");
                writer.WriteLine("nuint row = 0;");
                using (writer.OpenBlock($"for (; row + {LogGroup} <= rows; row += {LogGroup})"))
                {
                    if (pair)
                    {
                        using (writer.OpenBlock($"for (int pair = 0; pair < {LogGroup}; pair += 2)"))
                        {
                            for (int i = 0; i < 3; i++)
                            {
                                groupedSteps[i](writer, "A", "row + (nuint)pair", comment: true);
                                groupedSteps[i](writer, "B", "row + (nuint)pair + 1", comment: false);
                            }

                            writer.WriteLine("maxima[pair] = maxA;");
                            writer.WriteLine("totals[pair] = totalA;");
                            writer.WriteLine("maxima[pair + 1] = maxB;");
                            writer.WriteLine("totals[pair + 1] = totalB;");
                        }
                    }
                    else
                    {
                        using (writer.OpenBlock($"for (int k = 0; k < {LogGroup}; k++)"))
                        {
                            for (int i = 0; i < 3; i++)
                            {
                                groupedSteps[i](writer, string.Empty, "row + (nuint)k", comment: true);
                            }

                            writer.WriteLine("maxima[k] = max;");
                            writer.WriteLine("totals[k] = total;");
                        }
                    }

                    writer.WriteLine();
                    writer.WriteLine($"{normalizers}(maxima, totals, highs, lows);");
                    using (writer.OpenBlock($"for (int k = 0; k < {LogGroup}; k++)"))
                    {
                        groupedSteps[3](writer, string.Empty, "row + (nuint)k", comment: true);
                    }
                }

                writer.WriteLine();
                writer.WriteLine($"// The last rows (fewer than {LogGroup}), one at a time in a method of its own (so that its code is inlined under a budget of its own).");
                writer.WriteLine("if (row < rows)");
                writer.WriteLine($"    {operation}Single{plan.Suffix}(ref Unsafe.Add(ref x, row * C), ref Unsafe.Add(ref y, row * C), {singleRowArguments}rows - row);");
            }

            writer.WriteLine();
            writer.WriteLine($"/// <summary>{title} with {plan.Describe()}, a row at a time (the last rows of a count that is not a multiple of {LogGroup}).</summary>");
            writer.WriteLine(LayoutCode.FirstCallOptimized);
            using (writer.OpenBlock($"private static void {operation}Single{plan.Suffix}({parameters})"))
            {
                WriteSetup(writer, plan, setup);
                WriteRows(writer, rowSteps);
            }
        }

        /// <summary>The rows of a group whose log-softmax normalisers are taken in one call (<see cref="EmitGroupedLogRows"/>): a Vector512 of doubles.</summary>
        private const int LogGroup = 8;

        /// <summary>What a method declares before its loop: the mask of the repeated lanes and any constants of the operation.</summary>
        private static void WriteSetup(SourceWriter writer, KernelPlan plan, string? setup)
        {
            WriteRepeatedMask(writer, plan);
            if (setup is not null)
            {
                writer.WriteLine(setup);
                writer.WriteLine();
            }
        }

        /// <summary>The loop over the rows, one at a time.</summary>
        private static void WriteRows(SourceWriter writer, IReadOnlyList<Step> steps)
        {
            using (writer.OpenBlock("for (nuint row = 0; row < rows; row++)"))
            {
                foreach (Step step in steps)
                {
                    step(writer, string.Empty, "row", comment: true);
                }
            }
        }

        /// <summary>Writes <c>double total</c> (suffixed): the sum of e^(x - max) over the row (<see cref="WriteGroupedTotal"/> in Fast).</summary>
        private static void WriteExpSum(SourceWriter writer, KernelPlan plan, KernelPrecision precision, string expShifted, string suffix, bool comment)
        {
            int count = plan.VectorCount;
            bool grouped = precision == KernelPrecision.Fast && count > 1;
            if (comment)
            {
                writer.WriteLine();
                writer.WriteLine(count == 1 ? "// The sum of e^(x - max), the lanes added in double."
                    : grouped ? GroupedSumComment(count, "The sum of e^(x - max)")
                    : "// The sum of e^(x - max), compensated (started at 1 per lane, taken off in the total), the lanes added in double.");
            }

            if (!grouped)
            {
                WriteTotal(writer, plan, suffix, Enumerable.Range(0, count).Select(k => $"{expShifted}(x{k}{suffix}, negatedMax{suffix})").ToList());
                return;
            }

            WriteGroupedTotal(writer, plan, suffix, WriteExponentials(writer, plan, expShifted, suffix));
        }

        /// <summary>Writes <c>double total</c> (suffixed): the exponentials added as a tree in float, lane-wise, then the lanes in double.</summary>
        private static void WriteTreeSum(SourceWriter writer, KernelPlan plan, string expShifted, string suffix, bool comment)
        {
            if (comment)
            {
                writer.WriteLine();
                writer.WriteLine("// The sum of e^(x - max): each lane's terms added as a tree in float, the lanes in double.");
            }

            var terms = SumTerms(plan, WriteExponentials(writer, plan, expShifted, suffix));
            writer.WriteLine($"double total{suffix} = {SoftmaxMath.Total}({LayoutCode.SumTree(terms)});");
        }

        /// <summary>Writes <c>e0, e1, ...</c> (suffixed) = e^(x - max) of the row's vectors, and returns their names.</summary>
        private static IReadOnlyList<string> WriteExponentials(SourceWriter writer, KernelPlan plan, string expShifted, string suffix)
        {
            var names = new List<string>();
            for (int k = 0; k < plan.VectorCount; k++)
            {
                writer.WriteLine($"{plan.VectorType} e{k}{suffix} = {expShifted}(x{k}{suffix}, negatedMax{suffix});");
                names.Add($"e{k}{suffix}");
            }

            return names;
        }

        /// <summary>The terms of a row's sum: the exponentials, the last with its repeated lanes masked off.</summary>
        private static List<string> SumTerms(KernelPlan plan, IReadOnlyList<string> exponentials) =>
            exponentials.Select((e, k) => k == exponentials.Count - 1 ? LayoutCode.WithoutRepeatedLanes(plan, e) : e).ToList();

        /// <summary>The comment over a Fast sum of <paramref name="count"/> vectors (<see cref="WriteGroupedTotal"/>).</summary>
        private static string GroupedSumComment(int count, string what) => count <= 4
            ? $"// {what}: in Fast, added as a tree in float (at most two roundings), the lanes in double."
            : $"// {what}: in Fast, four vectors at a time added as a tree in float (at most two roundings), each group's lanes in double.";

        /// <summary>The offset of vector <paramref name="index"/> in the row: index * lanes, except the last, which ends at the row's end.</summary>
        private static int Offset(KernelPlan plan, int index) => index == plan.VectorCount - 1 ? plan.LastOffset : index * plan.Lanes;

        private static void WriteRepeatedMask(SourceWriter writer, KernelPlan plan)
        {
            if (plan.RepeatedLanes > 0)
            {
                int repeated = plan.RepeatedLanes;
                writer.WriteLine($"// {LayoutCode.Range(repeated == 1 ? "Lane" : "Lanes", 0, repeated - 1)} of the last vector repeat{(repeated == 1 ? "s" : string.Empty)} {LayoutCode.Range(repeated == 1 ? "class" : "classes", plan.LastOffset, plan.LastOffset + repeated - 1)} of the one before: left out of the sum.");
                writer.WriteLine(LayoutCode.RepeatedMaskDeclaration(plan));
                writer.WriteLine();
            }
        }

        /// <summary>The references to the row's logits (xr) and, when there is an output, to its output row (yr), and to its bias row (br).</summary>
        private static void WriteRowReferences(SourceWriter writer, KernelPlan plan, string suffix, string row, bool output, bool bias = false)
        {
            string offset = row == "row" ? "row * C" : $"({row}) * C";
            writer.WriteLine($"ref {plan.Element} xr{suffix} = ref Unsafe.Add(ref x, {offset});");
            if (output)
            {
                writer.WriteLine($"ref {plan.Element} yr{suffix} = ref Unsafe.Add(ref y, {offset});");
            }

            if (bias)
            {
                writer.WriteLine($"ref {plan.Element} br{suffix} = ref Unsafe.Add(ref b, {(row == "row" ? "row" : $"({row})")} * biasStride);");
            }
        }

        /// <summary>
        /// Loads the row and takes its maximum; when <paramref name="scaled"/>, loads v = scale * x + bias (two roundings),
        /// and given the row's index expression (<paramref name="causalRow"/>), sets the keys from its causal limit on to -inf.
        /// </summary>
        private static void WriteLoadAndMax(SourceWriter writer, KernelPlan plan, string suffix, bool comment, bool scaled = false, string? causalRow = null)
        {
            int vectorCount = plan.VectorCount;
            if (comment)
            {
                writer.WriteLine();
                string row = vectorCount == 1 ? "The row fills one register" : $"The row in {vectorCount} registers" + (plan.RepeatedLanes > 0 ? ", the last overlapping the one before" : string.Empty);
                writer.WriteLine(scaled ? $"// v = scale * x + bias, a product and a sum each rounded as PyTorch's x * scale + bias. {row}." : $"// {row}.");
            }

            for (int k = 0; k < vectorCount; k++)
            {
                string offset = LayoutCode.Int(Offset(plan, k));
                string load = $"{plan.Vector}.LoadUnsafe(ref xr{suffix}, {offset})";
                writer.WriteLine(scaled
                    ? $"{plan.VectorType} x{k}{suffix} = {load} * s + {plan.Vector}.LoadUnsafe(ref br{suffix}, {offset});"
                    : $"{plan.VectorType} x{k}{suffix} = {load};");
            }

            if (causalRow is not null)
            {
                if (comment)
                {
                    writer.WriteLine();
                    writer.WriteLine("// A causal row: its keys from the limit on are -inf, whatever the logit there (the row's future is not used).");
                }

                writer.WriteLine($"nint rowLimit{suffix} = limit + (nint){(causalRow == "row" ? "row" : $"({causalRow})")};");
                using (writer.OpenBlock($"if (rowLimit{suffix} < C)"))
                {
                    writer.WriteLine($"{plan.VectorType} keys{suffix} = {plan.Vector}.Create((float)rowLimit{suffix});");
                    for (int k = 0; k < vectorCount; k++)
                    {
                        int offset = Offset(plan, k);
                        string positions = offset == 0 ? $"{plan.VectorType}.Indices" : $"({plan.VectorType}.Indices + {plan.Vector}.Create({LayoutCode.Int(offset)}f))";
                        writer.WriteLine($"x{k}{suffix} = {plan.Vector}.ConditionalSelect({plan.Vector}.LessThan({positions}, keys{suffix}), x{k}{suffix}, {plan.Vector}.Create(float.NegativeInfinity));");
                    }
                }
            }

            if (comment)
            {
                writer.WriteLine();
                writer.WriteLine("// The row maximum, subtracted before exponentiating so that no logit can overflow.");
            }

            writer.WriteLine($"{plan.Element} max{suffix} = {SoftmaxMath.MaxAcross}({LayoutCode.MaxTree(plan, Enumerable.Range(0, vectorCount).Select(k => $"x{k}{suffix}").ToList())});");
            writer.WriteLine($"{plan.VectorType} negatedMax{suffix} = {plan.Vector}.Create(-max{suffix});");
        }

        /// <summary>
        /// Writes <c>double total</c> (suffixed) for Fast: groups of up to four exponentials added as a tree in float (at
        /// most two roundings, 2^-23 of the group's sum, as the runtime's Fast row sum), each group's lanes added in
        /// double, two groups' lanes together. The last exponential is masked if it repeats lanes. No compensation:
        /// its dependent operations were most of a short row's chain.
        /// </summary>
        private static void WriteGroupedTotal(SourceWriter writer, KernelPlan plan, string suffix, IReadOnlyList<string> exponentials)
        {
            var terms = SumTerms(plan, exponentials);
            // Groups two at a time: Total widens both and reduces them together (one horizontal sum for two groups).
            var groups = Enumerable.Range(0, (terms.Count + 3) / 4).Select(g => LayoutCode.SumTree(terms.Skip(4 * g).Take(4).ToList())).ToList();
            var totals = Enumerable.Range(0, (groups.Count + 1) / 2).Select(p => $"{SoftmaxMath.Total}({string.Join(", ", groups.Skip(2 * p).Take(2))})");
            writer.WriteLine($"double total{suffix} = {string.Join(" + ", totals)};");
        }

        /// <summary>Writes <c>double total</c> (suffixed): the compensated sum of the given exponentials, the last masked if it repeats lanes.</summary>
        private static void WriteTotal(SourceWriter writer, KernelPlan plan, string suffix, IReadOnlyList<string> exponentials)
        {
            int count = exponentials.Count;
            if (count == 1)
            {
                writer.WriteLine($"double total{suffix} = {SoftmaxMath.Total}({exponentials[0]});");
                return;
            }

            writer.WriteLine($"{plan.VectorType} sum{suffix} = {plan.VectorType}.One, compensation{suffix} = default;");
            foreach (string term in SumTerms(plan, exponentials))
            {
                writer.WriteLine($"{SoftmaxMath.AccumulateExp}({term}, ref sum{suffix}, ref compensation{suffix});");
            }

            writer.WriteLine($"double total{suffix} = {SoftmaxMath.TotalExp}(sum{suffix}, compensation{suffix});");
        }
    }
}
