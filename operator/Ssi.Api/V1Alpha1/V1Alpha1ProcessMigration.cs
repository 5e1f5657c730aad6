using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ssi.Api.V1Alpha1;

/// <summary>A request to move a running process tree (a workload) of an SSI cluster to another node.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class V1Alpha1ProcessMigration : IKubernetesObject<V1ObjectMeta>, ISpec<ProcessMigrationSpec>, IStatus<ProcessMigrationStatus?>
{
    public const string KindName = "ProcessMigration";
    public const string PluralName = "processmigrations";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = SsiApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ProcessMigrationSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ProcessMigrationStatus? Status { get; set; }
}
