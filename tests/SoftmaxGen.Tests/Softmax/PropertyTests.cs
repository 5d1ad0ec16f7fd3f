using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SoftmaxGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Random shapes and values with fixed seeds: <see cref="CasesPerType"/> batches per element type, each of 0 to 40 rows
/// of a class count drawn from the differential set (so a generated kernel runs) or from 1 to 1100, whose rows mix
/// ordinary logits with NaN (random payloads), ±inf, rows of only -inf, subnormals, ±MaxValue, ±0, ties and spreads
/// from 1e-45 to 1e38 (float) or 1e308 (double). For every operation of <see cref="Operations.All"/> and every
/// implementation: no exception; the operation's invariant (probabilities in [0, 1] summing to 1 within the bound,
/// log-softmax &lt;= 0, cross-entropy &gt;= 0, NaN rules, first-maximum argmax); dispatch equal to the generated kernel
/// (or to the fallback without one); and the generated kernel close to the fallback — see
/// <see cref="GeneratedAndFallback_AgreeWithinTheBound"/> for how close. Every implementation is also checked against the
/// independent <see cref="Reference"/> within README's bounds. Invalid arguments give only the documented exceptions.
/// The operations that take a precision run on the <see cref="SoftmaxPrecision.Fast"/> implementations too, with
/// Fast's bounds (<see cref="FastBounds"/>, <see cref="InvariantContext.FastRowAllowance"/>), and Fast's dispatch must
/// equal its fallback bit for bit where no generated Fast kernel serves the count.
/// </summary>
public sealed class PropertyTests(ITestOutputHelper output)
{
    private const int CasesPerType = 1500;

    /// <summary>Largest rows x classes of a case (keeps the double-double reference fast).</summary>
    private const int MaxValues = 6000;

    [Fact]
    public void Float_RandomShapesAndValues() => Run<float>(seed: 101);

    [Fact]
    public void Double_RandomShapesAndValues() => Run<double>(seed: 202);

    /// <summary>
    /// The generated kernels and the fallback share every piece of math (<c>SoftmaxMath</c>) and, where they take the
    /// same layout, the order of operations too: there they agree bit for bit (any NaN equals any NaN). Since both run
    /// the same lane-wise block and column layouts for short rows (the generated Block layout with the fallback's
    /// column layout, the same reciprocal, the same sums), measured over these batches every output is bitwise equal
    /// with AVX-512, AVX2 and Vector128 alone. Float softmax is still allowed <see cref="FloatSoftmaxMaxUlp"/> ULP (each
    /// side is within 4 ULP of the correctly rounded result, README), because a block layout scales by a float
    /// reciprocal and a row layout rounds 1/sum once from double, and the two may meet on the same rows (before the
    /// generated kernels took the column layout for C = 7 on AVX2 they differed there by up to 2 ULP); everything else
    /// must be bitwise equal. The measured distances are printed.
    /// </summary>
    [Fact]
    public void GeneratedAndFallback_AgreeWithinTheBound()
    {
        var failures = new Failures();
        var statistics = new SortedDictionary<string, (long Compared, long Different, long MaxUlp, string Where)>(StringComparer.Ordinal);
        foreach (int seed in new[] { 303, 404 })
        {
            var random = new Random(seed);
            for (int n = 0; n < 400; n++)
            {
                if (seed == 303)
                {
                    CompareGeneratedWithFallback<float>(random, failures, statistics);
                }
                else
                {
                    CompareGeneratedWithFallback<double>(random, failures, statistics);
                }
            }
        }

        output.WriteLine("generated vs fallback: outputs compared, outputs not bitwise equal (NaN = NaN), largest distance in ULP:");
        foreach ((string key, (long compared, long different, long maxUlp, string where)) in statistics)
        {
            output.WriteLine($"  {key}: {compared} compared, {different} differ, max {maxUlp} ULP{(maxUlp > 0 ? $" ({where})" : "")}");
        }

        failures.AssertNone();
    }

    /// <summary>The largest ULP distance allowed between a generated kernel's float softmax and the fallback's.</summary>
    private const long FloatSoftmaxMaxUlp = 4;

    /// <summary>The ULP distance allowed between the generated and the fallback output of <paramref name="operation"/> (0 = bitwise equal).</summary>
    private static long AllowedUlp<T>(string operation) =>
        typeof(T) != typeof(float) ? 0
        : operation == "Softmax" ? FloatSoftmaxMaxUlp
        : 0;

    private void Run<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var failures = new Failures();
        var calls = new Dictionary<string, long>();
        long values = 0;
        for (int n = 0; n < CasesPerType; n++)
        {
            (int rows, int classes) = Shape(random);
            T[] logits = Logits<T>(rows, classes, random);
            int[] targets = LogitGenerator.Targets(rows, classes, random);
            values += logits.Length;
            string shape = $"case {n} {Verifier.TypeName<T>()} rows={rows} C={classes}";
            CheckOperations(logits, targets, classes, shape, failures, calls);
            CheckAgainstReference(logits, targets, classes, shape, failures);
        }

        output.WriteLine($"{CasesPerType} random {Verifier.TypeName<T>()} batches, {values} logits; calls per implementation: " +
            string.Join(", ", calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));
        failures.AssertNone();
    }

    /// <summary>Every catalogue operation on every implementation: no exception, the invariant, and dispatch = generated (or fallback).</summary>
    private static void CheckOperations<T>(T[] logits, int[] targets, int classes, string shape, Failures failures, Dictionary<string, long> calls)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OperationInputs inputs = OperationInputs.Create(logits, targets, classes);
        double[] logitsAsDouble = logits.Select(double.CreateTruncating).ToArray();
        double epsilon = typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);
        foreach (KernelOperation operation in Operations.All)
        {
            var results = new Dictionary<string, byte[][]>();
            foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
            {
                string where = $"{shape} {operation.Name} {implementation.Name}";
                byte[][] outputs;
                try
                {
                    outputs = inputs.RunOnArrays<T>(operation, implementation);
                }
                catch (Exception e)
                {
                    failures.Add($"{where}: threw {e.GetType().Name}: {e.Message}");
                    continue;
                }

                calls[implementation.Name] = calls.GetValueOrDefault(implementation.Name) + 1;
                results[implementation.Name] = outputs;
                if (operation.Invariant is { } invariant)
                {
                    double[] output0 = AsDoubles(operation.Outputs[0], inputs.ValueSize, outputs[0]);
                    invariant(new InvariantContext(logitsAsDouble, targets, classes, output0, epsilon, where, failures, implementation.Precision));
                }
            }

            string expectedName = results.ContainsKey("generated") ? "generated" : "fallback";
            // Kernel10 and Kernel21 (of the loss and extras tests) are generated kernels outside the differential list:
            // for those counts dispatch runs a generated kernel while the list has only the fallback to compare with,
            // so GeneratedAndFallback_AgreeWithinTheBound's rule applies (AllowedUlp).
            bool unlistedKernel = expectedName == "fallback" && SoftmaxKernelRegistry.Find(classes) is not null;
            long allowedUlp = unlistedKernel ? AllowedUlp<T>(operation.Name) : 0;
            if (results.TryGetValue("fallback-fast", out byte[][]? fastFallback) && results.TryGetValue("dispatch-fast", out byte[][]? fastDispatch))
            {
                // Bit for bit, unless a generated Fast kernel (FastKernelTests' counts) serves the count: its rows sum
                // sequentially where the fallback's add four exponentials first, so they agree within 4 ULP.
                bool fastKernel = SoftmaxKernelRegistry.Find(classes, SoftmaxPrecision.Fast) is not null;
                for (int o = 0; o < fastFallback.Length; o++)
                {
                    string where = $"{shape} {operation.Name} dispatch-fast vs fallback-fast";
                    if (!fastKernel)
                    {
                        OutputComparison.Same(operation.Outputs[o], inputs.ValueSize, fastFallback[o], fastDispatch[o], where, failures);
                        continue;
                    }

                    ReadOnlySpan<T> e = MemoryMarshal.Cast<byte, T>(fastFallback[o]), d = MemoryMarshal.Cast<byte, T>(fastDispatch[o]);
                    for (int i = 0; i < e.Length; i++)
                    {
                        // Log-probabilities in ULP of max(|v|, 1), as their bound is stated.
                        bool logarithmic = operation.Name.Contains("Log", StringComparison.Ordinal);
                        T scale = T.Max(T.Abs(e[i]), T.One);
                        bool apart = logarithmic
                            ? T.Abs(e[i] - d[i]) > T.CreateTruncating(4) * (T.BitIncrement(scale) - scale)
                            : Ulp.Distance(e[i], d[i]) > 4;
                        if (apart)
                        {
                            failures.Add($"{where}: {operation.Outputs[o].Name}[{i}] is {d[i]}, expected {e[i]} within 4 ULP");
                            break;
                        }
                    }
                }
            }

            if (results.TryGetValue(expectedName, out byte[][]? expected) && results.TryGetValue("dispatch", out byte[][]? dispatched))
            {
                for (int o = 0; o < expected.Length; o++)
                {
                    string where = $"{shape} {operation.Name} dispatch vs {expectedName}";
                    if (allowedUlp == 0)
                    {
                        OutputComparison.Same(operation.Outputs[o], inputs.ValueSize, expected[o], dispatched[o], where, failures);
                    }
                    else
                    {
                        ReadOnlySpan<T> e = MemoryMarshal.Cast<byte, T>(expected[o]), d = MemoryMarshal.Cast<byte, T>(dispatched[o]);
                        for (int i = 0; i < e.Length; i++)
                        {
                            long ulp = Ulp.Distance(e[i], d[i]);
                            if (ulp > allowedUlp)
                            {
                                failures.Add($"{where}: {operation.Outputs[o].Name}[{i}] is {d[i]}, expected {e[i]} within {allowedUlp} ULP ({ulp} ULP apart)");
                                break;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Every implementation against the float64 / double-double reference, within README's bounds (<see cref="Verifier"/>).</summary>
    private static void CheckAgainstReference<T>(T[] logits, int[] targets, int classes, string shape, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReferenceResult reference = Reference.Compute<T>(logits, targets, classes);
        foreach (SoftmaxImplementation implementation in Implementations.Precisions.SelectMany(p => Implementations.For(classes, p)))
        {
            try
            {
                Verifier.Verify(implementation, logits, targets, reference, shape, failures, new ErrorStatistics());
            }
            catch (Exception e)
            {
                failures.Add($"{shape} {implementation.Name}: threw {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static void CompareGeneratedWithFallback<T>(Random random, Failures failures, SortedDictionary<string, (long Compared, long Different, long MaxUlp, string Where)> statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = Implementations.GeneratedClassCounts[random.Next(Implementations.GeneratedClassCounts.Length)];
        int rows = random.Next(0, Math.Max(2, Math.Min(40, MaxValues / classes)));
        T[] logits = Logits<T>(rows, classes, random);
        OperationInputs inputs = OperationInputs.Create(logits, LogitGenerator.Targets(rows, classes, random), classes);
        foreach (KernelOperation operation in Operations.All)
        {
            byte[][] generated = inputs.RunOnArrays<T>(operation, Implementations.Get("generated", classes));
            byte[][] fallback = inputs.RunOnArrays<T>(operation, Implementations.Fallback(classes));
            for (int o = 0; o < generated.Length; o++)
            {
                BufferSpec spec = operation.Outputs[o];
                string key = $"{operation.Name} {spec.Name} {Verifier.TypeName<T>()}";
                (long compared, long different, long maxUlp, string where) = statistics.GetValueOrDefault(key, (0, 0, 0, ""));
                for (int i = 0; i < spec.Length(rows, classes); i++)
                {
                    long ulp;
                    if (spec.IsInteger)
                    {
                        ulp = MemoryMarshal.Cast<byte, int>(generated[o])[i] == MemoryMarshal.Cast<byte, int>(fallback[o])[i] ? 0 : Ulp.NaNMismatch;
                    }
                    else
                    {
                        ulp = Ulp.DistanceTellingZerosApart(MemoryMarshal.Cast<byte, T>(generated[o])[i], MemoryMarshal.Cast<byte, T>(fallback[o])[i]);
                    }

                    compared++;
                    if (ulp == 0)
                    {
                        continue;
                    }

                    different++;
                    string here = $"C={classes} rows={rows} [{i}]";
                    if (ulp > maxUlp)
                    {
                        maxUlp = ulp;
                        where = here;
                    }

                    long allowed = AllowedUlp<T>(operation.Name);
                    if (ulp > allowed)
                    {
                        failures.Add($"{key} {here}: generated and fallback differ by {(ulp == Ulp.NaNMismatch ? "NaN / index mismatch" : $"{ulp} ULP")} (allowed: {allowed})");
                    }
                }

                statistics[key] = (compared, different, maxUlp, where);
            }
        }
    }

    /// <summary>Invalid arguments, varied per operation from its buffer specs: the documented exception, naming the parameter, and nothing written.</summary>
    [Fact]
    public void InvalidArguments_ThrowTheDocumentedExceptionsAndWriteNothing()
    {
        var random = new Random(505);
        var failures = new Failures();
        int checks = 0;
        for (int n = 0; n < 200; n++)
        {
            (int rows, int classes) = Shape(random);
            rows = Math.Max(rows, 1);
            checks += InvalidArguments<float>(rows, classes, random, failures);
            checks += InvalidArguments<double>(rows, classes, random, failures);
        }

        output.WriteLine($"{checks} invalid calls checked");
        failures.AssertNone();
    }

    private static int InvalidArguments<T>(int rows, int classes, Random random, Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int valueSize = Unsafe.SizeOf<T>();
        OperationInputs inputs = OperationInputs.Random<T>(rows, classes, random, specialFraction: 0.05);
        int checks = 0;
        foreach (KernelOperation operation in Operations.All)
        {
            foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
            {
                foreach (Invalid invalid in InvalidVariants(operation, rows, classes, random))
                {
                    checks++;
                    byte[] input0 = inputs.Bytes(operation.Inputs[0]).ToArray();
                    byte[] input1 = operation.Inputs.Count > 1 ? inputs.Bytes(operation.Inputs[1]).ToArray() : [];
                    invalid.Mutate?.Invoke(ref input0, ref input1);
                    var outputs = operation.Outputs.Select(o => new byte[inputs.OutputBytes(o) - (o == invalid.ShortOutput ? o.ElementSize(valueSize) : 0)]).ToArray();
                    foreach (byte[] o in outputs)
                    {
                        o.AsSpan().Fill(0x3C);
                    }

                    string where = $"{operation.Name} {implementation} {Verifier.TypeName<T>()} rows={rows}: {invalid.Description}";
                    try
                    {
                        operation.Run<T>(implementation, new OperationBuffers(input0, input1, outputs[0], outputs.Length > 1 ? outputs[1] : []));
                        failures.Add($"{where}: no exception, expected {invalid.Exception.Name} for '{invalid.Parameter}'");
                    }
                    catch (ArgumentException e) when (e.GetType() == invalid.Exception)
                    {
                        if (e.ParamName != invalid.Parameter)
                        {
                            failures.Add($"{where}: {e.GetType().Name} names '{e.ParamName}', expected '{invalid.Parameter}'");
                        }

                        if (outputs.Any(o => o.AsSpan().ContainsAnyExcept((byte)0x3C)))
                        {
                            failures.Add($"{where}: an output was written before the exception");
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{where}: {e.GetType().Name} ({e.Message}), expected {invalid.Exception.Name} for '{invalid.Parameter}'");
                    }
                }
            }
        }

        return checks;
    }

    private delegate void Mutation(ref byte[] input0, ref byte[] input1);

    private sealed record Invalid(string Description, Type Exception, string Parameter, Mutation? Mutate, BufferSpec? ShortOutput = null);

    /// <summary>The invalid calls that follow from an operation's buffers (an output one element short, a ragged input, bad targets).</summary>
    private static IEnumerable<Invalid> InvalidVariants(KernelOperation operation, int rows, int classes, Random random)
    {
        BufferSpec logits = operation.Inputs[0];
        if (classes > 1 && operation.TakesClasses)
        {
            int drop = random.Next(1, classes);
            yield return new Invalid($"{logits.Name} {drop} values short of whole rows", typeof(ArgumentException), logits.Name,
                (ref byte[] input0, ref byte[] _) => input0 = input0[..^(drop * (input0.Length / (rows * classes)))]);
        }

        if (operation.Inputs.Count > 1 && operation.Inputs[1].Kind == BufferKind.Targets)
        {
            int extra = random.Next(2) == 0 ? -1 : 1;
            yield return new Invalid($"targets with {rows + extra} values for {rows} rows", typeof(ArgumentException), "targets",
                (ref byte[] _, ref byte[] input1) => input1 = extra < 0 ? input1[..^4] : [.. input1, 0, 0, 0, 0]);
            int row = random.Next(rows);
            int bad = random.Next(3) switch { 0 => -1, 1 => classes, _ => int.MinValue };
            yield return new Invalid($"targets[{row}] = {bad}", typeof(ArgumentOutOfRangeException), "targets",
                (ref byte[] _, ref byte[] input1) => MemoryMarshal.Write(input1.AsSpan(row * 4), in bad));
        }

        foreach (BufferSpec output in operation.Outputs)
        {
            if (output.Length(rows, classes) > output.Length(0, classes))
            {
                yield return new Invalid($"{output.Name} one element short", typeof(ArgumentException), output.Name, null, ShortOutput: output);
            }
        }
    }

    /// <summary>Shapes: a differential class count (a generated kernel exists) or any count up to 1100; 0 to 40 rows.</summary>
    private static (int Rows, int Classes) Shape(Random random)
    {
        int classes = random.Next(10) < 6
            ? Implementations.GeneratedClassCounts[random.Next(Implementations.GeneratedClassCounts.Length)]
            : random.Next(10) < 8 ? random.Next(1, 140) : random.Next(1, 1101);
        int rows = random.Next(8) == 0 ? 0 : random.Next(1, 41);
        rows = Math.Min(rows, Math.Max(1, MaxValues / classes));
        return (rows, classes);
    }

    /// <summary>Each row drawn from one of several kinds, so special rows are common.</summary>
    private static T[] Logits<T>(int rows, int classes, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var logits = new T[rows * classes];
        double specialFraction = new[] { 0, 0.01, 0.1, 0.5 }[random.Next(4)];
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = logits.AsSpan(r * classes, classes);
            switch (random.Next(20))
            {
                case < 10: // ordinary logits with some special values
                    ValueMix.Create<T>(classes, random, specialFraction).CopyTo(row);
                    break;
                case 10 or 11: // magnitudes spread over the whole range
                    int top = typeof(T) == typeof(float) ? 38 : 307;
                    for (int j = 0; j < classes; j++)
                    {
                        row[j] = T.CreateTruncating((random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.Next(-top - 8, top + 1) + random.NextDouble()));
                    }

                    break;
                case 12: // only -inf
                    row.Fill(T.NegativeInfinity);
                    break;
                case 13: // one or two finite logits among -inf
                    row.Fill(T.NegativeInfinity);
                    row[random.Next(classes)] = T.CreateTruncating(LogitGenerator.Normal(random) * 10);
                    row[random.Next(classes)] = T.CreateTruncating(LogitGenerator.Normal(random) * 10);
                    break;
                case 14: // subnormals and zeros of both signs
                    for (int j = 0; j < classes; j++)
                    {
                        row[j] = random.Next(4) switch
                        {
                            0 => T.NegativeZero,
                            1 => T.Zero,
                            _ => T.Epsilon * T.CreateTruncating(random.Next(-5000, 5000)),
                        };
                    }

                    break;
                case 15: // ±MaxValue among ordinary values
                    for (int j = 0; j < classes; j++)
                    {
                        row[j] = random.Next(3) switch
                        {
                            0 => ValueMix.MaxValue<T>(),
                            1 => -ValueMix.MaxValue<T>(),
                            _ => T.CreateTruncating(LogitGenerator.Normal(random)),
                        };
                    }

                    break;
                case 16: // all equal
                    row.Fill(random.Next(2) == 0 ? T.CreateTruncating(LogitGenerator.Normal(random) * 100) : ValueMix.Special<T>(random));
                    break;
                case 17: // a single NaN or +inf in an ordinary row
                    ValueMix.Create<T>(classes, random, 0).CopyTo(row);
                    row[random.Next(classes)] = random.Next(2) == 0 ? ValueMix.NaNWithPayload<T>(random) : T.PositiveInfinity;
                    break;
                default: // huge logits close together (the subtraction of the maximum must be exact)
                    double center = (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.Next(5, typeof(T) == typeof(float) ? 38 : 300));
                    for (int j = 0; j < classes; j++)
                    {
                        T c = T.CreateTruncating(center);
                        row[j] = c + (T.CreateTruncating(random.Next(-4, 5)) * T.CreateTruncating(Ulp.Of<T>(double.CreateTruncating(c))));
                    }

                    break;
            }
        }

        return logits;
    }

    private static double[] AsDoubles(BufferSpec spec, int valueSize, byte[] bytes) =>
        spec.IsInteger ? MemoryMarshal.Cast<byte, int>(bytes).ToArray().Select(i => (double)i).ToArray()
        : valueSize == sizeof(float) ? MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(f => (double)f).ToArray()
        : MemoryMarshal.Cast<byte, double>(bytes).ToArray();
}
