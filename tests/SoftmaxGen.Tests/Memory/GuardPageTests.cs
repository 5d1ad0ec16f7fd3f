using System;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Every operation of <see cref="Operations.All"/>, on every implementation (generated kernel, fallback, dispatch),
/// for every class count of the differential set and every row count from 0 to 33, in float and double, with each
/// input and each output placed so that it ends exactly at a guard page (and again so that it starts exactly after
/// one): a read or write past either end crashes the test process. The inputs are also read-only while the kernel
/// runs, so writing into an input crashes too. Each run's outputs must be bitwise those of the same implementation on
/// ordinary arrays (any NaN equals any NaN, see <see cref="OutputComparison"/>), and every output element must be
/// written.
/// </summary>
public sealed class GuardPageTests(ITestOutputHelper output)
{
    private const int MaxRows = 33;

    /// <summary>Output bytes before the call: differs from <see cref="OperationInputs.RunOnArrays"/>' fill, so an unwritten element shows.</summary>
    private const byte OutputFill = 0x5A;

    private enum Placement
    {
        EndsAtGuard,
        StartsAfterGuard,
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (object[] row in Operations.NamesAndTypes())
        {
            data.Add((string)row[0], (string)row[1]);
        }

        return data;
    }

    [LinuxTheory]
    [MemberData(nameof(Cases))]
    public void Operation_TouchesOnlyItsBuffers(string operation, string type)
    {
        if (type == "float")
        {
            Run<float>(Operations.Get(operation));
        }
        else
        {
            Run<double>(Operations.Get(operation));
        }
    }

    /// <summary>
    /// Proves the guard works: a child process (this test assembly's own entry point, see <see cref="Program"/>)
    /// reads one element past a span that ends at a guard page, and must die of it; so must one that lets the
    /// fallback's unchecked core write one row past its output. A control child that stays inside its span must exit
    /// normally.
    /// </summary>
    [LinuxFact]
    public async Task Guard_CrashesAProcessThatReadsOrWritesPastTheEnd()
    {
        (int ExitCode, string Output) control = await Program.RunChildAsync(Program.ChildStartInfo(Program.GuardControl), 60);
        Assert.True(control.ExitCode == 0, $"the control child (in bounds) failed: exit {control.ExitCode}\n{control.Output}");
        Assert.Contains("in bounds: ok", control.Output, StringComparison.Ordinal);

        foreach (string mode in new[] { Program.GuardOverrunRead, Program.GuardOverrunWrite })
        {
            (int ExitCode, string Output) child = await Program.RunChildAsync(Program.ChildStartInfo(mode), 60);
            output.WriteLine($"{mode}: exit code {child.ExitCode}; output: {child.Output.Trim()}");
            Assert.True(child.ExitCode != 0, $"{mode}: the child survived an access past the guard\n{child.Output}");
            Assert.Contains("about to overrun", child.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("survived", child.Output, StringComparison.Ordinal);
        }
    }

    private void Run<T>(KernelOperation operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int valueSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        int capacity = MaxRows * Implementations.GeneratedClassCounts.Max() * valueSize;
        GuardedRegion[] inputRegions = operation.Inputs.Select(_ => new GuardedRegion(capacity)).ToArray();
        GuardedRegion[] outputRegions = operation.Outputs.Select(_ => new GuardedRegion(capacity)).ToArray();
        var failures = new Failures();
        int calls = 0;
        try
        {
            foreach (int classes in Implementations.GeneratedClassCounts)
            {
                for (int rows = 0; rows <= MaxRows; rows++)
                {
                    var random = new Random(LogitGenerator.Seed(31, classes, rows, valueSize));
                    OperationInputs inputs = OperationInputs.Random<T>(rows, classes, random, specialFraction: 0.02);
                    foreach (SoftmaxImplementation implementation in Implementations.For(classes, operation))
                    {
                        byte[][] expected = inputs.RunOnArrays<T>(operation, implementation);
                        foreach (Placement placement in Enum.GetValues<Placement>())
                        {
                            RunGuarded<T>(operation, implementation, inputs, placement, inputRegions, outputRegions, expected, failures);
                            calls++;
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (GuardedRegion region in inputRegions.Concat(outputRegions))
            {
                region.Dispose();
            }
        }

        output.WriteLine($"{operation.Name} {Verifier.TypeName<T>()}: {calls} guarded calls, {Implementations.GeneratedClassCounts.Length} class counts x rows 0..{MaxRows} x implementations x 2 placements");
        failures.AssertNone();
    }

    private static void RunGuarded<T>(
        KernelOperation operation,
        SoftmaxImplementation implementation,
        OperationInputs inputs,
        Placement placement,
        GuardedRegion[] inputRegions,
        GuardedRegion[] outputRegions,
        byte[][] expected,
        Failures failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<byte> Place(GuardedRegion region, int length) =>
            placement == Placement.EndsAtGuard ? region.AtEnd(length) : region.AtStart(length);

        Span<byte> input0 = Place(inputRegions[0], inputs.Bytes(operation.Inputs[0]).Length);
        inputs.Bytes(operation.Inputs[0]).CopyTo(input0);
        Span<byte> input1 = [];
        if (operation.Inputs.Count > 1)
        {
            input1 = Place(inputRegions[1], inputs.Bytes(operation.Inputs[1]).Length);
            inputs.Bytes(operation.Inputs[1]).CopyTo(input1);
        }

        Span<byte> output0 = Place(outputRegions[0], inputs.OutputBytes(operation.Outputs[0]));
        output0.Fill(OutputFill);
        Span<byte> output1 = [];
        if (operation.Outputs.Count > 1)
        {
            output1 = Place(outputRegions[1], inputs.OutputBytes(operation.Outputs[1]));
            output1.Fill(OutputFill);
        }

        // The inputs are read-only while the kernel runs: a write into them is a SIGSEGV.
        using (inputRegions[0].ReadOnly())
        using (operation.Inputs.Count > 1 ? inputRegions[1].ReadOnly() : default(GuardedRegion.ReadOnlyScope?))
        {
            operation.Run<T>(implementation, new OperationBuffers(input0, input1, output0, output1));
        }

        string where = $"{operation.Name} {implementation} {Verifier.TypeName<T>()} rows={inputs.Rows} {placement}";
        OutputComparison.Same(operation.Outputs[0], inputs.ValueSize, expected[0], output0, where, failures);
        if (operation.Outputs.Count > 1)
        {
            OutputComparison.Same(operation.Outputs[1], inputs.ValueSize, expected[1], output1, where, failures);
        }

        if (!inputs.Bytes(operation.Inputs[0]).SequenceEqual(input0))
        {
            failures.Add($"{where}: the logits changed");
        }
    }

    /// <summary>The path of this test assembly (the child processes run it).</summary>
    internal static string AssemblyPath => Path.GetFullPath(typeof(GuardPageTests).Assembly.Location);
}
