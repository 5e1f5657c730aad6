using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ssi.Api.V1Alpha1;

/// <summary>An SSI cluster: a set of nodes that form one system image.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class V1Alpha1SsiCluster : IKubernetesObject<V1ObjectMeta>, ISpec<SsiClusterSpec>, IStatus<SsiClusterStatus?>
{
    public const string KindName = "SsiCluster";
    public const string PluralName = "ssiclusters";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = SsiApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public SsiClusterSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public SsiClusterStatus? Status { get; set; }
}
