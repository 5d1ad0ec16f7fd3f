using System.Runtime.Intrinsics.X86;

namespace SoftmaxGen.Kernels;

// The transposes of the block and column layouts, four float classes (or two double classes) at a time. A block of W rows (W = the vector's lane count, 16 or 8)
// of C >= 4 classes, `stride` values apart, becomes one vector per class (lane r = row r). Rows are read four classes at
// a time, 128 bits per row: lane group L (128 bits) of vector q holds classes k..k+3 of row 4L + q, and one 4 x 4 transpose
// inside each 128-bit lane (four unpacks of singles, four of doubles) turns vector q into class k + q of rows 0..W-1 in
// order. A block of 16 rows of 10 classes takes 48 loads and 20 shuffles this way (three quads, classes 0-3, 4-7 and 6-9);
// shuffling whole 16-lane vectors into place took 100 shuffles and 90 blends, and was the bottleneck of the block kernels.
// Stores are the same steps backwards. Each quad touches only classes k..k+3 of each row, so a quad overlapping the one
// before (the last one of a row whose C is not a multiple of 4) neither reads nor writes past the row.
public static partial class SoftmaxMath
{
    /// <summary>
    /// Loads classes <paramref name="firstClass"/> to <paramref name="firstClass"/> + 3 of one vector's width of rows
    /// (16 with Vector512, 8 with Vector256) that start <paramref name="stride"/> values apart, one vector per class:
    /// lane r of <paramref name="c0"/> is class <paramref name="firstClass"/> of row r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassQuad<TQuads, TVec>(ref float x, nuint stride, nuint firstClass, out TVec c0, out TVec c1, out TVec c2, out TVec c3)
        where TQuads : IClassQuads<TVec>
        where TVec : struct
    {
        ref float first = ref Unsafe.Add(ref x, firstClass);
        if (TQuads.IsAccelerated)
        {
            // Lane group L of vector q holds classes k..k+3 of row 4L + q; the in-lane transpose puts them in row order.
            c0 = TQuads.LoadRowQuads(ref first, stride);
            c1 = TQuads.LoadRowQuads(ref Unsafe.Add(ref first, stride), stride);
            c2 = TQuads.LoadRowQuads(ref Unsafe.Add(ref first, 2 * stride), stride);
            c3 = TQuads.LoadRowQuads(ref Unsafe.Add(ref first, 3 * stride), stride);
            TQuads.TransposeInLanes(ref c0, ref c1, ref c2, ref c3);
        }
        else
        {
            // Portable path (what the emulated Vector512 of tests runs): element by element, the same result.
            c0 = Column<TVec, float>(ref first, stride, TQuads.Lanes);
            c1 = Column<TVec, float>(ref Unsafe.Add(ref first, 1), stride, TQuads.Lanes);
            c2 = Column<TVec, float>(ref Unsafe.Add(ref first, 2), stride, TQuads.Lanes);
            c3 = Column<TVec, float>(ref Unsafe.Add(ref first, 3), stride, TQuads.Lanes);
        }
    }

    /// <summary>Stores the four class vectors that <see cref="LoadClassQuad{TQuads, TVec}"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassQuad<TQuads, TVec>(ref float y, nuint stride, nuint firstClass, TVec c0, TVec c1, TVec c2, TVec c3)
        where TQuads : IClassQuads<TVec>
        where TVec : struct
    {
        ref float first = ref Unsafe.Add(ref y, firstClass);
        if (TQuads.IsAccelerated)
        {
            TQuads.TransposeInLanes(ref c0, ref c1, ref c2, ref c3);
            TQuads.StoreRowQuads(ref first, stride, c0);
            TQuads.StoreRowQuads(ref Unsafe.Add(ref first, stride), stride, c1);
            TQuads.StoreRowQuads(ref Unsafe.Add(ref first, 2 * stride), stride, c2);
            TQuads.StoreRowQuads(ref Unsafe.Add(ref first, 3 * stride), stride, c3);
        }
        else
        {
            StoreColumn(c0, ref first, stride, TQuads.Lanes);
            StoreColumn(c1, ref Unsafe.Add(ref first, 1), stride, TQuads.Lanes);
            StoreColumn(c2, ref Unsafe.Add(ref first, 2), stride, TQuads.Lanes);
            StoreColumn(c3, ref Unsafe.Add(ref first, 3), stride, TQuads.Lanes);
        }
    }

    /// <summary>
    /// Loads classes <paramref name="firstClass"/> and <paramref name="firstClass"/> + 1 of one vector's width of
    /// double rows (8 with Vector512, 4 with Vector256) that start <paramref name="stride"/> values apart, one vector
    /// per class: lane r of <paramref name="c0"/> is class <paramref name="firstClass"/> of row r. (A 128-bit lane
    /// holds two doubles: lane group L of the two loaded vectors holds rows 2L and 2L + 1, and one unpack per class
    /// puts them in order.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassPair<TPairs, TVec>(ref double x, nuint stride, nuint firstClass, out TVec c0, out TVec c1)
        where TPairs : IClassPairs<TVec>
        where TVec : struct
    {
        ref double first = ref Unsafe.Add(ref x, firstClass);
        if (TPairs.IsAccelerated)
        {
            TVec even = TPairs.LoadRowPairs(ref first, stride), odd = TPairs.LoadRowPairs(ref Unsafe.Add(ref first, stride), stride);
            c0 = TPairs.UnpackLow(even, odd);
            c1 = TPairs.UnpackHigh(even, odd);
        }
        else
        {
            c0 = Column<TVec, double>(ref first, stride, TPairs.Lanes);
            c1 = Column<TVec, double>(ref Unsafe.Add(ref first, 1), stride, TPairs.Lanes);
        }
    }

    /// <summary>Stores the two class vectors that <see cref="LoadClassPair{TPairs, TVec}"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassPair<TPairs, TVec>(ref double y, nuint stride, nuint firstClass, TVec c0, TVec c1)
        where TPairs : IClassPairs<TVec>
        where TVec : struct
    {
        ref double first = ref Unsafe.Add(ref y, firstClass);
        if (TPairs.IsAccelerated)
        {
            TPairs.StoreRowPairs(ref first, stride, TPairs.UnpackLow(c0, c1));
            TPairs.StoreRowPairs(ref Unsafe.Add(ref first, stride), stride, TPairs.UnpackHigh(c0, c1));
        }
        else
        {
            StoreColumn(c0, ref first, stride, TPairs.Lanes);
            StoreColumn(c1, ref Unsafe.Add(ref first, 1), stride, TPairs.Lanes);
        }
    }

    /// <summary>A vector whose lane r is the value at <paramref name="x"/> + r <paramref name="stride"/>.</summary>
    private static TVec Column<TVec, T>(ref T x, nuint stride, int lanes)
        where TVec : struct
        where T : unmanaged
    {
        TVec v = default;
        ref T lane = ref Unsafe.As<TVec, T>(ref v);
        for (int r = 0; r < lanes; r++)
        {
            Unsafe.Add(ref lane, r) = Unsafe.Add(ref x, (nuint)r * stride);
        }

        return v;
    }

    /// <summary>Stores lane r of <paramref name="v"/> at <paramref name="y"/> + r <paramref name="stride"/>.</summary>
    private static void StoreColumn<TVec, T>(TVec v, ref T y, nuint stride, int lanes)
        where TVec : struct
        where T : unmanaged
    {
        ref T lane = ref Unsafe.As<TVec, T>(ref v);
        for (int r = 0; r < lanes; r++)
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
        Vector512<float> v0 = Vector512.LoadUnsafe(ref x);
        Vector512<float> v1 = classes > 1 ? Vector512.LoadUnsafe(ref x, 16) : v0;
        Vector512<float> v2 = classes > 2 ? Vector512.LoadUnsafe(ref x, 32) : v0;
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
        Vector512<float> c0 = Vector512.LoadUnsafe(ref cols);
        Vector512<float> c1 = classes > 1 ? Vector512.LoadUnsafe(ref cols, 16) : c0;
        Vector512<float> c2 = classes > 2 ? Vector512.LoadUnsafe(ref cols, 32) : c0;
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

    /// <summary>
    /// Moves classes 0 to <paramref name="classes"/> - 1 (at least 4) of one vector's width of rows (<paramref name="classes"/>
    /// values apart) into one vector per class, <paramref name="stride"/> values apart, four classes at a time; the last
    /// quad ends at the row's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RowsToColumns<TQuads, TVec>(ref float rows, nuint classes, ref float columns, nuint stride)
        where TQuads : IClassQuads<TVec>
        where TVec : struct
    {
        for (nuint k = 0; ; k += 4)
        {
            k = Math.Min(k, classes - 4);
            LoadClassQuad<TQuads, TVec>(ref rows, classes, k, out TVec c0, out TVec c1, out TVec c2, out TVec c3);
            TQuads.Store(c0, ref columns, k * stride);
            TQuads.Store(c1, ref columns, (k + 1) * stride);
            TQuads.Store(c2, ref columns, (k + 2) * stride);
            TQuads.Store(c3, ref columns, (k + 3) * stride);
            if (k + 4 == classes)
            {
                return;
            }
        }
    }

    /// <summary>The inverse of <see cref="RowsToColumns{TQuads, TVec}(ref float, nuint, ref float, nuint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ColumnsToRows<TQuads, TVec>(ref float columns, nuint stride, ref float rows, nuint classes)
        where TQuads : IClassQuads<TVec>
        where TVec : struct
    {
        for (nuint k = 0; ; k += 4)
        {
            k = Math.Min(k, classes - 4);
            StoreClassQuad<TQuads, TVec>(
                ref rows, classes, k, TQuads.Load(ref columns, k * stride), TQuads.Load(ref columns, (k + 1) * stride),
                TQuads.Load(ref columns, (k + 2) * stride), TQuads.Load(ref columns, (k + 3) * stride));
            if (k + 4 == classes)
            {
                return;
            }
        }
    }

    /// <summary><see cref="RowsToColumns{TQuads, TVec}(ref float, nuint, ref float, nuint)"/> for doubles, two classes at a time (at least 2 classes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RowsToColumns<TPairs, TVec>(ref double rows, nuint classes, ref double columns, nuint stride)
        where TPairs : IClassPairs<TVec>
        where TVec : struct
    {
        for (nuint k = 0; ; k += 2)
        {
            k = Math.Min(k, classes - 2);
            LoadClassPair<TPairs, TVec>(ref rows, classes, k, out TVec c0, out TVec c1);
            TPairs.Store(c0, ref columns, k * stride);
            TPairs.Store(c1, ref columns, (k + 1) * stride);
            if (k + 2 == classes)
            {
                return;
            }
        }
    }

    /// <summary>The inverse of <see cref="RowsToColumns{TPairs, TVec}(ref double, nuint, ref double, nuint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ColumnsToRows<TPairs, TVec>(ref double columns, nuint stride, ref double rows, nuint classes)
        where TPairs : IClassPairs<TVec>
        where TVec : struct
    {
        for (nuint k = 0; ; k += 2)
        {
            k = Math.Min(k, classes - 2);
            StoreClassPair<TPairs, TVec>(ref rows, classes, k, TPairs.Load(ref columns, k * stride), TPairs.Load(ref columns, (k + 1) * stride));
            if (k + 2 == classes)
            {
                return;
            }
        }
    }
}

/// <summary>The four-class transposes of one float vector width, for loops written once over the width.</summary>
internal interface IClassQuads<TVec>
    where TVec : struct
{
    /// <summary>The rows a quad covers (the vector's lanes).</summary>
    static abstract int Lanes { get; }

    /// <summary>Whether the in-register transpose runs (else the portable element-by-element path).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>A vector from <paramref name="source"/> at <paramref name="offset"/>.</summary>
    static abstract TVec Load(ref float source, nuint offset);

    /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/>.</summary>
    static abstract void Store(TVec value, ref float destination, nuint offset);

    /// <summary>Four values of rows 0, 4, 8, ... (<paramref name="stride"/> values apart), one row per 128-bit lane.</summary>
    static abstract TVec LoadRowQuads(ref float x, nuint stride);

    /// <summary>Stores the 128-bit lanes of <paramref name="v"/> as four values of rows 0, 4, 8, ...</summary>
    static abstract void StoreRowQuads(ref float y, nuint stride, TVec v);

    /// <summary>The 4 x 4 transpose of the four vectors inside each 128-bit lane: lane element q of vector k becomes lane element k of vector q.</summary>
    static abstract void TransposeInLanes(ref TVec a0, ref TVec a1, ref TVec a2, ref TVec a3);
}

/// <summary>Quads of 16 rows.</summary>
internal readonly struct ClassQuads512 : IClassQuads<Vector512<float>>
{
    public static int Lanes => 16;
    public static bool IsAccelerated => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadRowQuads(ref float x, nuint stride)
    {
        Vector512<float> v = Vector128.LoadUnsafe(ref x).ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 4 * stride), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 8 * stride), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 12 * stride), 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRowQuads(ref float y, nuint stride, Vector512<float> v)
    {
        v.GetLower().GetLower().StoreUnsafe(ref y);
        Avx512F.ExtractVector128(v, 1).StoreUnsafe(ref y, 4 * stride);
        Avx512F.ExtractVector128(v, 2).StoreUnsafe(ref y, 8 * stride);
        Avx512F.ExtractVector128(v, 3).StoreUnsafe(ref y, 12 * stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeInLanes(ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3)
    {
        Vector512<double> t0 = Avx512F.UnpackLow(a0, a1).AsDouble(), t1 = Avx512F.UnpackHigh(a0, a1).AsDouble();
        Vector512<double> t2 = Avx512F.UnpackLow(a2, a3).AsDouble(), t3 = Avx512F.UnpackHigh(a2, a3).AsDouble();
        a0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        a1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        a2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        a3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
    }
}

/// <summary>Quads of 8 rows.</summary>
internal readonly struct ClassQuads256 : IClassQuads<Vector256<float>>
{
    public static int Lanes => 8;
    public static bool IsAccelerated => Avx.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LoadRowQuads(ref float x, nuint stride) => Vector256.Create(Vector128.LoadUnsafe(ref x), Vector128.LoadUnsafe(ref x, 4 * stride));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRowQuads(ref float y, nuint stride, Vector256<float> v)
    {
        v.GetLower().StoreUnsafe(ref y);
        v.GetUpper().StoreUnsafe(ref y, 4 * stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeInLanes(ref Vector256<float> a0, ref Vector256<float> a1, ref Vector256<float> a2, ref Vector256<float> a3)
    {
        Vector256<double> t0 = Avx.UnpackLow(a0, a1).AsDouble(), t1 = Avx.UnpackHigh(a0, a1).AsDouble();
        Vector256<double> t2 = Avx.UnpackLow(a2, a3).AsDouble(), t3 = Avx.UnpackHigh(a2, a3).AsDouble();
        a0 = Avx.UnpackLow(t0, t2).AsSingle();
        a1 = Avx.UnpackHigh(t0, t2).AsSingle();
        a2 = Avx.UnpackLow(t1, t3).AsSingle();
        a3 = Avx.UnpackHigh(t1, t3).AsSingle();
    }
}

/// <summary>The two-class transposes of one double vector width.</summary>
internal interface IClassPairs<TVec>
    where TVec : struct
{
    /// <summary>The rows a pair covers (the vector's lanes).</summary>
    static abstract int Lanes { get; }

    /// <summary>Whether the in-register transpose runs (else the portable element-by-element path).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>A vector from <paramref name="source"/> at <paramref name="offset"/>.</summary>
    static abstract TVec Load(ref double source, nuint offset);

    /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/>.</summary>
    static abstract void Store(TVec value, ref double destination, nuint offset);

    /// <summary>Two values of rows 0, 2, 4, ... (<paramref name="stride"/> values apart), one row per 128-bit lane.</summary>
    static abstract TVec LoadRowPairs(ref double x, nuint stride);

    /// <summary>Stores the 128-bit lanes of <paramref name="v"/> as two values of rows 0, 2, 4, ...</summary>
    static abstract void StoreRowPairs(ref double y, nuint stride, TVec v);

    /// <summary>The first double of each 128-bit lane of <paramref name="a"/> and <paramref name="b"/>, interleaved.</summary>
    static abstract TVec UnpackLow(TVec a, TVec b);

    /// <summary>The second double of each 128-bit lane of <paramref name="a"/> and <paramref name="b"/>, interleaved.</summary>
    static abstract TVec UnpackHigh(TVec a, TVec b);
}

/// <summary>Pairs of 8 rows.</summary>
internal readonly struct ClassPairs512 : IClassPairs<Vector512<double>>
{
    public static int Lanes => 8;
    public static bool IsAccelerated => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> UnpackLow(Vector512<double> a, Vector512<double> b) => Avx512F.UnpackLow(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> UnpackHigh(Vector512<double> a, Vector512<double> b) => Avx512F.UnpackHigh(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> LoadRowPairs(ref double x, nuint stride)
    {
        Vector512<double> v = Vector128.LoadUnsafe(ref x).ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 2 * stride), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 4 * stride), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 6 * stride), 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRowPairs(ref double y, nuint stride, Vector512<double> v)
    {
        v.GetLower().GetLower().StoreUnsafe(ref y);
        Avx512F.ExtractVector128(v, 1).StoreUnsafe(ref y, 2 * stride);
        Avx512F.ExtractVector128(v, 2).StoreUnsafe(ref y, 4 * stride);
        Avx512F.ExtractVector128(v, 3).StoreUnsafe(ref y, 6 * stride);
    }
}

/// <summary>Pairs of 4 rows.</summary>
internal readonly struct ClassPairs256 : IClassPairs<Vector256<double>>
{
    public static int Lanes => 4;
    public static bool IsAccelerated => Avx.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> UnpackLow(Vector256<double> a, Vector256<double> b) => Avx.UnpackLow(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> UnpackHigh(Vector256<double> a, Vector256<double> b) => Avx.UnpackHigh(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> LoadRowPairs(ref double x, nuint stride) => Vector256.Create(Vector128.LoadUnsafe(ref x), Vector128.LoadUnsafe(ref x, 2 * stride));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRowPairs(ref double y, nuint stride, Vector256<double> v)
    {
        v.GetLower().StoreUnsafe(ref y);
        v.GetUpper().StoreUnsafe(ref y, 2 * stride);
    }
}
