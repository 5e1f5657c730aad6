namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>What a successful request may have changed, as far as cached attributes go.</summary>
internal enum ChangeScope
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>The node id the request names (a file, or the directory a name is made in).</summary>
    Node,

    /// <summary>Node ids the request does not name (unlink and rename change the file behind a name): anything.</summary>
    All,
}
