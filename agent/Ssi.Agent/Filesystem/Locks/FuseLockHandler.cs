using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Locks;

/// <summary>
/// GETLK, SETLK and SETLKW from any node's kernel, and the lock side of FLUSH (close drops the
/// caller's POSIX locks on the file) and RELEASE (the last close of an open file drops its flock),
/// answered by the <see cref="LockManager"/>. A SETLKW that must wait answers
/// <see cref="FuseReply.Later"/>; its reply goes to the request's <see cref="IFuseLateReply"/>.
/// </summary>
internal sealed class FuseLockHandler(LockManager locks)
{
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
        var change = Read(ref request, origin);
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

    /// <summary>RELEASE (the open file's last close): with FUSE_RELEASE_FLOCK_UNLOCK, its flock goes.</summary>
    public void Release(ulong node, int origin, uint releaseFlags, ulong lockOwner)
    {
        if ((releaseFlags & FuseProtocol.ReleaseFlockUnlock) != 0)
        {
            Locks.Release(node, new LockOwner(origin, lockOwner), LockKind.Flock);
        }
    }

    /// <summary>The kernel of node <paramref name="origin"/> interrupted request <paramref name="unique"/>: a waiting SETLKW ends with EINTR.</summary>
    public bool Interrupt(int origin, ulong unique) => Locks.Interrupt(origin, unique);

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
