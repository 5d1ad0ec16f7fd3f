namespace SoftmaxGen.Generator;

public sealed partial class SoftmaxGenerator
{
    /// <summary>
    /// Writes the loss family on the user's type: cross-entropy with PyTorch's options (the option-free case runs the
    /// specialised kernel), probability targets, the fused loss and gradient, NLL, Keras' cross-entropy from
    /// probabilities and the softmax backward passes. All but the option-free cross-entropy validate and compute in the
    /// runtime's <c>SoftmaxFallback</c> with the constant class count, so generated and runtime results are identical.
    /// </summary>
    internal static class LossEmitter
    {
        /// <inheritdoc cref="Emitter.MemberEmitter"/>
        /// <remarks>
        /// The cross-entropies and their gradients exponentiate, so their runtime forwards get the kernel's precision (and
        /// the fused gradient requires the kernel it is handed to compute in it); NLL, the losses from probabilities and
        /// the softmax backward passes take none.
        /// </remarks>
        public static void Emit(SourceWriter writer, int classes, string element, string kernel, KernelPrecision precision)
        {
            string precisionArgument = PrecisionCode.Argument(precision);
            string span = $"global::System.ReadOnlySpan<{element}>";
            string output = $"global::System.Span<{element}>";
            string targets = "global::System.ReadOnlySpan<int>";
            string cast = element == "float" ? "(float)" : string.Empty;
            string epsilon = element == "float" ? "1e-7f" : "1e-7";
            string options = $"{span} classWeights = default, int ignoreIndex = -100, {element} labelSmoothing = 0";
            const string OptionDocs = """
                /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none; as in PyTorch, a weight enters only through the rows that target its class unless <paramref name="labelSmoothing"/> is above 0.</param>
                /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): rows with this target count for nothing.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                """;

            writer.WriteLine($$"""

                /// <summary>
                /// The cross-entropy of rows of {{classes}} logits against class-index targets, reduced over the rows, as
                /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=..., label_smoothing=labelSmoothing)</c>:
                /// row r contributes <c>(1 - eps) * w[t] * -lp[r, t] + eps / {{classes}} * sum_j w[j] * -lp[r, j]</c> with <c>lp = log_softmax(logits)</c>;
                /// the mean divides by the summed weight of the counted rows (NaN when none counts).
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targets">One class index in <c>[0, {{classes}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="reduction">The mean (the default) or the sum.</param>
                {{OptionDocs}}
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{classes}}, <paramref name="targets"/> does not hold one value per row, or <paramref name="classWeights"/> is neither empty nor {{classes}} long.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} CrossEntropy({{span}} logits, {{targets}} targets, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{options}})
                {
                    int rows = {{Global(SoftmaxGuard.Rows)}}(logits.Length, Classes, nameof(logits));
                    {{Global(SoftmaxGuard.Reduction)}}(reduction);
                    return {{Global(SoftmaxGuard.CrossEntropyOptions)}}(targets, rows, Classes, classWeights, ignoreIndex, labelSmoothing)
                        ? {{cast}}{{Global(SoftmaxGuard.Reduce)}}({{kernel}}.CrossEntropy(logits, targets, default, rows), rows, reduction)
                        : {{cast}}{{Global(SoftmaxFallback.CrossEntropyCore)}}(logits, targets, default, default, rows, Classes, reduction, classWeights, ignoreIndex, labelSmoothing{{precisionArgument}});
                }

                /// <summary>
                /// The cross-entropy of each row of {{classes}} logits against its class-index target, as
                /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction='none', label_smoothing=labelSmoothing)</c>;
                /// an ignored row gets 0.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targets">One class index in <c>[0, {{classes}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="losses">Receives one loss per row; must not overlap <paramref name="logits"/>, <paramref name="targets"/> or <paramref name="classWeights"/>.</param>
                {{OptionDocs}}
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void CrossEntropy({{span}} logits, {{targets}} targets, {{output}} losses, {{options}})
                {
                    int rows = {{Global(SoftmaxGuard.Rows)}}(logits.Length, Classes, nameof(logits));
                    bool plain = {{Global(SoftmaxGuard.CrossEntropyOptions)}}(targets, rows, Classes, classWeights, ignoreIndex, labelSmoothing);
                    {{Global(SoftmaxGuard.PerRowLosses)}}(logits, targets, classWeights, losses, rows);
                    if (plain)
                    {
                        {{kernel}}.CrossEntropy(logits, targets, losses, rows);
                    }
                    else
                    {
                        {{Global(SoftmaxFallback.CrossEntropyCore)}}(logits, targets, losses.Slice(0, rows), default, rows, Classes, {{LossReduction.Sum}}, classWeights, ignoreIndex, labelSmoothing{{precisionArgument}});
                    }
                }

                /// <summary>
                /// The cross-entropy of rows of {{classes}} logits against class-index targets and its gradient with respect to the logits,
                /// in one call: PyTorch's autograd of <c>F.cross_entropy(logits, targets, ...)</c>, that is
                /// <c>s * ((1 - eps) * w[t] * (p[j] - [j == t]) + eps / {{classes}} * (W * p[j] - w[j]))</c> with p the softmax, W the summed weights and s
                /// the reduction's scale; ignored rows get a zero gradient.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targets">One class index in <c>[0, {{classes}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
                /// <param name="reduction">The mean (the default) or the sum.</param>
                {{OptionDocs}}
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} CrossEntropyWithGradient({{span}} logits, {{targets}} targets, {{output}} logitsGradient, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{options}})
                    => {{Global(SoftmaxFallback.CrossEntropyWithGradient)}}({{kernel}}.Instance, logits, targets, logitsGradient, Classes, reduction, classWeights, ignoreIndex, labelSmoothing{{precisionArgument}});

                /// <summary>
                /// The cross-entropy of rows of {{classes}} logits against target probabilities, reduced over the rows, as
                /// <c>F.cross_entropy(logits, targetProbabilities, label_smoothing=labelSmoothing)</c> or TensorFlow's
                /// <c>softmax_cross_entropy_with_logits</c>: row r contributes <c>-sum_j t'[r, j] * log_softmax(logits)[r, j]</c> with <c>t' = (1 - eps) * t + eps / {{classes}}</c>.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{classes}}</c> target probabilities.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} CrossEntropy({{span}} logits, {{span}} targetProbabilities, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{element}} labelSmoothing = 0)
                    => {{Global(SoftmaxFallback.CrossEntropy)}}(logits, targetProbabilities, Classes, reduction, labelSmoothing{{precisionArgument}});

                /// <summary>
                /// The cross-entropy of each row of {{classes}} logits against its target probabilities, as
                /// <c>F.cross_entropy(logits, targetProbabilities, reduction='none', label_smoothing=labelSmoothing)</c>.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{classes}}</c> target probabilities.</param>
                /// <param name="losses">Receives one loss per row; must not overlap either input.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void CrossEntropy({{span}} logits, {{span}} targetProbabilities, {{output}} losses, {{element}} labelSmoothing = 0)
                    => {{Global(SoftmaxFallback.CrossEntropy)}}(logits, targetProbabilities, losses, Classes, labelSmoothing{{precisionArgument}});

                /// <summary>
                /// The cross-entropy of rows of {{classes}} logits against target probabilities and its gradient with respect to the logits in one
                /// fused pass per row, as PyTorch's autograd gives it: <c>s * (p[j] * sum_k t'[k] - t'[j])</c>, s = 1 / rows for the mean, 1 for the sum.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{classes}}</c> logits.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{classes}}</c> target probabilities.</param>
                /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/>, must not overlap <paramref name="targetProbabilities"/>.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} CrossEntropyWithGradient({{span}} logits, {{span}} targetProbabilities, {{output}} logitsGradient, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{element}} labelSmoothing = 0)
                    => {{Global(SoftmaxFallback.CrossEntropyWithGradient)}}(logits, targetProbabilities, logitsGradient, Classes, reduction, labelSmoothing{{precisionArgument}});

                /// <summary>
                /// The negative log-likelihood of rows of {{classes}} log-probabilities against class-index targets, as
                /// <c>F.nll_loss(logProbabilities, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=...)</c>.
                /// </summary>
                /// <param name="logProbabilities">Row-major <c>rows x {{classes}}</c> log-probabilities.</param>
                /// <param name="targets">One class index in <c>[0, {{classes}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="reduction">The mean (the default; it divides by the summed weight of the counted rows) or the sum.</param>
                /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
                /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, or <paramref name="reduction"/> is not defined.</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} NllLoss({{span}} logProbabilities, {{targets}} targets, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{span}} classWeights = default, int ignoreIndex = -100)
                    => {{Global(SoftmaxFallback.NllLoss)}}(logProbabilities, targets, Classes, reduction, classWeights, ignoreIndex);

                /// <summary>
                /// Keras' <c>categorical_crossentropy(y_true, y_pred, from_logits=False)</c> of rows of {{classes}} probabilities: each row divided by its sum,
                /// clipped to <c>[epsilon, 1 - epsilon]</c>, then <c>-sum_j targetProbabilities[r, j] * log(p[r, j])</c>.
                /// </summary>
                /// <param name="probabilities">Row-major <c>rows x {{classes}}</c> predicted probabilities.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{classes}}</c> target probabilities.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="epsilon">The clipping bound, in [0, 0.5]; Keras' default 1e-7.</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined, or <paramref name="epsilon"/> is not in [0, 0.5].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} CrossEntropyFromProbabilities({{span}} probabilities, {{span}} targetProbabilities, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{element}} epsilon = {{epsilon}})
                    => {{Global(SoftmaxFallback.CrossEntropyFromProbabilities)}}(probabilities, targetProbabilities, Classes, reduction, epsilon);

                /// <summary>
                /// Keras' <c>sparse_categorical_crossentropy(y_true, y_pred, from_logits=False)</c> of rows of {{classes}} probabilities: row r contributes
                /// <c>-log(p[r, targets[r]])</c> with p the row divided by its sum and clipped to <c>[epsilon, 1 - epsilon]</c>.
                /// </summary>
                /// <param name="probabilities">Row-major <c>rows x {{classes}}</c> predicted probabilities.</param>
                /// <param name="targets">One class index in <c>[0, {{classes}})</c> per row.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="epsilon">The clipping bound, in [0, 0.5]; Keras' default 1e-7.</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="epsilon"/> is not in [0, 0.5].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static {{element}} CrossEntropyFromProbabilities({{span}} probabilities, {{targets}} targets, {{LossReduction.Type}} reduction = {{LossReduction.Mean}}, {{element}} epsilon = {{epsilon}})
                    => {{Global(SoftmaxFallback.CrossEntropyFromProbabilities)}}(probabilities, targets, Classes, reduction, epsilon);

                /// <summary>
                /// The backward pass of softmax over rows of {{classes}}: <c>inputGradient[r, j] = y[r, j] * (g[r, j] - sum_k g[r, k] * y[r, k])</c>,
                /// PyTorch's autograd of <c>F.softmax(x, dim=1)</c>.
                /// </summary>
                /// <param name="probabilities">Row-major <c>rows x {{classes}}</c> softmax outputs y.</param>
                /// <param name="outputGradient">dLoss/dProbabilities g, as long as <paramref name="probabilities"/>.</param>
                /// <param name="inputGradient">Receives dLoss/dLogits; may be the same memory as either input.</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="inputGradient"/> is too short or partly overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void SoftmaxGradient({{span}} probabilities, {{span}} outputGradient, {{output}} inputGradient)
                    => {{Global(SoftmaxFallback.SoftmaxGradient)}}(probabilities, outputGradient, inputGradient, Classes);

                /// <summary>
                /// The backward pass of log-softmax over rows of {{classes}}: <c>inputGradient[r, j] = g[r, j] - exp(y[r, j]) * sum_k g[r, k]</c>,
                /// PyTorch's autograd of <c>F.log_softmax(x, dim=1)</c>.
                /// </summary>
                /// <param name="logProbabilities">Row-major <c>rows x {{classes}}</c> log-softmax outputs y.</param>
                /// <param name="outputGradient">dLoss/dLogProbabilities g, as long as <paramref name="logProbabilities"/>.</param>
                /// <param name="inputGradient">Receives dLoss/dLogits; may be the same memory as either input.</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="inputGradient"/> is too short or partly overlaps an input.</exception>
                {{Emitter.GeneratedCodeAttribute}}
                public static void LogSoftmaxGradient({{span}} logProbabilities, {{span}} outputGradient, {{output}} inputGradient)
                    => {{Global(SoftmaxFallback.LogSoftmaxGradient)}}(logProbabilities, outputGradient, inputGradient, Classes);
                """);
        }
    }
}
