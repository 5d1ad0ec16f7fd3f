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
    /// A shorter exponential (no recovery of the rounding of x - max, a clamp instead of a mask): each
    /// softmax output within 4 ULP plus the rounding of x - max (relative error at most 4 ULP + |x - max| 2^-24 in
    /// float, 2^-53 in double), the error PyTorch and ONNX Runtime also incur; log-softmax within 4 ULP of
    /// max(|result|, 1) plus that rounding; cross-entropy within 1e-6 relative to max(loss, 1).
    /// </summary>
    Fast,
}
