using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The lane operations the shared kernels are written against: one implementation of each algorithm,
/// instantiated for every vector width (and for a single scalar lane) through a struct type parameter,
/// which the JIT specialises and inlines.
/// </summary>
/// <typeparam name="TVec">The vector type (or <typeparamref name="T"/> itself for the scalar lane).</typeparam>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface ISimd<TVec, T>
    where TVec : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    static abstract TVec Splat(T value);

    static abstract TVec Load(ref T source, nuint offset);

    static abstract void Store(TVec value, ref T destination, nuint offset);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary><c>a * b + c</c>, fused where the hardware has it.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>The hardware maximum: fast, with no promise about NaN or signed zeros (callers do not need one).</summary>
    static abstract TVec MaxNative(TVec a, TVec b);

    /// <summary>All-ones lanes where <c>a &lt; b</c> (false for NaN).</summary>
    static abstract TVec LessThan(TVec a, TVec b);

    /// <summary><paramref name="value"/> with the lanes set in <paramref name="mask"/> cleared to +0.</summary>
    static abstract TVec AndNot(TVec value, TVec mask);

    /// <summary>
    /// <paramref name="p"/> 2^k rounded once, subnormal results included, for p in [0.7, 1.5] and integer k of at
    /// least -190 (float) or -1534 (double). <paramref name="z"/> is the value k was rounded in (<see cref="SoftmaxMath"/>'s
    /// rounding constant + k). With AVX-512 this is one scaling instruction (VSCALEF); elsewhere the low bits of z,
    /// shifted into the exponent field, give 2^(k + SingleScaleBias or DoubleScaleBias), an exact product, and the
    /// multiplication by the inverse of that bias rounds once. Both give the same bits.
    /// </summary>
    static abstract TVec ScaleByPowerOfTwo(TVec p, TVec k, TVec z);

    /// <summary>e^(x - max), given -max; see <see cref="SoftmaxMath.ExpShifted(Vector512{float}, Vector512{float})"/>.</summary>
    static abstract TVec ExpShifted(TVec x, TVec negatedMax);

    static abstract T MaxAcross(TVec v);

    /// <summary>The sum of the lanes, computed in double.</summary>
    static abstract double SumAcross(TVec v);

    /// <summary>Lanes that are set in a tail mask: a table of <see cref="Count"/> set lanes then <see cref="Count"/> clear ones.</summary>
    static abstract TVec FirstLanes(int count);
}

/// <summary>The bit-level step of the double logarithm (<see cref="SoftmaxMath.LogAtLeastOne{TOps, TVec}(TVec)"/>), for the double lanes.</summary>
/// <typeparam name="TVec">The vector type (or <see cref="double"/> itself for the scalar lane).</typeparam>
internal interface IDoubleBits<TVec>
    where TVec : struct
{
    /// <summary>
    /// Splits x = m 2^k with m in [sqrt(1/2), sqrt(2)): returns m and sets <paramref name="exponent"/> to k as a
    /// double. For finite x >= 1 (k >= 0, which the conversion of k relies on); other lanes get meaningless values.
    /// </summary>
    static abstract TVec SplitExponent(TVec x, out TVec exponent);
}

internal readonly struct ScalarF : ISimd<float, float>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float source, nuint offset) => Unsafe.Add(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxNative(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => Vector128.IsHardwareAccelerated ? Vector128.LessThan(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar() : a < b ? BitConverter.Int32BitsToSingle(-1) : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float AndNot(float value, float mask) => Vector128.IsHardwareAccelerated ? Vector128.AndNot(Vector128.CreateScalarUnsafe(value), Vector128.CreateScalarUnsafe(mask)).ToScalar() : BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) & ~BitConverter.SingleToInt32Bits(mask));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ScaleByPowerOfTwo(float p, float k, float z) => Avx512F.IsSupported ? Avx512F.ScaleScalar(Vector128.CreateScalarUnsafe(p), Vector128.CreateScalarUnsafe(k)).ToScalar() : p * BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(z) << 23) * SoftmaxMath.SingleUnscale;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ExpShifted(float x, float negatedMax) => SoftmaxMath.ExpShiftedSingle<ScalarF, float>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FirstLanes(int count) => count > 0 ? BitConverter.Int32BitsToSingle(-1) : 0f;
}

internal readonly struct ScalarD : ISimd<double, double>, IDoubleBits<double>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Splat(double value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Load(ref double source, nuint offset) => Unsafe.Add(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double value, ref double destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Subtract(double a, double b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Multiply(double a, double b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Divide(double a, double b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MultiplyAdd(double a, double b, double c) => double.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxNative(double a, double b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double LessThan(double a, double b) => Vector128.IsHardwareAccelerated ? Vector128.LessThan(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar() : a < b ? BitConverter.Int64BitsToDouble(-1) : 0d;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double AndNot(double value, double mask) => Vector128.IsHardwareAccelerated ? Vector128.AndNot(Vector128.CreateScalarUnsafe(value), Vector128.CreateScalarUnsafe(mask)).ToScalar() : BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(value) & ~BitConverter.DoubleToInt64Bits(mask));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ScaleByPowerOfTwo(double p, double k, double z) => Avx512F.IsSupported ? Avx512F.ScaleScalar(Vector128.CreateScalarUnsafe(p), Vector128.CreateScalarUnsafe(k)).ToScalar() : p * BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(z) << 52) * SoftmaxMath.DoubleUnscale;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SplitExponent(double x, out double exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        long k = (long)((ulong)(bits - SoftmaxMath.SqrtHalfBits) >> 52);
        exponent = BitConverter.Int64BitsToDouble(k + SoftmaxMath.TwoPow52Bits) - SoftmaxMath.TwoPow52;
        return BitConverter.Int64BitsToDouble(bits - (k << 52));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ExpShifted(double x, double negatedMax) => SoftmaxMath.ExpShiftedDouble<ScalarD, double>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(double v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(double v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double FirstLanes(int count) => count > 0 ? BitConverter.Int64BitsToDouble(-1) : 0d;
}

internal readonly struct Simd128F : ISimd<Vector128<float>, float>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxNative(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> AndNot(Vector128<float> value, Vector128<float> mask) => Vector128.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ScaleByPowerOfTwo(Vector128<float> p, Vector128<float> k, Vector128<float> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt32() << 23).AsSingle() * Vector128.Create(SoftmaxMath.SingleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ExpShifted(Vector128<float> x, Vector128<float> negatedMax) => SoftmaxMath.ExpShiftedSingle<Simd128F, Vector128<float>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector128<float> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector128<float> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> FirstLanes(int count) => Vector128.LoadUnsafe(ref SoftmaxMath.LaneMaskTableSingle, (nuint)(SoftmaxMath.LaneMaskWidth - count));
}

internal readonly struct Simd128D : ISimd<Vector128<double>, double>, IDoubleBits<Vector128<double>>
{
    public static int Count => Vector128<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Splat(double value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Load(ref double source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Add(Vector128<double> a, Vector128<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Subtract(Vector128<double> a, Vector128<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Multiply(Vector128<double> a, Vector128<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Divide(Vector128<double> a, Vector128<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> MaxNative(Vector128<double> a, Vector128<double> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> LessThan(Vector128<double> a, Vector128<double> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> AndNot(Vector128<double> value, Vector128<double> mask) => Vector128.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> ScaleByPowerOfTwo(Vector128<double> p, Vector128<double> k, Vector128<double> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt64() << 52).AsDouble() * Vector128.Create(SoftmaxMath.DoubleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> SplitExponent(Vector128<double> x, out Vector128<double> exponent)
    {
        // (bits - bits(sqrt(1/2))) >> 52 is k for x >= sqrt(1/2) (a logical shift: AVX2 has no 64-bit arithmetic one).
        Vector128<long> bits = x.AsInt64();
        Vector128<long> k = Vector128.ShiftRightLogical(bits - Vector128.Create(SoftmaxMath.SqrtHalfBits), 52);
        exponent = (k + Vector128.Create(SoftmaxMath.TwoPow52Bits)).AsDouble() - Vector128.Create(SoftmaxMath.TwoPow52);
        return (bits - Vector128.ShiftLeft(k, 52)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> ExpShifted(Vector128<double> x, Vector128<double> negatedMax) => SoftmaxMath.ExpShiftedDouble<Simd128D, Vector128<double>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(Vector128<double> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector128<double> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> FirstLanes(int count) => Vector128.LoadUnsafe(ref SoftmaxMath.LaneMaskTableDouble, (nuint)(SoftmaxMath.LaneMaskWidth - count));
}

internal readonly struct Simd256F : ISimd<Vector256<float>, float>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxNative(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> AndNot(Vector256<float> value, Vector256<float> mask) => Vector256.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ScaleByPowerOfTwo(Vector256<float> p, Vector256<float> k, Vector256<float> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt32() << 23).AsSingle() * Vector256.Create(SoftmaxMath.SingleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ExpShifted(Vector256<float> x, Vector256<float> negatedMax) => SoftmaxMath.ExpShiftedSingle<Simd256F, Vector256<float>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector256<float> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector256<float> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> FirstLanes(int count) => Vector256.LoadUnsafe(ref SoftmaxMath.LaneMaskTableSingle, (nuint)(SoftmaxMath.LaneMaskWidth - count));
}

internal readonly struct Simd256D : ISimd<Vector256<double>, double>, IDoubleBits<Vector256<double>>
{
    public static int Count => Vector256<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Splat(double value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Divide(Vector256<double> a, Vector256<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MaxNative(Vector256<double> a, Vector256<double> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> LessThan(Vector256<double> a, Vector256<double> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> AndNot(Vector256<double> value, Vector256<double> mask) => Vector256.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ScaleByPowerOfTwo(Vector256<double> p, Vector256<double> k, Vector256<double> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt64() << 52).AsDouble() * Vector256.Create(SoftmaxMath.DoubleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> SplitExponent(Vector256<double> x, out Vector256<double> exponent)
    {
        // (bits - bits(sqrt(1/2))) >> 52 is k for x >= sqrt(1/2) (a logical shift: AVX2 has no 64-bit arithmetic one).
        Vector256<long> bits = x.AsInt64();
        Vector256<long> k = Vector256.ShiftRightLogical(bits - Vector256.Create(SoftmaxMath.SqrtHalfBits), 52);
        exponent = (k + Vector256.Create(SoftmaxMath.TwoPow52Bits)).AsDouble() - Vector256.Create(SoftmaxMath.TwoPow52);
        return (bits - Vector256.ShiftLeft(k, 52)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ExpShifted(Vector256<double> x, Vector256<double> negatedMax) => SoftmaxMath.ExpShiftedDouble<Simd256D, Vector256<double>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(Vector256<double> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector256<double> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> FirstLanes(int count) => Vector256.LoadUnsafe(ref SoftmaxMath.LaneMaskTableDouble, (nuint)(SoftmaxMath.LaneMaskWidth - count));
}

internal readonly struct Simd512F : ISimd<Vector512<float>, float>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxNative(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> AndNot(Vector512<float> value, Vector512<float> mask) => Vector512.ConditionalSelect(mask, Vector512<float>.Zero, value); // the same bits; a comparison's mask then stays in a mask register (one masked blend)
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ScaleByPowerOfTwo(Vector512<float> p, Vector512<float> k, Vector512<float> z) => Avx512F.IsSupported ? Avx512F.Scale(p, k) : p * (z.AsInt32() << 23).AsSingle() * Vector512.Create(SoftmaxMath.SingleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ExpShifted(Vector512<float> x, Vector512<float> negatedMax) => SoftmaxMath.ExpShiftedSingle<Simd512F, Vector512<float>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector512<float> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> FirstLanes(int count) => Vector512.LoadUnsafe(ref SoftmaxMath.LaneMaskTableSingle, (nuint)(SoftmaxMath.LaneMaskWidth - count));
}

internal readonly struct Simd512D : ISimd<Vector512<double>, double>, IDoubleBits<Vector512<double>>
{
    public static int Count => Vector512<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Splat(double value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Divide(Vector512<double> a, Vector512<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MaxNative(Vector512<double> a, Vector512<double> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> LessThan(Vector512<double> a, Vector512<double> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> AndNot(Vector512<double> value, Vector512<double> mask) => Vector512.ConditionalSelect(mask, Vector512<double>.Zero, value); // the same bits; a comparison's mask then stays in a mask register (one masked blend)
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ScaleByPowerOfTwo(Vector512<double> p, Vector512<double> k, Vector512<double> z) => Avx512F.IsSupported ? Avx512F.Scale(p, k) : p * (z.AsInt64() << 52).AsDouble() * Vector512.Create(SoftmaxMath.DoubleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> SplitExponent(Vector512<double> x, out Vector512<double> exponent)
    {
        // (bits - bits(sqrt(1/2))) >> 52 is k for x >= sqrt(1/2) (a logical shift: AVX2 has no 64-bit arithmetic one).
        Vector512<long> bits = x.AsInt64();
        Vector512<long> k = Vector512.ShiftRightLogical(bits - Vector512.Create(SoftmaxMath.SqrtHalfBits), 52);
        exponent = (k + Vector512.Create(SoftmaxMath.TwoPow52Bits)).AsDouble() - Vector512.Create(SoftmaxMath.TwoPow52);
        return (bits - Vector512.ShiftLeft(k, 52)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ExpShifted(Vector512<double> x, Vector512<double> negatedMax) => SoftmaxMath.ExpShiftedDouble<Simd512D, Vector512<double>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(Vector512<double> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector512<double> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> FirstLanes(int count) => Vector512.LoadUnsafe(ref SoftmaxMath.LaneMaskTableDouble, (nuint)(SoftmaxMath.LaneMaskWidth - count));
}
