using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ssi.Controller.Runtime.Client;

/// <summary>The list form of any kind.</summary>
public sealed class ResourceList<T> : IKubernetesObject<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}
