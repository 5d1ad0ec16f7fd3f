using BenchmarkDotNet.Running;

namespace SoftmaxGen.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release -- --filter '*'</c> (see benchmarks/README.md).</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected by the command line.</summary>
    /// <param name="args">BenchmarkDotNet arguments, e.g. <c>--filter '*SoftmaxBenchmarks*' --job short</c>.</param>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
