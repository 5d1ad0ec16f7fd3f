using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace SoftmaxGen.Tests;

/// <summary>
/// Which vector paths run. <c>.ci/run</c> runs this whole project again with <c>DOTNET_EnableAVX512=0</c>,
/// <c>DOTNET_EnableAVX2=0</c> and <c>DOTNET_EnableHWIntrinsic=0</c>; these tests report the paths of the current
/// process, check that such a switch took effect, and run the <c>verify-paths</c> child (see <see cref="Program"/>)
/// under each switch, so the narrower paths are checked against the reference even in a plain <c>dotnet test</c>.
/// .NET 10 folded the AVX-512 switches into <c>DOTNET_EnableAVX512</c>: the older <c>DOTNET_EnableAVX512F=0</c>
/// leaves Vector512 accelerated on runtime 10.0.12 (measured), which the switch check below would catch.
/// </summary>
public sealed class HardwarePathTests(ITestOutputHelper output)
{
    /// <summary>The switches, and the widest vector that may still be accelerated under each.</summary>
    public static TheoryData<string, int> Switches => new()
    {
        { "DOTNET_EnableAVX512", 256 },
        { "DOTNET_EnableAVX2", 128 },
        { "DOTNET_EnableHWIntrinsic", 0 },
    };

    [Fact]
    public void AcceleratedPaths_AreReportedAndConsistent()
    {
        output.WriteLine($"this process: {Program.AcceleratedPaths()}");
        foreach ((string name, int widest) in new[] { ("DOTNET_EnableAVX512", 256), ("DOTNET_EnableAVX2", 128), ("DOTNET_EnableHWIntrinsic", 0) })
        {
            string? value = Environment.GetEnvironmentVariable(name);
            output.WriteLine($"{name}={value ?? "(unset)"}");
            if (value == "0")
            {
                AssertWidest(widest, $"{name}=0 is set");
            }
        }

        // A wider accelerated vector implies the narrower ones.
        Assert.False(Vector512.IsHardwareAccelerated && !Vector256.IsHardwareAccelerated, "Vector512 without Vector256");
        Assert.False(Vector256.IsHardwareAccelerated && !Vector128.IsHardwareAccelerated, "Vector256 without Vector128");
    }

    [Theory]
    [MemberData(nameof(Switches))]
    public async Task ChildProcessWithSwitchOff_MatchesReference(string variable, int widest)
    {
        ProcessStartInfo start = Program.ChildStartInfo(Program.VerifyPaths);
        foreach (string other in new[] { "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic" })
        {
            start.Environment.Remove(other);
        }

        start.Environment[variable] = "0";
        (int exitCode, string text) = await Program.RunChildAsync(start, 120);
        output.WriteLine($"{variable}=0: exit {exitCode}");
        output.WriteLine(text.Trim());

        Assert.True(exitCode == 0, $"{variable}=0: the child found results outside the bounds (exit {exitCode})\n{text}");
        Assert.Contains("checked ", text, StringComparison.Ordinal);
        Assert.False(widest < 512 && Program.ReportsAccelerated(text, "Vector512"), $"{variable}=0 but the child reports Vector512 accelerated");
        Assert.False(widest < 256 && Program.ReportsAccelerated(text, "Vector256"), $"{variable}=0 but the child reports Vector256 accelerated");
        Assert.False(widest < 128 && Program.ReportsAccelerated(text, "Vector128"), $"{variable}=0 but the child reports Vector128 accelerated");
    }

    private static void AssertWidest(int widest, string because)
    {
        Assert.False(widest < 512 && Vector512.IsHardwareAccelerated, $"{because}, yet Vector512 is accelerated");
        Assert.False(widest < 256 && Vector256.IsHardwareAccelerated, $"{because}, yet Vector256 is accelerated");
        Assert.False(widest < 128 && Vector128.IsHardwareAccelerated, $"{because}, yet Vector128 is accelerated");
    }
}
