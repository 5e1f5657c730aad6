using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>Desired state of an <see cref="V1Alpha1SsiCluster"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SsiClusterSpec
{
    /// <summary>
    /// The nodes of the cluster. Required in local mode, where each becomes a network and mount
    /// namespace on this machine; on Kubernetes an explicit list of node names (else nodeSelector).
    /// </summary>
    [JsonPropertyName("nodes")]
    public List<SsiNodeSpec>? Nodes { get; set; }

    /// <summary>Kubernetes only: labels a node must carry to run an agent.</summary>
    [JsonPropertyName("nodeSelector")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    [JsonPropertyName("agent")]
    public SsiAgentSpec? Agent { get; set; }

    /// <summary>The shared filesystem (on by default: cfs at /ssi, home on the first node).</summary>
    [JsonPropertyName("filesystem")]
    public SsiFilesystemSpec? Filesystem { get; set; }

    /// <summary>Local mode only: how the namespaces that stand for nodes are networked.</summary>
    [JsonPropertyName("local")]
    public SsiLocalSpec? Local { get; set; }
}
