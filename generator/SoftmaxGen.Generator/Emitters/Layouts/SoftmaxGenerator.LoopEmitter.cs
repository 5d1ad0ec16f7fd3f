using System;
using SoftmaxGen.Generator.Model;
using static SoftmaxGen.Generator.RuntimeNames;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Rows longer than the register budget: loops with fixed trip counts over the row, a vector at a time, then the
    /// last vector, which ends at the row's end. Code size stays the same whatever the class count.
    /// </summary>
    internal static class LoopEmitter
    {
        public static void Emit(SourceWriter writer, KernelPlan plan, KernelPrecision precision)
        {
            string element = plan.Element, vectorType = plan.VectorType, vector = plan.Vector;
            string expShifted = PrecisionCode.ExpShifted(precision);
            string lastOffset = LayoutCode.Int(plan.LastOffset);

            EmitOperation(writer, plan, $"Softmax with {plan.Describe()}.", $"void Softmax{plan.Suffix}(ref {element} x, ref {element} y, nuint rows)", writesOutput: true, () =>
            {
                WritePass(
                    writer,
                    plan,
                    $"""
                    // Pass 2: e^(x - max) into the output, and its compensated sum (started at 1 per lane, taken off at the end).
                    {vectorType} sum = {vectorType}.One, compensation = default;
                    """,
                    $"""
                    {vectorType} e = {expShifted}({vector}.LoadUnsafe(ref xr, i), negatedMax);
                    e.StoreUnsafe(ref yr, i);
                    {SoftmaxMath.AccumulateExp}(e, ref sum, ref compensation);
                    """,
                    $"""
                    {vectorType} tailExp = {expShifted}(tail, negatedMax);
                    {SoftmaxMath.AccumulateExp}({LayoutCode.WithoutRepeatedLanes(plan, "tailExp")}, ref sum, ref compensation);
                    """);
                WritePass(
                    writer,
                    plan,
                    $"""
                    // Pass 3: {LayoutCode.NormaliseComment(plan)}.
                    {LayoutCode.NormaliserDeclaration(plan, $"{SoftmaxMath.TotalExp}(sum, compensation)")}
                    """,
                    $"({LayoutCode.Normalise(plan, $"{vector}.LoadUnsafe(ref yr, i)")}).StoreUnsafe(ref yr, i);",
                    $"({LayoutCode.Normalise(plan, "tailExp")}).StoreUnsafe(ref yr, {lastOffset});");
            });

            EmitOperation(writer, plan, $"Log-softmax with {plan.Describe()}.", $"void LogSoftmax{plan.Suffix}(ref {element} x, ref {element} y, nuint rows)", writesOutput: true, () =>
            {
                WriteSumPass(writer, plan, expShifted);
                WritePass(
                    writer,
                    plan,
                    $"""
                    // Pass 3: log-softmax = (x - high) - low, where high + low = max + ln(sum) exactly.
                    {SoftmaxMath.LogNormalizer}(max, {SoftmaxMath.TotalExp}(sum, compensation), out {element} high, out {element} low);
                    {vectorType} h = {vector}.Create(high), l = {vector}.Create(low);
                    """,
                    $"(({vector}.LoadUnsafe(ref xr, i) - h) - l).StoreUnsafe(ref yr, i);",
                    $"((tail - h) - l).StoreUnsafe(ref yr, {lastOffset});");
            });

            EmitOperation(writer, plan, $"Cross-entropy against class targets with {plan.Describe()}; returns the sum of the row losses.", $"double CrossEntropy{plan.Suffix}(ref {element} x, ReadOnlySpan<int> targets, Span<{element}> losses, nuint rows)", writesOutput: false, () =>
            {
                WriteSumPass(writer, plan, expShifted);
                LayoutCode.WriteRowLoss(writer, plan.IsFloat, $"{SoftmaxMath.TotalExp}(sum, compensation)");
            });
        }

        /// <summary>
        /// One operation: the loop over the rows, each row's reference (<c>xr</c>, and <c>yr</c> where it writes an output),
        /// its last vector and maximum, then <paramref name="writeRowRest"/>. An operation without an output sums the row losses.
        /// </summary>
        private static void EmitOperation(SourceWriter writer, KernelPlan plan, string summary, string signature, bool writesOutput, Action writeRowRest)
        {
            writer.WriteLine();
            writer.WriteLine($"/// <summary>{summary}</summary>");
            writer.WriteLine(LayoutCode.FirstCallOptimized);
            using (writer.OpenBlock($"private static {signature}"))
            {
                WriteRepeatedMask(writer, plan);
                if (!writesOutput)
                {
                    writer.WriteLine("double lossSum = 0;");
                }

                using (writer.OpenBlock("for (nuint row = 0; row < rows; row++)"))
                {
                    writer.WriteLine($"ref {plan.Element} xr = ref Unsafe.Add(ref x, row * C);");
                    if (writesOutput)
                    {
                        writer.WriteLine($"ref {plan.Element} yr = ref Unsafe.Add(ref y, row * C);");
                    }

                    WriteTailAndMax(writer, plan, writesOutput);
                    writeRowRest();
                }

                if (!writesOutput)
                {
                    writer.WriteLine();
                    writer.WriteLine("return lossSum;");
                }
            }
        }

        private static void WriteRepeatedMask(SourceWriter writer, KernelPlan plan)
        {
            int vectors = plan.VectorCount - 1;
            writer.WriteLine($"// {vectors} vectors at 0, {plan.Lanes}, ..., {(vectors - 1) * plan.Lanes}, then the last at {plan.LastOffset}, ending at the row's end.");
            if (plan.RepeatedLanes > 0)
            {
                int repeated = plan.RepeatedLanes;
                writer.WriteLine($"// Its {LayoutCode.Range(repeated == 1 ? "lane" : "lanes", 0, repeated - 1)} repeat{(repeated == 1 ? "s" : string.Empty)} {LayoutCode.Range(repeated == 1 ? "class" : "classes", plan.LastOffset, plan.LastOffset + repeated - 1)}: left out of the sum.");
                writer.WriteLine(LayoutCode.RepeatedMaskDeclaration(plan));
            }

            writer.WriteLine();
        }

        private static void WriteTailAndMax(SourceWriter writer, KernelPlan plan, bool writesOutput)
        {
            writer.WriteLine();
            writer.WriteLine(writesOutput && plan.RepeatedLanes > 0
                ? "// The last vector is loaded first: an in-place call overwrites part of it in the loops below."
                : "// The last vector of the row.");
            writer.WriteLine($"{plan.VectorType} tail = {plan.Vector}.LoadUnsafe(ref xr, {LayoutCode.Int(plan.LastOffset)});");
            WritePass(
                writer,
                plan,
                $"""
                // Pass 1: the row maximum, subtracted before exponentiating so that no logit can overflow.
                {plan.VectorType} maxes = tail;
                """,
                $"maxes = {plan.Vector}.MaxNative(maxes, {plan.Vector}.LoadUnsafe(ref xr, i));",
                $"""
                {plan.Element} max = {SoftmaxMath.MaxAcross}(maxes);
                {plan.VectorType} negatedMax = {plan.Vector}.Create(-max);
                """);
        }

        private static void WriteSumPass(SourceWriter writer, KernelPlan plan, string expShifted) =>
            WritePass(
                writer,
                plan,
                $"""
                // Pass 2: the compensated sum of e^(x - max) (started at 1 per lane, taken off at the end).
                {plan.VectorType} sum = {plan.VectorType}.One, compensation = default;
                """,
                $"{SoftmaxMath.AccumulateExp}({expShifted}({plan.Vector}.LoadUnsafe(ref xr, i), negatedMax), ref sum, ref compensation);",
                $"{SoftmaxMath.AccumulateExp}({LayoutCode.WithoutRepeatedLanes(plan, $"{expShifted}(tail, negatedMax)")}, ref sum, ref compensation);");

        /// <summary>
        /// One pass over the row: <paramref name="before"/> (a comment and declarations), then <paramref name="eachVector"/>
        /// for each vector before the last (index <c>i</c>), then <paramref name="lastVector"/> for the last one (<c>tail</c>).
        /// </summary>
        private static void WritePass(SourceWriter writer, KernelPlan plan, string before, string eachVector, string lastVector)
        {
            writer.WriteLine();
            writer.WriteLine(before);
            using (writer.OpenBlock($"for (nuint i = 0; i < {LayoutCode.Int(plan.LastOffset)}; i += {LayoutCode.Int(plan.Lanes)})"))
            {
                writer.WriteLine(eachVector);
            }

            writer.WriteLine();
            writer.WriteLine(lastVector);
        }
    }
}
