using Microsoft.Extensions.Logging;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Locks;
using Ssi.Agent.Filesystem.Passthrough;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>
/// Runs FUSE requests against an <see cref="IFileSystem"/>: decode, call, encode. Requests come from
/// the home node's own kernel (with passthrough) or forwarded from other nodes' kernels. Every
/// successful change publishes the invalidations other nodes need before the reply goes out
/// (strict coherency), and every answer notes which node may now cache what. Lock requests go to
/// the cluster's lock manager; one that must wait is answered later, through the
/// <see cref="IFuseLateReply"/> of the transport that brought it, and holds no thread meanwhile.
/// </summary>
internal sealed class FuseDispatcher(IFileSystem fs, CoherencyHub hub, LockManager locks, ILogger<FuseDispatcher> logger) : IFuseRequestHandler, IFuseInterruptHandler
{
    private const int DirentHeader = 24;
    private const int DirentPlusHeader = FuseProtocol.EntryOutSize + DirentHeader;
    private readonly OpenModeTracker _opens = new();
    private readonly IFileSystem _fs = fs;
    private readonly FuseLockHandler _locks = new(locks);
    private FuseDevice? _device;
    private DeviceLateReply? _deviceReplies;
    private bool _passthrough;
    private long _passthroughFrom;

    /// <summary>The filesystem the requests run on (the links read attribute hints from it).</summary>
    public IFileSystem FileSystem => _fs;

    /// <summary>Whether other nodes must not cache <paramref name="node"/>'s attributes now (the home passes it through).</summary>
    public bool AttributesVolatile(ulong node) => _opens.AttributesVolatile(node);

    /// <summary>The home node's own mount, before its session starts: late replies to its kernel go there.</summary>
    public void AttachLocalMount(FuseDevice device)
    {
        _device = device;
        _deviceReplies = new DeviceLateReply(device);
    }

    /// <summary>The home's kernel agreed to passthrough: its opens may get backing files.</summary>
    public void EnablePassthrough() => _passthrough = _device is not null;

    /// <summary>
    /// No passthrough for <paramref name="delay"/>: after a restart of the home, other nodes first
    /// tell which files they kept open (a file open elsewhere must not be passed through).
    /// </summary>
    public void HoldPassthrough(TimeSpan delay) => Volatile.Write(ref _passthroughFrom, Environment.TickCount64 + (long)delay.TotalMilliseconds);

    /// <summary>Node <paramref name="origin"/> has these files open (it reported them when it connected).</summary>
    public void OpenFilesReported(int origin, IReadOnlyList<(ulong Node, ulong Handle)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var (node, handle) in files)
        {
            _opens.Reported(node, handle, origin);
        }
    }

    /// <summary>A request from the home node's own kernel.</summary>
    public int Handle(ReadOnlySpan<byte> request, Span<byte> output) => Handle(request, output, hub.HomeIndex, allowPassthrough: true, _deviceReplies);

    /// <summary>The home's kernel interrupted one of its requests.</summary>
    public bool Interrupt(ulong unique) => _locks.Interrupt(hub.HomeIndex, unique);

    /// <summary>
    /// Node <paramref name="origin"/> is gone: its locks go; if it restarted, its previous mount's
    /// open files are closed here too (a node only disconnected for long may still have them open:
    /// they stay, and keep the home from passing those files through).
    /// </summary>
    public void NodeGone(int origin, bool restarted)
    {
        _locks.DropNode(origin);
        if (restarted)
        {
            hub.Interest.DropNode(origin);
            foreach (var (node, handle) in _opens.DropNode(origin))
            {
                _fs.Release(node, handle);
            }
        }
    }

    /// <summary>Node <paramref name="origin"/>'s kernel interrupted request <paramref name="unique"/> (or its transport gave up on it).</summary>
    public bool Interrupt(int origin, ulong unique) => _locks.Interrupt(origin, unique);

    /// <summary>
    /// A request from the kernel of node <paramref name="origin"/>: writes the reply into
    /// <paramref name="output"/> and returns its length (0: no reply), or returns
    /// <see cref="FuseReply.Later"/> and sends the reply to <paramref name="late"/> when it is ready.
    /// </summary>
    /// <param name="unpublished">
    /// When given, the invalidations the request's change needs are added to it instead of delivered:
    /// the caller delivers them (<see cref="CoherencyHub.Publish"/>) before it sends the reply.
    /// </param>
    public int Handle(ReadOnlySpan<byte> message, Span<byte> output, int origin, bool allowPassthrough, IFuseLateReply? late, List<CacheInvalidation>? unpublished = null)
    {
        ulong unique = 0;
        var changes = unpublished ?? new List<CacheInvalidation>();
        try
        {
            var request = new FuseRequest(message);
            unique = request.Unique;
            switch (request.Opcode)
            {
                case FuseOpcode.Forget:
                    Forget(request.NodeId, request.U64(), origin);
                    return 0;
                case FuseOpcode.BatchForget:
                    var count = request.U32();
                    request.Skip(4);
                    for (var i = 0; i < count; i++)
                    {
                        Forget(request.U64(), request.U64(), origin);
                    }

                    return 0;
                case FuseOpcode.Interrupt when origin != hub.HomeIndex:
                    // Forwarded by the node whose kernel interrupted a request: EAGAIN when it is not waiting (yet).
                    return FuseReply.Error(output, unique, _locks.Interrupt(origin, request.U64()) ? 0 : Errno.EAGAIN).Length;
                case FuseOpcode.Init or FuseOpcode.Destroy or FuseOpcode.Interrupt:
                    throw new FsError(Errno.EINVAL); // the node's own session answers these
            }

            hub.Interest.Touched(request.NodeId, origin);
            var reply = Dispatch(ref request, output, origin, allowPassthrough, late, changes);
            if (changes.Count > 0 && unpublished is null)
            {
                hub.Publish(origin, changes);
            }

            return reply;
        }
        catch (FsError e)
        {
            return FuseReply.Error(output, unique, e.Errno).Length;
        }
        catch (FuseProtocolException e)
        {
            FsLog.BadRequest(logger, e.Message);
            return unique == 0 ? 0 : FuseReply.Error(output, unique, Errno.EIO).Length;
        }
    }

    private int Dispatch(scoped ref FuseRequest request, Span<byte> output, int origin, bool allowPassthrough, IFuseLateReply? late, List<CacheInvalidation> changes)
    {
        var node = request.NodeId;
        var caller = new CallerContext(request.Uid, request.Gid, request.Pid) { SupplementaryGroup = request.SupplementaryGroup };
        var reply = new FuseReply(output);
        switch (request.Opcode)
        {
            case FuseOpcode.Lookup:
            {
                if (_fs.Lookup(node, request.Name()) is { } entry)
                {
                    hub.Interest.Looked(entry.NodeId, origin);
                    reply.Entry(ForOrigin(entry, origin));
                }
                else
                {
                    // Node id 0: "no such name" that the kernel may remember; a create anywhere invalidates it.
                    reply.Entry(new FileEntry(0, 0, default, _fs.CacheTimeout, TimeSpan.Zero));
                }

                break;
            }

            case FuseOpcode.GetAttr:
                AttrOut(ref reply, _fs.GetAttr(node), origin);
                break;
            case FuseOpcode.SetAttr:
            {
                var valid = request.U32();
                request.Skip(4);
                var fh = request.U64();
                var size = request.U64();
                request.Skip(8); // lock_owner
                var atime = (long)request.U64();
                var mtime = (long)request.U64();
                request.Skip(8); // ctime
                var atimeNs = request.U32();
                var mtimeNs = request.U32();
                request.Skip(4); // ctimensec
                var mode = request.U32();
                request.Skip(4);
                var uid = request.U32();
                var gid = request.U32();
                AttrOut(ref reply, _fs.SetAttr(node, new SetAttrRequest(valid, fh, size, atime, atimeNs, mtime, mtimeNs, mode, uid, gid)), origin);
                changes.Add(CacheInvalidation.Inode(node, (valid & FuseProtocolBits.Size) != 0 ? 0 : -1));
                break;
            }

            case FuseOpcode.ReadLink:
                reply.Bytes(_fs.ReadLink(node));
                break;
            case FuseOpcode.Symlink:
            {
                var name = request.Name();
                var target = request.Name();
                reply.Entry(Created(_fs.Symlink(node, name, target, caller), node, name, origin, changes));
                break;
            }

            case FuseOpcode.Mknod:
            {
                var mode = request.U32();
                var rdev = request.U32();
                request.Skip(8); // umask, padding
                var name = request.Name();
                reply.Entry(Created(_fs.Mknod(node, name, mode, rdev, caller), node, name, origin, changes));
                break;
            }

            case FuseOpcode.Mkdir:
            {
                var mode = request.U32();
                request.Skip(4); // umask
                var name = request.Name();
                reply.Entry(Created(_fs.Mkdir(node, name, mode | 0x4000, caller), node, name, origin, changes));
                break;
            }

            case FuseOpcode.Unlink:
            case FuseOpcode.Rmdir:
                Remove(node, request.Name(), request.Opcode == FuseOpcode.Rmdir, changes);
                break;
            case FuseOpcode.Rename:
            {
                var newDir = request.U64();
                var name = request.Name();
                Rename(node, name, newDir, request.Name(), 0, changes);
                break;
            }

            case FuseOpcode.Rename2:
            {
                var newDir = request.U64();
                var flags = request.U32();
                request.Skip(4);
                var name = request.Name();
                Rename(node, name, newDir, request.Name(), flags, changes);
                break;
            }

            case FuseOpcode.Link:
            {
                var oldNode = request.U64();
                var name = request.Name();
                reply.Entry(Created(_fs.Link(oldNode, node, name), node, name, origin, changes));
                changes.Add(CacheInvalidation.Inode(oldNode));
                break;
            }

            case FuseOpcode.Open:
            {
                var flags = (int)request.U32();
                OpenOut(ref reply, node, _fs.Open(node, flags), origin, allowPassthrough);
                if ((flags & 0x200) != 0)
                {
                    changes.Add(CacheInvalidation.Inode(node, 0)); // O_TRUNC
                }
                break;
            }

            case FuseOpcode.Create:
            {
                var flags = (int)request.U32();
                var mode = request.U32();
                request.Skip(8); // umask, open_flags
                var name = request.Name();
                var (entry, file) = _fs.Create(node, name, flags, mode, caller);
                reply.Entry(Created(entry, node, name, origin, changes));
                OpenOut(ref reply, entry.NodeId, file, origin, allowPassthrough);
                break;
            }

            case FuseOpcode.TmpFile:
            {
                var flags = (int)request.U32();
                var mode = request.U32();
                var (entry, file) = _fs.TmpFile(node, flags, mode, caller); // no name: nothing to invalidate
                hub.Interest.Looked(entry.NodeId, origin);
                reply.Entry(ForOrigin(entry, origin));
                OpenOut(ref reply, entry.NodeId, file, origin, allowPassthrough);
                break;
            }

            case FuseOpcode.Read:
            {
                var fh = request.U64();
                var offset = (long)request.U64();
                var size = (int)Math.Min(request.U32(), (uint)reply.Free);
                reply.Advance(_fs.Read(node, fh, offset, reply.Tail[..size]));
                break;
            }

            case FuseOpcode.Write:
            {
                var fh = request.U64();
                var offset = (long)request.U64();
                var size = (int)request.U32();
                request.Skip(20); // write_flags, lock_owner, flags, padding
                var written = _fs.Write(node, fh, offset, request.Bytes(size));
                changes.Add(CacheInvalidation.Inode(node, offset, written));
                reply.U32((uint)written);
                reply.U32(0);
                break;
            }

            case FuseOpcode.StatFs:
            {
                var s = _fs.StatFs(node);
                reply.U64(s.Blocks);
                reply.U64(s.FreeBlocks);
                reply.U64(s.AvailableBlocks);
                reply.U64(s.Files);
                reply.U64(s.FreeFiles);
                reply.U32(s.BlockSize);
                reply.U32(s.NameLength);
                reply.U32(s.FragmentSize);
                reply.Zeros(28);
                break;
            }

            case FuseOpcode.Release:
            {
                var fh = request.U64();
                request.Skip(4); // open flags
                var releaseFlags = request.U32();
                var lockOwner = request.U64();
                _locks.Release(node, origin, fh, releaseFlags, lockOwner);
                if (_opens.Release(fh) is var backingId and not 0)
                {
                    _device?.CloseBacking(backingId);
                    // The passthrough period ends: pages other nodes read meanwhile (private mappings
                    // of their direct I/O opens) may be stale, and their next opens keep their cache.
                    changes.Add(CacheInvalidation.Inode(node, 0));
                }

                _fs.Release(node, fh);
                break;
            }

            case FuseOpcode.Flush:
            {
                request.Skip(16); // fh, unused, padding
                _locks.Flush(node, origin, request.U64());
                break;
            }

            case FuseOpcode.GetLk:
                _locks.GetLk(ref request, ref reply, origin);
                break;
            case FuseOpcode.SetLk:
            case FuseOpcode.SetLkW:
                return _locks.SetLk(ref request, output, origin, late);
            case FuseOpcode.Fsync:
            case FuseOpcode.FsyncDir: // fh is the directory's descriptor: its entries reach the disk, as on ext4
            {
                var fh = request.U64();
                _fs.Fsync(node, fh, (request.U32() & 1) != 0);
                break;
            }

            case FuseOpcode.OpenDir:
                reply.U64(_fs.OpenDir(node));
                reply.U32(0);
                reply.U32(0);
                break;
            case FuseOpcode.ReadDir:
            case FuseOpcode.ReadDirPlus:
                ReadDir(ref request, ref reply, node, origin);
                break;
            case FuseOpcode.ReleaseDir:
                _fs.ReleaseDir(node, request.U64());
                break;
            case FuseOpcode.Fallocate:
            {
                var fh = request.U64();
                var offset = (long)request.U64();
                var length = (long)request.U64();
                _fs.Fallocate(node, fh, (int)request.U32(), offset, length);
                changes.Add(CacheInvalidation.Inode(node, offset, length));
                break;
            }

            case FuseOpcode.Lseek:
            {
                var fh = request.U64();
                var offset = (long)request.U64();
                reply.U64((ulong)_fs.Lseek(node, fh, offset, (int)request.U32()));
                break;
            }

            case FuseOpcode.GetXattr:
            {
                var size = (int)request.U32();
                request.Skip(4);
                var name = request.Name();
                if (size == 0)
                {
                    reply.U32((uint)_fs.GetXattr(node, name, []));
                    reply.U32(0);
                }
                else
                {
                    reply.Advance(_fs.GetXattr(node, name, reply.Tail[..Math.Min(size, reply.Free)]));
                }

                break;
            }

            case FuseOpcode.ListXattr:
            {
                var size = (int)request.U32();
                request.Skip(4);
                if (size == 0)
                {
                    reply.U32((uint)_fs.ListXattr(node, []));
                    reply.U32(0);
                }
                else
                {
                    reply.Advance(_fs.ListXattr(node, reply.Tail[..Math.Min(size, reply.Free)]));
                }

                break;
            }

            case FuseOpcode.SetXattr:
            {
                var size = (int)request.U32();
                var flags = (int)request.U32();
                var name = request.Name();
                _fs.SetXattr(node, name, request.Bytes(size), flags);
                changes.Add(CacheInvalidation.Inode(node));
                break;
            }

            case FuseOpcode.RemoveXattr:
                _fs.RemoveXattr(node, request.Name());
                changes.Add(CacheInvalidation.Inode(node));
                break;
            default:
                // ioctl, poll, copy_file_range...: ENOSYS makes the kernel stop asking or fall back.
                throw new FsError(Errno.ENOSYS);
        }

        return reply.Finish(request.Unique).Length;
    }

    /// <summary>FORGET: the kernel of node <paramref name="origin"/> dropped lookups of <paramref name="node"/>.</summary>
    private void Forget(ulong node, ulong lookups, int origin)
    {
        hub.Interest.Forget(node, origin, lookups);
        _fs.Forget(node, lookups);
    }

    private FileEntry Created(FileEntry entry, ulong parent, ReadOnlySpan<byte> name, int origin, List<CacheInvalidation> changes)
    {
        hub.Interest.Looked(entry.NodeId, origin);
        changes.Add(CacheInvalidation.Entry(parent, name));
        changes.Add(CacheInvalidation.Inode(parent));
        return ForOrigin(entry, origin);
    }

    /// <summary>Another node may not cache the attributes of a file the home has open in passthrough (they change unseen).</summary>
    private FileEntry ForOrigin(FileEntry entry, int origin) =>
        origin != hub.HomeIndex && _opens.AttributesVolatile(entry.NodeId) ? entry with { AttrTimeout = TimeSpan.Zero } : entry;

    /// <summary>Unlink or rmdir; the removed file's nlink and ctime change too, on every node that holds it.</summary>
    private void Remove(ulong parent, ReadOnlySpan<byte> name, bool directory, List<CacheInvalidation> changes)
    {
        var child = NodeOf(parent, name);
        try
        {
            if (directory)
            {
                _fs.Rmdir(parent, name);
            }
            else
            {
                _fs.Unlink(parent, name);
            }

            changes.Add(CacheInvalidation.Entry(parent, name));
            changes.Add(CacheInvalidation.Inode(parent));
            if (child != 0)
            {
                changes.Add(CacheInvalidation.Inode(child));
            }
        }
        finally
        {
            GiveBack(child);
        }
    }

    /// <summary>
    /// Rename (flags: RENAME_NOREPLACE, RENAME_EXCHANGE). Besides both names and directories, the
    /// moved file's ctime changes and a replaced file loses a link (or, exchanged, changes place).
    /// </summary>
    private void Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, uint flags, List<CacheInvalidation> changes)
    {
        var moved = NodeOf(parent, name);
        var replaced = NodeOf(newParent, newName);
        try
        {
            _fs.Rename(parent, name, newParent, newName, flags);
            changes.Add(CacheInvalidation.Entry(parent, name));
            changes.Add(CacheInvalidation.Entry(newParent, newName));
            changes.Add(CacheInvalidation.Inode(parent));
            if (newParent != parent)
            {
                changes.Add(CacheInvalidation.Inode(newParent));
            }

            foreach (var file in (ReadOnlySpan<ulong>)[moved, replaced])
            {
                if (file != 0)
                {
                    changes.Add(CacheInvalidation.Inode(file));
                }
            }
        }
        finally
        {
            GiveBack(moved);
            GiveBack(replaced);
        }
    }

    /// <summary>The node id of a name, for invalidations only (0 when there is none); <see cref="GiveBack"/> returns the lookup it costs.</summary>
    private ulong NodeOf(ulong parent, ReadOnlySpan<byte> name)
    {
        try
        {
            return _fs.Lookup(parent, name)?.NodeId ?? 0;
        }
        catch (FsError)
        {
            return 0; // the operation itself reports what is wrong with the name
        }
    }

    private void GiveBack(ulong node)
    {
        if (node != 0)
        {
            _fs.Forget(node, 1);
        }
    }

    /// <summary>
    /// struct fuse_open_out, in the mode <see cref="OpenModeTracker"/> chooses: passthrough on the
    /// home while no other node has the file open, direct I/O on other nodes meanwhile, cached
    /// otherwise. When the home's passthrough period starts, other nodes drop the attributes they
    /// hold (they will not be told of the home's writes) before the open is answered.
    /// </summary>
    private void OpenOut(ref FuseReply reply, ulong node, OpenResult file, int origin, bool fromHomeKernel)
    {
        var device = _device;
        var decision = _opens.Open(
            node,
            file.Handle,
            origin,
            fromHomeKernel,
            fromHomeKernel && _passthrough && device is not null && file.BackingFd >= 0 && Environment.TickCount64 >= Volatile.Read(ref _passthroughFrom)
                && !HeldElsewhere(node),
            () =>
            {
                try
                {
                    return device!.OpenBacking(file.BackingFd);
                }
                catch (Native.NativeException e)
                {
                    FsLog.PassthroughRefused(logger, e.Message);
                    throw;
                }
            });
        if (decision.StartedPassthrough)
        {
            hub.Publish(origin, [CacheInvalidation.Inode(node)]);
        }

        var flags = file.OpenFlags | decision.Mode switch
        {
            OpenMode.Passthrough => FuseProtocol.FopenPassthrough,
            OpenMode.DirectIo => FuseProtocol.FopenDirectIo,
            // Another node keeps its cached pages across opens: every change by another node, and
            // the start of a passthrough period on the home (none while it holds the file), drops them.
            _ when origin != hub.HomeIndex => FuseProtocol.FopenKeepCache,
            _ => 0u,
        };
        reply.OpenOut(file.Handle, flags, decision.BackingId);
    }

    /// <summary>
    /// Another node's kernel holds the file: it keeps cached pages across opens (FOPEN_KEEP_CACHE) and
    /// its forwarder answers read-only opens itself, so the home, whose passthrough writes nobody sees,
    /// must not pass the file through while it does.
    /// </summary>
    private bool HeldElsewhere(ulong node) => (hub.Interest.Holders(node) & ~(1UL << hub.HomeIndex)) != 0;

    /// <summary>struct fuse_attr_out (the attributes' inode is the node id).</summary>
    private void AttrOut(ref FuseReply reply, in NodeAttributes attributes, int origin) =>
        reply.AttrOut(attributes, origin != hub.HomeIndex && _opens.AttributesVolatile(attributes.Inode) ? TimeSpan.Zero : _fs.CacheTimeout);

    private void ReadDir(scoped ref FuseRequest request, ref FuseReply reply, ulong node, int origin)
    {
        var plus = request.Opcode == FuseOpcode.ReadDirPlus;
        var fh = request.U64();
        var offset = (long)request.U64();
        var size = (int)Math.Min(request.U32(), (uint)reply.Free);
        var used = 0;
        var fs = _fs;
        var interest = hub.Interest;
        var array = new byte[size];
        fs.ReadDir(node, fh, offset, entry =>
        {
            var header = plus ? DirentPlusHeader : DirentHeader;
            var length = (header + entry.Name.Length + 7) & ~7;
            if (used + length > size)
            {
                return false;
            }

            var writer = FuseReply.Raw(array.AsSpan(used, length));
            var looked = WriteDirent(ref writer, fs, node, entry, plus, e => ForOrigin(e, origin));
            if (looked != 0)
            {
                interest.Looked(looked, origin);
            }

            used += length;
            return true;
        });
        reply.Bytes(array.AsSpan(0, used));
    }

    /// <summary>Writes one fuse_dirent (or fuse_direntplus, looking the name up); returns the node id looked up, or 0.</summary>
    private static ulong WriteDirent(ref FuseReply writer, IFileSystem fs, ulong dir, DirectoryEntry entry, bool plus, Func<FileEntry, FileEntry> forOrigin)
    {
        ulong looked = 0;
        var ino = entry.Inode;
        if (plus)
        {
            var isDot = entry.Name.AsSpan().SequenceEqual("."u8) || entry.Name.AsSpan().SequenceEqual(".."u8);
            if (!isDot && fs.Lookup(dir, entry.Name) is { } e)
            {
                writer.Entry(forOrigin(e));
                ino = e.Attributes.Inode;
                looked = e.NodeId;
            }
            else
            {
                writer.Zeros(FuseProtocol.EntryOutSize);
            }
        }

        writer.U64(ino);
        writer.U64((ulong)entry.NextOffset);
        writer.U32((uint)entry.Name.Length);
        writer.U32(entry.Type);
        writer.Bytes(entry.Name);
        writer.Align8();
        return looked;
    }
}
