using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>The per-opcode part of <see cref="FuseSession"/>: decode the request, call the filesystem, encode the reply.</summary>
internal sealed partial class FuseSession
{
    private const int DirentHeader = 24;
    private const int DirentPlusHeader = FuseProtocol.EntryOutSize + DirentHeader;

    private ReadOnlySpan<byte> Dispatch(scoped ref FuseRequest request, Span<byte> output)
    {
        var node = request.NodeId;
        var caller = new CallerContext(request.Uid, request.Gid, request.Pid);
        var reply = new FuseReply(output);
        switch (request.Opcode)
        {
            case FuseOpcode.Lookup:
            {
                var entry = _fs.Lookup(node, request.Name()) ?? throw new FsError(Errno.ENOENT);
                reply.Entry(entry);
                break;
            }

            case FuseOpcode.GetAttr:
                AttrOut(ref reply, _fs.GetAttr(node));
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
                AttrOut(ref reply, _fs.SetAttr(node, new SetAttrRequest(valid, fh, size, atime, atimeNs, mtime, mtimeNs, mode, uid, gid)));
                break;
            }

            case FuseOpcode.ReadLink:
                reply.Bytes(_fs.ReadLink(node));
                break;
            case FuseOpcode.Symlink:
            {
                var name = request.Name();
                var target = request.Name();
                reply.Entry(_fs.Symlink(node, name, target, caller));
                break;
            }

            case FuseOpcode.Mknod:
            {
                var mode = request.U32();
                var rdev = request.U32();
                request.Skip(8); // umask, padding
                reply.Entry(_fs.Mknod(node, request.Name(), mode, rdev, caller));
                break;
            }

            case FuseOpcode.Mkdir:
            {
                var mode = request.U32();
                request.Skip(4); // umask
                reply.Entry(_fs.Mkdir(node, request.Name(), mode | 0x4000, caller));
                break;
            }

            case FuseOpcode.Unlink:
                _fs.Unlink(node, request.Name());
                break;
            case FuseOpcode.Rmdir:
                _fs.Rmdir(node, request.Name());
                break;
            case FuseOpcode.Rename:
            {
                var newDir = request.U64();
                var name = request.Name();
                _fs.Rename(node, name, newDir, request.Name(), 0);
                break;
            }

            case FuseOpcode.Rename2:
            {
                var newDir = request.U64();
                var flags = request.U32();
                request.Skip(4);
                var name = request.Name();
                _fs.Rename(node, name, newDir, request.Name(), flags);
                break;
            }

            case FuseOpcode.Link:
            {
                var oldNode = request.U64();
                reply.Entry(_fs.Link(oldNode, node, request.Name()));
                break;
            }

            case FuseOpcode.Open:
            {
                var flags = (int)request.U32();
                OpenOut(ref reply, _fs.Open(node, flags));
                break;
            }

            case FuseOpcode.Create:
            {
                var flags = (int)request.U32();
                var mode = request.U32();
                request.Skip(8); // umask, open_flags
                var (entry, file) = _fs.Create(node, request.Name(), flags, mode, caller);
                reply.Entry(entry);
                OpenOut(ref reply, file);
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
                if (_backingIds.TryRemove(fh, out var backingId))
                {
                    _device.CloseBacking(backingId);
                }

                _fs.Release(node, fh);
                break;
            }

            case FuseOpcode.Flush:
                break;
            case FuseOpcode.Fsync:
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
                ReadDir(ref request, ref reply, node);
                break;
            case FuseOpcode.ReleaseDir:
                _fs.ReleaseDir(node, request.U64());
                break;
            case FuseOpcode.FsyncDir:
                break;
            case FuseOpcode.Fallocate:
            {
                var fh = request.U64();
                var offset = (long)request.U64();
                var length = (long)request.U64();
                _fs.Fallocate(node, fh, (int)request.U32(), offset, length);
                break;
            }

            case FuseOpcode.Lseek:
            {
                var fh = request.U64();
                var offset = (long)request.U64();
                reply.U64((ulong)_fs.Lseek(node, fh, offset, (int)request.U32()));
                break;
            }

            default:
                // xattrs, locks, ioctl, poll, copy_file_range...: ENOSYS makes the kernel stop asking or fall back.
                throw new FsError(Errno.ENOSYS);
        }

        return reply.Finish(request.Unique);
    }

    private void OpenOut(ref FuseReply reply, OpenResult file)
    {
        var flags = file.OpenFlags;
        var backingId = 0;
        if (Passthrough && file.BackingFd >= 0)
        {
            try
            {
                backingId = _device.OpenBacking(file.BackingFd);
                _backingIds[file.Handle] = backingId;
                flags |= FuseProtocol.FopenPassthrough;
            }
            catch (Native.NativeException e)
            {
                FsLog.PassthroughRefused(_logger, e.Message);
            }
        }

        reply.U64(file.Handle);
        reply.U32(flags);
        reply.I32(backingId);
    }

    private void AttrOut(ref FuseReply reply, in NodeAttributes attributes)
    {
        var timeout = _fs.CacheTimeout;
        reply.U64((ulong)timeout.TotalSeconds);
        reply.U32((uint)(timeout.Ticks % TimeSpan.TicksPerSecond * 100));
        reply.U32(0);
        reply.Attr(attributes);
    }

    private void ReadDir(scoped ref FuseRequest request, ref FuseReply reply, ulong node)
    {
        var plus = request.Opcode == FuseOpcode.ReadDirPlus;
        var fh = request.U64();
        var offset = (long)request.U64();
        var size = (int)Math.Min(request.U32(), (uint)reply.Free);
        var used = 0;
        var fs = _fs;
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
            WriteDirent(ref writer, fs, node, entry, plus);
            used += length;
            return true;
        });
        reply.Bytes(array.AsSpan(0, used));
    }

    private static void WriteDirent(ref FuseReply writer, IFileSystem fs, ulong dir, DirectoryEntry entry, bool plus)
    {
        var ino = entry.Inode;
        if (plus)
        {
            var isDot = entry.Name.AsSpan().SequenceEqual("."u8) || entry.Name.AsSpan().SequenceEqual(".."u8);
            var looked = isDot ? null : fs.Lookup(dir, entry.Name);
            if (looked is { } e)
            {
                writer.Entry(e);
                ino = e.Attributes.Inode;
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
    }
}
