using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

// The transposes of the block and column layouts, four float classes (or two double classes) at a time. A block of W rows (W = the vector's lane count, 16 or 8)
// of C >= 4 classes, `stride` values apart, becomes one vector per class (lane r = row r). Rows are read four classes at
// a time, 128 bits per row: lane group L (128 bits) of vector q holds classes k..k+3 of row 4L + q, and one 4 x 4 transpose
// inside each 128-bit lane (four unpacks of singles, four of doubles) turns vector q into class k + q of rows 0..W-1 in
// order. A block of 16 rows of 10 classes takes 48 loads and 20 shuffles this way (three quads, classes 0-3, 4-7 and 6-9);
// shuffling whole 16-lane vectors into place took 100 shuffles and 90 blends, and was the bottleneck of the block kernels.
// Stores are the same steps backwards. Each quad touches only classes k..k+3 of each row, so a quad overlapping the one
// before (the last one of a row whose C is not a multiple of 4) neither reads nor writes past the row. Written once over
// IClassLanes: a 128-bit lane holds four floats or two doubles, and the loads, stores and unpacks are the same at 256 and 512 bits.
public static partial class SoftmaxMath
{
    /// <summary>
    /// Loads classes <paramref name="firstClass"/> to <paramref name="firstClass"/> + 3 of one vector's width of float rows
    /// (16 with Vector512, 8 with Vector256) that start <paramref name="stride"/> values apart, one vector per class:
    /// lane r of <paramref name="c0"/> is class <paramref name="firstClass"/> of row r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassQuad<TLanes, TVec, T>(ref T x, nuint stride, nuint firstClass, out TVec c0, out TVec c1, out TVec c2, out TVec c3)
        where TLanes : IClassLanes<TVec, T>
        where TVec : struct
    {
        ref T first = ref Unsafe.Add(ref x, firstClass);
        if (TLanes.IsAccelerated)
        {
            // Lane group L of vector q holds classes k..k+3 of row 4L + q; the in-lane transpose puts them in row order.
            nuint step = 4 * stride;
            TransposeInLanes<TLanes, TVec, T>(
                TLanes.LoadLanes(ref first, step), TLanes.LoadLanes(ref Unsafe.Add(ref first, stride), step),
                TLanes.LoadLanes(ref Unsafe.Add(ref first, 2 * stride), step), TLanes.LoadLanes(ref Unsafe.Add(ref first, 3 * stride), step),
                out c0, out c1, out c2, out c3);
        }
        else
        {
            // Portable path (what the emulated Vector512 of tests runs): element by element, the same result.
            c0 = Column<TVec, T>(ref first, stride);
            c1 = Column<TVec, T>(ref Unsafe.Add(ref first, 1), stride);
            c2 = Column<TVec, T>(ref Unsafe.Add(ref first, 2), stride);
            c3 = Column<TVec, T>(ref Unsafe.Add(ref first, 3), stride);
        }
    }

    /// <summary>Stores the four class vectors that <see cref="LoadClassQuad{TLanes, TVec, T}"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassQuad<TLanes, TVec, T>(ref T y, nuint stride, nuint firstClass, TVec c0, TVec c1, TVec c2, TVec c3)
        where TLanes : IClassLanes<TVec, T>
        where TVec : struct
    {
        ref T first = ref Unsafe.Add(ref y, firstClass);
        if (TLanes.IsAccelerated)
        {
            TransposeInLanes<TLanes, TVec, T>(c0, c1, c2, c3, out TVec r0, out TVec r1, out TVec r2, out TVec r3);
            TLanes.StoreLanes(r0, ref first, 4 * stride);
            TLanes.StoreLanes(r1, ref Unsafe.Add(ref first, stride), 4 * stride);
            TLanes.StoreLanes(r2, ref Unsafe.Add(ref first, 2 * stride), 4 * stride);
            TLanes.StoreLanes(r3, ref Unsafe.Add(ref first, 3 * stride), 4 * stride);
        }
        else
        {
            StoreColumn(c0, ref first, stride);
            StoreColumn(c1, ref Unsafe.Add(ref first, 1), stride);
            StoreColumn(c2, ref Unsafe.Add(ref first, 2), stride);
            StoreColumn(c3, ref Unsafe.Add(ref first, 3), stride);
        }
    }

    /// <summary>The 4 x 4 transpose of four float vectors inside each 128-bit lane: lane element q of <paramref name="a0"/> + k becomes lane element k of <paramref name="q0"/> + q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeInLanes<TLanes, TVec, T>(TVec a0, TVec a1, TVec a2, TVec a3, out TVec q0, out TVec q1, out TVec q2, out TVec q3)
        where TLanes : IClassLanes<TVec, T>
        where TVec : struct
    {
        TVec t0 = TLanes.UnpackLow32(a0, a1), t1 = TLanes.UnpackHigh32(a0, a1);
        TVec t2 = TLanes.UnpackLow32(a2, a3), t3 = TLanes.UnpackHigh32(a2, a3);
        q0 = TLanes.UnpackLow64(t0, t2);
        q1 = TLanes.UnpackHigh64(t0, t2);
        q2 = TLanes.UnpackLow64(t1, t3);
        q3 = TLanes.UnpackHigh64(t1, t3);
    }

    /// <summary>
    /// Loads classes <paramref name="firstClass"/> and <paramref name="firstClass"/> + 1 of one vector's width of
    /// double rows (8 with Vector512, 4 with Vector256) that start <paramref name="stride"/> values apart, one vector
    /// per class: lane r of <paramref name="c0"/> is class <paramref name="firstClass"/> of row r. (A 128-bit lane
    /// holds two doubles: lane group L of the two loaded vectors holds rows 2L and 2L + 1, and one unpack per class
    /// puts them in order.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassPair<TLanes, TVec, T>(ref T x, nuint stride, nuint firstClass, out TVec c0, out TVec c1)
        where TLanes : IClassLanes<TVec, T>
        where TVec : struct
    {
        ref T first = ref Unsafe.Add(ref x, firstClass);
        if (TLanes.IsAccelerated)
        {
            TVec even = TLanes.LoadLanes(ref first, 2 * stride), odd = TLanes.LoadLanes(ref Unsafe.Add(ref first, stride), 2 * stride);
            c0 = TLanes.UnpackLow64(even, odd);
            c1 = TLanes.UnpackHigh64(even, odd);
        }
        else
        {
            c0 = Column<TVec, T>(ref first, stride);
            c1 = Column<TVec, T>(ref Unsafe.Add(ref first, 1), stride);
        }
    }

    /// <summary>Stores the two class vectors that <see cref="LoadClassPair{TLanes, TVec, T}"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassPair<TLanes, TVec, T>(ref T y, nuint stride, nuint firstClass, TVec c0, TVec c1)
        where TLanes : IClassLanes<TVec, T>
        where TVec : struct
    {
        ref T first = ref Unsafe.Add(ref y, firstClass);
        if (TLanes.IsAccelerated)
        {
            TLanes.StoreLanes(TLanes.UnpackLow64(c0, c1), ref first, 2 * stride);
            TLanes.StoreLanes(TLanes.UnpackHigh64(c0, c1), ref Unsafe.Add(ref first, stride), 2 * stride);
        }
        else
        {
            StoreColumn(c0, ref first, stride);
            StoreColumn(c1, ref Unsafe.Add(ref first, 1), stride);
        }
    }

    /// <summary>A vector whose lane r is the value at <paramref name="x"/> + r <paramref name="stride"/>.</summary>
    private static TVec Column<TVec, T>(ref T x, nuint stride)
        where TVec : struct
    {
        TVec v = default;
        ref T lane = ref Unsafe.As<TVec, T>(ref v);
        for (int r = 0; r < Unsafe.SizeOf<TVec>() / Unsafe.SizeOf<T>(); r++)
        {
            Unsafe.Add(ref lane, r) = Unsafe.Add(ref x, (nuint)r * stride);
        }

        return v;
    }

    /// <summary>Stores lane r of <paramref name="v"/> at <paramref name="y"/> + r <paramref name="stride"/>.</summary>
    private static void StoreColumn<TVec, T>(TVec v, ref T y, nuint stride)
        where TVec : struct
    {
        ref T lane = ref Unsafe.As<TVec, T>(ref v);
        for (int r = 0; r < Unsafe.SizeOf<TVec>() / Unsafe.SizeOf<T>(); r++)
        {
            Unsafe.Add(ref y, (nuint)r * stride) = Unsafe.Add(ref lane, r);
        }
    }

    // ---- Rows of 1 to 3 classes: 16 rows are 1 to 3 whole vectors --------------------------------------------------
    // Row r's class j is value C r + j of the block, so each class vector is one permute of the block's vectors (a
    // two-source permute reaches 32 values, a third source is blended in for C = 3), and each stored vector the
    // inverse (value p is class p mod C of row p / C). The generated kernels emit the same data movement for their C
    // with constant indices; the column layout of the runtime takes C at run time. AVX-512 only.

    /// <summary>
    /// Stores the 16 rows of <paramref name="classes"/> (1 to 3) classes that start at <paramref name="x"/> as one
    /// vector per class, 16 values apart from <paramref name="cols"/> on (lane r of vector j is class j of row r).
    /// Reads only the block's 16 C values. Needs <see cref="Avx512F.IsSupported"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadShortRows512(ref float x, nuint classes, ref float cols)
    {
        LoadVectors(ref x, classes, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2);
        for (nuint j = 0; j < classes; j++)
        {
            // The value index C r + j: its low 5 bits pick from v0 and v1; v2 holds the values from 32 on.
            Vector512<int> value = (Vector512<int>.Indices * (int)classes) + Vector512.Create((int)j);
            Vector512<float> c = Avx512F.PermuteVar16x32x2(v0, value, v1);
            if (classes > 2)
            {
                c = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(value, Vector512.Create(32)).AsSingle(), Avx512F.PermuteVar16x32(v2, value), c);
            }

            c.StoreUnsafe(ref cols, j * 16);
        }
    }

    /// <summary>The inverse of <see cref="LoadShortRows512"/>: writes the 16 rows back, only the block's 16 C values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreShortRows512(ref float cols, nuint classes, ref float y)
    {
        LoadVectors(ref cols, classes, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2);
        for (nuint k = 0; k < classes; k++)
        {
            // Value p = 16 k + lane is class p mod C of row p / C (p / 3 = (p * 43691) >> 17 for p < 48).
            Vector512<int> value = Vector512<int>.Indices + Vector512.Create(16 * (int)k);
            Vector512<int> row = classes == 1 ? value : classes == 2 ? Vector512.ShiftRightLogical(value, 1) : Vector512.ShiftRightLogical(value * 43691, 17);
            Vector512<int> cls = value - (row * (int)classes);
            Vector512<float> v = Avx512F.PermuteVar16x32x2(c0, row | Vector512.ShiftLeft(cls, 4), c1);
            if (classes > 2)
            {
                v = Vector512.ConditionalSelect(Vector512.Equals(cls, Vector512.Create(2)).AsSingle(), Avx512F.PermuteVar16x32(c2, row), v);
            }

            v.StoreUnsafe(ref y, k * 16);
        }
    }

    /// <summary>The first <paramref name="count"/> (1 to 3) vectors from <paramref name="x"/> on; the others repeat the first, so nothing past them is read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadVectors(ref float x, nuint count, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2)
    {
        v0 = Vector512.LoadUnsafe(ref x);
        v1 = count > 1 ? Vector512.LoadUnsafe(ref x, 16) : v0;
        v2 = count > 2 ? Vector512.LoadUnsafe(ref x, 32) : v0;
    }

    /// <summary>
    /// Moves all <paramref name="classes"/> classes of one vector's width of rows (<paramref name="classes"/> values apart)
    /// to one vector per class, <paramref name="stride"/> values apart from <paramref name="columns"/> on
    /// (<paramref name="toColumns"/>), or back: float four classes at a time (at least 4 classes), double two (at least
    /// 2); the last group ends at the row's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void TransposeRows<TLanes, TVec, T>(ref T rows, nuint classes, ref T columns, nuint stride, bool toColumns)
        where TLanes : IClassLanes<TVec, T>
        where TVec : struct
    {
        // A 128-bit lane holds a group of classes: four floats or two doubles of a row.
        nuint group = (nuint)(16 / Unsafe.SizeOf<T>());
        for (nuint k = 0; ; k += group)
        {
            k = Math.Min(k, classes - group);
            ref T column = ref Unsafe.Add(ref columns, k * stride);
            if (typeof(T) == typeof(float) && toColumns)
            {
                LoadClassQuad<TLanes, TVec, T>(ref rows, classes, k, out TVec c0, out TVec c1, out TVec c2, out TVec c3);
                TLanes.Store(c0, ref column, 0);
                TLanes.Store(c1, ref column, stride);
                TLanes.Store(c2, ref column, 2 * stride);
                TLanes.Store(c3, ref column, 3 * stride);
            }
            else if (typeof(T) == typeof(float))
            {
                StoreClassQuad<TLanes, TVec, T>(
                    ref rows, classes, k, TLanes.Load(ref column, 0), TLanes.Load(ref column, stride),
                    TLanes.Load(ref column, 2 * stride), TLanes.Load(ref column, 3 * stride));
            }
            else if (toColumns)
            {
                LoadClassPair<TLanes, TVec, T>(ref rows, classes, k, out TVec c0, out TVec c1);
                TLanes.Store(c0, ref column, 0);
                TLanes.Store(c1, ref column, stride);
            }
            else
            {
                StoreClassPair<TLanes, TVec, T>(ref rows, classes, k, TLanes.Load(ref column, 0), TLanes.Load(ref column, stride));
            }

            if (k + group == classes)
            {
                return;
            }
        }
    }
}

/// <summary>
/// The 128-bit-lane operations of one vector width that the class transposes are written over, for float and double
/// alike (a lane holds four floats or two doubles of one row).
/// </summary>
internal interface IClassLanes<TVec, T>
    where TVec : struct
{
    /// <summary>Whether the in-register transpose runs (else the portable element-by-element path).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>A vector from <paramref name="source"/> at <paramref name="offset"/>.</summary>
    static abstract TVec Load(ref T source, nuint offset);

    /// <summary>128-bit lane L is the 128 bits at <paramref name="x"/> + L <paramref name="step"/>.</summary>
    static abstract TVec LoadLanes(ref T x, nuint step);

    /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/>.</summary>
    static abstract void Store(TVec value, ref T destination, nuint offset);

    /// <summary>Stores 128-bit lane L of <paramref name="v"/> at <paramref name="y"/> + L <paramref name="step"/>.</summary>
    static abstract void StoreLanes(TVec v, ref T y, nuint step);

    /// <summary>In each 128-bit lane, the first two 32-bit elements of <paramref name="a"/> and <paramref name="b"/>, interleaved.</summary>
    static abstract TVec UnpackLow32(TVec a, TVec b);

    /// <summary>In each 128-bit lane, the last two 32-bit elements of <paramref name="a"/> and <paramref name="b"/>, interleaved.</summary>
    static abstract TVec UnpackHigh32(TVec a, TVec b);

    /// <summary>In each 128-bit lane, the first 64-bit element of <paramref name="a"/> and of <paramref name="b"/>.</summary>
    static abstract TVec UnpackLow64(TVec a, TVec b);

    /// <summary>In each 128-bit lane, the second 64-bit element of <paramref name="a"/> and of <paramref name="b"/>.</summary>
    static abstract TVec UnpackHigh64(TVec a, TVec b);
}

/// <summary>Four 128-bit lanes: groups of 16 float or 8 double rows.</summary>
internal readonly struct ClassLanes512<T> : IClassLanes<Vector512<T>, T>
{
    public static bool IsAccelerated => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadLanes(ref T x, nuint step)
    {
        Vector512<float> v = Vector128.LoadUnsafe(ref x).AsSingle().ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, step).AsSingle(), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 2 * step).AsSingle(), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 3 * step).AsSingle(), 3).As<float, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreLanes(Vector512<T> v, ref T y, nuint step)
    {
        v.GetLower().GetLower().StoreUnsafe(ref y);
        Avx512F.ExtractVector128(v.AsSingle(), 1).As<float, T>().StoreUnsafe(ref y, step);
        Avx512F.ExtractVector128(v.AsSingle(), 2).As<float, T>().StoreUnsafe(ref y, 2 * step);
        Avx512F.ExtractVector128(v.AsSingle(), 3).As<float, T>().StoreUnsafe(ref y, 3 * step);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> UnpackLow32(Vector512<T> a, Vector512<T> b) => Avx512F.UnpackLow(a.AsSingle(), b.AsSingle()).As<float, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> UnpackHigh32(Vector512<T> a, Vector512<T> b) => Avx512F.UnpackHigh(a.AsSingle(), b.AsSingle()).As<float, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> UnpackLow64(Vector512<T> a, Vector512<T> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).As<double, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> UnpackHigh64(Vector512<T> a, Vector512<T> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).As<double, T>();
}

/// <summary>Two 128-bit lanes: groups of 8 float or 4 double rows.</summary>
internal readonly struct ClassLanes256<T> : IClassLanes<Vector256<T>, T>
{
    public static bool IsAccelerated => Avx.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> LoadLanes(ref T x, nuint step) => Vector256.Create(Vector128.LoadUnsafe(ref x), Vector128.LoadUnsafe(ref x, step));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreLanes(Vector256<T> v, ref T y, nuint step)
    {
        v.GetLower().StoreUnsafe(ref y);
        v.GetUpper().StoreUnsafe(ref y, step);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> UnpackLow32(Vector256<T> a, Vector256<T> b) => Avx.UnpackLow(a.AsSingle(), b.AsSingle()).As<float, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> UnpackHigh32(Vector256<T> a, Vector256<T> b) => Avx.UnpackHigh(a.AsSingle(), b.AsSingle()).As<float, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> UnpackLow64(Vector256<T> a, Vector256<T> b) => Avx.UnpackLow(a.AsDouble(), b.AsDouble()).As<double, T>();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> UnpackHigh64(Vector256<T> a, Vector256<T> b) => Avx.UnpackHigh(a.AsDouble(), b.AsDouble()).As<double, T>();
}
