using BenchmarkDotNet.Running;

namespace SoftmaxGen.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release -- --filter '*'</c> (see benchmarks/README.md).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected by the command line.</summary>
    /// <param name="args">
    /// BenchmarkDotNet arguments, e.g. <c>--filter '*SoftmaxBenchmarks*' --job short</c>; or <c>--kernel-size</c> alone,
    /// which prints the generated lines and assembly bytes of one kernel by class count (<see cref="KernelSize"/>); or
    /// <c>--sampling-timing</c> alone, a quick Stopwatch look at <see cref="SamplingBenchmarks"/>.
    /// </param>
    public static void Main(string[] args)
    {
        if (args is ["--kernel-size"])
        {
            KernelSize.Print(System.Console.Out);
            return;
        }

        if (args is ["--sampling-timing"])
        {
            SamplingBenchmarks.PrintTimings(System.Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
