namespace SoftmaxGen.Generator;

/// <summary>
/// The names of the runtime (src/SoftmaxGen) that generated code, the analyzers and the code fixes write, each spelled
/// once. Names of namespace <c>SoftmaxGen.Kernels</c> are as written inside it, where the kernel class lives; code
/// on the user's type writes them through <see cref="Global"/>.
/// </summary>
internal static class RuntimeNames
{
    public const string RootNamespace = "SoftmaxGen";

    /// <summary>The runtime's namespace for generated code, where the kernel class is declared too.</summary>
    public const string KernelNamespace = RootNamespace + ".Kernels";

    public const string KernelAttributeMetadataName = RootNamespace + ".SoftmaxKernelAttribute";

    /// <summary>The attribute as the code fix writes it, before simplification.</summary>
    public const string KernelAttribute = "global::" + RootNamespace + ".SoftmaxKernel";

    /// <summary>A name of namespace <c>SoftmaxGen.Kernels</c> as code outside it writes it.</summary>
    public static string Global(string kernelNamespaceName) => $"global::{KernelNamespace}.{kernelNamespaceName}";

    public static class SoftmaxPrimitives
    {
        public const string MetadataName = RootNamespace + ".SoftmaxPrimitives";
        public const string Name = "SoftmaxPrimitives";
        public const string Softmax = "Softmax";
        public const string LogSoftmax = "LogSoftmax";
        public const string CrossEntropy = "CrossEntropy";
        public const string Argmax = "Argmax";

        /// <summary>The class-count parameter of the members above.</summary>
        public const string ClassesParameter = "classes";

        /// <summary>The precision parameter of the members above that have one (the generated members take none: the kernel type has its own).</summary>
        public const string PrecisionParameter = "precision";
    }

    /// <summary>The loss reduction enum, in the root namespace; only the user's type names it.</summary>
    public static class LossReduction
    {
        public const string Type = "global::" + RootNamespace + ".LossReduction";
        public const string Mean = Type + ".Mean";
        public const string Sum = Type + ".Sum";
    }

    /// <summary>The precision enum, in the root namespace; generated code names it from <c>global::</c> wherever it is.</summary>
    public static class SoftmaxPrecision
    {
        public const string Type = "global::" + RootNamespace + ".SoftmaxPrecision";
        public const string Fast = Type + ".Fast";
    }

    /// <summary>The argument checks of the generated public members.</summary>
    public static class SoftmaxGuard
    {
        private const string Name = "SoftmaxGuard";
        public const string Rows = Name + ".Rows";
        public const string AxisOuter = Name + ".AxisOuter";
        public const string SameShapeOutput = Name + ".SameShapeOutput";
        public const string Predictions = Name + ".Predictions";
        public const string Reduction = Name + ".Reduction";
        public const string Reduce = Name + ".Reduce";
        public const string CrossEntropyOptions = Name + ".CrossEntropyOptions";
        public const string PerRowLosses = Name + ".PerRowLosses";
        public const string TopK = Name + ".TopK";
        public const string TopKOutputs = Name + ".TopKOutputs";
    }

    /// <summary>The runtime's own implementations, which generated members call where they do not specialise.</summary>
    public static class SoftmaxFallback
    {
        private const string Name = "SoftmaxFallback";
        public const string SoftmaxCore = Name + ".SoftmaxCore";
        public const string LogSoftmaxCore = Name + ".LogSoftmaxCore";
        public const string CrossEntropyCore = Name + ".CrossEntropyCore";
        public const string ArgmaxCore = Name + ".ArgmaxCore";
        public const string SoftmaxAxisCore = Name + ".SoftmaxAxisCore";
        public const string LogSoftmaxAxisCore = Name + ".LogSoftmaxAxisCore";
        public const string TopKCore = Name + ".TopKCore";
        public const string CrossEntropy = Name + ".CrossEntropy";
        public const string CrossEntropyWithGradient = Name + ".CrossEntropyWithGradient";
        public const string NllLoss = Name + ".NllLoss";
        public const string CrossEntropyFromProbabilities = Name + ".CrossEntropyFromProbabilities";
        public const string SoftmaxGradient = Name + ".SoftmaxGradient";
        public const string LogSoftmaxGradient = Name + ".LogSoftmaxGradient";
        public const string LogSumExp = Name + ".LogSumExp";
    }

    /// <summary>The base class of every generated kernel class and the members it overrides.</summary>
    public static class SoftmaxKernel
    {
        public const string Name = "SoftmaxKernel";
        public const string SoftmaxRows = "SoftmaxRows";
        public const string LogSoftmaxRows = "LogSoftmaxRows";
        public const string CrossEntropyRows = "CrossEntropyRows";
        public const string ArgmaxRows = "ArgmaxRows";
        public const string ScaledSoftmaxRows = "ScaledSoftmaxRows";
        public const string RegisterKernel = "RegisterKernel";
    }

    /// <summary>The arithmetic generated kernels and the fallback share.</summary>
    public static class SoftmaxMath
    {
        public const string Name = "SoftmaxMath";
        public const string ExpShifted = Name + ".ExpShifted";
        public const string ExpShiftedFast = Name + ".ExpShiftedFast";
        public const string AccumulateExp = Name + ".AccumulateExp";
        public const string Total = Name + ".Total";
        public const string TotalExp = Name + ".TotalExp";
        public const string MaxAcross = Name + ".MaxAcross";
        public const string Reciprocal = Name + ".Reciprocal";
        public const string LogNormalizer = Name + ".LogNormalizer";
        public const string LogNormalizerFast = Name + ".LogNormalizerFast";
        public const string LogNormalizers = Name + ".LogNormalizers";
        public const string LogNormalizersFast = Name + ".LogNormalizersFast";
        public const string RowLoss = Name + ".RowLoss";
    }

    /// <summary><c>SoftmaxKernel.ColumnLayout</c>: the column layout's entry points, protected for generated kernels.</summary>
    public static class ColumnLayout
    {
        /// <summary>The type, whose <c>Softmax</c>, <c>LogSoftmax</c> and <c>CrossEntropy</c> the dispatch calls by the names of its own entry points.</summary>
        public const string Name = "ColumnLayout";

        public const string SoftmaxLastRows = Name + ".SoftmaxLastRows";
        public const string LogSoftmaxLastRows = Name + ".LogSoftmaxLastRows";
        public const string CrossEntropyLastRows = Name + ".CrossEntropyLastRows";
    }

    /// <summary><c>SoftmaxKernel.BlockMemory</c>: the block layout's transposes and losses, protected for generated kernels.</summary>
    public static class BlockMemory
    {
        private const string Name = "BlockMemory";
        public const string LoadClassQuad = Name + ".LoadClassQuad";
        public const string StoreClassQuad = Name + ".StoreClassQuad";
        public const string BlockLosses = Name + ".BlockLosses";
    }
}
