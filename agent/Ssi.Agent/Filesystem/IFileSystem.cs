namespace Ssi.Agent.Filesystem;

/// <summary>
/// The operations of the shared filesystem, by node id, as the FUSE layer calls them. The home
/// node implements them on its backing directory; every other node forwards them to the home.
/// Failures throw <see cref="FsError"/> with the errno for the caller.
/// </summary>
internal interface IFileSystem
{
    /// <summary>How long the kernel may cache names and attributes (long: the home invalidates on change).</summary>
    TimeSpan CacheTimeout { get; }

    /// <summary>Looks a name up; null when it does not exist. A returned entry counts one lookup of its node.</summary>
    FileEntry? Lookup(ulong parent, ReadOnlySpan<byte> name);

    void Forget(ulong node, ulong count);

    NodeAttributes GetAttr(ulong node);

    NodeAttributes SetAttr(ulong node, in SetAttrRequest request);

    byte[] ReadLink(ulong node);

    FileEntry Symlink(ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, in CallerContext caller);

    FileEntry Mknod(ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, in CallerContext caller);

    FileEntry Mkdir(ulong parent, ReadOnlySpan<byte> name, uint mode, in CallerContext caller);

    void Unlink(ulong parent, ReadOnlySpan<byte> name);

    void Rmdir(ulong parent, ReadOnlySpan<byte> name);

    void Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, uint flags);

    FileEntry Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName);

    OpenResult Open(ulong node, int flags);

    (FileEntry Entry, OpenResult File) Create(ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, in CallerContext caller);

    /// <summary>An unnamed file in directory <paramref name="parent"/>, opened (O_TMPFILE): a later link may name it.</summary>
    (FileEntry Entry, OpenResult File) TmpFile(ulong parent, int flags, uint mode, in CallerContext caller);

    int Read(ulong node, ulong handle, long offset, Span<byte> buffer);

    int Write(ulong node, ulong handle, long offset, ReadOnlySpan<byte> data);

    void Release(ulong node, ulong handle);

    void Fsync(ulong node, ulong handle, bool dataOnly);

    ulong OpenDir(ulong node);

    /// <summary>Entries from <paramref name="offset"/> on, as many as <paramref name="accept"/> takes (it returns false when full).</summary>
    void ReadDir(ulong node, ulong handle, long offset, Func<DirectoryEntry, bool> accept);

    void ReleaseDir(ulong node, ulong handle);

    FileSystemStatistics StatFs(ulong node);

    void Fallocate(ulong node, ulong handle, int mode, long offset, long length);

    long Lseek(ulong node, ulong handle, long offset, int whence);

    /// <summary>The value of an extended attribute into <paramref name="value"/>; with an empty buffer, its size.</summary>
    int GetXattr(ulong node, ReadOnlySpan<byte> name, Span<byte> value);

    void SetXattr(ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags);

    /// <summary>The NUL-separated attribute names into <paramref name="list"/>; with an empty buffer, the size needed.</summary>
    int ListXattr(ulong node, Span<byte> list);

    void RemoveXattr(ulong node, ReadOnlySpan<byte> name);
}
