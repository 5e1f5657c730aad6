using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>Local mode settings.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SsiLocalSpec
{
    public const string DefaultSubnet = "10.250.0.0/24";

    /// <summary>
    /// IPv4 subnet of the private network that joins the node namespaces. Each local cluster has a
    /// network of its own, so two clusters may use the same subnet side by side.
    /// </summary>
    [JsonPropertyName("subnet")]
    public string? Subnet { get; set; }
}
