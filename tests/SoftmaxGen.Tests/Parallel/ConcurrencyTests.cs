using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Threading;
using SoftmaxGen.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Many threads at once: calling the same and different kernels (every operation of <see cref="Operations.All"/>,
/// every implementation) must give the single-threaded results bit for bit (NaN = NaN); and kernels registering with
/// <see cref="SoftmaxKernelRegistry"/> while other threads dispatch through <see cref="SoftmaxPrimitives"/> must
/// neither disturb those calls nor lose a registration.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Threads = 8;

    /// <summary>Class counts no other test uses, registered at run time by <see cref="RegisteringWhileDispatching_LosesNothingAndChangesNoResult"/>:
    /// below the registry's array limit (4096), so the array grows under the readers, and above it (the dictionary).</summary>
    private static readonly int[] RuntimeRegisteredCounts = [.. Enumerable.Range(2001, 24), 70001, 70002, 70003, 70004];

    [Fact]
    public void ManyThreads_SameAndDifferentKernels_MatchSingleThreaded()
    {
        List<WorkItem> items = WorkItems([1, 3, 7, 10, 17, 64, 100, 1000]);
        var failures = new Failures();
        long calls = 0;
        RunThreads(Threads, thread =>
        {
            var random = new Random(thread);
            // Half the threads run every item in a random order; the other half hammer one item each (the same kernel).
            int[] order = thread % 2 == 0
                ? Enumerable.Range(0, items.Count).OrderBy(_ => random.Next()).ToArray()
                : Enumerable.Repeat(thread % items.Count, 100).ToArray();
            for (int pass = 0; pass < 3; pass++)
            {
                foreach (int i in order)
                {
                    items[i].RunAndCompare($"thread {thread}", failures);
                    Interlocked.Increment(ref calls);
                }
            }
        });

        output.WriteLine($"{calls} calls on {Threads} threads over {items.Count} (operation, implementation, class count, type) items");
        failures.AssertNone();
    }

    [Fact]
    public void RegisteringWhileDispatching_LosesNothingAndChangesNoResult()
    {
        // Dispatched work: generated class counts, class counts about to get a kernel, and one that never will.
        int[] generatedCounts = [3, 17, 100];
        var generatedBefore = generatedCounts.ToDictionary(c => c, c => SoftmaxKernelRegistry.Find(c));
        List<WorkItem> items = WorkItems([.. generatedCounts, RuntimeRegisteredCounts[0], RuntimeRegisteredCounts[^1], 6], dispatchOnly: true);
        var candidates = RuntimeRegisteredCounts.Select(c => new[] { new CountingKernel(c), new CountingKernel(c) }).ToArray();
        var won = new int[RuntimeRegisteredCounts.Length];
        var failures = new Failures();
        using var registering = new CountdownEvent(2);

        RunThreads(Threads, thread =>
        {
            if (thread < 2)
            {
                // Two registrars race for every count; exactly one of each pair must win.
                for (int k = 0; k < RuntimeRegisteredCounts.Length; k++)
                {
                    if (SoftmaxKernelRegistry.Register(candidates[k][thread]))
                    {
                        Interlocked.Increment(ref won[k]);
                    }

                    Thread.Yield();
                }

                registering.Signal();
                return;
            }

            // Dispatchers: until both registrars are done, and a few passes more.
            int extra = 3;
            while (!registering.IsSet || extra-- > 0)
            {
                foreach (WorkItem item in items)
                {
                    item.RunAndCompare($"dispatcher {thread}", failures);
                }
            }
        });

        for (int k = 0; k < RuntimeRegisteredCounts.Length; k++)
        {
            int classes = RuntimeRegisteredCounts[k];
            Assert.True(won[k] == 1, $"C={classes}: {won[k]} registrations succeeded, expected exactly 1");
            SoftmaxKernel? found = SoftmaxKernelRegistry.Find(classes);
            Assert.True(found == candidates[k][0] || found == candidates[k][1], $"C={classes}: the registry holds {found?.GetType().Name ?? "nothing"}, not a kernel registered for it");
        }

        foreach (int classes in generatedCounts)
        {
            Assert.Same(generatedBefore[classes], SoftmaxKernelRegistry.Find(classes));
        }

        // Dispatch now runs the registered kernels (they count their calls) and still gives the fallback's results.
        foreach (WorkItem item in items.Where(i => RuntimeRegisteredCounts.Contains(i.Classes) && i.DispatchesToKernel))
        {
            var kernel = (CountingKernel)SoftmaxKernelRegistry.Find(item.Classes)!;
            long before = kernel.Calls;
            item.RunAndCompare("after registration", failures);
            Assert.True(kernel.Calls > before, $"{item}: dispatch did not run the registered kernel");
        }

        output.WriteLine($"{RuntimeRegisteredCounts.Length} class counts registered by 2 racing threads while {Threads - 2} threads dispatched {items.Count} items");
        failures.AssertNone();
    }

    private static void RunThreads(int count, Action<int> body)
    {
        using var start = new Barrier(count);
        Exception? error = null;
        Thread[] threads = Enumerable.Range(0, count).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(t);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, e, null);
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        if (error is not null)
        {
            throw new InvalidOperationException("a test thread threw", error);
        }
    }

    /// <summary>Every operation, implementation and type for the class counts, with the single-threaded results.</summary>
    private static List<WorkItem> WorkItems(int[] classCounts, bool dispatchOnly = false)
    {
        var items = new List<WorkItem>();
        foreach (int classes in classCounts)
        {
            int rows = classes >= 1000 ? 3 : 9;
            var random = new Random(LogitGenerator.Seed(47, classes));
            OperationInputs floats = OperationInputs.Random<float>(rows, classes, random, specialFraction: 0.02);
            OperationInputs doubles = OperationInputs.Random<double>(rows, classes, random, specialFraction: 0.02);
            IEnumerable<SoftmaxImplementation> implementations = dispatchOnly
                ? [Implementations.Dispatch(classes)]
                : [.. Implementations.For(classes), .. Implementations.For(classes, SoftmaxPrecision.Fast)];
            foreach (SoftmaxImplementation implementation in implementations)
            {
                // The Fast implementations run only the operations that take a precision.
                foreach (KernelOperation operation in Operations.All.Where(o => implementation.Precision == SoftmaxPrecision.Exact || o.TakesPrecision))
                {
                    // The expected results: the fallback's when dispatching (a kernel registered meanwhile delegates to it).
                    SoftmaxImplementation single = dispatchOnly && SoftmaxKernelRegistry.Find(classes) is null ? Implementations.Fallback(classes) : implementation;
                    items.Add(new WorkItem(operation, implementation, floats, floats.RunOnArrays<float>(operation, single), isFloat: true));
                    items.Add(new WorkItem(operation, implementation, doubles, doubles.RunOnArrays<double>(operation, single), isFloat: false));
                }
            }
        }

        return items;
    }

    private sealed class WorkItem(KernelOperation operation, SoftmaxImplementation implementation, OperationInputs inputs, byte[][] expected, bool isFloat)
    {
        public KernelOperation Operation => operation;

        public int Classes => inputs.Classes;

        public int Rows => inputs.Rows;

        /// <summary>Whether SoftmaxPrimitives runs this operation through a registered kernel.</summary>
        public bool DispatchesToKernel => Operations.DispatchesToKernel(operation);

        public void RunAndCompare(string who, Failures failures)
        {
            byte[][] actual = isFloat ? inputs.RunOnArrays<float>(operation, implementation) : inputs.RunOnArrays<double>(operation, implementation);
            var local = new Failures();
            for (int o = 0; o < actual.Length; o++)
            {
                OutputComparison.Same(operation.Outputs[o], inputs.ValueSize, expected[o], actual[o], $"{who}: {this}", local);
            }

            if (local.Count > 0)
            {
                lock (failures)
                {
                    failures.Add($"{who}: {this} differs from the single-threaded result");
                }
            }
        }

        public override string ToString() => $"{operation.Name} {implementation} {(isFloat ? "float" : "double")} rows={inputs.Rows}";
    }

    /// <summary>A test-only kernel for a class count without a generated one: runs the fallback and counts its calls.</summary>
    private sealed class CountingKernel(int classes) : SoftmaxKernel(classes)
    {
        private long _calls;

        public long Calls => Interlocked.Read(ref _calls);

        protected override void SoftmaxRows(ReadOnlySpan<float> logits, Span<float> probabilities, int rows) =>
            SoftmaxFallback.SoftmaxCore(logits, probabilities, Count(rows), Classes);

        protected override void SoftmaxRows(ReadOnlySpan<double> logits, Span<double> probabilities, int rows) =>
            SoftmaxFallback.SoftmaxCore(logits, probabilities, Count(rows), Classes);

        protected override void LogSoftmaxRows(ReadOnlySpan<float> logits, Span<float> logProbabilities, int rows) =>
            SoftmaxFallback.LogSoftmaxCore(logits, logProbabilities, Count(rows), Classes);

        protected override void LogSoftmaxRows(ReadOnlySpan<double> logits, Span<double> logProbabilities, int rows) =>
            SoftmaxFallback.LogSoftmaxCore(logits, logProbabilities, Count(rows), Classes);

        protected override double CrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, int rows) =>
            SoftmaxFallback.CrossEntropyCore(logits, targets, losses, Count(rows), Classes);

        protected override double CrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, int rows) =>
            SoftmaxFallback.CrossEntropyCore(logits, targets, losses, Count(rows), Classes);

        protected override void ArgmaxRows(ReadOnlySpan<float> logits, Span<int> predictions, int rows)
        {
            Count(rows);
            SoftmaxFallback.ArgmaxCore(logits, predictions, Classes);
        }

        protected override void ArgmaxRows(ReadOnlySpan<double> logits, Span<int> predictions, int rows)
        {
            Count(rows);
            SoftmaxFallback.ArgmaxCore(logits, predictions, Classes);
        }

        /// <summary>Counts a call and returns the row count.</summary>
        private int Count(int rows)
        {
            Interlocked.Increment(ref _calls);
            return rows;
        }
    }
}
