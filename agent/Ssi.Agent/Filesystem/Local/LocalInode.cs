namespace Ssi.Agent.Filesystem.Local;

/// <summary>A file of the backing directory the kernel knows: an O_PATH descriptor and how many lookups it holds.</summary>
internal sealed class LocalInode(ulong nodeId, int pathFd, ulong device, ulong inode)
{
    public ulong NodeId { get; } = nodeId;

    public int PathFd { get; } = pathFd;

    public (ulong Device, ulong Inode) Key { get; } = (device, inode);

    public long Lookups { get; set; }

    /// <summary>Its place among the files kept open after every kernel forgot them; null while known.</summary>
    public LinkedListNode<LocalInode>? Retained { get; set; }

    /// <summary>When it was forgotten (Environment.TickCount64).</summary>
    public long RetainedAt { get; set; }

    /// <summary>A read-only descriptor for reads through <see cref="FileHandles.SharedRead"/>, opened on first use; -1 until then.</summary>
    public int ReadFd { get; set; } = -1;
}
