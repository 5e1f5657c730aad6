using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Local;

/// <summary>
/// The shared filesystem on its home node: the files live in a backing directory. Every file the
/// kernel knows is held by an O_PATH descriptor, and every operation names a file by such a
/// descriptor plus at most one path component that is checked to be a plain name, with
/// O_NOFOLLOW / AT_SYMLINK_NOFOLLOW: no request can reach outside the backing directory, not with
/// "..", not through a symlink, not by racing a rename (the libfuse passthrough_ll technique).
/// Node ids and file handles survive a restart of the agent: ids are bound to file handles in a
/// <see cref="NodeIdTable"/> and reopened from them, and a file handle carries the run that made it
/// and the open flags, so a handle of an earlier run is reopened on first use.
/// </summary>
internal sealed class LocalFileSystem : IFileSystem, IDisposable
{
    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_ACCMODE = 3;
    private const int O_DIRECT = 0x4000;
    private const int XattrListMax = 65536; // XATTR_LIST_MAX: the longest list listxattr gives
    private const long UTIME_NOW = 0x3fffffff;
    private const long UTIME_OMIT = 0x3ffffffe;
    private const int O_TMPFILE = 0x410000; // __O_TMPFILE | O_DIRECTORY
    private const uint S_IFMT = 0xF000;
    private const uint S_IFLNK = 0xA000;
    private const uint AccessBits = 0x1FF;
    private const uint ChangingBits = FuseProtocolBits.Mode | FuseProtocolBits.Uid | FuseProtocolBits.Gid | FuseProtocolBits.Size
        | FuseProtocolBits.Atime | FuseProtocolBits.Mtime | FuseProtocolBits.AtimeNow | FuseProtocolBits.MtimeNow;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, LocalInode> _byId = [];
    private readonly Dictionary<(ulong, ulong), LocalInode> _byKey = [];
    private readonly LinkedList<LocalInode> _retained = [];
    private readonly int _retainCapacity;
    private readonly ConcurrentDictionary<ulong, int> _open = new();
    private readonly ConcurrentDictionary<ulong, DirectoryCursor> _cursors = new();
    private readonly LocalInode _root;
    private readonly NodeIdTable _ids;
    private readonly int _mountFd;
    private uint _nextHandle;

    private const ulong FuseRootId = 1;

    /// <summary>How long a file no kernel knows any more stays open for a quick comeback.</summary>
    private static readonly long RetainMilliseconds = 30_000;

    /// <param name="idFile">Where node ids are kept across restarts; null keeps them in memory.</param>
    /// <param name="retainedInodes">
    /// How many files every kernel forgot stay open (their dentries and inodes stay in memory, so a node
    /// whose caches were dropped finds them without the disk) for up to 30 s; deleted files never stay.
    /// </param>
    public LocalFileSystem(string backingDirectory, TimeSpan cacheTimeout, string? idFile = null, int retainedInodes = 0)
    {
        _retainCapacity = retainedInodes;
        Directory.CreateDirectory(backingDirectory);
        var fd = FsError.Check(Posix.OpenAt(Posix.AT_FDCWD, Posix.Z(backingDirectory), Posix.O_PATH | Posix.O_DIRECTORY));
        FsError.Check(Posix.Stat(fd, out var stat));
        _root = new LocalInode(FuseRootId, fd, stat.Device, stat.Inode) { Lookups = 1 };
        _byId[FuseRootId] = _root;
        _byKey[_root.Key] = _root;
        _ids = NodeIdTable.Open(idFile, Posix.FileHandle(fd, out var rootHandle) == 0 ? rootHandle : []);
        KnewIds = _ids.Count > 0;
        _mountFd = FsError.Check(Posix.Reopen(fd, O_RDONLY | Posix.O_DIRECTORY)); // open_by_handle_at takes no O_PATH descriptor
        BackingDirectory = backingDirectory;
        CacheTimeout = cacheTimeout;
    }

    /// <summary>This run of the home (file handles carry it).</summary>
    public ushort Epoch => _ids.Epoch;

    /// <summary>Node ids were handed out by an earlier run: other nodes may still hold them, and files open.</summary>
    public bool KnewIds { get; }

    public string BackingDirectory { get; }

    public TimeSpan CacheTimeout { get; }

    public int InodeCount
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count - _retained.Count;
            }
        }
    }

    /// <summary>Files no kernel knows that are kept open for a while.</summary>
    public int RetainedCount
    {
        get
        {
            lock (_lock)
            {
                return _retained.Count;
            }
        }
    }

    /// <summary>
    /// Looks a name up. A file this server knows already (the kernels' lookups, every entry of a
    /// listing) costs one statx of the name; only a file new to it is opened (O_PATH) and adopted.
    /// </summary>
    public FileEntry? Lookup(ulong parent, ReadOnlySpan<byte> name)
    {
        var dir = Get(parent);
        var checkedName = CheckedName(name);
        var rc = Posix.StatAt(dir.PathFd, checkedName, out var stat);
        if (rc == -Errno.ENOENT)
        {
            return null;
        }

        FsError.Check(rc);
        if (Known(stat) is { } known)
        {
            return known;
        }

        var fd = Posix.OpenAt(dir.PathFd, checkedName, Posix.O_PATH | Posix.O_NOFOLLOW);
        if (fd == -Errno.ENOENT)
        {
            return null;
        }

        return Adopt(FsError.Check(fd));
    }

    /// <summary>The entry of a file already known by its device and inode, counted as one more lookup; null when it is not known.</summary>
    private FileEntry? Known(in StatxResult stat)
    {
        lock (_lock)
        {
            if (!_byKey.TryGetValue((stat.Device, stat.Inode), out var inode))
            {
                return null;
            }

            if (inode.Retained is { } retained)
            {
                _retained.Remove(retained);
                inode.Retained = null;
            }

            inode.Lookups++;
            return new FileEntry(inode.NodeId, 0, NodeAttributes.From(stat, inode.NodeId), CacheTimeout, CacheTimeout);
        }
    }

    public void Forget(ulong node, ulong count)
    {
        lock (_lock)
        {
            if (node == FuseRootId || !_byId.TryGetValue(node, out var inode))
            {
                return;
            }

            inode.Lookups -= (long)count;
            if (inode.Lookups <= 0 && inode.Retained is null)
            {
                if (_retainCapacity > 0 && Posix.Stat(inode.PathFd, out var stat) == 0 && stat.Nlink > 0)
                {
                    inode.Retained = _retained.AddLast(inode);
                    inode.RetainedAt = Environment.TickCount64;
                }
                else
                {
                    Drop(inode);
                }
            }

            TrimRetainedLocked();
        }
    }

    public NodeAttributes GetAttr(ulong node)
    {
        var inode = Get(node);
        FsError.Check(Posix.Stat(inode.PathFd, out var stat));
        return NodeAttributes.From(stat, node);
    }

    public NodeAttributes SetAttr(ulong node, in SetAttrRequest request)
    {
        var inode = Get(node);
        if ((request.Valid & FuseProtocolBits.Mode) != 0)
        {
            FsError.Check(Posix.ChmodFd(inode.PathFd, (int)(request.Mode & 0xFFF)));
        }

        if ((request.Valid & (FuseProtocolBits.Uid | FuseProtocolBits.Gid)) != 0)
        {
            FsError.Check(Posix.ChownFd(
                inode.PathFd,
                (request.Valid & FuseProtocolBits.Uid) != 0 ? request.Uid : uint.MaxValue,
                (request.Valid & FuseProtocolBits.Gid) != 0 ? request.Gid : uint.MaxValue));
        }

        if ((request.Valid & FuseProtocolBits.Size) != 0)
        {
            if ((request.Valid & FuseProtocolBits.Fh) != 0)
            {
                FsError.Check(Posix.Truncate(Descriptor(node, request.Handle), (long)request.Size));
            }
            else
            {
                var fd = FsError.Check(Posix.Reopen(inode.PathFd, O_WRONLY));
                try
                {
                    FsError.Check(Posix.Truncate(fd, (long)request.Size));
                }
                finally
                {
                    Posix.Close(fd);
                }
            }
        }

        if ((request.Valid & (FuseProtocolBits.Atime | FuseProtocolBits.Mtime | FuseProtocolBits.AtimeNow | FuseProtocolBits.MtimeNow)) != 0)
        {
            var (aSec, aNs) = Time(request.Valid, FuseProtocolBits.Atime, FuseProtocolBits.AtimeNow, request.AtimeSeconds, request.AtimeNanoseconds);
            var (mSec, mNs) = Time(request.Valid, FuseProtocolBits.Mtime, FuseProtocolBits.MtimeNow, request.MtimeSeconds, request.MtimeNanoseconds);
            FsError.Check(Posix.SetTimesFd(inode.PathFd, aSec, aNs, mSec, mNs));
        }

        if ((request.Valid & ChangingBits) == 0)
        {
            // chown(f, -1, -1): nothing changes but the change time, as on a local filesystem.
            FsError.Check(Posix.ChownFd(inode.PathFd, uint.MaxValue, uint.MaxValue));
        }

        return GetAttr(node);
    }

    public byte[] ReadLink(ulong node)
    {
        var inode = Get(node);
        var buffer = new byte[4096];
        var n = FsError.Check(Posix.ReadlinkFd(inode.PathFd, buffer));
        return buffer[..n];
    }

    public FileEntry Symlink(ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, in CallerContext caller)
    {
        var dir = Get(parent);
        var z = CheckedName(name);
        FsError.Check(Posix.SymlinkAt(Posix.Z(target), dir.PathFd, z));
        return Created(dir, z, S_IFLNK | 0x1FF, caller);
    }

    public FileEntry Mknod(ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, in CallerContext caller)
    {
        var dir = Get(parent);
        var z = CheckedName(name);
        FsError.Check(Posix.MknodAt(dir.PathFd, z, (int)((mode & S_IFMT) | (mode & AccessBits)), rdev));
        return Created(dir, z, mode, caller);
    }

    public FileEntry Mkdir(ulong parent, ReadOnlySpan<byte> name, uint mode, in CallerContext caller)
    {
        var dir = Get(parent);
        var z = CheckedName(name);
        FsError.Check(Posix.MkdirAt(dir.PathFd, z, (int)(mode & AccessBits)));
        return Created(dir, z, mode, caller);
    }

    public void Unlink(ulong parent, ReadOnlySpan<byte> name) =>
        FsError.Check(Posix.UnlinkAt(Get(parent).PathFd, CheckedName(name), directory: false));

    public void Rmdir(ulong parent, ReadOnlySpan<byte> name) =>
        FsError.Check(Posix.UnlinkAt(Get(parent).PathFd, CheckedName(name), directory: true));

    public void Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, uint flags) =>
        FsError.Check(Posix.RenameAt(Get(parent).PathFd, CheckedName(name), Get(newParent).PathFd, CheckedName(newName), flags));

    public FileEntry Link(ulong node, ulong newParent, ReadOnlySpan<byte> newName)
    {
        var inode = Get(node);
        var dir = Get(newParent);
        var z = CheckedName(newName);
        FsError.Check(Posix.LinkFd(inode.PathFd, dir.PathFd, z));
        return Adopt(FsError.Check(Posix.OpenAt(dir.PathFd, z, Posix.O_PATH | Posix.O_NOFOLLOW)));
    }

    public OpenResult Open(ulong node, int flags)
    {
        var inode = Get(node);
        var fd = FsError.Check(Posix.Reopen(inode.PathFd, ServerFlags(flags)));
        return new OpenResult(Register(fd, flags, directory: false), 0, fd);
    }

    public (FileEntry Entry, OpenResult File) Create(ulong parent, ReadOnlySpan<byte> name, int flags, uint mode, in CallerContext caller)
    {
        var dir = Get(parent);
        var z = CheckedName(name);
        var fd = Posix.OpenAt(dir.PathFd, z, ServerFlags(flags) | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW, (int)(mode & AccessBits));
        if (fd == -Errno.EEXIST && (flags & Posix.O_EXCL) == 0)
        {
            // Another node made the name since this node's kernel looked: an open of that file,
            // which keeps its owner and mode and needs the caller's permission.
            return OpenExisting(dir, z, flags, caller);
        }

        FsError.Check(fd);
        try
        {
            var entry = Created(dir, z, mode, caller);
            return (entry, new OpenResult(Register(fd, flags, directory: false), 0, fd));
        }
        catch
        {
            Posix.Close(fd);
            throw;
        }
    }

    private (FileEntry Entry, OpenResult File) OpenExisting(LocalInode dir, byte[] name, int flags, in CallerContext caller)
    {
        var entry = Adopt(FsError.Check(Posix.OpenAt(dir.PathFd, name, Posix.O_PATH | Posix.O_NOFOLLOW)));
        try
        {
            if (!FilePermission.Allows(entry.Attributes, caller, flags))
            {
                throw new FsError(Errno.EACCES);
            }

            return (entry, Open(entry.NodeId, flags));
        }
        catch
        {
            Forget(entry.NodeId, 1);
            throw;
        }
    }

    public (FileEntry Entry, OpenResult File) TmpFile(ulong parent, int flags, uint mode, in CallerContext caller)
    {
        var dir = Get(parent);
        var fd = FsError.Check(Posix.OpenAt(dir.PathFd, Posix.Z("."), (ServerFlags(flags) & ~Posix.O_CREAT) | O_TMPFILE, (int)(mode & AccessBits)));
        try
        {
            var path = FsError.Check(Posix.Reopen(fd, Posix.O_PATH));
            return (Owned(dir, path, mode, caller), new OpenResult(Register(fd, flags, directory: false), 0, fd));
        }
        catch
        {
            Posix.Close(fd);
            throw;
        }
    }

    public int Read(ulong node, ulong handle, long offset, Span<byte> buffer) =>
        FsError.Check(Posix.PRead(Descriptor(node, handle), buffer, offset));

    public int Write(ulong node, ulong handle, long offset, ReadOnlySpan<byte> data) =>
        FsError.Check(Posix.PWrite(Descriptor(node, handle), data, offset));

    public void Release(ulong node, ulong handle)
    {
        // The shared read handle (FileHandles.SharedRead) is in no table: nothing to close.
        if (_open.TryRemove(handle, out var fd))
        {
            Posix.Close(fd);
        }

        if (_cursors.TryRemove(handle, out var cursor))
        {
            cursor.Dispose();
        }
    }

    public void Fsync(ulong node, ulong handle, bool dataOnly) => FsError.Check(Posix.Fsync(Descriptor(node, handle), dataOnly));

    public ulong OpenDir(ulong node)
    {
        var inode = Get(node);
        return Register(FsError.Check(Posix.Reopen(inode.PathFd, O_RDONLY | Posix.O_DIRECTORY)), O_RDONLY, directory: true);
    }

    public void ReadDir(ulong node, ulong handle, long offset, Func<DirectoryEntry, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var fd = Descriptor(node, handle);
        var cursor = _cursors.GetOrAdd(handle, _ => new DirectoryCursor());
        cursor.Read(offset, at => FsError.Check(Posix.Lseek(fd, at, 0)), batch => FsError.Check(Posix.GetDents(fd, batch)), accept);
    }

    public void ReleaseDir(ulong node, ulong handle) => Release(node, handle);

    public FileSystemStatistics StatFs(ulong node)
    {
        // struct statfs on 64-bit Linux: 8-byte fields type, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, frsize, ...
        var s = new byte[120];
        FsError.Check(Posix.Statfs(_root.PathFd, s));
        var f = new ulong[10];
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = BinaryPrimitives.ReadUInt64LittleEndian(s.AsSpan(i * 8));
        }

        return new FileSystemStatistics(f[2], f[3], f[4], f[5], f[6], (uint)f[1], (uint)f[8], (uint)f[9]);
    }

    public void Fallocate(ulong node, ulong handle, int mode, long offset, long length) =>
        FsError.Check(Posix.Fallocate(Descriptor(node, handle), mode, offset, length));

    public long Lseek(ulong node, ulong handle, long offset, int whence) =>
        FsError.Check(Posix.Lseek(Descriptor(node, handle), offset, whence));

    /// <summary>Reads an extended attribute; POSIX ACLs and SELinux labels are not kept (<see cref="UnsupportedAttributes"/>).</summary>
    public int GetXattr(ulong node, ReadOnlySpan<byte> name, Span<byte> value)
    {
        UnsupportedAttributes.Refuse(name);
        return FsError.Check(Posix.GetXattrFd(XattrTarget(node, Errno.ENODATA), Posix.Z(name), value));
    }

    /// <summary>Sets an extended attribute; POSIX ACLs and SELinux labels are refused (<see cref="UnsupportedAttributes"/>).</summary>
    public void SetXattr(ulong node, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        UnsupportedAttributes.Refuse(name);
        FsError.Check(Posix.SetXattrFd(XattrTarget(node, Errno.EPERM), Posix.Z(name), value, flags));
    }

    /// <summary>Lists the extended attributes, without those the filesystem does not keep (a backing file may carry them).</summary>
    public int ListXattr(ulong node, Span<byte> list)
    {
        var inode = Get(node);
        FsError.Check(Posix.Stat(inode.PathFd, out var stat));
        if (stat.IsSymlink)
        {
            return 0;
        }

        var names = ArrayPool<byte>.Shared.Rent(XattrListMax);
        try
        {
            var length = FsError.Check(Posix.ListXattrFd(inode.PathFd, names.AsSpan(0, XattrListMax)));
            return UnsupportedAttributes.Filter(names.AsSpan(0, length), list);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(names);
        }
    }

    public void RemoveXattr(ulong node, ReadOnlySpan<byte> name)
    {
        UnsupportedAttributes.Refuse(name);
        FsError.Check(Posix.RemoveXattrFd(XattrTarget(node, Errno.ENODATA), Posix.Z(name)));
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var inode in _byId.Values)
            {
                Close(inode);
            }

            _byId.Clear();
            _byKey.Clear();
        }

        foreach (var fd in _open.Values)
        {
            Posix.Close(fd);
        }

        _open.Clear();
        foreach (var cursor in _cursors.Values)
        {
            cursor.Dispose();
        }

        _cursors.Clear();
        Posix.Close(_mountFd);
        _ids.Dispose();
    }

    /// <summary>
    /// Flags for the server's own descriptor. O_DIRECT is the caller's business: its kernel already
    /// bypasses its page cache; here it would only demand aligned reply buffers.
    /// </summary>
    private static int ServerFlags(int flags) => flags & ~O_DIRECT;

    /// <summary>A single path component, never ".", ".." or containing '/'.</summary>
    internal static byte[] CheckedName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Contains((byte)'/') || name.Contains((byte)0) || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
        {
            throw new FsError(Errno.EINVAL);
        }

        if (name.Length > 255)
        {
            throw new FsError(Errno.ENAMETOOLONG);
        }

        return Posix.Z(name);
    }

    /// <summary>The O_PATH descriptor for an xattr call. Symlinks have no user attributes on Linux, and
    /// reaching one through /proc/self/fd would follow it: they answer <paramref name="symlinkErrno"/>.</summary>
    private int XattrTarget(ulong node, int symlinkErrno)
    {
        var inode = Get(node);
        FsError.Check(Posix.Stat(inode.PathFd, out var stat));
        return stat.IsSymlink ? throw new FsError(symlinkErrno) : inode.PathFd;
    }

    private static (long Seconds, long Nanoseconds) Time(uint valid, uint setBit, uint nowBit, long seconds, uint nanoseconds) =>
        (valid & nowBit) != 0 ? (0, UTIME_NOW) : (valid & setBit) != 0 ? (seconds, nanoseconds) : (0, UTIME_OMIT);

    /// <summary>The file's read-only descriptor for reads through <see cref="FileHandles.SharedRead"/>, opened on first use.</summary>
    private int SharedReadDescriptor(ulong node)
    {
        var inode = Get(node);
        lock (_lock)
        {
            if (inode.ReadFd < 0)
            {
                inode.ReadFd = FsError.Check(Posix.Reopen(inode.PathFd, O_RDONLY));
            }

            return inode.ReadFd;
        }
    }

    private void Drop(LocalInode inode)
    {
        _byId.Remove(inode.NodeId);
        _byKey.Remove(inode.Key);
        Close(inode);
    }

    /// <summary>Lets go of retained files beyond the capacity or older than the retention time.</summary>
    private void TrimRetainedLocked()
    {
        var now = Environment.TickCount64;
        while (_retained.First is { } oldest && (_retained.Count > _retainCapacity || now - oldest.Value.RetainedAt > RetainMilliseconds))
        {
            _retained.RemoveFirst();
            oldest.Value.Retained = null;
            Drop(oldest.Value);
        }
    }

    private static void Close(LocalInode inode)
    {
        Posix.Close(inode.PathFd);
        if (inode.ReadFd >= 0)
        {
            Posix.Close(inode.ReadFd);
        }
    }

    private LocalInode Get(ulong node)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(node, out var inode))
            {
                return inode;
            }
        }

        return Revive(node);
    }

    /// <summary>
    /// A node id the kernel of some node still holds but this run of the agent has not seen (it was
    /// handed out before a restart, or forgotten since): reopened from its recorded file handle. Only
    /// files of the backing directory's filesystem are taken.
    /// </summary>
    private LocalInode Revive(ulong node)
    {
        var handle = _ids.HandleOf(node) ?? throw new FsError(Errno.ESTALE);
        var fd = Posix.OpenByHandle(_mountFd, handle, Posix.O_PATH | Posix.O_NOFOLLOW);
        if (fd < 0)
        {
            throw new FsError(fd == -Errno.ENOENT ? Errno.ESTALE : -fd);
        }

        var rc = Posix.Stat(fd, out var stat);
        if (rc < 0 || stat.Device != _root.Key.Device)
        {
            Posix.Close(fd);
            throw new FsError(rc < 0 ? -rc : Errno.ESTALE);
        }

        lock (_lock)
        {
            if (_byId.TryGetValue(node, out var known))
            {
                Posix.Close(fd);
                return known;
            }

            var inode = new LocalInode(node, fd, stat.Device, stat.Inode);
            _byId[node] = inode;
            _byKey[inode.Key] = inode;
            return inode;
        }
    }

    /// <summary>A new file handle for descriptor <paramref name="fd"/>, opened with <paramref name="flags"/>.</summary>
    private ulong Register(int fd, int flags, bool directory)
    {
        while (true)
        {
            var handle = FileHandleCode.Make(_ids.Epoch, flags, directory, Interlocked.Increment(ref _nextHandle));
            if (_open.TryAdd(handle, fd))
            {
                return handle;
            }
        }
    }

    /// <summary>
    /// The descriptor behind a file handle. A handle of an earlier run of the agent (the node that
    /// holds it kept its file open across the restart) is reopened with the flags it carries; the
    /// shared read handle is the file's read-only descriptor.
    /// </summary>
    private int Descriptor(ulong node, ulong handle)
    {
        if (handle == FileHandles.SharedRead)
        {
            return SharedReadDescriptor(node);
        }

        if (_open.TryGetValue(handle, out var fd))
        {
            return fd;
        }

        if (FileHandleCode.EpochOf(handle) is 0 || FileHandleCode.EpochOf(handle) == _ids.Epoch)
        {
            throw new FsError(Errno.EBADF); // not open in this run, or never a handle of ours (runs are numbered from 1)
        }

        var inode = Get(node);
        var flags = FileHandleCode.FlagsOf(handle);
        var reopened = FsError.Check(Posix.Reopen(inode.PathFd, flags));
        if (!_open.TryAdd(handle, reopened))
        {
            Posix.Close(reopened);
            return _open.TryGetValue(handle, out fd) ? fd : throw new FsError(Errno.EBADF);
        }

        return reopened;
    }

    /// <summary>
    /// Gives the new file the owner, group and mode the caller would have got from a local
    /// filesystem (<see cref="NewFileAttributes"/>): the agent creates as root, under its own umask
    /// and without the special bits, then corrects them. Then looks the file up.
    /// </summary>
    private FileEntry Created(LocalInode dir, byte[] name, uint mode, in CallerContext caller) =>
        Owned(dir, FsError.Check(Posix.OpenAt(dir.PathFd, name, Posix.O_PATH | Posix.O_NOFOLLOW)), mode, caller);

    /// <summary>The file behind the new O_PATH descriptor <paramref name="fd"/> gets its owner, group and mode; then it is looked up.</summary>
    private FileEntry Owned(LocalInode dir, int fd, uint mode, in CallerContext caller)
    {
        try
        {
            FsError.Check(Posix.Stat(dir.PathFd, out var parent));
            FsError.Check(Posix.Stat(fd, out var made));
            var wanted = NewFileAttributes.Decide(mode, parent.Mode, parent.Gid, caller);
            if (made.Uid != wanted.Uid || made.Gid != wanted.Gid)
            {
                FsError.Check(Posix.ChownFd(fd, wanted.Uid, wanted.Gid));
                FsError.Check(Posix.Stat(fd, out made)); // chown drops set-user-ID and set-group-ID
            }

            if (!made.IsSymlink && (made.Mode & 0xFFF) != wanted.Mode)
            {
                FsError.Check(Posix.ChmodFd(fd, (int)wanted.Mode));
            }
        }
        catch
        {
            Posix.Close(fd);
            throw;
        }

        return Adopt(fd);
    }

    /// <summary>Registers a freshly opened O_PATH descriptor: one more lookup of its inode (new or known).</summary>
    private FileEntry Adopt(int fd)
    {
        var rc = Posix.Stat(fd, out var stat);
        if (rc < 0)
        {
            Posix.Close(fd);
            FsError.Check(rc);
        }

        LocalInode inode;
        byte[]? handle = null;
        while (true)
        {
            lock (_lock)
            {
                if (_byKey.TryGetValue((stat.Device, stat.Inode), out var known))
                {
                    Posix.Close(fd);
                    inode = known;
                    if (known.Retained is { } retained)
                    {
                        // Known again before it was let go.
                        _retained.Remove(retained);
                        known.Retained = null;
                    }

                    inode.Lookups++;
                    TrimRetainedLocked();
                    break;
                }

                if (handle is not null)
                {
                    // Its id: the one it had (in this run or an earlier one), or a new one, on record first.
                    var id = handle.Length > 0 ? _ids.IdFor(handle) : _ids.NewId();
                    if (_byId.ContainsKey(id))
                    {
                        Posix.Close(fd); // the id is held by another file: never seen, but never confuse two files
                        throw new FsError(Errno.ESTALE);
                    }

                    inode = new LocalInode(id, fd, stat.Device, stat.Inode);
                    _byId[inode.NodeId] = inode;
                    _byKey[inode.Key] = inode;
                    inode.Lookups++;
                    TrimRetainedLocked();
                    break;
                }
            }

            // A file new to this run: its handle, outside the lock (a system call).
            handle = Posix.FileHandle(fd, out var bytes) == 0 ? bytes : [];
        }

        return new FileEntry(inode.NodeId, 0, NodeAttributes.From(stat, inode.NodeId), CacheTimeout, CacheTimeout);
    }
}
