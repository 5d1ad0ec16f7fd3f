namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Writes the <see cref="System.Half"/> members on the user's type (fp16 logits). They forward to the runtime's
    /// Half overloads of <c>SoftmaxPrimitives</c> with the constant class count and the kernel's precision: those
    /// validate, convert blocks of rows to float and run the float kernel registered for the count (this type's, when
    /// it registered first), so no Half code is generated per kernel.
    /// </summary>
    internal static class HalfMembersEmitter
    {
        /// <summary>Writes the members for <paramref name="classes"/> classes, passing <paramref name="precision"/> on.</summary>
        public static void Emit(SourceWriter writer, int classes, KernelPrecision precision)
        {
            string p = PrecisionCode.Argument(precision);
            string primitives = $"global::{RuntimeNames.RootNamespace}.{RuntimeNames.SoftmaxPrimitives.Name}";
            const string Half = "global::System.Half";
            const string Reduction = "global::SoftmaxGen.LossReduction";
            writer.WriteLine($$"""

                // ---- Half logits: computed in float by the runtime, Half outputs rounded once (within 1 Half ULP) ----

                /// <summary>The softmax of each row of {{classes}} Half logits, computed in float and rounded once to Half (within 1 Half ULP).</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="probabilities">Receives <c>rows x {{classes}}</c> probabilities; may be the same memory as <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="probabilities"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void Softmax(global::System.ReadOnlySpan<{{Half}}> logits, global::System.Span<{{Half}}> probabilities)
                    => {{primitives}}.Softmax(logits, probabilities, Classes{{p}});

                /// <summary>The softmax of each row of {{classes}} Half logits, in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="probabilities">Receives <c>rows x {{classes}}</c> probabilities; separate memory.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="probabilities"/> is shorter or overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void Softmax(global::System.ReadOnlySpan<{{Half}}> logits, global::System.Span<float> probabilities)
                    => {{primitives}}.Softmax(logits, probabilities, Classes{{p}});

                /// <summary>The log-softmax of each row of {{classes}} Half logits, computed in float and rounded once to Half (below -65504 it is -inf).</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="logProbabilities">Receives <c>rows x {{classes}}</c> log-probabilities; may be the same memory as <paramref name="logits"/>.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="logProbabilities"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSoftmax(global::System.ReadOnlySpan<{{Half}}> logits, global::System.Span<{{Half}}> logProbabilities)
                    => {{primitives}}.LogSoftmax(logits, logProbabilities, Classes{{p}});

                /// <summary>The log-softmax of each row of {{classes}} Half logits, in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="logProbabilities">Receives <c>rows x {{classes}}</c> log-probabilities; separate memory.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="logProbabilities"/> is shorter or overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSoftmax(global::System.ReadOnlySpan<{{Half}}> logits, global::System.Span<float> logProbabilities)
                    => {{primitives}}.LogSoftmax(logits, logProbabilities, Classes{{p}});

                /// <summary>The predicted class of each row of {{classes}} Half logits (the first maximum; NaN counts as the maximum).</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="predictions">Receives one class index per row.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="predictions"/> is too short or overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void Argmax(global::System.ReadOnlySpan<{{Half}}> logits, global::System.Span<int> predictions)
                    => {{primitives}}.Argmax(logits, predictions, Classes);

                /// <summary>The cross-entropy of {{classes}} Half logits per row against class targets, computed in float, as <c>F.cross_entropy</c>.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targets">One class index per row, in <c>[0, {{classes}})</c> or equal to <paramref name="ignoreIndex"/>.</param>
                /// <param name="reduction">Mean (the default) or sum.</param>
                /// <param name="classWeights">{{classes}} class weights, or empty for none.</param>
                /// <param name="ignoreIndex">Rows with this target count for nothing.</param>
                /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or an option is out of range.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static float CrossEntropy(global::System.ReadOnlySpan<{{Half}}> logits, global::System.ReadOnlySpan<int> targets, {{Reduction}} reduction = {{Reduction}}.Mean, global::System.ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0)
                    => {{primitives}}.CrossEntropy(logits, targets, Classes, reduction, classWeights, ignoreIndex, labelSmoothing{{p}});

                /// <summary>The cross-entropy of {{classes}} Half logits per row and its gradient (rounded once to Half), computed in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targets">One class index per row, in <c>[0, {{classes}})</c> or equal to <paramref name="ignoreIndex"/>.</param>
                /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/>.</param>
                /// <param name="reduction">Mean (the default) or sum.</param>
                /// <param name="classWeights">{{classes}} class weights, or empty for none.</param>
                /// <param name="ignoreIndex">Rows with this target count for nothing.</param>
                /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, an option is out of range, or <paramref name="logitsGradient"/> overlaps an input other than in place.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static float CrossEntropyWithGradient(global::System.ReadOnlySpan<{{Half}}> logits, global::System.ReadOnlySpan<int> targets, global::System.Span<{{Half}}> logitsGradient, {{Reduction}} reduction = {{Reduction}}.Mean, global::System.ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0)
                    => {{primitives}}.CrossEntropyWithGradient(logits, targets, logitsGradient, Classes, reduction, classWeights, ignoreIndex, labelSmoothing{{p}});

                /// <summary>The cross-entropy of each row of {{classes}} Half logits against its class target, in float (0 for an ignored row).</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targets">One class index per row, in <c>[0, {{classes}})</c> or equal to <paramref name="ignoreIndex"/>.</param>
                /// <param name="losses">Receives one loss per row; must not overlap an input.</param>
                /// <param name="classWeights">{{classes}} class weights, or empty for none.</param>
                /// <param name="ignoreIndex">Rows with this target get loss 0.</param>
                /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, an option is out of range, or <paramref name="losses"/> overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void CrossEntropy(global::System.ReadOnlySpan<{{Half}}> logits, global::System.ReadOnlySpan<int> targets, global::System.Span<float> losses, global::System.ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100, float labelSmoothing = 0)
                    => {{primitives}}.CrossEntropy(logits, targets, losses, Classes, classWeights, ignoreIndex, labelSmoothing{{p}});

                /// <summary>The cross-entropy of {{classes}} Half logits per row against Half target probabilities, computed in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targetProbabilities">One distribution over the {{classes}} classes per row.</param>
                /// <param name="reduction">Mean (the default) or sum.</param>
                /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or an option is out of range.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static float CrossEntropy(global::System.ReadOnlySpan<{{Half}}> logits, global::System.ReadOnlySpan<{{Half}}> targetProbabilities, {{Reduction}} reduction = {{Reduction}}.Mean, float labelSmoothing = 0)
                    => {{primitives}}.CrossEntropy(logits, targetProbabilities, Classes, reduction, labelSmoothing{{p}});

                /// <summary>The cross-entropy of each row of {{classes}} Half logits against its Half target probabilities, in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targetProbabilities">One distribution over the {{classes}} classes per row.</param>
                /// <param name="losses">Receives one loss per row; must not overlap an input.</param>
                /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, an option is out of range, or <paramref name="losses"/> overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void CrossEntropy(global::System.ReadOnlySpan<{{Half}}> logits, global::System.ReadOnlySpan<{{Half}}> targetProbabilities, global::System.Span<float> losses, float labelSmoothing = 0)
                    => {{primitives}}.CrossEntropy(logits, targetProbabilities, losses, Classes, labelSmoothing{{p}});

                /// <summary>The cross-entropy of {{classes}} Half logits per row against Half target probabilities and its gradient (rounded once to Half), computed in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targetProbabilities">One distribution over the {{classes}} classes per row.</param>
                /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/>.</param>
                /// <param name="reduction">Mean (the default) or sum.</param>
                /// <param name="labelSmoothing">The label smoothing, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, an option is out of range, or <paramref name="logitsGradient"/> overlaps an input other than in place.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static float CrossEntropyWithGradient(global::System.ReadOnlySpan<{{Half}}> logits, global::System.ReadOnlySpan<{{Half}}> targetProbabilities, global::System.Span<{{Half}}> logitsGradient, {{Reduction}} reduction = {{Reduction}}.Mean, float labelSmoothing = 0)
                    => {{primitives}}.CrossEntropyWithGradient(logits, targetProbabilities, logitsGradient, Classes, reduction, labelSmoothing{{p}});

                /// <summary>The negative log-likelihood of {{classes}} Half log-probabilities per row against class targets, in float, as <c>F.nll_loss</c>.</summary>
                /// <param name="logProbabilities">Row-major <c>rows x {{classes}}</c> log-probabilities.</param>
                /// <param name="targets">One class index per row, in <c>[0, {{classes}})</c> or equal to <paramref name="ignoreIndex"/>.</param>
                /// <param name="reduction">Mean (the default) or sum.</param>
                /// <param name="classWeights">{{classes}} class weights, or empty for none.</param>
                /// <param name="ignoreIndex">Rows with this target count for nothing.</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or a target is out of range.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static float NllLoss(global::System.ReadOnlySpan<{{Half}}> logProbabilities, global::System.ReadOnlySpan<int> targets, {{Reduction}} reduction = {{Reduction}}.Mean, global::System.ReadOnlySpan<float> classWeights = default, int ignoreIndex = -100)
                    => {{primitives}}.NllLoss(logProbabilities, targets, Classes, reduction, classWeights, ignoreIndex);

                /// <summary>The softmax over the middle axis of <c>[outer, {{classes}}, innerSize]</c> Half data (PyTorch's <c>dim=1</c>), computed in float and rounded once to Half.</summary>
                /// <param name="input">Row-major <c>[outer, {{classes}}, innerSize]</c> values.</param>
                /// <param name="output">Receives the result; may be the same memory as <paramref name="input"/>.</param>
                /// <param name="innerSize">The number of positions after the axis, at least 1.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="input"/> is not a whole number of planes, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void Softmax(global::System.ReadOnlySpan<{{Half}}> input, global::System.Span<{{Half}}> output, int innerSize)
                    => {{primitives}}.Softmax(input, output, Classes, innerSize{{p}});

                /// <summary>The log-softmax over the middle axis of <c>[outer, {{classes}}, innerSize]</c> Half data, computed in float and rounded once to Half.</summary>
                /// <param name="input">Row-major <c>[outer, {{classes}}, innerSize]</c> values.</param>
                /// <param name="output">Receives the result; may be the same memory as <paramref name="input"/>.</param>
                /// <param name="innerSize">The number of positions after the axis, at least 1.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="input"/> is not a whole number of planes, or <paramref name="output"/> is shorter or partly overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSoftmax(global::System.ReadOnlySpan<{{Half}}> input, global::System.Span<{{Half}}> output, int innerSize)
                    => {{primitives}}.LogSoftmax(input, output, Classes, innerSize{{p}});

                /// <summary>The <paramref name="k"/> most probable of the {{classes}} classes of each row of Half logits, with their probabilities in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="k">The number of classes per row, from 1 to {{classes}}.</param>
                /// <param name="indices">Receives row-major <c>rows x k</c> class indices.</param>
                /// <param name="probabilities">Receives row-major <c>rows x k</c> probabilities.</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, <paramref name="k"/> is out of range, or an output overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void TopK(global::System.ReadOnlySpan<{{Half}}> logits, int k, global::System.Span<int> indices, global::System.Span<float> probabilities)
                    => {{primitives}}.TopK(logits, k, indices, probabilities, Classes{{p}});

                /// <summary>log(sum(e^x)) of each row of {{classes}} Half logits, in float.</summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="results">Receives one value per row.</param>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, or <paramref name="results"/> is too short or overlaps it.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSumExp(global::System.ReadOnlySpan<{{Half}}> logits, global::System.Span<float> results)
                    => {{primitives}}.LogSumExp(logits, results, Classes{{p}});
                """);
        }
    }
}
