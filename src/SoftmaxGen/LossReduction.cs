namespace SoftmaxGen;

/// <summary>How per-row losses are reduced to one number, as PyTorch's <c>reduction</c> argument.</summary>
public enum LossReduction
{
    /// <summary>The mean over the rows (PyTorch <c>reduction='mean'</c>, the default). The mean of zero rows is NaN.</summary>
    Mean,

    /// <summary>The sum over the rows (PyTorch <c>reduction='sum'</c>). The sum of zero rows is 0.</summary>
    Sum,
}
