namespace Ssi.Agent.Filesystem;

/// <summary>An opened file: its handle, FOPEN_* flags, and (on the home node) a descriptor the kernel may pass through to.</summary>
internal readonly record struct OpenResult(ulong Handle, uint OpenFlags, int BackingFd);
