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
    // Class counts below this are looked up in an array (two slots per count, one per precision); larger ones in a
    // dictionary. Both are replaced, never mutated, so readers need no lock.
    private const int DirectLimit = 4096;
    private static SoftmaxKernel?[] s_small = [];
    private static Dictionary<(int Classes, SoftmaxPrecision Precision), SoftmaxKernel> s_large = [];
    private static readonly Lock s_writeLock = new();

    /// <summary>
    /// Registers <paramref name="kernel"/> for its class count and precision. The first kernel registered for a count
    /// and precision is kept.
    /// </summary>
    /// <param name="kernel">The kernel.</param>
    /// <returns><see langword="true"/> if it was registered; <see langword="false"/> if one for the same count and precision already was.</returns>
    internal static bool Register(SoftmaxKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int classes = kernel.Classes;
        SoftmaxPrecision precision = kernel.Precision;
        lock (s_writeLock)
        {
            if (Find(classes, precision) is not null)
            {
                return false;
            }

            if (classes < DirectLimit)
            {
                var small = s_small;
                var grown = new SoftmaxKernel?[Math.Max(small.Length, Slot(classes, SoftmaxPrecision.Fast) + 1)];
                small.CopyTo(grown, 0);
                grown[Slot(classes, precision)] = kernel;
                Volatile.Write(ref s_small, grown);
            }
            else
            {
                var large = new Dictionary<(int, SoftmaxPrecision), SoftmaxKernel>(s_large) { [(classes, precision)] = kernel };
                Volatile.Write(ref s_large, large);
            }

            return true;
        }
    }

    /// <summary>The <see cref="SoftmaxPrecision.Exact"/> kernel registered for <paramref name="classes"/>, or <see langword="null"/>.</summary>
    /// <param name="classes">The class count.</param>
    public static SoftmaxKernel? Find(int classes) => Find(classes, SoftmaxPrecision.Exact);

    /// <summary>The kernel registered for <paramref name="classes"/> and <paramref name="precision"/>, or <see langword="null"/>.</summary>
    /// <param name="classes">The class count.</param>
    /// <param name="precision">The precision the kernel was generated for.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is neither Exact nor Fast.</exception>
    public static SoftmaxKernel? Find(int classes, SoftmaxPrecision precision)
    {
        SoftmaxGuard.Precision(precision);
        if ((uint)classes < DirectLimit)
        {
            var small = Volatile.Read(ref s_small);
            int slot = Slot(classes, precision);
            return (uint)slot < (uint)small.Length ? small[slot] : null;
        }

        return Volatile.Read(ref s_large).GetValueOrDefault((classes, precision));
    }

    private static int Slot(int classes, SoftmaxPrecision precision) => (classes * 2) + (precision == SoftmaxPrecision.Fast ? 1 : 0);
}
