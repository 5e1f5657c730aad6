namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>Something other nodes' kernels may have cached and must drop: an inode (attributes, data range) or a name.</summary>
internal readonly record struct CacheInvalidation(ulong NodeId, long Offset, long Length, byte[]? Name)
{
    public bool IsEntry => Name is not null;

    /// <summary>Attributes, and data from <paramref name="offset"/> for <paramref name="length"/> bytes (-1: attributes only; 0 length: to the end).</summary>
    public static CacheInvalidation Inode(ulong node, long offset = -1, long length = 0) => new(node, offset, length, null);

    /// <summary>The name <paramref name="name"/> in directory <paramref name="parent"/>.</summary>
    public static CacheInvalidation Entry(ulong parent, ReadOnlySpan<byte> name) => new(parent, 0, 0, name.ToArray());
}
