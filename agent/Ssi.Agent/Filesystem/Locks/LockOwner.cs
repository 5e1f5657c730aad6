namespace Ssi.Agent.Filesystem.Locks;

/// <summary>
/// Who holds a lock: the node whose kernel asked and the lock owner that kernel named (a scrambled
/// files_struct for POSIX locks, the open file for flock). Two kernels may name the same owner.
/// </summary>
internal readonly record struct LockOwner(int Node, ulong Id);
