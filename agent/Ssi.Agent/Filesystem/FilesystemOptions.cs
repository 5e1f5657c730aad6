namespace Ssi.Agent.Filesystem;

/// <summary>The shared filesystem on this node (section "Filesystem").</summary>
public sealed class FilesystemOptions
{
    public const string Section = "Filesystem";
    public const string ModeCfs = "cfs";
    public const string ModePvc = "pvc";

    /// <summary>Mount the shared filesystem on this node.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// cfs: our filesystem, kept by the home node and forwarded to by the others (FUSE). pvc: a
    /// ReadWriteMany volume mounted at <see cref="BackingDirectory"/> on every node, bind-mounted at
    /// <see cref="MountPath"/>; no FUSE, no home.
    /// </summary>
    public string Mode { get; set; } = ModeCfs;

    /// <summary>The same path on every node.</summary>
    public string MountPath { get; set; } = "/ssi";

    /// <summary>Name of the node that keeps the data.</summary>
    public string HomeNode { get; set; } = "";

    /// <summary>host:port of the home's agent (for the other nodes).</summary>
    public string HomeEndpoint { get; set; } = "";

    /// <summary>
    /// The port of the home's filesystem links (forwarded FUSE traffic, mutual TLS): the home listens on
    /// it, the other nodes connect to it on the host of <see cref="HomeEndpoint"/>. 0: the agent's port + 1.
    /// </summary>
    public int LinkPort { get; set; }

    /// <summary>On the home (cfs) or every node (pvc: where the volume is mounted): the directory that holds the data.</summary>
    public string BackingDirectory { get; set; } = "";

    /// <summary>How long kernels may cache names and attributes; changes by other nodes are invalidated explicitly.</summary>
    public int CacheTimeoutSeconds { get; set; } = 3600;

    /// <summary>
    /// Home only: let the home's kernel read and write files itself (FUSE passthrough) while no
    /// other node has them open; other nodes' opens meanwhile are direct I/O, and their cached
    /// attributes of such a file expire at once (see docs/filesystem.md). Used when the kernel
    /// agrees to it.
    /// </summary>
    public bool Passthrough { get; set; } = true;

    /// <summary>Threads reading requests from /dev/fuse.</summary>
    public int Threads { get; set; } = 4;

    /// <summary>How far the kernel reads ahead in a file (its default, 128 KiB, leaves a forwarding node waiting on round trips).</summary>
    public int ReadAheadKilobytes { get; set; } = 4096;

    /// <summary>Home only: how many files no kernel knows any more stay open (for up to 30 s), so that a node coming back to them finds them in memory.</summary>
    public int RetainedInodes { get; set; } = 4096;

    /// <summary>How long a forwarded operation may wait for the home before it fails with EIO.</summary>
    public int ForwardTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Home only: how long another node may stay disconnected before it is taken for gone and its
    /// locks are released (a node that comes back sooner keeps them).
    /// </summary>
    public int NodeLossGraceSeconds { get; set; } = 10;
}
