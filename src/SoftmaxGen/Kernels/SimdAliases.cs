// The lane structs by the names the kernels use: one generic struct per width, closed over the element type and
// the exact exponential (VectorDispatch closes them over either precision).
// SoftmaxGen.Tests compiles this file too.
global using ScalarD = SoftmaxGen.Kernels.Scalar<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using ScalarF = SoftmaxGen.Kernels.Scalar<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using Simd128D = SoftmaxGen.Kernels.Simd128<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using Simd128F = SoftmaxGen.Kernels.Simd128<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using Simd256D = SoftmaxGen.Kernels.Simd256<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using Simd256F = SoftmaxGen.Kernels.Simd256<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using Simd512D = SoftmaxGen.Kernels.Simd512<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.ExactPrecision>;
global using Simd512F = SoftmaxGen.Kernels.Simd512<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.ExactPrecision>;
