using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>One node of an SSI cluster.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SsiNodeSpec
{
    /// <summary>Node name, a DNS-1123 label unique in the cluster.</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>
    /// Character devices of this node that every other node may use (under /run/ssi/dev/NODE/):
    /// absolute paths, the last components may hold * and ? wildcards (/dev/ttyS*). Nothing is
    /// exported unless listed here.
    /// </summary>
    [JsonPropertyName("devices")]
    public List<string>? Devices { get; set; }
}
