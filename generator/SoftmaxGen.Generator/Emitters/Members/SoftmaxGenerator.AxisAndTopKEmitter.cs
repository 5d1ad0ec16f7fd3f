using SoftmaxGen.Generator.Model;

namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Writes the members of the user's type beyond the row operations: softmax and log-softmax over a middle axis
    /// (<c>[outer, C, innerSize]</c>) and top-k. They validate like the row members and call the runtime's shared
    /// code with the constant class count; an <c>innerSize</c> of 1 runs the type's own specialised row kernel.
    /// </summary>
    internal static class AxisAndTopKEmitter
    {
        private const string Guard = "global::SoftmaxGen.Kernels.SoftmaxGuard";
        private const string Fallback = "global::SoftmaxGen.Kernels.SoftmaxFallback";

        /// <summary>Writes the members for element type <paramref name="t"/> (<c>float</c> or <c>double</c>).</summary>
        public static void EmitUserMembers(SourceWriter w, KernelSpec spec, string t, string generatedCode)
        {
            int c = spec.Classes;
            w.WriteLine();
            w.WriteLine($$"""
                /// <summary>
                /// The softmax over the middle axis of <c>[outer, {{c}}, innerSize]</c> data, as <c>F.softmax(x, dim=1)</c> on an NCHW
                /// tensor with {{c}} channels (<c>innerSize</c> = H x W) or <c>nn.Softmax2d</c>: each position's {{c}} values, <c>innerSize</c> apart, are normalised.
                /// Vectorised across positions; within 4 ULP for outputs of at least 1e-30; <c>innerSize</c> = 1 is the row form.
                /// </summary>
                /// <param name="input">Row-major <c>outer x {{c}} x innerSize</c> values.</param>
                /// <param name="output">Receives the probabilities in the same layout; may be the same memory as <paramref name="input"/>.</param>
                /// <param name="innerSize">The number of positions after the class axis (H x W), at least 1.</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="innerSize"/> is below 1.</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="input"/> is not a multiple of {{c}} x <paramref name="innerSize"/>, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
                {{generatedCode}}
                public static void Softmax(global::System.ReadOnlySpan<{{t}}> input, global::System.Span<{{t}}> output, int innerSize)
                {
                    int outer = {{Guard}}.AxisOuter(input.Length, Classes, innerSize, nameof(input));
                    {{Guard}}.SameShapeOutput(input, output, nameof(input), nameof(output));
                    if (innerSize == 1)
                    {
                        Softmax(input, output);
                    }
                    else
                    {
                        {{Fallback}}.SoftmaxAxisCore(input, output, outer, Classes, innerSize);
                    }
                }

                /// <summary>
                /// The log-softmax over the middle axis of <c>[outer, {{c}}, innerSize]</c> data, as <c>F.log_softmax(x, dim=1)</c> on an NCHW
                /// tensor with {{c}} channels. Vectorised across positions; <c>innerSize</c> = 1 is the row form.
                /// </summary>
                /// <param name="input">Row-major <c>outer x {{c}} x innerSize</c> values.</param>
                /// <param name="output">Receives the log-probabilities in the same layout; may be the same memory as <paramref name="input"/>.</param>
                /// <param name="innerSize">The number of positions after the class axis (H x W), at least 1.</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="innerSize"/> is below 1.</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="input"/> is not a multiple of {{c}} x <paramref name="innerSize"/>, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
                {{generatedCode}}
                public static void LogSoftmax(global::System.ReadOnlySpan<{{t}}> input, global::System.Span<{{t}}> output, int innerSize)
                {
                    int outer = {{Guard}}.AxisOuter(input.Length, Classes, innerSize, nameof(input));
                    {{Guard}}.SameShapeOutput(input, output, nameof(input), nameof(output));
                    if (innerSize == 1)
                    {
                        LogSoftmax(input, output);
                    }
                    else
                    {
                        {{Fallback}}.LogSoftmaxAxisCore(input, output, outer, Classes, innerSize);
                    }
                }

                /// <summary>
                /// The <paramref name="k"/> most probable of the {{c}} classes of each row, most probable first, with their softmax probabilities,
                /// as <c>torch.topk(F.softmax(logits, dim=1), k)</c>, without writing the full softmax. Equal logits: the lower index first.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="k">The number of classes per row, from 1 to {{c}}.</param>
                /// <param name="indices">Receives row-major <c>rows x k</c> class indices.</param>
                /// <param name="probabilities">Receives row-major <c>rows x k</c> probabilities; must not overlap <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="k"/> is below 1 or above {{c}}.</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{c}}, or an output is shorter than <c>rows x k</c> or overlaps an input.</exception>
                {{generatedCode}}
                public static void TopK(global::System.ReadOnlySpan<{{t}}> logits, int k, global::System.Span<int> indices, global::System.Span<{{t}}> probabilities)
                {
                    int rows = {{Guard}}.Rows(logits.Length, Classes, nameof(logits));
                    {{Guard}}.TopK(k, Classes);
                    {{Guard}}.TopKOutputs(logits, indices, probabilities, rows, k);
                    {{Fallback}}.TopKCore(logits, k, indices, probabilities, rows, Classes);
                }
                """);
        }
    }
}
