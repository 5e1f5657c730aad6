using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Locks;

namespace Ssi.Agent.Tests.Filesystem.Locks;

/// <summary>Waiting, granting, interrupting and deadlock detection of the lock manager (no threads: completions are recorded).</summary>
public sealed class LockManagerTests
{
    private const ulong Inode = 9;
    private static readonly LockOwner A = new(1, 1);
    private static readonly LockOwner B = new(2, 1);
    private static readonly LockOwner C = new(3, 1);

    private readonly LockManager _locks = new();
    private readonly List<(ulong Unique, int Errno)> _completed = [];

    private static FileLock Write(LockOwner owner, long start = 0, long end = FileLock.ToEnd) => new(owner, LockKind.Posix, LockType.Write, start, end, 1);

    private LockWait Wait(LockOwner owner, ulong unique) => new(owner.Node, unique, errno => _completed.Add((unique, errno)));

    [Fact]
    public void A_free_lock_is_granted_at_once()
    {
        Assert.Equal(0, _locks.Set(Inode, Write(A), Wait(A, 1)));
        Assert.Empty(_completed);
    }

    [Fact]
    public void A_non_blocking_request_for_a_held_lock_gets_EAGAIN()
    {
        _locks.Set(Inode, Write(A), null);

        Assert.Equal(Errno.EAGAIN, _locks.Set(Inode, Write(B), null));
    }

    [Fact]
    public void A_blocking_request_waits_and_is_granted_when_the_holder_unlocks()
    {
        _locks.Set(Inode, Write(A), null);

        Assert.Equal(LockManager.Waiting, _locks.Set(Inode, Write(B), Wait(B, 7)));
        Assert.Empty(_completed);
        _locks.Set(Inode, Write(A) with { Type = LockType.Unlock }, null);

        Assert.Equal([(7UL, 0)], _completed);
        Assert.Equal(B, Assert.Single(_locks.Locks(Inode)).Owner);
    }

    [Fact]
    public void Waiters_are_granted_in_arrival_order()
    {
        _locks.Set(Inode, Write(A), null);
        _locks.Set(Inode, Write(B), Wait(B, 1));
        _locks.Set(Inode, Write(C), Wait(C, 2));

        _locks.Release(Inode, A, LockKind.Posix);

        Assert.Equal([(1UL, 0)], _completed);
        _locks.Release(Inode, B, LockKind.Posix);
        Assert.Equal([(1UL, 0), (2UL, 0)], _completed);
    }

    [Fact]
    public void Readers_waiting_behind_a_writer_are_all_granted_together()
    {
        _locks.Set(Inode, Write(A), null);
        _locks.Set(Inode, Write(B) with { Type = LockType.Read }, Wait(B, 1));
        _locks.Set(Inode, Write(C) with { Type = LockType.Read }, Wait(C, 2));

        _locks.Release(Inode, A, LockKind.Posix);

        Assert.Equal([(1UL, 0), (2UL, 0)], _completed);
    }

    [Fact]
    public void An_interrupted_waiter_ends_with_EINTR_and_gets_nothing()
    {
        _locks.Set(Inode, Write(A), null);
        _locks.Set(Inode, Write(B), Wait(B, 5));

        Assert.True(_locks.Interrupt(B.Node, 5));
        Assert.False(_locks.Interrupt(B.Node, 5));
        _locks.Release(Inode, A, LockKind.Posix);

        Assert.Equal([(5UL, Errno.EINTR)], _completed);
        Assert.Empty(_locks.Locks(Inode));
        Assert.Equal(0, _locks.WaitingCount);
    }

    [Fact]
    public void A_lost_node_releases_its_locks_and_its_waiters_end()
    {
        _locks.Set(Inode, Write(A), null);
        _locks.Set(Inode + 1, Write(B), null);
        _locks.Set(Inode + 1, Write(A), Wait(A, 3));
        _locks.Set(Inode, Write(C), Wait(C, 4));

        _locks.DropNode(A.Node);

        Assert.Contains((3UL, Errno.EIO), _completed);
        Assert.Contains((4UL, 0), _completed);
        Assert.Equal(C, Assert.Single(_locks.Locks(Inode)).Owner);
    }

    [Fact]
    public void Two_owners_each_waiting_for_the_other_get_EDEADLK()
    {
        _locks.Set(Inode, Write(A, 0, 0), null);
        _locks.Set(Inode, Write(B, 1, 1), null);
        Assert.Equal(LockManager.Waiting, _locks.Set(Inode, Write(A, 1, 1), Wait(A, 1)));

        Assert.Equal(Errno.EDEADLK, _locks.Set(Inode, Write(B, 0, 0), Wait(B, 2)));
    }

    [Fact]
    public void A_longer_cycle_across_files_is_found_too()
    {
        _locks.Set(1, Write(A), null);
        _locks.Set(2, Write(B), null);
        _locks.Set(3, Write(C), null);
        _locks.Set(2, Write(A), Wait(A, 1)); // A waits for B
        _locks.Set(3, Write(B), Wait(B, 2)); // B waits for C

        Assert.Equal(Errno.EDEADLK, _locks.Set(1, Write(C), Wait(C, 3)));
    }

    [Fact]
    public void Flock_conversion_drops_the_old_lock_so_two_upgrading_readers_do_not_wait_for_ever()
    {
        _locks.Set(Inode, FileLock.Flock(A, LockType.Read, 1), null);
        _locks.Set(Inode, FileLock.Flock(B, LockType.Read, 2), null);

        Assert.Equal(LockManager.Waiting, _locks.Set(Inode, FileLock.Flock(A, LockType.Write, 1), Wait(A, 1)));
        Assert.Equal(0, _locks.Set(Inode, FileLock.Flock(B, LockType.Write, 2), Wait(B, 2)));

        _locks.Release(Inode, B, LockKind.Flock);
        Assert.Equal([(1UL, 0)], _completed);
    }
}
