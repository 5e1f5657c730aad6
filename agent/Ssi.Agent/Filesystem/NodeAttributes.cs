using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem;

/// <summary>The attributes of a file as the filesystem reports them (fuse_attr), with the cluster-wide inode number.</summary>
internal readonly record struct NodeAttributes(
    ulong Inode,
    ulong Size,
    ulong Blocks,
    long AtimeSeconds,
    uint AtimeNanoseconds,
    long MtimeSeconds,
    uint MtimeNanoseconds,
    long CtimeSeconds,
    uint CtimeNanoseconds,
    uint Mode,
    uint Nlink,
    uint Uid,
    uint Gid,
    uint Rdev,
    uint BlockSize)
{
    public static NodeAttributes From(in StatxResult s, ulong inode) => new(
        inode, s.Size, s.Blocks, s.AtimeSeconds, s.AtimeNanoseconds, s.MtimeSeconds, s.MtimeNanoseconds,
        s.CtimeSeconds, s.CtimeNanoseconds, s.Mode, s.Nlink, s.Uid, s.Gid, s.Rdev, s.BlockSize == 0 ? 4096 : s.BlockSize);
}
