namespace Ssi.Agent.Filesystem.Passthrough;

/// <summary>The mode an open got; with passthrough, the backing id to hand the kernel, and whether this open started the inode's passthrough period.</summary>
internal readonly record struct OpenDecision(OpenMode Mode, int BackingId, bool StartedPassthrough);
