namespace Ssi.Api.V1Alpha1;

/// <summary>Names and labels of the objects an SsiCluster owns (the operator makes them, `kubectl ssi` finds them).</summary>
public static class SsiClusterNames
{
    public const string ManagedBy = "ssi-operator";
    public const string AgentComponent = "ssi-agent";
    public const string ClusterLabel = "ssi.io/cluster";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InstanceLabel = "app.kubernetes.io/instance";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string PartOfLabel = "app.kubernetes.io/part-of";

    /// <summary>Every object the operator owns carries this label; the informers of owned kinds select on it.</summary>
    public const string ManagedSelector = ManagedByLabel + "=" + ManagedBy;

    public const string CleanupFinalizer = "ssi.io/agent-cleanup";

    public static string Agent(string cluster) => cluster + "-ssi-agent";

    public static string Service(string cluster) => cluster + "-ssi-agents";

    /// <summary>Headless Service that selects the home node's agent (the pod labelled <see cref="HomeLabel"/>).</summary>
    public static string HomeService(string cluster) => cluster + "-ssi-home";

    /// <summary>On the agent pod of the filesystem's home node (set by the operator): what the home Service selects.</summary>
    public const string HomeLabel = "ssi.io/home";

    public static string CaSecret(string cluster) => cluster + "-ssi-ca";

    public static string AgentTlsSecret(string cluster) => cluster + "-ssi-agent-tls";

    /// <summary>ConfigMap with the cluster topology every agent reads: node indices, agent endpoints, exported devices.</summary>
    public static string Topology(string cluster) => cluster + "-ssi-topology";

    /// <summary>The DNS name every agent certificate carries: the headless Service.</summary>
    public static string ServiceDns(string cluster, string ns) => $"{Service(cluster)}.{ns}.svc";

    public static Dictionary<string, string> SelectorLabels(string cluster) => new(StringComparer.Ordinal)
    {
        [NameLabel] = AgentComponent,
        [InstanceLabel] = cluster,
    };

    public static Dictionary<string, string> Labels(string cluster) => new(SelectorLabels(cluster), StringComparer.Ordinal)
    {
        [ManagedByLabel] = ManagedBy,
        [PartOfLabel] = ManagedBy,
        [ClusterLabel] = cluster,
    };

    public static string Home(SsiClusterSpec spec) => spec.Filesystem?.Home ?? spec.Nodes?.FirstOrDefault()?.Name ?? "";
}
