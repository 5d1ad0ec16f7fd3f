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
        private const string Guard = "global::SoftmaxGen.Kernels.SoftmaxGuard";
        private const string Fallback = "global::SoftmaxGen.Kernels.SoftmaxFallback";
        private const string Reduction = "global::SoftmaxGen.LossReduction";

        private static readonly string GeneratedCode = $"[global::System.CodeDom.Compiler.GeneratedCode(\"SoftmaxGen.Generator\", \"{Emitter.Version}\")]";

        /// <summary>Writes the members for element type <paramref name="t"/> ("float" or "double").</summary>
        /// <param name="w">The writer, inside the user's type.</param>
        /// <param name="c">The class count.</param>
        /// <param name="t">The element type keyword.</param>
        /// <param name="kernel">The fully qualified kernel class.</param>
        public static void Emit(SourceWriter w, int c, string t, string kernel)
        {
            string span = $"global::System.ReadOnlySpan<{t}>";
            string output = $"global::System.Span<{t}>";
            string targets = "global::System.ReadOnlySpan<int>";
            string cast = t == "float" ? "(float)" : string.Empty;
            string epsilon = t == "float" ? "1e-7f" : "1e-7";
            string options = $"{span} classWeights = default, int ignoreIndex = -100, {t} labelSmoothing = 0";
            const string OptionDocs = """
                /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none; as in PyTorch, a weight enters only through the rows that target its class unless <paramref name="labelSmoothing"/> is above 0.</param>
                /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100): rows with this target count for nothing.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                """;

            w.WriteLine($$"""

                /// <summary>
                /// The cross-entropy of rows of {{c}} logits against class-index targets, reduced over the rows, as
                /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=..., label_smoothing=labelSmoothing)</c>:
                /// row r contributes <c>(1 - eps) * w[t] * -lp[r, t] + eps / {{c}} * sum_j w[j] * -lp[r, j]</c> with <c>lp = log_softmax(logits)</c>;
                /// the mean divides by the summed weight of the counted rows (NaN when none counts).
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="targets">One class index in <c>[0, {{c}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="reduction">The mean (the default) or the sum.</param>
                {{OptionDocs}}
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">The length of <paramref name="logits"/> is not a multiple of {{c}}, <paramref name="targets"/> does not hold one value per row, or <paramref name="classWeights"/> is neither empty nor {{c}} long.</exception>
                {{GeneratedCode}}
                public static {{t}} CrossEntropy({{span}} logits, {{targets}} targets, {{Reduction}} reduction = {{Reduction}}.Mean, {{options}})
                {
                    int rows = {{Guard}}.Rows(logits.Length, Classes, nameof(logits));
                    {{Guard}}.Reduction(reduction);
                    return {{Guard}}.CrossEntropyOptions(targets, rows, Classes, classWeights, ignoreIndex, labelSmoothing)
                        ? {{cast}}{{Guard}}.Reduce({{kernel}}.CrossEntropy(logits, targets, default, rows), rows, reduction)
                        : {{cast}}{{Fallback}}.CrossEntropyCore(logits, targets, default, default, rows, Classes, reduction, classWeights, ignoreIndex, labelSmoothing);
                }

                /// <summary>
                /// The cross-entropy of each row of {{c}} logits against its class-index target, as
                /// <c>F.cross_entropy(logits, targets, weight=classWeights, ignore_index=ignoreIndex, reduction='none', label_smoothing=labelSmoothing)</c>;
                /// an ignored row gets 0.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="targets">One class index in <c>[0, {{c}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="losses">Receives one loss per row; must not overlap <paramref name="logits"/>, <paramref name="targets"/> or <paramref name="classWeights"/>.</param>
                {{OptionDocs}}
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
                {{GeneratedCode}}
                public static void CrossEntropy({{span}} logits, {{targets}} targets, {{output}} losses, {{options}})
                {
                    int rows = {{Guard}}.Rows(logits.Length, Classes, nameof(logits));
                    bool plain = {{Guard}}.CrossEntropyOptions(targets, rows, Classes, classWeights, ignoreIndex, labelSmoothing);
                    {{Guard}}.PerRowLosses(logits, targets, classWeights, losses, rows);
                    if (plain)
                    {
                        {{kernel}}.CrossEntropy(logits, targets, losses, rows);
                    }
                    else
                    {
                        {{Fallback}}.CrossEntropyCore(logits, targets, losses.Slice(0, rows), default, rows, Classes, {{Reduction}}.Sum, classWeights, ignoreIndex, labelSmoothing);
                    }
                }

                /// <summary>
                /// The cross-entropy of rows of {{c}} logits against class-index targets and its gradient with respect to the logits,
                /// in one call: PyTorch's autograd of <c>F.cross_entropy(logits, targets, ...)</c>, that is
                /// <c>s * ((1 - eps) * w[t] * (p[j] - [j == t]) + eps / {{c}} * (W * p[j] - w[j]))</c> with p the softmax, W the summed weights and s
                /// the reduction's scale; ignored rows get a zero gradient.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="targets">One class index in <c>[0, {{c}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/>, but may not partly overlap it.</param>
                /// <param name="reduction">The mean (the default) or the sum.</param>
                {{OptionDocs}}
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
                {{GeneratedCode}}
                public static {{t}} CrossEntropyWithGradient({{span}} logits, {{targets}} targets, {{output}} logitsGradient, {{Reduction}} reduction = {{Reduction}}.Mean, {{options}})
                    => {{Fallback}}.CrossEntropyWithGradient({{kernel}}.Instance, logits, targets, logitsGradient, Classes, reduction, classWeights, ignoreIndex, labelSmoothing);

                /// <summary>
                /// The cross-entropy of rows of {{c}} logits against target probabilities, reduced over the rows, as
                /// <c>F.cross_entropy(logits, targetProbabilities, label_smoothing=labelSmoothing)</c> or TensorFlow's
                /// <c>softmax_cross_entropy_with_logits</c>: row r contributes <c>-sum_j t'[r, j] * log_softmax(logits)[r, j]</c> with <c>t' = (1 - eps) * t + eps / {{c}}</c>.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{c}}</c> target probabilities.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{GeneratedCode}}
                public static {{t}} CrossEntropy({{span}} logits, {{span}} targetProbabilities, {{Reduction}} reduction = {{Reduction}}.Mean, {{t}} labelSmoothing = 0)
                    => {{Fallback}}.CrossEntropy(logits, targetProbabilities, Classes, reduction, labelSmoothing);

                /// <summary>
                /// The cross-entropy of each row of {{c}} logits against its target probabilities, as
                /// <c>F.cross_entropy(logits, targetProbabilities, reduction='none', label_smoothing=labelSmoothing)</c>.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{c}}</c> target probabilities.</param>
                /// <param name="losses">Receives one loss per row; must not overlap either input.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="losses"/> is too short or overlaps an input.</exception>
                {{GeneratedCode}}
                public static void CrossEntropy({{span}} logits, {{span}} targetProbabilities, {{output}} losses, {{t}} labelSmoothing = 0)
                    => {{Fallback}}.CrossEntropy(logits, targetProbabilities, losses, Classes, labelSmoothing);

                /// <summary>
                /// The cross-entropy of rows of {{c}} logits against target probabilities and its gradient with respect to the logits in one
                /// fused pass per row, as PyTorch's autograd gives it: <c>s * (p[j] * sum_k t'[k] - t'[j])</c>, s = 1 / rows for the mean, 1 for the sum.
                /// </summary>
                /// <param name="logits">Row-major <c>rows x {{c}}</c> logits.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{c}}</c> target probabilities.</param>
                /// <param name="logitsGradient">Receives dLoss/dLogits; may be the same memory as <paramref name="logits"/>, must not overlap <paramref name="targetProbabilities"/>.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="labelSmoothing">PyTorch's <c>label_smoothing</c>, in [0, 1].</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined, or <paramref name="labelSmoothing"/> is not in [0, 1].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="logitsGradient"/> is too short or overlaps an input other than in place.</exception>
                {{GeneratedCode}}
                public static {{t}} CrossEntropyWithGradient({{span}} logits, {{span}} targetProbabilities, {{output}} logitsGradient, {{Reduction}} reduction = {{Reduction}}.Mean, {{t}} labelSmoothing = 0)
                    => {{Fallback}}.CrossEntropyWithGradient(logits, targetProbabilities, logitsGradient, Classes, reduction, labelSmoothing);

                /// <summary>
                /// The negative log-likelihood of rows of {{c}} log-probabilities against class-index targets, as
                /// <c>F.nll_loss(logProbabilities, targets, weight=classWeights, ignore_index=ignoreIndex, reduction=...)</c>.
                /// </summary>
                /// <param name="logProbabilities">Row-major <c>rows x {{c}}</c> log-probabilities.</param>
                /// <param name="targets">One class index in <c>[0, {{c}})</c> (or <paramref name="ignoreIndex"/>) per row.</param>
                /// <param name="reduction">The mean (the default; it divides by the summed weight of the counted rows) or the sum.</param>
                /// <param name="classWeights">PyTorch's <c>weight</c>: one weight per class, or empty (the default) for none.</param>
                /// <param name="ignoreIndex">PyTorch's <c>ignore_index</c> (default -100).</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, or <paramref name="reduction"/> is not defined.</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{GeneratedCode}}
                public static {{t}} NllLoss({{span}} logProbabilities, {{targets}} targets, {{Reduction}} reduction = {{Reduction}}.Mean, {{span}} classWeights = default, int ignoreIndex = -100)
                    => {{Fallback}}.NllLoss(logProbabilities, targets, Classes, reduction, classWeights, ignoreIndex);

                /// <summary>
                /// Keras' <c>categorical_crossentropy(y_true, y_pred, from_logits=False)</c> of rows of {{c}} probabilities: each row divided by its sum,
                /// clipped to <c>[epsilon, 1 - epsilon]</c>, then <c>-sum_j targetProbabilities[r, j] * log(p[r, j])</c>.
                /// </summary>
                /// <param name="probabilities">Row-major <c>rows x {{c}}</c> predicted probabilities.</param>
                /// <param name="targetProbabilities">Row-major <c>rows x {{c}}</c> target probabilities.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="epsilon">The clipping bound, in [0, 0.5]; Keras' default 1e-7.</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="reduction"/> is not defined, or <paramref name="epsilon"/> is not in [0, 0.5].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{GeneratedCode}}
                public static {{t}} CrossEntropyFromProbabilities({{span}} probabilities, {{span}} targetProbabilities, {{Reduction}} reduction = {{Reduction}}.Mean, {{t}} epsilon = {{epsilon}})
                    => {{Fallback}}.CrossEntropyFromProbabilities(probabilities, targetProbabilities, Classes, reduction, epsilon);

                /// <summary>
                /// Keras' <c>sparse_categorical_crossentropy(y_true, y_pred, from_logits=False)</c> of rows of {{c}} probabilities: row r contributes
                /// <c>-log(p[r, targets[r]])</c> with p the row divided by its sum and clipped to <c>[epsilon, 1 - epsilon]</c>.
                /// </summary>
                /// <param name="probabilities">Row-major <c>rows x {{c}}</c> predicted probabilities.</param>
                /// <param name="targets">One class index in <c>[0, {{c}})</c> per row.</param>
                /// <param name="reduction">The mean over the rows (the default) or the sum.</param>
                /// <param name="epsilon">The clipping bound, in [0, 0.5]; Keras' default 1e-7.</param>
                /// <returns>The reduced loss.</returns>
                /// <exception cref="global::System.ArgumentOutOfRangeException">A target is out of range, <paramref name="reduction"/> is not defined, or <paramref name="epsilon"/> is not in [0, 0.5].</exception>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape.</exception>
                {{GeneratedCode}}
                public static {{t}} CrossEntropyFromProbabilities({{span}} probabilities, {{targets}} targets, {{Reduction}} reduction = {{Reduction}}.Mean, {{t}} epsilon = {{epsilon}})
                    => {{Fallback}}.CrossEntropyFromProbabilities(probabilities, targets, Classes, reduction, epsilon);

                /// <summary>
                /// The backward pass of softmax over rows of {{c}}: <c>inputGradient[r, j] = y[r, j] * (g[r, j] - sum_k g[r, k] * y[r, k])</c>,
                /// PyTorch's autograd of <c>F.softmax(x, dim=1)</c>.
                /// </summary>
                /// <param name="probabilities">Row-major <c>rows x {{c}}</c> softmax outputs y.</param>
                /// <param name="outputGradient">dLoss/dProbabilities g, as long as <paramref name="probabilities"/>.</param>
                /// <param name="inputGradient">Receives dLoss/dLogits; may be the same memory as either input.</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="inputGradient"/> is too short or partly overlaps an input.</exception>
                {{GeneratedCode}}
                public static void SoftmaxGradient({{span}} probabilities, {{span}} outputGradient, {{output}} inputGradient)
                    => {{Fallback}}.SoftmaxGradient(probabilities, outputGradient, inputGradient, Classes);

                /// <summary>
                /// The backward pass of log-softmax over rows of {{c}}: <c>inputGradient[r, j] = g[r, j] - exp(y[r, j]) * sum_k g[r, k]</c>,
                /// PyTorch's autograd of <c>F.log_softmax(x, dim=1)</c>.
                /// </summary>
                /// <param name="logProbabilities">Row-major <c>rows x {{c}}</c> log-softmax outputs y.</param>
                /// <param name="outputGradient">dLoss/dLogProbabilities g, as long as <paramref name="logProbabilities"/>.</param>
                /// <param name="inputGradient">Receives dLoss/dLogits; may be the same memory as either input.</param>
                /// <exception cref="global::System.ArgumentException">A length does not match the shape, or <paramref name="inputGradient"/> is too short or partly overlaps an input.</exception>
                {{GeneratedCode}}
                public static void LogSoftmaxGradient({{span}} logProbabilities, {{span}} outputGradient, {{output}} inputGradient)
                    => {{Fallback}}.LogSoftmaxGradient(logProbabilities, outputGradient, inputGradient, Classes);
                """);
        }
    }
}
