using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using Xunit;

namespace SoftmaxGen.Tests;

/// <summary>
/// Memory between two pages that may be neither read nor written (PROT_NONE), after dotnet/runtime's
/// <c>BoundedMemory</c> that its TensorPrimitives tests use: a span placed with <see cref="AtEnd"/> ends exactly where
/// the trailing guard page begins, one placed with <see cref="AtStart"/> begins exactly where the leading one ends, so
/// a kernel that reads or writes a single byte outside the span takes a SIGSEGV and the test process dies. Linux only
/// (mmap and mprotect through P/Invoke); the tests that use it are <see cref="LinuxFactAttribute"/>s.
/// </summary>
/// <remarks>
/// One region is mapped once and reused for every shape: placing a span is pointer arithmetic, not a system call.
/// <see cref="ReadOnly"/> also turns the usable pages read-only, so a kernel that writes into its input crashes too.
/// </remarks>
internal sealed unsafe partial class GuardedRegion : IDisposable
{
    private const int ProtNone = 0;
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    private readonly byte* _mapping;
    private readonly nuint _mappingLength;
    private readonly byte* _usable;
    private readonly int _usableLength;

    /// <summary>Maps a guard page, at least <paramref name="capacity"/> usable bytes (whole pages) and a guard page.</summary>
    public GuardedRegion(int capacity)
    {
        int page = Environment.SystemPageSize;
        _usableLength = Math.Max(page, (capacity + page - 1) / page * page);
        _mappingLength = (nuint)(_usableLength + (2 * page));
        nint address = Mmap(0, _mappingLength, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (address == -1)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"mmap of {_mappingLength} bytes failed");
        }

        _mapping = (byte*)address;
        _usable = _mapping + page;
        Protect(_mapping, (nuint)page, ProtNone);
        Protect(_usable + _usableLength, (nuint)page, ProtNone);
    }

    public int Capacity => _usableLength;

    /// <summary>The first byte of the trailing guard page (for the deliberate overrun that proves the guard works).</summary>
    public byte* TrailingGuard => _usable + _usableLength;

    /// <summary><paramref name="length"/> bytes that end exactly at the trailing guard page.</summary>
    public Span<byte> AtEnd(int length)
    {
        Check(length);
        return new Span<byte>(_usable + _usableLength - length, length);
    }

    /// <summary><paramref name="length"/> bytes that begin exactly after the leading guard page.</summary>
    public Span<byte> AtStart(int length)
    {
        Check(length);
        return new Span<byte>(_usable, length);
    }

    /// <summary>Makes the usable pages read-only until the returned scope is disposed.</summary>
    public ReadOnlyScope ReadOnly()
    {
        Protect(_usable, (nuint)_usableLength, ProtRead);
        return new ReadOnlyScope(this);
    }

    public void Dispose()
    {
        if (Munmap((nint)_mapping, _mappingLength) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "munmap failed");
        }
    }

    private void Check(int length)
    {
        if ((uint)length > (uint)_usableLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"the region holds {_usableLength} bytes");
        }
    }

    private static void Protect(byte* address, nuint length, int protection)
    {
        if (Mprotect((nint)address, length, protection) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"mprotect({protection}) failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);

    /// <summary>Restores read-write access to the usable pages.</summary>
    public readonly struct ReadOnlyScope(GuardedRegion region) : IDisposable
    {
        public void Dispose() => Protect(region._usable, (nuint)region._usableLength, ProtRead | ProtWrite);
    }
}

/// <summary>A fact that runs on Linux only (guard pages need mmap and mprotect); elsewhere it is skipped with the reason.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "guard pages use mmap and mprotect through P/Invoke: Linux only";
        }
    }
}

/// <summary>A theory that runs on Linux only; elsewhere it is skipped with the reason.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "guard pages use mmap and mprotect through P/Invoke: Linux only";
        }
    }
}
