using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;
using SoftmaxGen.Kernels;

namespace SoftmaxGen.Tests;

/// <summary>
/// The test assembly's entry point (the project sets <c>GenerateProgramFile</c> to false), for tests that need a
/// child process: <c>dotnet SoftmaxGen.Tests.dll MODE</c>. Without a mode it does nothing, as the test SDK's generated
/// entry point did. The modes:
/// <list type="bullet">
/// <item><c>guard-control</c>: reads a span that ends at a guard page, in bounds; prints "in bounds: ok".</item>
/// <item><c>guard-overrun-read</c>: the fallback's unchecked core told the input has one row more than the span
/// holds; it reads past the guard and the process must die.</item>
/// <item><c>guard-overrun-write</c>: the same with an output one row short; it writes past the guard.</item>
/// <item><c>verify-paths</c>: prints which vector sizes are accelerated, then checks every implementation (Exact and
/// Fast) against <see cref="Reference"/> for class counts that exercise every layout; exit code 0 when all are within bounds.
/// Run by <see cref="HardwarePathTests"/> with <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and
/// <c>DOTNET_EnableHWIntrinsic=0</c>.</item>
/// </list>
/// </summary>
public static class Program
{
    internal const string GuardControl = "guard-control";
    internal const string GuardOverrunRead = "guard-overrun-read";
    internal const string GuardOverrunWrite = "guard-overrun-write";
    internal const string VerifyPaths = "verify-paths";

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            return 0;
        }

        try
        {
            return args[0] switch
            {
                GuardControl => Guard(overrun: null),
                GuardOverrunRead => Guard(overrun: "read"),
                GuardOverrunWrite => Guard(overrun: "write"),
                VerifyPaths => VerifyAllPaths(),
                _ => Usage(args[0]),
            };
        }
        catch (Exception e)
        {
            Console.WriteLine($"failed: {e}");
            return 3;
        }
    }

    /// <summary>How a test starts this assembly as a child process in <paramref name="mode"/>.</summary>
    internal static ProcessStartInfo ChildStartInfo(string mode)
    {
        string? host = Environment.ProcessPath;
        if (host is null || !Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            host = "dotnet";
        }

        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(GuardPageTests.AssemblyPath);
        start.ArgumentList.Add(mode);

        // A crash in the child is expected: no dump files.
        start.Environment.Remove("DOTNET_DbgEnableMiniDump");
        start.Environment.Remove("COMPlus_DbgEnableMiniDump");
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        return start;
    }

    /// <summary>Runs a child process to its end (at most <paramref name="timeoutSeconds"/>) and returns its exit code and output.</summary>
    internal static async Task<(int ExitCode, string Output)> RunChildAsync(ProcessStartInfo start, int timeoutSeconds)
    {
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the child process ({string.Join(' ', start.ArgumentList)}) did not exit within {timeoutSeconds} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static int Usage(string mode)
    {
        Console.WriteLine($"unknown mode '{mode}'; expected {GuardControl}, {GuardOverrunRead}, {GuardOverrunWrite} or {VerifyPaths}");
        return 2;
    }

    private static unsafe int Guard(string? overrun)
    {
        const int Classes = 4;
        const int Rows = 2;
        using var region = new GuardedRegion(4096);
        float[] logits = [1, 2, 3, 4, 5, 6, 7, 8];
        var probabilities = new float[logits.Length];

        if (overrun is null)
        {
            // Read every element of a span that ends at the guard: must work.
            Span<float> span = MemoryMarshal.Cast<byte, float>(region.AtEnd(logits.Length * sizeof(float)));
            logits.CopyTo(span);
            float sum = 0;
            foreach (float value in span)
            {
                sum += value;
            }

            SoftmaxFallback.SoftmaxCore(span, probabilities, Rows, Classes);
            Console.WriteLine($"in bounds: ok (sum {sum}, p[0] {probabilities[0]})");
            return sum == 36 ? 0 : 1;
        }

        if (overrun == "read")
        {
            // The input span holds one row; the core is told there are two.
            Span<float> input = MemoryMarshal.Cast<byte, float>(region.AtEnd(Classes * sizeof(float)));
            logits.AsSpan(0, Classes).CopyTo(input);
            Console.WriteLine("about to overrun: reading a row past the guard");
            SoftmaxFallback.SoftmaxRows(input, probabilities, Rows, Classes);
        }
        else
        {
            // The output span holds one row; the core writes two.
            Span<float> output = MemoryMarshal.Cast<byte, float>(region.AtEnd(Classes * sizeof(float)));
            Console.WriteLine("about to overrun: writing a row past the guard");
            SoftmaxFallback.SoftmaxRows(logits, output, Rows, Classes);
        }

        Console.WriteLine("survived the overrun: the guard page did not stop it");
        return 0;
    }

    /// <summary>The accelerated vector sizes of this process, as one line.</summary>
    internal static string AcceleratedPaths() =>
        $"Vector512={Vector512.IsHardwareAccelerated} Vector256={Vector256.IsHardwareAccelerated} Vector128={Vector128.IsHardwareAccelerated} " +
        $"Vector<T>={Vector.IsHardwareAccelerated} ({Vector<byte>.Count * 8} bits)";

    private static int VerifyAllPaths()
    {
        Console.WriteLine(AcceleratedPaths());
        int[] classCounts = [1, 2, 3, 4, 5, 8, 9, 16, 17, 33, 64, 65, 100, 129, 1000];
        int[] rowCounts = [0, 1, 7, 9, 17];
        int problems = 0;
        long checkedCalls = 0;
        foreach (int classes in classCounts)
        {
            foreach (int rows in rowCounts)
            {
                problems += Check<float>(classes, rows, ref checkedCalls);
                problems += Check<double>(classes, rows, ref checkedCalls);
            }
        }

        Console.WriteLine($"checked {checkedCalls} implementation runs; {problems} failing");
        return problems == 0 ? 0 : 1;
    }

    private static int Check<T>(int classes, int rows, ref long checkedCalls)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(LogitGenerator.Seed(41, classes, rows, Unsafe.SizeOf<T>()));
        T[] logits = ValueMix.Create<T>(rows * classes, random, specialFraction: 0.02);
        int[] targets = LogitGenerator.Targets(rows, classes, random);
        ReferenceResult reference = Reference.Compute<T>(logits, targets, classes);
        int problems = 0;
        foreach (SoftmaxImplementation implementation in Implementations.Precisions.SelectMany(p => Implementations.For(classes, p)))
        {
            var failures = new Failures();
            Verifier.Verify(implementation, logits, targets, reference, "child", failures, new ErrorStatistics());
            checkedCalls++;
            try
            {
                failures.AssertNone();
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException)
            {
                Console.WriteLine(e.Message);
                problems++;
            }
        }

        return problems;
    }

    /// <summary>Whether a child's output line from <see cref="AcceleratedPaths"/> says <paramref name="vector"/> is accelerated.</summary>
    internal static bool ReportsAccelerated(string childOutput, string vector) =>
        childOutput.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Contains($"{vector}=True");
}
