namespace Ssi.Agent.Filesystem.Locks;

/// <summary>
/// The locks held on every inode of the shared filesystem, with POSIX semantics: an owner's ranges
/// of one type merge, locking or unlocking part of a range splits it, an owner never conflicts with
/// itself, and read locks share. A flock is a whole-file lock of its open file. Not thread-safe:
/// <see cref="LockManager"/> serialises access.
/// </summary>
internal sealed class LockTable
{
    private readonly Dictionary<ulong, List<FileLock>> _byInode = [];

    public bool IsEmpty => _byInode.Count == 0;

    /// <summary>The locks on <paramref name="inode"/>, by start.</summary>
    public IReadOnlyList<FileLock> Locks(ulong inode) =>
        _byInode.TryGetValue(inode, out var locks) ? [.. locks.OrderBy(l => l.Start).ThenBy(l => l.Owner.Node).ThenBy(l => l.Owner.Id)] : [];

    /// <summary>The first lock held by someone else that <paramref name="wanted"/> conflicts with; null when it can be had.</summary>
    public FileLock? Conflict(ulong inode, in FileLock wanted)
    {
        if (!_byInode.TryGetValue(inode, out var locks))
        {
            return null;
        }

        foreach (var held in locks)
        {
            if (held.Blocks(wanted))
            {
                return held;
            }
        }

        return null;
    }

    /// <summary>
    /// Sets (or with <see cref="LockType.Unlock"/> clears) <paramref name="change"/>'s range for its
    /// owner, whatever it held there before. The caller checked <see cref="Conflict"/> first.
    /// </summary>
    public void Apply(ulong inode, in FileLock change)
    {
        var locks = _byInode.TryGetValue(inode, out var known) ? known : null;
        if (locks is null && change.Type == LockType.Unlock)
        {
            return;
        }

        locks ??= _byInode[inode] = [];
        var start = change.Start;
        var end = change.End;
        for (var i = locks.Count - 1; i >= 0; i--)
        {
            var held = locks[i];
            if (held.Owner != change.Owner || held.Kind != change.Kind)
            {
                continue;
            }

            if (held.Type == change.Type && Touches(held, start, end))
            {
                // Same type, overlapping or adjacent: one range.
                start = Math.Min(start, held.Start);
                end = Math.Max(end, held.End);
                locks.RemoveAt(i);
            }
            else if (held.Start <= end && start <= held.End)
            {
                // Another type (or an unlock) over part of it: keep what lies outside.
                locks.RemoveAt(i);
                if (held.Start < start)
                {
                    locks.Add(held with { End = start - 1 });
                }

                if (held.End > end)
                {
                    locks.Add(held with { Start = end + 1 });
                }
            }
        }

        if (change.Type != LockType.Unlock)
        {
            locks.Add(change with { Start = start, End = end });
        }

        if (locks.Count == 0)
        {
            _byInode.Remove(inode);
        }
    }

    /// <summary>Drops every lock of one kind that <paramref name="owner"/> holds on <paramref name="inode"/>; true if there was one.</summary>
    public bool RemoveOwner(ulong inode, LockOwner owner, LockKind kind) =>
        Remove(inode, l => l.Owner == owner && l.Kind == kind);

    /// <summary>Drops every lock held by owners of node <paramref name="node"/>; returns the inodes that had some.</summary>
    public IReadOnlyList<ulong> RemoveNode(int node)
    {
        var changed = new List<ulong>();
        foreach (var inode in _byInode.Keys.ToList())
        {
            if (Remove(inode, l => l.Owner.Node == node))
            {
                changed.Add(inode);
            }
        }

        return changed;
    }

    private bool Remove(ulong inode, Predicate<FileLock> match)
    {
        if (!_byInode.TryGetValue(inode, out var locks))
        {
            return false;
        }

        var removed = locks.RemoveAll(match);
        if (locks.Count == 0)
        {
            _byInode.Remove(inode);
        }

        return removed > 0;
    }

    /// <summary>Whether <paramref name="held"/> overlaps [start, end] or ends right before or starts right after it.</summary>
    private static bool Touches(in FileLock held, long start, long end) =>
        held.Start <= (end == FileLock.ToEnd ? end : end + 1) && start <= (held.End == FileLock.ToEnd ? held.End : held.End + 1);
}
