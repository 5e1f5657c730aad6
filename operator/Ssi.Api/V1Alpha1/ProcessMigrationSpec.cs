using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>Desired migration: which process, to which node, how.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProcessMigrationSpec
{
    public const string ModeStopCopy = "stop-copy";
    public const string ModeLazy = "lazy";
    public const string ModeAuto = "auto";

    /// <summary>Name of the SsiCluster (same namespace) the process belongs to.</summary>
    [JsonPropertyName("cluster")]
    public string Cluster { get; set; } = "";

    /// <summary>Cluster PID of any process of the workload; the workload's whole tree moves.</summary>
    [JsonPropertyName("clusterPid")]
    public long ClusterPid { get; set; }

    /// <summary>Node to move to.</summary>
    [JsonPropertyName("targetNode")]
    public string TargetNode { get; set; } = "";

    /// <summary>stop-copy, lazy (post-copy memory) or auto (chosen by memory size; default).</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    /// <summary>Only compute and report the descriptor plan; nothing is frozen.</summary>
    [JsonPropertyName("dryRun")]
    public bool? DryRun { get; set; }
}
