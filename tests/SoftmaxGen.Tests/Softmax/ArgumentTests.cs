using System;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text.RegularExpressions;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Argument validation of every public operation of <see cref="SoftmaxPrimitives"/>, <see cref="SoftmaxFallback"/> and
/// the generated <c>KernelN</c> members: the exception type, its parameter name and the numbers in its message; and
/// that a call that fails validation writes nothing. Also in-place use (same start) and zero rows.
/// </summary>
public sealed class ArgumentTests
{
    /// <summary>Written to outputs before a call that must not write them (exact in float and double).</summary>
    private const double SentinelDouble = 4242.5;
    private const int SentinelIndex = -7;

    /// <summary>(implementation, classes) for the class counts used here; all have a generated kernel.</summary>
    public static TheoryData<string, int> ImplementationsAndCounts => Cases(1, 3, 8, 17, 100);

    /// <summary>More class counts for in-place use, across the vector-width boundaries.</summary>
    public static TheoryData<string, int> InPlaceCases => Cases(1, 2, 3, 4, 7, 8, 9, 16, 17, 33, 64, 65, 100, 1024);

    public static TheoryData<string> NonGeneratedNames
    {
        get
        {
            var data = new TheoryData<string>();
            data.Add("fallback");
            data.Add("dispatch");
            return data;
        }
    }

    // ---- classes < 1 (only SoftmaxPrimitives and SoftmaxFallback take a class count) ---------------------

    [Theory]
    [MemberData(nameof(NonGeneratedNames))]
    public void ClassesBelowOne_Throws(string name)
    {
        foreach (int classes in new[] { 0, -1, -3, int.MinValue })
        {
            foreach (int length in new[] { 0, 6 })
            {
                // A direct implementation object with a bad class count: the library must reject it before any division.
                SoftmaxImplementation implementation = name == "fallback" ? new FallbackImplementation(classes) : new DispatchImplementation(classes);
                ExpectRejected<float, ArgumentOutOfRangeException>(implementation, length, 2, "classes", []);
                ExpectRejected<double, ArgumentOutOfRangeException>(implementation, length, 2, "classes", []);
            }
        }
    }

    // ---- logits that are not whole rows --------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void LogitsNotWholeRows_Throws(string name, int classes)
    {
        if (classes == 1)
        {
            return; // every length is a whole number of one-class rows
        }

        SoftmaxImplementation implementation = Implementations.Get(name, classes);
        foreach (int length in new[] { 1, classes - 1, (2 * classes) + 1, (5 * classes) - 1 }.Distinct())
        {
            string lengthText = length.ToString(CultureInfo.InvariantCulture);
            string classesText = classes.ToString(CultureInfo.InvariantCulture);
            ExpectRejected<float, ArgumentException>(implementation, length, (length / classes) + 1, "logits", [lengthText, classesText]);
            ExpectRejected<double, ArgumentException>(implementation, length, (length / classes) + 1, "logits", [lengthText, classesText]);
        }
    }

    // ---- outputs too short ---------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void OutputTooShort_Throws(string name, int classes)
    {
        OutputTooShort<float>(Implementations.Get(name, classes));
        OutputTooShort<double>(Implementations.Get(name, classes));
    }

    private static void OutputTooShort<T>(SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = implementation.Classes;
        const int Rows = 4;
        int n = Rows * classes;
        T[] logits = Logits<T>(n, 11);
        int[] targets = Targets(Rows, classes);
        foreach (int shortBy in new[] { 1, n })
        {
            int length = n - shortBy;
            string[] numbers = [Text(length), Text(n)];
            T[] output = Sentinels<T>(length);
            var e = Assert.Throws<ArgumentException>(() => implementation.ApplySoftmax<T>(logits, output));
            AssertParameter(e, "probabilities", numbers, implementation);
            AssertSentinels(output, implementation);
            e = Assert.Throws<ArgumentException>(() => implementation.ApplyLogSoftmax<T>(logits, output));
            AssertParameter(e, "logProbabilities", numbers, implementation);
            AssertSentinels(output, implementation);
        }

        foreach (int length in new[] { 0, Rows - 1 })
        {
            string[] numbers = [Text(length), Text(Rows)];
            T[] losses = Sentinels<T>(length);
            var e = Assert.Throws<ArgumentException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, losses));
            AssertParameter(e, "losses", numbers, implementation);
            AssertSentinels(losses, implementation);

            int[] predictions = IndexSentinels(length);
            e = Assert.Throws<ArgumentException>(() => implementation.ApplyArgmax<T>(logits, predictions));
            AssertParameter(e, "predictions", numbers, implementation);
            Assert.All(predictions, p => Assert.Equal(SentinelIndex, p));
        }
    }

    // ---- partial overlap -----------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void PartialOverlap_Throws(string name, int classes)
    {
        PartialOverlap<float>(Implementations.Get(name, classes));
        PartialOverlap<double>(Implementations.Get(name, classes));
    }

    private static void PartialOverlap<T>(SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = implementation.Classes;
        const int Rows = 3;
        int n = Rows * classes;
        T[] buffer = Logits<T>((2 * n) + 1, 12);
        T[] before = (T[])buffer.Clone();
        int[] targets = Targets(Rows, classes);

        // The output starts after the input (inside it), or before it; same-shape outputs may only coincide exactly.
        foreach ((int input, int output) in new[] { (0, 1), (0, n - 1), (1, 0), (n - 1, 0), (0, n / 2) }.Where(p => p.Item1 != p.Item2).Distinct())
        {
            string where = $"{implementation} {Verifier.TypeName<T>()} input at {input}, output at {output}";
            var e = Assert.Throws<ArgumentException>(() => implementation.ApplySoftmax<T>(buffer.AsSpan(input, n), buffer.AsSpan(output, n)));
            Assert.True(e.ParamName == "probabilities", $"{where}: ParamName {e.ParamName}");
            e = Assert.Throws<ArgumentException>(() => implementation.ApplyLogSoftmax<T>(buffer.AsSpan(input, n), buffer.AsSpan(output, n)));
            Assert.True(e.ParamName == "logProbabilities", $"{where}: ParamName {e.ParamName}");
            Assert.True(buffer.AsSpan().SequenceEqual(before), $"{where}: the buffer was written");
        }

        // Per-row losses must not overlap the logits at all (same start included).
        foreach (int start in new[] { 0, 1, n - 1, n - Rows + 1 }.Where(s => s + Rows > 0 && s < n).Distinct())
        {
            var e = Assert.Throws<ArgumentException>(() => implementation.ApplyCrossEntropy<T>(buffer.AsSpan(0, n), targets, buffer.AsSpan(start, Rows)));
            Assert.True(e.ParamName == "losses", $"{implementation} {Verifier.TypeName<T>()} losses at {start}: ParamName {e.ParamName}");
            Assert.True(buffer.AsSpan().SequenceEqual(before), $"{implementation}: the buffer was written");
        }

        // Adjacent but not overlapping is fine.
        implementation.ApplySoftmax<T>(buffer.AsSpan(0, n), buffer.AsSpan(n, n));
        implementation.ApplyCrossEntropy<T>(buffer.AsSpan(0, n), targets, buffer.AsSpan(n, Rows));
    }

    // ---- in place ------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(InPlaceCases))]
    public void InPlace_GivesTheSameResultAsOutOfPlace(string name, int classes)
    {
        if (name == "generated" && Implementations.Generated(classes) is null)
        {
            return;
        }

        InPlace<float>(Implementations.Get(name, classes));
        InPlace<double>(Implementations.Get(name, classes));
    }

    private static void InPlace<T>(SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int rows in new[] { 0, 1, 2, 5 })
        {
            int n = rows * implementation.Classes;
            T[] logits = Logits<T>(n, 13 + rows);
            string where = $"{implementation} {Verifier.TypeName<T>()} rows={rows}";

            var expected = new T[n];
            implementation.ApplySoftmax<T>(logits, expected);
            T[] buffer = (T[])logits.Clone();
            implementation.ApplySoftmax<T>(buffer, buffer);
            AssertBitwiseEqual(expected, buffer, $"{where} in-place softmax");

            implementation.ApplyLogSoftmax<T>(logits, expected);
            buffer = (T[])logits.Clone();
            implementation.ApplyLogSoftmax<T>(buffer, buffer);
            AssertBitwiseEqual(expected, buffer, $"{where} in-place log-softmax");

            // In place within a larger buffer (the same start, a longer output).
            var big = new T[n + 5];
            logits.CopyTo(big, 0);
            implementation.ApplyLogSoftmax<T>(big.AsSpan(0, n), big);
            AssertBitwiseEqual(expected, big.AsSpan(0, n).ToArray(), $"{where} in-place log-softmax into a longer span");
        }
    }

    // ---- targets -------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void TargetsLengthMismatch_Throws(string name, int classes)
    {
        TargetsLength<float>(Implementations.Get(name, classes));
        TargetsLength<double>(Implementations.Get(name, classes));
    }

    private static void TargetsLength<T>(SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Rows = 6;
        T[] logits = Logits<T>(Rows * implementation.Classes, 14);
        foreach (int length in new[] { 0, Rows - 1, Rows + 1, 3 * Rows })
        {
            int[] targets = new int[length];
            string[] numbers = [Text(length), Text(Rows)];
            T[] losses = Sentinels<T>(Rows);
            var e = Assert.Throws<ArgumentException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, losses));
            AssertParameter(e, "targets", numbers, implementation);
            AssertSentinels(losses, implementation);
            e = Assert.Throws<ArgumentException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Mean));
            AssertParameter(e, "targets", numbers, implementation);
            e = Assert.Throws<ArgumentException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Sum));
            AssertParameter(e, "targets", numbers, implementation);
        }
    }

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void TargetOutOfRange_Throws(string name, int classes)
    {
        TargetRange<float>(Implementations.Get(name, classes));
        TargetRange<double>(Implementations.Get(name, classes));
    }

    private static void TargetRange<T>(SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = implementation.Classes;
        const int Rows = 6;
        T[] logits = Logits<T>(Rows * classes, 15);
        // -100 is not here: it is the default ignoreIndex, a valid target (PyTorch's ignore_index); LossArgumentTests covers it.
        foreach (int bad in new[] { -1, -101, classes, classes + 1, int.MaxValue, int.MinValue })
        {
            foreach (int row in new[] { 0, Rows - 1 })
            {
                int[] targets = Targets(Rows, classes);
                targets[row] = bad;
                string[] numbers = [Text(row), Text(bad)];
                T[] losses = Sentinels<T>(Rows);
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, losses));
                AssertParameter(e, "targets", numbers, implementation);
                AssertSentinels(losses, implementation);
                e = Assert.Throws<ArgumentOutOfRangeException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Mean));
                AssertParameter(e, "targets", numbers, implementation);
                e = Assert.Throws<ArgumentOutOfRangeException>(() => implementation.ApplyCrossEntropyDefault<T>(logits, targets));
                AssertParameter(e, "targets", numbers, implementation);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void UndefinedReduction_Throws(string name, int classes)
    {
        SoftmaxImplementation implementation = Implementations.Get(name, classes);
        float[] logitsF = Logits<float>(2 * classes, 16);
        double[] logitsD = Logits<double>(2 * classes, 16);
        int[] targets = Targets(2, classes);
        foreach (LossReduction reduction in new[] { (LossReduction)2, (LossReduction)(-1), (LossReduction)100 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => implementation.CrossEntropy(logitsF, targets, reduction));
            Assert.Equal("reduction", e.ParamName);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => implementation.CrossEntropy(logitsD, targets, reduction));
            Assert.Equal("reduction", e.ParamName);
        }
    }

    // ---- zero rows -----------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(ImplementationsAndCounts))]
    public void ZeroRows_WritesNothing(string name, int classes)
    {
        ZeroRows<float>(Implementations.Get(name, classes));
        ZeroRows<double>(Implementations.Get(name, classes));
    }

    private static void ZeroRows<T>(SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int outputLength in new[] { 0, 5 })
        {
            T[] output = Sentinels<T>(outputLength);
            implementation.ApplySoftmax<T>([], output);
            implementation.ApplyLogSoftmax<T>([], output);
            implementation.ApplyCrossEntropy<T>([], [], output);
            AssertSentinels(output, implementation);

            int[] predictions = IndexSentinels(outputLength);
            implementation.ApplyArgmax<T>([], predictions);
            Assert.All(predictions, p => Assert.Equal(SentinelIndex, p));
        }

        Assert.True(T.IsNaN(implementation.ApplyCrossEntropy<T>([], [], LossReduction.Mean)), $"{implementation}: the mean of zero rows must be NaN");
        Assert.True(T.IsNaN(implementation.ApplyCrossEntropyDefault<T>([], [])), $"{implementation}: the default (mean) reduction of zero rows must be NaN");
        T sum = implementation.ApplyCrossEntropy<T>([], [], LossReduction.Sum);
        Assert.True(sum == T.Zero, $"{implementation}: the sum of zero rows is {Verifier.Format(sum)}, not 0");
    }

    // ---- Helpers -------------------------------------------------------------------------------------

    private static TheoryData<string, int> Cases(params int[] classCounts)
    {
        var data = new TheoryData<string, int>();
        foreach (int classes in classCounts)
        {
            foreach (string name in Implementations.Names)
            {
                data.Add(name, classes);
            }
        }

        return data;
    }

    /// <summary>
    /// Every operation, called with <paramref name="length"/> logits and outputs for <paramref name="rows"/> rows, must
    /// throw <typeparamref name="TException"/> (exactly) naming <paramref name="parameter"/>, with every string of
    /// <paramref name="numbers"/> in its message, and write nothing.
    /// </summary>
    private static void ExpectRejected<T, TException>(SoftmaxImplementation implementation, int length, int rows, string parameter, string[] numbers)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TException : ArgumentException
    {
        T[] logits = Logits<T>(length, 17);
        int[] targets = new int[rows];
        T[] output = Sentinels<T>(length + 8);
        T[] losses = Sentinels<T>(rows + 8);
        int[] predictions = IndexSentinels(rows + 8);

        AssertParameter(Assert.Throws<TException>(() => implementation.ApplySoftmax<T>(logits, output)), parameter, numbers, implementation);
        AssertParameter(Assert.Throws<TException>(() => implementation.ApplyLogSoftmax<T>(logits, output)), parameter, numbers, implementation);
        AssertParameter(Assert.Throws<TException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, losses)), parameter, numbers, implementation);
        AssertParameter(Assert.Throws<TException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Mean)), parameter, numbers, implementation);
        AssertParameter(Assert.Throws<TException>(() => implementation.ApplyCrossEntropy<T>(logits, targets, LossReduction.Sum)), parameter, numbers, implementation);
        AssertParameter(Assert.Throws<TException>(() => implementation.ApplyCrossEntropyDefault<T>(logits, targets)), parameter, numbers, implementation);
        AssertParameter(Assert.Throws<TException>(() => implementation.ApplyArgmax<T>(logits, predictions)), parameter, numbers, implementation);
        AssertSentinels(output, implementation);
        AssertSentinels(losses, implementation);
        Assert.All(predictions, p => Assert.Equal(SentinelIndex, p));
    }

    private static void AssertParameter(ArgumentException e, string parameter, string[] numbers, SoftmaxImplementation implementation)
    {
        Assert.True(e.ParamName == parameter, $"{implementation}: ParamName is {e.ParamName ?? "null"}, expected {parameter} ({e.Message})");
        foreach (string number in numbers)
        {
            // As a whole number: "5" must not be found inside "15" or "-5".
            bool found = Regex.IsMatch(e.Message, $"(?<![0-9-]){Regex.Escape(number)}(?![0-9])");
            Assert.True(found, $"{implementation}: the message \"{e.Message}\" does not contain the number {number}");
        }
    }

    private static void AssertSentinels<T>(T[] values, SoftmaxImplementation implementation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sentinel = T.CreateTruncating(SentinelDouble);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(values[i] == sentinel, $"{implementation} {Verifier.TypeName<T>()}: a rejected call wrote {Verifier.Format(values[i])} at {i}");
        }
    }

    private static void AssertBitwiseEqual<T>(T[] expected, T[] actual, string where)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Verifier.SameValue(expected[i], actual[i]), $"{where}: [{i}] is {Verifier.Format(actual[i])}, out of place {Verifier.Format(expected[i])}");
        }
    }

    private static T[] Logits<T>(int length, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        return LogitGenerator.Create<T>("normal5", length, random);
    }

    private static int[] Targets(int rows, int classes) => LogitGenerator.Targets(rows, classes, new Random(rows * 31 + classes));

    private static T[] Sentinels<T>(int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        values.AsSpan().Fill(T.CreateTruncating(SentinelDouble));
        return values;
    }

    private static int[] IndexSentinels(int length)
    {
        var values = new int[length];
        values.AsSpan().Fill(SentinelIndex);
        return values;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
