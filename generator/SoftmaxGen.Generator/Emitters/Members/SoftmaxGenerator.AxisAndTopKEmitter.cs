namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Writes softmax and log-softmax over a middle axis (<c>[outer, C, innerSize]</c>), top-k and log-sum-exp on the user's type.
    /// They validate like the row members and call the runtime's shared code with the constant class count; an
    /// <c>innerSize</c> of 1 runs the type's own specialised row kernel.
    /// </summary>
    internal static class AxisAndTopKEmitter
    {
        /// <inheritdoc cref="Emitter.MemberEmitter"/>
        public static void Emit(SourceWriter writer, int classes, string element, string kernel, KernelPrecision precision)
        {
            string precisionArgument = PrecisionCode.Argument(precision);
            writer.WriteLine();
            WriteAxisMember(writer, classes, element, precisionArgument, "Softmax", SoftmaxFallback.SoftmaxAxisCore, "probabilities", $"""
                /// The softmax over the middle axis of <c>[outer, {classes}, innerSize]</c> data, as <c>F.softmax(x, dim=1)</c> on an NCHW
                /// tensor with {classes} channels (<c>innerSize</c> = H x W) or <c>nn.Softmax2d</c>: each position's {classes} values, <c>innerSize</c> apart, are normalised.
                /// Vectorised across positions; {RowMembersEmitter.SoftmaxBound(precision)}; <c>innerSize</c> = 1 is the row form.
                """);
            writer.WriteLine();
            WriteAxisMember(writer, classes, element, precisionArgument, "LogSoftmax", SoftmaxFallback.LogSoftmaxAxisCore, "log-probabilities", $"""
                /// The log-softmax over the middle axis of <c>[outer, {classes}, innerSize]</c> data, as <c>F.log_softmax(x, dim=1)</c> on an NCHW
                /// tensor with {classes} channels. Vectorised across positions; <c>innerSize</c> = 1 is the row form.
                """);
            writer.WriteLine();
            writer.WriteLine($$"""
                /// <summary>
                /// The <paramref name="k"/> most probable of the {{classes}} classes of each row, most probable first, with their softmax probabilities,
                /// as <c>torch.topk(F.softmax(logits, dim=1), k)</c>, without writing the full softmax. Equal logits: the lower index first.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="k">The number of classes per row, from 1 to {{classes}}.</param>
                /// <param name="indices">Receives row-major <c>rows x k</c> class indices.</param>
                /// <param name="probabilities">Receives row-major <c>rows x k</c> probabilities; must not overlap <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="k"/> is below 1 or above {{classes}}.</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or an output is shorter than <c>rows x k</c> or overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void TopK(global::System.ReadOnlySpan<{{element}}> logits, int k, global::System.Span<int> indices, global::System.Span<{{element}}> probabilities)
                {
                    int rows = {{Global(SoftmaxGuard.Rows)}}(logits.Length, Classes, nameof(logits));
                    {{Global(SoftmaxGuard.TopK)}}(k, Classes);
                    {{Global(SoftmaxGuard.TopKOutputs)}}(logits, indices, probabilities, rows, k);
                    {{Global(SoftmaxFallback.TopKCore)}}(logits, k, indices, probabilities, rows, Classes{{precisionArgument}});
                }

                /// <summary>
                /// log(sum(e^x)) of each row of {{classes}} logits, as <c>torch.logsumexp(logits, dim=1)</c>: stable for every finite input;
                /// NaN for a row with a NaN, +inf for a row with +inf, -inf for a row of only -inf.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="results">Receives one value per row; must not overlap <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="results"/> is shorter than the number of rows or overlaps <paramref name="logits"/>.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSumExp(global::System.ReadOnlySpan<{{element}}> logits, global::System.Span<{{element}}> results)
                    => {{Global(SoftmaxFallback.LogSumExp)}}(logits, results, Classes{{precisionArgument}});
                """);
        }

        /// <summary>
        /// The middle-axis overload of the row member <paramref name="name"/>: the row member where <c>innerSize</c> is 1,
        /// else the runtime's <paramref name="axisCore"/>.
        /// </summary>
        private static void WriteAxisMember(SourceWriter writer, int classes, string element, string precisionArgument, string name, string axisCore, string outputs, string summary)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine(summary);
            writer.WriteLine($$"""
                /// </summary>
                /// <param name="input">Row-major <c>outer x {{classes}} x innerSize</c> values.</param>
                /// <param name="output">Receives the {{outputs}} in the same layout; may be the same memory as <paramref name="input"/>.</param>
                /// <param name="innerSize">The number of positions after the class axis (H x W), at least 1.</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="innerSize"/> is below 1.</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="input"/> is not a multiple of {{classes}} x <paramref name="innerSize"/>, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void {{name}}(global::System.ReadOnlySpan<{{element}}> input, global::System.Span<{{element}}> output, int innerSize)
                {
                    int outer = {{Global(SoftmaxGuard.AxisOuter)}}(input.Length, Classes, innerSize, nameof(input));
                    {{Global(SoftmaxGuard.SameShapeOutput)}}(input, output, nameof(input), nameof(output));
                    if (innerSize == 1)
                    {
                        {{name}}(input, output);
                    }
                    else
                    {
                        {{Global(axisCore)}}(input, output, outer, Classes, innerSize{{precisionArgument}});
                    }
                }
                """);
        }
    }
}
