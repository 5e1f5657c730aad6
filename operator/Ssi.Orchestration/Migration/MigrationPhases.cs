namespace Ssi.Orchestration.Migration;

/// <summary>Phases of a migration, as in ProcessMigration status.</summary>
public static class MigrationPhases
{
    public const string Pending = "Pending";
    public const string Planning = "Planning";
    public const string Planned = "Planned";
    public const string Checkpointing = "Checkpointing";
    public const string Restoring = "Restoring";
    public const string Committing = "Committing";
    public const string Resuming = "Resuming";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string RolledBack = "RolledBack";

    public static bool IsFinal(string? phase) => phase is Succeeded or Failed or RolledBack or Planned;
}
