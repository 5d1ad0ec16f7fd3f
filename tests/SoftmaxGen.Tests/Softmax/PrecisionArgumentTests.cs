using System;
using System.Collections.Generic;
using System.Linq;
using SoftmaxGen.Kernels;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// A <see cref="SoftmaxPrecision"/> that is not defined (2, -1, int.MaxValue, int.MinValue) is an
/// <see cref="ArgumentOutOfRangeException"/> naming "precision" with the value, and nothing is written, from every
/// member that takes one: <see cref="SoftmaxPrimitives"/>' softmax and log-softmax (rows and middle axis), top-k and
/// log-sum-exp (rows and one row); <see cref="SoftmaxFallback"/>'s public cores and its internal test entry points; the
/// <see cref="SoftmaxKernel"/> constructor and <see cref="SoftmaxKernelRegistry.Find(int, SoftmaxPrecision)"/>. Each call
/// is otherwise valid, with two rows and with none (an undefined value is rejected even when there is nothing to compute).
/// </summary>
public sealed class PrecisionArgumentTests
{
    private const int Classes = 3;
    private const float SentinelSingle = 4242.5f;
    private const double SentinelDouble = 4242.5;
    private const int SentinelIndex = -7;

    private static readonly SoftmaxPrecision[] Undefined =
        [(SoftmaxPrecision)2, (SoftmaxPrecision)(-1), (SoftmaxPrecision)int.MaxValue, (SoftmaxPrecision)int.MinValue];

    /// <summary>One member's call on valid buffers of <c>rows</c> rows of <see cref="Classes"/> classes.</summary>
    private delegate void Call(SoftmaxPrecision precision, Buffers b);

    private static readonly Dictionary<string, Call> Calls = new()
    {
        ["SoftmaxPrimitives.Softmax(rows)"] = (p, b) => { SoftmaxPrimitives.Softmax(b.X, b.Y, Classes, p); SoftmaxPrimitives.Softmax(b.XD, b.YD, Classes, p); },
        ["SoftmaxPrimitives.LogSoftmax(rows)"] = (p, b) => { SoftmaxPrimitives.LogSoftmax(b.X, b.Y, Classes, p); SoftmaxPrimitives.LogSoftmax(b.XD, b.YD, Classes, p); },
        ["SoftmaxPrimitives.Softmax(innerSize 1)"] = (p, b) => { SoftmaxPrimitives.Softmax(b.X, b.Y, Classes, 1, p); SoftmaxPrimitives.Softmax(b.XD, b.YD, Classes, 1, p); },
        ["SoftmaxPrimitives.Softmax(innerSize)"] = (p, b) => { SoftmaxPrimitives.Softmax(b.X, b.Y, Classes, b.Inner, p); SoftmaxPrimitives.Softmax(b.XD, b.YD, Classes, b.Inner, p); },
        ["SoftmaxPrimitives.LogSoftmax(innerSize)"] = (p, b) => { SoftmaxPrimitives.LogSoftmax(b.X, b.Y, Classes, b.Inner, p); SoftmaxPrimitives.LogSoftmax(b.XD, b.YD, Classes, b.Inner, p); },
        ["SoftmaxPrimitives.TopK"] = (p, b) => { SoftmaxPrimitives.TopK(b.X, 2, b.Indices, b.Top, Classes, p); SoftmaxPrimitives.TopK(b.XD, 2, b.Indices, b.TopD, Classes, p); },
        ["SoftmaxPrimitives.LogSumExp(rows)"] = (p, b) => { SoftmaxPrimitives.LogSumExp(b.X, b.PerRow, Classes, p); SoftmaxPrimitives.LogSumExp(b.XD, b.PerRowD, Classes, p); },
        ["SoftmaxPrimitives.LogSumExp(row)"] = (p, b) =>
        {
            // One row: at least one value (an empty row is an ArgumentException for 'logits' before the precision is looked at).
            b.PerRow[0] = SoftmaxPrimitives.LogSumExp(b.X.AsSpan(0, Classes), p);
            b.PerRowD[0] = SoftmaxPrimitives.LogSumExp(b.XD.AsSpan(0, Classes), p);
        },
        ["SoftmaxFallback.SoftmaxCore"] = (p, b) => { SoftmaxFallback.SoftmaxCore(b.X, b.Y, b.Rows, Classes, p); SoftmaxFallback.SoftmaxCore(b.XD, b.YD, b.Rows, Classes, p); },
        ["SoftmaxFallback.LogSoftmaxCore"] = (p, b) => { SoftmaxFallback.LogSoftmaxCore(b.X, b.Y, b.Rows, Classes, p); SoftmaxFallback.LogSoftmaxCore(b.XD, b.YD, b.Rows, Classes, p); },
        ["SoftmaxFallback.CrossEntropyCore"] = (p, b) =>
        {
            b.Scalar[0] = (float)SoftmaxFallback.CrossEntropyCore(b.X, b.Targets, b.PerRow, b.Rows, Classes, p);
            b.ScalarD[0] = SoftmaxFallback.CrossEntropyCore(b.XD, b.Targets, b.PerRowD, b.Rows, Classes, p);
        },
        ["SoftmaxFallback.SoftmaxAxisCore"] = (p, b) => { SoftmaxFallback.SoftmaxAxisCore(b.X, b.Y, b.Outer, Classes, b.Inner, p); SoftmaxFallback.SoftmaxAxisCore(b.XD, b.YD, b.Outer, Classes, b.Inner, p); },
        ["SoftmaxFallback.LogSoftmaxAxisCore"] = (p, b) => { SoftmaxFallback.LogSoftmaxAxisCore(b.X, b.Y, b.Outer, Classes, b.Inner, p); SoftmaxFallback.LogSoftmaxAxisCore(b.XD, b.YD, b.Outer, Classes, b.Inner, p); },
        ["SoftmaxFallback.TopKCore"] = (p, b) => { SoftmaxFallback.TopKCore(b.X, 2, b.Indices, b.Top, b.Rows, Classes, p); SoftmaxFallback.TopKCore(b.XD, 2, b.Indices, b.TopD, b.Rows, Classes, p); },
        ["SoftmaxFallback.LogSumExp"] = (p, b) => { SoftmaxFallback.LogSumExp(b.X, b.PerRow, Classes, p); SoftmaxFallback.LogSumExp(b.XD, b.PerRowD, Classes, p); },
        ["SoftmaxFallback.Softmax<T> (internal)"] = (p, b) => { SoftmaxFallback.Softmax<float>(b.X, b.Y, Classes, p); SoftmaxFallback.Softmax<double>(b.XD, b.YD, Classes, p); },
        ["SoftmaxFallback.LogSoftmax<T> (internal)"] = (p, b) => { SoftmaxFallback.LogSoftmax<float>(b.X, b.Y, Classes, p); SoftmaxFallback.LogSoftmax<double>(b.XD, b.YD, Classes, p); },
        ["SoftmaxFallback.Axis<T>, softmax (internal)"] = (p, b) => { SoftmaxFallback.Axis<float>(b.X, b.Y, Classes, b.Inner, log: false, p); SoftmaxFallback.Axis<double>(b.XD, b.YD, Classes, b.Inner, log: false, p); },
        ["SoftmaxFallback.Axis<T>, log-softmax (internal)"] = (p, b) => { SoftmaxFallback.Axis<float>(b.X, b.Y, Classes, b.Inner, log: true, p); SoftmaxFallback.Axis<double>(b.XD, b.YD, Classes, b.Inner, log: true, p); },
        ["SoftmaxFallback.TopK<T> (internal)"] = (p, b) => { SoftmaxFallback.TopK<float>(b.X, 2, b.Indices, b.Top, Classes, p); SoftmaxFallback.TopK<double>(b.XD, 2, b.Indices, b.TopD, Classes, p); },
        ["SoftmaxKernel(classes, precision)"] = (p, b) => _ = new FixedPrecisionKernel(Classes, p),
        ["SoftmaxKernelRegistry.Find(classes, precision)"] = (p, b) => b.Found = SoftmaxKernelRegistry.Find(Classes, p),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Calls.Keys)
        {
            foreach (int rows in new[] { 2, 0 })
            {
                // One row needs a value; the constructor and the lookup take no buffers.
                if (rows == 0 && (name == "SoftmaxPrimitives.LogSumExp(row)" || name.StartsWith("SoftmaxKernel", StringComparison.Ordinal)))
                {
                    continue;
                }

                data.Add(name, rows);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void UndefinedPrecision_ThrowsNamingItAndWritesNothing(string member, int rows)
    {
        foreach (SoftmaxPrecision precision in Undefined)
        {
            var buffers = new Buffers(rows);
            float[] logits = (float[])buffers.X.Clone();
            double[] logitsD = (double[])buffers.XD.Clone();
            ArgumentOutOfRangeException? e = null;
            try
            {
                Calls[member](precision, buffers);
            }
            catch (ArgumentOutOfRangeException caught)
            {
                e = caught;
            }

            string where = $"{member}, {rows} rows, precision {(int)precision}";
            Assert.True(e is not null, $"{where}: no ArgumentOutOfRangeException{(buffers.Found is { } kernel ? $" (it returned the {kernel.Precision} kernel for {kernel.Classes} classes)" : "")}");
            Assert.True(e.ParamName == "precision", $"{where}: ParamName is {e.ParamName ?? "null"} ({e.Message})");
            Assert.Equal(precision, e.ActualValue);
            Assert.Contains(((int)precision).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
            Assert.Equal(logits, buffers.X);
            Assert.Equal(logitsD, buffers.XD);
            Assert.True(buffers.Unwritten(out string written), $"{where}: wrote {written} before throwing");
        }
    }

    /// <summary>The defined values are accepted by the same calls (so the test above is about the value alone).</summary>
    [Theory]
    [InlineData(SoftmaxPrecision.Exact)]
    [InlineData(SoftmaxPrecision.Fast)]
    public void DefinedPrecisions_AreAccepted(SoftmaxPrecision precision)
    {
        foreach ((string member, Call call) in Calls)
        {
            var buffers = new Buffers(2);
            call(precision, buffers);
            Assert.False(member.StartsWith("SoftmaxKernelRegistry", StringComparison.Ordinal) && precision == SoftmaxPrecision.Exact && buffers.Found is null, "Kernel3 is registered for Exact");
        }

        Assert.Equal(SoftmaxPrecision.Fast, SoftmaxKernelRegistry.Find(Classes, SoftmaxPrecision.Fast)?.Precision); // FastKernel3
    }

    /// <summary>Inputs and sentinel-filled outputs for one call.</summary>
    private sealed class Buffers
    {
        public Buffers(int rows)
        {
            Rows = rows;
            var random = new Random(rows + 11);
            X = [.. Enumerable.Range(0, rows * Classes).Select(_ => (float)(LogitGenerator.Normal(random) * 3))];
            XD = [.. X.Select(v => (double)v)];
            Y = Filled(rows * Classes, SentinelSingle);
            YD = Filled(rows * Classes, SentinelDouble);
            Top = Filled(rows * 2, SentinelSingle);
            TopD = Filled(rows * 2, SentinelDouble);
            PerRow = Filled(Math.Max(rows, 1), SentinelSingle);
            PerRowD = Filled(Math.Max(rows, 1), SentinelDouble);
            Scalar = [SentinelSingle];
            ScalarD = [SentinelDouble];
            Indices = Filled(rows * 2, SentinelIndex);
            Targets = [.. Enumerable.Range(0, rows).Select(r => r % Classes)];
        }

        public int Rows { get; }

        /// <summary>The middle-axis forms see the rows as one <c>[Classes, Rows]</c> plane (none for zero rows).</summary>
        public int Inner => Math.Max(Rows, 1);

        public int Outer => Rows == 0 ? 0 : 1;

        public float[] X { get; }

        public double[] XD { get; }

        public float[] Y { get; }

        public double[] YD { get; }

        public float[] Top { get; }

        public double[] TopD { get; }

        public float[] PerRow { get; }

        public double[] PerRowD { get; }

        public float[] Scalar { get; }

        public double[] ScalarD { get; }

        public int[] Indices { get; }

        public int[] Targets { get; }

        /// <summary>What <see cref="SoftmaxKernelRegistry.Find(int, SoftmaxPrecision)"/> returned, if it returned.</summary>
        public SoftmaxKernel? Found { get; set; }

        /// <summary>Whether every output still holds its sentinel; otherwise the first output that does not.</summary>
        public bool Unwritten(out string written)
        {
            (string Name, bool Same)[] outputs =
            [
                ("probabilities (float)", Y.All(v => v == SentinelSingle)),
                ("probabilities (double)", YD.All(v => v == SentinelDouble)),
                ("top-k probabilities (float)", Top.All(v => v == SentinelSingle)),
                ("top-k probabilities (double)", TopD.All(v => v == SentinelDouble)),
                ("top-k indices", Indices.All(v => v == SentinelIndex)),
                ("per-row results (float)", PerRow.All(v => v == SentinelSingle)),
                ("per-row results (double)", PerRowD.All(v => v == SentinelDouble)),
                ("a returned value", Scalar[0] == SentinelSingle && ScalarD[0] == SentinelDouble),
            ];
            written = string.Join(", ", outputs.Where(o => !o.Same).Select(o => o.Name));
            return written.Length == 0;
        }

        private static T[] Filled<T>(int length, T value)
        {
            var array = new T[length];
            array.AsSpan().Fill(value);
            return array;
        }
    }

    /// <summary>A kernel that only exists to reach the protected constructor; it is never registered or run.</summary>
    private sealed class FixedPrecisionKernel(int classes, SoftmaxPrecision precision) : SoftmaxKernel(classes, precision)
    {
        protected override void SoftmaxRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows) => throw new NotSupportedException();

        protected override void SoftmaxRows(ReadOnlySpan<double> logits, Span<double> probabilities, int rows) => throw new NotSupportedException();

        protected override void LogSoftmaxRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows) => throw new NotSupportedException();

        protected override void LogSoftmaxRows(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows) => throw new NotSupportedException();

        protected override double CrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows) => throw new NotSupportedException();

        protected override double CrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows) => throw new NotSupportedException();

        protected override void ArgmaxRows(ReadOnlySpan<float> logits, Span<int> predictions, int rows) => throw new NotSupportedException();

        protected override void ArgmaxRows(ReadOnlySpan<double> logits, Span<int> predictions, int rows) => throw new NotSupportedException();
    }
}
