namespace Ssi.Agent.Filesystem.Local;

/// <summary>A file of the backing directory the kernel knows: an O_PATH descriptor and how many lookups it holds.</summary>
internal sealed class LocalInode(ulong nodeId, int pathFd, ulong device, ulong inode)
{
    public ulong NodeId { get; } = nodeId;

    public int PathFd { get; } = pathFd;

    public (ulong Device, ulong Inode) Key { get; } = (device, inode);

    public long Lookups { get; set; }
}
