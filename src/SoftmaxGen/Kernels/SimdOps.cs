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

    /// <summary>The precision of <see cref="ExpShifted"/>.</summary>
    static abstract SoftmaxPrecision Precision { get; }

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

    /// <summary>All-ones lanes where <c>a == b</c> (false for NaN, true for -0 and +0).</summary>
    static abstract TVec Equal(TVec a, TVec b);

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

    /// <summary>The sign bit of each lane, lane 0 in bit 0: for a comparison's mask, one bit per lane that is set.</summary>
    static abstract ulong MaskBits(TVec mask);

    /// <summary>
    /// Lane-wise <c>max + ln(sum + compensation)</c>, the sum started at 1 (taken off here), as a high and a low part
    /// whose sum is exact; each lane gets the bits of the scalar form, in either precision.
    /// </summary>
    static abstract void LogNormalizer(TVec max, TVec sum, TVec compensation, out TVec high, out TVec low);
}

/// <summary>
/// Which exponential the lanes use, as a type argument (the JIT folds <see cref="IsFast"/> to a constant): the lane
/// structs take one, so that a kernel written once over <see cref="ISimd{TVec, T}"/> runs in either precision.
/// </summary>
internal interface IPrecision
{
    static abstract bool IsFast { get; }

    /// <summary>The public enumeration value.</summary>
    static abstract SoftmaxPrecision Value { get; }
}

/// <summary><see cref="SoftmaxPrecision.Exact"/>.</summary>
internal readonly struct ExactPrecision : IPrecision
{
    public static bool IsFast => false;

    public static SoftmaxPrecision Value => SoftmaxPrecision.Exact;
}

/// <summary><see cref="SoftmaxPrecision.Fast"/>.</summary>
internal readonly struct FastPrecision : IPrecision
{
    public static bool IsFast => true;

    public static SoftmaxPrecision Value => SoftmaxPrecision.Fast;
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

/// <summary>
/// What the float and double lanes do differently (fused multiply-add, the exponent-field steps, the reductions, the
/// tail-mask table), for each width; the lane structs take the rest from the generic vector operators. Each member
/// is one expression, so that it inlines as simply as the operation it forwards to.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal interface ILaneElement<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract ref T MaskTable { get; }

    static abstract T AllBitsSet { get; }

    static abstract T AndNotBits(T value, T mask);

    static abstract T ScaleByPowerOfTwo(T p, T k, T z);

    static abstract Vector128<T> ScaleByPowerOfTwo(Vector128<T> p, Vector128<T> k, Vector128<T> z);

    static abstract Vector256<T> ScaleByPowerOfTwo(Vector256<T> p, Vector256<T> k, Vector256<T> z);

    static abstract Vector512<T> ScaleByPowerOfTwo(Vector512<T> p, Vector512<T> k, Vector512<T> z);

    static abstract Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c);

    static abstract Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c);

    static abstract Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c);

    static abstract T MaxAcross(Vector128<T> v);

    static abstract T MaxAcross(Vector256<T> v);

    static abstract T MaxAcross(Vector512<T> v);

    static abstract double SumAcross(Vector128<T> v);

    static abstract double SumAcross(Vector256<T> v);

    static abstract double SumAcross(Vector512<T> v);

    static abstract TVec ExpShifted<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, T>
        where TVec : struct;

    /// <summary>The exponential of <see cref="SoftmaxPrecision.Fast"/>: see <see cref="SoftmaxMath.ExpShiftedFast(Vector512{float}, Vector512{float})"/>.</summary>
    static abstract TVec ExpShiftedFast<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, T>
        where TVec : struct;

    /// <summary>The <see cref="IDoubleBits{TVec}"/> steps; the float lanes have none and throw.</summary>
    static abstract T SplitExponent(T x, out T exponent);

    static abstract Vector128<T> SplitExponent(Vector128<T> x, out Vector128<T> exponent);

    static abstract Vector256<T> SplitExponent(Vector256<T> x, out Vector256<T> exponent);

    static abstract Vector512<T> SplitExponent(Vector512<T> x, out Vector512<T> exponent);

    static abstract void LogNormalizer(Vector128<T> max, Vector128<T> sum, Vector128<T> compensation, out Vector128<T> high, out Vector128<T> low);

    static abstract void LogNormalizer(Vector256<T> max, Vector256<T> sum, Vector256<T> compensation, out Vector256<T> high, out Vector256<T> low);

    static abstract void LogNormalizer(Vector512<T> max, Vector512<T> sum, Vector512<T> compensation, out Vector512<T> high, out Vector512<T> low);
}

/// <summary>The float lanes' <see cref="ILaneElement{T}"/>.</summary>
internal readonly struct SingleLanes : ILaneElement<float>
{
    public static ref float MaskTable => ref SoftmaxMath.LaneMaskTableSingle;
    public static float AllBitsSet => BitConverter.Int32BitsToSingle(-1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float AndNotBits(float value, float mask) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) & ~BitConverter.SingleToInt32Bits(mask));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ScaleByPowerOfTwo(float p, float k, float z) => Avx512F.IsSupported ? Avx512F.ScaleScalar(Vector128.CreateScalarUnsafe(p), Vector128.CreateScalarUnsafe(k)).ToScalar() : p * BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(z) << 23) * SoftmaxMath.SingleUnscale;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ScaleByPowerOfTwo(Vector128<float> p, Vector128<float> k, Vector128<float> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt32() << 23).AsSingle() * Vector128.Create(SoftmaxMath.SingleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ScaleByPowerOfTwo(Vector256<float> p, Vector256<float> k, Vector256<float> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt32() << 23).AsSingle() * Vector256.Create(SoftmaxMath.SingleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ScaleByPowerOfTwo(Vector512<float> p, Vector512<float> k, Vector512<float> z) => Avx512F.IsSupported ? Avx512F.Scale(p, k) : p * (z.AsInt32() << 23).AsSingle() * Vector512.Create(SoftmaxMath.SingleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector128<float> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector256<float> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector128<float> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector256<float> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector512<float> v) => SoftmaxMath.SumAcross(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpShifted<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, float>
        where TVec : struct
        => SoftmaxMath.ExpShiftedSingle<TOps, TVec>(x, negatedMax);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpShiftedFast<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, float>
        where TVec : struct
        => SoftmaxMath.ExpShiftedSingleFast<TOps, TVec>(x, negatedMax);

    public static float SplitExponent(float x, out float exponent) => throw DoubleOnly();
    public static Vector128<float> SplitExponent(Vector128<float> x, out Vector128<float> exponent) => throw DoubleOnly();
    public static Vector256<float> SplitExponent(Vector256<float> x, out Vector256<float> exponent) => throw DoubleOnly();
    public static Vector512<float> SplitExponent(Vector512<float> x, out Vector512<float> exponent) => throw DoubleOnly();

    private static NotSupportedException DoubleOnly() => new("SplitExponent is a step of the double logarithm.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector128<float> max, Vector128<float> sum, Vector128<float> compensation, out Vector128<float> high, out Vector128<float> low) => SoftmaxMath.LogNormalizer(max, sum, compensation, out high, out low);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector256<float> max, Vector256<float> sum, Vector256<float> compensation, out Vector256<float> high, out Vector256<float> low) => SoftmaxMath.LogNormalizer(max, sum, compensation, out high, out low);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector512<float> max, Vector512<float> sum, Vector512<float> compensation, out Vector512<float> high, out Vector512<float> low) => SoftmaxMath.LogNormalizer(max, sum, compensation, out high, out low);
}

/// <summary>The double lanes' <see cref="ILaneElement{T}"/>.</summary>
internal readonly struct DoubleLanes : ILaneElement<double>
{
    public static ref double MaskTable => ref SoftmaxMath.LaneMaskTableDouble;
    public static double AllBitsSet => BitConverter.Int64BitsToDouble(-1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double AndNotBits(double value, double mask) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(value) & ~BitConverter.DoubleToInt64Bits(mask));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ScaleByPowerOfTwo(double p, double k, double z) => Avx512F.IsSupported ? Avx512F.ScaleScalar(Vector128.CreateScalarUnsafe(p), Vector128.CreateScalarUnsafe(k)).ToScalar() : p * BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(z) << 52) * SoftmaxMath.DoubleUnscale;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> ScaleByPowerOfTwo(Vector128<double> p, Vector128<double> k, Vector128<double> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt64() << 52).AsDouble() * Vector128.Create(SoftmaxMath.DoubleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ScaleByPowerOfTwo(Vector256<double> p, Vector256<double> k, Vector256<double> z) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(p, k) : p * (z.AsInt64() << 52).AsDouble() * Vector256.Create(SoftmaxMath.DoubleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ScaleByPowerOfTwo(Vector512<double> p, Vector512<double> k, Vector512<double> z) => Avx512F.IsSupported ? Avx512F.Scale(p, k) : p * (z.AsInt64() << 52).AsDouble() * Vector512.Create(SoftmaxMath.DoubleUnscale);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(Vector128<double> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(Vector256<double> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(Vector512<double> v) => SoftmaxMath.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector128<double> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector256<double> v) => SoftmaxMath.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector512<double> v) => SoftmaxMath.SumAcross(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpShifted<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, double>
        where TVec : struct
        => SoftmaxMath.ExpShiftedDouble<TOps, TVec>(x, negatedMax);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpShiftedFast<TOps, TVec>(TVec x, TVec negatedMax)
        where TOps : ISimd<TVec, double>
        where TVec : struct
        => SoftmaxMath.ExpShiftedDoubleFast<TOps, TVec>(x, negatedMax);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SplitExponent(double x, out double exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        long k = (long)((ulong)(bits - SoftmaxMath.SqrtHalfBits) >> 52);
        exponent = BitConverter.Int64BitsToDouble(k + SoftmaxMath.TwoPow52Bits) - SoftmaxMath.TwoPow52;
        return BitConverter.Int64BitsToDouble(bits - (k << 52));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> SplitExponent(Vector128<double> x, out Vector128<double> exponent)
    {
        // (bits - bits(sqrt(1/2))) >> 52 is k for x >= sqrt(1/2) (a logical shift: AVX2 has no 64-bit arithmetic one).
        Vector128<long> bits = x.AsInt64();
        Vector128<long> k = Vector128.ShiftRightLogical(bits - Vector128.Create(SoftmaxMath.SqrtHalfBits), 52);
        exponent = (k + Vector128.Create(SoftmaxMath.TwoPow52Bits)).AsDouble() - Vector128.Create(SoftmaxMath.TwoPow52);
        return (bits - Vector128.ShiftLeft(k, 52)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> SplitExponent(Vector256<double> x, out Vector256<double> exponent)
    {
        Vector256<long> bits = x.AsInt64();
        Vector256<long> k = Vector256.ShiftRightLogical(bits - Vector256.Create(SoftmaxMath.SqrtHalfBits), 52);
        exponent = (k + Vector256.Create(SoftmaxMath.TwoPow52Bits)).AsDouble() - Vector256.Create(SoftmaxMath.TwoPow52);
        return (bits - Vector256.ShiftLeft(k, 52)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> SplitExponent(Vector512<double> x, out Vector512<double> exponent)
    {
        Vector512<long> bits = x.AsInt64();
        Vector512<long> k = Vector512.ShiftRightLogical(bits - Vector512.Create(SoftmaxMath.SqrtHalfBits), 52);
        exponent = (k + Vector512.Create(SoftmaxMath.TwoPow52Bits)).AsDouble() - Vector512.Create(SoftmaxMath.TwoPow52);
        return (bits - Vector512.ShiftLeft(k, 52)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector128<double> max, Vector128<double> sum, Vector128<double> compensation, out Vector128<double> high, out Vector128<double> low) => SoftmaxMath.LogNormalizerDouble<Simd128D, Vector128<double>>(max, sum, compensation, out high, out low);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector256<double> max, Vector256<double> sum, Vector256<double> compensation, out Vector256<double> high, out Vector256<double> low) => SoftmaxMath.LogNormalizerDouble<Simd256D, Vector256<double>>(max, sum, compensation, out high, out low);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector512<double> max, Vector512<double> sum, Vector512<double> compensation, out Vector512<double> high, out Vector512<double> low) => SoftmaxMath.LogNormalizerDouble<Simd512D, Vector512<double>>(max, sum, compensation, out high, out low);
}

/// <summary>One lane held in a scalar register: the vector type is <typeparamref name="T"/> itself.</summary>
internal readonly struct Scalar<T, TLane, TPrecision> : ISimd<T, T>, IDoubleBits<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TLane : struct, ILaneElement<T>
    where TPrecision : struct, IPrecision
{
    public static int Count => 1;
    public static SoftmaxPrecision Precision => TPrecision.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Splat(T value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Load(ref T source, nuint offset) => Unsafe.Add(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T value, ref T destination, nuint offset) => Unsafe.Add(ref destination, offset) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Add(T a, T b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Subtract(T a, T b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Multiply(T a, T b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Divide(T a, T b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MultiplyAdd(T a, T b, T c) => T.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MaxNative(T a, T b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T LessThan(T a, T b) => Vector128.IsHardwareAccelerated ? Vector128.LessThan(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar() : a < b ? TLane.AllBitsSet : T.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Equal(T a, T b) => a == b ? TLane.AllBitsSet : T.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T AndNot(T value, T mask) => Vector128.IsHardwareAccelerated ? Vector128.AndNot(Vector128.CreateScalarUnsafe(value), Vector128.CreateScalarUnsafe(mask)).ToScalar() : TLane.AndNotBits(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T ScaleByPowerOfTwo(T p, T k, T z) => TLane.ScaleByPowerOfTwo(p, k, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T SplitExponent(T x, out T exponent) => TLane.SplitExponent(x, out exponent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T ExpShifted(T x, T negatedMax) => TPrecision.IsFast ? TLane.ExpShiftedFast<Scalar<T, TLane, TPrecision>, T>(x, negatedMax) : TLane.ExpShifted<Scalar<T, TLane, TPrecision>, T>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MaxAcross(T v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(T v) => double.CreateTruncating(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T FirstLanes(int count) => count > 0 ? TLane.AllBitsSet : T.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong MaskBits(T mask) => T.IsNegative(mask) ? 1UL : 0UL;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(T max, T sum, T compensation, out T high, out T low) => RowKernels.LogNormalizer(max, (double.CreateTruncating(sum) - 1) + double.CreateTruncating(compensation), out high, out low);
}

internal readonly struct Simd128<T, TLane, TPrecision> : ISimd<Vector128<T>, T>, IDoubleBits<Vector128<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TLane : struct, ILaneElement<T>
    where TPrecision : struct, IPrecision
{
    public static int Count => Vector128<T>.Count;
    public static SoftmaxPrecision Precision => TPrecision.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Splat(T value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(ref T source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Subtract(Vector128<T> a, Vector128<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Multiply(Vector128<T> a, Vector128<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Divide(Vector128<T> a, Vector128<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c) => TLane.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> MaxNative(Vector128<T> a, Vector128<T> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> LessThan(Vector128<T> a, Vector128<T> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Equal(Vector128<T> a, Vector128<T> b) => Vector128.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> AndNot(Vector128<T> value, Vector128<T> mask) => Vector128.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> ScaleByPowerOfTwo(Vector128<T> p, Vector128<T> k, Vector128<T> z) => TLane.ScaleByPowerOfTwo(p, k, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> SplitExponent(Vector128<T> x, out Vector128<T> exponent) => TLane.SplitExponent(x, out exponent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> ExpShifted(Vector128<T> x, Vector128<T> negatedMax) => TPrecision.IsFast ? TLane.ExpShiftedFast<Simd128<T, TLane, TPrecision>, Vector128<T>>(x, negatedMax) : TLane.ExpShifted<Simd128<T, TLane, TPrecision>, Vector128<T>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MaxAcross(Vector128<T> v) => TLane.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector128<T> v) => TLane.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> FirstLanes(int count) => Vector128.LoadUnsafe(ref TLane.MaskTable, (nuint)(SoftmaxMath.LaneMaskWidth - count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong MaskBits(Vector128<T> mask) => mask.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector128<T> max, Vector128<T> sum, Vector128<T> compensation, out Vector128<T> high, out Vector128<T> low) => TLane.LogNormalizer(max, sum, compensation, out high, out low);
}

internal readonly struct Simd256<T, TLane, TPrecision> : ISimd<Vector256<T>, T>, IDoubleBits<Vector256<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TLane : struct, ILaneElement<T>
    where TPrecision : struct, IPrecision
{
    public static int Count => Vector256<T>.Count;
    public static SoftmaxPrecision Precision => TPrecision.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Splat(T value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Subtract(Vector256<T> a, Vector256<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Multiply(Vector256<T> a, Vector256<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Divide(Vector256<T> a, Vector256<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) => TLane.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> MaxNative(Vector256<T> a, Vector256<T> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> LessThan(Vector256<T> a, Vector256<T> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Equal(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> AndNot(Vector256<T> value, Vector256<T> mask) => Vector256.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> ScaleByPowerOfTwo(Vector256<T> p, Vector256<T> k, Vector256<T> z) => TLane.ScaleByPowerOfTwo(p, k, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> SplitExponent(Vector256<T> x, out Vector256<T> exponent) => TLane.SplitExponent(x, out exponent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> ExpShifted(Vector256<T> x, Vector256<T> negatedMax) => TPrecision.IsFast ? TLane.ExpShiftedFast<Simd256<T, TLane, TPrecision>, Vector256<T>>(x, negatedMax) : TLane.ExpShifted<Simd256<T, TLane, TPrecision>, Vector256<T>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MaxAcross(Vector256<T> v) => TLane.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector256<T> v) => TLane.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> FirstLanes(int count) => Vector256.LoadUnsafe(ref TLane.MaskTable, (nuint)(SoftmaxMath.LaneMaskWidth - count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong MaskBits(Vector256<T> mask) => mask.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector256<T> max, Vector256<T> sum, Vector256<T> compensation, out Vector256<T> high, out Vector256<T> low) => TLane.LogNormalizer(max, sum, compensation, out high, out low);
}

internal readonly struct Simd512<T, TLane, TPrecision> : ISimd<Vector512<T>, T>, IDoubleBits<Vector512<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TLane : struct, ILaneElement<T>
    where TPrecision : struct, IPrecision
{
    public static int Count => Vector512<T>.Count;
    public static SoftmaxPrecision Precision => TPrecision.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Subtract(Vector512<T> a, Vector512<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Divide(Vector512<T> a, Vector512<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) => TLane.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> MaxNative(Vector512<T> a, Vector512<T> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> LessThan(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Equal(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> AndNot(Vector512<T> value, Vector512<T> mask) => Vector512.ConditionalSelect(mask, Vector512<T>.Zero, value); // the same bits; a comparison's mask then stays in a mask register (one masked blend)
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> ScaleByPowerOfTwo(Vector512<T> p, Vector512<T> k, Vector512<T> z) => TLane.ScaleByPowerOfTwo(p, k, z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> SplitExponent(Vector512<T> x, out Vector512<T> exponent) => TLane.SplitExponent(x, out exponent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> ExpShifted(Vector512<T> x, Vector512<T> negatedMax) => TPrecision.IsFast ? TLane.ExpShiftedFast<Simd512<T, TLane, TPrecision>, Vector512<T>>(x, negatedMax) : TLane.ExpShifted<Simd512<T, TLane, TPrecision>, Vector512<T>>(x, negatedMax);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T MaxAcross(Vector512<T> v) => TLane.MaxAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumAcross(Vector512<T> v) => TLane.SumAcross(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> FirstLanes(int count) => Vector512.LoadUnsafe(ref TLane.MaskTable, (nuint)(SoftmaxMath.LaneMaskWidth - count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong MaskBits(Vector512<T> mask) => mask.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LogNormalizer(Vector512<T> max, Vector512<T> sum, Vector512<T> compensation, out Vector512<T> high, out Vector512<T> low) => TLane.LogNormalizer(max, sum, compensation, out high, out low);
}
