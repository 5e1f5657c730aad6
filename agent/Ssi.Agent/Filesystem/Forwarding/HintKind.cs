namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>What an attribute hint behind a reply tells the forwarding node about a node id.</summary>
internal enum HintKind : uint
{
    /// <summary>The fuse_attr_out a GETATTR would get now.</summary>
    Attributes = 1,

    /// <summary>The complete list of its extended attribute names (NUL-terminated each; empty: none).</summary>
    XattrNames = 2,
}
