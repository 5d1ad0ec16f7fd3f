namespace SoftmaxGen.Generator;

/// <summary>Names of the pipeline steps, so tests can check what each run recomputed.</summary>
public static class TrackingNames
{
    /// <summary>The step that turns each attributed declaration into a <c>KernelSpec</c>.</summary>
    public const string Kernels = nameof(Kernels);
}
