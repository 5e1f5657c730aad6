using System.Text.Json.Serialization;
using Ssi.Api.V1Alpha1;

namespace Ssi.Kubectl.Commands;

/// <summary>A list of SsiClusters as the API server returns it.</summary>
internal sealed class SsiClusterList
{
    [JsonPropertyName("items")]
    public List<V1Alpha1SsiCluster> Items { get; set; } = [];
}
