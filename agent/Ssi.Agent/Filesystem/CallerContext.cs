namespace Ssi.Agent.Filesystem;

/// <summary>Who asked: the uid, gid and pid of the calling process on its node.</summary>
internal readonly record struct CallerContext(uint Uid, uint Gid, uint Pid);
