namespace SoftmaxGen.Generator;

/// <summary>Names of the pipeline steps, so tests can check what each run recomputed.</summary>
public static class TrackingNames
{
    /// <summary>The step that turns each attributed declaration into a <c>KernelSpec</c>.</summary>
    public const string Kernels = nameof(Kernels);

    /// <summary>The step that collects every kernel, to tell apart file names equal but for case.</summary>
    public const string AllKernels = nameof(AllKernels);

    /// <summary>The step that gives each kernel its final, unique file name: the input of the source output.</summary>
    public const string Files = nameof(Files);
}
