using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>What was last observed of one node's agent.</summary>
public sealed class SsiNodeStatus
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("endpoint")]
    public string? Endpoint { get; set; }

    [JsonPropertyName("healthy")]
    public bool Healthy { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("agentVersion")]
    public string? AgentVersion { get; set; }

    [JsonPropertyName("criuVersion")]
    public string? CriuVersion { get; set; }
}
