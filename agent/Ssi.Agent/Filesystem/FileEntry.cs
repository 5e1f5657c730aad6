namespace Ssi.Agent.Filesystem;

/// <summary>A looked-up name: its node id, attributes and how long the kernel may cache them.</summary>
internal readonly record struct FileEntry(ulong NodeId, ulong Generation, NodeAttributes Attributes, TimeSpan EntryTimeout, TimeSpan AttrTimeout);
