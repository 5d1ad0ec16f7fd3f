using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every layout method of every generated kernel (Block/Row x Vector512/256/128 x float/double), called directly,
/// against the runtime fallback of the kernel's precision (the Fast kernels against the Fast fallback). The generated dispatch runs only the widest accelerated tier, so without this a
/// machine without AVX-512 would never run the Vector512 code (vector types still work there, in software). The column
/// layout is the runtime's <c>ColumnLayout</c>, which the dispatch calls directly; <see cref="FallbackLayoutTests"/>
/// runs its kernels at every width.
/// </summary>
public sealed class TierPathTests
{
    private delegate void RowsOperation<T>(ref T x, ref T y, nuint rows);

    private delegate double LossOperation<T>(ref T x, ReadOnlySpan<int> targets, Span<T> losses, nuint rows);

    // The block and column layouts take the spans (the runtime helpers they call check against them).
    private delegate void SpanRowsOperation<T>(ReadOnlySpan<T> x, Span<T> y, int rows);

    private delegate double SpanLossOperation<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> targets, Span<T> losses, int rows);

    private static readonly int[] RowCounts = [0, 1, 2, 15, 16, 17, 33];


    public static TheoryData<string> LayoutMethods()
    {
        var data = new TheoryData<string>();
        foreach ((Type type, MethodInfo method) in FindLayoutMethods())
        {
            data.Add(Describe(type, method));
        }

        return data;
    }

    [Fact]
    public void EveryLayoutAndTierIsFound()
    {
        var names = FindLayoutMethods().Select(m => m.Method.Name).ToHashSet();
        foreach (string layout in new[] { "Block512", "Block256", "Block128", "Row512", "Row256", "Row128" })
        {
            Assert.Contains("Softmax" + layout, names);
            Assert.Contains("LogSoftmax" + layout, names);
            Assert.Contains("CrossEntropy" + layout, names);
        }

        // Rows that outgrow the registers run the runtime's row kernels, and the column layout is the runtime's: no
        // generated loop or column methods.
        Assert.DoesNotContain(names, name => name.Contains("Loop", StringComparison.Ordinal) || name.Contains("Columns", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(LayoutMethods))]
    public void LayoutMethodMatchesFallback(string name)
    {
        (Type type, MethodInfo method) = FindLayoutMethods().Single(m => Describe(m.Type, m.Method) == name);
        int classes = (int)type.GetField("C", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;
        bool isFloat = ElementType(method) == typeof(float);
        SoftmaxPrecision precision = ((SoftmaxKernel)type.GetField("Instance", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).Precision;
        foreach (int rows in RowCounts)
        {
            if (isFloat)
            {
                Check<float>(method, classes, rows, name, precision);
            }
            else
            {
                Check<double>(method, classes, rows, name, precision);
            }
        }
    }

    private static void Check<T>(MethodInfo method, int classes, int rows, string name, SoftmaxPrecision precision)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(classes * 1000 + rows);
        T[] logits = new T[rows * classes];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = T.CreateTruncating((random.NextDouble() - 0.5) * 40);
        }

        if (rows > 1 && classes > 1)
        {
            logits[classes + 1] = T.NegativeInfinity; // a masked logit in row 1
        }

        int[] targets = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        T[] actual = new T[logits.Length + 1];
        T[] expected = new T[logits.Length];
        T sentinel = T.CreateTruncating(12345.0);
        actual[^1] = sentinel;

        if (method.Name.StartsWith("CrossEntropy", StringComparison.Ordinal))
        {
            double sum = TakesSpans(method)
                ? method.CreateDelegate<SpanLossOperation<T>>()(logits, targets, actual.AsSpan(0, rows), rows)
                : method.CreateDelegate<LossOperation<T>>()(ref First(logits), targets, actual.AsSpan(0, rows), (nuint)rows);
            Fallback.CrossEntropy<T>(logits, targets, expected.AsSpan(0, rows), classes, precision);
            double expectedSum = 0;
            for (int r = 0; r < rows; r++)
            {
                Assert.True(Close(actual[r], expected[r], 1e-6), $"{name}, {rows} rows: loss of row {r} is {actual[r]}, the fallback's {expected[r]}");
                expectedSum += double.CreateTruncating(expected[r]);
            }

            Assert.True(sum == expectedSum || Math.Abs(sum - expectedSum) <= 1e-6 * Math.Max(1, Math.Abs(expectedSum)), $"{name}, {rows} rows: sum {sum}, the fallback's {expectedSum}");
            return;
        }

        if (TakesSpans(method))
        {
            method.CreateDelegate<SpanRowsOperation<T>>()(logits, actual, rows);
        }
        else
        {
            method.CreateDelegate<RowsOperation<T>>()(ref First(logits), ref First(actual), (nuint)rows);
        }

        bool log = method.Name.StartsWith("LogSoftmax", StringComparison.Ordinal);
        if (log)
        {
            Fallback.LogSoftmax<T>(logits, expected, classes, precision);
        }
        else
        {
            Fallback.Softmax<T>(logits, expected, classes, precision);
        }

        Assert.Equal(sentinel, actual[^1]);
        for (int i = 0; i < expected.Length; i++)
        {
            long ulps = Ulp.Distance(actual[i], expected[i]);
            long scaledUlps = log ? (long)Math.Ceiling(double.CreateTruncating(T.Abs(actual[i] - expected[i])) / Ulp.OfAtLeastOne<T>(double.CreateTruncating(expected[i]))) : ulps;
            bool ok = T.IsNegativeInfinity(expected[i]) ? T.IsNegativeInfinity(actual[i]) : (T.Abs(expected[i]) < T.CreateTruncating(1e-30) && !log ? T.Abs(actual[i] - expected[i]) < T.CreateTruncating(1e-37) : scaledUlps <= 4);
            Assert.True(ok, $"{name}, {rows} rows: element {i} (row {i / classes}, class {i % classes}) is {actual[i]}, the fallback's {expected[i]} ({ulps} ULP)");
        }
    }

    private static bool TakesSpans(MethodInfo method) => !method.GetParameters()[0].ParameterType.IsByRef;

    private static Type ElementType(MethodInfo method)
    {
        Type first = method.GetParameters()[0].ParameterType;
        return first.IsByRef ? first.GetElementType()! : first.GetGenericArguments()[0];
    }

    private static ref T First<T>(T[] array) => ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array);

    private static bool Close<T>(T a, T b, double relative)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        a == b || Math.Abs(double.CreateTruncating(a) - double.CreateTruncating(b)) <= relative * Math.Max(1, Math.Abs(double.CreateTruncating(b)));

    private static IEnumerable<(Type Type, MethodInfo Method)> FindLayoutMethods()
    {
        foreach (Type type in typeof(TierPathTests).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(SoftmaxKernel)) && t.GetField("C", BindingFlags.NonPublic | BindingFlags.Static) is not null).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            // (Generated kernels have a constant C; test-only kernels such as ConcurrencyTests' do not.)
            // Batches of up to 33 rows: class counts beyond a few thousand have their own test (LargeClassCountTests).
            if ((int)type.GetField("C", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()! > 4096)
            {
                continue;
            }

            foreach (MethodInfo method in type.GetMethods(BindingFlags.NonPublic | BindingFlags.Static).OrderBy(m => m.ToString(), StringComparer.Ordinal))
            {
                if (System.Text.RegularExpressions.Regex.IsMatch(method.Name, "^(Softmax|LogSoftmax|CrossEntropy)(Block|Columns|Row|Loop)(128|256|512)$"))
                {
                    yield return (type, method);
                }
            }
        }
    }

    private static string Describe(Type type, MethodInfo method) =>
        $"{type.Name[(type.Name.LastIndexOf("__", StringComparison.Ordinal) + 2)..]}.{method.Name}({ElementType(method).Name})";

    /// <summary>The fallback's typed entry points for generic code, in the kernel's precision.</summary>
    private static class Fallback
    {
        public static void Softmax<T>(T[] logits, T[] output, int classes, SoftmaxPrecision precision)
        {
            if (logits is float[] f)
                SoftmaxFallback.Softmax(f, (float[])(object)output, classes, precision);
            else
                SoftmaxFallback.Softmax((double[])(object)logits, (double[])(object)output, classes, precision);
        }

        public static void LogSoftmax<T>(T[] logits, T[] output, int classes, SoftmaxPrecision precision)
        {
            if (logits is float[] f)
                SoftmaxFallback.LogSoftmax(f, (float[])(object)output, classes, precision);
            else
                SoftmaxFallback.LogSoftmax((double[])(object)logits, (double[])(object)output, classes, precision);
        }

        /// <remarks>The plain cross-entropy core takes the precision; the option-taking loss entry point does not (yet), so Exact keeps it.</remarks>
        public static void CrossEntropy<T>(T[] logits, int[] targets, Span<T> losses, int classes, SoftmaxPrecision precision)
            where T : struct
        {
            if (precision == SoftmaxPrecision.Fast && logits is float[] fast)
                SoftmaxFallback.CrossEntropyCore(fast, targets, System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(losses), targets.Length, classes, precision);
            else if (precision == SoftmaxPrecision.Fast)
                SoftmaxFallback.CrossEntropyCore((double[])(object)logits, targets, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(losses), targets.Length, classes, precision);
            else if (logits is float[] f)
                SoftmaxFallback.CrossEntropy(f, targets, System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(losses), classes);
            else
                SoftmaxFallback.CrossEntropy((double[])(object)logits, targets, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(losses), classes);
        }
    }
}
