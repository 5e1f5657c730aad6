using System.Text.Json.Serialization;
using k8s.Models;

namespace Ssi.Api.V1Alpha1;

/// <summary>Observed progress of a <see cref="V1Alpha1ProcessMigration"/>.</summary>
public sealed class ProcessMigrationStatus
{
    /// <summary>Pending, Planning, Planned, Checkpointing, Restoring, Committing, Resuming, Succeeded, Failed, RolledBack.</summary>
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("sourceNode")]
    public string? SourceNode { get; set; }

    [JsonPropertyName("targetNode")]
    public string? TargetNode { get; set; }

    /// <summary>The mode actually used (auto resolved to stop-copy or lazy).</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    /// <summary>Process stopped to process running again, in milliseconds.</summary>
    [JsonPropertyName("freezeMs")]
    public long? FreezeMs { get; set; }

    /// <summary>Checkpoint image bytes sent from source to target.</summary>
    [JsonPropertyName("bytesTransferred")]
    public long? BytesTransferred { get; set; }

    /// <summary>Identifier of the attempt in flight, shared with the agents (resume or roll back after a restart).</summary>
    [JsonPropertyName("attemptId")]
    public string? AttemptId { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; set; }

    [JsonPropertyName("completionTime")]
    public DateTime? CompletionTime { get; set; }

    /// <summary>What happens to every descriptor of every process of the tree.</summary>
    [JsonPropertyName("plan")]
    public List<MigrationDescriptorPlan>? Plan { get; set; }

    [JsonPropertyName("conditions")]
    public List<V1Condition>? Conditions { get; set; }
}
