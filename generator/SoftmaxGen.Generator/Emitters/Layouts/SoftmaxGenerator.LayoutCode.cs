using System.Globalization;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>The expressions and statements that more than one layout writes.</summary>
    internal static class LayoutCode
    {
        /// <summary>
        /// On the row and loop layouts' methods: compiled fully optimised at the first call. Under tiered compilation
        /// their loops ran 2-2.5x slower than steady state for the first few hundred milliseconds of a process.
        /// </summary>
        internal const string FirstCallOptimized = "[MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first call, not after tiering";

        internal static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A constant lane vector: <c>Vector512.Create(0, 3, 6, ...)</c>, with long lanes for double.</summary>
        internal static string LaneConstant(KernelPlan plan, IEnumerable<int> lanes) =>
            $"{plan.Vector}.Create({string.Join(", ", lanes.Select(lane => plan.IsFloat ? Int(lane) : Int(lane) + "L"))})";

        /// <summary>A constant mask: all-ones lanes where <paramref name="set"/> is true.</summary>
        internal static string MaskConstant(KernelPlan plan, IEnumerable<bool> set) =>
            LaneConstant(plan, set.Select(isSet => isSet ? -1 : 0)) + (plan.IsFloat ? ".AsSingle()" : ".AsDouble()");

        /// <summary>Declares <c>repeated</c>, the mask of the last vector's leading lanes that repeat classes of the vector before it.</summary>
        internal static string RepeatedMaskDeclaration(KernelPlan plan) =>
            $"{plan.VectorType} repeated = {MaskConstant(plan, Enumerable.Range(0, plan.Lanes).Select(lane => lane < plan.RepeatedLanes))};";

        /// <summary><paramref name="lastVector"/> without the lanes <c>repeated</c> marks, where there are any.</summary>
        internal static string WithoutRepeatedLanes(KernelPlan plan, string lastVector) =>
            plan.RepeatedLanes > 0 ? $"{plan.Vector}.AndNot({lastVector}, repeated)" : lastVector;

        /// <summary>
        /// Writes a row's loss from <paramref name="total"/> (the sum of e^(x - max)): computed, stored when asked, summed.
        /// The row's names carry <paramref name="suffix"/>, and <paramref name="row"/> is its index.
        /// </summary>
        internal static void WriteRowLoss(SourceWriter writer, bool isFloat, string total, string suffix = "", string row = "row", bool comment = true)
        {
            if (comment)
            {
                writer.WriteLine();
                writer.WriteLine(isFloat
                    ? "// loss = (max - x[target]) + ln(sum) in double, rounded to float before it is summed, so a mean equals the mean of the per-row losses."
                    : "// loss = (max - x[target]) + ln(sum).");
            }

            string index = row == "row" ? "(int)row" : $"(int)({row})";
            writer.WriteLine($"{(isFloat ? "float" : "double")} loss{suffix} = {(isFloat ? "(float)" : string.Empty)}{SoftmaxMath.RowLoss}(max{suffix}, Unsafe.Add(ref xr{suffix}, targets[{index}]), {total});");
            using (writer.OpenBlock("if (!losses.IsEmpty)"))
            {
                writer.WriteLine($"losses[{index}] = loss{suffix};");
            }

            writer.WriteLine();
            writer.WriteLine($"lossSum += loss{suffix};");
        }

        /// <summary>A balanced tree of calls to <paramref name="function"/> (a two-argument maximum) over the values.</summary>
        internal static string MaxTree(string function, IReadOnlyList<string> values) => Tree(values, (a, b) => $"{function}({a}, {b})");

        /// <summary>
        /// A balanced tree of additions over the given vectors, without outer parentheses: each lane's sum rounds at most
        /// ceil(log2(n)) times along any path.
        /// </summary>
        internal static string SumTree(IReadOnlyList<string> values)
        {
            string tree = Tree(values, (a, b) => $"({a} + {b})");
            return values.Count == 1 ? tree : tree.Substring(1, tree.Length - 2);
        }

        /// <summary>Pairs neighbours level by level (an odd last value moves up unpaired) until one expression is left.</summary>
        private static string Tree(IReadOnlyList<string> values, Func<string, string, string> combine)
        {
            var level = values.ToList();
            while (level.Count > 1)
            {
                var next = new List<string>();
                for (int i = 0; i + 1 < level.Count; i += 2)
                {
                    next.Add(combine(level[i], level[i + 1]));
                }

                if (level.Count % 2 == 1)
                {
                    next.Add(level[level.Count - 1]);
                }

                level = next;
            }

            return level[0];
        }

        /// <summary>A balanced tree of <c>MaxNative</c> over the given vectors.</summary>
        internal static string MaxTree(KernelPlan plan, IReadOnlyList<string> values) => MaxTree($"{plan.Vector}.MaxNative", values);

        /// <summary>Softmax's last step: float multiplies by 1/sum rounded once from double; double divides, which rounds once.</summary>
        internal static string NormaliseComment(KernelPlan plan) =>
            plan.IsFloat ? "normalise with one multiplication by 1/sum (rounded once from double)" : "normalise by dividing by the sum (one rounding)";

        /// <summary>Declares <c>scale</c> (float) or <c>divisor</c> (double) from the row total.</summary>
        internal static string NormaliserDeclaration(KernelPlan plan, string total, string suffix = "") =>
            plan.IsFloat
                ? $"{plan.VectorType} scale{suffix} = {plan.Vector}.Create((float)(1.0 / {total}));"
                : $"{plan.VectorType} divisor{suffix} = {plan.Vector}.Create({total});";

        /// <summary>The normalised value of <paramref name="exponential"/>.</summary>
        internal static string Normalise(KernelPlan plan, string exponential, string suffix = "") =>
            plan.IsFloat ? $"{exponential} * scale{suffix}" : $"{exponential} / divisor{suffix}";

        internal static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        /// <summary>"lanes 0-3", or "lane 0" for a single one.</summary>
        internal static string Range(string noun, int first, int last) =>
            first == last ? $"{noun} {Int(first)}" : $"{noun} {Int(first)}-{Int(last)}";
    }
}
