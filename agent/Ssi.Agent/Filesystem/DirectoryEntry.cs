namespace Ssi.Agent.Filesystem;

/// <summary>One entry of a directory listing, with the offset at which to continue after it.</summary>
internal readonly record struct DirectoryEntry(ulong Inode, long NextOffset, uint Type, byte[] Name);
