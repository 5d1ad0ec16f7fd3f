using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;

namespace SoftmaxGen.Kernels;

/// <summary>
/// The generated kernels of the process, by class count. Generated code registers its kernels from a module
/// initializer (through <c>SoftmaxKernel.RegisterKernel</c>, which only derived types reach); <see cref="SoftmaxPrimitives"/> looks them up on every call, without locks or allocation.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SoftmaxKernelRegistry
{
    // Class counts below this are looked up in an array; larger ones in a dictionary. Both are replaced,
    // never mutated, so readers need no lock.
    private const int DirectLimit = 4096;
    private static SoftmaxKernel?[] s_small = [];
    private static Dictionary<int, SoftmaxKernel> s_large = [];
    private static readonly Lock s_writeLock = new();

    /// <summary>Registers <paramref name="kernel"/> for its class count. The first kernel registered for a count is kept.</summary>
    /// <param name="kernel">The kernel.</param>
    /// <returns><see langword="true"/> if it was registered; <see langword="false"/> if one for the same count already was.</returns>
    internal static bool Register(SoftmaxKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int classes = kernel.Classes;
        lock (s_writeLock)
        {
            if (Find(classes) is not null)
            {
                return false;
            }

            if (classes < DirectLimit)
            {
                var small = s_small;
                var grown = new SoftmaxKernel?[Math.Max(small.Length, classes + 1)];
                small.CopyTo(grown, 0);
                grown[classes] = kernel;
                Volatile.Write(ref s_small, grown);
            }
            else
            {
                var large = new Dictionary<int, SoftmaxKernel>(s_large) { [classes] = kernel };
                Volatile.Write(ref s_large, large);
            }

            return true;
        }
    }

    /// <summary>The kernel registered for <paramref name="classes"/>, or <see langword="null"/>.</summary>
    /// <param name="classes">The class count.</param>
    public static SoftmaxKernel? Find(int classes)
    {
        if (classes < DirectLimit)
        {
            var small = Volatile.Read(ref s_small);
            return (uint)classes < (uint)small.Length ? small[classes] : null;
        }

        return Volatile.Read(ref s_large).GetValueOrDefault(classes);
    }
}
