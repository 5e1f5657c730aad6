namespace Ssi.Agent.Devices;

/// <summary>Remote devices on this node (section "Devices").</summary>
public sealed class DevicesOptions
{
    public const string Section = "Devices";

    /// <summary>Character devices this node exports (paths under /dev, * and ? wildcards). Empty: nothing.</summary>
    public List<string> Exports { get; set; } = [];

    /// <summary>The other nodes, as name=host:port; their devices appear under <see cref="MountPath"/>/name.</summary>
    public List<string> Peers { get; set; } = [];

    /// <summary>Where the other nodes' devices are mounted on this node.</summary>
    public string MountPath { get; set; } = "/run/ssi/dev";

    /// <summary>Threads reading requests from the device mount's /dev/fuse (blocking calls do not hold them).</summary>
    public int Threads { get; set; } = 2;

    /// <summary>How long a listing of a peer's devices is reused for lookups.</summary>
    public int ListingCacheMilliseconds { get; set; } = 1000;
}
