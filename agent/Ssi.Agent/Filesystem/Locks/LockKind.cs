namespace Ssi.Agent.Filesystem.Locks;

/// <summary>POSIX record locks (fcntl) and BSD locks (flock) never conflict with each other, as on Linux.</summary>
internal enum LockKind
{
    Posix,
    Flock,
}
