using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>The fields of stat(2) that identify an object: device, inode, type and mode, device number.</summary>
public readonly record struct FileStatus(ulong Dev, ulong Inode, uint Mode, ulong Rdev)
{
    private const int StatSize = 144;

    /// <summary>stat(2) of <paramref name="path"/> (follows /proc/PID/fd links to the open object); null if it fails.</summary>
    public static FileStatus? Of(string path)
    {
        Span<byte> buffer = stackalloc byte[StatSize];
        return LibC.stat(path, ref MemoryMarshal.GetReference(buffer)) == 0 ? Parse(buffer) : null;
    }

    /// <summary>fstat(2) of an open descriptor.</summary>
    public static FileStatus OfDescriptor(int fd)
    {
        Span<byte> buffer = stackalloc byte[StatSize];
        if (LibC.fstat(fd, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            throw NativeException.Last("fstat");
        }

        return Parse(buffer);
    }

    private static FileStatus Parse(ReadOnlySpan<byte> stat)
    {
        // x86_64: st_dev 0, st_ino 8, st_nlink 16 (u64), st_mode 24, st_rdev 40.
        // arm64 (asm-generic): st_dev 0, st_ino 8, st_mode 16, st_nlink 20, st_rdev 32.
        var x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        return new FileStatus(
            MemoryMarshal.Read<ulong>(stat),
            MemoryMarshal.Read<ulong>(stat[8..]),
            MemoryMarshal.Read<uint>(stat[(x64 ? 24 : 16)..]),
            MemoryMarshal.Read<ulong>(stat[(x64 ? 40 : 32)..]));
    }
}
