namespace Ssi.Agent.Filesystem.Locks;

/// <summary>One lock, or a wish for one: a byte range (inclusive; <see cref="ToEnd"/> is "to the end of the file") of one owner.</summary>
internal readonly record struct FileLock(LockOwner Owner, LockKind Kind, LockType Type, long Start, long End, uint Pid)
{
    /// <summary>OFFSET_MAX: the range goes on to the end of the file, however it grows.</summary>
    public const long ToEnd = long.MaxValue;

    public bool Overlaps(in FileLock other) => Start <= other.End && other.Start <= End;

    /// <summary>Whether this lock stands in the way of <paramref name="wanted"/>.</summary>
    public bool Blocks(in FileLock wanted) =>
        Kind == wanted.Kind && Owner != wanted.Owner && Overlaps(wanted)
        && wanted.Type != LockType.Unlock && (Type == LockType.Write || wanted.Type == LockType.Write);

    /// <summary>A flock: the whole file.</summary>
    public static FileLock Flock(LockOwner owner, LockType type, uint pid) => new(owner, LockKind.Flock, type, 0, ToEnd, pid);
}
