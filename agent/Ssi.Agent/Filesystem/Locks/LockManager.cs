namespace Ssi.Agent.Filesystem.Locks;

/// <summary>
/// The cluster's one lock manager, on the home: every node's kernel asks it for POSIX and flock
/// locks. A blocking request that cannot be granted waits here, holding no thread: it is granted
/// when the lock it waits for goes away (unlock, close, release, the holder's node lost), or ends
/// with EINTR when its caller is interrupted, and its caller hears of it through
/// <see cref="LockWait.Complete"/>. Waiting POSIX owners are checked for deadlocks (EDEADLK).
/// </summary>
internal sealed class LockManager
{
    /// <summary><see cref="Set"/>'s answer when the request waits: its completion comes later.</summary>
    public const int Waiting = -1;

    private const int MaxDeadlockDepth = 64;
    private readonly Lock _gate = new();
    private readonly LockTable _table = new();
    private readonly Dictionary<ulong, List<Waiter>> _waiting = [];
    private readonly Dictionary<(int Node, ulong Unique), Waiter> _byRequest = [];

    /// <summary>Requests waiting for a lock now.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _byRequest.Count;
            }
        }
    }

    /// <summary>The locks held on <paramref name="inode"/> (for tests and diagnostics).</summary>
    public IReadOnlyList<FileLock> Locks(ulong inode)
    {
        lock (_gate)
        {
            return _table.Locks(inode);
        }
    }

    /// <summary>F_GETLK: the lock that stands in the way of <paramref name="wanted"/>, or null.</summary>
    public FileLock? Test(ulong inode, in FileLock wanted)
    {
        lock (_gate)
        {
            return _table.Conflict(inode, wanted);
        }
    }

    /// <summary>
    /// F_SETLK (<paramref name="wait"/> null) or F_SETLKW. Returns 0 when done, an errno (EAGAIN,
    /// EDEADLK), or <see cref="Waiting"/>: then <paramref name="wait"/> completes later.
    /// </summary>
    public int Set(ulong inode, FileLock change, LockWait? wait)
    {
        var granted = new List<LockWait>();
        int result;
        lock (_gate)
        {
            var changed = false;
            if (change.Kind == LockKind.Flock && change.Type != LockType.Unlock)
            {
                // Converting a flock drops the old one first (Linux does too; two readers that both
                // upgrade would otherwise wait for each other for ever).
                changed = _table.Locks(inode).Any(l => l.Owner == change.Owner && l.Kind == LockKind.Flock && l.Type != change.Type)
                    && _table.RemoveOwner(inode, change.Owner, LockKind.Flock);
            }

            if (_table.Conflict(inode, change) is not { } blocker)
            {
                _table.Apply(inode, change);
                changed = true;
                result = 0;
            }
            else if (wait is null)
            {
                result = Errno.EAGAIN;
            }
            else if (change.Kind == LockKind.Posix && WouldDeadlock(change.Owner, blocker.Owner))
            {
                result = Errno.EDEADLK;
            }
            else
            {
                var waiter = new Waiter(inode, change, wait) { BlockedBy = blocker.Owner };
                if (!_waiting.TryGetValue(inode, out var queue))
                {
                    queue = _waiting[inode] = [];
                }

                queue.Add(waiter);
                _byRequest[(wait.Node, wait.Unique)] = waiter;
                result = Waiting;
            }

            if (changed)
            {
                Wake(inode, granted);
            }
        }

        Complete(granted, 0);
        return result;
    }

    /// <summary>The request <paramref name="unique"/> of node <paramref name="node"/> was interrupted: a waiting one ends with EINTR. False when it is not waiting.</summary>
    public bool Interrupt(int node, ulong unique)
    {
        Waiter? waiter;
        lock (_gate)
        {
            waiter = Unpark(node, unique);
        }

        waiter?.Wait.Complete(Errno.EINTR);
        return waiter is not null;
    }

    /// <summary>Drops every lock of one kind that <paramref name="owner"/> holds on <paramref name="inode"/> (close, release) and grants what that frees.</summary>
    public void Release(ulong inode, LockOwner owner, LockKind kind)
    {
        var granted = new List<LockWait>();
        lock (_gate)
        {
            if (_table.RemoveOwner(inode, owner, kind))
            {
                Wake(inode, granted);
            }
        }

        Complete(granted, 0);
    }

    /// <summary>Node <paramref name="node"/> is gone: its locks are dropped, its waiting requests end (EIO), and what that frees is granted.</summary>
    public void DropNode(int node)
    {
        var granted = new List<LockWait>();
        var ended = new List<LockWait>();
        lock (_gate)
        {
            foreach (var waiter in _byRequest.Values.Where(w => w.Wait.Node == node).ToList())
            {
                _ = Unpark(waiter.Wait.Node, waiter.Wait.Unique);
                ended.Add(waiter.Wait);
            }

            foreach (var inode in _table.RemoveNode(node))
            {
                Wake(inode, granted);
            }
        }

        Complete(ended, Errno.EIO);
        Complete(granted, 0);
    }

    private static void Complete(List<LockWait> waits, int errno)
    {
        foreach (var wait in waits)
        {
            wait.Complete(errno);
        }
    }

    /// <summary>Grants, in arrival order, every waiting request on <paramref name="inode"/> that no longer conflicts.</summary>
    private void Wake(ulong inode, List<LockWait> granted)
    {
        if (!_waiting.TryGetValue(inode, out var queue))
        {
            return;
        }

        for (var i = 0; i < queue.Count; i++)
        {
            var waiter = queue[i];
            if (_table.Conflict(inode, waiter.Wanted) is { } blocker)
            {
                waiter.BlockedBy = blocker.Owner;
                continue;
            }

            _table.Apply(inode, waiter.Wanted);
            queue.RemoveAt(i--);
            _byRequest.Remove((waiter.Wait.Node, waiter.Wait.Unique));
            granted.Add(waiter.Wait);
        }

        if (queue.Count == 0)
        {
            _waiting.Remove(inode);
        }
    }

    private Waiter? Unpark(int node, ulong unique)
    {
        if (!_byRequest.Remove((node, unique), out var waiter))
        {
            return null;
        }

        var queue = _waiting[waiter.Inode];
        queue.Remove(waiter);
        if (queue.Count == 0)
        {
            _waiting.Remove(waiter.Inode);
        }

        return waiter;
    }

    /// <summary>Whether <paramref name="owner"/> waiting for <paramref name="blocker"/> closes a cycle of POSIX owners waiting for each other.</summary>
    private bool WouldDeadlock(LockOwner owner, LockOwner blocker)
    {
        var current = blocker;
        for (var depth = 0; depth < MaxDeadlockDepth; depth++)
        {
            if (current == owner)
            {
                return true;
            }

            var next = _byRequest.Values.FirstOrDefault(w => w.Wanted.Kind == LockKind.Posix && w.Wanted.Owner == current);
            if (next is null)
            {
                return false;
            }

            current = next.BlockedBy;
        }

        return false;
    }

    private sealed class Waiter(ulong inode, FileLock wanted, LockWait wait)
    {
        public ulong Inode { get; } = inode;

        public FileLock Wanted { get; } = wanted;

        public LockWait Wait { get; } = wait;

        public LockOwner BlockedBy { get; set; }
    }
}
