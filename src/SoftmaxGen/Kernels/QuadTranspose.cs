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
    /// Loads classes <paramref name="firstClass"/> to <paramref name="firstClass"/> + 3 of 16 rows that start
    /// <paramref name="stride"/> values apart, one vector per class: lane r of <paramref name="c0"/> is class
    /// <paramref name="firstClass"/> of row r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3)
    {
        ref float first = ref Unsafe.Add(ref x, firstClass);
        if (Avx512F.IsSupported)
        {
            c0 = LoadRowQuads512(ref first, stride);
            c1 = LoadRowQuads512(ref Unsafe.Add(ref first, stride), stride);
            c2 = LoadRowQuads512(ref Unsafe.Add(ref first, 2 * stride), stride);
            c3 = LoadRowQuads512(ref Unsafe.Add(ref first, 3 * stride), stride);
            TransposeInLanes(ref c0, ref c1, ref c2, ref c3);
        }
        else
        {
            // Portable path (what the emulated Vector512 of tests runs): element by element, the same result.
            c0 = Column512(ref first, stride);
            c1 = Column512(ref Unsafe.Add(ref first, 1), stride);
            c2 = Column512(ref Unsafe.Add(ref first, 2), stride);
            c3 = Column512(ref Unsafe.Add(ref first, 3), stride);
        }
    }

    /// <summary>Stores the four class vectors that <see cref="LoadClassQuad(ref float, nuint, nuint, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassQuad(ref float y, nuint stride, nuint firstClass, Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3)
    {
        ref float first = ref Unsafe.Add(ref y, firstClass);
        if (Avx512F.IsSupported)
        {
            TransposeInLanes(ref c0, ref c1, ref c2, ref c3);
            StoreRowQuads512(ref first, stride, c0);
            StoreRowQuads512(ref Unsafe.Add(ref first, stride), stride, c1);
            StoreRowQuads512(ref Unsafe.Add(ref first, 2 * stride), stride, c2);
            StoreRowQuads512(ref Unsafe.Add(ref first, 3 * stride), stride, c3);
        }
        else
        {
            for (nuint r = 0; r < 16; r++)
            {
                ref float row = ref Unsafe.Add(ref first, r * stride);
                row = c0.GetElement((int)r);
                Unsafe.Add(ref row, 1) = c1.GetElement((int)r);
                Unsafe.Add(ref row, 2) = c2.GetElement((int)r);
                Unsafe.Add(ref row, 3) = c3.GetElement((int)r);
            }
        }
    }

    /// <summary>
    /// Loads classes <paramref name="firstClass"/> to <paramref name="firstClass"/> + 3 of 8 rows that start
    /// <paramref name="stride"/> values apart, one vector per class: lane r of <paramref name="c0"/> is class
    /// <paramref name="firstClass"/> of row r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3)
    {
        ref float first = ref Unsafe.Add(ref x, firstClass);
        if (Avx.IsSupported)
        {
            c0 = LoadRowQuads256(ref first, stride);
            c1 = LoadRowQuads256(ref Unsafe.Add(ref first, stride), stride);
            c2 = LoadRowQuads256(ref Unsafe.Add(ref first, 2 * stride), stride);
            c3 = LoadRowQuads256(ref Unsafe.Add(ref first, 3 * stride), stride);
            TransposeInLanes(ref c0, ref c1, ref c2, ref c3);
        }
        else
        {
            c0 = Column256(ref first, stride);
            c1 = Column256(ref Unsafe.Add(ref first, 1), stride);
            c2 = Column256(ref Unsafe.Add(ref first, 2), stride);
            c3 = Column256(ref Unsafe.Add(ref first, 3), stride);
        }
    }

    /// <summary>Stores the four class vectors that <see cref="LoadClassQuad(ref float, nuint, nuint, out Vector256{float}, out Vector256{float}, out Vector256{float}, out Vector256{float})"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassQuad(ref float y, nuint stride, nuint firstClass, Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3)
    {
        ref float first = ref Unsafe.Add(ref y, firstClass);
        if (Avx.IsSupported)
        {
            TransposeInLanes(ref c0, ref c1, ref c2, ref c3);
            StoreRowQuads256(ref first, stride, c0);
            StoreRowQuads256(ref Unsafe.Add(ref first, stride), stride, c1);
            StoreRowQuads256(ref Unsafe.Add(ref first, 2 * stride), stride, c2);
            StoreRowQuads256(ref Unsafe.Add(ref first, 3 * stride), stride, c3);
        }
        else
        {
            for (nuint r = 0; r < 8; r++)
            {
                ref float row = ref Unsafe.Add(ref first, r * stride);
                row = c0.GetElement((int)r);
                Unsafe.Add(ref row, 1) = c1.GetElement((int)r);
                Unsafe.Add(ref row, 2) = c2.GetElement((int)r);
                Unsafe.Add(ref row, 3) = c3.GetElement((int)r);
            }
        }
    }

    /// <summary>Four values of rows 0, 4, 8 and 12 (from <paramref name="x"/>, rows <paramref name="stride"/> apart), one row per 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LoadRowQuads512(ref float x, nuint stride)
    {
        Vector512<float> v = Vector128.LoadUnsafe(ref x).ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 4 * stride), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 8 * stride), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 12 * stride), 3);
    }

    /// <summary>Stores the 128-bit lanes of <paramref name="v"/> as four values of rows 0, 4, 8 and 12.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowQuads512(ref float y, nuint stride, Vector512<float> v)
    {
        v.GetLower().GetLower().StoreUnsafe(ref y);
        Avx512F.ExtractVector128(v, 1).StoreUnsafe(ref y, 4 * stride);
        Avx512F.ExtractVector128(v, 2).StoreUnsafe(ref y, 8 * stride);
        Avx512F.ExtractVector128(v, 3).StoreUnsafe(ref y, 12 * stride);
    }

    /// <summary>Four values of rows 0 and 4, one row per 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadRowQuads256(ref float x, nuint stride) =>
        Vector256.Create(Vector128.LoadUnsafe(ref x), Vector128.LoadUnsafe(ref x, 4 * stride));

    /// <summary>Stores the 128-bit lanes of <paramref name="v"/> as four values of rows 0 and 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowQuads256(ref float y, nuint stride, Vector256<float> v)
    {
        v.GetLower().StoreUnsafe(ref y);
        v.GetUpper().StoreUnsafe(ref y, 4 * stride);
    }

    /// <summary>The 4 x 4 transpose of the four vectors inside each 128-bit lane: lane element q of vector k becomes lane element k of vector q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeInLanes(ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3)
    {
        Vector512<double> t0 = Avx512F.UnpackLow(a0, a1).AsDouble(), t1 = Avx512F.UnpackHigh(a0, a1).AsDouble();
        Vector512<double> t2 = Avx512F.UnpackLow(a2, a3).AsDouble(), t3 = Avx512F.UnpackHigh(a2, a3).AsDouble();
        a0 = Avx512F.UnpackLow(t0, t2).AsSingle();
        a1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        a2 = Avx512F.UnpackLow(t1, t3).AsSingle();
        a3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
    }

    /// <inheritdoc cref="TransposeInLanes(ref Vector512{float}, ref Vector512{float}, ref Vector512{float}, ref Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeInLanes(ref Vector256<float> a0, ref Vector256<float> a1, ref Vector256<float> a2, ref Vector256<float> a3)
    {
        Vector256<double> t0 = Avx.UnpackLow(a0, a1).AsDouble(), t1 = Avx.UnpackHigh(a0, a1).AsDouble();
        Vector256<double> t2 = Avx.UnpackLow(a2, a3).AsDouble(), t3 = Avx.UnpackHigh(a2, a3).AsDouble();
        a0 = Avx.UnpackLow(t0, t2).AsSingle();
        a1 = Avx.UnpackHigh(t0, t2).AsSingle();
        a2 = Avx.UnpackLow(t1, t3).AsSingle();
        a3 = Avx.UnpackHigh(t1, t3).AsSingle();
    }

    /// <summary>
    /// Loads classes <paramref name="firstClass"/> and <paramref name="firstClass"/> + 1 of 8 double rows that start
    /// <paramref name="stride"/> values apart, one vector per class: lane r of <paramref name="c0"/> is class
    /// <paramref name="firstClass"/> of row r. (A 128-bit lane holds two doubles: lane group L of the two loaded vectors
    /// holds rows 2L and 2L + 1, and one unpack per class puts them in order.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassPair(ref double x, nuint stride, nuint firstClass, out Vector512<double> c0, out Vector512<double> c1)
    {
        ref double first = ref Unsafe.Add(ref x, firstClass);
        if (Avx512F.IsSupported)
        {
            Vector512<double> even = LoadRowPairs512(ref first, stride), odd = LoadRowPairs512(ref Unsafe.Add(ref first, stride), stride);
            c0 = Avx512F.UnpackLow(even, odd);
            c1 = Avx512F.UnpackHigh(even, odd);
        }
        else
        {
            c0 = Column512(ref first, stride);
            c1 = Column512(ref Unsafe.Add(ref first, 1), stride);
        }
    }

    /// <summary>Stores the two class vectors that <see cref="LoadClassPair(ref double, nuint, nuint, out Vector512{double}, out Vector512{double})"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassPair(ref double y, nuint stride, nuint firstClass, Vector512<double> c0, Vector512<double> c1)
    {
        ref double first = ref Unsafe.Add(ref y, firstClass);
        if (Avx512F.IsSupported)
        {
            Vector512<double> even = Avx512F.UnpackLow(c0, c1), odd = Avx512F.UnpackHigh(c0, c1);
            StoreRowPairs512(ref first, stride, even);
            StoreRowPairs512(ref Unsafe.Add(ref first, stride), stride, odd);
        }
        else
        {
            for (nuint r = 0; r < 8; r++)
            {
                ref double row = ref Unsafe.Add(ref first, r * stride);
                row = c0.GetElement((int)r);
                Unsafe.Add(ref row, 1) = c1.GetElement((int)r);
            }
        }
    }

    /// <summary>Loads classes <paramref name="firstClass"/> and <paramref name="firstClass"/> + 1 of 4 double rows, one vector per class (lane r = row r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadClassPair(ref double x, nuint stride, nuint firstClass, out Vector256<double> c0, out Vector256<double> c1)
    {
        ref double first = ref Unsafe.Add(ref x, firstClass);
        if (Avx.IsSupported)
        {
            Vector256<double> even = Vector256.Create(Vector128.LoadUnsafe(ref first), Vector128.LoadUnsafe(ref first, 2 * stride));
            Vector256<double> odd = Vector256.Create(Vector128.LoadUnsafe(ref first, stride), Vector128.LoadUnsafe(ref first, 3 * stride));
            c0 = Avx.UnpackLow(even, odd);
            c1 = Avx.UnpackHigh(even, odd);
        }
        else
        {
            c0 = Vector256.Create(first, Unsafe.Add(ref first, stride), Unsafe.Add(ref first, 2 * stride), Unsafe.Add(ref first, 3 * stride));
            ref double second = ref Unsafe.Add(ref first, 1);
            c1 = Vector256.Create(second, Unsafe.Add(ref second, stride), Unsafe.Add(ref second, 2 * stride), Unsafe.Add(ref second, 3 * stride));
        }
    }

    /// <summary>Stores the two class vectors that <see cref="LoadClassPair(ref double, nuint, nuint, out Vector256{double}, out Vector256{double})"/> loads back to their rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreClassPair(ref double y, nuint stride, nuint firstClass, Vector256<double> c0, Vector256<double> c1)
    {
        ref double first = ref Unsafe.Add(ref y, firstClass);
        if (Avx.IsSupported)
        {
            Vector256<double> even = Avx.UnpackLow(c0, c1), odd = Avx.UnpackHigh(c0, c1);
            even.GetLower().StoreUnsafe(ref first);
            odd.GetLower().StoreUnsafe(ref first, stride);
            even.GetUpper().StoreUnsafe(ref first, 2 * stride);
            odd.GetUpper().StoreUnsafe(ref first, 3 * stride);
        }
        else
        {
            for (nuint r = 0; r < 4; r++)
            {
                ref double row = ref Unsafe.Add(ref first, r * stride);
                row = c0.GetElement((int)r);
                Unsafe.Add(ref row, 1) = c1.GetElement((int)r);
            }
        }
    }

    /// <summary>Two values of rows 0, 2, 4 and 6 (rows <paramref name="stride"/> apart), one row per 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> LoadRowPairs512(ref double x, nuint stride)
    {
        Vector512<double> v = Vector128.LoadUnsafe(ref x).ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 2 * stride), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 4 * stride), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref x, 6 * stride), 3);
    }

    /// <summary>Stores the 128-bit lanes of <paramref name="v"/> as two values of rows 0, 2, 4 and 6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowPairs512(ref double y, nuint stride, Vector512<double> v)
    {
        v.GetLower().GetLower().StoreUnsafe(ref y);
        Avx512F.ExtractVector128(v, 1).StoreUnsafe(ref y, 2 * stride);
        Avx512F.ExtractVector128(v, 2).StoreUnsafe(ref y, 4 * stride);
        Avx512F.ExtractVector128(v, 3).StoreUnsafe(ref y, 6 * stride);
    }

    private static Vector512<double> Column512(ref double x, nuint stride)
    {
        Vector512<double> v = default;
        for (int r = 0; r < 8; r++)
        {
            v = v.WithElement(r, Unsafe.Add(ref x, (nuint)r * stride));
        }

        return v;
    }

    private static Vector512<float> Column512(ref float x, nuint stride)
    {
        Vector512<float> v = default;
        for (int r = 0; r < 16; r++)
        {
            v = v.WithElement(r, Unsafe.Add(ref x, (nuint)r * stride));
        }

        return v;
    }

    private static Vector256<float> Column256(ref float x, nuint stride)
    {
        Vector256<float> v = default;
        for (int r = 0; r < 8; r++)
        {
            v = v.WithElement(r, Unsafe.Add(ref x, (nuint)r * stride));
        }

        return v;
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
            TQuads.LoadClassQuad(ref rows, classes, k, out TVec c0, out TVec c1, out TVec c2, out TVec c3);
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
            TQuads.StoreClassQuad(
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
            TPairs.LoadClassPair(ref rows, classes, k, out TVec c0, out TVec c1);
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
            TPairs.StoreClassPair(ref rows, classes, k, TPairs.Load(ref columns, k * stride), TPairs.Load(ref columns, (k + 1) * stride));
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

    /// <summary>A vector from <paramref name="source"/> at <paramref name="offset"/>.</summary>
    static abstract TVec Load(ref float source, nuint offset);

    /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/>.</summary>
    static abstract void Store(TVec value, ref float destination, nuint offset);

    /// <summary><see cref="SoftmaxMath.LoadClassQuad(ref float, nuint, nuint, out Vector512{float}, out Vector512{float}, out Vector512{float}, out Vector512{float})"/> at this width.</summary>
    static abstract void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out TVec c0, out TVec c1, out TVec c2, out TVec c3);

    /// <summary><see cref="SoftmaxMath.StoreClassQuad(ref float, nuint, nuint, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float})"/> at this width.</summary>
    static abstract void StoreClassQuad(ref float y, nuint stride, nuint firstClass, TVec c0, TVec c1, TVec c2, TVec c3);
}

/// <summary>Quads of 16 rows.</summary>
internal readonly struct ClassQuads512 : IClassQuads<Vector512<float>>
{
    public static int Lanes => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3) => SoftmaxMath.LoadClassQuad(ref x, stride, firstClass, out c0, out c1, out c2, out c3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreClassQuad(ref float y, nuint stride, nuint firstClass, Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3) => SoftmaxMath.StoreClassQuad(ref y, stride, firstClass, c0, c1, c2, c3);
}

/// <summary>Quads of 8 rows.</summary>
internal readonly struct ClassQuads256 : IClassQuads<Vector256<float>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LoadClassQuad(ref float x, nuint stride, nuint firstClass, out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3) => SoftmaxMath.LoadClassQuad(ref x, stride, firstClass, out c0, out c1, out c2, out c3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreClassQuad(ref float y, nuint stride, nuint firstClass, Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3) => SoftmaxMath.StoreClassQuad(ref y, stride, firstClass, c0, c1, c2, c3);
}

/// <summary>The two-class transposes of one double vector width.</summary>
internal interface IClassPairs<TVec>
    where TVec : struct
{
    /// <summary>The rows a pair covers (the vector's lanes).</summary>
    static abstract int Lanes { get; }

    /// <summary>A vector from <paramref name="source"/> at <paramref name="offset"/>.</summary>
    static abstract TVec Load(ref double source, nuint offset);

    /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/>.</summary>
    static abstract void Store(TVec value, ref double destination, nuint offset);

    /// <summary><see cref="SoftmaxMath.LoadClassPair(ref double, nuint, nuint, out Vector512{double}, out Vector512{double})"/> at this width.</summary>
    static abstract void LoadClassPair(ref double x, nuint stride, nuint firstClass, out TVec c0, out TVec c1);

    /// <summary><see cref="SoftmaxMath.StoreClassPair(ref double, nuint, nuint, Vector512{double}, Vector512{double})"/> at this width.</summary>
    static abstract void StoreClassPair(ref double y, nuint stride, nuint firstClass, TVec c0, TVec c1);
}

/// <summary>Pairs of 8 rows.</summary>
internal readonly struct ClassPairs512 : IClassPairs<Vector512<double>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LoadClassPair(ref double x, nuint stride, nuint firstClass, out Vector512<double> c0, out Vector512<double> c1) => SoftmaxMath.LoadClassPair(ref x, stride, firstClass, out c0, out c1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreClassPair(ref double y, nuint stride, nuint firstClass, Vector512<double> c0, Vector512<double> c1) => SoftmaxMath.StoreClassPair(ref y, stride, firstClass, c0, c1);
}

/// <summary>Pairs of 4 rows.</summary>
internal readonly struct ClassPairs256 : IClassPairs<Vector256<double>>
{
    public static int Lanes => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void LoadClassPair(ref double x, nuint stride, nuint firstClass, out Vector256<double> c0, out Vector256<double> c1) => SoftmaxMath.LoadClassPair(ref x, stride, firstClass, out c0, out c1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreClassPair(ref double y, nuint stride, nuint firstClass, Vector256<double> c0, Vector256<double> c1) => SoftmaxMath.StoreClassPair(ref y, stride, firstClass, c0, c1);
}
