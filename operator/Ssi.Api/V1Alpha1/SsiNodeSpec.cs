using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>One node of an SSI cluster.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SsiNodeSpec
{
    /// <summary>Node name, a DNS-1123 label unique in the cluster.</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}
