namespace Ssi.Agent.Filesystem;

/// <summary>statfs figures (fuse_kstatfs).</summary>
internal readonly record struct FileSystemStatistics(ulong Blocks, ulong FreeBlocks, ulong AvailableBlocks, ulong Files, ulong FreeFiles, uint BlockSize, uint NameLength, uint FragmentSize);
