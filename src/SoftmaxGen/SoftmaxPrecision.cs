namespace SoftmaxGen;

/// <summary>
/// Which exponential an operation uses. Both subtract the row maximum, so both are stable for every finite input and
/// keep PyTorch's NaN and infinity semantics; they differ in the last bits and in speed.
/// </summary>
public enum SoftmaxPrecision
{
    /// <summary>
    /// The default: softmax within 4 ULP of the correctly rounded result (outputs of at least 1e-30), log-softmax
    /// within 4 ULP of max(|result|, 1). The rounding of x - max is recovered, so the bound holds however far a logit
    /// lies below the row maximum.
    /// </summary>
    Exact,

    /// <summary>
    /// A shorter exponential (no recovery of the rounding of x - max, a clamp instead of a mask), and in long rows four
    /// exponentials added before they join the compensated sum. Each softmax output p_i of at least 1e-30 (1e-300 in
    /// double) has a relative error of at most 4 ULP + u (|x_i - max| + sum_j p_j |x_j - max|), u = 2^-24 (2^-53 in
    /// double): the rounding of x - max, which PyTorch and ONNX Runtime also incur, in the output and, weighted by
    /// the probabilities, in the sum (that second term is at most u ln C). Smaller outputs may lose more, and subnormal
    /// ones may be flushed to zero. Log-softmax is within 4 ULP of max(|v|, 1) plus the same two terms in absolute
    /// value; log-sum-exp within 4 ULP of max(|v|, 1) plus the second; cross-entropy within 1e-6 of max(loss, 1).
    /// </summary>
    Fast,
}
