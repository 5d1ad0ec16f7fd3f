namespace SoftmaxGen;

/// <summary>How per-row losses are reduced to one number, as PyTorch's <c>reduction</c> argument.</summary>
public enum LossReduction
{
    /// <summary>The mean over the rows (PyTorch <c>reduction='mean'</c>, the default). The mean of zero rows is NaN.</summary>
    Mean,

    /// <summary>The sum over the rows (PyTorch <c>reduction='sum'</c>). The sum of zero rows is 0.</summary>
    Sum,

    /// <summary>
    /// The sum over all elements divided by the rows (PyTorch <c>reduction='batchmean'</c>), which only
    /// <see cref="SoftmaxPrimitives.KlDivergence(ReadOnlySpan{float}, ReadOnlySpan{float}, int, LossReduction, bool)"/>
    /// takes: the other losses reject it. The batch mean of zero rows is NaN.
    /// </summary>
    BatchMean,
}
