using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>How the per-node agents run.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SsiAgentSpec
{
    public const int DefaultPort = 7443;

    /// <summary>TCP port of the agent's gRPC (mTLS) endpoint on every node.</summary>
    [JsonPropertyName("port")]
    public int? Port { get; set; }

    /// <summary>Kubernetes only: the agent container image.</summary>
    [JsonPropertyName("image")]
    public string? Image { get; set; }

    /// <summary>Minimum log level of the agents: Trace, Debug, Information, Warning, Error.</summary>
    [JsonPropertyName("logLevel")]
    public string? LogLevel { get; set; }
}
