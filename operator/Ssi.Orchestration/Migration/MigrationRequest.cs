namespace Ssi.Orchestration.Migration;

/// <summary>What to move where: the same fields as a ProcessMigration spec, plus the attempt's id.</summary>
public sealed record MigrationRequest(long ClusterPid, string TargetNode, string Mode, bool DryRun, string AttemptId);
