namespace SoftmaxGen;

/// <summary>What an attention row gets when its mask leaves no position (every score -inf).</summary>
public enum MaskedRowResult
{
    /// <summary>Zeros in every output of the row (softmax and log-softmax alike): the row attends to nothing, as many attention kernels treat it.</summary>
    Zeros,

    /// <summary>NaN in every output of the row: PyTorch's softmax of a row of -inf (<c>F.scaled_dot_product_attention</c> gives NaN too).</summary>
    NaN,
}
