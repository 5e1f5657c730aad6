using Ssi.Api.V1Alpha1;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>One attempt to move a workload, as the orchestration needs it (no Kubernetes types).</summary>
internal sealed record MigrationRequest(string Cluster, IReadOnlyList<string> Nodes, long ClusterPid, string TargetNode, string Mode, string AttemptId);

/// <summary>A journaled step of an attempt: the phase about to start and what is known so far.</summary>
internal sealed record MigrationProgress(string Phase, string? SourceNode = null, string? ResolvedMode = null, long? BytesTransferred = null, string? Message = null);

/// <summary>How an attempt ended.</summary>
internal sealed record MigrationOutcome(
    string Phase,
    string Message,
    string? SourceNode = null,
    string? ResolvedMode = null,
    long? FreezeMs = null,
    long? BytesTransferred = null,
    IReadOnlyList<MigrationDescriptorPlan>? Plan = null);
