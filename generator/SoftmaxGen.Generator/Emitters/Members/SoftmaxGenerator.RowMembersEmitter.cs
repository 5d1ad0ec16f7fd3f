namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Writes the row operations on the user's type: softmax and log-softmax, which run the specialised kernel, and
    /// argmax, which is the runtime's.
    /// </summary>
    internal static class RowMembersEmitter
    {
        /// <inheritdoc cref="Emitter.MemberEmitter"/>
        public static void Emit(SourceWriter writer, int classes, string element, string kernel, KernelPrecision precision)
        {
            writer.WriteLine($$"""

                /// <summary>
                /// The softmax of each row of {{classes}} logits, as <c>F.softmax(logits, dim=1)</c> or Keras' <c>softmax</c> activation:
                /// <c>probabilities[r, j] = exp(logits[r, j]) / sum_k exp(logits[r, k])</c>, {{SoftmaxBound(precision)}}.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="probabilities">Receives <c>rows x {{classes}}</c> probabilities; may be the same memory as <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="probabilities"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void Softmax(global::System.ReadOnlySpan<{{element}}> logits, global::System.Span<{{element}}> probabilities)
                {
                    int rows = {{Global(SoftmaxGuard.Rows)}}(logits.Length, Classes, nameof(logits));
                    {{Global(SoftmaxGuard.SameShapeOutput)}}(logits, probabilities, nameof(logits), nameof(probabilities));
                    {{kernel}}.Softmax(logits, probabilities, rows);
                }

                /// <summary>
                /// The log-softmax of each row of {{classes}} logits, as <c>F.log_softmax(logits, dim=1)</c> or <c>tf.nn.log_softmax</c>:
                /// <c>logProbabilities[r, j] = logits[r, j] - log(sum_k exp(logits[r, k]))</c>.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="logProbabilities">Receives <c>rows x {{classes}}</c> log-probabilities; may be the same memory as <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="logProbabilities"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSoftmax(global::System.ReadOnlySpan<{{element}}> logits, global::System.Span<{{element}}> logProbabilities)
                {
                    int rows = {{Global(SoftmaxGuard.Rows)}}(logits.Length, Classes, nameof(logits));
                    {{Global(SoftmaxGuard.SameShapeOutput)}}(logits, logProbabilities, nameof(logits), nameof(logProbabilities));
                    {{kernel}}.LogSoftmax(logits, logProbabilities, rows);
                }

                /// <summary>The predicted class of each row of {{classes}} logits: the index of its first maximum, as <c>torch.argmax(logits, dim=1)</c> or <c>tf.argmax(logits, axis=1)</c> (NaN counts as the maximum).</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="predictions">Receives one class index per row.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="predictions"/> is shorter than the number of rows or overlaps <paramref name="logits"/>.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void Argmax(global::System.ReadOnlySpan<{{element}}> logits, global::System.Span<int> predictions)
                {
                    int rows = {{Global(SoftmaxGuard.Rows)}}(logits.Length, Classes, nameof(logits));
                    {{Global(SoftmaxGuard.Predictions)}}(logits, predictions, rows);
                    {{Global(SoftmaxFallback.ArgmaxCore)}}(logits, predictions, Classes);
                }
                """);
        }

        /// <summary>The accuracy of the generated softmax, for its documentation (the bounds of SoftmaxGen.SoftmaxPrecision).</summary>
        internal static string SoftmaxBound(KernelPrecision precision) =>
            precision == KernelPrecision.Fast
                ? "with <c>SoftmaxPrecision.Fast</c> within 4 ULP plus the rounding of <c>x - max</c> (a relative error of at most 4 ULP + |x - max| u, u = 2^-24 in float and 2^-53 in double) for outputs of at least 1e-30"
                : "within 4 ULP for outputs of at least 1e-30";
    }
}
