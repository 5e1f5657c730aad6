namespace Ssi.Agent.Filesystem.Locks;

/// <summary>The kind of a lock as struct fuse_file_lock carries it (F_RDLCK, F_WRLCK, F_UNLCK).</summary>
internal enum LockType : uint
{
    Read = 0,
    Write = 1,
    Unlock = 2,
}
