using System.ComponentModel.DataAnnotations;

namespace Ssi.Agent.Hosting;

/// <summary>Configuration of one node's agent (section "Agent"; command line --Agent:Name=value).</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";
    public const string DefaultCriuPath = "/opt/ssi-operator/criu/sbin/criu";
    public const int DefaultTopologyPollSeconds = 2;

    /// <summary>Name of the SsiCluster.</summary>
    [Required]
    public string Cluster { get; set; } = "";

    /// <summary>Name of this node in the cluster.</summary>
    [Required]
    public string Node { get; set; } = "";

    /// <summary>Zero-based index of this node in the cluster (from <see cref="TopologyFile"/> when that is set).</summary>
    [Range(0, 4095)]
    public int NodeIndex { get; set; }

    /// <summary>
    /// The cluster topology file (Ssi.Agent.Contracts.Topology.ClusterTopology): this node's index and
    /// exported devices, the other nodes' agents. The agent waits at start until it names this node,
    /// and reads exports and peers again when it changes. Null: both come from the options.
    /// </summary>
    public string? TopologyFile { get; set; }

    /// <summary>How often the topology file is read again for changes.</summary>
    [Range(1, 3600)]
    public int TopologyPollSeconds { get; set; } = DefaultTopologyPollSeconds;

    /// <summary>Address to listen on; 0.0.0.0 for every address of the node.</summary>
    [Required]
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>TCP port; 0 picks a free one (tests). The filesystem and bulk links take port + 1 and port + 2 unless set apart.</summary>
    [Range(0, 65533)]
    public int Port { get; set; } = 7443;

    /// <summary>
    /// TCP port of this agent's bulk links (relays of objects that stayed on this node, checkpoint
    /// images sent to it; mutual TLS, ALPN ssi-bulk/1). Other agents connect to the same port on this
    /// agent's host. 0: the agent's port + 2.
    /// </summary>
    [Range(0, 65535)]
    public int BulkPort { get; set; }

    /// <summary>host:port other parties reach this agent at.</summary>
    public string? AdvertisedEndpoint { get; set; }

    /// <summary>Directory with ca.crt, agent.crt and agent.key.</summary>
    [Required]
    public string CredentialsDirectory { get; set; } = "";

    /// <summary>Base name of this agent's certificate files in <see cref="CredentialsDirectory"/>.</summary>
    [Required]
    public string CredentialName { get; set; } = "agent";

    public string CriuPath { get; set; } = DefaultCriuPath;

    /// <summary>Where the agent keeps what must survive its restart (e.g. the cluster PID high-water mark); null keeps nothing.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The workload init (ssi-shim); default: next to the agent.</summary>
    public string ShimPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "ssi-shim");

    /// <summary>
    /// Where the agent installs a copy of <see cref="ShimPath"/> at start for landing pods (a hostPath
    /// they mount: the DaemonSet sets /run/ssi/bin); null installs nothing (local mode).
    /// </summary>
    public string? ShimInstallDirectory { get; set; }

    /// <summary>
    /// The unix datagram socket where this agent hears from its workloads' shims (start, orphans
    /// reaped, the command's end). The same path on every node, so that a shim restored on another
    /// node reports to that node's agent, and private to the node (on Kubernetes the node's
    /// /run/ssi; in local mode see <see cref="PrivateShimReportDirectory"/>). Empty: shims do not report.
    /// </summary>
    public string ShimReportSocket { get; set; } = "/run/ssi/agent/shim.sock";

    /// <summary>
    /// Mount a tmpfs of this node's own at the directory of <see cref="ShimReportSocket"/> (unless one
    /// is there from an earlier agent): local mode, where every node's /run is the host's.
    /// </summary>
    public bool PrivateShimReportDirectory { get; set; }

    /// <summary>unshare(1) from util-linux, which makes each workload's PID and IPC namespaces.</summary>
    public string UnsharePath { get; set; } = "unshare";

    /// <summary>The initial network namespace, where the kernel's process events are delivered.</summary>
    public string InitialNetworkNamespace { get; set; } = "/proc/1/ns/net";

    /// <summary>
    /// A bind mount of this node's / that criu rebuilds a restored workload's mount namespace on
    /// (made by the agent when it first restores).
    /// </summary>
    public string RestoreRoot { get; set; } = "/run/ssi/restore-root";

    /// <summary>
    /// Mounts of the node a workload's copy of the node's mounts leaves out (each path and what is
    /// beneath it; namespace files always): the node's plumbing, which the node a workload moves to
    /// may not have. Local mode's namespace files live under the first two.
    /// </summary>
    public IList<string> HiddenMounts { get; set; } = ["/run/netns", "/run/ssi-operator", "/run/ssi/restore-root", "/run/ssi-landing"];

    /// <summary>
    /// Where copies of a landing container's root and mounts are mounted while a workload that ran
    /// in a container is restored into it (<c>&lt;node&gt;/&lt;attempt&gt;</c> beneath; unmounted after the
    /// restore). Not beneath /run/ssi, which an agent pod shares with the host (bidirectional).
    /// </summary>
    public string LandingMountDirectory { get; set; } = "/run/ssi-landing";

    /// <summary>
    /// The cgroup beneath which this node's pods live (as the kubelet's --cgroup-root): a shim that
    /// runs as the init of a container in a pod beneath it is a workload of this node (found, not
    /// started by the agent). "/": every pod. Local mode gives each node a root of its own, since
    /// its nodes share one cgroup tree.
    /// </summary>
    public string PodCgroupRoot { get; set; } = "/";

    /// <summary>Where checkpoint images live while a migration needs them: tmpfs, never a disk.</summary>
    public string ImageDirectory { get; set; } = "/dev/shm/ssi-migration";
}
