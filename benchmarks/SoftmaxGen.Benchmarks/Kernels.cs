namespace SoftmaxGen.Benchmarks;

// The generated kernels measured by the benchmarks: one per class count. The SoftmaxGen generator adds
// Softmax, LogSoftmax, CrossEntropy and Argmax for float and double, specialised to the class count.

[SoftmaxKernel(3)]
internal static partial class Kernel3;

[SoftmaxKernel(10)]
internal static partial class Kernel10;

[SoftmaxKernel(100)]
internal static partial class Kernel100;

[SoftmaxKernel(1000)]
internal static partial class Kernel1000;
