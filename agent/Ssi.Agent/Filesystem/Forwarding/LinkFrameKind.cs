namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>What a frame of the filesystem link carries (see <see cref="LinkFrame"/> for the layouts).</summary>
internal enum LinkFrameKind : ushort
{
    /// <summary>Node to home, first frame: protocol version, node index, the run of its mount (incarnation).</summary>
    Hello = 1,

    /// <summary>Home to node: the node is registered for invalidations and its holdings taken; requests may flow.</summary>
    Welcome = 2,

    /// <summary>Home to node: the link is refused (UTF-8 reason); the home closes it.</summary>
    Refused = 3,

    /// <summary>Node to home: one FUSE request exactly as the node's kernel sent it (also FORGET and INTERRUPT, which get no reply).</summary>
    Request = 4,

    /// <summary>Home to node: one FUSE reply, followed by attribute hints (node id + fuse_attr_out each).</summary>
    Reply = 5,

    /// <summary>Home to node: an invalidation to push into the node's kernel, with the id to acknowledge.</summary>
    Invalidate = 6,

    /// <summary>Node to home: the invalidation with this id is in the node's kernel.</summary>
    Acknowledge = 7,

    /// <summary>Either way: are you there? Answered with <see cref="Pong"/>.</summary>
    Ping = 8,

    Pong = 9,

    /// <summary>Node to home, after Hello: part of what its kernel holds (node ids with lookup counts, open files).</summary>
    Holdings = 10,

    /// <summary>Node to home: that was all it holds; the home answers Welcome.</summary>
    HoldingsEnd = 11,
}
