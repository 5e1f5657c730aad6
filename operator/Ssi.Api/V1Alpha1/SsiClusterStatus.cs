using System.Text.Json.Serialization;
using k8s.Models;

namespace Ssi.Api.V1Alpha1;

/// <summary>Observed state of an <see cref="V1Alpha1SsiCluster"/>.</summary>
public sealed class SsiClusterStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>How many nodes have a healthy agent (a printer column).</summary>
    [JsonPropertyName("readyNodes")]
    public int? ReadyNodes { get; set; }

    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("nodes")]
    public List<SsiNodeStatus>? Nodes { get; set; }
}
