namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// The column layout is the runtime's (shared with the fallback): one call per operation with the class count; the
    /// runtime computes the last rows (fewer than a block, or a single row) as a padded block, so generated and fallback
    /// give every row the same bits wherever it sits in a batch.
    /// </summary>
    internal static class ColumnEmitter
    {
        public static void Emit(SourceWriter writer, KernelPlan plan, KernelPrecision precision)
        {
            string element = plan.Element;
            string precisionArgument = PrecisionCode.Argument(precision);
            writer.WriteLine();
            writer.WriteLine($"/// <summary>Softmax with {plan.Describe()} (the runtime's column layout, shared with the fallback).</summary>");
            writer.WriteLine($"private static void Softmax{plan.Suffix}(ReadOnlySpan<{element}> logits, Span<{element}> probabilities, int rows) => {ColumnLayout.Softmax}{plan.Bits}(logits, probabilities, rows, C{precisionArgument});");
            writer.WriteLine();
            writer.WriteLine($"/// <summary>Log-softmax with {plan.Describe()} (the runtime's column layout, shared with the fallback).</summary>");
            writer.WriteLine($"private static void LogSoftmax{plan.Suffix}(ReadOnlySpan<{element}> logits, Span<{element}> logProbabilities, int rows) => {ColumnLayout.LogSoftmax}{plan.Bits}(logits, logProbabilities, rows, C{precisionArgument});");
            writer.WriteLine();
            writer.WriteLine($"/// <summary>Cross-entropy against class targets with {plan.Describe()}; returns the sum of the row losses.</summary>");
            writer.WriteLine($"private static double CrossEntropy{plan.Suffix}(ReadOnlySpan<{element}> logits, ReadOnlySpan<int> targets, Span<{element}> losses, int rows) => {ColumnLayout.CrossEntropy}{plan.Bits}(logits, targets, losses, rows, C{precisionArgument});");
        }
    }
}
