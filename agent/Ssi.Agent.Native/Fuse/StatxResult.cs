using System.Buffers.Binary;

namespace Ssi.Agent.Native.Fuse;

/// <summary>The fields of struct statx (an architecture-independent layout) that a filesystem reports.</summary>
public readonly record struct StatxResult(
    ulong Device,
    ulong Inode,
    uint Mode,
    uint Nlink,
    uint Uid,
    uint Gid,
    uint RdevMajor,
    uint RdevMinor,
    ulong Size,
    ulong Blocks,
    uint BlockSize,
    long AtimeSeconds,
    uint AtimeNanoseconds,
    long MtimeSeconds,
    uint MtimeNanoseconds,
    long CtimeSeconds,
    uint CtimeNanoseconds)
{
    public const int BufferSize = 256;

    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    public bool IsSymlink => (Mode & 0xF000) == 0xA000;

    public bool IsRegular => (Mode & 0xF000) == 0x8000;

    /// <summary>The rdev as the kernel's old 32-bit encoding used by FUSE attributes.</summary>
    public uint Rdev => ((RdevMajor & 0xfff) << 8) | (RdevMinor & 0xff) | ((RdevMinor & ~0xffu) << 12);

    public static StatxResult Parse(ReadOnlySpan<byte> b) => new(
        ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(b[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(b[140..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[28..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[20..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[24..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[128..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[132..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[40..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[48..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[4..]),
        BinaryPrimitives.ReadInt64LittleEndian(b[64..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[72..]),
        BinaryPrimitives.ReadInt64LittleEndian(b[112..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[120..]),
        BinaryPrimitives.ReadInt64LittleEndian(b[96..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[104..]));
}
