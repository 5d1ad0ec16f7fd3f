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

// The same lanes with the exponential of SoftmaxPrecision.Fast, where code names them (the column layout's entry points, the last rows).
global using FastScalarD = SoftmaxGen.Kernels.Scalar<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.FastPrecision>;
global using FastScalarF = SoftmaxGen.Kernels.Scalar<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;
global using FastSimd256D = SoftmaxGen.Kernels.Simd256<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.FastPrecision>;
global using FastSimd256F = SoftmaxGen.Kernels.Simd256<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;
global using FastSimd512D = SoftmaxGen.Kernels.Simd512<double, SoftmaxGen.Kernels.DoubleLanes, SoftmaxGen.Kernels.FastPrecision>;
global using FastSimd512F = SoftmaxGen.Kernels.Simd512<float, SoftmaxGen.Kernels.SingleLanes, SoftmaxGen.Kernels.FastPrecision>;
