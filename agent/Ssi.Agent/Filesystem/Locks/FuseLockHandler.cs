using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Locks;

/// <summary>
/// GETLK, SETLK and SETLKW from any node's kernel, and the lock side of FLUSH (close drops the
/// caller's POSIX locks on the file) and RELEASE (the last close of an open file drops its flock),
/// answered by the <see cref="LockManager"/>. A SETLKW that must wait answers
/// <see cref="FuseReply.Later"/>; its reply goes to the request's <see cref="IFuseLateReply"/>.
/// Open file description locks (F_OFD_SETLK) reach it as POSIX locks owned by the open file: they
/// go when that file is released, with the other POSIX owners that locked through it.
/// </summary>
internal sealed class FuseLockHandler(LockManager locks)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(int Origin, ulong Handle), HashSet<ulong>> _ownersByHandle = [];

    public LockManager Locks { get; } = locks;

    /// <summary>GETLK: fills struct fuse_lk_out with the conflicting lock, or F_UNLCK.</summary>
    public void GetLk(scoped ref FuseRequest request, ref FuseReply reply, int origin)
    {
        var wanted = Read(ref request, origin);
        if (Locks.Test(request.NodeId, wanted) is { } held)
        {
            reply.U64((ulong)held.Start);
            reply.U64((ulong)held.End);
            reply.U32((uint)held.Type);
            // The kernel reads the pid in its own pid namespace: a holder on another node has none there.
            reply.U32(held.Owner.Node == origin ? held.Pid : 0);
        }
        else
        {
            reply.U64((ulong)wanted.Start);
            reply.U64((ulong)wanted.End);
            reply.U32((uint)LockType.Unlock);
            reply.U32(0);
        }
    }

    /// <summary>SETLK / SETLKW: the reply's length, or <see cref="FuseReply.Later"/> when the request waits (its reply then goes to <paramref name="late"/>).</summary>
    public int SetLk(scoped ref FuseRequest request, Span<byte> output, int origin, IFuseLateReply? late)
    {
        var unique = request.Unique;
        var handle = HandleOf(request);
        var change = Read(ref request, origin);
        if (change.Kind == LockKind.Posix && change.Type != LockType.Unlock)
        {
            lock (_gate)
            {
                if (!_ownersByHandle.TryGetValue((origin, handle), out var owners))
                {
                    owners = _ownersByHandle[(origin, handle)] = [];
                }

                owners.Add(change.Owner.Id);
            }
        }

        LockWait? wait = null;
        if (request.Opcode == FuseOpcode.SetLkW && late is not null)
        {
            wait = new LockWait(origin, unique, errno =>
            {
                Span<byte> answer = stackalloc byte[FuseProtocol.OutHeaderSize];
                late.Send(FuseReply.Error(answer, unique, errno));
            });
        }

        var result = Locks.Set(request.NodeId, change, wait);
        return result == LockManager.Waiting ? FuseReply.Later : FuseReply.Error(output, unique, result).Length;
    }

    /// <summary>FLUSH (a close): POSIX locks belong to the process, and any close of the file drops them.</summary>
    public void Flush(ulong node, int origin, ulong lockOwner) => Locks.Release(node, new LockOwner(origin, lockOwner), LockKind.Posix);

    /// <summary>
    /// RELEASE (the open file's last close): with FUSE_RELEASE_FLOCK_UNLOCK, its flock goes; so do the
    /// POSIX locks taken through it that are still there (those of the open file itself: OFD locks;
    /// a process's own went with its close).
    /// </summary>
    public void Release(ulong node, int origin, ulong handle, uint releaseFlags, ulong lockOwner)
    {
        if ((releaseFlags & FuseProtocol.ReleaseFlockUnlock) != 0)
        {
            Locks.Release(node, new LockOwner(origin, lockOwner), LockKind.Flock);
        }

        HashSet<ulong>? owners;
        lock (_gate)
        {
            _ownersByHandle.Remove((origin, handle), out owners);
        }

        foreach (var owner in owners ?? [])
        {
            Locks.Release(node, new LockOwner(origin, owner), LockKind.Posix);
        }
    }

    /// <summary>Node <paramref name="origin"/> is gone: its locks and waiters go.</summary>
    public void DropNode(int origin)
    {
        lock (_gate)
        {
            foreach (var key in _ownersByHandle.Keys.Where(k => k.Origin == origin).ToList())
            {
                _ownersByHandle.Remove(key);
            }
        }

        Locks.DropNode(origin);
    }

    /// <summary>The kernel of node <paramref name="origin"/> interrupted request <paramref name="unique"/>: a waiting SETLKW ends with EINTR.</summary>
    public bool Interrupt(int origin, ulong unique) => Locks.Interrupt(origin, unique);

    /// <summary>The fh of a struct fuse_lk_in (its first field), read ahead of the rest.</summary>
    private static ulong HandleOf(in FuseRequest request) => request.Remaining >= 8 ? request.PeekU64() : 0;

    /// <summary>struct fuse_lk_in: fh, owner, struct fuse_file_lock { start, end, type, pid }, lk_flags.</summary>
    private static FileLock Read(scoped ref FuseRequest request, int origin)
    {
        request.Skip(8); // fh
        var owner = request.U64();
        var start = request.U64();
        var end = request.U64();
        var type = request.U32();
        var pid = request.U32();
        var flags = request.U32();
        if (type > (uint)LockType.Unlock || start > long.MaxValue || end > long.MaxValue || end < start)
        {
            throw new FsError(Errno.EINVAL);
        }

        var kind = (flags & FuseProtocol.LkFlock) != 0 ? LockKind.Flock : LockKind.Posix;
        return kind == LockKind.Flock
            ? FileLock.Flock(new LockOwner(origin, owner), (LockType)type, pid)
            : new FileLock(new LockOwner(origin, owner), kind, (LockType)type, (long)start, (long)end, pid);
    }
}
